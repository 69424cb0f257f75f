//! Progress of long fits and evaluations, written to stderr so that stdout stays
//! clean for JSON and CSV.

use std::io::{IsTerminal, Write};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use crate::core::progress::Progress;

/// Progress shown on stderr: a line redrawn in place on a terminal; otherwise one
/// line per new stage and one when all is done, so that logs of scripted runs stay
/// short and do not end on a stage part-way.
pub fn on_stderr(label: &str) -> Progress {
    let label = label.to_string();
    let terminal = std::io::stderr().is_terminal();
    let last: Mutex<(String, i64)> = Mutex::new((String::new(), -1));
    Progress::new(Arc::new(AtomicBool::new(false)), move |fraction, stage| {
        let Ok(mut last) = last.lock() else {
            return;
        };
        // Folds run in parallel report from their own spans; the percentage shown
        // never goes back.
        let percent = ((fraction * 100.0).floor() as i64).max(last.1);
        let mut stderr = std::io::stderr().lock();
        if terminal {
            if percent != last.1 || stage != last.0 {
                let _ = write!(stderr, "\r\x1b[2K{label}: {percent:>3}% {stage}");
                if fraction >= 1.0 {
                    let _ = writeln!(stderr);
                }
            }
        } else if fraction >= 1.0 {
            if last.1 < 100 {
                let _ = writeln!(stderr, "{label}: 100% done");
            }
        } else if stage != last.0 {
            let _ = writeln!(stderr, "{label}: {percent:>3}% {stage}");
        }
        *last = (stage.to_string(), percent);
    })
}
