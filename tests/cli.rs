//! End-to-end tests of the `recscope` binary: arguments in, exit status and output out.
//!
//! `recscope::data::load` reads CSV (`cargo test -- --include-ignored`).

use std::collections::HashSet;
use std::path::PathBuf;

mod binary;
use binary::{recscope, stderr, stdout, tiny};

#[test]
fn algorithms_json_lists_every_registered_algorithm() {
    let output = recscope(&["algorithms", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let listed = listed.as_array().unwrap();
    let names: Vec<&str> = listed.iter().map(|a| a["name"].as_str().unwrap()).collect();
    let registered: Vec<&str> = recscope::core::algorithms::REGISTRY
        .iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, registered);
    for (entry, spec) in listed.iter().zip(recscope::core::algorithms::REGISTRY) {
        assert_eq!(entry["params"].as_array().unwrap().len(), spec.params.len());
        for param in entry["params"].as_array().unwrap() {
            assert!(param["kind"].is_string() && param.get("default").is_some());
            assert!(param["help"].is_string());
        }
    }
}

#[test]
fn generate_writes_the_requested_counts_without_repeated_pairs() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("synthetic.csv");
    let output = recscope(&[
        "generate",
        "--users",
        "300",
        "--items",
        "200",
        "--ratings",
        "5000",
        "--seed",
        "9",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("user,item,rating"));
    let mut pairs = HashSet::new();
    let mut users = HashSet::new();
    let mut items = HashSet::new();
    let mut rows = 0;
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 3, "{line}");
        let rating: u8 = fields[2].parse().unwrap();
        assert!((1..=5).contains(&rating), "{line}");
        assert!(
            pairs.insert((fields[0].to_string(), fields[1].to_string())),
            "repeated: {line}"
        );
        users.insert(fields[0].to_string());
        items.insert(fields[1].to_string());
        rows += 1;
    }
    assert_eq!(rows, 5000);
    assert_eq!(users.len(), 300);
    assert_eq!(items.len(), 200);

    // the same seed writes the same file
    let again = folder.path().join("again.csv");
    let output = recscope(&[
        "generate",
        "--users",
        "300",
        "--items",
        "200",
        "--ratings",
        "5000",
        "--seed",
        "9",
        again.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
}

#[test]
fn generate_refuses_impossible_sizes_naming_them() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("x.csv");
    let output = recscope(&[
        "generate",
        "--users",
        "100",
        "--items",
        "50",
        "--ratings",
        "20",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("20 ratings"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
}

#[test]
fn unknown_algorithm_is_a_usage_error_naming_it() {
    let output = recscope(&["eval", &tiny(), "--algos", "global_mean,svdd"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("'svdd'"), "{}", stderr(&output));
}

#[test]
fn a_parameter_no_algorithm_has_is_a_usage_error() {
    let output = recscope(&[
        "eval",
        &tiny(),
        "--algos",
        "global_mean",
        "--param",
        "depth=3",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("'depth=3'"), "{}", stderr(&output));
}

#[test]
fn a_missing_file_is_a_runtime_error_naming_it() {
    let output = recscope(&["stats", "no-such-ratings.csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no-such-ratings.csv"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let output = recscope(&["stats", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--frobnicate"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn predict_on_the_tiny_matrix_gives_the_global_mean() {
    // (5 + 4 + 3 + 4 + 2 + 5 + 5) / 7 = 28 / 7 = 4
    let output = recscope(&[
        "predict",
        &tiny(),
        "--user",
        "U1",
        "--item",
        "Movie C",
        "--algo",
        "global_mean",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!((report["value"].as_f64().unwrap() - 4.0).abs() < 1e-12);
    assert_eq!(report["known_rating"], serde_json::Value::Null);
    assert_eq!(report["explanation"]["formula"], "r̂ = μ");

    let output = recscope(&[
        "predict",
        &tiny(),
        "--user",
        "U1",
        "--item",
        "Movie C",
        "--algo",
        "global_mean",
        "--explain",
    ]);
    assert!(
        stdout(&output).contains("r̂ = 4.0000"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn predict_with_an_unknown_user_names_it_and_suggests_ids() {
    let output = recscope(&[
        "predict",
        &tiny(),
        "--user",
        "U9",
        "--item",
        "Movie A",
        "--algo",
        "global_mean",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("\"U9\"") && message.contains("U1"),
        "{message}"
    );
}

#[test]
fn eval_json_has_the_contract_fields() {
    let output = recscope(&[
        "eval",
        &tiny(),
        "--algos",
        "global_mean",
        "--folds",
        "7",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let results: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let first = &results.as_array().unwrap()[0];
    for field in [
        "algo",
        "rmse",
        "mae",
        "fit_s",
        "predict_s",
        "rmse_std",
        "mae_std",
        "folds",
    ] {
        assert!(first.get(field).is_some(), "missing {field}: {first}");
    }
    assert_eq!(first["algo"], "global_mean");
    // Leave-one-out with the global mean predicts each held-out r by (28 − r) / 6:
    // |errors| 7/6, 0, 7/6, 0, 14/6, 7/6, 7/6 → MAE = 42/6/7 = 1.
    assert!((first["mae"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(first["folds"].as_array().unwrap().len(), 7);
}

#[test]
fn stats_json_counts_the_tiny_matrix() {
    let output = recscope(&["stats", &tiny(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stats: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(stats["users"], 3);
    assert_eq!(stats["items"], 4);
    assert_eq!(stats["ratings"], 7);
    // 7 known of 3 × 4 = 12 cells
    assert!((stats["density"].as_f64().unwrap() - 7.0 / 12.0).abs() < 1e-12);
}

#[test]
fn predict_json_names_neighbours_by_their_ids() {
    // knn_basic, user-based MSD, sim = 1 / (msd + 1), on U1 × Movie C:
    //   U1–U2 share A: (5 − 3)² = 4 → sim 1/5 = 0.2; U2 rated C 4
    //   U1–U3 share B: (4 − 5)² = 1 → sim 1/2 = 0.5; U3 rated C 5
    //   r̂ = (0.5 × 5 + 0.2 × 4) / 0.7 = 3.3 / 0.7 = 4.714285…
    // Best neighbour first: U3 (dense index 2, users numbered in file order).
    let output = recscope(&[
        "predict",
        &tiny(),
        "--user",
        "U1",
        "--item",
        "Movie C",
        "--algo",
        "knn_basic",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!((report["value"].as_f64().unwrap() - 3.3 / 0.7).abs() < 1e-9);
    let neighbours = report["explanation"]["neighbours"].as_array().unwrap();
    let ids: Vec<&str> = neighbours
        .iter()
        .map(|n| n["neighbour"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["U3", "U2"]);
    assert_eq!(neighbours[0]["neighbour"]["index"], 2);
    assert_eq!(neighbours[0]["neighbour"]["kind"], "user");
}

#[test]
fn algorithms_json_gives_whole_number_bounds_as_integers() {
    let output = recscope(&["algorithms", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let knn = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "knn_basic")
        .unwrap();
    let k = knn["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "k")
        .unwrap();
    assert!(k["min"].is_i64() && k["max"].is_i64(), "{k}");
}

#[test]
fn a_parameter_given_twice_is_refused_naming_it() {
    for command in [
        vec![
            "predict",
            "--user",
            "U1",
            "--item",
            "Movie C",
            "--algo",
            "knn_basic",
        ],
        vec!["eval", "--algos", "knn_basic", "--folds", "2"],
    ] {
        let mut args = command.clone();
        args.insert(1, "TINY");
        let path = tiny();
        let mut args: Vec<&str> = args
            .into_iter()
            .map(|a| if a == "TINY" { path.as_str() } else { a })
            .collect();
        args.extend(["--param", "k=3", "--param", "k=5"]);
        let output = recscope(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert!(
            message.contains("--param k is given more than once"),
            "{message}"
        );
    }
}

#[test]
fn an_algorithm_without_parameters_says_so() {
    let output = recscope(&[
        "predict",
        &tiny(),
        "--user",
        "U1",
        "--item",
        "Movie C",
        "--algo",
        "slope_one",
        "--param",
        "k=3",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("it has no parameters"), "{message}");
    assert!(!message.contains("(it has: )"), "{message}");
}

#[test]
fn an_algorithm_listed_twice_is_refused() {
    let output = recscope(&["eval", &tiny(), "--algos", "global_mean,global_mean"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("global_mean more than once"), "{message}");
}

#[test]
fn a_constant_predictor_has_no_fcp() {
    // The global mean predicts one value for every test rating of a fold, so it
    // ranks no pair: FCP is undefined (null, "–"), not 0.
    let output = recscope(&[
        "eval",
        &tiny(),
        "--algos",
        "global_mean",
        "--folds",
        "2",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let results: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(results[0]["fcp"], serde_json::Value::Null);
    let output = recscope(&["eval", &tiny(), "--algos", "global_mean", "--folds", "2"]);
    let table = stdout(&output);
    let row = table
        .lines()
        .find(|l| l.starts_with("global_mean"))
        .unwrap();
    assert!(row.contains('–') && !row.contains("0.0000  "), "{table}");
}

fn listening() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/listening/events.csv")
        .display()
        .to_string()
}

#[test]
fn predict_gives_an_implicit_models_score_and_rank() {
    let output = recscope(&[
        "predict",
        &listening(),
        "--user",
        "l001",
        "--item",
        "t001",
        "--algo",
        "bpr",
        "--param",
        "epochs=5",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("bpr scores"), "{text}");
    assert!(
        text.contains("for this user (a ranking score, not a rating)"),
        "{text}"
    );
}

#[test]
fn user_holdout_eval_reports_top_10_and_no_rmse_for_ranking_models() {
    let output = recscope(&[
        "eval",
        &listening(),
        "--algos",
        "bpr,global_mean",
        "--param",
        "epochs=5",
        "--split",
        "user-holdout",
        "--test-share",
        "0.25",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let results: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let bpr = &results[0];
    assert_eq!(bpr["output"], "score");
    assert!(bpr["rmse"].is_null(), "{bpr}");
    assert_eq!(bpr["ranking"]["k"], 10);
    assert_eq!(results[1]["output"], "rating");
    assert!(results[1]["rmse"].is_number());
}

#[test]
fn bad_event_weights_are_a_usage_error() {
    let output = recscope(&["stats", &listening(), "--event-weights", "play"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("\"play\" is not NAME=WEIGHT"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fit_never_writes_over_the_dataset_or_a_folder() {
    let folder = tempfile::tempdir().unwrap();
    let ratings = folder.path().join("ratings.csv");
    std::fs::copy(tiny(), &ratings).unwrap();
    let before = std::fs::read_to_string(&ratings).unwrap();
    let ratings = ratings.display().to_string();

    let output = recscope(&["fit", &ratings, "--algo", "global_mean", "--out", &ratings]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("ratings.csv") && stderr(&output).contains("dataset being read"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&ratings).unwrap(), before);

    let place = folder.path().join("models");
    std::fs::create_dir(&place).unwrap();
    let place = place.display().to_string();
    let output = recscope(&["fit", &ratings, "--algo", "global_mean", "--out", &place]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
    assert!(std::path::Path::new(&place).is_dir());
}

#[test]
fn a_damaged_parquet_file_is_an_error_naming_it_not_a_panic() {
    let folder = tempfile::tempdir().unwrap();
    let whole = folder.path().join("whole.parquet");
    let output = recscope(&[
        "generate",
        "--users",
        "20",
        "--items",
        "10",
        "--ratings",
        "100",
        &whole.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Four bytes changed in the first page: the parquet reader used to panic on them
    // ("invalid num_bits") instead of returning an error.
    let mut bytes = std::fs::read(&whole).unwrap();
    for (at, value) in [(44, 0o124), (141, 0o342), (146, 0o265), (1042, 0o122)] {
        bytes[at] = value;
    }
    let damaged = folder.path().join("damaged.parquet");
    std::fs::write(&damaged, bytes).unwrap();
    let output = recscope(&["stats", &damaged.display().to_string()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("damaged.parquet") && !stderr(&output).contains("panicked"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn eval_leaves_out_an_algorithm_that_cannot_be_fitted_and_reports_the_others() {
    let folder = tempfile::tempdir().unwrap();
    // Every weight is 0: BPR has no positive interaction to learn from.
    let zeros = folder.path().join("zeros.csv");
    let mut text = String::from("user,item,rating\n");
    for (user, item) in [
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 3),
        (3, 2),
        (3, 3),
        (4, 1),
        (4, 2),
    ] {
        text.push_str(&format!("u{user},i{item},0\n"));
    }
    std::fs::write(&zeros, text).unwrap();
    let zeros = zeros.display().to_string();
    let output = recscope(&[
        "eval",
        &zeros,
        "--algos",
        "global_mean,bpr",
        "--folds",
        "2",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("bpr left out"),
        "{}",
        stderr(&output)
    );
    let results: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let names: Vec<&str> = (results.as_array().unwrap().iter())
        .map(|r| r["algo"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["global_mean"]);
    // Every rating is 0 and so is the global mean: no error at all.
    assert_eq!(results[0]["rmse"], 0.0);
}

#[test]
fn a_separator_recscope_cannot_read_is_a_usage_error() {
    for sep in ["x", "ab", "\n"] {
        let output = recscope(&["stats", &tiny(), "--sep", sep]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{sep:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("is not a separator recscope reads"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn eval_of_a_ranking_model_without_top_lists_says_how_to_get_its_figures() {
    let output = recscope(&[
        "eval",
        &tiny(),
        "--algos",
        "wals,global_mean",
        "--folds",
        "2",
        "--param",
        "factors=2",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("wals ranks items rather than rates them, so it has no RMSE")
            && said.contains("--top-k 10"),
        "{said}"
    );

    // With top-10 lists asked for, nothing needs saying.
    let output = recscope(&[
        "eval",
        &tiny(),
        "--algos",
        "wals",
        "--folds",
        "2",
        "--top-k",
        "10",
        "--param",
        "factors=2",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("items rather than"));
}
