//! The evaluate screen's state: which algorithms to cross-validate, the run on the
//! evaluation worker with its progress, and the leaderboard it produced. The folds
//! and seed are those `recscope eval` uses by default, so the figures match it.

use std::cmp::Ordering;

use crate::core::eval::{
    AlgorithmResult, Candidate, EvalError, EvalOptions, RankingOptions, SplitSpec, cross_validate,
};
use crate::tui::app::{App, Busy};
use crate::tui::keys::Action;
use crate::tui::worker::{JobOutput, Lane};

/// Folds of the cross-validation, as `recscope eval` makes by default.
pub const FOLDS: usize = 5;
/// Seed of the shuffle, as `recscope eval` uses by default.
pub const SEED: u32 = 0;
/// Length of the top-N lists scored when top-k metrics are asked for.
pub const TOP_K: usize = 10;
/// Above this many ratings, folds run one at a time (as `recscope eval` does).
const PARALLEL_RATINGS_LIMIT: usize = 5_000_000;
/// Leaderboard rows one press of the scroll keys moves by, as the explanation's do.
const SCROLL_ROWS: usize = 3;

/// A figure of the leaderboard that can be sorted on and charted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Rmse,
    Mae,
    Fcp,
    FitSeconds,
    PredictSeconds,
    Precision,
    Recall,
    Ndcg,
    HitRate,
}

impl Metric {
    /// Every metric, in the order `m` steps through them.
    pub const ALL: &'static [Metric] = &[
        Metric::Rmse,
        Metric::Mae,
        Metric::Fcp,
        Metric::FitSeconds,
        Metric::PredictSeconds,
        Metric::Precision,
        Metric::Recall,
        Metric::Ndcg,
        Metric::HitRate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Metric::Rmse => "RMSE",
            Metric::Mae => "MAE",
            Metric::Fcp => "FCP",
            Metric::FitSeconds => "fit s",
            Metric::PredictSeconds => "predict s",
            Metric::Precision => "P@k",
            Metric::Recall => "R@k",
            Metric::Ndcg => "NDCG@k",
            Metric::HitRate => "hit@k",
        }
    }

    /// Whether a smaller value is better (errors and times).
    pub fn lower_is_better(self) -> bool {
        matches!(
            self,
            Metric::Rmse | Metric::Mae | Metric::FitSeconds | Metric::PredictSeconds
        )
    }

    /// Whether the metric scores top-N lists (present only when they were asked for).
    pub fn is_ranking(self) -> bool {
        matches!(
            self,
            Metric::Precision | Metric::Recall | Metric::Ndcg | Metric::HitRate
        )
    }

    /// The metric's value for one algorithm; `None` when it was not computed or is
    /// undefined (an FCP with no ranked pair).
    pub fn value(self, result: &AlgorithmResult) -> Option<f64> {
        let ranking = result.ranking;
        let value = match self {
            Metric::Rmse => Some(result.rmse),
            Metric::Mae => Some(result.mae),
            Metric::Fcp => result.fcp,
            Metric::FitSeconds => Some(result.fit_s),
            Metric::PredictSeconds => Some(result.predict_s),
            Metric::Precision => ranking.map(|r| r.precision),
            Metric::Recall => ranking.map(|r| r.recall),
            Metric::Ndcg => ranking.map(|r| r.ndcg),
            Metric::HitRate => ranking.map(|r| r.hit_rate),
        };
        value.filter(|v| v.is_finite())
    }
}

/// The results of a finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    pub results: Vec<AlgorithmResult>,
    /// The split, e.g. "5-fold (seed 0)".
    pub split: String,
    pub ratings: usize,
    pub top_k: Option<usize>,
}

impl Leaderboard {
    /// The results best first by `metric`; those without a value come last, in the
    /// order evaluated.
    pub fn ranked(&self, metric: Metric) -> Vec<&AlgorithmResult> {
        let mut ranked: Vec<&AlgorithmResult> = self.results.iter().collect();
        ranked.sort_by(|a, b| match (metric.value(a), metric.value(b)) {
            (Some(x), Some(y)) if metric.lower_is_better() => x.total_cmp(&y),
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
        ranked
    }
}

/// Where the evaluation stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    NotRun,
    Running {
        algorithms: usize,
        ratings: usize,
        /// The split, e.g. "5-fold (seed 0)".
        split: String,
    },
    Done(Leaderboard),
    Failed(String),
    Cancelled,
}

/// The evaluate screen.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluateScreen {
    /// Whether each of the explorer's algorithms is to be evaluated (all at first).
    pub chosen: Vec<bool>,
    /// The algorithm under the checklist's cursor.
    pub highlighted: usize,
    /// Score top-N lists of this length as well.
    pub top_k: Option<usize>,
    /// The metric the leaderboard is sorted by and the chart shows.
    pub metric: Metric,
    pub run: Run,
    /// The last finished leaderboard while a new run goes on: a cancelled run brings
    /// it back.
    pub previous: Option<Leaderboard>,
    /// The leaderboard's first row shown, counted from the best. It goes no further
    /// than the last row; drawing stops earlier, where the last page is full (the
    /// panel's height is known only there), so after overshooting the end the first
    /// presses back up move nothing on screen.
    pub table_scroll: usize,
}

impl EvaluateScreen {
    pub fn new(algorithms: usize) -> Self {
        EvaluateScreen {
            chosen: vec![true; algorithms],
            highlighted: 0,
            top_k: None,
            metric: Metric::Rmse,
            run: Run::NotRun,
            previous: None,
            table_scroll: 0,
        }
    }

    /// The metrics the current leaderboard can show.
    pub fn metrics(&self) -> Vec<Metric> {
        let ranked = match &self.run {
            Run::Done(board) => board.top_k.is_some(),
            _ => self.top_k.is_some(),
        };
        Metric::ALL
            .iter()
            .copied()
            .filter(|m| ranked || !m.is_ranking())
            .collect()
    }
}

/// The evaluate screen's keys; `false` for those the explorer handles as usual.
pub fn update(app: &mut App, action: Action) -> bool {
    let screen = &mut app.evaluate;
    let count = screen.chosen.len();
    match action {
        Action::MoveUp => screen.highlighted = screen.highlighted.saturating_sub(1),
        Action::MoveDown => screen.highlighted = (screen.highlighted + 1).min(count.max(1) - 1),
        Action::FirstRow => screen.highlighted = 0,
        Action::LastRow => screen.highlighted = count.saturating_sub(1),
        Action::ToggleChoice => {
            if let Some(chosen) = screen.chosen.get_mut(screen.highlighted) {
                *chosen = !*chosen;
            }
        }
        Action::ChooseAll => {
            let all = screen.chosen.iter().all(|&c| c);
            screen.chosen.iter_mut().for_each(|c| *c = !all);
        }
        Action::ToggleTopK => {
            screen.top_k = match screen.top_k {
                Some(_) => None,
                None => Some(TOP_K),
            };
            let text = match screen.top_k {
                Some(k) => format!("the next run also scores top-{k} lists"),
                None => "the next run scores rating accuracy only".to_string(),
            };
            app.say(&text);
        }
        Action::NextMetric => {
            let metrics = screen.metrics();
            let at = metrics.iter().position(|&m| m == screen.metric);
            let next = at.map_or(0, |at| (at + 1) % metrics.len());
            if let Some(&metric) = metrics.get(next) {
                screen.metric = metric;
            }
            // Sorted anew: the best by the new metric comes first, so show it.
            screen.table_scroll = 0;
        }
        Action::ScrollExplainDown => {
            let rows = match &screen.run {
                Run::Done(board) => board.results.len(),
                _ => 0,
            };
            screen.table_scroll = (screen.table_scroll + SCROLL_ROWS).min(rows.saturating_sub(1));
        }
        Action::ScrollExplainUp => {
            screen.table_scroll = screen.table_scroll.saturating_sub(SCROLL_ROWS);
        }
        Action::Run => start(app),
        // The matrix's own keys do nothing here; the rest (quit, help, screens, the
        // algorithm) work as everywhere.
        Action::MoveLeft
        | Action::MoveRight
        | Action::PageUp
        | Action::PageDown
        | Action::FirstColumn
        | Action::LastColumn
        | Action::HoldOut
        | Action::MoreHeldOut
        | Action::LessHeldOut
        | Action::EditRating
        | Action::ClearRating
        | Action::Undo => {}
        _ => return false,
    }
    true
}

/// Starts cross-validating the chosen algorithms on the evaluation worker.
pub fn start(app: &mut App) {
    let candidates: Vec<Candidate> = (app.algorithms.iter().enumerate())
        .filter(|(at, _)| app.evaluate.chosen.get(*at).copied().unwrap_or(false))
        .map(|(at, spec)| Candidate {
            spec,
            params: app
                .params
                .get(at)
                .cloned()
                .unwrap_or_else(|| spec.default_params()),
        })
        .collect();
    // As `recscope eval --algos all` does: without item genres or tags, the models
    // that need them are left out rather than failing the whole comparison.
    let dataset = super::full_dataset(app);
    let needs = crate::core::algorithms::content::NEEDS_ITEM_FEATURES;
    let before = candidates.len();
    let candidates: Vec<Candidate> = match dataset.matrix.item_features() {
        Some(_) => candidates,
        None => (candidates.into_iter())
            .filter(|candidate| !needs.contains(&candidate.spec.name))
            .collect(),
    };
    let left_out = if candidates.len() < before {
        format!(
            "; {} left out: the data has no item genres or tags",
            needs.join(" and ")
        )
    } else {
        String::new()
    };
    if candidates.is_empty() {
        let key = app.keys.keys_text(Action::ToggleChoice);
        app.error(&format!(
            "no algorithm is chosen; choose one or more with {key}"
        ));
        return;
    }
    let split = SplitSpec::KFold {
        k: FOLDS,
        seed: SEED,
    };
    // A k-fold split needs at least as many ratings as folds; say so at once rather
    // than after a trip to the worker.
    if dataset.ratings.len() < FOLDS {
        app.error(&format!(
            "cannot evaluate: {FOLDS}-fold cross-validation needs at least {FOLDS} ratings, \
             and the matrix has {}",
            dataset.ratings.len()
        ));
        return;
    }
    let scale = dataset.matrix.scale();
    let top_k = app.evaluate.top_k;
    let options = EvalOptions {
        // Relevant ratings as `recscope eval` counts them by default.
        ranking: top_k.map(|k| RankingOptions {
            k,
            threshold: scale.min + 0.625 * (scale.max - scale.min),
        }),
        parallel_folds: dataset.ratings.len() <= PARALLEL_RATINGS_LIMIT,
    };
    let algorithms = candidates.len();
    let ratings = dataset.ratings.len();
    let task_split = split.clone();
    app.submit(Lane::Evaluate, move |progress| {
        // Shuffling the positions is work too: it happens here, off the UI thread.
        let result = task_split.folds(&dataset.ratings, None).and_then(|folds| {
            cross_validate(
                &dataset.matrix,
                &dataset.ratings,
                &folds,
                &candidates,
                &options,
                progress,
            )
        });
        JobOutput::Evaluation(result)
    });
    app.busy.insert(
        Lane::Evaluate,
        Busy {
            what: format!("evaluating {algorithms} × {FOLDS} folds"),
            fraction: 0.0,
            stage: String::new(),
        },
    );
    if let Run::Done(board) = &app.evaluate.run {
        app.evaluate.previous = Some(board.clone());
    }
    app.evaluate.run = Run::Running {
        algorithms,
        ratings,
        split: split.describe(),
    };
    if !left_out.is_empty() {
        app.say(&format!("evaluating {algorithms} algorithm(s){left_out}"));
    }
    tracing::info!(algorithms, ratings, "evaluation requested");
}

/// Takes the finished evaluation.
pub fn on_result(app: &mut App, result: Result<Vec<AlgorithmResult>, EvalError>) {
    let (ratings, split) = match &app.evaluate.run {
        Run::Running { ratings, split, .. } => (*ratings, split.clone()),
        _ => (super::full_dataset(app).ratings.len(), String::new()),
    };
    match result {
        Ok(results) => {
            app.evaluate.previous = None;
            let top_k = results.iter().find_map(|r| r.ranking.map(|s| s.k));
            if top_k.is_none() && app.evaluate.metric.is_ranking() {
                app.evaluate.metric = Metric::Rmse;
            }
            app.say(&format!("evaluated {} algorithm(s)", results.len()));
            app.evaluate.table_scroll = 0;
            app.evaluate.run = Run::Done(Leaderboard {
                results,
                split,
                ratings,
                top_k,
            });
        }
        Err(EvalError::Cancelled) => {
            on_cancel(app);
        }
        Err(err) => {
            app.error(&format!("evaluation failed: {err}"));
            app.evaluate.run = Run::Failed(err.to_string());
        }
    }
}

/// Takes note of a cancelled evaluation: the last finished leaderboard, if any, is
/// shown again (`true` then).
pub fn on_cancel(app: &mut App) -> bool {
    let previous = app.evaluate.previous.take();
    let restored = previous.is_some();
    app.evaluate.run = previous.map_or(Run::Cancelled, Run::Done);
    restored
}

/// The evaluation's progress, 0..1, and its current stage, while it runs.
pub fn progress(app: &App) -> Option<(f64, String)> {
    app.busy
        .get(&Lane::Evaluate)
        .map(|busy| (busy.fraction, busy.stage.clone()))
}
