//! The explorer's state and the one function that changes it, [`update`].
//!
//! Nothing here touches the terminal: keys arrive as [`Action`]s, the worker's results
//! as [`WorkerEvent`]s, and work for the worker leaves through [`App::outbox`]. Tests
//! drive all of it directly.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::core::algorithms::{AlgorithmSpec, FitError, Model, REGISTRY};
use crate::core::explain::{Entity, Prediction};
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::core::params::{ParamError, ParamKind, ParamValue, Params};
use crate::core::similarity::SimilarityOptions;
use crate::data::{Dataset, TableFormat};

use super::keys::{Action, KeyMap};
use super::screens::embeddings::EmbeddingsState;
use super::screens::recommend::RecommendScreen;
use super::screens::stats::StatsScreen;
use super::screens::{self, compare::CompareScreen, evaluate::EvaluateScreen};
use super::screens::{hold_out::HoldOutMode, what_if::WhatIf};
use super::similar::{self, NeighbourRow, SimilarityQuery};
use super::theme::Theme;
use super::worker::{Job, JobOutput, Lane, WorkerEvent};

/// The screen being shown. Each further screen is one more variant with its own state
/// (in `screens/`), view (in `view/`), key and place in [`Mode::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The rating matrix with the explanation and neighbours panels.
    Explore,
    /// Two to four algorithms side by side on the same cells.
    Compare,
    /// Cross-validation of the chosen algorithms: leaderboard and bar chart.
    Evaluate,
    /// Counts, density, rating histogram and long tail of the dataset.
    Stats,
    /// Top-N items for the selected user by the current algorithm.
    Recommend,
    /// Users and items of a factor model in a 2-D projection, with the selected
    /// user's nearest items.
    Embeddings,
}

impl Mode {
    /// The screens in the order `tab` steps through them.
    pub const ALL: &'static [Mode] = &[
        Mode::Explore,
        Mode::Stats,
        Mode::Recommend,
        Mode::Compare,
        Mode::Evaluate,
        Mode::Embeddings,
    ];

    /// The screen's name in the status line.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Explore => "Matrix",
            Mode::Stats => "Stats",
            Mode::Recommend => "Recommend",
            Mode::Compare => "Compare",
            Mode::Evaluate => "Evaluate",
            Mode::Embeddings => "Embeddings",
        }
    }
}

/// A layer drawn over the screen that takes the keys while it is open (help, the `/`
/// prompt, the what-if rating prompt, the parameter editor).
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help { scroll: u16 },
    Jump(JumpPrompt),
    Rating(super::screens::what_if::RatingPrompt),
    Params(super::screens::params::ParamsPrompt),
}

/// The `/` prompt: what was typed and what it matches.
#[derive(Debug, Clone, PartialEq)]
pub struct JumpPrompt {
    pub text: String,
    pub matches: Vec<JumpMatch>,
    pub selected: usize,
}

/// A user or item whose id or title matches the prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct JumpMatch {
    pub target: Entity,
    pub label: String,
}

/// How many matches the prompt lists.
pub const JUMP_MATCHES: usize = 8;
/// How many rows the neighbours panel asks for.
pub const NEIGHBOURS_LISTED: usize = crate::data::similar::DEFAULT_LISTED;
/// The fewest co-rated items (users) the neighbours panel asks of a pair when the
/// algorithm has no similarity settings of its own: with one or two in common, most
/// similarities are a meaningless 1.000.
pub const PANEL_MIN_SUPPORT: usize = crate::data::similar::DEFAULT_MIN_SUPPORT;
/// The values the panel's minimum support steps through.
const SUPPORT_STEPS: &[usize] = &[1, 2, 3, 5, 10, 20, 50, 100];
/// Datasets with more users than this open sorted by activity both ways, so that the
/// first screen shows ratings rather than a page of `?`.
pub const SORT_BY_ACTIVITY_ABOVE: usize = 200;

/// The order of rows (columns): as in the file, or by number of ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    FileOrder,
    MostRatings,
}

impl SortOrder {
    pub fn label(self) -> &'static str {
        match self {
            SortOrder::FileOrder => "file order",
            SortOrder::MostRatings => "most ratings",
        }
    }
}

/// Whether the neighbours panel lists users similar to the selected user or items
/// similar to the selected item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighboursOf {
    Users,
    Items,
}

/// A position in the grid as displayed (after sorting): row and column numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GridPosition {
    pub row: usize,
    pub column: usize,
}

/// How many data rows and columns fit on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub rows: usize,
    pub columns: usize,
}

/// A fitted model with what it was fitted as.
pub struct FittedModel {
    pub generation: u64,
    pub spec: &'static AlgorithmSpec,
    pub params: Params,
    pub model: Arc<dyn Model>,
    pub elapsed: Duration,
}

/// Work in progress on a lane, as the status line shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Busy {
    pub what: String,
    pub fraction: f64,
    pub stage: String,
}

/// A line for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// The neighbours panel's list and what it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighbourList {
    pub of: Entity,
    pub query: SimilarityQuery,
    /// `None` while being computed.
    pub rows: Option<Result<Vec<NeighbourRow>, String>>,
}

/// Everything the explorer shows.
pub struct App {
    pub dataset: Arc<Dataset>,
    pub dataset_name: String,
    pub keys: KeyMap,
    pub theme: Theme,
    pub mode: Mode,
    pub overlay: Option<Overlay>,

    /// Users in display order (row number → user).
    pub rows: Vec<UserIndex>,
    /// Items in display order (column number → item).
    pub columns: Vec<ItemIndex>,
    pub row_order: SortOrder,
    pub column_order: SortOrder,
    pub cursor: GridPosition,
    /// The top-left cell on screen.
    pub scroll: GridPosition,
    pub window: Window,
    pub show_predictions: bool,

    /// The algorithms offered, in cycling order ([`REGISTRY`] unless a test gives others).
    pub algorithms: &'static [AlgorithmSpec],
    /// Index into `algorithms` of the selected algorithm.
    pub algorithm: usize,
    /// The algorithm whose fit last failed, while the one before it is still selected.
    failed_algorithm: Option<usize>,
    /// The parameters set for each algorithm of the registry.
    pub params: Vec<Params>,
    pub model: Option<FittedModel>,
    /// Predicted values of unknown cells by the current model, for the cells shown.
    pub predictions: HashMap<(UserIndex, ItemIndex), f64>,
    /// The selected cell's prediction with its explanation, by the current model.
    pub selected: Option<Prediction>,
    /// Lines of the explanation scrolled past.
    pub explain_scroll: u16,

    pub neighbours_of: NeighboursOf,
    pub neighbours: Option<NeighbourList>,
    /// The neighbours panel's own minimum support, used when the algorithm has no
    /// similarity settings.
    pub panel_min_support: usize,

    pub compare: CompareScreen,
    pub evaluate: EvaluateScreen,
    pub hold_out: HoldOutMode,
    pub what_if: WhatIf,

    generations: HashMap<Lane, u64>,
    running: HashMap<Lane, Arc<AtomicBool>>,
    pub busy: HashMap<Lane, Busy>,
    pub message: Option<Message>,
    pub stats_screen: StatsScreen,
    pub recommend_screen: RecommendScreen,
    /// What the embeddings screen shows (kept up to date while it is open).
    pub embeddings: EmbeddingsState,
    /// Whether the embeddings screen lists only items new to the selected user.
    pub nearest_new_only: bool,
    /// Where exports are written (the current folder unless a test says otherwise).
    pub export_folder: PathBuf,
    /// The format `E` writes (CSV until `F` changes it).
    pub export_format: TableFormat,

    /// Jobs for the worker, taken by the event loop after each update.
    pub outbox: Vec<Job>,
    pub should_quit: bool,
}

/// The algorithm the explorer opens on for implicit feedback.
const IMPLICIT_FIRST: &str = "wals";

/// The most predictions kept before the cache is cleared and refilled for the window.
const PREDICTION_CACHE_LIMIT: usize = 200_000;

impl App {
    /// A new explorer on `dataset`, with the first algorithm of the registry being
    /// fitted.
    pub fn new(dataset: Dataset, dataset_name: &str, keys: KeyMap, theme: Theme) -> App {
        App::with_algorithms(dataset, dataset_name, keys, theme, REGISTRY)
    }

    /// A new explorer offering `algorithms` instead of the whole registry.
    pub fn with_algorithms(
        dataset: Dataset,
        dataset_name: &str,
        keys: KeyMap,
        theme: Theme,
        algorithms: &'static [AlgorithmSpec],
    ) -> App {
        let rows = (0..dataset.user_ids.len() as UserIndex).collect();
        let columns = (0..dataset.item_ids.len() as ItemIndex).collect();
        // Implicit feedback (play counts, events) opens on a model made for it: a
        // rating model would predict counts as if they were stars.
        let implicit_model = (algorithms.iter())
            .position(|spec| spec.name == IMPLICIT_FIRST)
            .filter(|_| dataset.summary.implicit);
        let mut app = App {
            dataset: Arc::new(dataset),
            dataset_name: dataset_name.to_string(),
            keys,
            theme,
            mode: Mode::Explore,
            overlay: None,
            rows,
            columns,
            row_order: SortOrder::FileOrder,
            column_order: SortOrder::FileOrder,
            cursor: GridPosition::default(),
            scroll: GridPosition::default(),
            window: Window {
                rows: 1,
                columns: 1,
            },
            show_predictions: false,
            algorithms,
            algorithm: implicit_model.unwrap_or(0),
            failed_algorithm: None,
            params: algorithms
                .iter()
                .map(AlgorithmSpec::default_params)
                .collect(),
            model: None,
            predictions: HashMap::new(),
            selected: None,
            explain_scroll: 0,
            neighbours_of: NeighboursOf::Users,
            neighbours: None,
            panel_min_support: PANEL_MIN_SUPPORT,
            compare: CompareScreen::default(),
            evaluate: EvaluateScreen::new(algorithms.len()),
            hold_out: HoldOutMode::default(),
            what_if: WhatIf::default(),
            generations: HashMap::new(),
            running: HashMap::new(),
            busy: HashMap::new(),
            message: None,
            stats_screen: StatsScreen::default(),
            recommend_screen: RecommendScreen::default(),
            embeddings: EmbeddingsState::Waiting,
            nearest_new_only: false,
            export_folder: PathBuf::from("."),
            export_format: TableFormat::Csv,
            outbox: Vec::new(),
            should_quit: false,
        };
        if app.dataset.user_ids.len() > SORT_BY_ACTIVITY_ABOVE {
            app.order_rows(SortOrder::MostRatings);
            app.order_columns(SortOrder::MostRatings);
        }
        app.request_fit();
        app.after_move();
        if implicit_model.is_some() {
            let next = app.keys.keys_text(Action::NextAlgorithm);
            app.say(&format!(
                "implicit feedback: opened on {IMPLICIT_FIRST} ({next}: other algorithms)"
            ));
        }
        app
    }

    /// Shows `model`, read from a saved-model file, as `algorithm` fitted with
    /// `params`: the fit started when the explorer opened is cancelled and dropped.
    pub fn use_saved_model(
        &mut self,
        algorithm: &str,
        params: Params,
        model: Arc<dyn Model>,
    ) -> Result<(), String> {
        let index = (self.algorithms.iter())
            .position(|spec| spec.name == algorithm)
            .ok_or_else(|| {
                format!("the explorer does not offer the saved algorithm {algorithm}")
            })?;
        let generation = self.generation(Lane::Model) + 1;
        self.generations.insert(Lane::Model, generation);
        if let Some(flag) = self.running.remove(&Lane::Model) {
            flag.store(true, Ordering::Relaxed);
        }
        self.outbox.retain(|job| job.lane != Lane::Model);
        self.busy.remove(&Lane::Model);
        self.algorithm = index;
        self.params[index] = params.clone();
        self.model = Some(FittedModel {
            generation,
            spec: &self.algorithms[index],
            params,
            model,
            elapsed: Duration::ZERO,
        });
        self.predictions.clear();
        self.fill_window();
        self.explain_selected();
        self.say(&format!(
            "{algorithm} loaded from its saved model, not refitted"
        ));
        Ok(())
    }

    pub fn spec(&self) -> Option<&'static AlgorithmSpec> {
        self.algorithms.get(self.algorithm)
    }

    pub fn current_params(&self) -> Option<&Params> {
        self.params.get(self.algorithm)
    }

    /// Whether a model is being fitted.
    pub fn busy_fitting(&self) -> bool {
        self.busy.contains_key(&Lane::Model)
    }

    /// The user and item under the cursor, if the matrix is not empty.
    pub fn selected_cell(&self) -> Option<(UserIndex, ItemIndex)> {
        Some((
            *self.rows.get(self.cursor.row)?,
            *self.columns.get(self.cursor.column)?,
        ))
    }

    /// The predicted value of an unknown cell, when the current model computed it.
    pub fn prediction(&self, user: UserIndex, item: ItemIndex) -> Option<f64> {
        self.predictions.get(&(user, item)).copied()
    }

    /// The user's id as shown (cleaned of control characters).
    pub fn user_label(&self, user: UserIndex) -> &str {
        self.dataset.user_label(user)
    }

    /// The item's title when known, else its id, as shown (cleaned).
    pub fn item_label(&self, item: ItemIndex) -> &str {
        self.dataset.item_label(item)
    }

    /// The title of the model the grid and explanation show, if any.
    pub fn shown_model(&self) -> Option<&'static str> {
        self.model.as_ref().map(|fitted| fitted.spec.title)
    }

    /// Sets how many rows and columns the screen shows, keeping the cursor in view.
    pub fn set_window(&mut self, window: Window) {
        self.window = Window {
            rows: window.rows.max(1),
            columns: window.columns.max(1),
        };
        self.scroll_to_cursor();
        self.fill_window();
    }

    pub(crate) fn generation(&self, lane: Lane) -> u64 {
        self.generations.get(&lane).copied().unwrap_or(0)
    }

    /// Queues a job, replacing (and cancelling) the lane's previous one.
    pub(crate) fn submit(
        &mut self,
        lane: Lane,
        task: impl FnOnce(&crate::core::progress::Progress) -> JobOutput + Send + 'static,
    ) -> u64 {
        let generation = self.generation(lane) + 1;
        self.generations.insert(lane, generation);
        if let Some(flag) = self.running.remove(&lane) {
            flag.store(true, Ordering::Relaxed);
        }
        let job = Job::new(lane, generation, task);
        self.running.insert(lane, job.cancel.clone());
        self.outbox.push(job);
        generation
    }

    /// Stops a lane's work, if any, and drops any result still on its way.
    pub(crate) fn drop_lane(&mut self, lane: Lane) {
        if let Some(flag) = self.running.remove(&lane) {
            flag.store(true, Ordering::Relaxed);
        }
        self.generations.insert(lane, self.generation(lane) + 1);
        self.busy.remove(&lane);
    }

    /// Asks the worker to fit the selected algorithm with its parameters.
    pub(crate) fn request_fit(&mut self) {
        self.failed_algorithm = None;
        let (Some(spec), Some(params)) = (self.spec(), self.current_params().cloned()) else {
            return;
        };
        let matrix = self.dataset.matrix.clone();
        let task_params = params.clone();
        // The same algorithm may refit cheaply (k-NN keeps its similarities), unless
        // the matrix changed (a hold-out or an edit).
        let current = (self.model.as_ref())
            .filter(|fitted| fitted.spec.name == spec.name)
            .filter(|fitted| std::ptr::eq(fitted.model.matrix(), &*matrix))
            .map(|fitted| Arc::clone(&fitted.model));
        self.submit(Lane::Model, move |progress| {
            let refitted = current.and_then(|model| model.refit(&task_params, progress));
            JobOutput::Model(
                refitted
                    .unwrap_or_else(|| spec.fit_model(matrix, &task_params, progress))
                    .map(Arc::<dyn Model>::from),
            )
        });
        self.busy.insert(
            Lane::Model,
            Busy {
                what: format!("fitting {}", spec.name),
                fraction: 0.0,
                stage: String::new(),
            },
        );
        tracing::info!(algorithm = spec.name, params = %params_text(&params), "fit requested");
    }

    /// Runs every job the explorer asks for on this thread, and any that those ask
    /// for in turn, handing each result back as the worker would, with `elapsed` as
    /// its reported time. For tests and benchmarks, which drive the explorer without
    /// a worker thread.
    pub fn settle_here(&mut self, elapsed: Duration) {
        while !self.outbox.is_empty() {
            for job in std::mem::take(&mut self.outbox) {
                let (lane, generation) = (job.lane, job.generation);
                let output = job.run_here();
                self.on_worker(WorkerEvent::Done {
                    lane,
                    generation,
                    elapsed,
                    output,
                });
            }
        }
    }

    /// Takes a report from the worker; results of superseded requests are dropped.
    pub fn on_worker(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Progress {
                lane,
                generation,
                fraction,
                stage,
            } => {
                if generation == self.generation(lane)
                    && let Some(busy) = self.busy.get_mut(&lane)
                {
                    busy.fraction = fraction;
                    busy.stage = stage;
                }
            }
            WorkerEvent::Done {
                lane,
                generation,
                elapsed,
                output,
            } => {
                if generation != self.generation(lane) {
                    tracing::debug!(?lane, generation, "stale result dropped");
                    return;
                }
                self.busy.remove(&lane);
                self.running.remove(&lane);
                match output {
                    JobOutput::Model(result) => self.on_model(generation, elapsed, result),
                    JobOutput::Failed(message) => {
                        tracing::error!(?lane, %message, "background job panicked");
                        self.error(&format!("background work failed: {message}"));
                    }
                    JobOutput::Neighbours(result) => {
                        if let Some(list) = &mut self.neighbours {
                            list.rows = Some(result);
                        }
                    }
                    JobOutput::Recommendations(rows) => self.recommend_screen.on_result(rows),
                    JobOutput::Stats(shape) => self.stats_screen.on_result(*shape),
                    output => screens::on_output(self, output),
                }
            }
        }
    }

    fn on_model(
        &mut self,
        generation: u64,
        elapsed: Duration,
        result: Result<Arc<dyn Model>, FitError>,
    ) {
        let (Some(spec), Some(params)) = (self.spec(), self.current_params().cloned()) else {
            return;
        };
        match result {
            Ok(model) => {
                self.model = Some(FittedModel {
                    generation,
                    spec,
                    params,
                    model,
                    elapsed,
                });
                self.predictions.clear();
                self.fill_window();
                self.explain_selected();
                screens::after_fit(self);
                self.refresh_screen();
            }
            Err(FitError::Cancelled) => {
                let text = self.back_to_shown_model(Some(Busy {
                    what: format!("fitting {}", spec.name),
                    fraction: 0.0,
                    stage: String::new(),
                }));
                self.say(&text);
            }
            Err(err) => {
                tracing::warn!(algorithm = spec.name, %err, "fit failed");
                // The grid and the explanation still show the previous model: the
                // status line names it too.
                let failed = self.algorithm;
                let still = match self.select_shown_model() {
                    Some(title) => format!(" (still showing {title})"),
                    None => String::new(),
                };
                self.failed_algorithm = Some(failed);
                self.error(&format!("{} could not be fitted{still}: {err}", spec.name));
            }
        }
    }

    pub(crate) fn say(&mut self, text: &str) {
        self.message = Some(Message {
            text: text.to_string(),
            is_error: false,
        });
    }

    pub(crate) fn error(&mut self, text: &str) {
        self.message = Some(Message {
            text: text.to_string(),
            is_error: true,
        });
    }

    /// Computes the predictions of the unknown cells on screen that are not cached.
    pub(crate) fn fill_window(&mut self) {
        if !self.show_predictions {
            return;
        }
        let Some(fitted) = &self.model else {
            return;
        };
        if self.predictions.len() > PREDICTION_CACHE_LIMIT {
            self.predictions.clear();
        }
        let matrix = &self.dataset.matrix;
        let row_end = (self.scroll.row + self.window.rows).min(self.rows.len());
        let column_end = (self.scroll.column + self.window.columns).min(self.columns.len());
        for &user in &self.rows[self.scroll.row.min(row_end)..row_end] {
            for &item in &self.columns[self.scroll.column.min(column_end)..column_end] {
                if matrix.rating(user, item).is_none() {
                    self.predictions
                        .entry((user, item))
                        .or_insert_with(|| fitted.model.predict_value(user, item));
                }
            }
        }
    }

    pub(crate) fn explain_selected(&mut self) {
        self.explain_scroll = 0;
        self.selected = match (&self.model, self.selected_cell()) {
            (Some(fitted), Some((user, item))) => Some(fitted.model.predict(user, item)),
            _ => None,
        };
    }

    fn scroll_to_cursor(&mut self) {
        let window = self.window;
        if self.cursor.row < self.scroll.row {
            self.scroll.row = self.cursor.row;
        } else if self.cursor.row >= self.scroll.row + window.rows {
            self.scroll.row = self.cursor.row + 1 - window.rows;
        }
        if self.cursor.column < self.scroll.column {
            self.scroll.column = self.cursor.column;
        } else if self.cursor.column >= self.scroll.column + window.columns {
            self.scroll.column = self.cursor.column + 1 - window.columns;
        }
    }

    /// Everything that follows a change of the selected cell or of the window.
    pub(crate) fn after_move(&mut self) {
        self.scroll_to_cursor();
        self.fill_window();
        self.explain_selected();
        self.request_neighbours();
        self.refresh_screen();
    }

    /// Whether the selected algorithm has similarity settings of its own.
    pub fn algorithm_has_similarity(&self) -> bool {
        self.spec()
            .is_some_and(|spec| spec.params.iter().any(|p| p.name == "sim"))
    }

    /// The similarity the neighbours panel uses: the selected algorithm's own
    /// similarity settings when it has them, else Pearson with the panel's own minimum
    /// support (so that pairs with one or two ratings in common do not fill the list).
    pub fn similarity_query(&self) -> SimilarityQuery {
        let usual = SimilarityOptions::default();
        let user_based = self.neighbours_of == NeighboursOf::Users;
        match (self.spec(), self.current_params()) {
            (Some(spec), Some(params)) if self.algorithm_has_similarity() => SimilarityQuery {
                kind: params.text("sim", "pearson").to_string(),
                user_based,
                min_support: params.int("min_support", usual.min_support as i64).max(0) as usize,
                shrinkage: params.float("shrinkage", usual.shrinkage),
                reason: format!("{}'s setting", spec.name),
            },
            _ => SimilarityQuery {
                kind: "pearson".to_string(),
                user_based,
                min_support: self.panel_min_support,
                shrinkage: usual.shrinkage,
                reason: "panel default".to_string(),
            },
        }
    }

    /// Steps the panel's own minimum support up or down.
    fn step_panel_support(&mut self, up: bool) {
        if self.algorithm_has_similarity() {
            let name = self.spec().map(|s| s.name).unwrap_or("the algorithm");
            self.say(&format!(
                "the neighbours panel follows {name}'s similarity settings (min_support is \
                 one of its parameters)"
            ));
            return;
        }
        let now = self.panel_min_support;
        let next = if up {
            SUPPORT_STEPS.iter().copied().find(|&s| s > now)
        } else {
            SUPPORT_STEPS.iter().rev().copied().find(|&s| s < now)
        };
        match next {
            Some(next) => {
                self.panel_min_support = next;
                self.say(&format!("neighbours panel: at least {next} in common"));
                self.request_neighbours();
            }
            None => self.say(&format!(
                "neighbours panel: already at least {now} in common"
            )),
        }
    }

    fn request_neighbours(&mut self) {
        let Some((user, item)) = self.selected_cell() else {
            return;
        };
        let of = match self.neighbours_of {
            NeighboursOf::Users => Entity::User(user),
            NeighboursOf::Items => Entity::Item(item),
        };
        let query = self.similarity_query();
        if let Some(list) = &self.neighbours
            && list.of == of
            && list.query == query
            && !matches!(list.rows, Some(Err(_)))
        {
            return;
        }
        let index = match of {
            Entity::User(index) | Entity::Item(index) => index,
        };
        let matrix = self.dataset.matrix.clone();
        let task_query = query.clone();
        self.submit(Lane::Neighbours, move |_progress| {
            JobOutput::Neighbours(similar::most_similar(
                &matrix,
                &task_query,
                index,
                NEIGHBOURS_LISTED,
            ))
        });
        self.neighbours = Some(NeighbourList {
            of,
            query,
            rows: None,
        });
    }

    /// Selects the cell at a display position, as moving there with the keys would (a
    /// mouse click).
    pub fn select(&mut self, position: GridPosition) {
        self.move_to(position.row, position.column);
        screens::after_update(self);
    }

    fn move_to(&mut self, row: usize, column: usize) {
        self.cursor = GridPosition {
            row: row.min(self.rows.len().saturating_sub(1)),
            column: column.min(self.columns.len().saturating_sub(1)),
        };
        self.after_move();
    }

    fn order_rows(&mut self, order: SortOrder) {
        let matrix = self.dataset.matrix.clone();
        self.row_order = order;
        self.rows.sort_by_key(|&user| match order {
            SortOrder::FileOrder => (0, user),
            SortOrder::MostRatings => (usize::MAX - matrix.user_count(user), user),
        });
    }

    fn order_columns(&mut self, order: SortOrder) {
        let matrix = self.dataset.matrix.clone();
        self.column_order = order;
        self.columns.sort_by_key(|&item| match order {
            SortOrder::FileOrder => (0, item),
            SortOrder::MostRatings => (usize::MAX - matrix.item_count(item), item),
        });
    }

    fn sort(&mut self, rows: bool) {
        let selected = self.selected_cell();
        if rows {
            self.order_rows(next_order(self.row_order));
        } else {
            self.order_columns(next_order(self.column_order));
        }
        // The point of sorting is to see the most active first: go to the top (left),
        // keeping the selected item (user) on the other axis.
        if let Some((user, item)) = selected {
            self.cursor = if rows {
                GridPosition {
                    row: 0,
                    column: position(&self.columns, item),
                }
            } else {
                GridPosition {
                    row: position(&self.rows, user),
                    column: 0,
                }
            };
        }
        self.after_move();
        let (what, order) = if rows {
            ("users", self.row_order)
        } else {
            ("items", self.column_order)
        };
        self.say(&format!("{what} sorted by {}", order.label()));
    }

    fn switch_algorithm(&mut self, forward: bool) {
        let count = self.algorithms.len();
        if count == 0 {
            return;
        }
        // After a failed fit the step starts from the algorithm that failed, so that
        // the key moves past it rather than back to it.
        let from = self.failed_algorithm.take().unwrap_or(self.algorithm);
        self.algorithm = if forward {
            (from + 1) % count
        } else {
            (from + count - 1) % count
        };
        // What was said of the previous algorithm no longer applies.
        self.message = None;
        self.request_fit();
        self.request_neighbours();
    }

    /// Changes one parameter of the selected algorithm, if it has it, and refits.
    fn change_param(
        &mut self,
        name: &str,
        change: impl Fn(&ParamKind, &ParamValue) -> Option<ParamValue>,
    ) {
        let Some(spec) = self.spec() else {
            return;
        };
        let Some(param) = spec.params.iter().find(|p| p.name == name) else {
            self.say(&format!("{} has no parameter '{name}'", spec.title));
            return;
        };
        let current = self
            .current_params()
            .and_then(|p| p.get(name).cloned())
            .unwrap_or_else(|| param.default_value());
        let Some(value) = change(&param.kind, &current) else {
            self.say(&format!("{name} is already {current}"));
            return;
        };
        let set = |params: &mut Params, spec: &AlgorithmSpec| {
            params.set(spec.name, spec.params, name, value)
        };
        if let Err(err) = self.set_param(name, set) {
            self.error(&err.to_string());
        }
    }

    /// Sets parameter `name` of the selected algorithm with `set`, which checks the
    /// value against the algorithm's specification, then says its new value and
    /// refits. A value it already had changes nothing; one refused is returned.
    pub(crate) fn set_param(
        &mut self,
        name: &str,
        set: impl FnOnce(&mut Params, &AlgorithmSpec) -> Result<(), ParamError>,
    ) -> Result<(), ParamError> {
        let (Some(spec), Some(current)) = (self.spec(), self.current_params()) else {
            return Ok(());
        };
        let mut params = current.clone();
        set(&mut params, spec)?;
        let value = params
            .get(name)
            .map(ToString::to_string)
            .unwrap_or_default();
        if params == *current {
            self.say(&format!("{name} is already {value}"));
            return Ok(());
        }
        if let Some(slot) = self.params.get_mut(self.algorithm) {
            *slot = params;
        }
        self.say(&format!("{name} = {value}"));
        self.request_fit();
        self.request_neighbours();
        Ok(())
    }

    /// Closes an overlay, else dismisses an error, else cancels the running work.
    fn cancel(&mut self) {
        if self.overlay.take().is_some() {
            return;
        }
        if self.message.as_ref().is_some_and(|m| m.is_error) {
            self.message = None;
            return;
        }
        let lanes: Vec<Lane> = self.running.keys().copied().collect();
        if lanes.is_empty() {
            self.message = None;
            return;
        }
        let mut said = Vec::new();
        for lane in [Lane::Model, Lane::Neighbours]
            .into_iter()
            .chain(screens::LANES)
        {
            let Some(flag) = self.running.remove(&lane) else {
                continue;
            };
            flag.store(true, Ordering::Relaxed);
            // A result still on its way belongs to the cancelled request: drop it.
            self.generations.insert(lane, self.generation(lane) + 1);
            let busy = self.busy.remove(&lane);
            match lane {
                Lane::Model => said.push(self.back_to_shown_model(busy)),
                Lane::Neighbours => {
                    if let Some(list) = &mut self.neighbours
                        && list.rows.is_none()
                    {
                        list.rows =
                            Some(Err("cancelled; move the cursor to list again".to_string()));
                    }
                    if let Some(busy) = busy {
                        said.push(format!("{} cancelled", busy.what));
                    }
                }
                Lane::Recommend | Lane::Stats => {}
                lane => said.push(screens::on_cancel(self, lane, busy)),
            }
        }
        if !said.is_empty() {
            self.say(&said.join("; "));
        }
    }

    /// After a cancelled fit, selects again the algorithm and parameters of the model
    /// still shown, so that the status line, the explanation and the grid agree.
    /// Returns what to tell the user.
    fn back_to_shown_model(&mut self, busy: Option<Busy>) -> String {
        let what = busy
            .map(|b| b.what)
            .unwrap_or_else(|| "fitting".to_string());
        match self.select_shown_model() {
            Some(title) => format!("{what} cancelled, still showing {title}"),
            None => format!("{what} cancelled; no model yet (press a to fit one)"),
        }
    }

    /// Selects again the algorithm and parameters of the model shown, if any, and
    /// returns its title.
    fn select_shown_model(&mut self) -> Option<&'static str> {
        let fitted = self.model.as_ref()?;
        let (spec, params) = (fitted.spec, fitted.params.clone());
        if let Some(at) = self.algorithms.iter().position(|a| a.name == spec.name) {
            self.algorithm = at;
            if let Some(slot) = self.params.get_mut(at) {
                *slot = params;
            }
        }
        self.request_neighbours();
        Some(spec.title)
    }

    /// Handles a key while the `/` prompt is open; `true` when the prompt took it.
    pub fn on_prompt_key(&mut self, key: &KeyEvent) -> bool {
        let Some(Overlay::Jump(prompt)) = &mut self.overlay else {
            return false;
        };
        match key.code {
            KeyCode::Esc => self.overlay = None,
            KeyCode::Enter => {
                let target = prompt.matches.get(prompt.selected).map(|m| m.target);
                self.overlay = None;
                if let Some(target) = target {
                    self.jump_to(target);
                }
            }
            KeyCode::Up => prompt.selected = prompt.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab if prompt.selected + 1 < prompt.matches.len() => {
                prompt.selected += 1;
            }
            KeyCode::Down | KeyCode::Tab => {}
            KeyCode::Backspace => {
                prompt.text.pop();
                self.refresh_matches();
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.overlay = None;
            }
            KeyCode::Char(c) => {
                prompt.text.push(c);
                self.refresh_matches();
            }
            _ => {}
        }
        true
    }

    /// Types `text` into the open prompt (as if typed key by key).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.on_prompt_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn refresh_matches(&mut self) {
        let Some(Overlay::Jump(prompt)) = &self.overlay else {
            return;
        };
        let matches = find_matches(&self.dataset, &prompt.text, JUMP_MATCHES);
        if let Some(Overlay::Jump(prompt)) = &mut self.overlay {
            prompt.matches = matches;
            prompt.selected = 0;
        }
    }

    fn jump_to(&mut self, target: Entity) {
        match target {
            Entity::User(user) => {
                let row = position(&self.rows, user);
                self.move_to(row, self.cursor.column);
                self.say(&format!("user {}", self.user_label(user)));
            }
            Entity::Item(item) => {
                let column = position(&self.columns, item);
                self.move_to(self.cursor.row, column);
                self.say(&format!("item {}", self.item_label(item)));
            }
        }
    }
}

/// Applies one action to the state.
pub fn update(app: &mut App, action: Action) {
    let help_limit = super::view::overlays::help_scroll_limit(app);
    if let Some(Overlay::Help { scroll }) = &mut app.overlay {
        match action {
            Action::MoveDown | Action::PageDown => *scroll = (*scroll + 1).min(help_limit),
            Action::MoveUp | Action::PageUp => *scroll = scroll.saturating_sub(1),
            Action::Quit => app.should_quit = true,
            _ => app.overlay = None,
        }
        return;
    }
    if screens::update(app, action) {
        return;
    }
    let GridPosition { row, column } = app.cursor;
    let page = app.window.rows.max(1);
    match action {
        Action::Quit => app.should_quit = true,
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Cancel => app.cancel(),
        Action::MoveUp => app.move_to(row.saturating_sub(1), column),
        Action::MoveDown => app.move_to(row + 1, column),
        Action::MoveLeft => app.move_to(row, column.saturating_sub(1)),
        Action::MoveRight => app.move_to(row, column + 1),
        Action::PageUp => app.move_to(row.saturating_sub(page), column),
        Action::PageDown => app.move_to(row + page, column),
        Action::FirstColumn => app.move_to(row, 0),
        Action::LastColumn => app.move_to(row, usize::MAX),
        Action::FirstRow => app.move_to(0, column),
        Action::ScrollExplainDown => app.explain_scroll = app.explain_scroll.saturating_add(3),
        Action::ScrollExplainUp => app.explain_scroll = app.explain_scroll.saturating_sub(3),
        Action::LastRow => app.move_to(usize::MAX, column),
        Action::TogglePredictions => {
            app.show_predictions = !app.show_predictions;
            app.fill_window();
        }
        Action::NextAlgorithm => app.switch_algorithm(true),
        Action::PreviousAlgorithm => app.switch_algorithm(false),
        Action::ToggleUserBased => app.change_param("user_based", |_, value| match value {
            ParamValue::Bool(b) => Some(ParamValue::Bool(!b)),
            _ => None,
        }),
        Action::NextSimilarity => app.change_param("sim", |kind, value| match (kind, value) {
            (ParamKind::Choice { options, .. }, ParamValue::Text(current)) => {
                let at = options.iter().position(|o| o == current).unwrap_or(0);
                let next = options.get((at + 1) % options.len().max(1))?;
                Some(ParamValue::Text(next.to_string()))
            }
            _ => None,
        }),
        Action::IncreaseK => app.change_param("k", |kind, value| step_int(kind, value, 1)),
        Action::DecreaseK => app.change_param("k", |kind, value| step_int(kind, value, -1)),
        Action::EditParams => screens::params::open(app),
        Action::MorePanelSupport => app.step_panel_support(true),
        Action::LessPanelSupport => app.step_panel_support(false),
        Action::ToggleNeighboursOf => {
            app.neighbours_of = match app.neighbours_of {
                NeighboursOf::Users => NeighboursOf::Items,
                NeighboursOf::Items => NeighboursOf::Users,
            };
            app.request_neighbours();
        }
        Action::SortRows => app.sort(true),
        Action::SortColumns => app.sort(false),
        Action::ShowMatrix => app.show(Mode::Explore),
        Action::ShowStats => app.show(Mode::Stats),
        Action::ShowRecommend => app.show(Mode::Recommend),
        Action::ShowEmbeddings => app.show(Mode::Embeddings),
        Action::NextScreen => app.step_screen(true),
        Action::PreviousScreen => app.step_screen(false),
        Action::Export => app.export(),
        Action::ExportFormat => {
            app.export_format = app.export_format.next();
            let extension = app.export_format.extension();
            app.say(&format!("exports are now written as .{extension} files"));
        }
        Action::Jump => {
            app.overlay = Some(Overlay::Jump(JumpPrompt {
                text: String::new(),
                matches: Vec::new(),
                selected: 0,
            }))
        }
        // The other screens' actions are taken by `screens::update` above.
        _ => {}
    }
    screens::after_update(app);
}

fn step_int(kind: &ParamKind, value: &ParamValue, step: i64) -> Option<ParamValue> {
    match (kind, value) {
        (ParamKind::Int { min, max, .. }, ParamValue::Int(v)) => {
            let next = (v + step).clamp(*min, *max);
            (next != *v).then_some(ParamValue::Int(next))
        }
        _ => None,
    }
}

fn next_order(order: SortOrder) -> SortOrder {
    match order {
        SortOrder::FileOrder => SortOrder::MostRatings,
        SortOrder::MostRatings => SortOrder::FileOrder,
    }
}

fn position(order: &[u32], index: u32) -> usize {
    order.iter().position(|&k| k == index).unwrap_or(0)
}

/// `name=value` pairs, for the status line and the log.
pub fn params_text(params: &Params) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Users whose id matches `text` exactly or by prefix, then items whose id matches
/// or whose title contains it (ignoring case), at most `limit` in all. Ids and titles
/// are matched as shown, cleaned of control characters.
pub fn find_matches(dataset: &Dataset, text: &str, limit: usize) -> Vec<JumpMatch> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(u8, JumpMatch)> = Vec::new();
    for index in 0..dataset.user_ids.len() {
        let id = dataset.user_label(index as UserIndex);
        let rank = if id.to_lowercase() == needle {
            0
        } else if id.to_lowercase().starts_with(&needle) {
            2
        } else {
            continue;
        };
        found.push((
            rank,
            JumpMatch {
                target: Entity::User(index as UserIndex),
                label: format!("user {id}"),
            },
        ));
    }
    for index in 0..dataset.item_ids.len() {
        let item = index as ItemIndex;
        let id = dataset.item_id_label(item);
        let title = dataset.item_label(item);
        let lower = title.to_lowercase();
        let rank = if id.to_lowercase() == needle {
            1
        } else if lower.starts_with(&needle) {
            3
        } else if lower.contains(&needle) || id.to_lowercase().starts_with(&needle) {
            4
        } else {
            continue;
        };
        let label = if title == id {
            format!("item {id}")
        } else {
            format!("item {id}: {title}")
        };
        found.push((
            rank,
            JumpMatch {
                target: Entity::Item(item),
                label,
            },
        ));
    }
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().take(limit).map(|(_, m)| m).collect()
}
