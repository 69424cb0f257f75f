//! Co-clustering (George and Merugu, "A scalable collaborative filtering framework
//! based on co-clustering", 2005): users and items are put in clusters, and a
//! prediction is the co-cluster's mean shifted by how the user and the item differ
//! from their clusters' means.
//!
//! `r̂ = C̄_ui + (μ_u − C̄_u) + (μ_i − C̄_i)`. Clusters start at random (seeded) and,
//! each epoch, every user and then every item moves to the cluster that minimises the
//! squared error of its ratings, as the reference library does.

use std::sync::Arc;

use rand::Rng;

use super::{AlgorithmSpec, Family, FitError, Model, support};
use crate::core::explain::{Explanation, FallbackReason, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;

const COCLUSTERING_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "user_clusters",
        kind: ParamKind::Int {
            min: 1,
            max: 1000,
            default: 3,
        },
        help: "number of user clusters",
    },
    ParamSpec {
        name: "item_clusters",
        kind: ParamKind::Int {
            min: 1,
            max: 1000,
            default: 3,
        },
        help: "number of item clusters",
    },
    ParamSpec {
        name: "epochs",
        kind: ParamKind::Int {
            min: 0,
            max: 10_000,
            default: 20,
        },
        help: "rounds of reassigning users, then items",
    },
    super::support::seed_param("seed of the random initial clusters"),
];

pub const COCLUSTERING: AlgorithmSpec = AlgorithmSpec {
    name: "coclustering",
    title: "Co-clustering",
    family: Family::Neighbourhood,
    description: "Users and items grouped into clusters; predicts the mean of the \
                  user-cluster × item-cluster block, shifted by the user's and the \
                  item's offsets from their clusters' means.",
    params: COCLUSTERING_PARAMS,
    fit: fit_coclustering,
};

/// Means of the current clusters; empty clusters take the global mean.
struct ClusterMeans {
    user: Vec<f64>,
    item: Vec<f64>,
    /// `user_cluster × n_item_clusters + item_cluster`.
    block: Vec<f64>,
}

struct CoClustering {
    matrix: Arc<RatingMatrix>,
    user_cluster: Vec<usize>,
    item_cluster: Vec<usize>,
    user_mean: Vec<f64>,
    item_mean: Vec<f64>,
    n_item_clusters: usize,
    means: ClusterMeans,
}

fn cluster_means(
    matrix: &RatingMatrix,
    user_cluster: &[usize],
    item_cluster: &[usize],
    n_user_clusters: usize,
    n_item_clusters: usize,
) -> ClusterMeans {
    let mut user = vec![(0.0, 0usize); n_user_clusters];
    let mut item = vec![(0.0, 0usize); n_item_clusters];
    let mut block = vec![(0.0, 0usize); n_user_clusters * n_item_clusters];
    for rating in matrix.ratings() {
        let uc = user_cluster[rating.user as usize];
        let ic = item_cluster[rating.item as usize];
        for cell in [
            &mut user[uc],
            &mut item[ic],
            &mut block[uc * n_item_clusters + ic],
        ] {
            cell.0 += rating.value;
            cell.1 += 1;
        }
    }
    let mean = |(sum, count): &(f64, usize)| {
        if *count == 0 {
            matrix.global_mean()
        } else {
            sum / *count as f64
        }
    };
    ClusterMeans {
        user: user.iter().map(mean).collect(),
        item: item.iter().map(mean).collect(),
        block: block.iter().map(mean).collect(),
    }
}

impl ClusterMeans {
    /// `Err` when a mean is NaN or infinite (sums of ratings that overflow `f64`).
    fn ensure_finite(
        &self,
        epoch: usize,
        matrix: &RatingMatrix,
        user_mean: &[f64],
        item_mean: &[f64],
    ) -> Result<(), FitError> {
        support::ensure_finite(
            "co-clustering",
            epoch,
            "",
            "rescale the ratings to a smaller range",
            matrix,
            &[&self.user, &self.item, &self.block, user_mean, item_mean],
        )
    }
}

/// Index of the smallest error; the first on ties.
fn argmin(errors: &[f64]) -> usize {
    let mut best = 0;
    for (k, &error) in errors.iter().enumerate() {
        if error < errors[best] {
            best = k;
        }
    }
    best
}

fn fit_coclustering(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let n_uc = support::count(params, "user_clusters", 3).max(1);
    let n_ic = support::count(params, "item_clusters", 3).max(1);
    let epochs = support::count(params, "epochs", 20);
    let mut rng = support::seeded_rng(params, 0);
    let mut user_cluster: Vec<usize> = (0..matrix.n_users())
        .map(|_| rng.random_range(0..n_uc))
        .collect();
    let mut item_cluster: Vec<usize> = (0..matrix.n_items())
        .map(|_| rng.random_range(0..n_ic))
        .collect();
    let global = matrix.global_mean();
    let user_mean: Vec<f64> = (0..matrix.n_users() as UserIndex)
        .map(|u| matrix.user_mean(u).unwrap_or(global))
        .collect();
    let item_mean: Vec<f64> = (0..matrix.n_items() as ItemIndex)
        .map(|i| matrix.item_mean(i).unwrap_or(global))
        .collect();
    let mut user_errors = vec![0.0; n_uc];
    let mut item_errors = vec![0.0; n_ic];

    for epoch in 0..epochs {
        progress.check()?;
        let means = cluster_means(&matrix, &user_cluster, &item_cluster, n_uc, n_ic);
        means.ensure_finite(epoch, &matrix, &user_mean, &item_mean)?;
        for user in 0..matrix.n_users() {
            let (items, ratings) = matrix.user_ratings(user as UserIndex);
            if items.is_empty() {
                continue;
            }
            for (uc, error) in user_errors.iter_mut().enumerate() {
                *error = 0.0;
                for (&item, &rating) in items.iter().zip(ratings) {
                    let ic = item_cluster[item as usize];
                    let estimate = means.block[uc * n_ic + ic] + user_mean[user] - means.user[uc]
                        + item_mean[item as usize]
                        - means.item[ic];
                    *error += (rating - estimate).powi(2);
                }
            }
            user_cluster[user] = argmin(&user_errors);
        }
        for item in 0..matrix.n_items() {
            let (users, ratings) = matrix.item_ratings(item as ItemIndex);
            if users.is_empty() {
                continue;
            }
            for (ic, error) in item_errors.iter_mut().enumerate() {
                *error = 0.0;
                for (&user, &rating) in users.iter().zip(ratings) {
                    let uc = user_cluster[user as usize];
                    let estimate = means.block[uc * n_ic + ic] + user_mean[user as usize]
                        - means.user[uc]
                        + item_mean[item]
                        - means.item[ic];
                    *error += (rating - estimate).powi(2);
                }
            }
            item_cluster[item] = argmin(&item_errors);
        }
        progress.report((epoch + 1) as f64 / epochs as f64, "co-clustering epochs");
    }

    let means = cluster_means(&matrix, &user_cluster, &item_cluster, n_uc, n_ic);
    means.ensure_finite(epochs, &matrix, &user_mean, &item_mean)?;
    Ok(Box::new(CoClustering {
        matrix,
        user_cluster,
        item_cluster,
        user_mean,
        item_mean,
        n_item_clusters: n_ic,
        means,
    }))
}

const FORMULA: &str = "r̂ = C̄_ui + (μ_u − C̄_u) + (μ_i − C̄_i)";

impl CoClustering {
    /// The three terms of the formula for a known user and item.
    fn parts(&self, user: UserIndex, item: ItemIndex) -> (usize, usize, [f64; 3]) {
        let uc = self.user_cluster[user as usize];
        let ic = self.item_cluster[item as usize];
        let block = self.means.block[uc * self.n_item_clusters + ic];
        let user_offset = self.user_mean[user as usize] - self.means.user[uc];
        let item_offset = self.item_mean[item as usize] - self.means.item[ic];
        (uc, ic, [block, user_offset, item_offset])
    }

    /// The fallback value for an unknown user or item: the item's mean for an
    /// unknown user, the user's mean for an unknown item, else the global mean.
    fn fallback(
        &self,
        reason: &FallbackReason,
        user: UserIndex,
        item: ItemIndex,
    ) -> (Term, &'static str) {
        match reason {
            FallbackReason::UnknownUser => (
                Term::new(
                    "μ_i",
                    "mean of the item's ratings",
                    self.item_mean[item as usize],
                ),
                "item mean μ_i",
            ),
            FallbackReason::UnknownItem => (
                Term::new(
                    "μ_u",
                    "mean of the user's ratings",
                    self.user_mean[user as usize],
                ),
                "user mean μ_u",
            ),
            _ => (
                Term::new("μ", "mean of all known ratings", self.matrix.global_mean()),
                "global mean μ",
            ),
        }
    }
}

impl Model for CoClustering {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let explanation = match support::unknown(&self.matrix, user, item) {
            Some(reason) => {
                let (term, used) = self.fallback(&reason, user, item);
                Explanation::from_terms(FORMULA, vec![term]).with_fallback(reason, used)
            }
            None => {
                let (uc, ic, [block, user_offset, item_offset]) = self.parts(user, item);
                Explanation::from_terms(
                    FORMULA,
                    vec![
                        Term::new("C̄_ui", "mean rating of the co-cluster", block),
                        Term::new(
                            "μ_u − C̄_u",
                            "user's mean minus their cluster's mean",
                            user_offset,
                        ),
                        Term::new(
                            "μ_i − C̄_i",
                            "item's mean minus its cluster's mean",
                            item_offset,
                        ),
                    ],
                )
                .with_note(&format!(
                    "the user is in user cluster {}, the item in item cluster {}",
                    uc + 1,
                    ic + 1
                ))
            }
        };
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let raw = match support::unknown(&self.matrix, user, item) {
            Some(reason) => self.fallback(&reason, user, item).0.value,
            None => self.parts(user, item).2.iter().sum(),
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
    use crate::core::algorithms::support::fixtures::first_matrix;

    fn fit(settings: &[&str], matrix: Arc<RatingMatrix>) -> Box<dyn Model> {
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = match COCLUSTERING.parse_params(&settings) {
            Ok(params) => params,
            Err(error) => panic!("{error}"),
        };
        match fit_coclustering(matrix, &params, &Progress::none()) {
            Ok(model) => model,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn one_cluster_each_gives_user_mean_plus_item_mean_minus_global_mean() {
        // With a single cluster of each kind every cluster mean is μ = 4, so
        // r̂ = μ + (μ_u − μ) + (μ_i − μ). U1 → C: 4 + 0.5 + 0.5 = 5;
        // U2 → B: 4 + (3 − 4) + (4.5 − 4) = 3.5; U3 → D: 4 + 1 + (2 − 4) = 3.
        let model = fit(&["user_clusters=1", "item_clusters=1"], first_matrix(1, 1));
        let prediction = model.predict(0, 2);
        assert!(
            (prediction.explanation.raw - 5.0).abs() < 1e-12,
            "{prediction:?}"
        );
        assert!((model.predict_value(1, 1) - 3.5).abs() < 1e-12);
        assert!((model.predict_value(2, 3) - 3.0).abs() < 1e-12);
        // Unknown user → μ_i (μ_B = 4.5); unknown item → μ_u (μ_U2 = 3); both → μ.
        assert!((model.predict_value(3, 1) - 4.5).abs() < 1e-12);
        assert!((model.predict_value(1, 4) - 3.0).abs() < 1e-12);
        assert!((model.predict_value(3, 4) - 4.0).abs() < 1e-12);
        assert!(model.predict(3, 1).was_impossible());
    }

    #[test]
    fn clusters_separate_two_taste_groups() {
        // Users 0–3 love items 0–3 and hate 4–7; users 4–7 the reverse. With two
        // clusters each the co-cluster means are 5 and 1 once the groups are found,
        // and users' and items' means stay near their clusters' (about 3), so a
        // held-back cell is predicted near its group's rating.
        let mut cells = Vec::new();
        for user in 0..8u32 {
            for item in 0..8u32 {
                if (user + item) % 5 == 0 {
                    continue; // held back
                }
                let likes = (user < 4) == (item < 4);
                cells.push((user, item, if likes { 5.0 } else { 1.0 }));
            }
        }
        let matrix = crate::core::algorithms::support::fixtures::matrix(8, 8, &cells);
        let found = (0..20).any(|seed| {
            let model = fit(
                &[
                    "user_clusters=2",
                    "item_clusters=2",
                    &format!("seed={seed}"),
                ],
                matrix.clone(),
            );
            (model.predict_value(0, 0) - 5.0).abs() < 0.5
                && (model.predict_value(1, 4) - 1.0).abs() < 0.5
        });
        assert!(found, "no seed of 20 separated the two groups");
    }
}
