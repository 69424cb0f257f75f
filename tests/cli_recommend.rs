//! End-to-end tests of `recscope recommend` and `recscope similar` on the tiny matrix,
//! with every expected number worked out by hand.

use std::process::Output;

mod binary;
use binary::{recscope, stderr, stdout, tiny};

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_str(&stdout(output)).expect("valid JSON")
}

/// `(item, score)` pairs of `recommend --json`.
fn ranked(report: &serde_json::Value) -> Vec<(String, f64)> {
    report["recommendations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["item"].as_str().unwrap_or_default().to_string(),
                r["score"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

#[test]
fn item_mean_ranks_the_unrated_items_by_their_mean() {
    // U1 has not rated C (rated 4 and 5: mean 4.5) nor D (rated 2: mean 2).
    let report = json(&recscope(&[
        "recommend",
        &tiny(),
        "--user",
        "U1",
        "--algo",
        "item_mean",
        "--json",
    ]));
    assert_eq!(
        ranked(&report),
        vec![("Movie C".to_string(), 4.5), ("Movie D".to_string(), 2.0)]
    );
    assert_eq!(
        report["recommendations"][0]["reason"],
        "rated 4.50 on average"
    );
    // U3 has not rated A (5 and 3: mean 4) nor D (2); -n 1 keeps the best.
    let report = json(&recscope(&[
        "recommend",
        &tiny(),
        "--user",
        "U3",
        "--algo",
        "item_mean",
        "-n",
        "1",
        "--json",
    ]));
    assert_eq!(ranked(&report), vec![("Movie A".to_string(), 4.0)]);
}

#[test]
fn user_knn_reasons_name_the_neighbours_who_liked_the_item() {
    // MSD similarity 1 / (1 + mean squared difference) over co-rated items:
    //   U1–U2 share A: (5 − 3)² = 4 → 1 / 5 = 0.2; U1–U3 share B: (4 − 5)² = 1 → 0.5.
    // C is rated by U2 (4) and U3 (5): (0.2·4 + 0.5·5) / (0.2 + 0.5) = 3.3 / 0.7 = 4.714…
    // D is rated by U2 (2) alone: 0.2·2 / 0.2 = 2.
    // The file's ratings span 2..5, so "liked" means above the middle, 3.5.
    let report = json(&recscope(&[
        "recommend",
        &tiny(),
        "--user",
        "U1",
        "--algo",
        "knn_basic",
        "--param",
        "sim=msd",
        "--json",
    ]));
    let ranked = ranked(&report);
    assert_eq!(ranked[0].0, "Movie C");
    assert!((ranked[0].1 - 3.3 / 0.7).abs() < 1e-12, "{ranked:?}");
    assert_eq!(ranked[1], ("Movie D".to_string(), 2.0));
    assert_eq!(
        report["recommendations"][0]["reason"],
        "liked by both nearest neighbours who rated it: U3 (5), U2 (4)"
    );
    assert_eq!(
        report["recommendations"][1]["reason"],
        "not liked by the nearest neighbour who rated it: U2 (2)"
    );
}

#[test]
fn recommend_prints_a_table_and_refuses_unknown_users() {
    let output = recscope(&["recommend", &tiny(), "--user", "U2", "--algo", "item_mean"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // U2 has not rated B alone: rated 4 and 5, mean 4.5.
    assert!(
        text.starts_with("top 1 for user U2 by item_mean\n"),
        "{text}"
    );
    assert!(
        text.contains("   1    4.500  Movie B  rated 4.50 on average"),
        "{text}"
    );

    let output = recscope(&["recommend", &tiny(), "--user", "U9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("\"U9\""), "{}", stderr(&output));
    let output = recscope(&["recommend", &tiny(), "--user", "U1", "-n", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("-n 0"), "{}", stderr(&output));
}

#[test]
fn recommend_out_writes_the_list_and_never_the_dataset() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("ratings.csv");
    std::fs::copy(tiny(), &data).unwrap();
    let data = data.display().to_string();
    let out = folder.path().join("top.csv");
    let output = recscope(&[
        "recommend",
        &data,
        "--user",
        "U1",
        "--algo",
        "item_mean",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "rank,user,item,title,score,reason");
    assert_eq!(lines[1], "1,U1,Movie C,Movie C,4.5,rated 4.50 on average");
    assert_eq!(lines.len(), 3);

    let before = std::fs::read(&data).unwrap();
    let output = recscope(&[
        "recommend",
        &data,
        "--user",
        "U1",
        "--algo",
        "item_mean",
        "--out",
        &data,
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("this is the dataset being read"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&data).unwrap(),
        before,
        "the dataset is untouched"
    );
    let leftovers: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let output = recscope(&["recommend", &data, "--user", "U1", "--out", "list.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(".csv, .parquet or .json"));
}

#[test]
fn similar_users_by_msd_equal_the_hand_computation() {
    // As above: U3 0.5 (one item in common), U2 0.2 (one item in common).
    let report = json(&recscope(&[
        "similar",
        &tiny(),
        "--user",
        "U1",
        "--sim",
        "msd",
        "--min-support",
        "1",
        "--json",
    ]));
    let rows: Vec<(String, f64, u64)> = report["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["similarity"].as_f64().unwrap(),
                r["co_rated"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("U3".to_string(), 0.5, 1), ("U2".to_string(), 0.2, 1)]
    );
}

#[test]
fn similar_users_by_cosine_on_two_shared_items() {
    // U1 rated A=5 B=3, U2 rated A=4 B=1, U3 rated A=1 C=2:
    //   cos(U1, U2) = (5·4 + 3·1) / (√(25 + 9) · √(16 + 1)) = 23 / √578 ≈ 0.9567.
    //   cos(U1, U3) over A alone = 5·1 / (5 · 1) = 1, with one item in common.
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("two.csv");
    std::fs::write(
        &path,
        "user,item,rating\nU1,A,5\nU1,B,3\nU2,A,4\nU2,B,1\nU3,A,1\nU3,C,2\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let output = recscope(&[
        "similar",
        &path,
        "--user",
        "U1",
        "--sim",
        "cosine",
        "--min-support",
        "2",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "users most like user U1 · cosine, ≥2 in common\n\
         user  similarity  co-rated\n\
         U2        0.9567         2\n"
    );
    let report = json(&recscope(&[
        "similar",
        &path,
        "--user",
        "U1",
        "--sim",
        "cosine",
        "--min-support",
        "1",
        "--json",
    ]));
    let neighbours = report["neighbours"].as_array().unwrap();
    assert_eq!(neighbours[0]["id"], "U3");
    assert_eq!(neighbours[0]["similarity"], 1.0);
    assert_eq!(neighbours[1]["id"], "U2");
    let expected = 23.0 / 578f64.sqrt();
    let got = neighbours[1]["similarity"].as_f64().unwrap();
    assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
}

#[test]
fn similar_items_and_its_errors() {
    // Movie C is rated by U2 (4) and U3 (5); at the default minimum support of 5
    // nothing in the tiny matrix qualifies.
    let output = recscope(&["similar", &tiny(), "--item", "Movie C"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "items most like item Movie C · pearson, ≥5 in common\n\
         no items share 5 or more ratings with it\n"
    );
    let output = recscope(&["similar", &tiny()]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "--user or --item is required"
    );
    let output = recscope(&["similar", &tiny(), "--user", "U1", "--sim", "euclid"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("'euclid'"), "{}", stderr(&output));
}

#[test]
fn eval_out_writes_the_leaderboard_it_prints() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("board.json");
    let output = recscope(&[
        "eval",
        &tiny(),
        "--algos",
        "global_mean,item_mean",
        "--folds",
        "2",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    let printed = json(&output);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let written = written.as_array().unwrap();
    assert_eq!(written.len(), 2);
    for (row, result) in written.iter().zip(printed.as_array().unwrap()) {
        assert_eq!(row["algo"], result["algo"]);
        for figure in ["rmse", "mae", "rmse_std", "mae_std"] {
            assert_eq!(row[figure], result[figure], "{figure}");
        }
    }
    // A name with no known extension is refused before any work.
    let output = recscope(&["eval", &tiny(), "--algos", "global_mean", "--out", "b.txt"]);
    assert_eq!(output.status.code(), Some(2));
}
