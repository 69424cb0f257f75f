//! How the explorer refits: a k-NN model without recomputing its similarities when
//! only the number of neighbours changes; and after a fit that fails, the model still
//! shown is the one selected.

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
