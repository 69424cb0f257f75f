//! The explorer on MovieLens 100K (skipped when the data is absent): titles keep their
//! accents, every explanation on screen adds up to the value shown, and moving the
//! cursor over the 943 × 1,682 matrix stays fast because only the window is predicted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use recscope::core::algorithms::{Output, REGISTRY};
use recscope::data::{self, LoadOptions};
use recscope::tui::app::{App, Window, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::theme::Theme;

fn movielens() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ml-100k/u.data");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

fn settle(app: &mut App) {
    app.settle_here(Duration::ZERO);
}

#[test]
fn movielens_explorer_is_fast_and_its_explanations_add_up() {
    let Some(path) = movielens() else {
        return;
    };
    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    let keys = KeyMap::defaults().unwrap();
    let mut app = App::new(dataset, "ml-100k/u.data", keys, Theme::defaults().unwrap());
    let item = app.dataset.item_index("543").unwrap();
    assert_eq!(app.item_label(item), "Misérables, Les (1995)");

    app.set_window(Window {
        rows: 30,
        columns: 12,
    });
    update(&mut app, Action::TogglePredictions);
    let mut checked = 0;
    for _ in 0..REGISTRY.len() {
        settle(&mut app);
        let fitted = app.model.as_ref().unwrap();
        let name = fitted.spec.name;
        for row in 0..30 {
            for column in 0..12 {
                let (user, item) = (app.rows[row], app.columns[column]);
                let prediction = fitted.model.predict(user, item);
                let explanation = &prediction.explanation;
                let sum = explanation.base() + explanation.contributions();
                assert!((sum - explanation.raw).abs() < 1e-9, "{name} {user} {item}");
                // Ratings are clipped to the scale; ranking scores are not.
                let expected = match fitted.model.output() {
                    Output::Rating => app.dataset.matrix.scale().clip(explanation.raw),
                    Output::Score => explanation.raw,
                };
                assert_eq!(prediction.value, expected, "{name}");
                if app.dataset.matrix.rating(user, item).is_none() {
                    // The grid shows `predict_value`, which may sum in another order.
                    let shown = app.prediction(user, item).unwrap();
                    assert!(
                        (shown - prediction.value).abs() < 1e-9,
                        "{name} {user} {item}"
                    );
                }
                checked += 1;
            }
        }

        // Moving the cursor a page at a time predicts each new window afresh.
        let started = Instant::now();
        let moves = 60;
        for k in 0..moves {
            let action = if k % 2 == 0 {
                Action::PageDown
            } else {
                Action::MoveRight
            };
            update(&mut app, action);
        }
        let per_move = started.elapsed() / moves;
        // Speed is for the benchmark to judge; this only reports it.
        println!("{name}: {per_move:?} per move (a page down or an item right)");
        update(&mut app, Action::FirstRow);
        update(&mut app, Action::FirstColumn);
        update(&mut app, Action::NextAlgorithm);
    }
    assert_eq!(checked, REGISTRY.len() * 30 * 12);
}
