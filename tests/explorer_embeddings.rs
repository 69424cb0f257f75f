//! The embeddings screen: opened with its key, following the selected user, saying so
//! when the model has no vectors, and drawn on ratatui's test backend against
//! reviewed snapshots (the bundled listening log fitted with wals).

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use recscope::core::algorithms::{AlgorithmSpec, baseline, wals};
use recscope::data::{self, LoadOptions};
use recscope::tui::app::{App, Mode, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::screens::embeddings::EmbeddingsState;
use recscope::tui::theme::Theme;

mod common;
use common::settle;

static ALGORITHMS: &[AlgorithmSpec] = &[wals::WALS, baseline::GLOBAL_MEAN];

/// Draws once the explorer's queued jobs are done.
fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    settle(app);
    common::draw(app, width, height)
}

fn listening() -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/listening/events.csv");
    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(dataset, "events.csv", keys, theme, ALGORITHMS);
    settle(&mut app);
    app
}

fn shown_user(app: &App) -> u32 {
    match &app.embeddings {
        EmbeddingsState::Shown(shown) => shown.user,
        other => panic!("nothing shown: {other:?}"),
    }
}

#[test]
fn the_key_opens_the_screen_and_the_list_follows_the_cursor() {
    let mut app = listening();
    assert_eq!(app.mode, Mode::Explore);
    update(&mut app, Action::ShowEmbeddings);
    assert_eq!(app.mode, Mode::Embeddings);
    assert_eq!(shown_user(&app), app.rows[0]);
    update(&mut app, Action::MoveDown);
    assert_eq!(shown_user(&app), app.rows[1]);
    update(&mut app, Action::ShowMatrix);
    assert_eq!(app.mode, Mode::Explore);
    // Tab steps through the screens and reaches this one too.
    while app.mode != Mode::Embeddings {
        update(&mut app, Action::NextScreen);
    }
    assert_eq!(shown_user(&app), app.rows[1]);
}

/// The genres the generator made listener `lNNN` a fan of.
fn taste_of(label: &str) -> &'static [&'static str] {
    let number: u32 = label.trim_start_matches('l').parse().unwrap();
    match number {
        1..=60 => &["Synthwave"],
        61..=120 => &["Folk", "Classical"],
        121..=180 => &["Jazz"],
        181..=240 => &["Hip-Hop", "Synthwave"],
        _ => &["Metal"],
    }
}

#[test]
fn nearest_items_are_mostly_from_the_users_taste_group() {
    // make_listening.py gives each listener 12–30 tracks of their group's genres and
    // only 3–10 of the others: at least 8 of the 10 items nearest to a user's vector
    // should be of their genres, for the first users shown.
    let mut app = listening();
    update(&mut app, Action::ShowEmbeddings);
    for _ in 0..5 {
        let EmbeddingsState::Shown(shown) = &app.embeddings else {
            panic!("nothing shown");
        };
        let label = app.dataset.user_label(shown.user).to_string();
        let taste = taste_of(&label);
        let in_taste = shown
            .nearest
            .iter()
            .take(10)
            .filter(|(item, _, _)| {
                app.dataset.item_genres[*item as usize]
                    .iter()
                    .all(|genre| taste.contains(&genre.as_str()))
            })
            .count();
        assert!(in_taste >= 8, "{label}: {in_taste} of 10 in {taste:?}");
        update(&mut app, Action::MoveDown);
    }
}

#[test]
fn a_model_without_vectors_gets_a_message() {
    let mut app = listening();
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    update(&mut app, Action::ShowEmbeddings);
    assert_eq!(
        app.embeddings,
        EmbeddingsState::NoVectors {
            algorithm: "global_mean"
        }
    );
    let terminal = draw(&mut app, 100, 30);
    insta::assert_snapshot!("embeddings_no_vectors_100x30", terminal.backend());
}

#[test]
fn screen_embeddings_of_the_listening_log() {
    for (width, height) in [(100, 30), (160, 45)] {
        let mut app = listening();
        update(&mut app, Action::ShowEmbeddings);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("embeddings_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn the_explain_panel_gives_an_implicit_models_score_and_rank() {
    let mut app = listening();
    update(&mut app, Action::TogglePredictions);
    update(&mut app, Action::MoveRight);
    settle(&mut app);
    let ranked = app
        .selected
        .as_ref()
        .and_then(|p| p.explanation.ranked)
        .expect("a ranked prediction");
    // Tall enough for the factors and the notes below them.
    let terminal = draw(&mut app, 160, 45);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("a ranking score, not a rating"), "{screen}");
    assert!(
        screen.contains(&format!("{} of {} items new", ranked.rank, ranked.of)),
        "{screen}"
    );
    insta::assert_snapshot!("explain_wals_160x45", terminal.backend());
}

#[test]
fn jumping_to_a_user_shows_their_nearest_items() {
    let mut app = listening();
    update(&mut app, Action::ShowEmbeddings);
    update(&mut app, Action::Jump);
    app.type_text("l250");
    let enter =
        ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Enter);
    assert!(app.on_prompt_key(&enter));
    assert_eq!(app.dataset.user_label(shown_user(&app)), "l250");
}

#[test]
fn implicit_feedback_opens_on_a_ranking_model_and_ratings_on_the_first() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/listening/events.csv");
    let events = data::load(&path, &LoadOptions::default()).unwrap();
    assert!(events.summary.implicit);
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let app = App::new(events, "events.csv", keys.clone(), theme.clone());
    assert_eq!(app.spec().map(|spec| spec.name), Some("wals"));

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/tiny.csv");
    let ratings = data::load(&path, &LoadOptions::default()).unwrap();
    let app = App::new(ratings, "tiny.csv", keys, theme);
    assert_eq!(app.spec().map(|spec| spec.name), Some("global_mean"));
}

#[test]
fn a_known_cell_is_ranked_as_if_it_were_new() {
    let mut app = listening();
    update(&mut app, Action::TogglePredictions);
    // The second row's first cell holds an interaction (l060 × Distant Signal).
    update(&mut app, Action::MoveDown);
    settle(&mut app);
    let (user, item) = app.selected_cell().unwrap();
    assert!(app.dataset.matrix.rating(user, item).is_some());
    let screen = format!("{:?}", draw(&mut app, 160, 45).backend());
    assert!(
        screen.contains("items, were it new to this user"),
        "{screen}"
    );
}

fn nearest(app: &App) -> Vec<(u32, f64, bool)> {
    match &app.embeddings {
        EmbeddingsState::Shown(shown) => shown.nearest.clone(),
        other => panic!("nothing shown: {other:?}"),
    }
}

#[test]
fn the_nearest_items_can_be_limited_to_those_new_to_the_user() {
    let mut app = listening();
    update(&mut app, Action::ShowEmbeddings);
    let all = nearest(&app);
    assert!(all.iter().any(|&(_, _, seen)| seen), "{all:?}");
    update(&mut app, Action::ToggleNewItems);
    let new_only = nearest(&app);
    let user = shown_user(&app);
    let matrix = &app.dataset.matrix;
    let unseen = (0..app.dataset.item_ids.len() as u32)
        .filter(|&item| matrix.rating(user, item).is_none())
        .count();
    assert_eq!(new_only.len(), unseen.min(20));
    for &(item, _, seen) in &new_only {
        assert!(!seen && matrix.rating(user, item).is_none(), "item {item}");
    }
    // The new items among all nearest come first, in the same order and cosines.
    let unseen_of_all: Vec<_> = all.iter().filter(|n| !n.2).cloned().collect();
    assert_eq!(&new_only[..unseen_of_all.len()], &unseen_of_all[..]);
    assert!(new_only.windows(2).all(|pair| pair[0].1 >= pair[1].1));
    let screen = format!("{:?}", draw(&mut app, 100, 30).backend());
    assert!(screen.contains("new items only"), "{screen}");
    // It stays on for the next user, and the key turns it off again.
    update(&mut app, Action::MoveDown);
    assert!(nearest(&app).iter().all(|&(_, _, seen)| !seen));
    update(&mut app, Action::ToggleNewItems);
    assert!(nearest(&app).iter().any(|&(_, _, seen)| seen));
}

#[test]
fn the_new_items_key_elsewhere_says_where_it_works() {
    let mut app = listening();
    update(&mut app, Action::ToggleNewItems);
    assert!(!app.nearest_new_only);
    let said = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("on the embeddings screen (6)"), "{said}");
}

#[test]
fn a_user_who_rated_every_item_has_no_new_nearest_items_and_is_told_so() {
    // U1 rated both items; U2 only the first.
    let cells = [(0, 0, 5.0), (0, 1, 3.0), (1, 0, 4.0)];
    let dataset = common::dataset(2, 2, &cells, true);
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    static SVD: &[AlgorithmSpec] = &[recscope::core::algorithms::svd::SVD];
    let mut app = App::with_algorithms(dataset, "two.csv", keys, theme, SVD);
    settle(&mut app);
    update(&mut app, Action::ShowEmbeddings);
    update(&mut app, Action::ToggleNewItems);
    let user = shown_user(&app);
    assert_eq!(app.dataset.user_label(user), "U1");
    assert!(nearest(&app).is_empty());
    let screen = format!("{:?}", draw(&mut app, 100, 30).backend());
    assert!(screen.contains("no items new to this user"), "{screen}");
    update(&mut app, Action::MoveDown);
    assert_eq!(nearest(&app).len(), 1, "U2 has one new item");
}
