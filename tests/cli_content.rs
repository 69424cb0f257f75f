//! The command line with the content-based models: `eval --algos all` on data without
//! genres leaves out the models that need them instead of failing, and a named one
//! fails with a message saying what is missing.

mod binary;
use binary::{recscope, tiny};

#[test]
fn eval_all_without_genres_leaves_out_the_content_models() {
    let output = recscope(&["eval", &tiny(), "--algos", "all", "--folds", "2", "--json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("content and switch left out: the data has no item genres"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let text = report.to_string();
    assert!(
        text.contains("\"autorec\"") && text.contains("\"blend\""),
        "{text}"
    );
    assert!(!text.contains("\"content\""), "{text}");
}

#[test]
fn content_named_on_data_without_genres_says_what_is_missing() {
    let output = recscope(&["eval", &tiny(), "--algos", "content", "--folds", "2"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("needs item features (genres or tags)") && stderr.contains("--items"),
        "{stderr}"
    );
}
