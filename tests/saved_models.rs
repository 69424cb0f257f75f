//! Saved models: every savable algorithm predicts exactly the same after a save and a
//! load, and a file from another version, another dataset, or a damaged one is refused
//! with a message naming the file and what differs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use recscope::core::algorithms::saved::SAVABLE;
use recscope::core::algorithms::{Model, find};
use recscope::core::matrix::{ItemIndex, Rating, RatingMatrix, RatingScale, UserIndex};
use recscope::core::progress::Progress;
use recscope::data::{self, Dataset, LoadSummary};

/// Five users and five items on 1..5, with genres, so that content-based models fit.
fn dataset() -> Dataset {
    let cells = [
        (0, 0, 5.0),
        (0, 1, 4.0),
        (0, 3, 1.0),
        (1, 0, 3.0),
        (1, 2, 4.0),
        (1, 3, 2.0),
        (2, 1, 5.0),
        (2, 2, 5.0),
        (2, 4, 2.0),
        (3, 0, 4.0),
        (3, 4, 3.0),
        (4, 2, 1.0),
        (4, 3, 5.0),
        (4, 4, 4.0),
    ];
    let ratings: Vec<Rating> = cells
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    let matrix = RatingMatrix::new(5, 5, &ratings, RatingScale { min: 1.0, max: 5.0 })
        .expect("a valid matrix");
    let genres = [
        vec!["Drama"],
        vec!["Drama", "War"],
        vec!["Comedy"],
        vec!["Comedy", "Romance"],
        vec!["War"],
    ];
    Dataset::new(
        matrix,
        (1..=5).map(|u| format!("u{u}")).collect(),
        (1..=5).map(|i| format!("i{i}")).collect(),
        vec![None; 5],
        genres
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect(),
        ratings,
        None,
        LoadSummary::default(),
    )
}

/// Settings that keep the slow fits short.
fn quick_settings(name: &str) -> Vec<String> {
    let settings: &[&str] = match name {
        "autorec" => &["hidden=6", "epochs=15"],
        "svd" | "svdpp" | "nmf" | "als" => &["factors=4", "epochs=10"],
        "blend" => &["first=knn_means", "second=content", "weight=0.4"],
        _ => &[],
    };
    settings.iter().map(|s| s.to_string()).collect()
}

fn fit(name: &str, matrix: Arc<RatingMatrix>) -> Box<dyn Model> {
    let spec = find(name).expect("registered");
    let params = spec
        .parse_params(&quick_settings(name))
        .expect("valid settings");
    spec.fit_model(matrix, &params, &Progress::none())
        .expect("fits")
}

fn save(folder: &Path, name: &str, model: &dyn Model) -> PathBuf {
    let path = folder.join(format!("{name}.json"));
    let spec = find(name).expect("registered");
    let params = spec
        .parse_params(&quick_settings(name))
        .expect("valid settings");
    data::save_model(&path, name, &params, model, &[]).expect("saved");
    path
}

#[test]
fn every_savable_model_predicts_the_same_after_loading() {
    let dataset = dataset();
    let folder = tempfile::tempdir().expect("a temporary folder");
    for name in SAVABLE {
        let model = fit(name, dataset.matrix.clone());
        let path = save(folder.path(), name, model.as_ref());
        let (header, loaded) =
            data::load_model(&path, dataset.matrix.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(header.algorithm, *name);
        for user in 0..5 as UserIndex {
            for item in 0..5 as ItemIndex {
                assert_eq!(
                    loaded.predict(user, item),
                    model.predict(user, item),
                    "{name} ({user}, {item})"
                );
                assert_eq!(
                    loaded.predict_value(user, item),
                    model.predict_value(user, item),
                    "{name} ({user}, {item})"
                );
            }
            assert_eq!(
                loaded.recommend(user, 3),
                model.recommend(user, 3),
                "{name}"
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(folder.path())
            .expect("listable")
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "{name}: {leftovers:?}");
    }
}

#[test]
fn exactly_the_listed_algorithms_can_be_saved() {
    let dataset = dataset();
    for spec in recscope::core::algorithms::REGISTRY {
        let params = spec
            .parse_params(&quick_settings(spec.name))
            .expect("valid settings");
        let Ok(model) = spec.fit_model(dataset.matrix.clone(), &params, &Progress::none()) else {
            assert!(!SAVABLE.contains(&spec.name), "{} does not fit", spec.name);
            continue;
        };
        assert_eq!(
            model.saved().is_some(),
            SAVABLE.contains(&spec.name),
            "{}",
            spec.name
        );
    }
}

#[test]
fn a_model_that_cannot_be_saved_says_which_can() {
    let dataset = dataset();
    let folder = tempfile::tempdir().expect("a temporary folder");
    let model = fit("slope_one", dataset.matrix.clone());
    let params = find("slope_one").expect("registered").default_params();
    let path = folder.path().join("slope.json");
    let error = data::save_model(&path, "slope_one", &params, model.as_ref(), &[])
        .expect_err("slope one is not savable")
        .to_string();
    assert!(
        error.contains("slope.json") && error.contains("slope_one model cannot be saved"),
        "{error}"
    );
    assert!(error.contains("svd, svdpp"), "{error}");
    assert!(!path.exists());
}

/// A saved svd model's file text, for editing.
fn saved_svd(folder: &Path) -> (PathBuf, String) {
    let dataset = dataset();
    let model = fit("svd", dataset.matrix.clone());
    let path = save(folder, "svd", model.as_ref());
    let text = std::fs::read_to_string(&path).expect("readable");
    (path, text)
}

#[test]
fn a_file_from_another_version_is_refused_naming_both_versions() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (path, text) = saved_svd(folder.path());
    let version = format!(
        "\"recscope_version\":\"{}\"",
        recscope::core::algorithms::saved::VERSION
    );
    assert!(text.contains(&version), "the header records the version");
    std::fs::write(
        &path,
        text.replace(&version, "\"recscope_version\":\"0.0.1\""),
    )
    .expect("writable");
    let error = data::load_model(&path, dataset().matrix.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains("svd.json")
            && error.contains("saved by recscope 0.0.1")
            && error.contains(&format!(
                "this is recscope {}",
                recscope::core::algorithms::saved::VERSION
            )),
        "{error}"
    );
}

#[test]
fn a_model_of_another_dataset_is_refused_saying_what_differs() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (path, _) = saved_svd(folder.path());

    // Another shape: one rating fewer.
    let full = dataset();
    let fewer: Vec<Rating> = full.ratings[1..].to_vec();
    let other = Arc::new(full.matrix.with_ratings(&fewer).expect("valid"));
    let error = data::load_model(&path, other)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains("svd.json")
            && error.contains("another dataset")
            && error.contains("14 ratings, not 5 users, 5 items and 13 ratings"),
        "{error}"
    );

    // Same shape, one rating changed.
    let mut changed = full.ratings.clone();
    changed[0].value = 1.0;
    let other = Arc::new(full.matrix.with_ratings(&changed).expect("valid"));
    let error = data::load_model(&path, other)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains("the same shape but other ratings"),
        "{error}"
    );
}

#[test]
fn damaged_files_are_refused_with_the_file_named() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (path, text) = saved_svd(folder.path());
    let matrix = dataset().matrix.clone();

    std::fs::write(&path, &text[..text.len() / 2]).expect("writable");
    let error = data::load_model(&path, matrix.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains("svd.json") && error.contains("not a recscope model file"),
        "{error}"
    );

    // The header intact, the fitted state replaced.
    let model_at = text.find("\"model\":").expect("a model field");
    let damaged = format!("{}\"model\":{{\"factorised\":42}}}}", &text[..model_at]);
    std::fs::write(&path, damaged).expect("writable");
    let error = data::load_model(&path, matrix.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("the saved svd model is damaged"), "{error}");

    let error = data::load_model(&folder.path().join("absent.json"), matrix)
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("absent.json"), "{error}");
}

fn recscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn fit_then_predict_with_the_saved_model_gives_the_fitted_prediction() {
    let tiny = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data/tiny.csv");
    let tiny = tiny.to_string_lossy().into_owned();
    let folder = tempfile::tempdir().expect("a temporary folder");
    let out = folder.path().join("knn.json");
    let out = out.to_string_lossy().into_owned();

    let fitted = recscope(&[
        "fit",
        &tiny,
        "--algo",
        "knn_means",
        "--param",
        "k=2",
        "--out",
        &out,
    ]);
    assert!(
        fitted.status.success(),
        "{}",
        String::from_utf8_lossy(&fitted.stderr)
    );

    let cell = ["--user", "U1", "--item", "Movie C", "--json"];
    let direct = recscope(
        &[
            &["predict", &tiny, "--algo", "knn_means", "--param", "k=2"][..],
            &cell[..],
        ]
        .concat(),
    );
    let loaded = recscope(&[&["predict", &tiny, "--model", &out][..], &cell[..]].concat());
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let direct: serde_json::Value = serde_json::from_slice(&direct.stdout).expect("json");
    let loaded: serde_json::Value = serde_json::from_slice(&loaded.stdout).expect("json");
    assert_eq!(direct, loaded);

    let refused = recscope(&["fit", &tiny, "--algo", "slope_one", "--out", &out]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot be saved"));
}

#[test]
fn a_header_naming_another_algorithm_than_its_state_is_refused() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (path, text) = saved_svd(folder.path());
    assert!(
        text.contains("\"algorithm\":\"svd\""),
        "the header names svd"
    );
    for claimed in ["knn_means", "nosuch"] {
        let edited = text.replace(
            "\"algorithm\":\"svd\"",
            &format!("\"algorithm\":\"{claimed}\""),
        );
        std::fs::write(&path, edited).expect("writable");
        let error = data::load_model(&path, dataset().matrix.clone())
            .err()
            .expect("refused")
            .to_string();
        assert!(
            error.contains("svd.json") && error.contains("another algorithm's state"),
            "{error}"
        );
    }
}

#[test]
fn a_k_nn_header_naming_another_flavour_is_refused() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let dataset = dataset();
    let model = fit("knn_basic", dataset.matrix.clone());
    let path = save(folder.path(), "knn_basic", model.as_ref());
    let text = std::fs::read_to_string(&path).expect("readable");
    let edited = text.replace("\"algorithm\":\"knn_basic\"", "\"algorithm\":\"knn_means\"");
    assert_ne!(edited, text, "the header names knn_basic");
    std::fs::write(&path, edited).expect("writable");
    let error = data::load_model(&path, dataset.matrix.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("another algorithm's state"), "{error}");
}
