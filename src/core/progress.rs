//! Progress reporting and cancellation for long fits and evaluations.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Raised by a fit or an evaluation that noticed it was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

type Report = dyn Fn(f64, &str) + Send + Sync;

/// Carries a cancellation flag in, and progress (a fraction 0..1 and a stage name)
/// out. Cloning shares both.
#[derive(Clone, Default)]
pub struct Progress {
    cancel: Arc<AtomicBool>,
    report: Option<Arc<Report>>,
}

impl Progress {
    /// Progress that goes nowhere and is never cancelled.
    pub fn none() -> Self {
        Progress::default()
    }

    /// Progress reported to `report`, cancelled when `cancel` is set.
    pub fn new(
        cancel: Arc<AtomicBool>,
        report: impl Fn(f64, &str) + Send + Sync + 'static,
    ) -> Self {
        Progress {
            cancel,
            report: Some(Arc::new(report)),
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once cancellation was asked for; call between units of work.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Reports that `fraction` (0..1) of `stage` is done.
    pub fn report(&self, fraction: f64, stage: &str) {
        if let Some(report) = &self.report {
            report(fraction.clamp(0.0, 1.0), stage);
        }
    }

    /// The same flag, with progress of a sub-task mapped into `start..end` of this one.
    pub fn span(&self, start: f64, end: f64) -> Progress {
        let parent = self.clone();
        Progress {
            cancel: self.cancel.clone(),
            report: Some(Arc::new(move |fraction, stage| {
                parent.report(start + (end - start) * fraction, stage)
            })),
        }
    }
}
