//! Properties every k-NN configuration keeps: predictions are finite and inside the
//! rating scale, explanations add up, renaming users and items or shuffling the
//! ratings changes nothing, and degenerate data never breaks a prediction.

use std::sync::Arc;

use proptest::prelude::*;
use recscope::core::algorithms::{self, Model};
use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::core::progress::Progress;
use recscope::core::similarity::SimilarityKind;

const FLAVOURS: [&str; 4] = ["knn_basic", "knn_means", "knn_zscore", "knn_baseline"];

fn fit(name: &str, matrix: &Arc<RatingMatrix>, settings: &[String]) -> Box<dyn Model> {
    let spec = algorithms::find(name).unwrap();
    let params = spec.parse_params(settings).unwrap();
    spec.fit_model(matrix.clone(), &params, &Progress::none())
        .unwrap()
}

/// Every flavour × similarity × direction, with extra settings appended.
fn configurations(extra: &[&str]) -> Vec<(&'static str, Vec<String>)> {
    let mut all = Vec::new();
    for name in FLAVOURS {
        for kind in SimilarityKind::ALL {
            for user_based in [true, false] {
                let mut settings = vec![format!("sim={kind}"), format!("user_based={user_based}")];
                settings.extend(extra.iter().map(|s| s.to_string()));
                all.push((name, settings));
            }
        }
    }
    all
}

/// Checks every cell of every configuration: finite, in the scale, adds up.
fn check_all_cells(matrix: &Arc<RatingMatrix>, extra: &[&str]) {
    let scale = matrix.scale();
    for (name, settings) in configurations(extra) {
        let model = fit(name, matrix, &settings);
        for user in 0..matrix.n_users() as u32 {
            for item in 0..matrix.n_items() as u32 {
                let p = model.predict(user, item);
                let e = &p.explanation;
                assert!(
                    p.value.is_finite() && p.value >= scale.min && p.value <= scale.max,
                    "{name} {settings:?} ({user}, {item}) = {}",
                    p.value
                );
                assert!(
                    e.raw.is_finite() && (e.base() + e.contributions() - e.raw).abs() < 1e-9,
                    "{name} {settings:?} ({user}, {item}): {e:?}"
                );
                assert_eq!(model.predict_value(user, item), p.value);
            }
        }
    }
}

fn build(
    n_users: usize,
    n_items: usize,
    triples: &[(u32, u32, f64)],
    scale: RatingScale,
) -> Arc<RatingMatrix> {
    let ratings: Vec<Rating> = triples
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    Arc::new(RatingMatrix::new(n_users, n_items, &ratings, scale).unwrap())
}

const FIVE_STARS: RatingScale = RatingScale { min: 1.0, max: 5.0 };

#[test]
fn a_user_with_one_rating() {
    let m = build(
        3,
        3,
        &[
            (0, 0, 4.0),
            (1, 0, 2.0),
            (1, 1, 5.0),
            (2, 1, 3.0),
            (2, 2, 1.0),
        ],
        FIVE_STARS,
    );
    check_all_cells(&m, &[]);
}

#[test]
fn a_user_whose_ratings_are_all_equal() {
    let m = build(
        3,
        3,
        &[
            (0, 0, 3.0),
            (0, 1, 3.0),
            (0, 2, 3.0),
            (1, 0, 1.0),
            (1, 2, 5.0),
            (2, 1, 4.0),
        ],
        FIVE_STARS,
    );
    check_all_cells(&m, &[]);
}

#[test]
fn a_user_whose_ratings_are_all_zero() {
    let zero_to_five = RatingScale { min: 0.0, max: 5.0 };
    let m = build(
        3,
        3,
        &[
            (0, 0, 0.0),
            (0, 1, 0.0),
            (1, 0, 0.0),
            (1, 1, 4.0),
            (2, 2, 3.0),
            (2, 0, 0.0),
        ],
        zero_to_five,
    );
    check_all_cells(&m, &[]);
    // Every rating zero: cosine's denominators are all 0.
    let m = build(2, 2, &[(0, 0, 0.0), (0, 1, 0.0), (1, 0, 0.0)], zero_to_five);
    check_all_cells(&m, &[]);
}

#[test]
fn no_co_rated_items() {
    // A diagonal matrix: no two users share an item, no two items share a user.
    let m = build(3, 3, &[(0, 0, 5.0), (1, 1, 1.0), (2, 2, 3.0)], FIVE_STARS);
    check_all_cells(&m, &[]);
    let model = fit("knn_basic", &m, &[]);
    assert!(model.predict(0, 1).was_impossible());
}

#[test]
fn one_user_and_one_item() {
    check_all_cells(&build(1, 3, &[(0, 0, 5.0), (0, 2, 2.0)], FIVE_STARS), &[]);
    check_all_cells(&build(3, 1, &[(0, 0, 5.0), (2, 0, 2.0)], FIVE_STARS), &[]);
    check_all_cells(&build(1, 1, &[(0, 0, 4.0)], FIVE_STARS), &[]);
}

#[test]
fn every_rating_the_same() {
    let triples: Vec<(u32, u32, f64)> = (0..4)
        .flat_map(|u| {
            (0..4)
                .filter(move |i| (u + i) % 3 != 0)
                .map(move |i| (u, i, 4.0))
        })
        .collect();
    let m = build(4, 4, &triples, FIVE_STARS);
    check_all_cells(&m, &[]);
    check_all_cells(&m, &["min_k=0", "min_support=0", "shrinkage=0"]);
}

#[test]
fn an_empty_matrix() {
    check_all_cells(&build(2, 2, &[], FIVE_STARS), &[]);
}

/// A random matrix: a size and a set of distinct cells with half-star ratings.
fn matrix_strategy() -> impl Strategy<Value = (usize, usize, Vec<(u32, u32, f64)>)> {
    (1usize..7, 1usize..7).prop_flat_map(|(n_users, n_items)| {
        let cells = n_users * n_items;
        (
            Just(n_users),
            Just(n_items),
            proptest::collection::vec((any::<bool>(), 2u32..=10), cells),
        )
            .prop_map(move |(n_users, n_items, cells)| {
                let triples = cells
                    .into_iter()
                    .enumerate()
                    .filter(|(_, (present, _))| *present)
                    .map(|(k, (_, half_stars))| {
                        (
                            (k / n_items) as u32,
                            (k % n_items) as u32,
                            half_stars as f64 / 2.0,
                        )
                    })
                    .collect();
                (n_users, n_items, triples)
            })
    })
}

/// A random bijection of `0..n`.
fn permutation(n: usize) -> impl Strategy<Value = Vec<u32>> {
    Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle()
}

/// The same data under other indices: `user_map[u]`, `item_map[i]`, in the given
/// rating order.
fn renamed(
    n_users: usize,
    n_items: usize,
    triples: &[(u32, u32, f64)],
    user_map: &[u32],
    item_map: &[u32],
) -> Arc<RatingMatrix> {
    let moved: Vec<(u32, u32, f64)> = triples
        .iter()
        .map(|&(u, i, r)| (user_map[u as usize], item_map[i as usize], r))
        .collect();
    build(n_users, n_items, &moved, FIVE_STARS)
}

fn assert_same_predictions(
    original: &Arc<RatingMatrix>,
    moved: &Arc<RatingMatrix>,
    user_map: &[u32],
    item_map: &[u32],
    kinds: &[SimilarityKind],
    extra: &[&str],
) -> Result<(), TestCaseError> {
    for (name, settings) in configurations(extra) {
        if !kinds.iter().any(|k| settings[0] == format!("sim={k}")) {
            continue;
        }
        let a = fit(name, original, &settings);
        let b = fit(name, moved, &settings);
        for user in 0..original.n_users() as u32 {
            for item in 0..original.n_items() as u32 {
                let before = a.predict_value(user, item);
                let after = b.predict_value(user_map[user as usize], item_map[item as usize]);
                prop_assert!(
                    (before - after).abs() < 1e-9,
                    "{name} {settings:?} ({user}, {item}): {before} vs {after}"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn predictions_stay_in_the_scale_and_add_up((n_users, n_items, triples) in matrix_strategy()) {
        let m = build(n_users, n_items, &triples, FIVE_STARS);
        check_all_cells(&m, &[]);
        check_all_cells(&m, &["k=2", "min_k=2", "min_support=2", "shrinkage=1"]);
    }

    /// Renaming users and items keeps each line's rating order, so even ties between
    /// equal similarities resolve the same way. Sums of half stars are exact, so the
    /// measures built from them (not the mean- or baseline-centred ones, whose
    /// rounding may differ by an ulp and reorder near-ties) give identical neighbours.
    #[test]
    fn renaming_users_and_items_changes_nothing(
        (n_users, n_items, triples, user_map, item_map) in matrix_strategy()
            .prop_flat_map(|(n_users, n_items, triples)| {
                (Just(n_users), Just(n_items), Just(triples), permutation(n_users),
                    permutation(n_items))
            })
    ) {
        let original = build(n_users, n_items, &triples, FIVE_STARS);
        let moved = renamed(n_users, n_items, &triples, &user_map, &item_map);
        let exact = [
            SimilarityKind::Cosine,
            SimilarityKind::Msd,
            SimilarityKind::Pearson,
            SimilarityKind::Jaccard,
        ];
        assert_same_predictions(&original, &moved, &user_map, &item_map, &exact, &["k=2"])?;
    }

    /// Shuffling the ratings changes the order ties are broken in; with k at least the
    /// number of candidates every positive neighbour is used whatever the order, so
    /// every measure gives the same predictions (up to rounding).
    #[test]
    fn shuffling_ratings_with_room_for_every_neighbour_changes_nothing(
        (n_users, n_items, triples, user_map, item_map) in matrix_strategy()
            .prop_flat_map(|(n_users, n_items, triples)| {
                (Just(n_users), Just(n_items), Just(triples).prop_shuffle(),
                    permutation(n_users), permutation(n_items))
            })
    ) {
        let mut in_cell_order = triples.clone();
        in_cell_order.sort_by_key(|&(u, i, _)| (u, i));
        let original = build(n_users, n_items, &in_cell_order, FIVE_STARS);
        let moved = renamed(n_users, n_items, &triples, &user_map, &item_map);
        assert_same_predictions(
            &original, &moved, &user_map, &item_map, &SimilarityKind::ALL, &["k=100"],
        )?;
    }
}
