//! Matrix factorisation by stochastic gradient descent: SVD in Funk's style, biased or
//! not (Koren, Bell and Volinsky, "Matrix factorization techniques for recommender
//! systems", 2009), and SVD++ with implicit feedback (Koren, "Factorization meets the
//! neighborhood", 2008). Also the fitted factor model every factorisation here
//! predicts with.

use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::strata::Strata;
use super::{AlgorithmSpec, Family, FitError, Model, sgd, support};
use crate::core::embeddings::Embeddings;
use crate::core::explain::{Explanation, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;

/// The largest rating (in magnitude) that SVD fits in single precision. Single
/// precision carries about seven significant digits: beyond a million the steps of
/// the errors and factors would be lost in rounding, so the fit is in double.
const SINGLE_PRECISION_LARGEST: f64 = 1e6;

/// Users between two cancellation checks inside an epoch.
pub(crate) const USERS_PER_CHECK: usize = 1024;

const SEED: ParamSpec = super::support::seed_param("seed of the random initial factors");

const fn factors(default: i64) -> ParamSpec {
    super::support::factors_param(default, 1000)
}

const fn epochs(default: i64) -> ParamSpec {
    ParamSpec {
        name: "epochs",
        kind: ParamKind::Int {
            min: 0,
            max: 10_000,
            default,
        },
        help: "passes over all ratings",
    }
}

const fn learning_rate(default: f64) -> ParamSpec {
    ParamSpec {
        name: "learning_rate",
        kind: ParamKind::Float {
            min: 0.0,
            max: 0.1,
            default,
        },
        help: "step size γ of every update (large ones diverge; the fit then stops with an error)",
    }
}

const fn reg(default: f64) -> ParamSpec {
    ParamSpec {
        name: "reg",
        kind: ParamKind::Float {
            min: 0.0,
            max: 100.0,
            default,
        },
        help: "regularisation λ of every parameter",
    }
}

const INIT_MEAN: ParamSpec = ParamSpec {
    name: "init_mean",
    kind: ParamKind::Float {
        min: -10.0,
        max: 10.0,
        default: 0.0,
    },
    help: "mean of the normal distribution the factors start from",
};

const INIT_STD: ParamSpec = ParamSpec {
    name: "init_std",
    kind: ParamKind::Float {
        min: 0.0,
        max: 10.0,
        default: 0.1,
    },
    help: "standard deviation of the normal distribution the factors start from",
};

/// The defaults of SVD and SVD++: the reference library's factors and epochs, with
/// a larger step and stronger regularisation than its (γ 0.005 and λ 0.02 for SVD,
/// 0.007 and 0.02 for SVD++). From a grid search (γ 0.005 to 0.02, λ 0.02 to 0.15)
/// over 5-fold cross-validation on MovieLens 100K, one setting for both: within
/// 0.0015 of the best RMSE of each, it lowers SVD's from 0.936 to 0.914 and SVD++'s
/// from 0.919 to 0.913, and SVD's on MovieTweetings from 1.658 to 1.629, where it was
/// also the best of the grid.
const SVD_DEFAULTS: Sgd = Sgd {
    n_factors: 100,
    epochs: 20,
    learning_rate: 0.015,
    reg: 0.1,
};

/// See [`SVD_DEFAULTS`].
const SVDPP_DEFAULTS: Sgd = Sgd {
    n_factors: 20,
    epochs: 20,
    learning_rate: 0.015,
    reg: 0.1,
};

const SVD_PARAMS: &[ParamSpec] = &[
    factors(SVD_DEFAULTS.n_factors as i64),
    epochs(SVD_DEFAULTS.epochs as i64),
    ParamSpec {
        name: "biased",
        kind: ParamKind::Bool { default: true },
        help: "learn a global mean, user and item biases besides the factors",
    },
    learning_rate(SVD_DEFAULTS.learning_rate),
    reg(SVD_DEFAULTS.reg),
    INIT_MEAN,
    INIT_STD,
    SEED,
    ParamSpec {
        name: "exact",
        kind: ParamKind::Bool { default: false },
        help: "true fits in double precision, one user after another on one core: the \
               reference library's arithmetic and order. false fits in single precision \
               on up to two cores: several times faster, to the same RMSE, and the same \
               result on any machine. Ratings beyond ±1e6 are always fitted in double",
    },
];

const SVDPP_PARAMS: &[ParamSpec] = &[
    factors(SVDPP_DEFAULTS.n_factors as i64),
    epochs(SVDPP_DEFAULTS.epochs as i64),
    learning_rate(SVDPP_DEFAULTS.learning_rate),
    reg(SVDPP_DEFAULTS.reg),
    INIT_MEAN,
    INIT_STD,
    SEED,
];

pub const SVD: AlgorithmSpec = AlgorithmSpec {
    name: "svd",
    title: "SVD (SGD)",
    family: Family::Factorisation,
    description: "Users and items as vectors of latent factors whose dot product, plus \
                  the global mean and the two biases, predicts the rating; fitted by \
                  stochastic gradient descent.",
    params: SVD_PARAMS,
    fit: fit_svd,
};

pub const SVDPP: AlgorithmSpec = AlgorithmSpec {
    name: "svdpp",
    title: "SVD++",
    family: Family::Factorisation,
    description: "SVD whose user vector also sums a factor vector of every item the user \
                  rated, so that what was rated counts besides how.",
    params: SVDPP_PARAMS,
    fit: fit_svdpp,
};

/// A fitted factor model: `r̂ = μ + b_u + b_i + p_u · q_i` when biased, `r̂ = p_u · q_i`
/// when not. Factors are stored flat, row-major, `n_factors` values per user (item).
pub(crate) struct Factorised {
    pub matrix: Arc<RatingMatrix>,
    pub biased: bool,
    pub n_factors: usize,
    pub user_bias: Vec<f64>,
    pub item_bias: Vec<f64>,
    pub user_factors: Vec<f64>,
    pub item_factors: Vec<f64>,
    /// The formula shown, in the symbols of the terms and factors.
    pub formula: &'static str,
    /// What the user factors hold, when they are more than `p_u`.
    pub note: Option<&'static str>,
}

impl Factorised {
    fn user_vector(&self, user: UserIndex) -> &[f64] {
        support::row(&self.user_factors, user as usize, self.n_factors)
    }

    fn item_vector(&self, item: ItemIndex) -> &[f64] {
        support::row(&self.item_factors, item as usize, self.n_factors)
    }

    /// The raw prediction; `None` for an unbiased model when the user or the item is
    /// unknown (the global mean is used instead).
    fn raw(&self, user: UserIndex, item: ItemIndex) -> Option<f64> {
        let known_user = self.matrix.knows_user(user);
        let known_item = self.matrix.knows_item(item);
        let interaction = if known_user && known_item {
            support::dot(self.user_vector(user), self.item_vector(item))
        } else {
            0.0
        };
        if self.biased {
            let mut raw = self.matrix.global_mean() + interaction;
            if known_user {
                raw += self.user_bias[user as usize];
            }
            if known_item {
                raw += self.item_bias[item as usize];
            }
            Some(raw)
        } else if known_user && known_item {
            Some(interaction)
        } else {
            None
        }
    }

    fn explain(&self, user: UserIndex, item: ItemIndex) -> Explanation {
        let unknown = support::unknown(&self.matrix, user, item);
        let mut terms = Vec::new();
        if self.biased || unknown.is_some() {
            terms.push(Term::new(
                "μ",
                "mean of all known ratings",
                self.matrix.global_mean(),
            ));
        }
        if self.biased {
            let user_bias = if self.matrix.knows_user(user) {
                self.user_bias[user as usize]
            } else {
                0.0
            };
            let item_bias = if self.matrix.knows_item(item) {
                self.item_bias[item as usize]
            } else {
                0.0
            };
            terms.push(Term::new("b_u", "user bias", user_bias));
            terms.push(Term::new("b_i", "item bias", item_bias));
        }
        let mut explanation = Explanation::from_terms(self.formula, terms);
        match unknown {
            Some(reason) => {
                let used = if self.biased {
                    "μ plus the known biases, without factors"
                } else {
                    "global mean μ"
                };
                explanation = explanation.with_fallback(reason, used);
            }
            None => {
                explanation.factors =
                    support::factor_terms(self.user_vector(user), self.item_vector(item));
                explanation.raw += explanation.contributions();
            }
        }
        if let Some(note) = self.note {
            explanation = explanation.with_note(note);
        }
        explanation
    }
}

impl Model for Factorised {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let explanation = self.explain(user, item);
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let raw = self.raw(user, item).unwrap_or(self.matrix.global_mean());
        self.matrix.scale().clip(raw)
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    /// `p_u` and `q_i` (for SVD++, `p_u` with the implicit part folded in).
    fn embeddings(&self) -> Option<Embeddings<'_>> {
        Embeddings::from_flat(&self.user_factors, &self.item_factors, self.n_factors).ok()
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::Factorised(
            super::saved::FactorState::of(self),
        ))
    }
}

/// `count` draws from a normal distribution, flat.
pub(crate) fn normal_factors(rng: &mut ChaCha8Rng, count: usize, mean: f64, std: f64) -> Vec<f64> {
    (0..count).map(|_| normal(rng, mean, std)).collect()
}

/// One draw from a normal distribution.
fn normal(rng: &mut ChaCha8Rng, mean: f64, std: f64) -> f64 {
    mean + std * rng.sample::<f64, _>(StandardNormal)
}

/// Learning settings shared by SVD and SVD++.
struct Sgd {
    n_factors: usize,
    epochs: usize,
    learning_rate: f64,
    reg: f64,
}

impl Sgd {
    /// The settings of `params`, `defaults` for those absent.
    fn from_params(params: &Params, defaults: &Sgd) -> Self {
        Sgd {
            n_factors: support::count(params, "factors", defaults.n_factors).max(1),
            epochs: support::count(params, "epochs", defaults.epochs),
            learning_rate: params.float("learning_rate", defaults.learning_rate),
            reg: params.float("reg", defaults.reg),
        }
    }

    /// `Err` naming the learning rate when an epoch left a parameter NaN or infinite;
    /// the hint suggests a tenth of it, at most the default.
    /// The hint names the regularisation when `γλ ≥ 1` (every step then overshoots
    /// whatever the rate's size relative to the data), and the start when the factors
    /// begin far from zero (`start` is `(init_mean, init_std)`).
    fn ensure_finite(
        &self,
        fit: &str,
        epoch: usize,
        defaults: &Sgd,
        start: (f64, f64),
        matrix: &RatingMatrix,
        arrays: &[&[f64]],
    ) -> Result<(), FitError> {
        let (rate, reg) = (self.learning_rate, self.reg);
        let smaller_rate =
            support::learning_rate_hint("learning_rate", rate, defaults.learning_rate);
        let hint = if rate * reg >= 1.0 {
            format!(
                "learning_rate × reg = {} is 1 or more, so every step overshoots: lower reg \
                 (default {}) or the learning rate",
                rate * reg,
                defaults.reg
            )
        } else if start.0.abs() + start.1 > 1.0 {
            format!(
                "the factors start far from 0 (init_mean {}, init_std {}), so the first \
                 predictions are far off the scale: try init_mean=0 init_std=0.1, or \
                 {smaller_rate}",
                start.0, start.1
            )
        } else {
            smaller_rate
        };
        support::ensure_finite(
            &format!("{fit} (SGD)"),
            epoch,
            &format!("with learning_rate {rate}"),
            &hint,
            matrix,
            arrays,
        )
    }
}

fn fit_svd(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let sgd = Sgd::from_params(params, &SVD_DEFAULTS);
    let biased = params.bool("biased", true);
    let mut rng = support::seeded_rng(params, 0);
    let (mean, std) = (
        params.float("init_mean", 0.0),
        params.float("init_std", 0.1),
    );
    let f = sgd.n_factors;
    let global_mean = if biased { matrix.global_mean() } else { 0.0 };
    let settings = sgd::Settings {
        global_mean,
        biased,
        learning_rate: sgd.learning_rate,
        reg: sgd.reg,
    };
    let fitted = |[user_bias, item_bias, user_factors, item_factors]: [Vec<f64>; 4]| {
        Box::new(Factorised {
            matrix: matrix.clone(),
            biased,
            n_factors: f,
            user_bias,
            item_bias,
            user_factors,
            item_factors,
            formula: if biased {
                "r̂ = μ + b_u + b_i + p_u · q_i"
            } else {
                "r̂ = p_u · q_i"
            },
            note: None,
        }) as Box<dyn Model>
    };
    // After an epoch: an error naming the epoch if it left any parameter not finite.
    let check = |epoch, arrays: &[&[f64]]| {
        sgd.ensure_finite("SVD", epoch, &SVD_DEFAULTS, (mean, std), &matrix, arrays)
    };
    let scale = matrix.scale();
    let largest = scale.min.abs().max(scale.max.abs());
    if !params.bool("exact", false) && largest <= SINGLE_PRECISION_LARGEST {
        let strata = Strata::new(&matrix, sgd::PARTS);
        let mut single = Single::draw(&mut rng, &matrix, f, (mean, std), &strata);
        sgd::with_cores(|parallel| -> Result<(), FitError> {
            for epoch in 0..sgd.epochs {
                let mut parameters = single.parameters();
                let finite =
                    sgd::epoch_single(&strata, &settings, &mut parameters, progress, parallel)?;
                if !finite {
                    let [user_bias, item_bias, user_factors, item_factors] = single.to_double();
                    check(
                        epoch,
                        &[&user_factors, &item_factors, &user_bias, &item_bias],
                    )?;
                }
                progress.report((epoch + 1) as f64 / sgd.epochs as f64, "SVD epochs");
            }
            Ok(())
        })?;
        return Ok(fitted(single.to_double()));
    }

    let mut user_factors = normal_factors(&mut rng, matrix.n_users() * f, mean, std);
    let mut item_factors = normal_factors(&mut rng, matrix.n_items() * f, mean, std);
    let mut user_bias = vec![0.0; matrix.n_users()];
    let mut item_bias = vec![0.0; matrix.n_items()];
    for epoch in 0..sgd.epochs {
        for start in (0..matrix.n_users()).step_by(USERS_PER_CHECK) {
            progress.check()?;
            let mut parameters = sgd::Parameters {
                n_factors: f,
                user_factors: &mut user_factors,
                item_factors: &mut item_factors,
                user_bias: &mut user_bias,
                item_bias: &mut item_bias,
            };
            let users = start..(start + USERS_PER_CHECK).min(matrix.n_users());
            sgd::pass(&matrix, users, &settings, &mut parameters);
        }
        check(
            epoch,
            &[&user_factors, &item_factors, &user_bias, &item_bias],
        )?;
        progress.report((epoch + 1) as f64 / sgd.epochs as f64, "SVD epochs");
    }
    Ok(fitted([user_bias, item_bias, user_factors, item_factors]))
}

/// The parameters of a single-precision SVD fit (see [`sgd::SingleParameters`]), the
/// item rows in the order of [`Strata::items_by_row`].
struct Single {
    n_factors: usize,
    blocks: usize,
    /// The item of each item row.
    items_by_row: Vec<usize>,
    user_factors: Vec<sgd::Block>,
    item_factors: Vec<sgd::Block>,
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
}

impl Single {
    /// Starting factors drawn from a normal distribution of mean and standard
    /// deviation `start`, as [`normal_factors`] draws them (every user's, then every
    /// item's, in index order) but rounded to single precision, and zero biases; the
    /// item rows laid out as `strata` orders them.
    fn draw(
        rng: &mut ChaCha8Rng,
        matrix: &RatingMatrix,
        n_factors: usize,
        (mean, std): (f64, f64),
        strata: &Strata,
    ) -> Self {
        let blocks = n_factors.div_ceil(sgd::BLOCK);
        let items_by_row: Vec<usize> = strata.items_by_row().collect();
        let (n_users, n_items) = (matrix.n_users(), items_by_row.len());
        let mut row_of_item = vec![0; n_items];
        for (row, &item) in items_by_row.iter().enumerate() {
            row_of_item[item] = row;
        }
        let mut draw_rows = |n_rows: usize, row_of: &dyn Fn(usize) -> usize| {
            let mut rows = vec![sgd::Block::default(); n_rows * blocks];
            for index in 0..n_rows {
                let row = &mut rows[row_of(index) * blocks..][..blocks];
                for k in 0..n_factors {
                    row[k / sgd::BLOCK][k % sgd::BLOCK] = normal(rng, mean, std) as f32;
                }
            }
            rows
        };
        let user_factors = draw_rows(n_users, &|user| user);
        let item_factors = draw_rows(n_items, &|item| row_of_item[item]);
        Single {
            n_factors,
            blocks,
            user_bias: vec![0.0; n_users],
            item_bias: vec![0.0; n_items],
            user_factors,
            item_factors,
            items_by_row,
        }
    }

    fn parameters(&mut self) -> sgd::SingleParameters<'_> {
        sgd::SingleParameters {
            blocks: self.blocks,
            user_factors: &mut self.user_factors,
            item_factors: &mut self.item_factors,
            user_bias: &mut self.user_bias,
            item_bias: &mut self.item_bias,
        }
    }

    /// User and item biases, user and item factors, in double precision, unpadded,
    /// in user and item order.
    fn to_double(&self) -> [Vec<f64>; 4] {
        let (f, n_items) = (self.n_factors, self.items_by_row.len());
        let user_factors = (self.user_factors.chunks(self.blocks))
            .flat_map(|row| sgd::row_values(row, f))
            .map(f64::from)
            .collect();
        let mut item_factors = vec![0.0; n_items * f];
        let mut item_bias = vec![0.0; n_items];
        let item_rows = self.item_factors.chunks(self.blocks).zip(&self.item_bias);
        for (&item, (row, &bias)) in self.items_by_row.iter().zip(item_rows) {
            let factors = &mut item_factors[item * f..(item + 1) * f];
            for (factor, value) in factors.iter_mut().zip(sgd::row_values(row, f)) {
                *factor = f64::from(value);
            }
            item_bias[item] = f64::from(bias);
        }
        let user_bias = self.user_bias.iter().map(|&v| f64::from(v)).collect();
        [user_bias, item_bias, user_factors, item_factors]
    }
}

/// SVD++ by SGD, user by user, each user's ratings in input order, with the updates
/// of the reference formulation: after each rating every `y_j` of the user's items
/// moves by `γ (e q_i / √|I_u| − λ y_j)`. Because that step is the same for all of
/// the user's items, it is kept as one running decay and offset and applied to the
/// `y_j` once at the end of the user's ratings, and their sum is updated in place:
/// the result is the same, at the cost of SVD rather than `|I_u|` times more.
fn fit_svdpp(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let sgd = Sgd::from_params(params, &SVDPP_DEFAULTS);
    let mut rng = support::seeded_rng(params, 0);
    let (mean, std) = (
        params.float("init_mean", 0.0),
        params.float("init_std", 0.1),
    );
    let f = sgd.n_factors;
    let mut user_factors = normal_factors(&mut rng, matrix.n_users() * f, mean, std);
    let mut item_factors = normal_factors(&mut rng, matrix.n_items() * f, mean, std);
    let mut implicit_factors = normal_factors(&mut rng, matrix.n_items() * f, mean, std);
    let mut user_bias = vec![0.0; matrix.n_users()];
    let mut item_bias = vec![0.0; matrix.n_items()];
    let global_mean = matrix.global_mean();
    let (rate, reg) = (sgd.learning_rate, sgd.reg);
    let decay = 1.0 - rate * reg;
    // Σ_j y_j over the user's items, the offset added to each y_j, and Σ y_j / √|I_u|.
    let mut implicit_sum = vec![0.0; f];
    let mut offset = vec![0.0; f];
    let mut implicit = vec![0.0; f];

    for epoch in 0..sgd.epochs {
        for user in 0..matrix.n_users() {
            if user % USERS_PER_CHECK == 0 {
                progress.check()?;
            }
            let (items, ratings) = matrix.user_ratings(user as UserIndex);
            if items.is_empty() {
                continue;
            }
            let n_rated = items.len() as f64;
            let sqrt_rated = n_rated.sqrt();
            implicit_sum.fill(0.0);
            for &j in items {
                let y = support::row(&implicit_factors, j as usize, f);
                for (s, v) in implicit_sum.iter_mut().zip(y) {
                    *s += v;
                }
            }
            offset.fill(0.0);
            let mut scale = 1.0;
            let user_vector = &mut user_factors[user * f..(user + 1) * f];

            for (&item, &rating) in items.iter().zip(ratings) {
                let item = item as usize;
                let item_vector = &mut item_factors[item * f..(item + 1) * f];
                for (x, s) in implicit.iter_mut().zip(&implicit_sum) {
                    *x = s / sqrt_rated;
                }
                let mut dot = 0.0;
                for k in 0..f {
                    dot += item_vector[k] * (user_vector[k] + implicit[k]);
                }
                let error = rating - (global_mean + user_bias[user] + item_bias[item] + dot);
                user_bias[user] += rate * (error - reg * user_bias[user]);
                item_bias[item] += rate * (error - reg * item_bias[item]);
                for k in 0..f {
                    let (old_p, old_q) = (user_vector[k], item_vector[k]);
                    user_vector[k] += rate * (error * old_q - reg * old_p);
                    item_vector[k] += rate * (error * (old_p + implicit[k]) - reg * old_q);
                    let step = rate * error * old_q / sqrt_rated;
                    implicit_sum[k] = decay * implicit_sum[k] + n_rated * step;
                    offset[k] = decay * offset[k] + step;
                }
                scale *= decay;
            }

            for &j in items {
                let y = &mut implicit_factors[j as usize * f..(j as usize + 1) * f];
                for (v, o) in y.iter_mut().zip(&offset) {
                    *v = scale * *v + o;
                }
            }
        }
        sgd.ensure_finite(
            "SVD++",
            epoch,
            &SVDPP_DEFAULTS,
            (mean, std),
            &matrix,
            &[
                &user_factors,
                &item_factors,
                &implicit_factors,
                &user_bias,
                &item_bias,
            ],
        )?;
        progress.report((epoch + 1) as f64 / sgd.epochs as f64, "SVD++ epochs");
    }

    // Fold the implicit part into the user vectors: p_u + Σ_j y_j / √|I_u|.
    for user in 0..matrix.n_users() {
        let items = matrix.user_ratings(user as UserIndex).0;
        if items.is_empty() {
            continue;
        }
        let sqrt_rated = (items.len() as f64).sqrt();
        for &j in items {
            let y = support::row(&implicit_factors, j as usize, f);
            for k in 0..f {
                user_factors[user * f + k] += y[k] / sqrt_rated;
            }
        }
    }

    Ok(Box::new(Factorised {
        matrix,
        biased: true,
        n_factors: f,
        user_bias,
        item_bias,
        user_factors,
        item_factors,
        formula: "r̂ = μ + b_u + b_i + (p_u + |I_u|^-½ Σ_j y_j) · q_i",
        note: Some(
            "the user's factor values include |I_u|^-½ Σ_j y_j, the implicit part from \
             the items the user rated",
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures::first_matrix;

    /// SVD++ as the reference formulation writes it, rating by rating, recomputing
    /// the implicit sum and updating every `y_j` of the user after each rating.
    fn naive_svdpp(matrix: &RatingMatrix, f: usize, epochs: usize, seed: u64) -> Vec<f64> {
        let (rate, reg) = (0.007, 0.02);
        let mut rng = rand::SeedableRng::seed_from_u64(seed);
        let mut p = normal_factors(&mut rng, matrix.n_users() * f, 0.0, 0.1);
        let mut q = normal_factors(&mut rng, matrix.n_items() * f, 0.0, 0.1);
        let mut y = normal_factors(&mut rng, matrix.n_items() * f, 0.0, 0.1);
        let (mut bu, mut bi) = (vec![0.0; matrix.n_users()], vec![0.0; matrix.n_items()]);
        let mu = matrix.global_mean();
        for _ in 0..epochs {
            for rating in matrix.ratings() {
                let (u, i) = (rating.user as usize, rating.item as usize);
                let rated = matrix.user_ratings(rating.user).0;
                let root = (rated.len() as f64).sqrt();
                let mut implicit = vec![0.0; f];
                for &j in rated {
                    for k in 0..f {
                        implicit[k] += y[j as usize * f + k] / root;
                    }
                }
                let dot: f64 = (0..f)
                    .map(|k| q[i * f + k] * (p[u * f + k] + implicit[k]))
                    .sum();
                let error = rating.value - (mu + bu[u] + bi[i] + dot);
                bu[u] += rate * (error - reg * bu[u]);
                bi[i] += rate * (error - reg * bi[i]);
                for k in 0..f {
                    let (pk, qk) = (p[u * f + k], q[i * f + k]);
                    p[u * f + k] += rate * (error * qk - reg * pk);
                    q[i * f + k] += rate * (error * (pk + implicit[k]) - reg * qk);
                    for &j in rated {
                        let at = j as usize * f + k;
                        y[at] += rate * (error * qk / root - reg * y[at]);
                    }
                }
            }
        }
        let mut predictions = Vec::new();
        for u in 0..matrix.n_users() {
            let rated = matrix.user_ratings(u as UserIndex).0;
            let root = (rated.len() as f64).sqrt();
            for i in 0..matrix.n_items() {
                let mut dot = 0.0;
                for k in 0..f {
                    let implicit: f64 = rated.iter().map(|&j| y[j as usize * f + k]).sum::<f64>();
                    dot += q[i * f + k] * (p[u * f + k] + implicit / root);
                }
                predictions.push(mu + bu[u] + bi[i] + dot);
            }
        }
        predictions
    }

    #[test]
    fn svdpp_with_deferred_implicit_updates_equals_the_rating_by_rating_form() {
        let matrix = first_matrix(0, 0);
        let settings = [
            "factors=3",
            "epochs=30",
            "seed=9",
            "learning_rate=0.007",
            "reg=0.02",
        ];
        let params = match SVDPP.parse_params(&settings.map(String::from)) {
            Ok(params) => params,
            Err(error) => panic!("{error}"),
        };
        let model = match fit_svdpp(matrix.clone(), &params, &Progress::none()) {
            Ok(model) => model,
            Err(error) => panic!("{error}"),
        };
        let expected = naive_svdpp(&matrix, 3, 30, 9);
        for user in 0..3 {
            for item in 0..4 {
                let raw = model.predict(user, item).explanation.raw;
                let want = expected[user as usize * 4 + item as usize];
                assert!(
                    (raw - want).abs() < 1e-12,
                    "({user}, {item}): {raw} vs {want}"
                );
            }
        }
    }

    #[test]
    fn the_single_precision_start_is_the_double_precision_start_rounded() {
        // Before any epoch, the single-precision fit (its item rows laid out part by
        // part) holds the starting factors the double-precision fit draws, each
        // rounded to single precision. Explanations show the factors of the 3 users
        // and 4 items with ratings (the 2 users and 3 items added have none).
        let matrix = first_matrix(2, 3);
        let start = |exact: bool| {
            let settings = ["factors=19", "epochs=0", &format!("exact={exact}")];
            let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
            let params = match SVD.parse_params(&settings) {
                Ok(params) => params,
                Err(error) => panic!("{error}"),
            };
            let model = match fit_svd(matrix.clone(), &params, &Progress::none()) {
                Ok(model) => model,
                Err(error) => panic!("{error}"),
            };
            let mut vectors = Vec::new();
            for user in 0..matrix.n_users() as UserIndex {
                for item in 0..matrix.n_items() as ItemIndex {
                    let mut factors = model.predict(user, item).explanation.factors;
                    factors.sort_by_key(|f| f.factor);
                    vectors.extend(factors.iter().map(|f| (f.user_value, f.item_value)));
                }
            }
            vectors
        };
        let (single, double) = (start(false), start(true));
        assert_eq!((single.len(), double.len()), (3 * 4 * 19, 3 * 4 * 19));
        for (k, (s, d)) in single.iter().zip(&double).enumerate() {
            let rounded = (f64::from(d.0 as f32), f64::from(d.1 as f32));
            assert_eq!(*s, rounded, "factor {k}");
        }
    }

    #[test]
    fn one_svd_step_matches_hand_calculation() {
        // One rating (U1, A) = 5, μ = 5, one factor. With init_std = 0 and
        // init_mean = 0.5, p = q = 0.5: e = 5 − (5 + 0 + 0 + 0.25) = −0.25.
        // γ = 0.1, λ = 0: b_u = b_i = −0.025, p = q = 0.5 + 0.1·(−0.25·0.5) = 0.4875.
        // r̂ = 5 − 0.05 + 0.4875² = 5.18765625 (raw, before clipping).
        let matrix = crate::core::algorithms::support::fixtures::matrix(1, 1, &[(0, 0, 5.0)]);
        let settings: Vec<String> = [
            "factors=1",
            "epochs=1",
            "learning_rate=0.1",
            "reg=0",
            "init_mean=0.5",
            "init_std=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let params = match SVD.parse_params(&settings) {
            Ok(params) => params,
            Err(error) => panic!("{error}"),
        };
        // In double precision to the last digits, in single to about seven.
        for (exact, tolerance) in [(true, 1e-12), (false, 1e-6)] {
            let mut params = params.clone();
            if let Err(error) = params.set_text("svd", SVD.params, "exact", &exact.to_string()) {
                panic!("{error}");
            }
            let model = match fit_svd(matrix.clone(), &params, &Progress::none()) {
                Ok(model) => model,
                Err(error) => panic!("{error}"),
            };
            let prediction = model.predict(0, 0);
            assert!(
                (prediction.explanation.raw - 5.18765625).abs() < tolerance,
                "exact={exact}: {prediction:?}"
            );
            assert_eq!(prediction.value, 5.0);
            let factor = &prediction.explanation.factors[0];
            assert!(
                (factor.user_value - 0.4875).abs() < tolerance,
                "exact={exact}"
            );
        }
    }
}
