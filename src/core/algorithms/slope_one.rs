//! Slope One (Lemire and Maclachlan, "Slope One Predictors for Online Rating-Based
//! Collaborative Filtering", 2005): predictions from the mean rating differences
//! between the item asked for and the items the user rated.
//!
//! The deviation of item `i` from item `j` is `dev(i, j) = Σ_{v ∈ U_ij} (r_vi − r_vj)
//! / c_ij` over the `c_ij` users who rated both. While items are few the sums and
//! counts are kept for every pair; beyond [`DENSE_ITEM_LIMIT`] items they are
//! computed per prediction from the users who rated the item asked for.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{AlgorithmSpec, Family, FitError, Model, support};
use crate::core::explain::{Entity, Explanation, FallbackReason, NeighbourTerm, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::Params;
use crate::core::progress::Progress;

/// Above this many items the item × item table (12 bytes a pair) is not built.
pub const DENSE_ITEM_LIMIT: usize = 2048;

pub const SLOPE_ONE: AlgorithmSpec = AlgorithmSpec {
    name: "slope_one",
    title: "Slope One",
    family: Family::Neighbourhood,
    description: "The user's mean plus the mean deviation of the item from each item the \
                  user rated that shares at least one rater with it.",
    params: &[],
    fit: fit_slope_one,
};

pub const SLOPE_ONE_WEIGHTED: AlgorithmSpec = AlgorithmSpec {
    name: "slope_one_weighted",
    title: "Weighted Slope One",
    family: Family::Neighbourhood,
    description: "Each item the user rated predicts its rating plus the item's deviation \
                  from it; the predictions are averaged, weighted by how many users \
                  rated both items.",
    params: &[],
    fit: fit_slope_one_weighted,
};

/// Bytes in a page of memory (the usual size; a larger one is touched more than once).
const PAGE: usize = 4096;

/// Sums of rating differences and co-rating counts for every pair of items.
struct DenseDeviations {
    n_items: usize,
    /// `Σ (r_vi − r_vj)` at `i × n_items + j`.
    sums: Vec<f64>,
    /// `c_ij` at `i × n_items + j`.
    counts: Vec<u32>,
}

impl DenseDeviations {
    fn build(matrix: &RatingMatrix, progress: &Progress) -> Result<Self, FitError> {
        let n_items = matrix.n_items();
        let mut sums = vec![0.0; n_items * n_items];
        let mut counts = vec![0u32; n_items * n_items];
        // Touch every page of the zeroed tables here, on one thread: the system then
        // maps them one after another, instead of the threads below contending for
        // each first touch (on ml-100k that made two cores slower than one). The
        // values are hidden from the compiler, which would drop a store of a zero.
        sums.iter_mut()
            .step_by(PAGE / size_of::<f64>())
            .for_each(|v| *v = std::hint::black_box(0.0));
        counts
            .iter_mut()
            .step_by(PAGE / size_of::<u32>())
            .for_each(|v| *v = std::hint::black_box(0));
        progress.check()?;
        sums.par_chunks_mut(n_items.max(1))
            .zip(counts.par_chunks_mut(n_items.max(1)))
            .enumerate()
            .for_each(|(item, (sum_row, count_row))| {
                let (users, ratings) = matrix.item_ratings(item as ItemIndex);
                for (&user, &rating) in users.iter().zip(ratings) {
                    let (others, other_ratings) = matrix.user_ratings(user);
                    for (&other, &other_rating) in others.iter().zip(other_ratings) {
                        sum_row[other as usize] += rating - other_rating;
                        count_row[other as usize] += 1;
                    }
                }
            });
        progress.report(1.0, "item deviations");
        Ok(DenseDeviations {
            n_items,
            sums,
            counts,
        })
    }
}

/// A fitted Slope One model, plain or weighted.
struct SlopeOne {
    matrix: Arc<RatingMatrix>,
    weighted: bool,
    /// `μ_u`, zero for a user without ratings (never used for one).
    user_means: Vec<f64>,
    dense: Option<DenseDeviations>,
}

fn fit_slope_one(
    matrix: Arc<RatingMatrix>,
    _params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Ok(Box::new(SlopeOne::fit(matrix, false, progress)?))
}

fn fit_slope_one_weighted(
    matrix: Arc<RatingMatrix>,
    _params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Ok(Box::new(SlopeOne::fit(matrix, true, progress)?))
}

/// One item the user rated, as it enters a prediction.
struct Relevant {
    item: ItemIndex,
    /// The user's rating of it, `r_uj`.
    rating: f64,
    /// `dev(i, j)`.
    deviation: f64,
    /// `c_ij`, users who rated both items.
    count: u32,
}

impl SlopeOne {
    fn fit(
        matrix: Arc<RatingMatrix>,
        weighted: bool,
        progress: &Progress,
    ) -> Result<Self, FitError> {
        let user_means = (0..matrix.n_users() as UserIndex)
            .map(|user| matrix.user_mean(user).unwrap_or(0.0))
            .collect();
        let dense = if matrix.n_items() <= DENSE_ITEM_LIMIT {
            Some(DenseDeviations::build(&matrix, progress)?)
        } else {
            None
        };
        Ok(SlopeOne {
            matrix,
            weighted,
            user_means,
            dense,
        })
    }

    /// Calls `visit` for each item `j` the user rated with `c_ij > 0`, in the order of
    /// the user's ratings. The weighted variant skips `j = i` (the paper's `S(u) − {i}`);
    /// the plain one keeps it, as the reference library does (its deviation is 0).
    fn for_each_relevant(&self, user: UserIndex, item: ItemIndex, mut visit: impl FnMut(Relevant)) {
        let (items, ratings) = self.matrix.user_ratings(user);
        match &self.dense {
            Some(dense) => {
                let base = item as usize * dense.n_items;
                for (&other, &rating) in items.iter().zip(ratings) {
                    let count = dense.counts[base + other as usize];
                    if count == 0 || (self.weighted && other == item) {
                        continue;
                    }
                    visit(Relevant {
                        item: other,
                        rating,
                        deviation: dense.sums[base + other as usize] / count as f64,
                        count,
                    });
                }
            }
            None => {
                let position: HashMap<ItemIndex, usize> =
                    items.iter().enumerate().map(|(k, &j)| (j, k)).collect();
                let mut sums = vec![0.0; items.len()];
                let mut counts = vec![0u32; items.len()];
                let (raters, rater_ratings) = self.matrix.item_ratings(item);
                for (&rater, &rating) in raters.iter().zip(rater_ratings) {
                    let (others, other_ratings) = self.matrix.user_ratings(rater);
                    for (other, &other_rating) in others.iter().zip(other_ratings) {
                        if let Some(&k) = position.get(other) {
                            sums[k] += rating - other_rating;
                            counts[k] += 1;
                        }
                    }
                }
                for (k, (&other, &rating)) in items.iter().zip(ratings).enumerate() {
                    if counts[k] == 0 || (self.weighted && other == item) {
                        continue;
                    }
                    visit(Relevant {
                        item: other,
                        rating,
                        deviation: sums[k] / counts[k] as f64,
                        count: counts[k],
                    });
                }
            }
        }
    }

    /// The raw prediction, or `None` when no item the user rated shares a rater with
    /// `item` (the caller then falls back).
    fn raw(&self, user: UserIndex, item: ItemIndex) -> Option<f64> {
        let (mut numerator, mut weight) = (0.0, 0.0);
        self.for_each_relevant(user, item, |relevant| {
            if self.weighted {
                let count = relevant.count as f64;
                numerator += (relevant.deviation + relevant.rating) * count;
                weight += count;
            } else {
                numerator += relevant.deviation;
                weight += 1.0;
            }
        });
        if weight == 0.0 {
            None
        } else if self.weighted {
            Some(numerator / weight)
        } else {
            Some(self.user_means[user as usize] + numerator / weight)
        }
    }

    /// Raw predictions of every item for one user in a single pass over the
    /// co-ratings, for the per-prediction mode: for each item `j` the user rated, the
    /// deviations of every item from `j` are summed over `j`'s raters. `None` where no
    /// rated item shares a rater with the item.
    fn raw_for_all_items(&self, user: UserIndex) -> Vec<Option<f64>> {
        let n_items = self.matrix.n_items();
        let (mut sums, mut counts) = (vec![0.0; n_items], vec![0u32; n_items]);
        let (mut numerator, mut weight) = (vec![0.0; n_items], vec![0.0; n_items]);
        let mut touched = Vec::new();
        let (items, ratings) = self.matrix.user_ratings(user);
        for (&rated, &user_rating) in items.iter().zip(ratings) {
            let (raters, rater_ratings) = self.matrix.item_ratings(rated);
            for (&rater, &rated_rating) in raters.iter().zip(rater_ratings) {
                let (others, other_ratings) = self.matrix.user_ratings(rater);
                for (&other, &other_rating) in others.iter().zip(other_ratings) {
                    let other = other as usize;
                    if counts[other] == 0 {
                        touched.push(other);
                    }
                    sums[other] += other_rating - rated_rating;
                    counts[other] += 1;
                }
            }
            for &item in &touched {
                let count = counts[item] as f64;
                let deviation = sums[item] / count;
                if !self.weighted {
                    numerator[item] += deviation;
                    weight[item] += 1.0;
                } else if item != rated as usize {
                    numerator[item] += (deviation + user_rating) * count;
                    weight[item] += count;
                }
                sums[item] = 0.0;
                counts[item] = 0;
            }
            touched.clear();
        }
        let user_mean = self.user_means[user as usize];
        numerator
            .iter()
            .zip(&weight)
            .map(|(&numerator, &weight)| {
                if weight == 0.0 {
                    None
                } else if self.weighted {
                    Some(numerator / weight)
                } else {
                    Some(user_mean + numerator / weight)
                }
            })
            .collect()
    }

    fn formula(&self) -> &'static str {
        if self.weighted {
            "r̂ = Σ_j c_ij (r_uj + dev(i, j)) / Σ_j c_ij"
        } else {
            "r̂ = μ_u + Σ_j dev(i, j) / |R_i(u)|"
        }
    }

    fn explain(&self, user: UserIndex, item: ItemIndex) -> Explanation {
        if let Some(reason) = support::unknown(&self.matrix, user, item) {
            return Explanation::from_terms(
                self.formula(),
                vec![Term::new(
                    "μ",
                    "mean of all known ratings",
                    self.matrix.global_mean(),
                )],
            )
            .with_fallback(reason, "global mean μ");
        }
        let mut relevant = Vec::new();
        self.for_each_relevant(user, item, |r| relevant.push(r));
        let user_mean = self.user_means[user as usize];
        if relevant.is_empty() {
            return Explanation::from_terms(
                self.formula(),
                vec![Term::new("μ_u", "mean of the user's ratings", user_mean)],
            )
            .with_fallback(
                FallbackReason::TooFewNeighbours {
                    found: 0,
                    required: 1,
                },
                "user mean μ_u (no item the user rated shares a rater with this item)",
            );
        }
        let total: f64 = if self.weighted {
            relevant.iter().map(|r| r.count as f64).sum()
        } else {
            relevant.len() as f64
        };
        let mut neighbours: Vec<NeighbourTerm> = relevant
            .iter()
            .map(|r| {
                let similarity = if self.weighted { r.count as f64 } else { 1.0 };
                let share = similarity / total;
                NeighbourTerm {
                    neighbour: Entity::Item(r.item),
                    similarity,
                    rating: r.rating,
                    deviation: r.deviation,
                    share,
                    contribution: share * r.deviation,
                }
            })
            .collect();
        let base = if self.weighted {
            Term::new(
                "Σ_j w_j r_uj",
                "the user's ratings of these items, weighted by the users who rated both",
                neighbours.iter().map(|n| n.share * n.rating).sum(),
            )
        } else {
            Term::new("μ_u", "mean of the user's ratings", user_mean)
        };
        neighbours.sort_by(|a, b| {
            b.share
                .total_cmp(&a.share)
                .then(b.contribution.abs().total_cmp(&a.contribution.abs()))
                .then(item_of(a).cmp(&item_of(b)))
        });
        let mut explanation = Explanation::from_terms(self.formula(), vec![base]);
        explanation.raw += neighbours.iter().map(|n| n.contribution).sum::<f64>();
        explanation.neighbours = neighbours;
        if self.weighted {
            explanation.with_note(
                "similarity is the number of users who rated both items; \
                 items sharing no rater are left out",
            )
        } else {
            explanation.with_note(
                "every item the user rated that shares a rater with this item counts once",
            )
        }
    }
}

fn item_of(term: &NeighbourTerm) -> u32 {
    match term.neighbour {
        Entity::Item(item) => item,
        Entity::User(user) => user,
    }
}

impl Model for SlopeOne {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let explanation = self.explain(user, item);
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    /// In the per-prediction mode, scores all items in one pass instead of one pass
    /// per item; the ranking rule is the trait's (best first, ties to the lower item).
    fn recommend(&self, user: UserIndex, n: usize) -> Vec<(ItemIndex, f64)> {
        let scale = self.matrix.scale();
        let raw = if self.dense.is_none() && self.matrix.knows_user(user) {
            self.raw_for_all_items(user)
        } else {
            Vec::new()
        };
        let rated: std::collections::HashSet<ItemIndex> =
            self.matrix.user_ratings(user).0.iter().copied().collect();
        let mut scored: Vec<(ItemIndex, f64)> = (0..self.matrix.n_items() as ItemIndex)
            .filter(|item| !rated.contains(item) && self.matrix.knows_item(*item))
            .map(|item| match raw.get(item as usize) {
                Some(value) => (
                    item,
                    scale.clip(value.unwrap_or(self.user_means[user as usize])),
                ),
                None => (item, self.predict_value(user, item)),
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let raw = if support::unknown(&self.matrix, user, item).is_some() {
            self.matrix.global_mean()
        } else {
            self.raw(user, item)
                .unwrap_or(self.user_means[user as usize])
        };
        self.matrix.scale().clip(raw)
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures::{first_matrix, matrix};

    const CLOSE: f64 = 1e-12;

    fn fit(weighted: bool, matrix: Arc<RatingMatrix>) -> SlopeOne {
        match SlopeOne::fit(matrix, weighted, &Progress::none()) {
            Ok(model) => model,
            Err(error) => panic!("{error}"),
        }
    }

    /// The first matrix plus U4 (index 3): A = 4, B = 2, D = 1, so that item pairs
    /// have different numbers of common raters.
    fn four_users() -> Arc<RatingMatrix> {
        matrix(
            4,
            4,
            &[
                (0, 0, 5.0),
                (0, 1, 4.0),
                (1, 0, 3.0),
                (1, 2, 4.0),
                (1, 3, 2.0),
                (2, 1, 5.0),
                (2, 2, 5.0),
                (3, 0, 4.0),
                (3, 1, 2.0),
                (3, 3, 1.0),
            ],
        )
    }

    #[test]
    fn slope_one_on_the_first_matrix_matches_hand_calculation() {
        let model = fit(false, first_matrix(0, 0));
        // U1 → C: U1 rated A = 5, B = 4, μ_U1 = 4.5.
        //   dev(C, A) = 4 − 3 = 1 (U2), dev(C, B) = 5 − 5 = 0 (U3): 4.5 + (1 + 0)/2 = 5.
        let prediction = model.predict(0, 2);
        assert!((prediction.explanation.raw - 5.0).abs() < CLOSE);
        assert_eq!(prediction.explanation.neighbours.len(), 2);
        // U1 → D: dev(D, A) = 2 − 3 = −1 (U2); nobody rated D and B: 4.5 − 1 = 3.5.
        let prediction = model.predict(0, 3);
        assert!((prediction.value - 3.5).abs() < CLOSE);
        assert_eq!(
            prediction.explanation.neighbours[0].neighbour,
            Entity::Item(0)
        );
        assert!((prediction.explanation.neighbours[0].contribution + 1.0).abs() < CLOSE);
        // U3 → A: dev(A, B) = 5 − 4 = 1 (U1), dev(A, C) = 3 − 4 = −1 (U2): 5 + 0 = 5.
        assert!((model.predict_value(2, 0) - 5.0).abs() < CLOSE);
        // U3 → D: only dev(D, C) = 2 − 4 = −2 (U2): 5 − 2 = 3.
        assert!((model.predict_value(2, 3) - 3.0).abs() < CLOSE);
        // U2 → B: dev(B, A) = 4 − 5 = −1, dev(B, C) = 0, none with D: 3 − 1/2 = 2.5.
        assert!((model.predict_value(1, 1) - 2.5).abs() < CLOSE);
    }

    #[test]
    fn weighted_slope_one_weighs_items_by_common_raters() {
        // On the first matrix every pair of items has one common rater, so the
        // weights are equal: U1 → C = ((5 + 1) + (4 + 0)) / 2 = 5 with dev(C, A) = 1,
        // dev(C, B) = 0; U2 → B = ((3 − 1) + (4 + 0)) / 2 = 3 with dev(B, A) = −1,
        // dev(B, C) = 0 (D shares no rater with B).
        let on_first_matrix = fit(true, first_matrix(0, 0));
        assert!((on_first_matrix.predict_value(0, 2) - 5.0).abs() < CLOSE);
        assert!((on_first_matrix.predict_value(1, 1) - 3.0).abs() < CLOSE);

        let weighted = fit(true, four_users());
        let plain = fit(false, four_users());
        // U2 (A = 3, C = 4, D = 2) → B:
        //   dev(B, A) = ((4 − 5) + (2 − 4)) / 2 = −1.5, c = 2 (U1, U4)
        //   dev(B, C) = 5 − 5 = 0, c = 1 (U3);  dev(B, D) = 2 − 1 = 1, c = 1 (U4)
        // weighted: ((3 − 1.5)·2 + (4 + 0)·1 + (2 + 1)·1) / 4 = 10/4 = 2.5
        // plain:    μ_U2 + (−1.5 + 0 + 1)/3 = 3 − 1/6 = 17/6
        let prediction = weighted.predict(1, 1);
        let explanation = &prediction.explanation;
        assert!((explanation.raw - 2.5).abs() < CLOSE, "{explanation:?}");
        assert!((plain.predict_value(1, 1) - 17.0 / 6.0).abs() < CLOSE);
        // Shares 2/4, 1/4, 1/4; base Σ w r = (3·2 + 4 + 2)/4 = 3; contributions
        // −0.75, 0, 0.25.
        let first = &explanation.neighbours[0];
        assert_eq!(first.neighbour, Entity::Item(0));
        assert!((first.share - 0.5).abs() < CLOSE && (first.similarity - 2.0).abs() < CLOSE);
        assert!((first.contribution + 0.75).abs() < CLOSE);
        assert!((explanation.base() - 3.0).abs() < CLOSE);
        assert!((explanation.base() + explanation.contributions() - explanation.raw).abs() < CLOSE);
    }

    #[test]
    fn per_prediction_deviations_equal_the_dense_table() {
        for weighted in [false, true] {
            let dense = fit(weighted, four_users());
            let sparse = SlopeOne {
                dense: None,
                ..fit(weighted, four_users())
            };
            for user in 0..4 {
                for item in 0..4 {
                    let (a, b) = (dense.predict(user, item), sparse.predict(user, item));
                    assert!((a.value - b.value).abs() < CLOSE, "{a:?} {b:?}");
                    assert_eq!(
                        a.explanation.neighbours.len(),
                        b.explanation.neighbours.len()
                    );
                    assert!((dense.predict_value(user, item) - a.value).abs() < CLOSE);
                }
            }
        }
    }

    #[test]
    fn one_pass_recommendations_equal_item_by_item_predictions() {
        for weighted in [false, true] {
            let sparse = SlopeOne {
                dense: None,
                ..fit(weighted, four_users())
            };
            for user in 0..4 {
                let all = sparse.raw_for_all_items(user);
                for item in 0..4 {
                    match (all[item as usize], sparse.raw(user, item)) {
                        (Some(a), Some(b)) => assert!((a - b).abs() < CLOSE, "{a} {b}"),
                        (a, b) => assert_eq!(a, b, "user {user} item {item}"),
                    }
                }
                let dense = fit(weighted, four_users());
                assert_eq!(
                    sparse.recommend(user, 4).len(),
                    dense.recommend(user, 4).len()
                );
                for (a, b) in sparse
                    .recommend(user, 4)
                    .iter()
                    .zip(dense.recommend(user, 4))
                {
                    assert!(a.0 == b.0 && (a.1 - b.1).abs() < CLOSE, "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn no_common_rater_falls_back_to_the_user_mean_and_unknowns_to_the_global_mean() {
        // U1 rated only A, U2 only B: nothing links A and B. μ = (5 + 1) / 2 = 3.
        let matrix = matrix(3, 3, &[(0, 0, 5.0), (1, 1, 1.0)]);
        for weighted in [false, true] {
            let model = fit(weighted, matrix.clone());
            let prediction = model.predict(0, 1);
            assert!((prediction.value - 5.0).abs() < CLOSE);
            assert!(matches!(
                prediction.explanation.fallback.as_ref().map(|f| &f.reason),
                Some(FallbackReason::TooFewNeighbours { found: 0, .. })
            ));
            assert!((model.predict_value(0, 1) - 5.0).abs() < CLOSE);
            let unknown = model.predict(2, 2);
            assert!((unknown.value - 3.0).abs() < CLOSE && unknown.was_impossible());
            assert!((model.predict_value(2, 0) - 3.0).abs() < CLOSE);
        }
    }
}
