//! The parameter editor (`P`): typing `name=value` sets a parameter of the selected
//! algorithm through the checks of `--param` and refits; a refused entry keeps the
//! editor open with the reason; Esc leaves everything as it was. Drawn on ratatui's
//! test backend against reviewed snapshots.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use recscope::core::algorithms::{AlgorithmSpec, baseline, svd};
use recscope::core::params::{ParamValue, Params};
use recscope::tui::app::{App, Overlay, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::on_key;
use recscope::tui::screens::params::ParamsPrompt;
use recscope::tui::theme::Theme;
use recscope::tui::worker::Lane;

mod common;
use common::{draw, press, screen_text, settle, tiny};

static ALGORITHMS: &[AlgorithmSpec] = &[svd::SVD, baseline::GLOBAL_MEAN];

/// The tiny matrix with svd fitted.
fn explorer() -> App {
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(tiny(), "tiny.csv", keys, theme, ALGORITHMS);
    settle(&mut app);
    app
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The editor's state, or a panic when it is closed.
fn editor(app: &App) -> &ParamsPrompt {
    match &app.overlay {
        Some(Overlay::Params(prompt)) => prompt,
        other => panic!("the editor is not open: {other:?}"),
    }
}

fn svd_params(app: &App) -> &Params {
    &app.params[0]
}

#[test]
fn the_key_opens_the_editor_on_the_selected_algorithm() {
    let mut app = explorer();
    press(&mut app, KeyCode::Char('P'));
    assert_eq!(editor(&app).text, "");
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("Parameters of svd · SVD (SGD)"), "{text}");
    for param in svd::SVD.params {
        assert!(
            text.contains(param.name),
            "{} not listed:\n{text}",
            param.name
        );
    }
}

#[test]
fn a_typed_value_is_set_and_the_model_refitted_with_it() {
    let mut app = explorer();
    assert_eq!(app.model.as_ref().unwrap().params.int("factors", 0), 100);
    update(&mut app, Action::EditParams);
    type_text(&mut app, "factors=7");
    press(&mut app, KeyCode::Enter);

    assert!(app.overlay.is_none());
    assert_eq!(app.message.as_ref().unwrap().text, "factors = 7");
    assert_eq!(svd_params(&app).get("factors"), Some(&ParamValue::Int(7)));
    assert!(app.busy.contains_key(&Lane::Model), "no refit asked for");
    settle(&mut app);
    let fitted = app.model.as_ref().unwrap();
    assert_eq!(fitted.spec.name, "svd");
    assert_eq!(fitted.params.int("factors", 0), 7);
    let embeddings = fitted.model.embeddings().unwrap();
    assert_eq!(embeddings.users.ncols(), 7);
    assert_eq!(embeddings.items.ncols(), 7);
    // The other parameters are as they were.
    assert_eq!(fitted.params.int("epochs", 0), 20);
}

#[test]
fn refused_entries_keep_the_editor_open_with_the_reason() {
    let mut app = explorer();
    let before = svd_params(&app).clone();
    update(&mut app, Action::EditParams);
    for (typed, expected) in [
        ("factors=abc", "'abc'"),
        ("factors=0", "from 1 to 1000"),
        ("learning_rate=-1", "'-1'"),
        ("nosuch=1", "no parameter 'nosuch'"),
        ("factors", "not of the form KEY=VALUE"),
    ] {
        type_text(&mut app, typed);
        press(&mut app, KeyCode::Enter);
        let error = editor(&app).error.clone().unwrap_or_default();
        assert!(error.contains(expected), "{typed}: {error}");
        assert_eq!(svd_params(&app), &before, "{typed}");
        assert!(!app.busy.contains_key(&Lane::Model), "{typed} refitted");
        // Typing again clears the reason.
        press(&mut app, KeyCode::Backspace);
        assert_eq!(editor(&app).error, None);
        for _ in 0..typed.len() {
            press(&mut app, KeyCode::Backspace);
        }
        assert_eq!(editor(&app).text, "");
    }
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(text.contains("> ▏"), "{text}");
}

#[test]
fn the_reason_for_a_refused_value_is_shown_in_the_editor() {
    let mut app = explorer();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "factors=abc");
    press(&mut app, KeyCode::Enter);
    let terminal = draw(&mut app, 80, 24);
    let text = screen_text(&terminal);
    assert!(
        text.contains("parameter 'factors' cannot be 'abc'"),
        "{text}"
    );
    insta::assert_snapshot!("params_refused_80x24", terminal.backend());
}

#[test]
fn esc_and_ctrl_c_close_the_editor_without_changing_anything() {
    let mut app = explorer();
    let before = svd_params(&app).clone();
    let message = app.message.clone();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "factors=7");
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    update(&mut app, Action::EditParams);
    type_text(&mut app, "factors=7");
    on_key(
        &mut app,
        &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    );
    assert!(app.overlay.is_none());
    assert!(
        !app.should_quit,
        "ctrl-c closed the editor, not the explorer"
    );
    assert_eq!(svd_params(&app), &before);
    assert!(app.outbox.is_empty() && app.busy.is_empty());
    assert_eq!(app.message, message);
}

#[test]
fn the_same_value_again_changes_nothing() {
    let mut app = explorer();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "epochs=20");
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert_eq!(app.message.as_ref().unwrap().text, "epochs is already 20");
    assert!(app.outbox.is_empty());
}

#[test]
fn typing_a_name_highlights_it_and_tab_types_the_highlighted_one() {
    let mut app = explorer();
    let names: Vec<&str> = svd::SVD.params.iter().map(|p| p.name).collect();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "lea");
    let at = names.iter().position(|n| *n == "learning_rate").unwrap();
    assert_eq!(editor(&app).selected, at);
    // ↑ ↓ move the highlight; Tab replaces the text with the highlighted name.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Tab);
    assert_eq!(editor(&app).text, format!("{}=", names[at + 1]));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(editor(&app).selected, at - 1);
    for _ in 0..names.len() {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(editor(&app).selected, names.len() - 1);
}

#[test]
fn the_highlighted_parameters_help_is_shown_whole_on_a_large_terminal() {
    let mut app = explorer();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "exact");
    let help = svd::SVD
        .params
        .iter()
        .find(|p| p.name == "exact")
        .unwrap()
        .help;
    let text = screen_text(&draw(&mut app, 160, 45));
    // Wrapped over the rows under the table, from its first word to its last.
    let whole = format!("exact  true | false, default false: {help}");
    let start: String = whole.chars().take(20).collect();
    let rows: Vec<Vec<char>> = text.lines().map(|row| row.chars().collect()).collect();
    let (top, left) = (text.lines().enumerate())
        .find_map(|(y, row)| Some((y, row[..row.find(&start)?].chars().count())))
        .unwrap_or_else(|| panic!("no help for exact:\n{text}"));
    let shown: Vec<String> = rows[top..]
        .iter()
        .map(|row| row[left..].iter().take_while(|c| **c != '│').collect())
        .take_while(|line: &String| !line.trim().is_empty())
        .collect();
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(words(&shown.join(" ")), words(&whole), "{text}");
}

#[test]
fn the_editor_fits_the_smallest_terminal() {
    let mut app = explorer();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "exact");
    let text = screen_text(&draw(&mut app, 60, 16));
    assert!(text.contains("> exact▏"), "{text}");
    assert!(text.contains("Esc closes"), "{text}");
    // The status line and the key hints stay in view below the editor.
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[14].contains("svd"), "{text}");
}

#[test]
fn screen_params_svd_narrow() {
    let mut app = explorer();
    update(&mut app, Action::EditParams);
    type_text(&mut app, "factors=10");
    let terminal = draw(&mut app, 80, 24);
    insta::assert_snapshot!("params_svd_80x24", terminal.backend());
}

#[test]
fn an_algorithm_without_parameters_says_so() {
    let mut app = explorer();
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    assert_eq!(app.spec().unwrap().name, "global_mean");
    update(&mut app, Action::EditParams);
    let text = screen_text(&draw(&mut app, 80, 24));
    assert!(
        text.contains("Global mean has no parameters to set."),
        "{text}"
    );
    type_text(&mut app, "k=3");
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert!(app.outbox.is_empty());
}

#[test]
fn the_editor_works_on_the_other_screens_too() {
    let mut app = explorer();
    update(&mut app, Action::ShowStats);
    update(&mut app, Action::EditParams);
    type_text(&mut app, "epochs=5");
    press(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(app.model.as_ref().unwrap().params.int("epochs", 0), 5);
}

#[test]
fn a_long_list_scrolls_to_the_highlighted_parameter_on_a_small_terminal() {
    static KNN: &[AlgorithmSpec] = &[recscope::core::algorithms::knn::KNN_BASELINE];
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(tiny(), "tiny.csv", keys, theme, KNN);
    settle(&mut app);
    update(&mut app, Action::EditParams);
    let params = KNN[0].params;
    let (first, last) = (params[0].name, params[params.len() - 1].name);
    let text = screen_text(&draw(&mut app, 60, 16));
    assert!(text.contains(&format!("▶ {first}")), "{text}");
    assert!(text.contains("more below — ↑↓ to scroll"), "{text}");
    assert!(!text.contains(&format!(" {last} ")), "{text}");
    for _ in params {
        press(&mut app, KeyCode::Down);
    }
    let text = screen_text(&draw(&mut app, 60, 16));
    assert!(text.contains(&format!("▶ {last}")), "{text}");
    assert!(!text.contains(&format!(" {first} ")), "{text}");
    assert!(text.contains("more above"), "{text}");
}
