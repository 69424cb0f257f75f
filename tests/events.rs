//! Event logs (user, item, event type, timestamp) read into weighted interactions:
//! the combining policy worked by hand, the weights a user sets, and every kind of
//! bad line named with its file, line and value.

use std::path::{Path, PathBuf};

use recscope::data::{Dataset, EventWeights, LoadOptions, Weights, load};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn cell(dataset: &Dataset, user: &str, item: &str) -> Option<f64> {
    let user = dataset.user_index(user)?;
    let item = dataset.item_index(item)?;
    dataset.matrix.rating(user, item)
}

fn load_err(path: &Path, options: &LoadOptions) -> String {
    match load(path, options) {
        Ok(_) => panic!("{} loaded but should not have", path.display()),
        Err(error) => error.to_string(),
    }
}

const LOG: &str = "user,track,event,timestamp\n\
                   u1,t1,play,10\n\
                   u1,t1,play,20\n\
                   u1,t2,skip,15\n\
                   u2,t1,Playlist Add,5\n\
                   u2,t2,skip,7\n\
                   u2,t2,play,30\n\
                   u2,t3,skip,8\n";

#[test]
fn events_of_a_pair_are_summed_with_the_default_weights() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "events.csv", LOG);
    let dataset = load(&path, &LoadOptions::default()).unwrap();
    // u1 t1: play + play = 1 + 1 = 2; u1 t2: skip = −1
    // u2 t1: playlist add = 4; u2 t2: skip + play = −1 + 1 = 0; u2 t3: skip = −1
    assert_eq!(cell(&dataset, "u1", "t1"), Some(2.0));
    assert_eq!(cell(&dataset, "u1", "t2"), Some(-1.0));
    assert_eq!(cell(&dataset, "u2", "t1"), Some(4.0));
    assert_eq!(cell(&dataset, "u2", "t2"), Some(0.0));
    assert_eq!(cell(&dataset, "u2", "t3"), Some(-1.0));
    assert_eq!(dataset.summary.rows_read, 7);
    // Two pairs had more than one event; 7 rows became 5 pairs.
    assert_eq!(dataset.summary.duplicates_resolved, 2);
    assert_eq!(dataset.summary.duplicate_rows_dropped, 2);
    assert!(dataset.summary.implicit);
    assert!(dataset.summary.duplicate_policy.contains("summed"));
    assert!(
        dataset
            .summary
            .feedback
            .contains("events from column \"event\"")
    );
    // Each pair keeps its latest time: u1 t1 → 20, u1 t2 → 15, u2 t1 → 5, u2 t2 → 30,
    // u2 t3 → 8, in the order of the pairs' first events.
    assert_eq!(dataset.timestamps, Some(vec![20, 15, 5, 30, 8]));
}

#[test]
fn weights_set_by_the_user_replace_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "events.csv", LOG);
    let options = LoadOptions {
        event_weights: EventWeights::parse("play=2,skip=-3,playlist_add=10").unwrap(),
        ..LoadOptions::default()
    };
    let dataset = load(&path, &options).unwrap();
    // u1 t1: 2 + 2 = 4; u2 t1: 10; u2 t2: −3 + 2 = −1
    assert_eq!(cell(&dataset, "u1", "t1"), Some(4.0));
    assert_eq!(cell(&dataset, "u2", "t1"), Some(10.0));
    assert_eq!(cell(&dataset, "u2", "t2"), Some(-1.0));
}

#[test]
fn log_weights_compress_totals_keeping_their_sign() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "events.csv", LOG);
    let options = LoadOptions {
        weights: Weights::Log,
        ..LoadOptions::default()
    };
    let dataset = load(&path, &options).unwrap();
    // 2 → ln 3 = 1.098612; −1 → −ln 2 = −0.693147; 0 → 0
    let close = |got: Option<f64>, want: f64| got.is_some_and(|g| (g - want).abs() < 1e-12);
    assert!(close(cell(&dataset, "u1", "t1"), 3f64.ln()));
    assert!(close(cell(&dataset, "u1", "t2"), -(2f64.ln())));
    assert!(close(cell(&dataset, "u2", "t2"), 0.0));
}

#[test]
fn an_event_type_without_a_weight_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "events.csv",
        "user,item,event\nu1,t1,play\nu1,t2,share\n",
    );
    let error = load_err(&path, &LoadOptions::default());
    assert!(error.contains("events.csv"), "{error}");
    assert!(error.contains("line 3"), "{error}");
    assert!(
        error.contains("\"share\" is an event type without a weight"),
        "{error}"
    );
    assert!(error.contains("--event-weights share=1"), "{error}");
}

#[test]
fn an_empty_event_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "events.csv",
        "user,item,event\nu1,t1,play\nu1,t2,\n",
    );
    let error = load_err(&path, &LoadOptions::default());
    assert!(error.contains("line 3"), "{error}");
    assert!(error.contains("the line has no event type"), "{error}");
}

#[test]
fn an_empty_user_or_item_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "events.csv", "user,item,event\n,t1,play\n");
    let error = load_err(&path, &LoadOptions::default());
    assert!(error.contains("line 2"), "{error}");
    assert!(error.contains("the line has no user"), "{error}");
    let path = write(dir.path(), "items.csv.log", "user,item,event\nu1,,play\n");
    let error = load_err(&path, &LoadOptions::default());
    assert!(error.contains("the line has no item"), "{error}");
}

#[test]
fn a_log_with_only_a_header_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "events.csv", "user,item,event,timestamp\n");
    let error = load_err(&path, &LoadOptions::default());
    assert!(error.contains("no ratings"), "{error}");
}

#[test]
fn a_bad_timestamp_drops_the_times_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "events.csv",
        "user,item,event,timestamp\nu1,t1,play,10\nu1,t2,play,yesterday\n",
    );
    let dataset = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(dataset.timestamps, None);
    assert!(
        dataset
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("\"yesterday\" at line 3")),
        "{:?}",
        dataset.summary.warnings
    );
}

#[test]
fn a_rating_column_asked_for_wins_over_the_event_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "events.csv",
        "user,item,event,stars\nu1,t1,play,4\nu1,t2,skip,2\n",
    );
    let options = LoadOptions {
        rating_column: Some("stars".to_string()),
        ..LoadOptions::default()
    };
    let dataset = load(&path, &options).unwrap();
    assert_eq!(cell(&dataset, "u1", "t2"), Some(2.0));
}

#[test]
fn the_shipped_listening_log_loads_with_titles() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/listening/events.csv");
    let dataset = load(&path, &LoadOptions::default()).unwrap();
    assert!(dataset.summary.implicit);
    assert!(
        dataset.matrix.n_users() >= 200,
        "{}",
        dataset.matrix.n_users()
    );
    assert!(
        dataset.matrix.n_items() >= 200,
        "{}",
        dataset.matrix.n_items()
    );
    assert!(dataset.summary.items_with_titles == dataset.matrix.n_items());
    assert!(dataset.timestamps.is_some());
}
