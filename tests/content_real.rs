//! Content-based filtering, the hybrids and AutoRec on MovieLens 100K (skipped when
//! the data is absent): the genres of `u.item` reach the models, and each model beats
//! a simpler reference on the same held-out ratings.

use std::path::PathBuf;
use std::sync::Arc;

use recscope::core::algorithms::find;
use recscope::core::matrix::{Rating, RatingMatrix};
use recscope::core::progress::Progress;
use recscope::data::{self, LoadOptions};

fn movielens() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ml-100k/u.data");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

/// Every fifth rating in file order held out, the rest for training.
fn split(ratings: &[Rating], matrix: &RatingMatrix) -> (Arc<RatingMatrix>, Vec<Rating>) {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (k, rating) in ratings.iter().enumerate() {
        if k % 5 == 4 {
            test.push(*rating);
        } else {
            train.push(*rating);
        }
    }
    (Arc::new(matrix.with_ratings(&train).expect("valid")), test)
}

fn rmse(name: &str, settings: &[&str], train: &Arc<RatingMatrix>, test: &[Rating]) -> f64 {
    let spec = find(name).expect("registered");
    let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
    let params = spec.parse_params(&settings).expect("valid settings");
    let model = spec
        .fit_model(train.clone(), &params, &Progress::none())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let squares: f64 = test
        .iter()
        .map(|r| (model.predict_value(r.user, r.item) - r.value).powi(2))
        .sum();
    let rmse = (squares / test.len() as f64).sqrt();
    println!("{name} {settings:?}: RMSE {rmse:.4}");
    rmse
}

#[test]
fn genres_reach_the_models_and_each_beats_a_simpler_reference() {
    let Some(path) = movielens() else { return };
    let dataset = data::load(&path, &LoadOptions::default()).expect("loads");
    let features = dataset.matrix.item_features().expect("genres from u.item");
    // u.genre lists 19 genres, "unknown" among them; every movie has a flag.
    assert_eq!(features.n_features(), 19);
    assert_eq!(features.items_with_features(), 1682);

    let (train, test) = split(&dataset.ratings, &dataset.matrix);
    assert!(
        train.item_features().is_some(),
        "training matrices keep the genres"
    );
    let user_mean = rmse("user_mean", &[], &train, &test);
    let content = rmse("content", &[], &train, &test);
    assert!(
        content < user_mean,
        "content {content} vs user mean {user_mean}"
    );

    // The collaborative references: the bias baseline and baseline k-NN.
    let baseline = rmse("baseline_als", &[], &train, &test);
    let knn = rmse("knn_baseline", &[], &train, &test);
    let switch = rmse("switch", &["min_ratings=3"], &train, &test);
    assert!(switch < baseline, "switch {switch} vs baseline {baseline}");
    let blend = rmse(
        "blend",
        &["first=knn_baseline", "second=content", "weight=0.9"],
        &train,
        &test,
    );
    assert!(blend < content && blend < knn + 0.01, "blend {blend}");

    // A small, short AutoRec already beats the user mean by a wide margin.
    let autorec = rmse("autorec", &["hidden=100", "epochs=20"], &train, &test);
    assert!(autorec < user_mean - 0.05, "autorec {autorec}");
}
