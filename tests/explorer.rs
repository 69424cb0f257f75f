//! The explorer without a terminal: actions applied to its state, and whole screens
//! drawn on ratatui's test backend and compared with reviewed snapshots.

use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use recscope::core::algorithms::{AlgorithmSpec, Family, FitError, Model, REGISTRY};
use recscope::core::explain::{Entity, Explanation, NeighbourTerm, Prediction, Term};
use recscope::core::matrix::{ItemIndex, Rating, RatingMatrix, RatingScale, UserIndex};
use recscope::core::params::{ParamKind, ParamSpec, ParamValue, Params};
use recscope::core::progress::Progress;
use recscope::data::{Dataset, LoadSummary};
use recscope::tui::app::{App, GridPosition, Overlay, SortOrder, Window, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::on_mouse;
use recscope::tui::theme::Theme;
use recscope::tui::worker::{Lane, WorkerEvent};

mod common;
use common::{act, dataset, draw, screen_text, settle, tiny};

/// A stand-in neighbourhood algorithm for the explorer's tests: it has the `k`, `sim`
/// and `user_based` parameters the explorer adjusts, and predicts every cell with one
/// fixed explanation worked out by hand on the tiny matrix for U1 × Movie C
/// (mean-centred, user-based, similarities chosen as 0.6 for U2 and 0.2 for U3):
///
/// μ_U1 = (5 + 4) / 2 = 4.5; U2 rated C 4 with μ_U2 = (3 + 4 + 2) / 3 = 3, deviation +1;
/// U3 rated C 5 with μ_U3 = 5, deviation 0; shares 0.6 / 0.8 = 0.75 and 0.25;
/// r̂ = 4.5 + 0.75 × 1 + 0.25 × 0 = 5.25, clipped to the scale's top, 5.
const FAKE_KNN: AlgorithmSpec = AlgorithmSpec {
    name: "fake_knn",
    title: "Test k-NN",
    family: Family::Neighbourhood,
    description: "A fixed explanation for rendering tests.",
    params: &[
        ParamSpec {
            name: "k",
            kind: ParamKind::Int {
                min: 1,
                max: 3,
                default: 2,
            },
            help: "neighbours",
        },
        ParamSpec {
            name: "sim",
            kind: ParamKind::Choice {
                options: &["cosine", "pearson", "msd"],
                default: "cosine",
            },
            help: "similarity",
        },
        ParamSpec {
            name: "user_based",
            kind: ParamKind::Bool { default: true },
            help: "users or items",
        },
    ],
    fit: fit_fake,
};

struct FakeKnn {
    matrix: Arc<RatingMatrix>,
}

fn fit_fake(
    matrix: Arc<RatingMatrix>,
    _params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Ok(Box::new(FakeKnn { matrix }))
}

impl Model for FakeKnn {
    fn predict(&self, _user: UserIndex, _item: ItemIndex) -> Prediction {
        let mut explanation = Explanation::from_terms(
            "r̂ = μ_u + Σ s·(r_v − μ_v) / Σ s",
            vec![Term::new("μ_u", "mean rating of the user", 4.5)],
        );
        explanation.neighbours = vec![
            NeighbourTerm {
                neighbour: Entity::User(1),
                similarity: 0.6,
                rating: 4.0,
                deviation: 1.0,
                share: 0.75,
                contribution: 0.75,
            },
            NeighbourTerm {
                neighbour: Entity::User(2),
                similarity: 0.2,
                rating: 5.0,
                deviation: 0.0,
                share: 0.25,
                contribution: 0.0,
            },
        ];
        explanation.raw = 5.25;
        let explanation = explanation.with_note("neighbours with similarity ≤ 0 are ignored");
        Prediction {
            value: 5.0,
            explanation,
        }
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }
}

static WITH_FAKE: &[AlgorithmSpec] = &[REGISTRY[0], FAKE_KNN];

fn explorer(dataset: Dataset, algorithms: &'static [AlgorithmSpec]) -> App {
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(dataset, "tiny.csv", keys, theme, algorithms);
    app.set_window(Window {
        rows: 10,
        columns: 10,
    });
    settle(&mut app);
    app
}

fn at(row: usize, column: usize) -> GridPosition {
    GridPosition { row, column }
}

#[test]
fn cursor_moves_and_stops_at_the_edges() {
    let mut app = explorer(tiny(), REGISTRY);
    act(&mut app, &[Action::MoveUp, Action::MoveLeft]);
    assert_eq!(app.cursor, at(0, 0));
    act(
        &mut app,
        &[Action::MoveDown, Action::MoveRight, Action::MoveRight],
    );
    assert_eq!(app.cursor, at(1, 2));
    assert_eq!(app.selected_cell(), Some((1, 2)));
    act(&mut app, &[Action::LastRow, Action::LastColumn]);
    assert_eq!(app.cursor, at(2, 3));
    act(&mut app, &[Action::PageDown, Action::MoveRight]);
    assert_eq!(app.cursor, at(2, 3));
    act(&mut app, &[Action::FirstRow, Action::FirstColumn]);
    assert_eq!(app.cursor, at(0, 0));
}

#[test]
fn the_window_scrolls_to_keep_the_cursor_in_view() {
    let mut app = explorer(tiny(), REGISTRY);
    app.set_window(Window {
        rows: 2,
        columns: 2,
    });
    act(&mut app, &[Action::LastRow, Action::LastColumn]);
    assert_eq!(app.scroll, at(1, 2));
    act(&mut app, &[Action::PageUp]);
    // A page is the two visible rows: row 2 − 2 = 0.
    assert_eq!(app.cursor, at(0, 3));
    assert_eq!(app.scroll, at(0, 2));
}

/// Screen position of the first occurrence of `needle` on `line` of `text`.
fn position_of(text: &str, line: usize, needle: &str) -> (u16, u16) {
    let row: Vec<char> = text.lines().nth(line).unwrap().chars().collect();
    let wanted: Vec<char> = needle.chars().collect();
    let x = (0..row.len())
        .find(|&x| row[x..].starts_with(&wanted))
        .unwrap_or_else(|| panic!("{needle:?} is not on line {line}"));
    (x as u16, line as u16)
}

fn mouse(kind: MouseEventKind, (column, row): (u16, u16)) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[test]
fn a_click_selects_the_cell_the_item_or_the_user_under_it() {
    let mut app = explorer(tiny(), REGISTRY);
    let screen = ratatui::layout::Rect::new(0, 0, 100, 30);
    let text = screen_text(&draw(&mut app, screen.width, screen.height));
    let click = MouseEventKind::Down(MouseButton::Left);
    // Line 0 is the title, 1 and 2 the item headers ("Movie" / "A"), 3 to 5 the users.
    let u3 = position_of(&text, 5, "U3");
    let movie_c = position_of(&text, 2, "C");
    let movie_d = position_of(&text, 1, "Movie  Movie  Movie  Movie");

    on_mouse(&mut app, &mouse(click, (movie_c.0, u3.1)), screen);
    assert_eq!(app.selected_cell(), Some((2, 2)), "U3 × Movie C");

    // The first header's left edge plus three cells of 7 columns: Movie D's header.
    on_mouse(&mut app, &mouse(click, (movie_d.0 + 21, 1)), screen);
    assert_eq!(
        app.selected_cell(),
        Some((2, 3)),
        "the item changes, the user stays"
    );

    on_mouse(&mut app, &mouse(click, (u3.0, 3)), screen);
    assert_eq!(
        app.selected_cell(),
        Some((0, 3)),
        "U1's label: the user changes"
    );

    // The explanation panel and the empty rows below the users are not the grid.
    on_mouse(&mut app, &mouse(click, (90, 10)), screen);
    on_mouse(&mut app, &mouse(click, (movie_c.0, 12)), screen);
    assert_eq!(app.selected_cell(), Some((0, 3)));

    on_mouse(&mut app, &mouse(MouseEventKind::ScrollDown, (0, 0)), screen);
    assert_eq!(
        app.selected_cell(),
        Some((1, 3)),
        "the wheel moves as ↓ does"
    );
    on_mouse(&mut app, &mouse(MouseEventKind::ScrollUp, (0, 0)), screen);
    assert_eq!(app.selected_cell(), Some((0, 3)));
}

#[test]
fn predictions_fill_only_the_visible_unknown_cells_once_shown() {
    let mut app = explorer(tiny(), REGISTRY);
    assert!(app.predictions.is_empty(), "nothing computed while hidden");
    app.set_window(Window {
        rows: 1,
        columns: 4,
    });
    update(&mut app, Action::TogglePredictions);
    // Global mean of the seven ratings: (5+4+3+4+2+5+5) / 7 = 28 / 7 = 4.
    assert_eq!(app.prediction(0, 2), Some(4.0));
    assert_eq!(app.prediction(0, 3), Some(4.0));
    // Known cells and rows off screen are not predicted.
    assert_eq!(app.prediction(0, 0), None);
    assert_eq!(app.prediction(1, 1), None);
    assert_eq!(app.predictions.len(), 2);
}

#[test]
fn cycling_algorithms_refits_and_stale_results_are_dropped() {
    let mut app = explorer(tiny(), WITH_FAKE);
    assert_eq!(app.spec().map(|s| s.name), Some("global_mean"));
    update(&mut app, Action::NextAlgorithm);
    let first = std::mem::take(&mut app.outbox);
    update(&mut app, Action::PreviousAlgorithm);
    update(&mut app, Action::NextAlgorithm);
    assert_eq!(app.spec().map(|s| s.name), Some("fake_knn"));
    // The first fit request finishes late: its generation is no longer current.
    for job in first.into_iter().filter(|job| job.lane == Lane::Model) {
        assert!(job.cancel.load(std::sync::atomic::Ordering::Relaxed));
        let generation = job.generation;
        let output = job.run_here();
        app.on_worker(WorkerEvent::Done {
            lane: Lane::Model,
            generation,
            elapsed: Duration::ZERO,
            output,
        });
    }
    assert_eq!(app.model.as_ref().map(|m| m.spec.name), Some("global_mean"));
    settle(&mut app);
    assert_eq!(app.model.as_ref().map(|m| m.spec.name), Some("fake_knn"));
    update(&mut app, Action::NextAlgorithm);
    assert_eq!(
        app.spec().map(|s| s.name),
        Some("global_mean"),
        "wraps around"
    );
}

#[test]
fn parameter_keys_change_only_parameters_the_algorithm_has() {
    let mut app = explorer(tiny(), WITH_FAKE);
    update(&mut app, Action::IncreaseK);
    assert!(
        app.outbox.is_empty(),
        "global mean has no k: nothing to refit"
    );
    let message = app.message.clone().unwrap().text;
    assert!(message.contains("no parameter 'k'"), "{message}");

    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    let value = |app: &App, name: &str| app.current_params().unwrap().get(name).cloned();
    act(&mut app, &[Action::IncreaseK, Action::IncreaseK]);
    assert_eq!(
        value(&app, "k"),
        Some(ParamValue::Int(3)),
        "2 + 1, then capped at 3"
    );
    act(&mut app, &[Action::DecreaseK]);
    assert_eq!(value(&app, "k"), Some(ParamValue::Int(2)));
    act(&mut app, &[Action::NextSimilarity]);
    assert_eq!(value(&app, "sim"), Some(ParamValue::Text("pearson".into())));
    act(&mut app, &[Action::NextSimilarity, Action::NextSimilarity]);
    assert_eq!(value(&app, "sim"), Some(ParamValue::Text("cosine".into())));
    act(&mut app, &[Action::ToggleUserBased]);
    assert_eq!(value(&app, "user_based"), Some(ParamValue::Bool(false)));
    assert!(
        app.outbox.iter().any(|job| job.lane == Lane::Model),
        "a change refits"
    );
    // The neighbours panel follows the algorithm's similarity.
    assert_eq!(app.similarity_query().kind, "cosine");
}

#[test]
fn sorting_by_ratings_shows_the_most_rated_first_and_toggles_back() {
    // Item ratings: i1 once, i2 three times, i3 twice; users U1 one, U2 two, U3 three.
    let cells = [
        (0, 1, 4.0),
        (1, 1, 3.0),
        (1, 2, 2.0),
        (2, 0, 5.0),
        (2, 1, 1.0),
        (2, 2, 4.0),
    ];
    let mut app = explorer(dataset(3, 3, &cells, false), REGISTRY);
    act(&mut app, &[Action::MoveDown]);
    assert_eq!(app.selected_cell(), Some((1, 0)));

    update(&mut app, Action::SortColumns);
    assert_eq!(app.column_order, SortOrder::MostRatings);
    assert_eq!(app.columns, vec![1, 2, 0]);
    assert_eq!(
        app.selected_cell(),
        Some((1, 1)),
        "same user U2, most rated item i2"
    );

    update(&mut app, Action::SortRows);
    assert_eq!(app.rows, vec![2, 1, 0]);
    assert_eq!(
        app.selected_cell(),
        Some((2, 1)),
        "most active user U3, same item i2"
    );
    assert_eq!(app.cursor, at(0, 0));

    act(&mut app, &[Action::SortColumns, Action::SortRows]);
    assert_eq!(app.columns, vec![0, 1, 2]);
    assert_eq!(app.rows, vec![0, 1, 2]);
    assert_eq!(app.row_order, SortOrder::FileOrder);
}

#[test]
fn jump_matches_while_typing_and_goes_to_the_choice() {
    let mut app = explorer(tiny(), REGISTRY);
    update(&mut app, Action::Jump);
    app.type_text("movie");
    let Some(Overlay::Jump(prompt)) = &app.overlay else {
        panic!("prompt not open");
    };
    assert_eq!(prompt.matches.len(), 4, "all four titles contain 'movie'");
    app.type_text(" c");
    app.on_prompt_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(app.overlay.is_none());
    assert_eq!(app.cursor, at(0, 2));

    update(&mut app, Action::Jump);
    app.type_text("U3");
    app.on_prompt_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(app.selected_cell(), Some((2, 2)));

    update(&mut app, Action::Jump);
    app.type_text("zzz");
    app.on_prompt_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        app.selected_cell(),
        Some((2, 2)),
        "no match: the cursor stays"
    );
}

#[test]
fn keys_reach_actions_through_the_table_and_typing_goes_to_the_prompt() {
    let mut app = explorer(tiny(), REGISTRY);
    let press = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    recscope::tui::on_key(&mut app, &press('j'));
    assert_eq!(app.cursor, at(1, 0));
    recscope::tui::on_key(&mut app, &press('/'));
    // While the prompt is open, `q` is text, not quit.
    recscope::tui::on_key(&mut app, &press('q'));
    assert!(!app.should_quit);
    recscope::tui::on_key(&mut app, &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    recscope::tui::on_key(&mut app, &press('q'));
    assert!(app.should_quit);
}

#[test]
fn escape_cancels_the_running_fit() {
    let mut app = explorer(tiny(), WITH_FAKE);
    update(&mut app, Action::NextAlgorithm);
    assert!(app.busy_fitting());
    update(&mut app, Action::Cancel);
    assert!(!app.busy_fitting());
    let job = app
        .outbox
        .iter()
        .find(|job| job.lane == Lane::Model)
        .unwrap();
    assert!(job.cancel.load(std::sync::atomic::Ordering::Relaxed));
    assert!(app.message.clone().unwrap().text.contains("cancelled"));
}

#[test]
fn help_opens_and_any_other_key_closes_it() {
    let mut app = explorer(tiny(), REGISTRY);
    update(&mut app, Action::Help);
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    update(&mut app, Action::MoveDown);
    assert!(matches!(app.overlay, Some(Overlay::Help { scroll: 1 })));
    update(&mut app, Action::Help);
    assert!(app.overlay.is_none());
    assert_eq!(
        app.cursor,
        at(0, 0),
        "keys went to the help, not the matrix"
    );
}

const SIZES: [(u16, u16); 2] = [(100, 30), (160, 45)];

#[test]
fn screen_matrix_with_unknown_cells() {
    for (width, height) in SIZES {
        let mut app = explorer(tiny(), REGISTRY);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(
            format!("matrix_unknown_{width}x{height}"),
            terminal.backend()
        );
    }
}

#[test]
fn screen_matrix_with_predictions() {
    for (width, height) in SIZES {
        let mut app = explorer(tiny(), REGISTRY);
        act(
            &mut app,
            &[
                Action::TogglePredictions,
                Action::MoveRight,
                Action::MoveRight,
            ],
        );
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(
            format!("matrix_predicted_{width}x{height}"),
            terminal.backend()
        );
    }
}

#[test]
fn screen_explanation_of_a_neighbourhood_prediction() {
    for (width, height) in SIZES {
        let mut app = explorer(tiny(), WITH_FAKE);
        act(&mut app, &[Action::NextAlgorithm]);
        settle(&mut app);
        act(
            &mut app,
            &[
                Action::TogglePredictions,
                Action::MoveRight,
                Action::MoveRight,
            ],
        );
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("explain_knn_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn screen_help_overlay() {
    for (width, height) in SIZES {
        let mut app = explorer(tiny(), REGISTRY);
        update(&mut app, Action::Help);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("help_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn screen_too_small() {
    let mut app = explorer(tiny(), REGISTRY);
    let terminal = draw(&mut app, 50, 12);
    insta::assert_snapshot!("too_small_50x12", terminal.backend());
}

#[test]
fn screen_jump_prompt() {
    let mut app = explorer(tiny(), REGISTRY);
    update(&mut app, Action::Jump);
    app.type_text("mov");
    let terminal = draw(&mut app, 100, 30);
    insta::assert_snapshot!("jump_100x30", terminal.backend());
}

#[test]
fn the_neighbours_panel_lists_similar_users_then_items() {
    let mut app = explorer(tiny(), WITH_FAKE);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    // fake_knn's similarity is cosine over co-rated items. U1 shares only Movie A with
    // U2 (5·3 / (√25·√9) = 1) and only Movie B with U3 (4·5 / (√16·√25) = 1).
    let list = app.neighbours.clone().unwrap();
    assert_eq!(list.of, Entity::User(0));
    let rows = list.rows.unwrap().unwrap();
    let found: Vec<(u32, f64, usize)> = rows
        .iter()
        .map(|row| (row.index, row.similarity, row.co_rated))
        .collect();
    assert_eq!(found, vec![(1, 1.0, 1), (2, 1.0, 1)]);

    update(&mut app, Action::ToggleNeighboursOf);
    settle(&mut app);
    // Items like Movie A: only Movie B (U1: 5, 4) and Movie C, D (U2: 3·4, 3·2) share a
    // rater; each pair has one co-rating, so cosine 1.
    let list = app.neighbours.clone().unwrap();
    assert_eq!(list.of, Entity::Item(0));
    let indices: Vec<u32> = list
        .rows
        .unwrap()
        .unwrap()
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(indices, vec![1, 2, 3]);
}

#[test]
fn a_fallback_is_explained_with_its_reason_and_what_was_used() {
    use recscope::core::explain::FallbackReason;
    let mut app = explorer(tiny(), REGISTRY);
    act(
        &mut app,
        &[
            Action::TogglePredictions,
            Action::MoveRight,
            Action::MoveRight,
        ],
    );
    // What an algorithm reports for a user it cannot place: the global mean, 28 / 7 = 4.
    let explanation = Explanation::from_terms(
        "r̂ = μ",
        vec![Term::new("μ", "mean of all known ratings", 4.0)],
    )
    .with_fallback(FallbackReason::UnknownUser, "the global mean μ");
    app.selected = Some(Prediction {
        value: 4.0,
        explanation,
    });
    let text = screen_text(&draw_only(&app, 100, 30));
    assert!(
        text.contains("Fallback the user has no ratings; used the"),
        "{text}"
    );
    assert!(text.contains("r̂ = 4.000 = 4.000"), "{text}");
}

/// Draws without touching the state (so a prediction set by hand stays).
fn draw_only(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    terminal
}

#[test]
fn a_slow_fit_shows_its_progress_over_the_old_model() {
    let mut app = explorer(tiny(), WITH_FAKE);
    update(&mut app, Action::TogglePredictions);
    let before = app.predictions.clone();
    assert!(!before.is_empty(), "global_mean predicts the unknown cells");
    update(&mut app, Action::NextAlgorithm);
    let generation = app
        .outbox
        .iter()
        .find(|job| job.lane == Lane::Model)
        .map(|job| job.generation)
        .unwrap();
    // The fit has not finished: the worker reports 40% of the epochs done.
    app.on_worker(WorkerEvent::Progress {
        lane: Lane::Model,
        generation,
        fraction: 0.4,
        stage: "epoch 8/20".to_string(),
    });
    assert_eq!(app.model.as_ref().map(|m| m.spec.name), Some("global_mean"));
    assert_eq!(
        app.predictions, before,
        "the old predictions stay on screen"
    );
    let terminal = draw(&mut app, 160, 45);
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("fitting fake_knn 40% epoch 8/20"),
        "status line shows the progress:\n{screen}"
    );
    settle(&mut app);
    assert_eq!(app.model.as_ref().map(|m| m.spec.name), Some("fake_knn"));
    assert!(!app.busy_fitting());
}

#[test]
fn a_cancelled_fit_goes_back_to_the_model_still_shown() {
    let mut app = explorer(tiny(), WITH_FAKE);
    assert_eq!(app.model.as_ref().unwrap().spec.name, "global_mean");
    update(&mut app, Action::NextAlgorithm);
    assert_eq!(app.spec().unwrap().name, "fake_knn");
    update(&mut app, Action::Cancel);
    // The selection returns to what the grid and the panel show...
    assert_eq!(app.spec().unwrap().name, "global_mean");
    let message = app.message.clone().unwrap().text;
    assert!(message.contains("still showing Global mean"), "{message}");
    // ...and the cancelled fit's late result does not replace it.
    settle(&mut app);
    assert_eq!(app.model.as_ref().unwrap().spec.name, "global_mean");
    let terminal = draw_only(&app, 100, 30);
    let screen = screen_text(&terminal);
    assert!(!screen.contains("previous model"), "{screen}");
    assert!(screen.contains("│ global_mean │"), "{screen}");
}

#[test]
fn a_cancelled_parameter_change_returns_to_the_fitted_parameters() {
    let mut app = explorer(tiny(), WITH_FAKE);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    update(&mut app, Action::DecreaseK);
    assert_eq!(app.current_params().unwrap().int("k", 0), 1);
    update(&mut app, Action::Cancel);
    assert_eq!(app.current_params().unwrap().int("k", 0), 2);
    assert_eq!(
        app.current_params(),
        Some(&app.model.as_ref().unwrap().params)
    );
}

#[test]
fn numbers_too_wide_for_a_cell_are_shortened_not_cut() {
    // One huge rating and one play-count-like value; the scale spans them.
    let ratings = vec![
        Rating {
            user: 0,
            item: 0,
            value: 1e308,
        },
        Rating {
            user: 0,
            item: 1,
            value: 13_882.985_5,
        },
        Rating {
            user: 1,
            item: 0,
            value: 3.0,
        },
    ];
    let scale = RatingScale {
        min: 3.0,
        max: 1e308,
    };
    let matrix = RatingMatrix::new(2, 2, &ratings, scale).unwrap();
    let dataset = Dataset::new(
        matrix,
        vec!["1".into(), "2".into()],
        vec!["3".into(), "4".into()],
        vec![None, None],
        vec![Vec::new(); 2],
        ratings,
        None,
        LoadSummary::default(),
    );
    let mut app = explorer(dataset, REGISTRY);
    let screen = screen_text(&draw(&mut app, 100, 30));
    assert!(screen.contains("1e308"), "{screen}");
    assert!(screen.contains("13.9k"), "{screen}");
    assert!(!screen.contains("10000"), "{screen}");
    // No run of 20 digits anywhere (the mean of 1e308 and friends is 3.3e307).
    assert!(!screen.contains(&"0".repeat(20)), "{screen}");
}

/// A matrix whose user ids are nine characters long, for the narrow-panel test.
fn long_ids() -> Dataset {
    let cells = [
        (0, 0, 5.0),
        (0, 1, 4.0),
        (1, 0, 3.0),
        (1, 2, 4.0),
        (1, 3, 2.0),
        (2, 1, 5.0),
        (2, 2, 5.0),
    ];
    let ratings: Vec<Rating> = cells
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    let matrix = RatingMatrix::new(3, 4, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap();
    Dataset::new(
        matrix,
        vec!["100000001".into(), "100000002".into(), "100000003".into()],
        (1..=4).map(|k| format!("i{k}")).collect(),
        vec![None; 4],
        vec![Vec::new(); 4],
        ratings,
        None,
        LoadSummary::default(),
    )
}

#[test]
fn at_80x24_the_value_is_on_top_ids_are_whole_and_overflow_is_marked() {
    let mut app = explorer(long_ids(), WITH_FAKE);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    act(&mut app, &[Action::MoveRight, Action::MoveRight]);
    let screen = screen_text(&draw(&mut app, 80, 24));
    assert!(screen.contains("Value    5.000"), "{screen}");
    assert!(screen.contains("= 5.250"), "{screen}");
    assert!(screen.contains("more below — J/K to scroll"), "{screen}");
    assert!(screen.contains("? help  q quit"), "{screen}");
    // Scrolled to the end, the neighbour rows show their ids in full.
    for _ in 0..10 {
        update(&mut app, Action::ScrollExplainDown);
    }
    let screen = screen_text(&draw(&mut app, 80, 24));
    assert!(screen.contains("100000002  0.60"), "{screen}");
    assert!(screen.contains("100000003  0.20"), "{screen}");
    // ... in the neighbours panel too.
    assert!(screen.contains("100000002 █"), "{screen}");
    assert!(!screen.contains("more below"), "{screen}");
}

#[test]
fn the_help_legend_is_whole_on_a_small_screen() {
    let mut app = explorer(tiny(), REGISTRY);
    update(&mut app, Action::Help);
    let screen = screen_text(&draw(&mut app, 80, 40));
    assert!(screen.contains("(italic, no"), "{screen}");
    assert!(screen.contains("shortened"), "{screen}");
}

#[test]
fn search_matches_ids_as_shown_without_escape_sequences() {
    let cells = [(0, 0, 4.0), (1, 0, 3.0)];
    let ratings: Vec<Rating> = cells
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    let matrix = RatingMatrix::new(2, 1, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap();
    let dataset = Dataset::new(
        matrix,
        vec!["\u{1b}[31mred".into(), "u2".into()],
        vec!["x\u{1b}[2Jclr".into()],
        vec![None],
        vec![Vec::new()],
        ratings,
        None,
        LoadSummary::default(),
    );
    let found = recscope::tui::app::find_matches(&dataset, "red", 8);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].label, "user red");
    let found = recscope::tui::app::find_matches(&dataset, "xclr", 8);
    assert_eq!(found[0].label, "item xclr");
    let mut app = explorer(dataset, REGISTRY);
    let screen = screen_text(&draw(&mut app, 100, 30));
    assert!(screen.contains("user red"), "{screen}");
    assert!(!screen.contains("[31m"), "{screen}");
}

#[test]
fn large_datasets_open_with_the_most_active_first() {
    // 201 users: user k rated item 0; the last user also rated items 1 and 2, and
    // item 2 was rated by one more user, so the last user and item 0 lead.
    let mut cells: Vec<(u32, u32, f64)> = (0..201).map(|u| (u, 0, 3.0)).collect();
    cells.extend([(200, 1, 4.0), (200, 2, 5.0), (5, 2, 2.0)]);
    let ratings: Vec<Rating> = cells
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    let matrix = RatingMatrix::new(201, 3, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap();
    let dataset = Dataset::new(
        matrix,
        (0..201).map(|k| format!("u{k}")).collect(),
        vec!["a".into(), "b".into(), "c".into()],
        vec![None; 3],
        vec![Vec::new(); 3],
        ratings,
        None,
        LoadSummary::default(),
    );
    let app = explorer(dataset, REGISTRY);
    assert_eq!(app.row_order, SortOrder::MostRatings);
    assert_eq!(app.column_order, SortOrder::MostRatings);
    assert_eq!(app.rows[0], 200);
    // item 0: 201 ratings, item 2: 2, item 1: 1.
    assert_eq!(app.columns, vec![0, 2, 1]);
    // The small matrix keeps file order.
    let small = explorer(tiny(), REGISTRY);
    assert_eq!(small.row_order, SortOrder::FileOrder);
}

#[test]
fn the_neighbours_panel_has_its_own_support_unless_the_algorithm_sets_one() {
    let mut app = explorer(tiny(), WITH_FAKE);
    let query = app.similarity_query();
    assert_eq!((query.kind.as_str(), query.min_support), ("pearson", 5));
    assert_eq!(query.reason, "panel default");
    update(&mut app, Action::MorePanelSupport);
    assert_eq!(app.similarity_query().min_support, 10);
    act(
        &mut app,
        &[Action::LessPanelSupport, Action::LessPanelSupport],
    );
    assert_eq!(app.similarity_query().min_support, 3);
    // No pair of users in the tiny matrix shares 3 items: the list is empty.
    settle(&mut app);
    let rows = app
        .neighbours
        .as_ref()
        .unwrap()
        .rows
        .clone()
        .unwrap()
        .unwrap();
    assert!(rows.is_empty());
    update(&mut app, Action::NextAlgorithm);
    let query = app.similarity_query();
    assert_eq!((query.kind.as_str(), query.min_support), ("cosine", 1));
    assert!(query.reason.contains("fake_knn"), "{}", query.reason);
}
