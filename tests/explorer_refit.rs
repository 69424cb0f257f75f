//! How the explorer refits: a k-NN model without recomputing its similarities when
//! only the number of neighbours changes; and after a fit that fails, the model still
//! shown is the one selected, the next step of the algorithm key moves past the one
//! that failed, and Esc dismisses the error before it cancels running work.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use recscope::core::algorithms::{AlgorithmSpec, FitError, Model, REGISTRY, knn};
use recscope::core::matrix::RatingMatrix;
use recscope::core::params::{ParamValue, Params};
use recscope::core::progress::Progress;
use recscope::tui::app::{App, Window, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::theme::Theme;

mod common;
use common::settle;

/// How often the counted k-NN below was fitted from scratch.
static FITS: AtomicUsize = AtomicUsize::new(0);

fn counted_fit(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    FITS.fetch_add(1, Ordering::SeqCst);
    (knn::KNN_BASIC.fit)(matrix, params, progress)
}

/// k-NN (basic) that counts its fits from scratch.
const COUNTED_KNN: AlgorithmSpec = AlgorithmSpec {
    fit: counted_fit,
    ..knn::KNN_BASIC
};

static ALGORITHMS: &[AlgorithmSpec] = &[REGISTRY[0], COUNTED_KNN];

#[test]
fn changing_k_refits_without_fitting_from_scratch() {
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(
        common::dataset(3, 4, &common::TINY_CELLS, false),
        "tiny.csv",
        keys,
        theme,
        ALGORITHMS,
    );
    app.set_window(Window {
        rows: 10,
        columns: 10,
    });
    settle(&mut app);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    let fits = FITS.load(Ordering::SeqCst);
    assert_eq!(fits, 1, "choosing k-NN fits it once");

    let k = |app: &App| match app.current_params().unwrap().get("k") {
        Some(ParamValue::Int(k)) => *k,
        other => panic!("k is {other:?}"),
    };
    let before = k(&app);
    assert!(before > 1, "k starts at {before}");
    update(&mut app, Action::DecreaseK);
    settle(&mut app);
    assert_eq!(k(&app), before - 1);
    let params = app.current_params().unwrap().clone();
    assert_eq!(
        FITS.load(Ordering::SeqCst),
        1,
        "k changed: refitted, not fitted"
    );

    // The refitted model predicts as a fresh fit with k = 1 does.
    let shown = app.model.as_ref().unwrap().model.clone();
    let fresh =
        (knn::KNN_BASIC.fit)(app.dataset.matrix.clone(), &params, &Progress::none()).unwrap();
    for user in 0..3 {
        for item in 0..4 {
            assert_eq!(
                shown.predict_value(user, item),
                fresh.predict_value(user, item)
            );
        }
    }

    // Another measure changes the similarities: a fit from scratch.
    update(&mut app, Action::NextSimilarity);
    settle(&mut app);
    assert_eq!(FITS.load(Ordering::SeqCst), 2);
}

fn failing_fit(
    _matrix: Arc<RatingMatrix>,
    _params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Err(FitError::Unsuitable("it always fails".to_string()))
}

/// k-NN (basic) whose fit always fails.
const FAILING_KNN: AlgorithmSpec = AlgorithmSpec {
    fit: failing_fit,
    ..knn::KNN_BASIC
};

static WITH_FAILING: &[AlgorithmSpec] = &[REGISTRY[0], FAILING_KNN];

#[test]
fn after_a_failed_fit_the_shown_model_is_selected_and_named() {
    let mut app = App::with_algorithms(
        common::dataset(3, 4, &common::TINY_CELLS, false),
        "tiny.csv",
        KeyMap::defaults().unwrap(),
        Theme::defaults().unwrap(),
        WITH_FAILING,
    );
    app.set_window(Window {
        rows: 10,
        columns: 10,
    });
    settle(&mut app);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);

    assert_eq!(
        app.algorithm, 0,
        "the first algorithm's model is still shown"
    );
    let message = app.message.as_ref().unwrap();
    assert!(message.is_error);
    assert!(
        message.text.starts_with(&format!(
            "knn_basic could not be fitted (still showing {}): ",
            REGISTRY[0].title
        )) && message.text.contains("it always fails"),
        "{}",
        message.text
    );
}

fn failing_at_length(
    _matrix: Arc<RatingMatrix>,
    _params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Err(FitError::Unsuitable(
        "it diverged at epoch 3 with learning_rate 0.09: some parameters are no longer \
         finite; hint: try learning_rate=0.009 or lower, the last words of this message"
            .to_string(),
    ))
}

/// k-NN (basic) whose fit fails with a message longer than an 80-column status line.
const LONG_FAILING_KNN: AlgorithmSpec = AlgorithmSpec {
    fit: failing_at_length,
    ..knn::KNN_BASIC
};

static WITH_LONG_FAILING: &[AlgorithmSpec] = &[REGISTRY[0], LONG_FAILING_KNN];

#[test]
fn an_error_too_long_for_the_status_line_is_shown_whole_until_dismissed() {
    let mut app = App::with_algorithms(
        common::dataset(3, 4, &common::TINY_CELLS, false),
        "tiny.csv",
        KeyMap::defaults().unwrap(),
        Theme::defaults().unwrap(),
        WITH_LONG_FAILING,
    );
    settle(&mut app);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);

    // The status line alone would end in the middle of the message; the box above it
    // holds it all, wrapped between words.
    let screen = common::screen_text(&common::draw(&mut app, 80, 24));
    let words = |text: &str| {
        text.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let rows: Vec<&str> = screen.lines().collect();
    let top = rows
        .iter()
        .position(|row| row.contains("╭ error "))
        .expect(&screen);
    let bottom = rows
        .iter()
        .position(|row| row.contains("Esc dismisses"))
        .expect(&screen);
    let boxed: Vec<String> = rows[top + 1..bottom]
        .iter()
        .flat_map(|row| words(row.trim_matches(|c: char| c == '│' || c.is_whitespace())))
        .collect();
    let message = app.message.as_ref().unwrap().text.clone();
    assert_eq!(boxed, words(&message), "{screen}");
    assert_eq!(
        bottom, 21,
        "the box ends just above the status line:\n{screen}"
    );

    // Cancel clears the message, and the box with it.
    update(&mut app, Action::Cancel);
    let screen = common::screen_text(&common::draw(&mut app, 80, 24));
    assert!(!screen.contains("╭ error "), "{screen}");

    // Wide enough for the whole message, the status line needs no box.
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    assert!(app.message.as_ref().is_some_and(|m| m.is_error));
    let screen = common::screen_text(&common::draw(&mut app, 400, 24));
    assert!(!screen.contains("╭ error "), "{screen}");
    assert!(
        screen.contains("the last words of this message"),
        "{screen}"
    );
}

static FAILING_IN_THE_MIDDLE: &[AlgorithmSpec] = &[REGISTRY[0], FAILING_KNN, REGISTRY[1]];

#[test]
fn the_next_algorithm_after_a_failed_fit_is_the_one_after_it() {
    let mut app = App::with_algorithms(
        common::dataset(3, 4, &common::TINY_CELLS, false),
        "tiny.csv",
        KeyMap::defaults().unwrap(),
        Theme::defaults().unwrap(),
        FAILING_IN_THE_MIDDLE,
    );
    settle(&mut app);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    assert_eq!(app.algorithm, 0, "the shown model is selected again");
    // The next step goes past the failing algorithm, not back to it.
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    assert_eq!(app.algorithm, 2);
    assert_eq!(
        app.model.as_ref().map(|m| m.spec.name),
        Some(REGISTRY[1].name)
    );
    // Once another model is fitted, steps start from it again.
    update(&mut app, Action::PreviousAlgorithm);
    settle(&mut app);
    assert_eq!(
        app.algorithm, 2,
        "the failure selected the shown model again"
    );
    update(&mut app, Action::PreviousAlgorithm);
    settle(&mut app);
    assert_eq!(app.algorithm, 0);
    assert_eq!(
        app.model.as_ref().map(|m| m.spec.name),
        Some(REGISTRY[0].name)
    );
}

#[test]
fn escape_dismisses_an_error_before_it_cancels_running_work() {
    let mut app = App::with_algorithms(
        common::dataset(3, 4, &common::TINY_CELLS, false),
        "tiny.csv",
        KeyMap::defaults().unwrap(),
        Theme::defaults().unwrap(),
        WITH_FAILING,
    );
    settle(&mut app);
    update(&mut app, Action::ShowEvaluate);
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    update(&mut app, Action::Run);
    assert!(app.message.as_ref().is_some_and(|m| m.is_error));
    assert!(!app.busy.is_empty(), "the evaluation is running");
    update(&mut app, Action::Cancel);
    assert!(app.message.is_none(), "the first Esc dismisses the error");
    assert!(!app.busy.is_empty(), "and leaves the evaluation running");
    update(&mut app, Action::Cancel);
    assert!(app.busy.is_empty(), "the second cancels it");
    let said = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("cancelled"), "{said}");
}
