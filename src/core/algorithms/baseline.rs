//! Baseline predictors: the global, user and item means, the bias model
//! `μ + b_u + b_i` (fitted by ALS or SGD), and a seeded random predictor.

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{AlgorithmSpec, Family, FitError, Model, support};
use crate::core::biases::{BiasMethod, Biases};
use crate::core::explain::{Explanation, FallbackReason, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;

pub const GLOBAL_MEAN: AlgorithmSpec = AlgorithmSpec {
    name: "global_mean",
    title: "Global mean",
    family: Family::Baseline,
    description: "Predicts the mean of all known ratings for every cell.",
    params: &[],
    fit: fit_global_mean,
};

/// The global mean model.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct GlobalMean {
    #[serde(skip, default = "support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
}

impl GlobalMean {
    pub(crate) fn restore(self, matrix: Arc<RatingMatrix>) -> Self {
        GlobalMean { matrix }
    }
}

fn fit_global_mean(
    matrix: Arc<RatingMatrix>,
    _params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Ok(Box::new(GlobalMean { matrix }))
}

impl Model for GlobalMean {
    fn predict(&self, _user: UserIndex, _item: ItemIndex) -> Prediction {
        let mean = self.matrix.global_mean();
        let explanation = Explanation::from_terms(
            "r̂ = μ",
            vec![Term::new("μ", "mean of all known ratings", mean)],
        );
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::GlobalMean(GlobalMean {
            matrix: self.matrix.clone(),
        }))
    }
}

pub const USER_MEAN: AlgorithmSpec = AlgorithmSpec {
    name: "user_mean",
    title: "User mean",
    family: Family::Baseline,
    description: "Predicts the mean of the user's ratings; the global mean for a user \
                  without ratings.",
    params: &[],
    fit: fit_user_mean,
};

pub const ITEM_MEAN: AlgorithmSpec = AlgorithmSpec {
    name: "item_mean",
    title: "Item mean",
    family: Family::Baseline,
    description: "Predicts the mean of the item's ratings; the global mean for an item \
                  without ratings.",
    params: &[],
    fit: fit_item_mean,
};

/// Which mean a [`MeanOf`] model predicts.
#[derive(Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
enum MeanKind {
    User,
    Item,
}

/// The user's (item's) mean rating, kept per index; `None` when it has no rating.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct MeanOf {
    #[serde(skip, default = "support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
    kind: MeanKind,
    means: Vec<Option<f64>>,
}

fn fit_user_mean(
    matrix: Arc<RatingMatrix>,
    _params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let means = (0..matrix.n_users() as UserIndex)
        .map(|user| matrix.user_mean(user))
        .collect();
    Ok(Box::new(MeanOf {
        matrix,
        kind: MeanKind::User,
        means,
    }))
}

fn fit_item_mean(
    matrix: Arc<RatingMatrix>,
    _params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let means = (0..matrix.n_items() as ItemIndex)
        .map(|item| matrix.item_mean(item))
        .collect();
    Ok(Box::new(MeanOf {
        matrix,
        kind: MeanKind::Item,
        means,
    }))
}

impl MeanOf {
    pub(crate) fn restore(mut self, matrix: Arc<RatingMatrix>) -> Result<Self, String> {
        let (what, expected) = match self.kind {
            MeanKind::User => ("user means", matrix.n_users()),
            MeanKind::Item => ("item means", matrix.n_items()),
        };
        support::expect_len(what, self.means.len(), expected)?;
        self.matrix = matrix;
        Ok(self)
    }

    fn mean_for(&self, user: UserIndex, item: ItemIndex) -> Option<f64> {
        let index = match self.kind {
            MeanKind::User => user as usize,
            MeanKind::Item => item as usize,
        };
        self.means.get(index).copied().flatten()
    }
}

impl Model for MeanOf {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let (formula, symbol, meaning, reason) = match self.kind {
            MeanKind::User => (
                "r̂ = μ_u",
                "μ_u",
                "mean of the user's ratings",
                FallbackReason::UnknownUser,
            ),
            MeanKind::Item => (
                "r̂ = μ_i",
                "μ_i",
                "mean of the item's ratings",
                FallbackReason::UnknownItem,
            ),
        };
        let explanation = match self.mean_for(user, item) {
            Some(mean) => Explanation::from_terms(formula, vec![Term::new(symbol, meaning, mean)]),
            None => Explanation::from_terms(
                formula,
                vec![Term::new(
                    "μ",
                    "mean of all known ratings",
                    self.matrix.global_mean(),
                )],
            )
            .with_fallback(reason, "global mean μ"),
        };
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let raw = self
            .mean_for(user, item)
            .unwrap_or(self.matrix.global_mean());
        self.matrix.scale().clip(raw)
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::Means(MeanOf {
            matrix: self.matrix.clone(),
            kind: self.kind,
            means: self.means.clone(),
        }))
    }
}

const BASELINE_ALS_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "epochs",
        kind: ParamKind::Int {
            min: 0,
            max: 10_000,
            default: 10,
        },
        help: "alternating passes over items then users",
    },
    ParamSpec {
        name: "reg_user",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1e6,
            default: 15.0,
        },
        help: "regularisation λ_u of user biases",
    },
    ParamSpec {
        name: "reg_item",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1e6,
            default: 10.0,
        },
        help: "regularisation λ_i of item biases",
    },
];

const BASELINE_SGD_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "epochs",
        kind: ParamKind::Int {
            min: 0,
            max: 10_000,
            default: 20,
        },
        help: "passes over all ratings",
    },
    ParamSpec {
        name: "reg",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1e3,
            default: 0.02,
        },
        help: "regularisation λ of both biases",
    },
    ParamSpec {
        name: "learning_rate",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1.0,
            default: 0.005,
        },
        help: "step size γ",
    },
];

pub const BASELINE_ALS: AlgorithmSpec = AlgorithmSpec {
    name: "baseline_als",
    title: "Baseline (ALS)",
    family: Family::Baseline,
    description: "Global mean plus a user bias and an item bias, fitted by alternating \
                  least squares (items, then users, each epoch).",
    params: BASELINE_ALS_PARAMS,
    fit: fit_baseline_als,
};

pub const BASELINE_SGD: AlgorithmSpec = AlgorithmSpec {
    name: "baseline_sgd",
    title: "Baseline (SGD)",
    family: Family::Baseline,
    description: "Global mean plus a user bias and an item bias, fitted by stochastic \
                  gradient descent over the ratings, user by user.",
    params: BASELINE_SGD_PARAMS,
    fit: fit_baseline_sgd,
};

/// The bias model `r̂ = μ + b_u + b_i`, with `b_u = 0` (`b_i = 0`) for an unknown user
/// (item).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    #[serde(skip, default = "support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
    biases: Biases,
}

fn fit_baseline_als(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let method = BiasMethod::Als {
        epochs: support::count(params, "epochs", 10),
        reg_user: params.float("reg_user", 15.0),
        reg_item: params.float("reg_item", 10.0),
    };
    let biases = Biases::fit(&matrix, method, progress)?;
    Ok(Box::new(Baseline { matrix, biases }))
}

fn fit_baseline_sgd(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let method = BiasMethod::Sgd {
        epochs: support::count(params, "epochs", 20),
        reg: params.float("reg", 0.02),
        learning_rate: params.float("learning_rate", 0.005),
    };
    let biases = Biases::fit(&matrix, method, progress)?;
    Ok(Box::new(Baseline { matrix, biases }))
}

impl Baseline {
    pub(crate) fn restore(mut self, matrix: Arc<RatingMatrix>) -> Result<Self, String> {
        support::expect_len("user biases", self.biases.user.len(), matrix.n_users())?;
        support::expect_len("item biases", self.biases.item.len(), matrix.n_items())?;
        self.matrix = matrix;
        Ok(self)
    }

    /// `(b_u, b_i)`, each zero when its user (item) has no training ratings; a zero
    /// regularisation cannot then turn `0 / 0` into a prediction.
    fn biases_of(&self, user: UserIndex, item: ItemIndex) -> (f64, f64) {
        let user_bias = if self.matrix.knows_user(user) {
            self.biases.user_bias(user)
        } else {
            0.0
        };
        let item_bias = if self.matrix.knows_item(item) {
            self.biases.item_bias(item)
        } else {
            0.0
        };
        (user_bias, item_bias)
    }
}

impl Model for Baseline {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let (user_bias, item_bias) = self.biases_of(user, item);
        let mut explanation = Explanation::from_terms(
            "r̂ = μ + b_u + b_i",
            vec![
                Term::new("μ", "mean of all known ratings", self.biases.global_mean),
                Term::new("b_u", "user bias", user_bias),
                Term::new("b_i", "item bias", item_bias),
            ],
        );
        if let Some(reason) = support::unknown(&self.matrix, user, item) {
            explanation =
                explanation.with_fallback(reason, "bias 0 for what has no training ratings");
        }
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let (user_bias, item_bias) = self.biases_of(user, item);
        self.matrix
            .scale()
            .clip(self.biases.global_mean + user_bias + item_bias)
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::Baseline(Baseline {
            matrix: self.matrix.clone(),
            biases: self.biases.clone(),
        }))
    }
}

const RANDOM_PARAMS: &[ParamSpec] = &[super::support::seed_param(
    "seed of the draws; the same seed gives the same value for a cell",
)];

pub const RANDOM: AlgorithmSpec = AlgorithmSpec {
    name: "random",
    title: "Random (normal)",
    family: Family::Baseline,
    description: "Draws each prediction from a normal distribution with the mean and \
                  standard deviation of the training ratings; the draw for a cell is \
                  fixed by the seed.",
    params: RANDOM_PARAMS,
    fit: fit_random,
};

/// `r̂ = μ + σ·z` with `z` a standard normal draw fixed by (seed, user, item).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct RandomNormal {
    #[serde(skip, default = "support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
    /// Maximum-likelihood standard deviation of the training ratings (divides by n).
    sigma: f64,
    seed: u64,
}

fn fit_random(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    _progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let mean = matrix.global_mean();
    let n = matrix.n_ratings();
    let sigma = if n == 0 {
        0.0
    } else {
        (matrix
            .ratings()
            .map(|r| (r.value - mean).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt()
    };
    Ok(Box::new(RandomNormal {
        matrix,
        sigma,
        seed: params.int("seed", 0) as u64,
    }))
}

impl RandomNormal {
    pub(crate) fn restore(mut self, matrix: Arc<RatingMatrix>) -> Self {
        self.matrix = matrix;
        self
    }

    /// The standard normal draw of a cell: a generator seeded from a mix of the seed,
    /// the user and the item, so that the draw does not depend on the order of calls.
    fn draw(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let cell = ((user as u64) << 32) | item as u64;
        let mixed = mix64(self.seed ^ mix64(cell));
        let mut rng = ChaCha8Rng::seed_from_u64(mixed);
        rng.sample(StandardNormal)
    }
}

/// SplitMix64's finaliser: spreads the bits of `x` over the whole word.
fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Model for RandomNormal {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let z = self.draw(user, item);
        let explanation = Explanation::from_terms(
            "r̂ = μ + σ·z",
            vec![
                Term::new("μ", "mean of all known ratings", self.matrix.global_mean()),
                Term::new(
                    "σ·z",
                    &format!(
                        "standard deviation σ = {:.4} times a standard normal draw z = {:.4}",
                        self.sigma, z
                    ),
                    self.sigma * z,
                ),
            ],
        )
        .with_note("the draw for a cell is fixed by the seed, the user and the item");
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let raw = self.matrix.global_mean() + self.sigma * self.draw(user, item);
        self.matrix.scale().clip(raw)
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::Random(RandomNormal {
            matrix: self.matrix.clone(),
            sigma: self.sigma,
            seed: self.seed,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures::first_matrix;

    fn fit(spec: &AlgorithmSpec, settings: &[&str], matrix: Arc<RatingMatrix>) -> Box<dyn Model> {
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = spec.parse_params(&settings).unwrap();
        spec.fit_model(matrix, &params, &Progress::none()).unwrap()
    }

    const CLOSE: f64 = 1e-12;

    #[test]
    fn means_match_hand_calculation_and_unknowns_fall_back_to_the_global_mean() {
        // First matrix: μ = (5 + 4 + 3 + 4 + 2 + 5 + 5) / 7 = 28 / 7 = 4.
        // μ_U1 = (5 + 4) / 2 = 4.5; μ_C = (4 + 5) / 2 = 4.5; μ_D = 2.
        // User 3 and item 4 have no ratings.
        let matrix = first_matrix(1, 1);
        let global = fit(&GLOBAL_MEAN, &[], matrix.clone());
        let user = fit(&USER_MEAN, &[], matrix.clone());
        let item = fit(&ITEM_MEAN, &[], matrix);
        assert!((global.predict(0, 2).value - 4.0).abs() < CLOSE);
        assert!((user.predict(0, 2).value - 4.5).abs() < CLOSE);
        assert!((user.predict(1, 1).value - 3.0).abs() < CLOSE);
        assert!((item.predict(0, 2).value - 4.5).abs() < CLOSE);
        assert!((item.predict(0, 3).value - 2.0).abs() < CLOSE);

        let unknown_user = user.predict(3, 0);
        assert!((unknown_user.value - 4.0).abs() < CLOSE);
        assert_eq!(
            unknown_user
                .explanation
                .fallback
                .as_ref()
                .map(|f| &f.reason),
            Some(&FallbackReason::UnknownUser)
        );
        let unknown_item = item.predict(0, 4);
        assert!((unknown_item.value - 4.0).abs() < CLOSE);
        assert_eq!(
            unknown_item
                .explanation
                .fallback
                .as_ref()
                .map(|f| &f.reason),
            Some(&FallbackReason::UnknownItem)
        );
        assert!((item.predict_value(0, 4) - 4.0).abs() < CLOSE);
        assert!(!user.predict(0, 2).was_impossible());
    }

    #[test]
    fn one_als_epoch_on_the_first_matrix_matches_hand_calculation() {
        // λ_u = λ_i = 1, μ = 4, items first with b_u = 0:
        //   b_A = ((5 − 4) + (3 − 4)) / (1 + 2) = 0
        //   b_B = ((4 − 4) + (5 − 4)) / (1 + 2) = 1/3,  b_C = ((4 − 4) + (5 − 4)) / 3 = 1/3
        //   b_D = (2 − 4) / (1 + 1) = −1
        // then users:
        //   b_U1 = ((5 − 4 − 0) + (4 − 4 − 1/3)) / (1 + 2) = (2/3) / 3 = 2/9
        //   b_U2 = ((3 − 4 − 0) + (4 − 4 − 1/3) + (2 − 4 + 1)) / (1 + 3) = (−7/3) / 4 = −7/12
        //   b_U3 = ((5 − 4 − 1/3) + (5 − 4 − 1/3)) / (1 + 2) = 4/9
        // r̂(U1, C) = 4 + 2/9 + 1/3 = 41/9; r̂(U3, D) = 4 + 4/9 − 1 = 31/9;
        // r̂(U2, B) = 4 − 7/12 + 1/3 = 15/4.
        let model = fit(
            &BASELINE_ALS,
            &["epochs=1", "reg_user=1", "reg_item=1"],
            first_matrix(0, 0),
        );
        let prediction = model.predict(0, 2);
        let values: Vec<f64> = prediction
            .explanation
            .terms
            .iter()
            .map(|t| t.value)
            .collect();
        assert!((values[0] - 4.0).abs() < CLOSE, "{values:?}");
        assert!((values[1] - 2.0 / 9.0).abs() < CLOSE, "{values:?}");
        assert!((values[2] - 1.0 / 3.0).abs() < CLOSE, "{values:?}");
        assert!((prediction.value - 41.0 / 9.0).abs() < CLOSE);
        assert!((model.predict_value(2, 3) - 31.0 / 9.0).abs() < CLOSE);
        assert!((model.predict_value(1, 1) - 15.0 / 4.0).abs() < CLOSE);
    }

    #[test]
    fn baselines_give_unknown_users_and_items_zero_bias_even_without_regularisation() {
        // With λ = 0 the ALS bias of a user without ratings is 0 / 0; it must count
        // as 0. One epoch, items first: b_A = ((5 − 4) + (3 − 4)) / (0 + 2) = 0, so
        // r̂(unknown user, A) = μ + 0 + b_A = 4.
        let model = fit(
            &BASELINE_ALS,
            &["epochs=1", "reg_user=0", "reg_item=0"],
            first_matrix(1, 1),
        );
        let prediction = model.predict(3, 0);
        assert!(prediction.value.is_finite());
        assert!((prediction.value - 4.0).abs() < CLOSE, "{prediction:?}");
        assert!(prediction.was_impossible());
        assert!(model.predict_value(3, 4).is_finite());
    }

    #[test]
    fn random_draws_are_fixed_by_seed_user_and_item_and_follow_the_ratings() {
        // First matrix: μ = 4, σ² = (1 + 0 + 1 + 0 + 4 + 1 + 1) / 7 = 8/7.
        let matrix = first_matrix(200, 200);
        let model = fit(&RANDOM, &["seed=7"], matrix.clone());
        let again = fit(&RANDOM, &["seed=7"], matrix.clone());
        let other = fit(&RANDOM, &["seed=8"], matrix);
        let sigma = (8.0f64 / 7.0).sqrt();
        let (mut sum, mut sum_sq, mut differs) = (0.0, 0.0, 0);
        let n = 200 * 200;
        for user in 0..200 {
            for item in 0..200 {
                let prediction = model.predict(user, item);
                assert_eq!(prediction, again.predict(user, item));
                assert_eq!(prediction.value, model.predict_value(user, item));
                assert!((1.0..=5.0).contains(&prediction.value));
                let terms = &prediction.explanation.terms;
                assert_eq!(terms[0].value, 4.0);
                let z = terms[1].value / sigma;
                sum += z;
                sum_sq += z * z;
                if other.predict_value(user, item) != prediction.value {
                    differs += 1;
                }
            }
        }
        // The draws z are standard normal: mean within 4 standard errors of 0,
        // variance within 5 % of 1.
        let mean = sum / n as f64;
        let variance = sum_sq / n as f64 - mean * mean;
        assert!(mean.abs() < 4.0 / (n as f64).sqrt(), "mean {mean}");
        assert!((variance - 1.0).abs() < 0.05, "variance {variance}");
        assert!(differs > n / 2, "another seed changed only {differs} cells");
    }
}
