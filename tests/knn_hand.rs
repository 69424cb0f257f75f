//! k-NN predictions on tiny matrices, checked against values computed by hand.

use std::sync::Arc;

use recscope::core::algorithms::{self, Model};
use recscope::core::explain::{Entity, FallbackReason, Prediction};
use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::core::progress::Progress;

/// The first matrix of the design, users U1..U3 = 0..2, movies A..D = 0..3:
///
/// | user | A | B | C | D |
/// |------|---|---|---|---|
/// | U1   | 5 | 4 | ? | ? |
/// | U2   | 3 | ? | 4 | 2 |
/// | U3   | ? | 5 | 5 | ? |
///
/// Given row by row, so C's raters are U2 then U3. μ = 28/7 = 4.
fn first_matrix() -> Arc<RatingMatrix> {
    matrix(
        3,
        4,
        &[
            (0, 0, 5.0),
            (0, 1, 4.0),
            (1, 0, 3.0),
            (1, 2, 4.0),
            (1, 3, 2.0),
            (2, 1, 5.0),
            (2, 2, 5.0),
        ],
    )
}

/// Four users, four movies, enough co-ratings for Pearson to say something:
///
/// | user | A | B | C | D |
/// |------|---|---|---|---|
/// | U1   | 5 | 3 | 4 | 4 |
/// | U2   | 4 | 2 | 3 | ? |
/// | U3   | 1 | 5 | 2 | 2 |
/// | U4   | 2 | 1 | 5 | 3 |
fn pearson_matrix() -> Arc<RatingMatrix> {
    matrix(
        4,
        4,
        &[
            (0, 0, 5.0),
            (0, 1, 3.0),
            (0, 2, 4.0),
            (0, 3, 4.0),
            (1, 0, 4.0),
            (1, 1, 2.0),
            (1, 2, 3.0),
            (2, 0, 1.0),
            (2, 1, 5.0),
            (2, 2, 2.0),
            (2, 3, 2.0),
            (3, 0, 2.0),
            (3, 1, 1.0),
            (3, 2, 5.0),
            (3, 3, 3.0),
        ],
    )
}

fn matrix(n_users: usize, n_items: usize, triples: &[(u32, u32, f64)]) -> Arc<RatingMatrix> {
    let ratings: Vec<Rating> = triples
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    Arc::new(
        RatingMatrix::new(
            n_users,
            n_items,
            &ratings,
            RatingScale { min: 1.0, max: 5.0 },
        )
        .unwrap(),
    )
}

fn fit(name: &str, matrix: &Arc<RatingMatrix>, settings: &[&str]) -> Box<dyn Model> {
    let spec = algorithms::find(name).unwrap();
    let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
    let params = spec.parse_params(&settings).unwrap();
    spec.fit_model(matrix.clone(), &params, &Progress::none())
        .unwrap()
}

/// Predicts and checks that the explanation adds up and agrees with `predict_value`.
fn predict(model: &dyn Model, user: u32, item: u32) -> Prediction {
    let prediction = model.predict(user, item);
    let e = &prediction.explanation;
    assert!(
        (e.base() + e.contributions() - e.raw).abs() < 1e-9,
        "explanation does not add up: {e:?}"
    );
    assert_eq!(model.predict_value(user, item), prediction.value);
    prediction
}

fn assert_close(got: f64, expected: f64) {
    assert!(
        (got - expected).abs() < 1e-9,
        "got {got}, expected {expected}"
    );
}

// Cosine on the first matrix. Every pair of users shares exactly one movie, so every
// user–user cosine is r·r' / (r·r') = 1. Items: A–B (via U1), A–C, A–D, C–D (via U2),
// B–C (via U3) are 1; B–D share no user and are 0.

#[test]
fn user_based_cosine_on_the_first_matrix() {
    let m = first_matrix();
    let ub = ["sim=cosine", "user_based=true"];

    // U1, C: raters of C are U2 (4) and U3 (5), both with similarity 1:
    // basic (1·4 + 1·5) / 2 = 4.5.
    let p = predict(fit("knn_basic", &m, &ub).as_ref(), 0, 2);
    assert_close(p.value, 4.5);
    assert_eq!(p.explanation.neighbours.len(), 2);
    assert_eq!(p.explanation.neighbours[0].neighbour, Entity::User(1));
    assert_close(p.explanation.neighbours[0].share, 0.5);

    // means: μ_U1 = 4.5, μ_U2 = 3, μ_U3 = 5: 4.5 + ((4 − 3) + (5 − 5)) / 2 = 5.0.
    let p = predict(fit("knn_means", &m, &ub).as_ref(), 0, 2);
    assert_close(p.value, 5.0);
    assert_close(p.explanation.base(), 4.5);

    // z-score: σ_U1 = 0.5, σ_U2 = √(2/3); U3's ratings are equal (σ = 0), so the
    // overall σ = √(8/7) stands in, but its deviation is 0 anyway:
    // 4.5 + 0.5 · ((4 − 3)/√(2/3) + 0) / 2.
    let p = predict(fit("knn_zscore", &m, &ub).as_ref(), 0, 2);
    assert_close(p.value, 4.5 + 0.5 * (1.0 / (2.0f64 / 3.0).sqrt()) / 2.0);

    // baseline with zero ALS epochs: every bias is 0, b_ui = μ = 4:
    // 4 + ((4 − 4) + (5 − 4)) / 2 = 4.5.
    let mut settings = ub.to_vec();
    settings.push("als_epochs=0");
    let p = predict(fit("knn_baseline", &m, &settings).as_ref(), 0, 2);
    assert_close(p.value, 4.5);
    assert_close(p.explanation.base(), 4.0);

    // U3, D: D's only rater is U2 (2): basic 2; means μ_U3 + (2 − μ_U2) = 5 − 1 = 4.
    assert_close(predict(fit("knn_basic", &m, &ub).as_ref(), 2, 3).value, 2.0);
    assert_close(predict(fit("knn_means", &m, &ub).as_ref(), 2, 3).value, 4.0);
}

#[test]
fn item_based_cosine_on_the_first_matrix() {
    let m = first_matrix();
    let ib = ["sim=cosine", "user_based=false"];

    // U1, C: the movies U1 rated are A (5) and B (4), both similar to C with 1:
    // basic (5 + 4) / 2 = 4.5.
    assert_close(predict(fit("knn_basic", &m, &ib).as_ref(), 0, 2).value, 4.5);

    // means: μ_C = 4.5, μ_A = 4, μ_B = 4.5: 4.5 + ((5 − 4) + (4 − 4.5)) / 2 = 4.75.
    assert_close(
        predict(fit("knn_means", &m, &ib).as_ref(), 0, 2).value,
        4.75,
    );

    // z-score: σ_C = 0.5, σ_A = 1, σ_B = 0.5: 4.5 + 0.5 · ((1/1) + (−0.5/0.5)) / 2 = 4.5.
    assert_close(
        predict(fit("knn_zscore", &m, &ib).as_ref(), 0, 2).value,
        4.5,
    );

    // baseline, zero epochs: 4 + ((5 − 4) + (4 − 4)) / 2 = 4.5.
    let settings = ["sim=cosine", "user_based=false", "als_epochs=0"];
    assert_close(
        predict(fit("knn_baseline", &m, &settings).as_ref(), 0, 2).value,
        4.5,
    );

    // U1, D: D is similar to A (1) but shares no rater with B (0): basic = r_U1,A = 5.
    let p = predict(fit("knn_basic", &m, &ib).as_ref(), 0, 3);
    assert_close(p.value, 5.0);
    assert_eq!(p.explanation.neighbours.len(), 1);
    assert_eq!(p.explanation.neighbours[0].neighbour, Entity::Item(0));
}

#[test]
fn pearson_on_the_first_matrix_falls_back_everywhere() {
    // Every pair shares a single rating: Pearson's numerator n·Σxy − Σx·Σy is 0 and its
    // denominator too, so every similarity is 0 and no neighbour counts.
    let m = first_matrix();
    for user_based in ["user_based=true", "user_based=false"] {
        let settings = ["sim=pearson", user_based];
        let p = predict(fit("knn_basic", &m, &settings).as_ref(), 0, 2);
        assert_close(p.value, 4.0); // the global mean
        assert_eq!(
            p.explanation.fallback.as_ref().map(|f| f.reason.clone()),
            Some(FallbackReason::TooFewNeighbours {
                found: 0,
                required: 1
            })
        );
        // means and z-score fall back on the target's own mean: μ_U1 = 4.5, or
        // μ_C = 4.5.
        for name in ["knn_means", "knn_zscore"] {
            let p = predict(fit(name, &m, &settings).as_ref(), 0, 2);
            assert_close(p.value, 4.5);
            assert!(p.was_impossible());
        }
        // baseline falls back on b_ui; with zero ALS epochs that is μ = 4.
        let settings = ["sim=pearson", user_based, "als_epochs=0"];
        let p = predict(fit("knn_baseline", &m, &settings).as_ref(), 0, 2);
        assert_close(p.value, 4.0);
        assert!(p.was_impossible());
    }
}

#[test]
fn user_based_pearson_on_four_users() {
    // Predict U2, D. Over A, B, C: U2 = (4, 2, 3), centred (1, −1, 0).
    // U1 = (5, 3, 4), centred (1, −1, 0): Pearson 1.
    // U3 = (1, 5, 2), centred (−5/3, 7/3, −2/3): numerator −5/3 − 7/3 = −4 < 0, ignored.
    // U4 = (2, 1, 5), centred (−2/3, −5/3, 7/3): numerator −2/3 + 5/3 = 1; denominator
    //   √2 · √(78/9) = √156 / 3, so sim = 3/√156 ≈ 0.2402.
    // D's raters: U1 (4), U3 (2), U4 (3).
    let m = pearson_matrix();
    let s = 3.0 / 156f64.sqrt();
    let ub = ["sim=pearson"];

    // basic: (1·4 + s·3) / (1 + s).
    let p = predict(fit("knn_basic", &m, &ub).as_ref(), 1, 3);
    assert_close(p.value, (4.0 + s * 3.0) / (1.0 + s));
    assert_eq!(p.explanation.neighbours.len(), 2);
    assert_close(p.explanation.neighbours[1].similarity, s);

    // means: μ_U2 = 3, μ_U1 = 4, μ_U4 = 11/4: 3 + (1·0 + s·(3 − 2.75)) / (1 + s).
    let p = predict(fit("knn_means", &m, &ub).as_ref(), 1, 3);
    assert_close(p.value, 3.0 + s * 0.25 / (1.0 + s));

    // z-score: σ_U2 = √(2/3), σ_U1 = √(1/2), σ_U4 = √(8.75/4):
    // 3 + √(2/3) · (0 + s · 0.25/√2.1875) / (1 + s).
    let p = predict(fit("knn_zscore", &m, &ub).as_ref(), 1, 3);
    let expected = 3.0 + (2.0f64 / 3.0).sqrt() * (s * 0.25 / 2.1875f64.sqrt()) / (1.0 + s);
    assert_close(p.value, expected);

    // k = 1 keeps only U1: basic 4.
    assert_close(
        predict(fit("knn_basic", &m, &["sim=pearson", "k=1"]).as_ref(), 1, 3).value,
        4.0,
    );
    // min_k = 3 is more than the two positive neighbours: the global mean
    // (16 + 9 + 10 + 11) / 15 = 46/15.
    let p = predict(
        fit("knn_basic", &m, &["sim=pearson", "min_k=3"]).as_ref(),
        1,
        3,
    );
    assert_close(p.value, 46.0 / 15.0);
    assert!(p.was_impossible());
}

#[test]
fn item_based_pearson_on_four_users() {
    // Predict U2, D from the movies U2 rated: A (4), B (2), C (3). Co-raters of D are
    // U1, U3, U4 with D = (4, 2, 3), centred (1, −1, 0).
    // A = (5, 1, 2), centred (7/3, −5/3, −2/3): numerator 4, denominator √2·√78/3,
    //   sim_A = 12/√156 ≈ 0.9608.
    // B = (3, 5, 1), centred (0, 2, −2): numerator −2 < 0, ignored.
    // C = (4, 2, 5), centred (1/3, −5/3, 4/3): numerator 2, denominator √2·√42/3,
    //   sim_C = 6/√84 ≈ 0.6547.
    let m = pearson_matrix();
    let ib = ["sim=pearson", "user_based=false"];
    let (sa, sc) = (12.0 / 156f64.sqrt(), 6.0 / 84f64.sqrt());

    // basic: (sa·4 + sc·3) / (sa + sc).
    let p = predict(fit("knn_basic", &m, &ib).as_ref(), 1, 3);
    assert_close(p.value, (sa * 4.0 + sc * 3.0) / (sa + sc));

    // means: μ_D = 3, μ_A = 3, μ_C = 3.5: 3 + (sa·(4 − 3) + sc·(3 − 3.5)) / (sa + sc).
    let p = predict(fit("knn_means", &m, &ib).as_ref(), 1, 3);
    assert_close(p.value, 3.0 + (sa - 0.5 * sc) / (sa + sc));
    assert_eq!(p.explanation.neighbours[0].neighbour, Entity::Item(0));

    // z-score: D = (4, 2, 3), σ_D = √(2/3); A = (5, 4, 1, 2), mean 3, squares
    // 4 + 1 + 4 + 1 = 10, σ_A = √2.5; C = (4, 3, 2, 5), mean 3.5, squares
    // 0.25 + 0.25 + 2.25 + 2.25 = 5, σ_C = √1.25:
    // 3 + √(2/3) · (sa·1/√2.5 + sc·(−0.5)/√1.25) / (sa + sc).
    let p = predict(fit("knn_zscore", &m, &ib).as_ref(), 1, 3);
    let z = (sa / 2.5f64.sqrt() - sc * 0.5 / 1.25f64.sqrt()) / (sa + sc);
    assert_close(p.value, 3.0 + (2.0f64 / 3.0).sqrt() * z);
}

#[test]
fn equal_similarities_keep_rating_order() {
    // U1, C user-based cosine with k = 1: U2 and U3 both have similarity 1; U2's
    // rating of C was given first, so U2 (4) is kept.
    let m = first_matrix();
    let p = predict(fit("knn_basic", &m, &["sim=cosine", "k=1"]).as_ref(), 0, 2);
    assert_close(p.value, 4.0);
    assert_eq!(p.explanation.neighbours[0].neighbour, Entity::User(1));
}

#[test]
fn unknown_users_and_items_fall_back() {
    // A fourth user and a fifth movie without ratings.
    let m = matrix(4, 5, &[(0, 0, 5.0), (0, 1, 4.0), (1, 0, 3.0), (2, 1, 5.0)]);
    // μ = 17/4.
    for name in ["knn_basic", "knn_means", "knn_zscore"] {
        let model = fit(name, &m, &[]);
        let p = predict(model.as_ref(), 3, 0);
        assert_close(p.value, 4.25);
        assert_eq!(
            p.explanation.fallback.as_ref().map(|f| f.reason.clone()),
            Some(FallbackReason::UnknownUser)
        );
        let p = predict(model.as_ref(), 3, 4);
        assert_eq!(
            p.explanation.fallback.as_ref().map(|f| f.reason.clone()),
            Some(FallbackReason::UnknownUserAndItem)
        );
    }
    // Baseline with zero epochs: biases are 0, so μ for an unknown user.
    let model = fit("knn_baseline", &m, &["als_epochs=0"]);
    assert_close(predict(model.as_ref(), 3, 0).value, 4.25);
    assert_close(predict(model.as_ref(), 0, 4).value, 4.25);
}

#[test]
fn predictions_are_clipped_and_say_so() {
    // Means, user-based msd: U1 = (A 5, B 5), U2 = (A 1, B 1, C 5). μ_U1 = 5,
    // μ_U2 = 7/3; msd(U1, U2) = 16 → sim 1/17. U1, C: 5 + (5 − 7/3) = 7.67 → 5.
    let m = matrix(
        2,
        3,
        &[
            (0, 0, 5.0),
            (0, 1, 5.0),
            (1, 0, 1.0),
            (1, 1, 1.0),
            (1, 2, 5.0),
        ],
    );
    let p = predict(fit("knn_means", &m, &[]).as_ref(), 0, 2);
    assert_close(p.explanation.raw, 5.0 + 5.0 - 7.0 / 3.0);
    assert_close(p.value, 5.0);
    assert!(p.explanation.notes.iter().any(|n| n.contains("clipped")));
}

/// Every cell of `matrix` predicts the same value with both models.
fn assert_same_predictions(a: &dyn Model, b: &dyn Model, matrix: &RatingMatrix) {
    for user in 0..matrix.n_users() as u32 {
        for item in 0..matrix.n_items() as u32 {
            assert_eq!(
                a.predict_value(user, item),
                b.predict_value(user, item),
                "user {user}, item {item}"
            );
        }
    }
}

#[test]
fn refit_with_a_new_k_keeps_the_similarities_and_matches_a_fresh_fit() {
    let m = first_matrix();
    for name in ["knn_basic", "knn_means", "knn_zscore", "knn_baseline"] {
        let spec = algorithms::find(name).unwrap();
        let model = fit(name, &m, &["sim=cosine"]);
        for settings in [["sim=cosine", "k=1"], ["sim=cosine", "min_k=3"]] {
            let owned: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
            let params = spec.parse_params(&owned).unwrap();
            let refitted = model
                .refit(&params, &Progress::none())
                .expect("only k or min_k changed: a refit")
                .unwrap();
            let fresh = fit(name, &m, &settings);
            assert_same_predictions(refitted.as_ref(), fresh.as_ref(), &m);
        }
    }

    // By hand, basic user-based cosine, U1 × C: U2 (4) and U3 (5) both have
    // similarity 1. With k = 1 only U2 (rated C first) is kept: 4. With min_k = 3
    // two neighbours are too few: the global mean 28/7 = 4. With k = 40: 4.5.
    let spec = algorithms::find("knn_basic").unwrap();
    let model = fit("knn_basic", &m, &["sim=cosine"]);
    assert_close(model.predict_value(0, 2), 4.5);
    let refit = |settings: &[&str]| {
        let owned: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = spec.parse_params(&owned).unwrap();
        model.refit(&params, &Progress::none())
    };
    let k1 = refit(&["sim=cosine", "k=1"]).unwrap().unwrap();
    assert_close(predict(k1.as_ref(), 0, 2).value, 4.0);
    let min_k3 = refit(&["sim=cosine", "min_k=3"]).unwrap().unwrap();
    let p = predict(min_k3.as_ref(), 0, 2);
    assert_close(p.value, 4.0);
    assert!(p.explanation.fallback.is_some());

    // A different measure or direction changes the similarities: fit from scratch.
    assert!(refit(&["sim=msd"]).is_none());
    assert!(refit(&["sim=cosine", "user_based=false"]).is_none());
    assert!(refit(&["sim=cosine", "min_support=2"]).is_none());
}

#[test]
fn a_known_cell_says_its_own_rating_takes_part_and_basic_deviations_are_ratings() {
    // U1 × A is known (5). Raters of A: U1 itself (similarity 1, rating 5) and U2
    // (cosine 1, rating 3): basic (5 + 3) / 2 = 4.
    let m = first_matrix();
    let p = predict(fit("knn_basic", &m, &["sim=cosine"]).as_ref(), 0, 0);
    assert_close(p.value, 4.0);
    assert_eq!(p.explanation.neighbours[0].neighbour, Entity::User(0));
    let notes = p.explanation.notes.join("\n");
    assert!(notes.contains("among its own neighbours"), "{notes}");
    assert!(notes.contains("deviation is its rating itself"), "{notes}");
    for n in &p.explanation.neighbours {
        assert_eq!(n.deviation, n.rating);
    }

    // U1 × C is unknown: U1 is not a rater of C, so no such note.
    let p = predict(fit("knn_means", &m, &["sim=cosine"]).as_ref(), 0, 2);
    let notes = p.explanation.notes.join("\n");
    assert!(!notes.contains("own neighbours"), "{notes}");
    assert!(!notes.contains("deviation is its rating itself"), "{notes}");
}
