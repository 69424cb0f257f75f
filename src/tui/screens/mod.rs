//! The screens besides the matrix: each keeps its own state and update logic here, and
//! is drawn by its file in `view/`. This module switches between them.

pub mod export;
pub mod recommend;
pub mod stats;

use super::app::{App, Mode};

impl App {
    /// Shows `mode`, asking the worker for whatever the screen needs.
    pub fn show(&mut self, mode: Mode) {
        self.mode = mode;
        self.refresh_screen();
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
            Mode::Explore => {}
        }
    }
}
