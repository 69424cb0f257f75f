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

struct GlobalMean {
    matrix: Arc<RatingMatrix>,
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
#[derive(Clone, Copy, PartialEq)]
enum MeanKind {
    User,
    Item,
}

/// The user's (item's) mean rating, kept per index; `None` when it has no rating.
struct MeanOf {
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
struct Baseline {
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
}

const RANDOM_PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "seed",
    kind: ParamKind::Int {
        min: 0,
        max: i64::MAX,
        default: 0,
    },
    help: "seed of the draws; the same seed gives the same value for a cell",
}];

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
struct RandomNormal {
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
}
