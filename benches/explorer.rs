//! What the explorer does when the user switches algorithm, timed for each algorithm of
//! the registry: fit with the default parameters, then predict the unknown cells of the
//! visible window (40 most active users × 12 most rated items).
//!
//! The benchmark drives the explorer's own state (`App`) through its key actions and
//! runs the fit job it queues exactly as the background worker would, so the time is
//! the one from key press to predictions on screen, less the drawing of the frame.
//!
//! Data: MovieLens 100K from `../shared/data/ml-100k/u.data` (relative to the crate
//! root) when present; otherwise a generated dataset of the same shape (943 users,
//! 1,682 items, 100,000 ratings), as the first line printed says.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

use recscope::core::algorithms::REGISTRY;
use recscope::core::generate::{GenerateSpec, Generator};
use recscope::core::progress::Progress;
use recscope::data::{Dataset, LoadOptions, load};
use recscope::tui::app::{App, Window, update};
use recscope::tui::keys::{Action, KeyMap};
use recscope::tui::theme::Theme;
use recscope::tui::worker::{Lane, WorkerEvent};

/// The visible window the benchmark predicts, as a full-screen terminal shows it.
const WINDOW: Window = Window {
    rows: 40,
    columns: 12,
};

/// The target from key press to visible predictions.
const TARGET: Duration = Duration::from_millis(100);

fn dataset() -> (Dataset, &'static str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ml-100k/u.data");
    if path.exists() {
        match load(&path, &LoadOptions::default()) {
            Ok(dataset) => return (dataset, "ml-100k"),
            Err(err) => eprintln!("could not read {}: {err}", path.display()),
        }
    }
    (generated(), "generated, ml-100k shape")
}

/// 943 users, 1,682 items, 100,000 ratings: the shape of MovieLens 100K.
fn generated() -> Dataset {
    let generator = Generator::new(GenerateSpec::new(943, 1_682, 100_000, 0))
        .expect("the ml-100k shape is a valid generator size");
    let mut triples: Vec<(String, String, f64)> = Vec::with_capacity(100_000);
    generator
        .run(&Progress::none(), |user, item, rating| {
            triples.push(((user + 1).to_string(), (item + 1).to_string(), rating));
        })
        .expect("generation without a cancel flag completes");
    let borrowed: Vec<(&str, &str, f64)> = triples
        .iter()
        .map(|(user, item, rating)| (user.as_str(), item.as_str(), *rating))
        .collect();
    Dataset::from_triples(&borrowed, None).expect("generated ratings are finite")
}

/// The explorer as a user would set it up: most active users and most rated items
/// first, predictions shown, a 40 × 12 window. The initial fit is left undone.
fn explorer(dataset: Dataset, name: &str) -> App {
    let keys = KeyMap::defaults().expect("default keys parse");
    let theme = Theme::defaults().expect("default theme parses");
    let mut app = App::new(dataset, name, keys, theme);
    app.outbox.clear();
    app.set_window(WINDOW);
    update(&mut app, Action::SortRows);
    update(&mut app, Action::SortColumns);
    update(&mut app, Action::TogglePredictions);
    app
}

/// Selects algorithm `index` with the "next algorithm" key, runs the fit job queued
/// for it as the worker would and hands the result back; returns the number of
/// predicted cells on screen.
fn switch_to(app: &mut App, index: usize) -> usize {
    let count = app.algorithms.len();
    app.algorithm = (index + count - 1) % count;
    update(app, Action::NextAlgorithm);
    let jobs: Vec<_> = app.outbox.drain(..).collect();
    for job in jobs {
        // The neighbours panel's job runs after the fit in the worker and does not
        // hold up the predictions; it is left out.
        if job.lane != Lane::Model {
            continue;
        }
        let generation = job.generation;
        let started = Instant::now();
        let output = job.run_here();
        app.on_worker(WorkerEvent::Done {
            lane: Lane::Model,
            generation,
            elapsed: started.elapsed(),
            output,
        });
    }
    assert!(
        app.model
            .as_ref()
            .is_some_and(|fitted| fitted.spec.name == REGISTRY[index].name),
        "{} was not fitted",
        REGISTRY[index].name
    );
    app.predictions.len()
}

/// One timed switch per algorithm, printed as a table before criterion's runs.
fn summary(app: &mut App, name: &str) {
    println!("\nexplorer: switching algorithm on {name}, window {WINDOW:?}");
    println!(
        "{:<20} {:>10} {:>8} {:>7}",
        "algorithm", "time (ms)", "cells", "≤100ms"
    );
    for (index, spec) in REGISTRY.iter().enumerate() {
        let started = Instant::now();
        let cells = switch_to(app, index);
        let elapsed = started.elapsed();
        println!(
            "{:<20} {:>10.1} {:>8} {:>7}",
            spec.name,
            elapsed.as_secs_f64() * 1e3,
            cells,
            if elapsed <= TARGET { "yes" } else { "no" }
        );
    }
    println!();
}

fn switch_algorithm(c: &mut Criterion) {
    let (dataset, name) = dataset();
    let mut app = explorer(dataset, name);
    summary(&mut app, name);
    let mut group = c.benchmark_group(format!("switch algorithm ({name})"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (index, spec) in REGISTRY.iter().enumerate() {
        group.bench_function(spec.name, |b| b.iter(|| switch_to(&mut app, index)));
    }
    group.finish();
}

/// The part of the hold-out toggle (`H`) and of a what-if edit that runs on the UI
/// thread: rebuilding the shown matrix and queueing the refit (the fit itself runs on
/// the worker and is not timed here).
fn ui_thread_rebuilds(c: &mut Criterion) {
    let (dataset, name) = dataset();
    let mut app = explorer(dataset, name);
    let mut group = c.benchmark_group(format!("UI thread ({name})"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("hold-out on and off", |b| {
        b.iter(|| {
            update(&mut app, Action::HoldOut);
            update(&mut app, Action::HoldOut);
            app.outbox.clear();
        })
    });
    let (user, item) = app.selected_cell().expect("the matrix is not empty");
    group.bench_function("what-if edit and undo", |b| {
        b.iter(|| {
            recscope::tui::screens::what_if::apply(&mut app, user, item, Some(1.0));
            update(&mut app, Action::Undo);
            app.outbox.clear();
        })
    });
    group.finish();
}

criterion_group!(benches, switch_algorithm, ui_thread_rebuilds);
criterion_main!(benches);
