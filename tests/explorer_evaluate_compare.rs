//! The compare and evaluate screens and the matrix's hold-out and what-if modes,
//! driven through `update` without a terminal, drawn on ratatui's test backend, and
//! checked against `recscope eval` for the same folds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

use recscope::core::algorithms::{AlgorithmSpec, Output, REGISTRY, baseline};
use recscope::core::eval::AlgorithmResult;
use recscope::core::matrix::RatingMatrix;
use recscope::data::{self, Dataset, LoadOptions};
use recscope::tui::app::{App, Mode, Overlay, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::screens::evaluate::{Leaderboard, Metric, Run};
use recscope::tui::screens::hold_out::ErrorBand;
use recscope::tui::screens::what_if::Edit;
use recscope::tui::theme::Theme;
use recscope::tui::worker::{Lane, WorkerEvent};

mod common;
use common::{act, draw, press, screen_text, tiny};

/// Four algorithms whose predictions on the tiny matrix are sums a reader can redo.
static MEANS: [AlgorithmSpec; 4] = [
    baseline::GLOBAL_MEAN,
    baseline::USER_MEAN,
    baseline::ITEM_MEAN,
    baseline::BASELINE_ALS,
];

fn explorer(dataset: Dataset, algorithms: &'static [AlgorithmSpec]) -> App {
    let keys = KeyMap::defaults().unwrap();
    let theme = Theme::defaults().unwrap();
    App::with_algorithms(dataset, "tiny.csv", keys, theme, algorithms)
}

/// Runs every job the explorer asked for, here, until it asks for no more.
fn settle(app: &mut App) {
    app.settle_here(Duration::ZERO);
}

fn all_ratings(matrix: &RatingMatrix) -> Vec<(u32, u32, f64)> {
    matrix
        .ratings()
        .map(|r| (r.user, r.item, r.value))
        .collect()
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn repository_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn movielens() -> Option<PathBuf> {
    let path = repository_file("../shared/data/ml-100k/u.data");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

// ---------------------------------------------------------------- screens

#[test]
fn number_keys_and_tab_switch_screens() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    press(&mut app, KeyCode::Char('5'));
    assert_eq!(app.mode, Mode::Evaluate);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.mode, Mode::Compare);
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.mode, Mode::Explore);
    // Tab: matrix, stats, recommend, compare, evaluate, embeddings.
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.mode, Mode::Compare);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.mode, Mode::Evaluate);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.mode, Mode::Embeddings);
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.mode, Mode::Evaluate);
}

#[test]
fn the_smallest_terminal_shows_its_message_on_every_new_screen() {
    for action in [Action::ShowCompare, Action::ShowEvaluate, Action::HoldOut] {
        let mut app = explorer(tiny(), &MEANS);
        settle(&mut app);
        update(&mut app, action);
        settle(&mut app);
        let text = screen_text(&draw(&mut app, 50, 12));
        assert!(
            text.contains("recscope needs a bigger"),
            "{action:?}:\n{text}"
        );
        assert!(text.contains("50×12"), "{action:?}:\n{text}");
    }
}

// ---------------------------------------------------------------- evaluate

/// An algorithm's name, RMSE, MAE and FCP (`None` where not applicable).
type Figures = (String, Option<f64>, Option<f64>, Option<f64>);

/// `recscope eval --json` on `path` with `extra` arguments: (algorithm, RMSE, MAE, FCP).
fn cli_eval(path: &Path, extra: &[&str]) -> Vec<Figures> {
    let output = Command::new(env!("CARGO_BIN_EXE_recscope"))
        .arg("eval")
        .arg(path)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["algo"].as_str().unwrap().to_string(),
                r["rmse"].as_f64(),
                r["mae"].as_f64(),
                r["fcp"].as_f64(),
            )
        })
        .collect()
}

/// The evaluate screen's leaderboard in the order evaluated.
fn screen_eval(app: &App) -> Vec<Figures> {
    let Run::Done(board) = &app.evaluate.run else {
        panic!("no leaderboard: {:?}", app.evaluate.run);
    };
    board
        .results
        .iter()
        .map(|r| {
            let finite = |v: f64| v.is_finite().then_some(v);
            (r.algo.clone(), finite(r.rmse), finite(r.mae), r.fcp)
        })
        .collect()
}

fn assert_same_figures(cli: &[Figures], screen: &[Figures]) {
    assert_eq!(cli.len(), screen.len());
    for (expected, got) in cli.iter().zip(screen) {
        assert_eq!(expected.0, got.0);
        // The same folds and fits; only sums that rayon splits differently between
        // runs may differ, in the last bits.
        // Ranking models have no RMSE, MAE or FCP: JSON null, NaN on the screen.
        let same = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * a.abs().max(1.0),
            (a, b) => a == b,
        };
        assert!(
            same(expected.1, got.1),
            "{} RMSE {expected:?} {got:?}",
            got.0
        );
        assert!(
            same(expected.2, got.2),
            "{} MAE {expected:?} {got:?}",
            got.0
        );
        assert!(
            same(expected.3, got.3),
            "{} FCP {expected:?} {got:?}",
            got.0
        );
    }
}

#[test]
fn evaluate_screen_gives_the_figures_of_recscope_eval_on_the_classroom_sample() {
    let path = repository_file("sample-data/classroom/ratings.csv");
    let cli = cli_eval(&path, &[]);

    let mut app = classroom_explorer();
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    assert!(matches!(app.evaluate.run, Run::Running { .. }));
    settle(&mut app);
    assert_eq!(screen_eval(&app).len(), REGISTRY.len());
    assert_same_figures(&cli, &screen_eval(&app));
}

#[test]
fn evaluate_screen_gives_the_figures_of_recscope_eval_on_movielens() {
    let Some(path) = movielens() else {
        return;
    };
    let cli = cli_eval(&path, &["--algos", "global_mean,baseline_als"]);

    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    let mut app = App::new(
        dataset,
        "ml-100k/u.data",
        KeyMap::defaults().unwrap(),
        Theme::defaults().unwrap(),
    );
    settle(&mut app);
    // Everything off, then global_mean (first) and baseline_als (fourth) on.
    act(
        &mut app,
        &[
            Action::ShowEvaluate,
            Action::ChooseAll,
            Action::ToggleChoice,
            Action::MoveDown,
            Action::MoveDown,
            Action::MoveDown,
            Action::ToggleChoice,
            Action::Run,
        ],
    );
    assert_eq!(REGISTRY[3].name, "baseline_als");
    settle(&mut app);
    assert_same_figures(&cli, &screen_eval(&app));
}

#[test]
fn evaluate_screen_top_k_figures_are_those_of_recscope_eval() {
    let path = repository_file("sample-data/classroom/ratings.csv");
    let output = Command::new(env!("CARGO_BIN_EXE_recscope"))
        .arg("eval")
        .arg(&path)
        .args([
            "--json",
            "--algos",
            "global_mean,user_mean,item_mean,baseline_als",
            "--top-k",
            "10",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let cli: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    let mut app = explorer(dataset, &MEANS);
    settle(&mut app);
    act(
        &mut app,
        &[Action::ShowEvaluate, Action::ToggleTopK, Action::Run],
    );
    settle(&mut app);
    let Run::Done(board) = &app.evaluate.run else {
        panic!("not done");
    };
    assert_eq!(board.top_k, Some(10));
    assert!(app.evaluate.metrics().contains(&Metric::Ndcg));
    for (expected, got) in cli.as_array().unwrap().iter().zip(&board.results) {
        assert_eq!(expected["algo"].as_str(), Some(got.algo.as_str()));
        let ranking = got.ranking.unwrap();
        let figures = [
            ("precision", ranking.precision),
            ("recall", ranking.recall),
            ("ndcg", ranking.ndcg),
            ("hit_rate", ranking.hit_rate),
        ];
        for (name, value) in figures {
            let wanted = expected["ranking"][name].as_f64().unwrap();
            assert!((wanted - value).abs() < 1e-12, "{} {name}", got.algo);
        }
    }
}

#[test]
fn choosing_algorithms_and_running_without_any() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    update(&mut app, Action::ShowEvaluate);
    assert_eq!(app.evaluate.chosen, vec![true; 4]);
    act(&mut app, &[Action::MoveDown, Action::ToggleChoice]);
    assert_eq!(app.evaluate.chosen, vec![true, false, true, true]);
    // Not all chosen: `*` chooses all; all chosen: `*` clears.
    update(&mut app, Action::ChooseAll);
    assert_eq!(app.evaluate.chosen, vec![true; 4]);
    update(&mut app, Action::ChooseAll);
    assert_eq!(app.evaluate.chosen, vec![false; 4]);
    update(&mut app, Action::Run);
    assert_eq!(app.evaluate.run, Run::NotRun);
    let message = app.message.clone().unwrap();
    assert!(
        message.is_error && message.text.contains("space"),
        "{message:?}"
    );
    assert!(app.outbox.is_empty());
}

#[test]
fn cancelling_an_evaluation_drops_its_result() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    let job = app.outbox.pop().unwrap();
    assert_eq!(job.lane, Lane::Evaluate);
    update(&mut app, Action::Cancel);
    assert_eq!(app.evaluate.run, Run::Cancelled);
    assert!(job.cancel.load(std::sync::atomic::Ordering::Relaxed));
    // The job had started before the flag was set and finishes anyway: its result is
    // stale and must not show.
    let generation = job.generation;
    job.cancel
        .store(false, std::sync::atomic::Ordering::Relaxed);
    let output = job.run_here();
    app.on_worker(WorkerEvent::Done {
        lane: Lane::Evaluate,
        generation,
        elapsed: Duration::ZERO,
        output,
    });
    assert_eq!(app.evaluate.run, Run::Cancelled);
}

#[test]
fn cancelling_a_second_evaluation_brings_back_the_first_leaderboard() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    settle(&mut app);
    let Run::Done(first) = app.evaluate.run.clone() else {
        panic!("the first run finished: {:?}", app.evaluate.run);
    };
    act(&mut app, &[Action::Run, Action::Cancel]);
    assert_eq!(app.evaluate.run, Run::Done(first));
    assert!(
        app.outbox
            .iter()
            .all(|job| job.cancel.load(std::sync::atomic::Ordering::Relaxed))
    );
}

#[test]
fn the_leaderboard_sorts_by_the_chosen_metric() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    settle(&mut app);
    let Run::Done(board) = &app.evaluate.run else {
        panic!("not done");
    };
    let rmse: Vec<f64> = board.ranked(Metric::Rmse).iter().map(|r| r.rmse).collect();
    assert!(rmse.windows(2).all(|w| w[0] <= w[1]), "{rmse:?}");
    update(&mut app, Action::NextMetric);
    assert_eq!(app.evaluate.metric, Metric::Mae);
    // Without top-k lists the metric cycles through the five accuracy and time
    // figures only.
    act(&mut app, &[Action::NextMetric; 4]);
    assert_eq!(app.evaluate.metric, Metric::Rmse);
}

/// Fit and predict times differ from run to run; the snapshots show fixed ones.
fn fix_times(app: &mut App) {
    if let Run::Done(board) = &mut app.evaluate.run {
        for (k, result) in board.results.iter_mut().enumerate() {
            result.fit_s = 0.001 * (k + 1) as f64;
            result.predict_s = 0.0005;
        }
    }
}

#[test]
fn screen_evaluate_before_running_and_done() {
    for (width, height) in [(100, 30), (160, 45)] {
        let mut app = explorer(tiny(), &MEANS);
        settle(&mut app);
        update(&mut app, Action::ShowEvaluate);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(
            format!("evaluate_before_{width}x{height}"),
            terminal.backend()
        );

        update(&mut app, Action::Run);
        let job = app.outbox.pop().unwrap();
        app.on_worker(WorkerEvent::Progress {
            lane: Lane::Evaluate,
            generation: job.generation,
            fraction: 0.4,
            stage: "user_mean on fold 3".to_string(),
        });
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(
            format!("evaluate_running_{width}x{height}"),
            terminal.backend()
        );

        app.outbox.push(job);
        settle(&mut app);
        fix_times(&mut app);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(
            format!("evaluate_done_{width}x{height}"),
            terminal.backend()
        );
    }
}

/// The explorer on the classroom sample, with every algorithm of the registry.
fn classroom_explorer() -> App {
    let path = repository_file("sample-data/classroom/ratings.csv");
    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    App::new(
        dataset,
        "classroom/ratings.csv",
        KeyMap::defaults().unwrap(),
        Theme::defaults().unwrap(),
    )
}

/// The explorer on the classroom sample with every algorithm of the registry (23,
/// wals and bpr among them, which rank rather than rate) cross-validated, top-k
/// lists too when `top_k`; times fixed as in the snapshots.
fn classroom_evaluated(top_k: bool) -> App {
    let mut app = classroom_explorer();
    settle(&mut app);
    update(&mut app, Action::ShowEvaluate);
    if top_k {
        update(&mut app, Action::ToggleTopK);
    }
    update(&mut app, Action::Run);
    settle(&mut app);
    fix_times(&mut app);
    app
}

fn leaderboard(app: &App) -> &Leaderboard {
    match &app.evaluate.run {
        Run::Done(board) => board,
        other => panic!("no leaderboard: {other:?}"),
    }
}

/// The leaderboard panel as drawn: the text inside its border, row by row, and its
/// bottom edge (where the scroll marker goes).
struct DrawnTable {
    header: String,
    /// The rows under the header: ranked algorithms, then any notes.
    lines: Vec<String>,
    bottom: String,
}

fn drawn_leaderboard(text: &str) -> DrawnTable {
    let rows: Vec<Vec<char>> = text.lines().map(|line| line.chars().collect()).collect();
    let (top, left) = (rows.iter().enumerate())
        .find_map(|(y, row)| {
            let line: String = row.iter().collect();
            let at = line.find("╭ Leaderboard by")?;
            Some((y, line[..at].chars().count()))
        })
        .unwrap_or_else(|| panic!("no leaderboard panel:\n{text}"));
    let right = rows[top].iter().rposition(|&c| c == '╮').unwrap();
    let bottom = (top + 1..rows.len())
        .find(|&y| rows[y][left] == '╰')
        .unwrap();
    let inside = |y: usize| rows[y][left + 1..right].iter().collect::<String>();
    DrawnTable {
        header: inside(top + 1),
        lines: (top + 2..bottom).map(inside).collect(),
        bottom: rows[bottom][left..=right].iter().collect(),
    }
}

/// The metrics whose columns the header shows, left to right.
fn drawn_metrics(header: &str) -> Vec<Metric> {
    let mut found: Vec<(usize, Metric)> = (Metric::ALL.iter())
        .filter_map(|&metric| {
            let label = metric.label();
            let (at, _) = header.match_indices(label).find(|&(at, _)| {
                let after = &header[at + label.len()..];
                header[..at].ends_with(' ') && (after.is_empty() || after.starts_with(' '))
            })?;
            Some((at, metric))
        })
        .collect();
    found.sort_by_key(|&(at, _)| at);
    found.into_iter().map(|(_, metric)| metric).collect()
}

/// The ranked rows of the drawn table: (rank, algorithm, the cells of figures), with
/// `n/a (ranks)` kept as one cell.
fn drawn_rows(table: &DrawnTable) -> Vec<(usize, String, Vec<String>)> {
    // The notes under the rows say what is left out and what n/a means.
    let note = |line: &str| line.contains("on a wider terminal") || line.starts_with("n/a");
    (table.lines.iter())
        .filter(|line| !note(line))
        .filter_map(|line| {
            let line = line.replace("n/a (ranks)", "n/a_(ranks)");
            let mut cells = line.split_whitespace();
            let rank = cells.next()?.parse().ok()?;
            let name = cells.next()?.to_string();
            Some((rank, name, cells.map(str::to_string).collect()))
        })
        .collect()
}

/// How `recscope eval` writes the figure (RMSE, MAE, FCP to four places, times to
/// three), computed here apart from the view; the cells a ranking model may show for
/// RMSE, MAE and FCP.
fn acceptable_cells(metric: Metric, result: &AlgorithmResult) -> Vec<String> {
    let accuracy = matches!(metric, Metric::Rmse | Metric::Mae | Metric::Fcp);
    if accuracy && result.output == Output::Score {
        return vec!["n/a".to_string(), "n/a_(ranks)".to_string()];
    }
    let cell = match metric.value(result) {
        None => "–".to_string(),
        Some(value) if matches!(metric, Metric::FitSeconds | Metric::PredictSeconds) => {
            format!("{value:.3}")
        }
        Some(value) => format!("{value:.4}"),
    };
    vec![cell]
}

/// Checks every cell the screen shows against the leaderboard; returns the ranks
/// shown.
fn assert_whole_figures(app: &App, text: &str) -> Vec<usize> {
    let board = leaderboard(app);
    let metric = app.evaluate.metric;
    let ranked = board.ranked(metric);
    let table = drawn_leaderboard(text);
    let shown = drawn_metrics(&table.header);
    assert!(shown.contains(&metric), "{metric:?} not shown:\n{text}");
    let all = app.evaluate.metrics();
    let hidden = all.len() - shown.len();
    if hidden > 0 {
        assert!(
            text.contains(&format!("{hidden} more column")),
            "{hidden} hidden, unsaid:\n{text}"
        );
    }
    // The others in their usual order.
    let usual: Vec<Metric> = all.iter().copied().filter(|m| shown.contains(m)).collect();
    assert_eq!(shown, usual, "{text}");

    let rows = drawn_rows(&table);
    assert!(!rows.is_empty(), "no rows:\n{text}");
    let mut names: Vec<&str> = rows.iter().map(|(_, name, _)| name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), rows.len(), "a name shown twice:\n{text}");
    for (rank, name, cells) in &rows {
        let result = ranked[rank - 1];
        assert_eq!(name, &result.algo, "rank {rank}:\n{text}");
        assert_eq!(cells.len(), shown.len(), "{name}:\n{text}");
        for (cell, &metric) in cells.iter().zip(&shown) {
            assert!(
                !cell.starts_with('.'),
                "{name} {metric:?} cut: {cell}\n{text}"
            );
            if cell.starts_with(|c: char| c.is_ascii_digit()) {
                assert!(cell.parse::<f64>().is_ok(), "{name} {metric:?}: {cell}");
            }
            assert!(
                acceptable_cells(metric, result).contains(cell),
                "{name} {metric:?}: {cell}, expected {:?}\n{text}",
                acceptable_cells(metric, result)
            );
        }
    }
    rows.iter().map(|(rank, _, _)| *rank).collect()
}

#[test]
fn every_figure_on_a_narrow_leaderboard_is_shown_whole_whatever_it_is_sorted_by() {
    for top_k in [false, true] {
        let mut app = classroom_evaluated(top_k);
        for (width, height) in [(80, 24), (100, 30)] {
            for _ in app.evaluate.metrics() {
                // Every row, page by page.
                let count = leaderboard(&app).results.len();
                let mut seen = Vec::new();
                for _ in 0..count {
                    let text = screen_text(&draw(&mut app, width, height));
                    seen.extend(assert_whole_figures(&app, &text));
                    if !drawn_leaderboard(&text).bottom.contains("below") {
                        break;
                    }
                    update(&mut app, Action::ScrollExplainDown);
                }
                seen.sort();
                seen.dedup();
                assert_eq!(seen, (1..=count).collect::<Vec<_>>(), "{width}x{height}");
                update(&mut app, Action::NextMetric);
            }
        }
    }
}

#[test]
fn the_narrow_leaderboard_leaves_out_whole_columns_and_says_how_many() {
    let mut app = classroom_evaluated(true);
    // 80 columns: 52 for the panel, 50 inside; the rank (2), the names (18, for
    // slope_one_weighted) and spaces take 22, leaving 28: RMSE, MAE, FCP need 7 each
    // with their space, fit s 6. The five others wait for a wider terminal.
    let text = screen_text(&draw(&mut app, 80, 24));
    let table = drawn_leaderboard(&text);
    assert_eq!(
        drawn_metrics(&table.header),
        [Metric::Rmse, Metric::Mae, Metric::Fcp, Metric::FitSeconds]
    );
    assert!(
        text.contains("5 more columns on a wider terminal"),
        "{text}"
    );
    assert!(table.header.contains("algorithm "), "{text}");

    // Sorted by NDCG@k, its column comes in, in its usual place, for fit s.
    while app.evaluate.metric != Metric::Ndcg {
        update(&mut app, Action::NextMetric);
    }
    let text = screen_text(&draw(&mut app, 80, 24));
    assert_eq!(
        drawn_metrics(&drawn_leaderboard(&text).header),
        [Metric::Rmse, Metric::Mae, Metric::Fcp, Metric::Ndcg]
    );
}

#[test]
fn scrolling_the_leaderboard_reveals_its_last_algorithm() {
    for (width, height) in [(80, 24), (100, 30), (160, 45)] {
        let mut app = classroom_evaluated(false);
        let count = leaderboard(&app).results.len();
        let last = leaderboard(&app).ranked(Metric::Rmse)[count - 1]
            .algo
            .clone();
        let text = screen_text(&draw(&mut app, width, height));
        let table = drawn_leaderboard(&text);
        let ranks: Vec<usize> = drawn_rows(&table).iter().map(|row| row.0).collect();
        assert_eq!(ranks.first(), Some(&1));
        assert!(!ranks.contains(&count), "{width}x{height}:\n{text}");
        let below = count - ranks.len();
        assert!(
            table
                .bottom
                .contains(&format!("▼ {below} more below — J/K to scroll")),
            "{}",
            table.bottom
        );

        // J and K scroll the leaderboard; the checklist's cursor stays.
        for _ in 0..count {
            press(&mut app, KeyCode::Char('J'));
        }
        assert_eq!(app.evaluate.highlighted, 0);
        assert_eq!(app.evaluate.table_scroll, count - 1);
        let text = screen_text(&draw(&mut app, width, height));
        let table = drawn_leaderboard(&text);
        let rows = drawn_rows(&table);
        assert_eq!(rows.last().map(|row| &row.1), Some(&last), "{text}");
        assert_eq!(rows.last().map(|row| row.0), Some(count));
        // The last page stays full.
        assert_eq!(rows.len(), ranks.len(), "{text}");
        assert!(table.bottom.contains("more above"), "{}", table.bottom);

        for _ in 0..count {
            press(&mut app, KeyCode::Char('K'));
        }
        assert_eq!(app.evaluate.table_scroll, 0);
        let text = screen_text(&draw(&mut app, width, height));
        assert_eq!(drawn_rows(&drawn_leaderboard(&text))[0].0, 1);
    }
}

#[test]
fn a_new_metric_shows_the_leaderboard_from_its_best() {
    let mut app = classroom_evaluated(false);
    act(&mut app, &[Action::ScrollExplainDown; 3]);
    assert_eq!(app.evaluate.table_scroll, 9);
    update(&mut app, Action::NextMetric);
    assert_eq!(app.evaluate.table_scroll, 0);
}

#[test]
fn ranking_models_read_n_a_ranks_for_rating_accuracy() {
    let mut app = classroom_evaluated(false);
    let ranking: Vec<String> = (leaderboard(&app).results.iter())
        .filter(|r| r.output == Output::Score)
        .map(|r| r.algo.clone())
        .collect();
    assert_eq!(ranking, ["wals", "bpr"]);

    // Wide: the words of `recscope eval` in the cells.
    act(&mut app, &[Action::ScrollExplainDown; 8]);
    let text = screen_text(&draw(&mut app, 160, 45));
    let rows = drawn_rows(&drawn_leaderboard(&text));
    let wals = rows.iter().find(|row| row.1 == "wals").unwrap();
    assert_eq!(wals.2[..3], ["n/a_(ranks)"; 3], "{text}");
    assert!(!text.contains("only rank items"), "{text}");

    // Narrow: n/a in the cells, the words in a note under them.
    let text = screen_text(&draw(&mut app, 100, 30));
    let table = drawn_leaderboard(&text);
    let wals = drawn_rows(&table)
        .into_iter()
        .find(|row| row.1 == "wals")
        .unwrap();
    assert_eq!(wals.2[..3], ["n/a"; 3], "{text}");
    assert!(
        table
            .lines
            .iter()
            .any(|line| line.trim_end() == "n/a (ranks): wals, bpr only rank items"),
        "{text}"
    );
}

#[test]
fn the_chart_title_says_when_it_shows_only_the_first_bars() {
    let mut app = classroom_evaluated(false);
    // 45 rows: 43 above the status lines, a third of them (14) for the chart, 12
    // inside its border; 21 algorithms have an RMSE (wals and bpr none).
    let text = screen_text(&draw(&mut app, 160, 45));
    assert!(
        text.contains(" RMSE by algorithm: first 12 of 21 (m next metric) "),
        "{text}"
    );
    // Four algorithms fit without a word.
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    settle(&mut app);
    let text = screen_text(&draw(&mut app, 160, 45));
    assert!(
        text.contains(" RMSE by algorithm (m next metric) "),
        "{text}"
    );
}

#[test]
fn screen_evaluate_classroom_narrow() {
    for (width, height, top_k) in [(80, 24, false), (100, 30, false), (100, 30, true)] {
        let mut app = classroom_evaluated(top_k);
        let terminal = draw(&mut app, width, height);
        let top_k = if top_k { "_top_k" } else { "" };
        insta::assert_snapshot!(
            format!("evaluate_classroom{top_k}_{width}x{height}"),
            terminal.backend()
        );
    }
}

// ---------------------------------------------------------------- hold-out

#[test]
fn hold_out_hides_exactly_the_seeded_share_and_restores_the_matrix() {
    let path = repository_file("sample-data/classroom/ratings.csv");
    let dataset = data::load(&path, &LoadOptions::default()).unwrap();
    let full = all_ratings(&dataset.matrix);
    assert_eq!(full.len(), 459);
    let mut app = explorer(dataset, &MEANS);
    settle(&mut app);

    update(&mut app, Action::HoldOut);
    settle(&mut app);
    // ⌈0.10 × 459⌉ = ⌈45.9⌉ = 46 hidden, 459 − 46 = 413 left.
    let active = app.hold_out.active.as_ref().unwrap();
    assert_eq!(active.hidden.len(), 46);
    assert_eq!(app.dataset.matrix.n_ratings(), 413);
    for (&(user, item), hidden) in &active.hidden {
        assert_eq!(app.dataset.matrix.rating(user, item), None);
        assert_eq!(active.full.matrix.rating(user, item), Some(hidden.rating));
        assert!(hidden.prediction.is_some());
    }
    // The model shown was fitted on the 413.
    let fitted = app.model.as_ref().unwrap();
    assert_eq!(fitted.model.matrix().n_ratings(), 413);

    // `>` steps the share to 15%: ⌈0.15 × 459⌉ = ⌈68.85⌉ = 69 hidden.
    update(&mut app, Action::MoreHeldOut);
    settle(&mut app);
    assert_eq!(app.hold_out.active.as_ref().unwrap().hidden.len(), 69);
    assert_eq!(app.dataset.matrix.n_ratings(), 459 - 69);

    update(&mut app, Action::HoldOut);
    settle(&mut app);
    assert!(app.hold_out.active.is_none());
    assert_eq!(all_ratings(&app.dataset.matrix), full);
    assert_eq!(app.model.as_ref().unwrap().model.matrix().n_ratings(), 459);
}

#[test]
fn error_bands_split_at_a_half_and_one() {
    assert_eq!(ErrorBand::of(3.6, 4.0), ErrorBand::Close); // |−0.4| < 0.5
    assert_eq!(ErrorBand::of(4.5, 4.0), ErrorBand::Near); // 0.5 is not < 0.5
    assert_eq!(ErrorBand::of(3.01, 4.0), ErrorBand::Near); // 0.99 < 1
    assert_eq!(ErrorBand::of(5.0, 4.0), ErrorBand::Far); // 1 is not < 1
    assert_eq!(ErrorBand::of(1.0, 4.0), ErrorBand::Far);
}

/// The tiny matrix with 30% held out, predicted by the global mean.
///
/// numpy's `RandomState(0).shuffle` of positions 0..7 gives [6, 2, 1, 3, 0, 5, 4]
/// (checked with numpy); ⌈0.3 × 7⌉ = 3, so #6 (U3 × C = 5), #2 (U2 × A = 3) and #1
/// (U1 × B = 4) are hidden. The rest, 5, 4, 2, 5, have the mean μ = 16 / 4 = 4:
/// errors |4 − 5| = 1 (red), |4 − 3| = 1 (red), |4 − 4| = 0 (green);
/// RMSE = √((1 + 1 + 0) / 3) = √(2/3) = 0.8165, MAE = 2/3 = 0.6667.
fn tiny_held_out() -> App {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    // 10% → 15 → 20 → 25 → 30%
    act(&mut app, &[Action::MoreHeldOut; 4]);
    assert_eq!(app.hold_out.share, 0.3);
    update(&mut app, Action::HoldOut);
    settle(&mut app);
    app
}

#[test]
fn hold_out_colours_each_hidden_cell_by_its_error() {
    let mut app = tiny_held_out();
    let active = app.hold_out.active.as_ref().unwrap();
    let mut hidden: Vec<(u32, u32)> = active.hidden.keys().copied().collect();
    hidden.sort();
    assert_eq!(hidden, vec![(0, 1), (1, 0), (2, 2)]);
    let scores = active.scores.unwrap();
    assert!((scores.rmse - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert!((scores.mae - 2.0 / 3.0).abs() < 1e-12);

    let terminal = draw(&mut app, 100, 30);
    let buffer = terminal.backend().buffer();
    // Find each hidden cell's text, "~4.0", on its row, and read its background.
    let text = screen_text(&terminal);
    let rows: Vec<&str> = text.lines().collect();
    // Each user's row has one hidden cell, the only one drawn with `~`: U1 × B
    // (error 0), U2 × A and U3 × C (error 1).
    let colour_of = |user: &str| {
        let y = rows
            .iter()
            .position(|r| r.contains(&format!("│{user} ")))
            .unwrap();
        let x = rows[y].chars().position(|c| c == '~').unwrap();
        buffer[(x as u16, y as u16)].bg
    };
    assert_eq!(colour_of("U1"), Color::Green);
    assert_eq!(colour_of("U2"), Color::Red);
    assert_eq!(colour_of("U3"), Color::Red);
    assert!(text.contains("hold-out RMSE 0.816 MAE 0.667"), "{text}");
}

#[test]
fn the_explanation_shows_the_held_out_rating_beside_the_prediction() {
    let mut app = tiny_held_out();
    draw(&mut app, 100, 30);
    // U3 × Movie C: held out 5, predicted 4, error 4 − 5 = −1.
    act(
        &mut app,
        &[
            Action::MoveDown,
            Action::MoveDown,
            Action::MoveRight,
            Action::MoveRight,
        ],
    );
    let text = screen_text(&draw(&mut app, 100, 30));
    assert!(text.contains("Explain: user U3 × Movie C"), "{text}");
    assert!(
        text.contains("Held-out rating  5  (hidden from the fit)"),
        "{text}"
    );
    assert!(text.contains("Error  4.000 − 5 = −1.000"), "{text}");
}

#[test]
fn screen_hold_out_matrix() {
    for (width, height) in [(100, 30), (160, 45)] {
        let mut app = tiny_held_out();
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("hold_out_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn edits_are_refused_in_hold_out_mode() {
    let mut app = tiny_held_out();
    let before = all_ratings(&app.dataset.matrix);
    update(&mut app, Action::ClearRating);
    update(&mut app, Action::EditRating);
    assert!(app.overlay.is_none());
    assert_eq!(all_ratings(&app.dataset.matrix), before);
    assert!(app.message.as_ref().unwrap().text.contains("hold-out"));
}

// ---------------------------------------------------------------- what-if

#[test]
fn a_typed_rating_is_checked_against_the_scale() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    // U1 × Movie C, unknown.
    act(&mut app, &[Action::MoveRight, Action::MoveRight]);
    update(&mut app, Action::EditRating);
    type_text(&mut app, "7");
    press(&mut app, KeyCode::Enter);
    let Some(Overlay::Rating(prompt)) = &app.overlay else {
        panic!("the prompt closed");
    };
    let error = prompt.error.clone().unwrap();
    assert!(error.contains("7") && error.contains("1 to 5"), "{error}");
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "four");
    press(&mut app, KeyCode::Enter);
    let Some(Overlay::Rating(prompt)) = &app.overlay else {
        panic!("the prompt closed");
    };
    assert!(
        prompt
            .error
            .clone()
            .unwrap()
            .contains("'four' is not a number")
    );
    assert_eq!(app.dataset.matrix.rating(0, 2), None);
    assert!(app.what_if.edits.is_empty());
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn edits_refit_and_highlight_the_predictions_they_move() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    draw(&mut app, 100, 30);
    update(&mut app, Action::TogglePredictions);
    // U1 × Movie C, unknown; the global mean predicts μ = 28 / 7 = 4 everywhere.
    act(&mut app, &[Action::MoveRight, Action::MoveRight]);
    assert_eq!(app.prediction(0, 3), Some(4.0));
    update(&mut app, Action::EditRating);
    type_text(&mut app, "1");
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    settle(&mut app);

    assert_eq!(app.dataset.matrix.rating(0, 2), Some(1.0));
    // μ = (28 + 1) / 8 = 3.625: each of the 4 cells still unknown moved by 0.375.
    assert_eq!(app.prediction(0, 3), Some(3.625));
    let mut moved: Vec<(u32, u32)> = app.what_if.moved.iter().copied().collect();
    moved.sort();
    assert_eq!(moved, vec![(0, 3), (1, 1), (2, 0), (2, 3)]);
    let text = screen_text(&draw(&mut app, 100, 30));
    assert!(text.contains("EDITED (1 edit) · tiny.csv"), "{text}");
    insta::assert_snapshot!("what_if_edited_100x30", text);
}

#[test]
fn undo_restores_the_exact_matrix_step_by_step() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    let original = all_ratings(&app.dataset.matrix);

    // Set U1 × Movie C to 2, then clear U2 × Movie A (3).
    act(&mut app, &[Action::MoveRight, Action::MoveRight]);
    update(&mut app, Action::EditRating);
    type_text(&mut app, "2");
    press(&mut app, KeyCode::Enter);
    settle(&mut app);
    let after_first = all_ratings(&app.dataset.matrix);
    act(&mut app, &[Action::MoveDown, Action::FirstColumn]);
    update(&mut app, Action::ClearRating);
    settle(&mut app);
    assert_eq!(
        app.what_if.edits,
        vec![
            Edit {
                user: 0,
                item: 2,
                rating: Some(2.0)
            },
            Edit {
                user: 1,
                item: 0,
                rating: None
            },
        ]
    );
    // By hand, user by user, each user's ratings in file order (the new one last):
    // U1: A 5, B 4, C 2 · U2: C 4, D 2 · U3: B 5, C 5.
    assert_eq!(
        all_ratings(&app.dataset.matrix),
        vec![
            (0, 0, 5.0),
            (0, 1, 4.0),
            (0, 2, 2.0),
            (1, 2, 4.0),
            (1, 3, 2.0),
            (2, 1, 5.0),
            (2, 2, 5.0),
        ]
    );

    update(&mut app, Action::Undo);
    settle(&mut app);
    assert_eq!(all_ratings(&app.dataset.matrix), after_first);
    update(&mut app, Action::Undo);
    settle(&mut app);
    assert_eq!(all_ratings(&app.dataset.matrix), original);
    assert!(!app.what_if.is_edited());
    // The model shown is fitted on the restored matrix: μ = 4 again.
    assert_eq!(app.model.as_ref().unwrap().model.predict_value(0, 3), 4.0);
    update(&mut app, Action::Undo);
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("nothing to undo")
    );
}

#[test]
fn clearing_an_unknown_cell_changes_nothing() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    act(&mut app, &[Action::MoveRight, Action::MoveRight]);
    update(&mut app, Action::ClearRating);
    assert!(app.what_if.edits.is_empty());
    assert!(app.outbox.is_empty());
}

// ---------------------------------------------------------------- compare

#[test]
fn compare_takes_at_most_four_algorithms() {
    let mut app = explorer(tiny(), REGISTRY);
    settle(&mut app);
    update(&mut app, Action::ShowCompare);
    // The current algorithm and the next one to begin with.
    assert_eq!(app.compare.chosen, vec![0, 1]);
    act(&mut app, &[Action::NextAlgorithm, Action::NextAlgorithm]);
    update(&mut app, Action::ToggleChoice);
    update(&mut app, Action::NextAlgorithm);
    update(&mut app, Action::ToggleChoice);
    assert_eq!(app.compare.chosen, vec![0, 1, 2, 3]);
    update(&mut app, Action::NextAlgorithm);
    update(&mut app, Action::ToggleChoice);
    assert_eq!(app.compare.chosen, vec![0, 1, 2, 3]);
    let message = app.message.clone().unwrap();
    assert!(
        message.is_error && message.text.contains("at most 4"),
        "{message:?}"
    );
    // Space on a chosen algorithm takes it out.
    update(&mut app, Action::PreviousAlgorithm);
    update(&mut app, Action::ToggleChoice);
    assert_eq!(app.compare.chosen, vec![0, 1, 2]);
    settle(&mut app);
    assert_eq!(app.compare.models.len(), 3);
}

#[test]
fn cancelled_compare_fits_stay_cancelled_until_asked_for_again() {
    let mut app = explorer(tiny(), REGISTRY);
    settle(&mut app);
    // The explorer's own model is the first algorithm; the second needs a fit.
    update(&mut app, Action::ShowCompare);
    assert!(app.busy.contains_key(&Lane::Compare));
    update(&mut app, Action::Cancel);
    let message = app.message.clone().unwrap();
    assert!(
        message.text.contains("to compare cancelled (4 fits again)"),
        "{message:?}"
    );
    // Moving about the screen asks for no fit, and the jobs left run to nothing.
    act(&mut app, &[Action::MoveDown, Action::MoveRight]);
    assert!(!app.busy.contains_key(&Lane::Compare));
    settle(&mut app);
    assert_eq!(app.compare.models.len(), 1);
    // Entering the screen again fits the missing model.
    act(&mut app, &[Action::ShowMatrix, Action::ShowCompare]);
    assert!(app.busy.contains_key(&Lane::Compare));
    settle(&mut app);
    assert_eq!(app.compare.models.len(), 2);
}

/// The global mean and WALS, whose values are ranking scores.
static MEAN_AND_WALS: [AlgorithmSpec; 2] = [
    baseline::GLOBAL_MEAN,
    recscope::core::algorithms::wals::WALS,
];

#[test]
fn compare_leaves_ranking_scores_out_of_spreads_and_differences() {
    let mut app = explorer(tiny(), &MEAN_AND_WALS);
    settle(&mut app);
    update(&mut app, Action::ShowCompare);
    settle(&mut app);
    assert_eq!(app.compare.chosen, vec![0, 1]);
    // WALS scores are near 0 or 1 and the global mean is 4: as ratings they would
    // spread by about 3 everywhere, yet no cell disagrees, having one rating only.
    for values in app.compare.predictions.values() {
        assert!(values.iter().all(Option::is_some), "{values:?}");
        let rated = recscope::tui::screens::compare::ratings_only(&app, values);
        assert_eq!(rated[1], None);
        assert!(!recscope::tui::screens::compare::disagree(&rated));
    }
    let text = screen_text(&draw(&mut app, 100, 30));
    assert!(!text.contains("they disagree"), "{text}");
    let wals = (text.lines())
        .find(|line| line.trim_start_matches('│').starts_with("wals "))
        .unwrap_or_else(|| panic!("no wals row:\n{text}"));
    assert!(
        wals.contains(" n/a ") && wals.contains("a ranking score, not a rating"),
        "{wals}"
    );
}

#[test]
fn compare_predicts_each_cell_and_flags_disagreement() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    draw(&mut app, 100, 30);
    update(&mut app, Action::ShowCompare);
    settle(&mut app);
    assert_eq!(app.compare.chosen, vec![0, 1]);
    // Global mean μ = 28 / 7 = 4; user means U1 (5 + 4) / 2 = 4.5, U2 (3 + 4 + 2) / 3
    // = 3, U3 (5 + 5) / 2 = 5.
    // U1 × C: 4 and 4.5, spread 0.5, not over 0.5. U2 × B: 4 and 3, spread 1.
    assert_eq!(app.compare.predictions[&(0, 2)], vec![Some(4.0), Some(4.5)]);
    assert_eq!(app.compare.predictions[&(1, 1)], vec![Some(4.0), Some(3.0)]);
    assert!(!recscope::tui::screens::compare::disagree(
        &app.compare.predictions[&(0, 2)]
    ));
    assert!(recscope::tui::screens::compare::disagree(
        &app.compare.predictions[&(1, 1)]
    ));
    // The selected cell, U1 × A (known 5), is predicted too: 4 and 4.5.
    assert_eq!(app.compare.selected, vec![Some(4.0), Some(4.5)]);

    // In the first grid, U1's and U2's first predicted cells are U1 × C (spread 0.5,
    // plain) and U2 × B (spread 1, highlighted).
    let terminal = draw(&mut app, 100, 30);
    let text = screen_text(&terminal);
    let rows: Vec<&str> = text.lines().collect();
    let background = |user: &str| {
        let y = rows
            .iter()
            .position(|r| r.starts_with(&format!("│{user} ")))
            .unwrap();
        let x = rows[y].chars().position(|c| c == '~').unwrap();
        terminal.backend().buffer()[(x as u16, y as u16)].bg
    };
    assert_eq!(background("U1"), Color::Reset);
    assert_eq!(background("U2"), app.theme.accent);

    // The table below: each prediction of U1 × A minus the known 5, with a true minus
    // sign: 4 − 5 = −1 and 4.5 − 5 = −0.5.
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.trim_start_matches('│').starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{text}"))
            .to_string()
    };
    assert!(row("global_mean").contains("4.000    −1.000"), "{text}");
    assert!(row("user_mean").contains("4.500    −0.500"), "{text}");
}

#[test]
fn fits_go_on_while_an_evaluation_runs() {
    let mut app = explorer(tiny(), &MEANS);
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    let evaluation = app.outbox.pop().unwrap();
    assert_eq!(evaluation.lane, Lane::Evaluate);
    // Back on the matrix, the next algorithm is fitted and shown meanwhile.
    act(&mut app, &[Action::ShowMatrix, Action::NextAlgorithm]);
    settle(&mut app);
    assert_eq!(app.shown_model(), Some("User mean"));
    assert!(matches!(app.evaluate.run, Run::Running { .. }));
    app.outbox.push(evaluation);
    settle(&mut app);
    assert!(matches!(app.evaluate.run, Run::Done(_)));
}

#[test]
fn screen_compare() {
    for (width, height) in [(100, 30), (160, 45)] {
        let mut app = explorer(tiny(), &MEANS);
        settle(&mut app);
        draw(&mut app, width, height);
        update(&mut app, Action::ShowCompare);
        // Add item_mean: select it (a, a) and press space.
        act(
            &mut app,
            &[
                Action::NextAlgorithm,
                Action::NextAlgorithm,
                Action::ToggleChoice,
                Action::MoveDown,
                Action::MoveRight,
            ],
        );
        settle(&mut app);
        let terminal = draw(&mut app, width, height);
        insta::assert_snapshot!(format!("compare_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn compare_grids_show_user_ids_of_up_to_eight_characters_whole() {
    let tiny = tiny();
    let ids = ["178909", "14002317", "1234567890"];
    let dataset = Dataset::new(
        tiny.matrix.as_ref().clone(),
        ids.iter().map(|id| id.to_string()).collect(),
        tiny.item_ids.clone(),
        tiny.item_titles.clone(),
        tiny.item_genres.clone(),
        tiny.ratings.clone(),
        None,
        tiny.summary.clone(),
    );
    let mut app = explorer(dataset, &MEANS);
    settle(&mut app);
    update(&mut app, Action::ShowCompare);
    settle(&mut app);
    let text = screen_text(&draw(&mut app, 100, 30));
    assert!(
        text.contains("178909 ") && text.contains("14002317 "),
        "{text}"
    );
    // A longer id is cut to eight characters, the last an ellipsis.
    assert!(text.contains("1234567… "), "{text}");
}

#[test]
fn models_that_need_genres_are_left_out_of_an_evaluation_without_them() {
    let mut app = explorer(tiny(), REGISTRY);
    settle(&mut app);
    act(&mut app, &[Action::ShowEvaluate, Action::Run]);
    settle(&mut app);
    let needs = recscope::core::algorithms::content::NEEDS_ITEM_FEATURES;
    let Run::Done(board) = &app.evaluate.run else {
        panic!("the evaluation did not finish: {:?}", app.evaluate.run);
    };
    assert_eq!(board.results.len(), REGISTRY.len() - needs.len());
    assert!(
        board
            .results
            .iter()
            .all(|r| !needs.contains(&r.algo.as_str()))
    );
}

#[test]
fn export_of_compare_writes_every_compared_prediction_of_the_cells_on_screen() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer(tiny(), &MEANS);
    app.export_folder = folder.path().to_path_buf();
    settle(&mut app);
    draw(&mut app, 100, 30);
    update(&mut app, Action::ShowCompare);
    settle(&mut app);
    press(&mut app, KeyCode::Char('E'));
    let message = app.message.clone().unwrap();
    assert!(!message.is_error, "{}", message.text);
    // The unknown cells row by row; global mean 28 / 7 = 4 everywhere, user means
    // U1 (5 + 4) / 2 = 4.5, U2 (3 + 4 + 2) / 3 = 3, U3 (5 + 5) / 2 = 5.
    let written = std::fs::read_to_string(folder.path().join("recscope-compare-tiny.csv"));
    assert_eq!(
        written.unwrap(),
        "user,item,title,global_mean,user_mean\n\
         U1,i3,Movie C,4.0,4.5\n\
         U1,i4,Movie D,4.0,4.5\n\
         U2,i2,Movie B,4.0,3.0\n\
         U3,i1,Movie A,4.0,5.0\n\
         U3,i4,Movie D,4.0,5.0\n"
    );
}

#[test]
fn export_of_evaluate_writes_the_leaderboard_in_its_order() {
    let folder = tempfile::tempdir().unwrap();
    let mut app = explorer(tiny(), &MEANS);
    app.export_folder = folder.path().to_path_buf();
    settle(&mut app);
    update(&mut app, Action::ShowEvaluate);
    // Nothing to export before a run: said, and no file written.
    press(&mut app, KeyCode::Char('E'));
    assert!(app.message.as_ref().unwrap().is_error);
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);

    update(&mut app, Action::Run);
    settle(&mut app);
    press(&mut app, KeyCode::Char('E'));
    let message = app.message.clone().unwrap();
    assert!(!message.is_error, "{}", message.text);
    let Run::Done(board) = &app.evaluate.run else {
        panic!("not done");
    };
    let ranked = board.ranked(Metric::Rmse);
    let written =
        std::fs::read_to_string(folder.path().join("recscope-evaluate-tiny.csv")).unwrap();
    let mut lines = written.lines();
    assert_eq!(
        lines.next(),
        Some("algo,rmse,rmse_std,mae,mae_std,fcp,fit_s,predict_s")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), MEANS.len());
    for (row, result) in rows.iter().zip(&ranked) {
        assert_eq!(row[0], result.algo);
        let rmse: f64 = row[1].parse().unwrap();
        assert!((rmse - result.rmse).abs() < 1e-12, "{row:?}");
    }
}
