//! The recommend screen's state: the top-N list for the selected user by the current
//! model, computed on the worker whenever the user or the model changes.

use std::sync::Arc;

use crate::core::matrix::{ItemIndex, UserIndex};
use crate::data::{self, Recommendation};
use crate::tui::app::App;
use crate::tui::worker::{JobOutput, Lane};

/// How many items the screen lists.
pub const RECOMMENDED: usize = 20;

/// The list shown, and what it was computed for.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendList {
    pub user: UserIndex,
    /// The generation of the model that ranked it.
    pub model_generation: u64,
    /// The name of the algorithm that ranked it.
    pub algorithm: &'static str,
    /// `None` while being computed.
    pub rows: Option<Vec<Recommendation>>,
}

/// The recommend screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecommendScreen {
    pub list: Option<RecommendList>,
}

impl RecommendScreen {
    pub fn on_result(&mut self, rows: Vec<Recommendation>) {
        if let Some(list) = &mut self.list {
            list.rows = Some(rows);
        }
    }
}

impl App {
    /// The user whose recommendations the screen shows: the matrix's selected row.
    pub fn recommend_user(&self) -> Option<UserIndex> {
        self.selected_cell().map(|(user, _)| user)
    }

    /// The user's own highest ratings, best first (ties by item index): what the
    /// screen shows beside the list, so that the reasons can be checked.
    pub fn top_rated(&self, user: UserIndex, n: usize) -> Vec<(ItemIndex, f64)> {
        let (items, ratings) = self.dataset.matrix.user_ratings(user);
        let mut rated: Vec<(ItemIndex, f64)> =
            items.iter().copied().zip(ratings.iter().copied()).collect();
        rated.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        rated.truncate(n);
        rated
    }

    /// Asks the worker for the selected user's list unless the one shown is current.
    pub(crate) fn request_recommendations(&mut self) {
        let (Some(user), Some(fitted)) = (self.recommend_user(), &self.model) else {
            return;
        };
        let (generation, algorithm) = (fitted.generation, fitted.spec.name);
        if let Some(list) = &self.recommend_screen.list
            && list.user == user
            && list.model_generation == generation
        {
            return;
        }
        let model = Arc::clone(&fitted.model);
        let dataset = Arc::clone(&self.dataset);
        self.submit(Lane::Recommend, move |_progress| {
            JobOutput::Recommendations(data::recommend(&dataset, &*model, user, RECOMMENDED))
        });
        self.recommend_screen.list = Some(RecommendList {
            user,
            model_generation: generation,
            algorithm,
            rows: None,
        });
    }
}
