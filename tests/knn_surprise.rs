//! k-NN predictions compared with the Surprise library's, from fixtures made by
//! `tests/fixtures/surprise/make_knn_fixtures.py` (see the README there).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use recscope::core::algorithms;
use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::core::progress::Progress;

const TOLERANCE: f64 = 1e-6;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/surprise")
}

/// Ratings with raw ids encoded in order of first appearance, as Surprise does.
struct Encoded {
    matrix: Arc<RatingMatrix>,
    users: HashMap<String, u32>,
    items: HashMap<String, u32>,
}

impl Encoded {
    /// Reads `user<sep>item<sep>rating[...]` lines.
    fn read(path: &Path, separator: char) -> Self {
        let text = std::fs::read_to_string(path).unwrap();
        let mut users = HashMap::new();
        let mut items = HashMap::new();
        let mut ratings = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let fields: Vec<&str> = line.split(separator).collect();
            let n_users = users.len() as u32;
            let user = *users.entry(fields[0].to_string()).or_insert(n_users);
            let n_items = items.len() as u32;
            let item = *items.entry(fields[1].to_string()).or_insert(n_items);
            let value: f64 = fields[2].trim().parse().unwrap();
            ratings.push(Rating { user, item, value });
        }
        // One more user and item without ratings, for ids the data does not contain.
        let matrix = RatingMatrix::new(
            users.len() + 1,
            items.len() + 1,
            &ratings,
            RatingScale { min: 1.0, max: 5.0 },
        )
        .unwrap();
        Encoded {
            matrix: Arc::new(matrix),
            users,
            items,
        }
    }

    fn user(&self, raw: &str) -> u32 {
        self.users
            .get(raw)
            .copied()
            .unwrap_or(self.users.len() as u32)
    }

    fn item(&self, raw: &str) -> u32 {
        self.items
            .get(raw)
            .copied()
            .unwrap_or(self.items.len() as u32)
    }
}

/// Fits every configuration of a predictions file and compares each cell; returns the
/// largest absolute difference per algorithm.
fn compare(data: &Encoded, predictions: &Path) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(predictions).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut worst: BTreeMap<String, f64> = BTreeMap::new();
    let mut failures = Vec::new();
    for (column, configuration) in header.iter().enumerate().skip(2) {
        let mut words = configuration.split(' ');
        let name = words.next().unwrap();
        let settings: Vec<String> = words.map(str::to_string).collect();
        let spec = algorithms::find(name).unwrap();
        let params = spec.parse_params(&settings).unwrap();
        let model = spec
            .fit_model(data.matrix.clone(), &params, &Progress::none())
            .unwrap();
        let entry = worst.entry(name.to_string()).or_insert(0.0);
        for row in &rows {
            let (user, item) = (data.user(row[0]), data.item(row[1]));
            let expected: f64 = row[column].parse().unwrap();
            let got = model.predict_value(user, item);
            let difference = (got - expected).abs();
            *entry = entry.max(difference);
            if difference.is_nan() || difference > TOLERANCE {
                failures.push(format!(
                    "{configuration}: user {} item {}: recscope {got}, Surprise {expected}",
                    row[0], row[1]
                ));
            }
        }
        // The explained prediction is the same number.
        for row in rows.iter().take(50) {
            let (user, item) = (data.user(row[0]), data.item(row[1]));
            assert_eq!(
                model.predict(user, item).value,
                model.predict_value(user, item)
            );
        }
    }
    eprintln!(
        "{}: largest |recscope − Surprise| per algorithm:",
        predictions.display()
    );
    for (name, difference) in &worst {
        eprintln!("  {name}: {difference:.3e}");
    }
    assert!(
        failures.is_empty(),
        "{} predictions differ from Surprise by more than {TOLERANCE}, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    worst
}

#[test]
fn small_fixture_matches_surprise() {
    let data = Encoded::read(&fixtures().join("knn_small_ratings.csv"), ',');
    let worst = compare(&data, &fixtures().join("knn_small_predictions.csv"));
    assert_eq!(worst.len(), 4, "all four flavours were compared");
}

#[test]
fn movielens_100k_sample_matches_surprise() {
    let u_data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ml-100k/u.data");
    if !u_data.exists() {
        eprintln!("skipped: {} is absent", u_data.display());
        return;
    }
    let data = Encoded::read(&u_data, '\t');
    let worst = compare(&data, &fixtures().join("knn_ml100k_predictions.csv"));
    assert_eq!(worst.len(), 4, "all four flavours were compared");
}
