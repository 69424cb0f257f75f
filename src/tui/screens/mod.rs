//! The screens besides the matrix: each keeps its own state and update logic here, and
//! is drawn by its file in `view/`. This module switches between them; `dispatch`
//! routes actions, worker results and cancellations to the compare and evaluate
//! screens and to the matrix's hold-out and what-if modes. `params` is the parameter
//! editor, open over any screen; `prompt` holds the keys its prompt shares with the
//! what-if rating prompt.

pub mod compare;
mod dispatch;
pub mod embeddings;
pub mod evaluate;
pub mod export;
pub mod hold_out;
pub mod params;
mod prompt;
pub mod recommend;
pub mod stats;
pub mod what_if;

pub use dispatch::{LANES, after_fit, after_update, full_dataset, on_cancel, on_output, update};

use super::app::{App, Mode};

impl App {
    /// Shows `mode`, asking the worker for whatever the screen needs. What the status
    /// line said on another screen is not carried over.
    pub fn show(&mut self, mode: Mode) {
        if mode != self.mode {
            self.message = None;
        }
        self.mode = mode;
        if mode == Mode::Compare {
            // Showing the compare screen, even again, asks for every missing fit.
            compare::enter(self);
        } else {
            self.refresh_screen();
        }
    }

    /// Shows the next (or previous) screen of [`Mode::ALL`], wrapping around.
    pub fn step_screen(&mut self, forward: bool) {
        let count = Mode::ALL.len();
        let at = Mode::ALL.iter().position(|m| *m == self.mode).unwrap_or(0);
        let next = if forward {
            (at + 1) % count
        } else {
            (at + count - 1) % count
        };
        if let Some(mode) = Mode::ALL.get(next) {
            self.show(*mode);
        }
    }

    /// Brings the shown screen up to date after a move, a new model or a switch.
    pub(crate) fn refresh_screen(&mut self) {
        match self.mode {
            Mode::Stats => self.request_stats(),
            Mode::Recommend => self.request_recommendations(),
            Mode::Compare => compare::refresh(self),
            Mode::Embeddings => embeddings::refresh(self),
            Mode::Explore | Mode::Evaluate => {}
        }
    }
}
