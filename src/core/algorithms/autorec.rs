//! Item-based AutoRec: an autoencoder that reads each item's column of user ratings,
//! squeezes it through a sigmoid hidden layer and reconstructs it, trained on the
//! known ratings only (Sedhain, Menon, Sanner and Xie, "AutoRec: Autoencoders meet
//! collaborative filtering", WWW 2015). The hidden layer is the item's embedding.

use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, Zip};
use rand::Rng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{AlgorithmSpec, Family, FitError, Model, support};
use crate::core::explain::{Entity, Explanation, FactorTerm, NeighbourTerm, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;

const DEFAULT_HIDDEN: i64 = 100;
const DEFAULT_EPOCHS: i64 = 40;
const DEFAULT_LEARNING_RATE: f64 = 0.001;
const DEFAULT_REG: f64 = 40.0;
const DEFAULT_BATCH: i64 = 32;

const AUTOREC_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "hidden",
        kind: ParamKind::Int {
            min: 1,
            max: 5000,
            default: DEFAULT_HIDDEN,
        },
        help: "units of the hidden layer: the length of each item's embedding",
    },
    ParamSpec {
        name: "epochs",
        kind: ParamKind::Int {
            min: 0,
            max: 10_000,
            default: DEFAULT_EPOCHS,
        },
        help: "passes over all items",
    },
    ParamSpec {
        name: "learning_rate",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1.0,
            default: DEFAULT_LEARNING_RATE,
        },
        help: "step size of Adam (large ones diverge; the fit then stops with an error)",
    },
    ParamSpec {
        name: "reg",
        kind: ParamKind::Float {
            min: 0.0,
            max: 10_000.0,
            default: DEFAULT_REG,
        },
        help: "L2 regularisation λ of both weight matrices, per pass over all items",
    },
    ParamSpec {
        name: "batch",
        kind: ParamKind::Int {
            min: 1,
            max: 100_000,
            default: DEFAULT_BATCH,
        },
        help: "items per gradient step",
    },
    super::support::seed_param("seed of the initial weights and of the order of the items"),
];

pub const AUTOREC: AlgorithmSpec = AlgorithmSpec {
    name: "autorec",
    title: "AutoRec (item-based autoencoder)",
    family: Family::Neural,
    description: "A neural network reads an item's ratings by all users, encodes them \
                  in a sigmoid hidden layer and decodes every user's rating from it; \
                  trained by Adam on the known ratings with L2 regularisation.",
    params: AUTOREC_PARAMS,
    fit: fit_autorec,
};

const FORMULA: &str = "r̂ = b_u + W_u · h_i, h_i = σ(V r_i + μ)";

/// Items the user rated listed as nearest to the predicted one in the hidden space.
const NEAREST: usize = 5;

/// The network's weights. Both matrices have one row per user: `encoder[u]` is the
/// column of `V` that user `u`'s rating multiplies, `decoder[u]` is `W_u`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Weights {
    /// `V`ᵀ, users × hidden.
    encoder: Array2<f64>,
    /// `μ`, one per hidden unit.
    encoder_bias: Array1<f64>,
    /// `W`, users × hidden.
    decoder: Array2<f64>,
    /// `b`, one per user.
    decoder_bias: Array1<f64>,
}

impl Weights {
    fn zeros(n_users: usize, hidden: usize) -> Self {
        Weights {
            encoder: Array2::zeros((n_users, hidden)),
            encoder_bias: Array1::zeros(hidden),
            decoder: Array2::zeros((n_users, hidden)),
            decoder_bias: Array1::zeros(n_users),
        }
    }

    /// Uniform in ±1/√fan-in, the usual start of a dense layer.
    fn random(n_users: usize, hidden: usize, rng: &mut impl Rng) -> Self {
        let mut weights = Weights::zeros(n_users, hidden);
        let encoder_range = 1.0 / (n_users.max(1) as f64).sqrt();
        let decoder_range = 1.0 / (hidden as f64).sqrt();
        weights
            .encoder
            .mapv_inplace(|_| rng.random_range(-encoder_range..=encoder_range));
        weights
            .decoder
            .mapv_inplace(|_| rng.random_range(-decoder_range..=decoder_range));
        weights
    }

    fn hidden(&self) -> usize {
        self.encoder_bias.len()
    }

    /// `h_i = σ(Σ_u r_ui V_u + μ)` over the users who rated the item.
    fn code(&self, users: &[UserIndex], ratings: &[f64]) -> Array1<f64> {
        let mut z = self.encoder_bias.clone();
        for (&user, &rating) in users.iter().zip(ratings) {
            z.scaled_add(rating, &self.encoder.row(user as usize));
        }
        z.mapv_inplace(sigmoid);
        z
    }

    /// `b_u + W_u · h`.
    fn output(&self, user: UserIndex, code: ArrayView1<f64>) -> f64 {
        self.decoder_bias[user as usize] + self.decoder.row(user as usize).dot(&code)
    }

    /// Every weight, array by array, for finiteness checks.
    fn slices(&self) -> [&[f64]; 4] {
        [
            self.encoder.as_slice().unwrap_or(&[]),
            self.encoder_bias.as_slice().unwrap_or(&[]),
            self.decoder.as_slice().unwrap_or(&[]),
            self.decoder_bias.as_slice().unwrap_or(&[]),
        ]
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// What one item's forward and backward pass leaves for the gradient.
struct ItemPass {
    item: ItemIndex,
    code: Array1<f64>,
    /// `∂L/∂z` of the hidden layer before the sigmoid.
    hidden_gradient: Array1<f64>,
    /// `r̂_ui − r_ui` for each user who rated the item, in the item's order.
    errors: Vec<f64>,
    /// `½ Σ_u (r̂_ui − r_ui)²`.
    loss: f64,
}

/// Forward and backward pass of one item: `L_i = ½ Σ_{u rated i} (r̂_ui − r_ui)²`.
fn item_pass(weights: &Weights, matrix: &RatingMatrix, item: ItemIndex) -> ItemPass {
    let (users, ratings) = matrix.item_ratings(item);
    let code = weights.code(users, ratings);
    let mut code_gradient = Array1::zeros(weights.hidden());
    let mut errors = Vec::with_capacity(users.len());
    let mut loss = 0.0;
    for (&user, &rating) in users.iter().zip(ratings) {
        let error = weights.output(user, code.view()) - rating;
        code_gradient.scaled_add(error, &weights.decoder.row(user as usize));
        loss += 0.5 * error * error;
        errors.push(error);
    }
    let hidden_gradient = Zip::from(&code_gradient)
        .and(&code)
        .map_collect(|&g, &h| g * h * (1.0 - h));
    ItemPass {
        item,
        code,
        hidden_gradient,
        errors,
        loss,
    }
}

/// The loss of a batch of items and its gradient:
/// `L = Σ_{i ∈ batch} L_i + (λ s / 2) (‖W‖² + ‖V‖²)`, where `s` is the batch's share
/// of all items, so that one pass over the items regularises by `λ` in all.
fn batch_gradient(
    weights: &Weights,
    matrix: &RatingMatrix,
    items: &[ItemIndex],
    reg_share: f64,
) -> (f64, Weights) {
    let passes: Vec<ItemPass> = items
        .par_iter()
        .map(|&item| item_pass(weights, matrix, item))
        .collect();

    let mut gradient = Weights::zeros(weights.decoder_bias.len(), weights.hidden());
    let mut loss = 0.0;
    for pass in &passes {
        loss += pass.loss;
        let (users, ratings) = matrix.item_ratings(pass.item);
        for ((&user, &rating), &error) in users.iter().zip(ratings).zip(&pass.errors) {
            let user = user as usize;
            gradient.decoder.row_mut(user).scaled_add(error, &pass.code);
            gradient.decoder_bias[user] += error;
            gradient
                .encoder
                .row_mut(user)
                .scaled_add(rating, &pass.hidden_gradient);
        }
        gradient.encoder_bias += &pass.hidden_gradient;
    }

    if reg_share > 0.0 {
        gradient.decoder.scaled_add(reg_share, &weights.decoder);
        gradient.encoder.scaled_add(reg_share, &weights.encoder);
        let squares: f64 = weights
            .decoder
            .iter()
            .chain(&weights.encoder)
            .map(|w| w * w)
            .sum();
        loss += 0.5 * reg_share * squares;
    }
    (loss, gradient)
}

/// Adam's moment estimates for every weight (Kingma and Ba, 2015).
struct Adam {
    rate: f64,
    step: i32,
    first: Weights,
    second: Weights,
}

impl Adam {
    const BETA1: f64 = 0.9;
    const BETA2: f64 = 0.999;
    const EPSILON: f64 = 1e-8;

    fn new(rate: f64, n_users: usize, hidden: usize) -> Self {
        Adam {
            rate,
            step: 0,
            first: Weights::zeros(n_users, hidden),
            second: Weights::zeros(n_users, hidden),
        }
    }

    fn update(&mut self, weights: &mut Weights, gradient: &Weights) {
        self.step += 1;
        let rate = self.rate * (1.0 - Self::BETA2.powi(self.step)).sqrt()
            / (1.0 - Self::BETA1.powi(self.step));
        let step = |w: &mut f64, &g: &f64, m: &mut f64, v: &mut f64| {
            *m = Self::BETA1 * *m + (1.0 - Self::BETA1) * g;
            *v = Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g;
            *w -= rate * *m / (v.sqrt() + Self::EPSILON);
        };
        Zip::from(&mut weights.encoder)
            .and(&gradient.encoder)
            .and(&mut self.first.encoder)
            .and(&mut self.second.encoder)
            .par_for_each(step);
        Zip::from(&mut weights.decoder)
            .and(&gradient.decoder)
            .and(&mut self.first.decoder)
            .and(&mut self.second.decoder)
            .par_for_each(step);
        Zip::from(&mut weights.encoder_bias)
            .and(&gradient.encoder_bias)
            .and(&mut self.first.encoder_bias)
            .and(&mut self.second.encoder_bias)
            .for_each(step);
        Zip::from(&mut weights.decoder_bias)
            .and(&gradient.decoder_bias)
            .and(&mut self.first.decoder_bias)
            .and(&mut self.second.decoder_bias)
            .for_each(step);
    }
}

/// A fitted item-based AutoRec.
#[derive(Clone, Serialize, Deserialize)]
pub struct AutoRec {
    #[serde(skip, default = "support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
    weights: Weights,
    /// `h_i` of every item from its training ratings, items × hidden: the embeddings.
    codes: Array2<f64>,
}

fn fit_autorec(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Ok(Box::new(AutoRec::fit(matrix, params, progress)?))
}

impl AutoRec {
    /// Trains the network by mini-batch Adam: each epoch visits the items in a seeded
    /// random order, `batch` at a time, reporting progress after each epoch and
    /// checking for cancellation after each batch.
    pub fn fit(
        matrix: Arc<RatingMatrix>,
        params: &Params,
        progress: &Progress,
    ) -> Result<Self, FitError> {
        let hidden = support::count(params, "hidden", DEFAULT_HIDDEN as usize).max(1);
        let epochs = support::count(params, "epochs", DEFAULT_EPOCHS as usize);
        let batch = support::count(params, "batch", DEFAULT_BATCH as usize).max(1);
        let rate = params.float("learning_rate", DEFAULT_LEARNING_RATE);
        let reg = params.float("reg", DEFAULT_REG);
        let mut rng = support::seeded_rng(params, 0);

        let mut weights = Weights::random(matrix.n_users(), hidden, &mut rng);
        let mut adam = Adam::new(rate, matrix.n_users(), hidden);
        let mut items: Vec<ItemIndex> = (0..matrix.n_items() as ItemIndex)
            .filter(|&item| matrix.knows_item(item))
            .collect();
        let n_items = items.len().max(1) as f64;

        for epoch in 0..epochs {
            items.shuffle(&mut rng);
            for chunk in items.chunks(batch) {
                progress.check()?;
                let share = reg * chunk.len() as f64 / n_items;
                let (_, gradient) = batch_gradient(&weights, &matrix, chunk, share);
                adam.update(&mut weights, &gradient);
            }
            support::ensure_finite(
                "AutoRec (Adam)",
                epoch,
                &format!("with learning_rate {rate}"),
                &support::learning_rate_hint("learning_rate", rate, DEFAULT_LEARNING_RATE),
                &matrix,
                &weights.slices(),
            )?;
            progress.report((epoch + 1) as f64 / epochs as f64, "AutoRec epochs");
        }

        let codes = item_codes(&weights, &matrix);
        Ok(AutoRec {
            matrix,
            weights,
            codes,
        })
    }

    /// Attaches the matrix a saved model was fitted on; `Err` says what does not fit.
    pub(crate) fn restore(mut self, matrix: Arc<RatingMatrix>) -> Result<Self, String> {
        let hidden = self.weights.hidden();
        support::expect_len(
            "encoder rows",
            self.weights.encoder.nrows(),
            matrix.n_users(),
        )?;
        support::expect_len(
            "decoder rows",
            self.weights.decoder.nrows(),
            matrix.n_users(),
        )?;
        support::expect_len(
            "output biases",
            self.weights.decoder_bias.len(),
            matrix.n_users(),
        )?;
        support::expect_len("item codes", self.codes.nrows(), matrix.n_items())?;
        for (what, width) in [
            ("encoder columns", self.weights.encoder.ncols()),
            ("decoder columns", self.weights.decoder.ncols()),
            ("code columns", self.codes.ncols()),
        ] {
            support::expect_len(what, width, hidden)?;
        }
        self.matrix = matrix;
        Ok(self)
    }

    /// The hidden code `h_i` of every item (items × hidden units), each in 0..1: the
    /// item embeddings. Items without training ratings have the code of an empty
    /// column, `σ(μ)`.
    pub fn item_embeddings(&self) -> &Array2<f64> {
        &self.codes
    }

    /// The fallback value and its meaning, for a cell whose user or item has no
    /// training ratings.
    fn fallback(&self, user: UserIndex, item: ItemIndex) -> (f64, &'static str, &'static str) {
        if let Some(mean) = self.matrix.user_mean(user) {
            (mean, "μ_u", "mean of the user's ratings")
        } else if let Some(mean) = self.matrix.item_mean(item) {
            (mean, "μ_i", "mean of the item's ratings")
        } else {
            (self.matrix.global_mean(), "μ", "mean of all known ratings")
        }
    }

    /// The items `user` rated (other than `item`) closest to `item` in the hidden
    /// space, by the cosine of codes centred on the mean code.
    fn nearest_rated(&self, user: UserIndex, item: ItemIndex) -> Vec<NeighbourTerm> {
        let mean_code = self
            .codes
            .mean_axis(ndarray::Axis(0))
            .unwrap_or_else(|| Array1::zeros(self.weights.hidden()));
        let centred = |other: ItemIndex| &self.codes.row(other as usize) - &mean_code;
        let target = centred(item);
        let target_norm = target.dot(&target).sqrt();
        let (items, ratings) = self.matrix.user_ratings(user);
        let mut nearest: Vec<NeighbourTerm> = items
            .iter()
            .zip(ratings)
            .filter(|&(&other, _)| other != item)
            .map(|(&other, &rating)| {
                let code = centred(other);
                let norms = target_norm * code.dot(&code).sqrt();
                let similarity = if norms > 0.0 {
                    target.dot(&code) / norms
                } else {
                    0.0
                };
                NeighbourTerm {
                    neighbour: Entity::Item(other),
                    similarity,
                    rating,
                    deviation: rating,
                    share: 0.0,
                    contribution: 0.0,
                }
            })
            .collect();
        nearest.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        nearest.truncate(NEAREST);
        nearest
    }
}

/// `h_i` of every item from its training ratings, items × hidden.
fn item_codes(weights: &Weights, matrix: &RatingMatrix) -> Array2<f64> {
    let mut codes = Array2::zeros((matrix.n_items(), weights.hidden()));
    codes
        .outer_iter_mut()
        .into_par_iter()
        .enumerate()
        .for_each(|(item, mut row)| {
            let (users, ratings) = matrix.item_ratings(item as ItemIndex);
            row.assign(&weights.code(users, ratings));
        });
    codes
}

impl Model for AutoRec {
    /// Users as their decoder rows `W_u`, items as their hidden codes `h_i`: the
    /// reconstruction is `W_u · h_i + b_u`, so both live in the hidden space.
    fn embeddings(&self) -> Option<crate::core::embeddings::Embeddings<'_>> {
        Some(crate::core::embeddings::Embeddings {
            users: self.weights.decoder.view(),
            items: self.codes.view(),
        })
    }

    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        if let Some(reason) = support::unknown(&self.matrix, user, item) {
            let (value, symbol, meaning) = self.fallback(user, item);
            let explanation =
                Explanation::from_terms(FORMULA, vec![Term::new(symbol, meaning, value)])
                    .with_fallback(reason, meaning);
            return Prediction {
                value: self.matrix.scale().clip(explanation.raw),
                explanation,
            };
        }
        let code = self.codes.row(item as usize);
        let decoder = self.weights.decoder.row(user as usize);
        let mut explanation = Explanation::from_terms(
            FORMULA,
            vec![Term::new(
                "b_u",
                "output bias of the user",
                self.weights.decoder_bias[user as usize],
            )],
        );
        let mut factors: Vec<FactorTerm> = decoder
            .iter()
            .zip(code.iter())
            .enumerate()
            .map(|(unit, (&w, &h))| FactorTerm {
                factor: unit,
                user_value: w,
                item_value: h,
                contribution: w * h,
            })
            .collect();
        factors.sort_by(|a, b| {
            b.contribution
                .abs()
                .total_cmp(&a.contribution.abs())
                .then(a.factor.cmp(&b.factor))
        });
        explanation.factors = factors;
        explanation.raw += explanation.contributions();
        explanation.neighbours = self.nearest_rated(user, item);
        let explanation = explanation
            .with_note("factors are hidden units: W_u (user value) × h_i (the item's code)")
            .with_note(
                "neighbours are the user's rated items nearest to this one in the hidden \
                 space (cosine of centred codes); they do not enter the formula",
            );
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let raw = if support::unknown(&self.matrix, user, item).is_some() {
            self.fallback(user, item).0
        } else {
            self.weights.output(user, self.codes.row(item as usize))
        };
        self.matrix.scale().clip(raw)
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::AutoRec(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures;
    use ndarray::array;

    /// Two users, one hidden unit; item 0 rated 2 by user 0 only.
    fn tiny() -> (Arc<RatingMatrix>, Weights) {
        let matrix = fixtures::matrix(2, 1, &[(0, 0, 2.0)]);
        let weights = Weights {
            encoder: array![[0.5], [0.3]],
            encoder_bias: array![0.0],
            decoder: array![[1.0], [2.0]],
            decoder_bias: array![0.5, 0.0],
        };
        (matrix, weights)
    }

    #[test]
    fn one_forward_and_backward_pass_matches_a_hand_calculation() {
        // z = r · V_0 + μ = 2 · 0.5 + 0 = 1; h = σ(1) = 0.7310586.
        // r̂ = b_0 + W_0 h = 0.5 + 0.7310586 = 1.2310586; e = r̂ − r = −0.7689414.
        // L = ½ e² = 0.2956355.
        // ∂L/∂W_0 = e h = −0.5621412; ∂L/∂b_0 = e = −0.7689414;
        // ∂L/∂h = e W_0 = −0.7689414; ∂L/∂z = ∂L/∂h · h (1 − h) = −0.7689414 · 0.1966119
        //   = −0.1511830; ∂L/∂V_0 = r ∂L/∂z = −0.3023660; ∂L/∂μ = −0.1511830.
        // User 1 did not rate the item: all its gradients are 0.
        let (matrix, weights) = tiny();
        let (loss, gradient) = batch_gradient(&weights, &matrix, &[0], 0.0);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(close(loss, 0.2956355), "{loss}");
        assert!(close(gradient.decoder[[0, 0]], -0.5621412));
        assert!(close(gradient.decoder_bias[0], -0.7689414));
        assert!(close(gradient.encoder[[0, 0]], -0.3023660));
        assert!(close(gradient.encoder_bias[0], -0.1511830));
        assert_eq!(gradient.decoder[[1, 0]], 0.0);
        assert_eq!(gradient.encoder[[1, 0]], 0.0);
        assert_eq!(gradient.decoder_bias[1], 0.0);

        // With λ s = 0.1 the weight gradients gain λ s w: ∂/∂W_0 = −0.5621412 + 0.1,
        // ∂/∂V_1 = 0 + 0.1 · 0.3; the loss gains 0.05 (0.25 + 0.09 + 1 + 4) = 0.267.
        let (loss, gradient) = batch_gradient(&weights, &matrix, &[0], 0.1);
        assert!(close(loss, 0.2956355 + 0.267), "{loss}");
        assert!(close(gradient.decoder[[0, 0]], -0.4621412));
        assert!(close(gradient.encoder[[1, 0]], 0.03));
    }

    #[test]
    fn gradient_agrees_with_finite_differences() {
        let matrix = fixtures::first_matrix(0, 0);
        let mut rng = support::seeded_rng(&Params::default(), 3);
        let weights = Weights::random(matrix.n_users(), 3, &mut rng);
        let items = [0, 1, 2, 3];
        let (_, gradient) = batch_gradient(&weights, &matrix, &items, 0.2);
        let loss_at = |w: &Weights| batch_gradient(w, &matrix, &items, 0.2).0;
        let h = 1e-6;
        let check = |analytic: f64, nudge: &dyn Fn(&mut Weights, f64)| {
            let (mut up, mut down) = (weights.clone(), weights.clone());
            nudge(&mut up, h);
            nudge(&mut down, -h);
            let numeric = (loss_at(&up) - loss_at(&down)) / (2.0 * h);
            assert!(
                (numeric - analytic).abs() < 1e-6 * (1.0 + numeric.abs()),
                "analytic {analytic}, numeric {numeric}"
            );
        };
        for user in 0..3 {
            for unit in 0..3 {
                check(gradient.encoder[[user, unit]], &|w, d| {
                    w.encoder[[user, unit]] += d
                });
                check(gradient.decoder[[user, unit]], &|w, d| {
                    w.decoder[[user, unit]] += d
                });
            }
            check(gradient.decoder_bias[user], &|w, d| {
                w.decoder_bias[user] += d
            });
        }
        for unit in 0..3 {
            check(gradient.encoder_bias[unit], &|w, d| {
                w.encoder_bias[unit] += d
            });
        }
    }

    #[test]
    fn training_lowers_the_loss_and_predictions_add_up() {
        let matrix = fixtures::first_matrix(1, 1);
        let settings = ["hidden=4", "epochs=200", "learning_rate=0.05", "reg=0"];
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = AUTOREC
            .parse_params(&settings)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut rng = support::seeded_rng(&params, 0);
        let start = Weights::random(matrix.n_users(), 4, &mut rng);
        let items = [0, 1, 2, 3];
        let before = batch_gradient(&start, &matrix, &items, 0.0).0;
        let model = AutoRec::fit(matrix.clone(), &params, &Progress::none())
            .unwrap_or_else(|e| panic!("{e}"));
        let after = batch_gradient(&model.weights, &matrix, &items, 0.0).0;
        assert!(after < before / 10.0, "loss {before} → {after}");

        let prediction = model.predict(0, 2);
        let explanation = &prediction.explanation;
        assert_eq!(explanation.factors.len(), 4);
        assert!((explanation.base() + explanation.contributions() - explanation.raw).abs() < 1e-12);
        assert!((model.predict_value(0, 2) - prediction.value).abs() < 1e-12);
        // The user rated A and B; both are listed as neighbours in the hidden space.
        assert_eq!(explanation.neighbours.len(), 2);
        // The extra user and item have no ratings: means are used.
        assert_eq!(model.predict(3, 0).value, 4.0);
        assert!(model.predict(0, 4).was_impossible());
        assert_eq!(model.item_embeddings().dim(), (5, 4));
    }

    #[test]
    fn degenerate_ratings_never_give_nan() {
        // Ratings that overflow when squared, one lonely rating, and all-equal ones.
        let cases = [
            fixtures::matrix(3, 3, &[(0, 0, 1e200), (0, 1, -1e200), (1, 1, 1e200)]),
            fixtures::matrix(2, 2, &[(0, 0, 3.0)]),
            fixtures::matrix(2, 2, &[(0, 0, 2.0), (1, 1, 2.0), (0, 1, 2.0)]),
        ];
        let settings: Vec<String> = ["learning_rate=1", "epochs=20", "hidden=2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let params = AUTOREC
            .parse_params(&settings)
            .unwrap_or_else(|e| panic!("{e}"));
        for matrix in cases {
            let model = match AUTOREC.fit_model(matrix.clone(), &params, &Progress::none()) {
                Ok(model) => model,
                Err(error) => {
                    assert!(error.to_string().contains("diverged"), "{error}");
                    continue;
                }
            };
            for user in 0..matrix.n_users() as UserIndex {
                for item in 0..matrix.n_items() as ItemIndex {
                    let prediction = model.predict(user, item);
                    assert!(prediction.value.is_finite(), "{prediction:?}");
                    assert!(model.predict_value(user, item).is_finite());
                }
            }
        }
    }
}
