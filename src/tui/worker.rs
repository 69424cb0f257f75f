//! The background worker: fits models and computes neighbour lists off the UI thread.
//!
//! Each job belongs to a lane (one kind of work) and carries the generation number the
//! explorer gave it. When several jobs of a lane wait, only the newest runs; a job that
//! is already running is cancelled through its [`Progress`] flag when a newer one is
//! asked for; the explorer drops any result whose generation is no longer current.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use crate::core::algorithms::{FitError, Model};
use crate::core::eval::{AlgorithmResult, EvalError};
use crate::core::params::Params;
use crate::core::progress::Progress;

use super::screens::stats::DatasetShape;
use super::similar::NeighbourRow;
use crate::data::Recommendation;

/// A kind of background work; a new job replaces the waiting one of the same lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Fitting the selected algorithm.
    Model,
    /// The neighbours panel's list.
    Neighbours,
    /// Cross-validation for the evaluate screen (served by a worker of its own).
    Evaluate,
    /// Fits of the algorithms on the compare screen.
    Compare,
    /// Predictions of the ratings hidden by the hold-out mode.
    HoldOut,
    /// The recommend screen's list for the selected user.
    Recommend,
    /// The stats screen's measures of the dataset.
    Stats,
}

/// What a job produced.
pub enum JobOutput {
    Model(Result<Arc<dyn Model>, FitError>),
    Neighbours(Result<Vec<NeighbourRow>, String>),
    Evaluation(Result<Vec<AlgorithmResult>, EvalError>),
    /// Fitted models for the compare screen, by position in the explorer's algorithms.
    Compared(Vec<ComparedFit>),
    /// Predictions of the hidden ratings, in the hold-out's order.
    HeldOut(Vec<f64>),
    Recommendations(Vec<Recommendation>),
    Stats(Box<DatasetShape>),
    /// The task panicked; the message says where.
    Failed(String),
}

/// One algorithm fitted for the compare screen.
pub struct ComparedFit {
    pub algorithm: usize,
    pub params: Params,
    pub model: Result<Arc<dyn Model>, FitError>,
}

type Task = Box<dyn FnOnce(&Progress) -> JobOutput + Send>;

/// One piece of background work.
pub struct Job {
    pub lane: Lane,
    pub generation: u64,
    /// Set to ask the running task to stop.
    pub cancel: Arc<AtomicBool>,
    pub task: Task,
}

impl Job {
    pub fn new(
        lane: Lane,
        generation: u64,
        task: impl FnOnce(&Progress) -> JobOutput + Send + 'static,
    ) -> Self {
        Job {
            lane,
            generation,
            cancel: Arc::new(AtomicBool::new(false)),
            task: Box::new(task),
        }
    }

    /// Runs the task here and now, reporting progress nowhere (for tests and for
    /// work too small to send away).
    pub fn run_here(self) -> JobOutput {
        (self.task)(&Progress::new(self.cancel, |_, _| {}))
    }
}

/// What the worker tells the explorer.
pub enum WorkerEvent {
    Progress {
        lane: Lane,
        generation: u64,
        fraction: f64,
        stage: String,
    },
    Done {
        lane: Lane,
        generation: u64,
        elapsed: Duration,
        output: JobOutput,
    },
}

/// Runs jobs from `jobs` one at a time, newest first within a lane, and reports to
/// `report` (wrapped by the caller into its event type). Returns when `jobs` closes.
pub fn serve<E: Send + 'static>(
    jobs: Receiver<Job>,
    report: Sender<E>,
    wrap: fn(WorkerEvent) -> E,
) {
    let mut waiting: Vec<Job> = Vec::new();
    loop {
        if waiting.is_empty() {
            match jobs.recv() {
                Ok(job) => waiting.push(job),
                Err(_) => return,
            }
        }
        while let Ok(job) = jobs.try_recv() {
            waiting.push(job);
        }
        // Keep only the newest job of each lane.
        let mut newest: Vec<Job> = Vec::new();
        for job in waiting.drain(..) {
            newest.retain(|kept| kept.lane != job.lane);
            newest.push(job);
        }
        waiting = newest;
        let job = waiting.remove(0);
        if job.cancel.load(Ordering::Relaxed) {
            continue;
        }
        run_job(job, &report, wrap);
    }
}

fn run_job<E: Send + 'static>(job: Job, report: &Sender<E>, wrap: fn(WorkerEvent) -> E) {
    let (lane, generation) = (job.lane, job.generation);
    let progress_sender = report.clone();
    let progress = Progress::new(job.cancel.clone(), move |fraction, stage| {
        let _ = progress_sender.send(wrap(WorkerEvent::Progress {
            lane,
            generation,
            fraction,
            stage: stage.to_string(),
        }));
    });
    let started = Instant::now();
    tracing::debug!(?lane, generation, "job started");
    let task = job.task;
    let output = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task(&progress)))
        .unwrap_or_else(|panic| JobOutput::Failed(panic_message(panic.as_ref())));
    let elapsed = started.elapsed();
    tracing::info!(?lane, generation, ?elapsed, "job finished");
    let _ = report.send(wrap(WorkerEvent::Done {
        lane,
        generation,
        elapsed,
        output,
    }));
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn neighbours_job(generation: u64) -> Job {
        Job::new(Lane::Neighbours, generation, |_| {
            JobOutput::Neighbours(Ok(Vec::new()))
        })
    }

    #[test]
    fn only_the_newest_waiting_job_of_a_lane_runs() {
        let (job_sender, jobs) = mpsc::channel();
        let (report, events) = mpsc::channel();
        for generation in 1..=3 {
            job_sender.send(neighbours_job(generation)).unwrap();
        }
        drop(job_sender);
        serve(jobs, report, |event| event);
        let done: Vec<u64> = events
            .iter()
            .filter_map(|event| match event {
                WorkerEvent::Done { generation, .. } => Some(generation),
                WorkerEvent::Progress { .. } => None,
            })
            .collect();
        assert_eq!(done, vec![3]);
    }

    #[test]
    fn a_cancelled_job_does_not_run() {
        let (job_sender, jobs) = mpsc::channel();
        let (report, events) = mpsc::channel();
        let job = neighbours_job(1);
        job.cancel.store(true, Ordering::Relaxed);
        job_sender.send(job).unwrap();
        drop(job_sender);
        serve(jobs, report, |event| event);
        assert_eq!(events.iter().count(), 0);
    }

    #[test]
    fn a_panicking_job_is_reported_not_fatal() {
        let (job_sender, jobs) = mpsc::channel();
        let (report, events) = mpsc::channel();
        job_sender
            .send(Job::new(Lane::Model, 1, |_| panic!("broken model")))
            .unwrap();
        drop(job_sender);
        serve(jobs, report, |event| event);
        let failed: Vec<String> = events
            .iter()
            .filter_map(|event| match event {
                WorkerEvent::Done {
                    output: JobOutput::Failed(message),
                    ..
                } => Some(message),
                _ => None,
            })
            .collect();
        assert_eq!(failed, vec!["broken model".to_string()]);
    }
}
