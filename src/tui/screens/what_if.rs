//! What-if edits on the matrix: set or clear the selected cell's rating, undo step by
//! step, and see which predictions on screen the refitted model moved. Edits live in
//! memory only; the file on disk is never written.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ratatui::crossterm::event::KeyEvent;

use super::prompt::PromptKey;
use crate::core::matrix::{ItemIndex, MatrixError, Rating, UserIndex};
use crate::data::Dataset;
use crate::tui::app::{App, Overlay};
use crate::tui::keys::Action;

/// A prediction that changes by more than this after an edit is highlighted.
pub const MOVED_ABOVE: f64 = 0.05;

/// One change to the matrix: a new rating for a cell, or `None` to clear it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edit {
    pub user: UserIndex,
    pub item: ItemIndex,
    pub rating: Option<f64>,
}

/// The edits made so far and what they changed on screen.
#[derive(Debug, Clone, Default)]
pub struct WhatIf {
    /// The dataset as opened, while there are edits.
    pub original: Option<Arc<Dataset>>,
    /// Every edit in the order made; undo takes the last.
    pub edits: Vec<Edit>,
    /// Cells on screen whose prediction moved by more than [`MOVED_ABOVE`] after the
    /// last edit (or undo), until the next one.
    pub moved: HashSet<(UserIndex, ItemIndex)>,
    /// Predictions on screen before the last edit, compared once the refit is shown.
    before: Option<HashMap<(UserIndex, ItemIndex), f64>>,
}

impl WhatIf {
    /// Whether the matrix differs from the file.
    pub fn is_edited(&self) -> bool {
        !self.edits.is_empty()
    }
}

/// The `e` prompt: the value typed so far for the selected cell.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingPrompt {
    pub user: UserIndex,
    pub item: ItemIndex,
    pub text: String,
    /// Why the last value typed was refused.
    pub error: Option<String>,
}

/// `e`: opens the prompt for the selected cell.
pub fn open_prompt(app: &mut App) {
    if refuse_in_hold_out(app) {
        return;
    }
    let Some((user, item)) = app.selected_cell() else {
        return;
    };
    app.overlay = Some(Overlay::Rating(RatingPrompt {
        user,
        item,
        text: String::new(),
        error: None,
    }));
}

/// Handles a key while the rating prompt is open; `true` when the prompt took it.
pub fn on_prompt_key(app: &mut App, key: &KeyEvent) -> bool {
    let Some(Overlay::Rating(prompt)) = &mut app.overlay else {
        return false;
    };
    match PromptKey::edit(&mut prompt.text, key) {
        PromptKey::Close => app.overlay = None,
        PromptKey::Submit => {
            let prompt = prompt.clone();
            match parse_rating(app, &prompt.text) {
                Ok(value) => {
                    app.overlay = None;
                    apply(app, prompt.user, prompt.item, Some(value));
                }
                Err(message) => {
                    if let Some(Overlay::Rating(open)) = &mut app.overlay {
                        open.error = Some(message);
                    }
                }
            }
        }
        PromptKey::Edited => prompt.error = None,
        PromptKey::Ignored => {}
    }
    true
}

/// A typed rating checked against the dataset's scale.
pub fn parse_rating(app: &App, text: &str) -> Result<f64, String> {
    let scale = app.dataset.matrix.scale();
    let range = format!("{} to {}", scale.min, scale.max);
    let value: f64 = text.trim().parse().map_err(|_| {
        format!(
            "'{}' is not a number; type a rating from {range}",
            text.trim()
        )
    })?;
    if !value.is_finite() || value < scale.min || value > scale.max {
        return Err(format!(
            "{value} is outside the rating scale; type a rating from {range}"
        ));
    }
    Ok(value)
}

/// `x`: clears the selected cell's known rating.
pub fn clear_selected(app: &mut App) {
    if refuse_in_hold_out(app) {
        return;
    }
    let Some((user, item)) = app.selected_cell() else {
        return;
    };
    if app.dataset.matrix.rating(user, item).is_none() {
        app.say("this cell has no rating to clear");
        return;
    }
    apply(app, user, item, None);
}

/// Sets (or with `None` clears) a cell's rating, as the prompt and `x` do.
pub fn apply(app: &mut App, user: UserIndex, item: ItemIndex, rating: Option<f64>) {
    let original = Arc::clone(
        app.what_if
            .original
            .get_or_insert_with(|| Arc::clone(&app.dataset)),
    );
    let mut edits = app.what_if.edits.clone();
    edits.push(Edit { user, item, rating });
    match with_edits(&original, &edits) {
        Ok(edited) => {
            app.what_if.edits = edits;
            let text = match rating {
                Some(value) => format!("rating set to {value}"),
                None => "rating cleared".to_string(),
            };
            show(app, Arc::new(edited), &text);
        }
        Err(err) => app.error(&format!("the edit could not be applied: {err}")),
    }
}

/// `U`: takes back the last edit.
pub fn undo(app: &mut App) {
    if refuse_in_hold_out(app) {
        return;
    }
    let Some(original) = app.what_if.original.clone() else {
        app.say("nothing to undo: the matrix is as in the file");
        return;
    };
    app.what_if.edits.pop();
    if app.what_if.edits.is_empty() {
        app.what_if.original = None;
        show(app, original, "undone: the matrix is as in the file");
        return;
    }
    match with_edits(&original, &app.what_if.edits) {
        Ok(edited) => show(app, Arc::new(edited), "last edit undone"),
        Err(err) => app.error(&format!("the undo could not be applied: {err}")),
    }
}

fn refuse_in_hold_out(app: &mut App) -> bool {
    if app.hold_out.active.is_none() {
        return false;
    }
    let key = app.keys.keys_text(Action::HoldOut);
    app.error(&format!(
        "ratings cannot be edited in hold-out mode; press {key} to leave it first"
    ));
    true
}

/// Shows the edited dataset and refits on it, remembering the predictions on screen.
fn show(app: &mut App, dataset: Arc<Dataset>, text: &str) {
    app.what_if.before = Some(visible_predictions(app));
    app.what_if.moved.clear();
    app.dataset = dataset;
    app.show_predictions = true;
    app.predictions.clear();
    app.request_fit();
    app.after_move();
    let count = app.what_if.edits.len();
    app.say(&format!("{text} ({count} edit(s) in memory; refitting)"));
}

/// The current model's predictions of the cells on screen.
fn visible_predictions(app: &App) -> HashMap<(UserIndex, ItemIndex), f64> {
    let Some(fitted) = &app.model else {
        return HashMap::new();
    };
    visible_cells(app)
        .map(|cell| (cell, fitted.model.predict_value(cell.0, cell.1)))
        .collect()
}

fn visible_cells(app: &App) -> impl Iterator<Item = (UserIndex, ItemIndex)> + '_ {
    let row_end = (app.scroll.row + app.window.rows).min(app.rows.len());
    let column_end = (app.scroll.column + app.window.columns).min(app.columns.len());
    let rows = &app.rows[app.scroll.row.min(row_end)..row_end];
    let columns = &app.columns[app.scroll.column.min(column_end)..column_end];
    rows.iter()
        .flat_map(move |&user| columns.iter().map(move |&item| (user, item)))
}

/// After the refit on the edited matrix is shown: which predictions moved.
pub fn after_fit(app: &mut App) {
    let Some(fitted) = &app.model else {
        return;
    };
    if !std::ptr::eq(fitted.model.matrix(), &*app.dataset.matrix) {
        return;
    }
    let Some(before) = app.what_if.before.take() else {
        return;
    };
    let model = Arc::clone(&fitted.model);
    let matrix = Arc::clone(&app.dataset.matrix);
    // Known cells show their rating, not a prediction: only unknown ones can move.
    app.what_if.moved = before
        .into_iter()
        .filter(|&((user, item), _)| matrix.rating(user, item).is_none())
        .filter(|&((user, item), old)| (model.predict_value(user, item) - old).abs() > MOVED_ABOVE)
        .map(|(cell, _)| cell)
        .collect();
    let count = app.what_if.moved.len();
    app.say(&format!(
        "{count} prediction(s) on screen moved by more than {MOVED_ABOVE}"
    ));
}

/// `original` with `edits` applied in order: a set rating replaces the cell's rating
/// in place or joins at the end; a cleared one leaves the list. Timestamps are
/// dropped (an edit has none).
pub fn with_edits(original: &Dataset, edits: &[Edit]) -> Result<Dataset, MatrixError> {
    let mut ratings: Vec<Option<Rating>> = original.ratings.iter().copied().map(Some).collect();
    let mut position: HashMap<(UserIndex, ItemIndex), usize> = original
        .ratings
        .iter()
        .enumerate()
        .map(|(k, r)| ((r.user, r.item), k))
        .collect();
    for edit in edits {
        let cell = (edit.user, edit.item);
        match (edit.rating, position.get(&cell).copied()) {
            (Some(value), Some(at)) => {
                ratings[at] = Some(Rating {
                    user: edit.user,
                    item: edit.item,
                    value,
                })
            }
            (Some(value), None) => {
                position.insert(cell, ratings.len());
                ratings.push(Some(Rating {
                    user: edit.user,
                    item: edit.item,
                    value,
                }));
            }
            (None, Some(at)) => {
                ratings[at] = None;
                position.remove(&cell);
            }
            (None, None) => {}
        }
    }
    let ratings: Vec<Rating> = ratings.into_iter().flatten().collect();
    let matrix = original.matrix.with_ratings(&ratings)?;
    let mut edited = original.clone();
    edited.matrix = Arc::new(matrix);
    edited.ratings = ratings;
    edited.timestamps = None;
    Ok(edited)
}
