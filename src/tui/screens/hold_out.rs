//! The matrix's hold-out mode: a seeded share of the known ratings is hidden, the
//! current algorithm is refitted on the rest, and each hidden rating is predicted and
//! judged by its absolute error. Leaving the mode brings the full matrix back.

use std::collections::HashMap;
use std::sync::Arc;

use crate::core::eval::folds;
use crate::core::eval::metrics;
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::data::Dataset;
use crate::tui::app::{App, Busy};
use crate::tui::worker::{JobOutput, Lane};

/// The share hidden unless the user changes it.
pub const DEFAULT_SHARE: f64 = 0.10;
/// How much `>` and `<` change the share.
pub const SHARE_STEP: f64 = 0.05;
pub const MIN_SHARE: f64 = 0.05;
pub const MAX_SHARE: f64 = 0.50;
/// Seed of the shuffle that picks the hidden ratings (as `recscope eval` uses).
pub const SEED: u32 = 0;

/// How far a prediction is from the hidden rating, in three bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBand {
    /// |error| < 0.5
    Close,
    /// 0.5 ≤ |error| < 1
    Near,
    /// |error| ≥ 1
    Far,
}

impl ErrorBand {
    /// The band of `|prediction − rating|`.
    pub fn of(prediction: f64, rating: f64) -> ErrorBand {
        let error = (prediction - rating).abs();
        if error < 0.5 {
            ErrorBand::Close
        } else if error < 1.0 {
            ErrorBand::Near
        } else {
            ErrorBand::Far
        }
    }
}

/// A hidden rating and, once the refitted model came back, its prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HiddenCell {
    pub rating: f64,
    pub prediction: Option<f64>,
}

/// RMSE and MAE over the hidden ratings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoldOutScores {
    pub rmse: f64,
    pub mae: f64,
}

/// The mode while it is on.
#[derive(Debug, Clone)]
pub struct ActiveHoldOut {
    /// The dataset with every rating, restored when the mode ends.
    pub full: Arc<Dataset>,
    pub share: f64,
    /// The hidden cells, in the order the predictions come back.
    pub order: Vec<(UserIndex, ItemIndex)>,
    pub hidden: HashMap<(UserIndex, ItemIndex), HiddenCell>,
    pub scores: Option<HoldOutScores>,
}

/// The share to hide and, while the mode is on, what it hid.
#[derive(Debug, Clone)]
pub struct HoldOutMode {
    pub share: f64,
    pub active: Option<ActiveHoldOut>,
}

impl Default for HoldOutMode {
    fn default() -> Self {
        HoldOutMode {
            share: DEFAULT_SHARE,
            active: None,
        }
    }
}

impl HoldOutMode {
    /// The hidden rating of a cell, while the mode is on.
    pub fn hidden(&self, user: UserIndex, item: ItemIndex) -> Option<HiddenCell> {
        self.active.as_ref()?.hidden.get(&(user, item)).copied()
    }
}

/// `H`: hides ratings and refits, or brings the full matrix back.
pub fn toggle(app: &mut App) {
    match app.hold_out.active.take() {
        Some(active) => {
            app.dataset = active.full;
            app.drop_lane(Lane::HoldOut);
            app.predictions.clear();
            app.request_fit();
            app.after_move();
            app.say("hold-out off: the full matrix is back");
        }
        None => hide(app, app.hold_out.share),
    }
}

/// `>` and `<`: a larger or smaller share, applied at once when the mode is on.
pub fn step_share(app: &mut App, more: bool) {
    let step = if more { SHARE_STEP } else { -SHARE_STEP };
    // Whole percents, so that repeated steps do not drift.
    let share = ((app.hold_out.share + step) * 100.0).round() / 100.0;
    let share = share.clamp(MIN_SHARE, MAX_SHARE);
    if share == app.hold_out.share {
        app.say(&format!(
            "the hold-out share stays at {:.0}% ({:.0}% to {:.0}%)",
            share * 100.0,
            MIN_SHARE * 100.0,
            MAX_SHARE * 100.0
        ));
        return;
    }
    app.hold_out.share = share;
    match app.hold_out.active.take() {
        Some(active) => {
            app.dataset = active.full;
            hide(app, share);
        }
        None => app.say(&format!(
            "hold-out share {:.0}% (press H to hide)",
            share * 100.0
        )),
    }
}

/// Hides `share` of the current ratings and refits on the rest.
fn hide(app: &mut App, share: f64) {
    app.drop_lane(Lane::HoldOut);
    let full = Arc::clone(&app.dataset);
    let fold = match folds::holdout(full.ratings.len(), share, SEED) {
        Ok(fold) => fold,
        Err(err) => {
            app.error(&format!("cannot hold out ratings: {err}"));
            return;
        }
    };
    let kept: Vec<_> = fold.train.iter().map(|&k| full.ratings[k]).collect();
    let matrix = match full.matrix.with_ratings(&kept) {
        Ok(matrix) => matrix,
        Err(err) => {
            app.error(&format!("cannot hold out ratings: {err}"));
            return;
        }
    };
    let order: Vec<(UserIndex, ItemIndex)> = (fold.test.iter())
        .map(|&k| (full.ratings[k].user, full.ratings[k].item))
        .collect();
    let hidden = (fold.test.iter())
        .map(|&k| {
            let rating = full.ratings[k];
            let cell = HiddenCell {
                rating: rating.value,
                prediction: None,
            };
            ((rating.user, rating.item), cell)
        })
        .collect();

    let mut shown = (*full).clone();
    shown.matrix = Arc::new(matrix);
    shown.ratings = kept;
    shown.timestamps = None;
    let count = order.len();
    app.hold_out.active = Some(ActiveHoldOut {
        full,
        share,
        order,
        hidden,
        scores: None,
    });
    app.dataset = Arc::new(shown);
    app.predictions.clear();
    app.request_fit();
    app.after_move();
    app.say(&format!(
        "hold-out: {count} ratings ({:.0}%) hidden; refitting on the rest",
        share * 100.0
    ));
}

/// Once a model fitted on the visible ratings is shown, predicts the hidden ones on
/// the worker.
pub fn after_fit(app: &mut App) {
    let (Some(active), Some(fitted)) = (&app.hold_out.active, &app.model) else {
        return;
    };
    if !std::ptr::eq(fitted.model.matrix(), &*app.dataset.matrix) {
        return;
    }
    let model = Arc::clone(&fitted.model);
    let cells = active.order.clone();
    // The colours and figures of the previous model go until the new ones come.
    if let Some(active) = &mut app.hold_out.active {
        active.scores = None;
        active
            .hidden
            .values_mut()
            .for_each(|cell| cell.prediction = None);
    }
    app.submit(Lane::HoldOut, move |progress| {
        let mut predictions = Vec::with_capacity(cells.len());
        for (done, &(user, item)) in cells.iter().enumerate() {
            if done % 4096 == 0 {
                progress.report(done as f64 / cells.len().max(1) as f64, "predicting");
            }
            predictions.push(model.predict_value(user, item));
        }
        JobOutput::HeldOut(predictions)
    });
    app.busy.insert(
        Lane::HoldOut,
        Busy {
            what: "predicting the held-out ratings".to_string(),
            fraction: 0.0,
            stage: String::new(),
        },
    );
}

/// Takes the predictions of the hidden ratings and scores them.
pub fn on_predictions(app: &mut App, predictions: Vec<f64>) {
    let Some(active) = &mut app.hold_out.active else {
        return;
    };
    let mut pairs = Vec::with_capacity(predictions.len());
    for (cell, prediction) in active.order.iter().zip(predictions) {
        if let Some(hidden) = active.hidden.get_mut(cell) {
            hidden.prediction = Some(prediction);
            pairs.push((hidden.rating, prediction));
        }
    }
    active.scores = match (metrics::rmse(&pairs), metrics::mae(&pairs)) {
        (Some(rmse), Some(mae)) => Some(HoldOutScores { rmse, mae }),
        _ => None,
    };
    // The "refitting" said when the ratings were hidden is over.
    let algorithm = app
        .model
        .as_ref()
        .map_or("the model", |fitted| fitted.spec.name);
    app.say(&format!(
        "hold-out: {} hidden ratings predicted by {algorithm}; each is coloured by its error",
        pairs.len()
    ));
}
