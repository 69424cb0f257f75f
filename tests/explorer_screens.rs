//! The explorer's Stats and Recommend screens, screen switching and export, driven
//! through `update` without a terminal and drawn on ratatui's test backend.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use recscope::core::algorithms::{AlgorithmSpec, baseline, knn};
use recscope::data::{self, ColumnValues, Dataset, ExportTable, LoadSummary, TableFormat};
use recscope::tui::app::{App, Mode, Window, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::screens::export::unused_path;
use recscope::tui::theme::Theme;
use recscope::tui::worker::{Lane, WorkerEvent};
use recscope::tui::{on_key, view};

mod common;
use common::{press, screen_text, settle};

/// Item mean first, so that every list can be checked by hand; k-NN to switch to.
static ALGORITHMS: &[AlgorithmSpec] = &[baseline::ITEM_MEAN, knn::KNN_BASIC];

/// The tiny matrix every introduction starts from (`common::TINY_CELLS`):
///
/// | user | Movie A | Movie B | Movie C | Movie D |
/// |------|---------|---------|---------|---------|
/// | U1   | 5       | 4       | ?       | ?       |
/// | U2   | 3       | ?       | 4       | 2       |
/// | U3   | ?       | 5       | 5       | ?       |
///
/// Item means: A (5 + 3) / 2 = 4, B (4 + 5) / 2 = 4.5, C (4 + 5) / 2 = 4.5, D 2.
fn tiny() -> Dataset {
    let mut dataset = common::tiny();
    dataset.summary = LoadSummary {
        format: "tiny fixture".into(),
        feedback: "explicit ratings".into(),
        ..LoadSummary::default()
    };
    dataset
}

/// Draws once the explorer's queued jobs are done.
fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    settle(app);
    common::draw(app, width, height)
}

fn explorer() -> App {
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(tiny(), "tiny.csv", keys, theme, ALGORITHMS);
    app.set_window(Window {
        rows: 10,
        columns: 10,
    });
    settle(&mut app);
    app
}

/// `(title, score)` of the list the recommend screen shows.
fn shown(app: &App) -> Vec<(String, f64)> {
    let list = app.recommend_screen.list.as_ref().expect("a list");
    list.rows
        .as_ref()
        .expect("ranked")
        .iter()
        .map(|r| (app.item_label(r.item).to_string(), r.score))
        .collect()
}

fn owned(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(t, s)| (t.to_string(), *s)).collect()
}

#[test]
fn number_keys_and_tab_switch_screens() {
    let mut app = explorer();
    assert_eq!(app.mode, Mode::Explore);
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.mode, Mode::Stats);
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(app.mode, Mode::Recommend);
    press(&mut app, KeyCode::Char('6'));
    assert_eq!(app.mode, Mode::Embeddings);
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.mode, Mode::Explore);
    // Tab goes through Mode::ALL in order and wraps; Shift-Tab goes back.
    let mut seen = Vec::new();
    for _ in 0..Mode::ALL.len() {
        update(&mut app, Action::NextScreen);
        seen.push(app.mode);
    }
    assert_eq!(
        seen,
        vec![
            Mode::Stats,
            Mode::Recommend,
            Mode::Compare,
            Mode::Evaluate,
            Mode::Embeddings,
            Mode::Explore
        ]
    );
    on_key(
        &mut app,
        &KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
    );
    assert_eq!(app.mode, Mode::Embeddings);
    update(&mut app, Action::PreviousScreen);
    assert_eq!(app.mode, Mode::Evaluate);
}

#[test]
fn the_help_lists_the_screen_keys() {
    let mut app = explorer();
    update(&mut app, Action::Help);
    // At 160 × 45 the whole help fits; smaller terminals scroll it.
    let text = screen_text(&draw(&mut app, 160, 45));
    for expected in [
        "Screens",
        "stats screen",
        "recommend screen",
        "compare screen",
        "S-Tab",
        "export what the screen shows",
        "export format",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
}

#[test]
fn the_stats_screen_measures_the_dataset_once_on_the_worker() {
    let mut app = explorer();
    update(&mut app, Action::ShowStats);
    assert_eq!(
        app.outbox.iter().map(|job| job.lane).collect::<Vec<_>>(),
        vec![Lane::Stats]
    );
    settle(&mut app);
    let shape = app.stats_screen.shape.clone().expect("measured");
    // Ratings per user: U1 2, U2 3, U3 2 → most first 3, 2, 2.
    assert_eq!(shape.user_activity, vec![3, 2, 2]);
    // The same lines `recscope stats` prints: 7 of 12 cells known = 58.3333%.
    assert_eq!(
        shape.lines,
        data::summary_lines(&data::describe(&app.dataset))
    );
    assert!(
        shape
            .lines
            .contains(&("density", "58.3333% of cells known".to_string()))
    );
    update(&mut app, Action::NextScreen);
    update(&mut app, Action::ShowStats);
    assert!(
        !app.outbox.iter().any(|job| job.lane == Lane::Stats),
        "measured once"
    );
}

#[test]
fn the_recommend_screen_follows_the_selected_user() {
    let mut app = explorer();
    update(&mut app, Action::ShowRecommend);
    settle(&mut app);
    // U1 has not rated C (4.5) and D (2).
    assert_eq!(shown(&app), owned(&[("Movie C", 4.5), ("Movie D", 2.0)]));
    update(&mut app, Action::MoveDown);
    settle(&mut app);
    // U2 has not rated B alone (4.5).
    assert_eq!(shown(&app), owned(&[("Movie B", 4.5)]));
    let reason = &app
        .recommend_screen
        .list
        .as_ref()
        .unwrap()
        .rows
        .as_ref()
        .unwrap()[0]
        .reason;
    assert_eq!(reason, "rated 4.50 on average");
}

#[test]
fn a_late_list_for_another_user_is_dropped() {
    let mut app = explorer();
    update(&mut app, Action::ShowRecommend);
    settle(&mut app);
    update(&mut app, Action::MoveDown);
    let for_u2: Vec<_> = std::mem::take(&mut app.outbox)
        .into_iter()
        .filter(|job| job.lane == Lane::Recommend)
        .collect();
    update(&mut app, Action::MoveDown);
    for job in for_u2 {
        let generation = job.generation;
        let output = job.run_here();
        app.on_worker(WorkerEvent::Done {
            lane: Lane::Recommend,
            generation,
            elapsed: Duration::ZERO,
            output,
        });
    }
    assert_eq!(
        app.recommend_screen
            .list
            .as_ref()
            .and_then(|l| l.rows.clone()),
        None,
        "U2's list does not show as U3's"
    );
    settle(&mut app);
    // U3 has not rated A (4) and D (2).
    assert_eq!(shown(&app), owned(&[("Movie A", 4.0), ("Movie D", 2.0)]));
}

#[test]
fn cycling_the_algorithm_reranks_the_list() {
    let mut app = explorer();
    update(&mut app, Action::ShowRecommend);
    settle(&mut app);
    assert_eq!(
        app.recommend_screen.list.as_ref().unwrap().algorithm,
        "item_mean"
    );
    update(&mut app, Action::NextAlgorithm);
    settle(&mut app);
    let list = app.recommend_screen.list.as_ref().unwrap();
    assert_eq!(list.algorithm, "knn_basic");
    assert!(list.rows.is_some());
}

#[test]
fn export_writes_the_shown_list_to_a_new_file_each_time() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer();
    app.export_folder = folder.path().to_path_buf();
    update(&mut app, Action::ShowRecommend);
    settle(&mut app);
    press(&mut app, KeyCode::Char('E'));
    let first = folder.path().join("recscope-recommend-tiny.csv");
    let message = app.message.clone().unwrap();
    assert!(!message.is_error, "{}", message.text);
    assert!(
        message.text.contains("2 recommendations")
            && message.text.contains(&first.display().to_string()),
        "{}",
        message.text
    );
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        "rank,user,item,title,score,reason\n\
         1,U1,i3,Movie C,4.5,rated 4.50 on average\n\
         2,U1,i4,Movie D,2.0,rated 2.00 on average\n"
    );
    press(&mut app, KeyCode::Char('E'));
    assert!(folder.path().join("recscope-recommend-tiny-2.csv").exists());
    assert!(std::fs::read_to_string(&first).unwrap().contains("Movie C"));
}

#[test]
fn export_of_the_matrix_writes_the_visible_predictions() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer();
    app.export_folder = folder.path().to_path_buf();
    update(&mut app, Action::Export);
    // The five unknown cells in file order: U1×C 4.5, U1×D 2, U2×B 4.5, U3×A 4, U3×D 2.
    let written = std::fs::read_to_string(folder.path().join("recscope-matrix-tiny.csv")).unwrap();
    assert_eq!(
        written,
        "user,item,title,item_mean\n\
         U1,i3,Movie C,4.5\n\
         U1,i4,Movie D,2.0\n\
         U2,i2,Movie B,4.5\n\
         U3,i1,Movie A,4.0\n\
         U3,i4,Movie D,2.0\n"
    );
}

#[test]
fn export_of_the_stats_writes_the_summary() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer();
    app.export_folder = folder.path().to_path_buf();
    update(&mut app, Action::ShowStats);
    update(&mut app, Action::Export);
    let message = app.message.clone().unwrap();
    assert!(message.is_error, "not measured yet: {}", message.text);
    settle(&mut app);
    update(&mut app, Action::Export);
    let written = std::fs::read_to_string(folder.path().join("recscope-stats-tiny.csv")).unwrap();
    assert!(
        written.starts_with("measure,value\nusers,3\nitems,4\nratings,7\n"),
        "{written}"
    );
    // Ratings of 5: U1·A, U3·B, U3·C.
    assert!(written.contains("ratings of 5,3\n"), "{written}");
}

#[test]
fn the_format_key_turns_exports_into_parquet_then_json() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer();
    app.export_folder = folder.path().to_path_buf();
    press(&mut app, KeyCode::Char('F'));
    update(&mut app, Action::Export);
    // Read back with polars: the five unknown cells of the matrix (see the CSV export).
    let parquet = folder.path().join("recscope-matrix-tiny.parquet");
    use polars::prelude::SerReader;
    let frame = polars::prelude::ParquetReader::new(std::fs::File::open(&parquet).unwrap())
        .finish()
        .unwrap();
    assert_eq!(frame.shape(), (5, 4));

    press(&mut app, KeyCode::Char('F'));
    update(&mut app, Action::Export);
    let json = std::fs::read_to_string(folder.path().join("recscope-matrix-tiny.json")).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 5);
    assert_eq!(rows[0]["user"], "U1");
    assert_eq!(rows[0]["item_mean"], 4.5, "U1 × Movie C: (4 + 5) / 2");

    press(&mut app, KeyCode::Char('F'));
    update(&mut app, Action::Export);
    assert!(
        folder.path().join("recscope-matrix-tiny.csv").exists(),
        "round to CSV"
    );
}

#[test]
fn export_names_never_reuse_an_existing_file() {
    let folder = tempfile::tempdir().unwrap();
    // A dataset that happens to carry the name an export would take.
    let input = folder.path().join("recscope-stats-data-tiny.csv");
    std::fs::write(&input, "user,item,rating\n").unwrap();
    let path = unused_path(
        folder.path(),
        Mode::Stats,
        "data/tiny.csv",
        TableFormat::Csv,
    );
    assert_eq!(path, folder.path().join("recscope-stats-data-tiny-2.csv"));
    // The folder names a dataset whose files are all called `u` or `ratings`.
    let path = unused_path(
        folder.path(),
        Mode::Explore,
        "ml-100k/u.data",
        TableFormat::Json,
    );
    assert_eq!(path, folder.path().join("recscope-matrix-ml-100k-u.json"));
}

#[test]
fn writing_a_table_is_atomic_and_refuses_the_input() {
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("ratings.csv");
    std::fs::write(&input, "user,item,rating\nU1,A,5\n").unwrap();
    let table = ExportTable::default().with("x", ColumnValues::Integer(vec![1, 2]));
    let refused = data::write_table(&input, &table, TableFormat::Csv, &[input.as_path()]);
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("ratings.csv"), "{message}");
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        "user,item,rating\nU1,A,5\n"
    );

    let out = folder.path().join("out.csv");
    std::fs::write(&out, "old\n").unwrap();
    data::write_table(&out, &table, TableFormat::Csv, &[input.as_path()]).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "x\n1\n2\n");
    let names: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left behind: {names:?}");

    // A folder that does not exist: an error naming the file, the old file untouched.
    let missing = folder.path().join("no-such-folder").join("out.csv");
    let message = data::write_table(&missing, &table, TableFormat::Csv, &[])
        .unwrap_err()
        .to_string();
    assert!(message.contains("out.csv"), "{message}");
}

const SIZES: [(u16, u16); 2] = [(100, 30), (160, 45)];

#[test]
fn screen_stats() {
    for (width, height) in SIZES {
        let mut app = explorer();
        update(&mut app, Action::ShowStats);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("stats_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn screen_recommend() {
    for (width, height) in SIZES {
        let mut app = explorer();
        update(&mut app, Action::ShowRecommend);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("recommend_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn screen_recommend_with_neighbour_reasons() {
    // k-NN with its default MSD similarity: U1–U2 0.2, U1–U3 0.5 (see cli_recommend.rs);
    // C = (0.2·4 + 0.5·5) / 0.7 = 4.714, D = 2 from U2 alone.
    let mut app = explorer();
    update(&mut app, Action::NextAlgorithm);
    update(&mut app, Action::ShowRecommend);
    let terminal = draw(&mut app, 100, 30);
    insta::assert_snapshot!("recommend_knn_100x30", terminal.backend());
}

#[test]
fn every_screen_says_when_the_terminal_is_too_small() {
    for mode in Mode::ALL {
        let mut app = explorer();
        app.show(*mode);
        for (width, height) in [(50, 12), (59, 30), (100, 15)] {
            let text = screen_text(&draw(&mut app, width, height));
            assert!(
                text.starts_with("recscope needs a bigger terminal"),
                "{mode:?} at {width}×{height}:\n{text}"
            );
        }
    }
}

#[test]
fn every_screen_draws_at_the_smallest_size_it_accepts() {
    for mode in Mode::ALL {
        let mut app = explorer();
        app.show(*mode);
        for (width, height) in [(view::MIN_WIDTH, view::MIN_HEIGHT), (80, 24), (61, 40)] {
            let text = screen_text(&draw(&mut app, width, height));
            assert!(
                !text.contains("needs a bigger terminal"),
                "{mode:?} at {width}×{height}"
            );
            let status = text.lines().nth(height as usize - 2).unwrap_or_default();
            assert!(
                status.starts_with(&format!(" {} │", mode.title())),
                "{mode:?} at {width}×{height}: {status}"
            );
        }
    }
}

#[test]
fn the_status_line_names_the_screen() {
    let mut app = explorer();
    for (action, name) in [
        (Action::ShowStats, " Stats │"),
        (Action::ShowRecommend, " Recommend │"),
        (Action::ShowMatrix, " Matrix │"),
    ] {
        update(&mut app, action);
        let text = screen_text(&draw(&mut app, 100, 30));
        let status = text.lines().nth(28).unwrap_or_default().to_string();
        assert!(status.starts_with(name), "{status}");
    }
}

#[test]
fn the_export_message_is_in_view_before_the_parameters() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer();
    app.export_folder = folder.path().to_path_buf();
    update(&mut app, Action::NextAlgorithm);
    update(&mut app, Action::ShowRecommend);
    settle(&mut app);
    update(&mut app, Action::Export);
    let text = screen_text(&draw(&mut app, 100, 30));
    let status = text.lines().nth(28).unwrap_or_default();
    // The dataset's name and size give way to the message as the folder's name
    // requires.
    assert!(
        status.starts_with(" Recommend │")
            && status.contains("│ knn_basic │ wrote 2 recommendations to "),
        "{status}"
    );
}

fn movielens() -> Option<std::path::PathBuf> {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ml-100k/u.data");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

#[test]
fn movielens_screens_match_pandas() {
    let Some(path) = movielens() else {
        return;
    };
    let dataset = data::load(&path, &data::LoadOptions::default()).unwrap();
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    let mut app = App::with_algorithms(dataset, "ml-100k/u.data", keys, theme, ALGORITHMS);
    update(&mut app, Action::ShowStats);
    settle(&mut app);
    // pandas: df.groupby("u").size() has 943 users, the most active with 737 ratings
    // and the least with 20 (GroupLens: every user rated at least 20 movies).
    let shape = app.stats_screen.shape.clone().unwrap();
    assert_eq!(shape.user_activity.len(), 943);
    assert_eq!(shape.user_activity.first(), Some(&737));
    assert_eq!(shape.user_activity.last(), Some(&20));

    // pandas: the item means of the movies user 1 has not rated, highest first, ties
    // in order of first appearance in the file: 1189, 1500, 814, 1536, 1293, all 5.0.
    let user = app.dataset.find_user("1").unwrap();
    let row = app.rows.iter().position(|&u| u == user).unwrap();
    for _ in 0..row {
        update(&mut app, Action::MoveDown);
    }
    update(&mut app, Action::ShowRecommend);
    settle(&mut app);
    let list = app.recommend_screen.list.as_ref().unwrap();
    assert_eq!(list.user, user);
    let top: Vec<(&str, f64)> = list.rows.as_ref().unwrap()[..5]
        .iter()
        .map(|r| (app.dataset.item_ids[r.item as usize].as_str(), r.score))
        .collect();
    assert_eq!(
        top,
        vec![
            ("1189", 5.0),
            ("1500", 5.0),
            ("814", 5.0),
            ("1536", 5.0),
            ("1293", 5.0)
        ]
    );
}

#[test]
fn a_figure_that_does_not_apply_is_empty_in_csv_and_null_in_json() {
    let folder = tempfile::tempdir().unwrap();
    // A ranking model has no RMSE: the leaderboard holds NaN for it.
    let table = ExportTable::default()
        .with(
            "algo",
            ColumnValues::Text(vec!["wals".into(), "svd".into()]),
        )
        .with("rmse", ColumnValues::Float(vec![f64::NAN, 0.5]));
    let csv = folder.path().join("board.csv");
    data::write_table(&csv, &table, TableFormat::Csv, &[]).unwrap();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "algo,rmse\nwals,\nsvd,0.5\n"
    );
    let json = folder.path().join("board.json");
    data::write_table(&json, &table, TableFormat::Json, &[]).unwrap();
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(rows[0]["rmse"].is_null() && rows[1]["rmse"] == 0.5);
}

#[test]
fn the_stats_export_writes_counts_without_thousands_separators() {
    // 1,200 users with one rating of 4 each, all of the one item.
    let names: Vec<String> = (0..1200).map(|k| format!("u{k}")).collect();
    let triples: Vec<(&str, &str, f64)> = names.iter().map(|u| (u.as_str(), "i", 4.0)).collect();
    let dataset = Dataset::from_triples(&triples, None).unwrap();
    let table = data::summary_table(&data::describe(&dataset));
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("summary.csv");
    data::write_table(&path, &table, TableFormat::Csv, &[]).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("\nusers,1200\n") && written.contains("\nratings,1200\n"),
        "{written}"
    );
}
