//! Baseline, Slope One and factorisation predictions checked against the reference
//! library (Surprise): fixtures written by
//! `tests/fixtures/surprise/make_model_fixtures.py` on a small committed dataset and,
//! when it is present, on MovieLens 100K. The factorisations start from constant
//! factors there, so that no random generator is involved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use recscope::core::algorithms::{Model, find};
use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::core::progress::Progress;

const TOLERANCE: f64 = 1e-6;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/surprise")
}

/// Raw ids encoded in order of first appearance, as Surprise's trainset does.
#[derive(Default)]
struct Encoder {
    ids: HashMap<String, u32>,
}

impl Encoder {
    fn encode(&mut self, raw: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(raw.to_string()).or_insert(next)
    }

    /// The index of a raw id; an id never seen maps to one past the last, an index
    /// the matrix has but with no ratings.
    fn index(&self, raw: &str) -> u32 {
        self.ids.get(raw).copied().unwrap_or(self.ids.len() as u32)
    }
}

struct Loaded {
    matrix: Arc<RatingMatrix>,
    users: Encoder,
    items: Encoder,
}

/// Reads `user item rating [timestamp]`, whitespace separated, in file order.
fn load(path: &Path) -> Loaded {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut users, mut items) = (Encoder::default(), Encoder::default());
    let mut ratings = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        ratings.push(Rating {
            user: users.encode(fields[0]),
            item: items.encode(fields[1]),
            value: fields[2].parse().unwrap(),
        });
    }
    // One extra user and item without ratings stand for the unknown ids.
    let matrix = RatingMatrix::new(
        users.ids.len() + 1,
        items.ids.len() + 1,
        &ratings,
        RatingScale { min: 1.0, max: 5.0 },
    )
    .unwrap();
    Loaded {
        matrix: Arc::new(matrix),
        users,
        items,
    }
}

/// Each fixture: its file name part, recscope's algorithm, and the settings that
/// match the reference's parameters in the script (its defaults, where recscope's
/// differ: step and regularisation of SVD and SVD++, NMF's user regularisation; SVD
/// in the reference's double precision and order).
const FIXTURES: &[(&str, &str, &[&str])] = &[
    ("baseline_als", "baseline_als", &[]),
    ("baseline_sgd", "baseline_sgd", &[]),
    ("slope_one", "slope_one", &[]),
    (
        "svd_constant_init",
        "svd",
        &[
            "factors=3",
            "epochs=5",
            "init_mean=0.1",
            "init_std=0",
            "learning_rate=0.005",
            "reg=0.02",
            "exact=true",
        ],
    ),
    (
        "svd_unbiased_constant_init",
        "svd",
        &[
            "factors=3",
            "epochs=5",
            "biased=false",
            "init_mean=0.1",
            "init_std=0",
            "learning_rate=0.005",
            "reg=0.02",
            "exact=true",
        ],
    ),
    (
        "svdpp_constant_init",
        "svdpp",
        &[
            "factors=3",
            "epochs=5",
            "init_mean=0.1",
            "init_std=0",
            "learning_rate=0.007",
            "reg=0.02",
        ],
    ),
    (
        "nmf_constant_init",
        "nmf",
        &[
            "factors=3",
            "epochs=5",
            "init_low=0.5",
            "init_high=0.5",
            "reg_user=0.06",
        ],
    ),
    (
        "nmf_biased_constant_init",
        "nmf",
        &[
            "factors=3",
            "epochs=5",
            "biased=true",
            "init_low=0.5",
            "init_high=0.5",
            "reg_user=0.06",
        ],
    ),
];

fn fit(name: &str, settings: &[&str], data: &Loaded) -> Box<dyn Model> {
    let spec = find(name).unwrap();
    let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
    let params = spec.parse_params(&settings).unwrap();
    spec.fit_model(data.matrix.clone(), &params, &Progress::none())
        .unwrap()
}

/// Compares every row of a fixture with the model's prediction; returns the number
/// of rows checked.
fn check_fixture(data: &Loaded, algorithm: &str, settings: &[&str], fixture: &str) -> usize {
    let model = fit(algorithm, settings, data);
    let text = std::fs::read_to_string(fixtures().join(fixture)).unwrap();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (user, item) = (data.users.index(fields[0]), data.items.index(fields[1]));
        let estimate: f64 = fields[2].parse().unwrap();
        let clipped: f64 = fields[3].parse().unwrap();
        let impossible = fields[4] == "1";
        let prediction = model.predict(user, item);
        let context = format!("{algorithm}: {line} vs {:?}", prediction.explanation);
        assert!(
            (prediction.explanation.raw - estimate).abs() < TOLERANCE,
            "{context}"
        );
        assert!((prediction.value - clipped).abs() < TOLERANCE, "{context}");
        assert!(
            (model.predict_value(user, item) - clipped).abs() < TOLERANCE,
            "{context}"
        );
        if impossible {
            assert!(prediction.was_impossible(), "{context}");
        }
        checked += 1;
    }
    checked
}

#[test]
fn small_dataset_matches_surprise() {
    let data = load(&fixtures().join("small_ratings.tsv"));
    for (fixture, algorithm, settings) in FIXTURES {
        let checked = check_fixture(&data, algorithm, settings, &format!("small_{fixture}.tsv"));
        // 12 users × 9 items, plus three cells with an unknown user or item.
        assert_eq!(checked, 12 * 9 + 3, "{fixture}");
    }
}

#[test]
fn movielens_100k_matches_surprise() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ml-100k/u.data");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let data = load(&path);
    assert_eq!(data.matrix.n_ratings(), 100_000);
    for (fixture, algorithm, settings) in FIXTURES {
        let checked = check_fixture(&data, algorithm, settings, &format!("ml100k_{fixture}.tsv"));
        assert_eq!(checked, 2000, "{fixture}");
    }
}
