//! The README shows what the program shows: its key table is the explorer's own, and
//! its screen capture is the explorer drawn on the bundled sample. Run with
//! `RECSCOPE_UPDATE_README=1` to rewrite both sections after a deliberate change.

use std::path::Path;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use recscope::data::{self, LoadOptions};
use recscope::tui::app::{App, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::theme::Theme;
use recscope::tui::view;

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");

/// The text between `<!-- NAME -->` and `<!-- /NAME -->`, and where it stands.
fn section(readme: &str, name: &str) -> (usize, usize) {
    let open = format!("<!-- {name} -->\n");
    let close = format!("<!-- /{name} -->");
    let start = readme.find(&open).expect("README has the opening marker") + open.len();
    let end = readme[start..]
        .find(&close)
        .expect("README has the closing marker")
        + start;
    (start, end)
}

/// Compares the README's section `name` with `expected`, or rewrites it when asked.
fn check_section(name: &str, expected: &str) {
    let readme = std::fs::read_to_string(README).unwrap();
    let (start, end) = section(&readme, name);
    if readme[start..end] == *expected {
        return;
    }
    if std::env::var_os("RECSCOPE_UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(README, updated).unwrap();
        return;
    }
    panic!(
        "README section '{name}' is out of date; rerun with RECSCOPE_UPDATE_README=1 after \
         checking this text:\n{expected}"
    );
}

#[test]
fn readme_key_table_is_the_explorers() {
    let keys = KeyMap::defaults().unwrap();
    let table = keys.help_markdown();
    // Every action is listed with the keys that dispatch it.
    for &action in Action::ALL {
        assert!(table.contains(action.description()), "{action:?}");
    }
    check_section("explorer keys", &table);
}

/// Runs every job the explorer asked for, here.
fn settle(app: &mut App) {
    app.settle_here(Duration::from_millis(2));
}

#[test]
fn readme_capture_is_the_explorer_on_the_sample() {
    let path = data::default_dataset_path();
    assert!(Path::new(&path).exists(), "the bundled sample is missing");
    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::new(dataset, "classroom/ratings.csv", keys, theme);
    let (width, height) = (110, 32);
    app.set_window(view::window_for(&app, Rect::new(0, 0, width, height)));
    settle(&mut app);
    for _ in 0..recscope::core::algorithms::REGISTRY.len() {
        if app.spec().map(|s| s.name) == Some("knn_means") {
            break;
        }
        update(&mut app, Action::NextAlgorithm);
        settle(&mut app);
    }
    assert_eq!(app.spec().map(|s| s.name), Some("knn_means"));
    // The second user's second item is unknown in the sample: show how it is filled.
    update(&mut app, Action::TogglePredictions);
    update(&mut app, Action::MoveDown);
    update(&mut app, Action::MoveRight);
    settle(&mut app);

    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(&app, frame.area()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let symbols: Vec<&str> = buffer.content().iter().map(|cell| cell.symbol()).collect();
    let screen: Vec<String> = symbols
        .chunks(width as usize)
        .map(|row| row.concat().trim_end().to_string())
        .collect();
    let capture = format!("\n```\n{}\n```\n\n", screen.join("\n"));
    check_section("screen capture", &capture);
}
