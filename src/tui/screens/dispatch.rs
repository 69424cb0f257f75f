//! Routing for the compare, evaluate and embeddings screens and the matrix's hold-out
//! and what-if modes: which of them takes an action, a worker result or a cancellation.

use std::sync::Arc;

use super::{compare, embeddings, evaluate, hold_out, what_if};
use crate::data::Dataset;
use crate::tui::app::{App, Busy, Mode};
use crate::tui::keys::Action;
use crate::tui::worker::{JobOutput, Lane};

/// The lanes of background work these screens start.
pub const LANES: [Lane; 3] = [Lane::Evaluate, Lane::Compare, Lane::HoldOut];

/// Takes the actions of these screens and modes; `true` when the action was handled
/// here, `false` when the explorer's usual handling applies.
pub fn update(app: &mut App, action: Action) -> bool {
    match action {
        Action::ShowCompare => app.show(Mode::Compare),
        Action::ShowEvaluate => app.show(Mode::Evaluate),
        Action::ToggleNewItems => embeddings::toggle_new_only(app),
        _ => {
            return match app.mode {
                Mode::Evaluate => evaluate::update(app, action),
                Mode::Compare => compare::update(app, action),
                Mode::Explore => explore_update(app, action),
                Mode::Stats | Mode::Recommend | Mode::Embeddings => false,
            };
        }
    }
    true
}

/// The matrix screen's hold-out and what-if actions.
fn explore_update(app: &mut App, action: Action) -> bool {
    match action {
        Action::HoldOut => hold_out::toggle(app),
        Action::MoreHeldOut => hold_out::step_share(app, true),
        Action::LessHeldOut => hold_out::step_share(app, false),
        Action::EditRating => what_if::open_prompt(app),
        Action::ClearRating => what_if::clear_selected(app),
        Action::Undo => what_if::undo(app),
        Action::ToggleChoice
        | Action::ChooseAll
        | Action::Run
        | Action::NextMetric
        | Action::ToggleTopK => {
            let keys = app.keys.keys_text(Action::ShowEvaluate);
            app.say(&format!(
                "{} works on the evaluate screen (press {keys})",
                action.hint()
            ));
        }
        _ => return false,
    }
    true
}

/// Runs after the explorer's usual handling of an action.
pub fn after_update(app: &mut App) {
    if app.mode == Mode::Compare {
        compare::refresh(app);
    }
}

/// Takes a result of these screens' background work (already checked current).
pub fn on_output(app: &mut App, output: JobOutput) {
    match output {
        JobOutput::Evaluation(result) => evaluate::on_result(app, result),
        JobOutput::Compared(fits) => compare::on_fits(app, fits),
        JobOutput::HeldOut(predictions) => hold_out::on_predictions(app, predictions),
        JobOutput::Model(_)
        | JobOutput::Neighbours(_)
        | JobOutput::Failed(_)
        | JobOutput::Recommendations(_)
        | JobOutput::Stats(_) => {}
    }
}

/// Runs after a newly fitted model replaced the shown one.
pub fn after_fit(app: &mut App) {
    hold_out::after_fit(app);
    what_if::after_fit(app);
}

/// Takes note of cancelled work on one of [`LANES`]; returns what to tell the user.
pub fn on_cancel(app: &mut App, lane: Lane, busy: Option<Busy>) -> String {
    let what = busy.map(|b| b.what).unwrap_or_else(|| "work".to_string());
    let restored = lane == Lane::Evaluate && evaluate::on_cancel(app);
    if restored {
        format!("{what} cancelled; the previous leaderboard is shown")
    } else if lane == Lane::Compare {
        app.compare.cancelled = true;
        let key = app.keys.keys_text(Action::ShowCompare);
        format!("{what} cancelled ({key} fits again)")
    } else {
        format!("{what} cancelled")
    }
}

/// The dataset as opened (with any what-if edits), even while the hold-out mode
/// shows it with ratings hidden.
pub fn full_dataset(app: &App) -> Arc<Dataset> {
    match &app.hold_out.active {
        Some(active) => Arc::clone(&active.full),
        None => Arc::clone(&app.dataset),
    }
}
