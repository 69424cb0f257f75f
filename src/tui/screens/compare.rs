//! The compare screen's state: two to four algorithms fitted on the worker, their
//! predictions of the cells on screen, and where they disagree.

use std::collections::HashMap;
use std::sync::Arc;

use crate::core::algorithms::{Model, Output};
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::core::params::Params;
use crate::tui::app::{App, Busy};
use crate::tui::keys::Action;
use crate::tui::worker::{ComparedFit, JobOutput, Lane};

/// The most algorithms compared at once.
pub const MAX_COMPARED: usize = 4;
/// Cells whose predictions spread wider than this are highlighted.
pub const DISAGREE_ABOVE: f64 = 0.5;

/// A model fitted for the comparison, with the parameters it was fitted with.
#[derive(Clone)]
pub struct ComparedModel {
    pub params: Params,
    pub model: Arc<dyn Model>,
}

/// The compare screen.
#[derive(Clone, Default)]
pub struct CompareScreen {
    /// Positions in the explorer's algorithms, in the order shown (at most
    /// [`MAX_COMPARED`]).
    pub chosen: Vec<usize>,
    /// Fitted models by position in the explorer's algorithms.
    pub models: HashMap<usize, ComparedModel>,
    /// Why an algorithm could not be fitted, by position.
    pub failed: HashMap<usize, String>,
    /// Predictions of the unknown cells on screen, one per chosen algorithm (`None`
    /// while its model is being fitted).
    pub predictions: HashMap<(UserIndex, ItemIndex), Vec<Option<f64>>>,
    /// Every chosen algorithm's prediction of the selected cell, known or not.
    pub selected: Vec<Option<f64>>,
    /// The chosen algorithms and models the predictions were computed with.
    computed_with: Vec<(usize, Option<usize>)>,
    /// The user cancelled the fits: none is asked for again until the screen is
    /// entered again or an algorithm is added.
    pub cancelled: bool,
}

impl CompareScreen {
    /// The model fitted for `algorithm` with `params` on `app`'s current matrix.
    fn current_model(&self, app: &App, algorithm: usize) -> Option<Arc<dyn Model>> {
        let fitted = self.models.get(&algorithm)?;
        let same_params = app.params.get(algorithm) == Some(&fitted.params);
        let same_matrix = std::ptr::eq(fitted.model.matrix(), &*app.dataset.matrix);
        (same_params && same_matrix).then(|| Arc::clone(&fitted.model))
    }
}

/// Whether the compared algorithm at `position` gives ranking scores (WALS, BPR)
/// rather than ratings, once its model is fitted. Scores are on no rating scale, so
/// they take no part in spreads or differences from a known rating.
pub fn scores_ranks(app: &App, position: usize) -> bool {
    app.compare
        .chosen
        .get(position)
        .and_then(|algorithm| app.compare.models.get(algorithm))
        .is_some_and(|fitted| fitted.model.output() == Output::Score)
}

/// `values` (one per compared algorithm) with the ranking scores left out.
pub fn ratings_only(app: &App, values: &[Option<f64>]) -> Vec<Option<f64>> {
    (values.iter().enumerate())
        .map(|(position, &value)| value.filter(|_| !scores_ranks(app, position)))
        .collect()
}

/// Whether predictions spread wider than [`DISAGREE_ABOVE`] (two or more present).
pub fn disagree(values: &[Option<f64>]) -> bool {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.len() < 2 {
        return false;
    }
    let low = present.iter().copied().fold(f64::INFINITY, f64::min);
    let high = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    high - low > DISAGREE_ABOVE
}

/// Entering the screen: the current algorithm and the next one at first.
pub fn enter(app: &mut App) {
    if app.compare.chosen.is_empty() {
        let count = app.algorithms.len();
        app.compare.chosen.push(app.algorithm);
        if count > 1 {
            app.compare.chosen.push((app.algorithm + 1) % count);
        }
    }
    app.compare.cancelled = false;
    request_fits(app);
    refresh(app);
}

/// The compare screen's keys; `false` for those the explorer handles as usual.
pub fn update(app: &mut App, action: Action) -> bool {
    match action {
        Action::ToggleChoice => {
            toggle(app, app.algorithm);
            true
        }
        Action::HoldOut
        | Action::MoreHeldOut
        | Action::LessHeldOut
        | Action::EditRating
        | Action::ClearRating
        | Action::Undo
        | Action::ChooseAll
        | Action::Run
        | Action::NextMetric
        | Action::ToggleTopK => {
            let key = app.keys.keys_text(Action::ShowMatrix);
            app.say(&format!(
                "{} works on another screen (the matrix is on {key})",
                action.hint()
            ));
            true
        }
        _ => false,
    }
}

/// Adds `algorithm` to the comparison, or takes it out.
pub fn toggle(app: &mut App, algorithm: usize) {
    let name = app.algorithms.get(algorithm).map_or("?", |s| s.name);
    if let Some(at) = app.compare.chosen.iter().position(|&a| a == algorithm) {
        app.compare.chosen.remove(at);
        app.say(&format!("{name} taken out of the comparison"));
    } else if app.compare.chosen.len() >= MAX_COMPARED {
        let key = app.keys.keys_text(Action::ToggleChoice);
        app.error(&format!(
            "at most {MAX_COMPARED} algorithms side by side; take one out first (select it \
             and press {key})"
        ));
        return;
    } else {
        app.compare.chosen.push(algorithm);
        app.say(&format!("{name} added to the comparison"));
    }
    app.compare.cancelled = false;
    request_fits(app);
    refresh(app);
}

/// Fits, on the worker, the chosen algorithms that have no current model. The
/// explorer's own model is reused when it is one of them.
pub fn request_fits(app: &mut App) {
    let mut wanted = Vec::new();
    for &algorithm in &app.compare.chosen.clone() {
        if app.compare.current_model(app, algorithm).is_some() {
            continue;
        }
        let algorithms = app.algorithms;
        let (Some(spec), Some(params)) = (
            algorithms.get(algorithm),
            app.params.get(algorithm).cloned(),
        ) else {
            continue;
        };
        if let Some(fitted) = &app.model
            && fitted.spec.name == spec.name
            && fitted.params == params
            && std::ptr::eq(fitted.model.matrix(), &*app.dataset.matrix)
        {
            let model = Arc::clone(&fitted.model);
            app.compare
                .models
                .insert(algorithm, ComparedModel { params, model });
            continue;
        }
        wanted.push((algorithm, spec, params));
    }
    if wanted.is_empty() {
        return;
    }
    let matrix = Arc::clone(&app.dataset.matrix);
    let names: Vec<&str> = wanted.iter().map(|(_, spec, _)| spec.name).collect();
    let what = format!("fitting {} to compare", names.join(", "));
    app.submit(Lane::Compare, move |progress| {
        let count = wanted.len() as f64;
        let fits = (wanted.into_iter().enumerate())
            .map(|(done, (algorithm, spec, params))| {
                let slot = progress.span(done as f64 / count, (done as f64 + 1.0) / count);
                let model = spec
                    .fit_model(Arc::clone(&matrix), &params, &slot)
                    .map(Arc::<dyn Model>::from);
                ComparedFit {
                    algorithm,
                    params,
                    model,
                }
            })
            .collect();
        JobOutput::Compared(fits)
    });
    app.busy.insert(
        Lane::Compare,
        Busy {
            what,
            fraction: 0.0,
            stage: String::new(),
        },
    );
}

/// Takes the fitted models.
pub fn on_fits(app: &mut App, fits: Vec<ComparedFit>) {
    for fit in fits {
        match fit.model {
            Ok(model) => {
                app.compare.failed.remove(&fit.algorithm);
                app.compare.models.insert(
                    fit.algorithm,
                    ComparedModel {
                        params: fit.params,
                        model,
                    },
                );
            }
            Err(err) => {
                let name = app.algorithms.get(fit.algorithm).map_or("?", |s| s.name);
                app.error(&format!("{name} could not be fitted: {err}"));
                app.compare.failed.insert(fit.algorithm, err.to_string());
            }
        }
    }
    refresh(app);
}

/// Brings the predictions up to date with the chosen algorithms, their models and
/// the cells on screen; asks for fits when parameters or the matrix changed.
pub fn refresh(app: &mut App) {
    let stale = app.compare.chosen.iter().any(|&a| {
        app.compare.current_model(app, a).is_none() && !app.compare.failed.contains_key(&a)
    });
    if stale && !app.busy.contains_key(&Lane::Compare) && !app.compare.cancelled {
        request_fits(app);
    }
    let models: Vec<Option<Arc<dyn Model>>> = (app.compare.chosen.iter())
        .map(|&a| app.compare.current_model(app, a))
        .collect();
    let signature: Vec<(usize, Option<usize>)> = (app.compare.chosen.iter())
        .zip(&models)
        .map(|(&a, m)| (a, m.as_ref().map(|m| Arc::as_ptr(m) as *const () as usize)))
        .collect();
    if signature != app.compare.computed_with {
        app.compare.predictions.clear();
        app.compare.computed_with = signature;
    }

    let matrix = Arc::clone(&app.dataset.matrix);
    let row_end = (app.scroll.row + app.window.rows).min(app.rows.len());
    let column_end = (app.scroll.column + app.window.columns).min(app.columns.len());
    let rows = app.rows[app.scroll.row.min(row_end)..row_end].to_vec();
    let columns = app.columns[app.scroll.column.min(column_end)..column_end].to_vec();
    let predict = |user, item| -> Vec<Option<f64>> {
        models
            .iter()
            .map(|m| m.as_ref().map(|m| m.predict_value(user, item)))
            .collect()
    };
    for &user in &rows {
        for &item in &columns {
            if matrix.rating(user, item).is_none() {
                app.compare
                    .predictions
                    .entry((user, item))
                    .or_insert_with(|| predict(user, item));
            }
        }
    }
    app.compare.selected = match app.selected_cell() {
        Some((user, item)) => predict(user, item),
        None => Vec::new(),
    };
}
