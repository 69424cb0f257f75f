//! The stats screen's state: the dataset's measures, computed once on the worker.

use crate::data::{self, Stats};
use crate::tui::app::App;
use crate::tui::worker::{JobOutput, Lane};

/// What the stats screen draws: the measures of `recscope stats` plus how many ratings
/// each user has, most active first.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetShape {
    pub stats: Stats,
    /// The summary lines, exactly as `recscope stats` prints them.
    pub lines: Vec<(&'static str, String)>,
    /// Ratings per user, most active first.
    pub user_activity: Vec<usize>,
}

impl DatasetShape {
    /// Measures a dataset (linear in its ratings).
    pub fn of(dataset: &data::Dataset) -> DatasetShape {
        let stats = data::describe(dataset);
        let matrix = &dataset.matrix;
        let mut user_activity: Vec<usize> = (0..matrix.n_users() as u32)
            .map(|user| matrix.user_count(user))
            .collect();
        user_activity.sort_unstable_by(|a, b| b.cmp(a));
        DatasetShape {
            lines: data::summary_lines(&stats),
            stats,
            user_activity,
        }
    }
}

/// The stats screen: `None` until the worker has measured the dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsScreen {
    pub shape: Option<DatasetShape>,
    requested: bool,
}

impl StatsScreen {
    pub fn on_result(&mut self, shape: DatasetShape) {
        self.shape = Some(shape);
    }
}

impl App {
    /// Asks the worker to measure the dataset, once.
    pub(crate) fn request_stats(&mut self) {
        if self.stats_screen.requested {
            return;
        }
        self.stats_screen.requested = true;
        let dataset = self.dataset.clone();
        self.submit(Lane::Stats, move |_progress| {
            JobOutput::Stats(Box::new(DatasetShape::of(&dataset)))
        });
    }
}
