//! k-NN over neighbour lists (the layout for large data) agrees with the dense matrix
//! where no list was cut, says so where one was; fitting reports progress and stops
//! when cancelled.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use recscope::core::algorithms::knn::{Flavour, KnnModel, KnnSettings};
use recscope::core::algorithms::{FitError, Model};
use recscope::core::biases::BiasMethod;
use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::core::progress::Progress;
use recscope::core::similarity::{Layout, SimilarityKind, SimilarityOptions};

/// The committed small data set (24 users, 16 items), ids in order of appearance.
fn small() -> Arc<RatingMatrix> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/surprise/knn_small_ratings.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut users: Vec<String> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let mut ratings = Vec::new();
    let index = |names: &mut Vec<String>, name: &str| match names.iter().position(|n| n == name) {
        Some(k) => k as u32,
        None => {
            names.push(name.to_string());
            names.len() as u32 - 1
        }
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split(',').collect();
        let user = index(&mut users, f[0]);
        let item = index(&mut items, f[1]);
        ratings.push(Rating {
            user,
            item,
            value: f[2].parse().unwrap(),
        });
    }
    Arc::new(
        RatingMatrix::new(
            users.len(),
            items.len(),
            &ratings,
            RatingScale { min: 1.0, max: 5.0 },
        )
        .unwrap(),
    )
}

fn settings(flavour: Flavour, kind: SimilarityKind, user_based: bool, k: usize) -> KnnSettings {
    KnnSettings {
        flavour,
        similarity: SimilarityOptions {
            kind,
            user_based,
            min_support: 1,
            shrinkage: 100.0,
        },
        k,
        min_k: 1,
        biases: BiasMethod::default(),
    }
}

#[test]
fn uncut_neighbour_lists_predict_exactly_as_the_dense_matrix() {
    let m = small();
    let lists = Layout {
        dense_max: 0,
        list_len: 100,
    };
    for flavour in [
        Flavour::Basic,
        Flavour::Means,
        Flavour::ZScore,
        Flavour::Baseline,
    ] {
        for kind in SimilarityKind::ALL {
            for user_based in [true, false] {
                let s = settings(flavour, kind, user_based, 5);
                let dense = KnnModel::fit(m.clone(), s, &Progress::none()).unwrap();
                let listed =
                    KnnModel::fit_with_layout(m.clone(), s, lists, &Progress::none()).unwrap();
                assert!(dense.similarities().is_dense() && !listed.similarities().is_dense());
                for user in 0..m.n_users() as u32 {
                    for item in 0..m.n_items() as u32 {
                        assert_eq!(
                            dense.predict_value(user, item),
                            listed.predict_value(user, item),
                            "{flavour:?} {kind} user_based={user_based} ({user}, {item})"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn cut_neighbour_lists_keep_the_most_similar_and_say_so() {
    // Users keep at most 3 neighbours. Predictions then use only those among the
    // item's raters, and every explanation of a user whose list was cut says so.
    let m = small();
    let s = settings(Flavour::Basic, SimilarityKind::Msd, true, 40);
    let listed = KnnModel::fit_with_layout(
        m.clone(),
        s,
        Layout {
            dense_max: 0,
            list_len: 3,
        },
        &Progress::none(),
    )
    .unwrap();
    let dense = KnnModel::fit(m.clone(), s, &Progress::none()).unwrap();
    let user = (0..m.n_users() as u32)
        .find(|&u| listed.similarities().truncated_at(u).is_some())
        .unwrap();
    for item in 0..m.n_items() as u32 {
        let p = listed.predict(user, item);
        assert!(p.explanation.neighbours.len() <= 3);
        for n in &p.explanation.neighbours {
            // A kept neighbour's similarity is the true one.
            let other = match n.neighbour {
                recscope::core::explain::Entity::User(v) => v,
                recscope::core::explain::Entity::Item(_) => unreachable!(),
            };
            assert_eq!(n.similarity, dense.similarities().get(user, other));
        }
        if p.explanation.fallback.is_none() {
            assert!(
                p.explanation
                    .notes
                    .iter()
                    .any(|n| n.contains("most similar users of this one")),
                "{:?}",
                p.explanation.notes
            );
        }
    }
}

#[test]
fn fitting_reports_progress_to_the_end() {
    for layout in [
        Layout::default(),
        Layout {
            dense_max: 0,
            list_len: 10,
        },
    ] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let progress = Progress::new(Arc::new(AtomicBool::new(false)), move |fraction, _| {
            sink.lock().unwrap().push(fraction)
        });
        let s = settings(
            Flavour::Baseline,
            SimilarityKind::PearsonBaseline,
            false,
            40,
        );
        KnnModel::fit_with_layout(small(), s, layout, &progress).unwrap();
        let seen = seen.lock().unwrap();
        assert!(seen.len() > 2, "{seen:?}");
        assert_eq!(seen.last().copied(), Some(1.0));
    }
}

#[test]
fn a_cancelled_fit_returns_cancelled() {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    // Cancel as soon as the first progress arrives.
    let progress = Progress::new(cancel, move |_, _| flag.store(true, Ordering::Relaxed));
    for layout in [
        Layout::default(),
        Layout {
            dense_max: 0,
            list_len: 10,
        },
    ] {
        let s = settings(Flavour::Baseline, SimilarityKind::Msd, true, 40);
        let result = KnnModel::fit_with_layout(small(), s, layout, &progress);
        assert!(matches!(result, Err(FitError::Cancelled)));
    }
}
