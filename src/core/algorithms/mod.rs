//! The algorithm trait every recommender implements, and the registry that lists them.
//!
//! Adding an algorithm is one new file in this folder plus one line in [`REGISTRY`]:
//! the explorer and the command line list, configure and explain it from its
//! [`AlgorithmSpec`] without further changes.

pub mod als;
pub mod autorec;
pub mod baseline;
pub mod bpr;
pub mod coclustering;
pub mod content;
pub mod hybrid;
mod kernels;
pub mod knn;
pub mod nmf;
pub mod saved;
mod sgd;
pub mod slope_one;
mod strata;
pub(crate) mod support;
pub mod svd;
pub mod wals;

use std::sync::Arc;

use super::embeddings::Embeddings;
use super::explain::{Explanation, FallbackReason, Prediction, Term};
use super::matrix::{ItemIndex, RatingMatrix, UserIndex};
use super::params::{ParamError, ParamSpec, Params};
use super::progress::{Cancelled, Progress};

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("fitting was cancelled")]
    Cancelled,
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("{0}")]
    Unsuitable(String),
}

impl From<Cancelled> for FitError {
    fn from(_: Cancelled) -> Self {
        FitError::Cancelled
    }
}

/// What a model's values mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// Ratings on the training matrix's scale, clipped to it: comparable with known
    /// ratings (RMSE and MAE apply).
    Rating,
    /// Ranking scores of implicit-feedback models: only their order for a user
    /// means something; they are not on the rating scale and are not clipped.
    Score,
}

/// A fitted recommender: predicts any cell of the matrix it was fitted on, with an
/// explanation, and ranks items for a user.
pub trait Model: Send + Sync {
    /// Predicts the rating of `user` for `item`. Users and items without training
    /// ratings are unknown and get the algorithm's documented fallback; the result is
    /// clipped to the training matrix's rating scale.
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction;

    /// Just the value of [`Model::predict`]; models override it when the explanation
    /// is costly to build (evaluation calls this for every held-out rating).
    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        self.predict(user, item).value
    }

    /// The matrix the model was fitted on.
    fn matrix(&self) -> &RatingMatrix;

    /// This model with other parameters, when that is cheaper than fitting from
    /// scratch: e.g. a k-NN model whose `k` changed keeps its similarities. `None`
    /// means there is no cheaper way (the default): fit anew. `params` are for the
    /// same algorithm this model was fitted as; the result predicts exactly as a
    /// fresh fit with `params` on the same matrix would.
    fn refit(
        &self,
        _params: &Params,
        _progress: &Progress,
    ) -> Option<Result<Box<dyn Model>, FitError>> {
        None
    }

    /// The `n` items with the highest predicted value among those `user` has not
    /// rated, best first; ties go to the lower item index.
    fn recommend(&self, user: UserIndex, n: usize) -> Vec<(ItemIndex, f64)> {
        rank_unrated(self, user, n)
    }

    /// Whether the values are ratings on the scale (the default) or ranking scores.
    fn output(&self) -> Output {
        Output::Rating
    }

    /// The model's user and item vectors, when it has them (factor models); `None`
    /// (the default) for models without vectors.
    fn embeddings(&self) -> Option<Embeddings<'_>> {
        None
    }

    /// The fitted state as data, for a saved-model file; `None` (the default) for a
    /// model that cannot be saved.
    fn saved(&self) -> Option<saved::SavedModel> {
        None
    }
}

/// 1-based rank of `item` by `score` among `user`'s unrated known items (plus the item
/// itself), and the number ranked: higher scores first, ties to the lower index.
pub(crate) fn rank_of(
    matrix: &RatingMatrix,
    user: UserIndex,
    item: ItemIndex,
    score: impl Fn(ItemIndex) -> f64,
) -> (usize, usize) {
    let rated: std::collections::HashSet<ItemIndex> =
        matrix.user_ratings(user).0.iter().copied().collect();
    let own = score(item);
    let mut rank = 1;
    let mut of = 1;
    for other in 0..matrix.n_items() as ItemIndex {
        if other == item || rated.contains(&other) || !matrix.knows_item(other) {
            continue;
        }
        of += 1;
        let value = score(other);
        if value > own || (value == own && other < item) {
            rank += 1;
        }
    }
    (rank, of)
}

/// The `n` best items `user` has not rated by `model.predict_value`, best first; ties
/// go to the lower item index. The default of [`Model::recommend`].
fn rank_unrated<M: Model + ?Sized>(model: &M, user: UserIndex, n: usize) -> Vec<(ItemIndex, f64)> {
    let matrix = model.matrix();
    let rated: std::collections::HashSet<ItemIndex> =
        matrix.user_ratings(user).0.iter().copied().collect();
    let mut scored: Vec<(ItemIndex, f64)> = (0..matrix.n_items() as ItemIndex)
        .filter(|item| !rated.contains(item) && matrix.knows_item(*item))
        .map(|item| (item, model.predict_value(user, item)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(n);
    scored
}

/// A fitted model behind the last line of defence: a prediction that comes out NaN
/// or infinite (an overflow in `f64` on extreme ratings) is replaced by the global
/// mean, or the middle of the scale when that is not finite either, and the
/// explanation says why. Every model [`AlgorithmSpec::fit_model`] returns is guarded.
struct Guarded(Box<dyn Model>);

impl Guarded {
    fn fallback_value(&self) -> f64 {
        let matrix = self.0.matrix();
        match self.0.output() {
            Output::Rating => matrix.scale().clip(support::finite_fallback(matrix)),
            Output::Score => 0.0,
        }
    }
}

impl Model for Guarded {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let prediction = self.0.predict(user, item);
        if prediction.value.is_finite() {
            return prediction;
        }
        let matrix = self.0.matrix();
        let value = self.fallback_value();
        let (symbol, meaning) = if self.0.output() == Output::Score {
            ("0", "a neutral score (the formula gave no number)")
        } else if matrix.global_mean().is_finite() {
            ("μ", "mean of all known ratings")
        } else {
            ("mid", "middle of the rating scale (the mean overflows)")
        };
        let mut explanation = Explanation::from_terms(
            &prediction.explanation.formula,
            vec![Term::new(symbol, meaning, value)],
        )
        .with_fallback(
            FallbackReason::Other {
                detail: format!(
                    "the formula gave {} (the numbers overflow f64)",
                    prediction.value
                ),
            },
            meaning,
        );
        explanation.notes = prediction.explanation.notes;
        Prediction { value, explanation }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let value = self.0.predict_value(user, item);
        if value.is_finite() {
            value
        } else {
            self.fallback_value()
        }
    }

    fn matrix(&self) -> &RatingMatrix {
        self.0.matrix()
    }

    fn refit(
        &self,
        params: &Params,
        progress: &Progress,
    ) -> Option<Result<Box<dyn Model>, FitError>> {
        let refitted = self.0.refit(params, progress)?;
        Some(refitted.map(|model| Box::new(Guarded(model)) as Box<dyn Model>))
    }

    fn recommend(&self, user: UserIndex, n: usize) -> Vec<(ItemIndex, f64)> {
        let ranked = self.0.recommend(user, n);
        if ranked.iter().all(|(_, score)| score.is_finite()) {
            ranked
        } else {
            rank_unrated(self, user, n)
        }
    }

    fn output(&self) -> Output {
        self.0.output()
    }

    fn embeddings(&self) -> Option<Embeddings<'_>> {
        self.0.embeddings()
    }

    fn saved(&self) -> Option<saved::SavedModel> {
        self.0.saved()
    }
}

/// How to fit one algorithm.
pub type FitFn = fn(Arc<RatingMatrix>, &Params, &Progress) -> Result<Box<dyn Model>, FitError>;

/// The family an algorithm belongs to, for grouping in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Baseline,
    Neighbourhood,
    Factorisation,
    Content,
    Hybrid,
    Neural,
    Implicit,
}

/// An algorithm as the registry lists it.
#[derive(Clone, Copy)]
pub struct AlgorithmSpec {
    /// The name used on the command line, e.g. `knn_user`.
    pub name: &'static str,
    /// A short human title, e.g. "User-based k-NN".
    pub title: &'static str,
    pub family: Family,
    /// One or two sentences: what it predicts and how.
    pub description: &'static str,
    pub params: &'static [ParamSpec],
    pub fit: FitFn,
}

impl std::fmt::Debug for AlgorithmSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlgorithmSpec")
            .field("name", &self.name)
            .finish()
    }
}

impl AlgorithmSpec {
    /// Fits this algorithm with `params` (defaults where not set).
    pub fn fit_model(
        &self,
        matrix: Arc<RatingMatrix>,
        params: &Params,
        progress: &Progress,
    ) -> Result<Box<dyn Model>, FitError> {
        let model = (self.fit)(matrix, params, progress)?;
        Ok(Box::new(Guarded(model)))
    }

    /// This algorithm's parameters at their defaults.
    pub fn default_params(&self) -> Params {
        Params::defaults(self.params)
    }

    /// Defaults overridden by `KEY=VALUE` settings.
    pub fn parse_params(&self, settings: &[String]) -> Result<Params, ParamError> {
        Params::parse(self.name, self.params, settings)
    }
}

/// Every algorithm recscope offers, in the order the explorer cycles through them.
pub static REGISTRY: &[AlgorithmSpec] = &[
    baseline::GLOBAL_MEAN,
    baseline::USER_MEAN,
    baseline::ITEM_MEAN,
    baseline::BASELINE_ALS,
    baseline::BASELINE_SGD,
    knn::KNN_BASIC,
    knn::KNN_MEANS,
    knn::KNN_ZSCORE,
    knn::KNN_BASELINE,
    slope_one::SLOPE_ONE,
    slope_one::SLOPE_ONE_WEIGHTED,
    coclustering::COCLUSTERING,
    svd::SVD,
    svd::SVDPP,
    nmf::NMF,
    als::ALS,
    autorec::AUTOREC,
    content::CONTENT,
    hybrid::BLEND,
    hybrid::SWITCH,
    wals::WALS,
    bpr::BPR,
    baseline::RANDOM,
];

/// The algorithm registered under `name`.
pub fn find(name: &str) -> Option<&'static AlgorithmSpec> {
    REGISTRY.iter().find(|spec| spec.name == name)
}

/// All registered names, comma-separated, for error hints.
pub fn names() -> String {
    REGISTRY
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matrix::{Rating, RatingScale};
    use proptest::prelude::*;

    /// A matrix of `(user, item, rating)` cells on the scale the ratings span.
    fn matrix(n_users: usize, n_items: usize, cells: &[(u32, u32, f64)]) -> Arc<RatingMatrix> {
        let ratings: Vec<Rating> = cells
            .iter()
            .map(|&(user, item, value)| Rating { user, item, value })
            .collect();
        let scale = RatingScale::of_ratings(&ratings);
        match RatingMatrix::new(n_users, n_items, &ratings, scale) {
            Ok(matrix) => Arc::new(matrix),
            Err(error) => panic!("test matrix: {error}"),
        }
    }

    /// Fits `name` with `settings`; the error text, or every prediction checked finite.
    fn fit_and_check(name: &str, settings: &[&str], matrix: &Arc<RatingMatrix>) -> Option<String> {
        let spec = match find(name) {
            Some(spec) => spec,
            None => panic!("no algorithm {name}"),
        };
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = match spec.parse_params(&settings) {
            Ok(params) => params,
            Err(error) => panic!("{name}: {error}"),
        };
        let model = match spec.fit_model(matrix.clone(), &params, &Progress::none()) {
            Ok(model) => model,
            Err(error) => return Some(error.to_string()),
        };
        for user in 0..matrix.n_users() as UserIndex {
            for item in 0..matrix.n_items() as ItemIndex {
                let prediction = model.predict(user, item);
                assert!(
                    prediction.value.is_finite(),
                    "{name} {settings:?} predicts {} for ({user}, {item})",
                    prediction.value
                );
                let value = model.predict_value(user, item);
                assert!(value.is_finite(), "{name} predict_value {value}");
            }
            for (_, score) in model.recommend(user, 3) {
                assert!(score.is_finite(), "{name} recommends with score {score}");
            }
        }
        None
    }

    /// Three users and three items on 1..5 (the rating `5.0` is replaced in the tests).
    const CELLS: [(u32, u32, f64); 7] = [
        (0, 0, 5.0),
        (0, 1, 4.0),
        (1, 0, 3.0),
        (1, 2, 4.0),
        (1, 1, 2.0),
        (2, 1, 5.0),
        (2, 2, 1.0),
    ];

    #[test]
    fn sgd_divergence_is_an_error_naming_the_learning_rate_and_the_epoch() {
        // Factors starting at 10 ± 10 give dot products near 10 · 10² = 1000, so a
        // step of 0.1 overshoots by hundreds and grows tenfold or more each epoch.
        // The hint is a tenth of the rate, 0.01, below both defaults (0.015).
        let data = matrix(3, 3, &CELLS);
        let settings = ["learning_rate=0.1", "init_mean=10", "init_std=10"];
        for name in ["svd", "svdpp"] {
            let error = match fit_and_check(name, &settings, &data) {
                Some(error) => error,
                None => panic!("{name} did not diverge"),
            };
            assert!(
                error.contains("diverged at epoch")
                    && error.contains("learning_rate 0.1")
                    && error.contains("try learning_rate=0.01 or lower"),
                "{name}: {error}"
            );
        }
    }

    #[test]
    fn bias_sgd_divergence_is_an_error() {
        // With γ = 1 and λ = 1000 each step multiplies a bias by 1 − 1000 = −999, and
        // each bias is stepped two or three times per epoch: it grows by about 10⁶ to
        // 10⁹ per epoch and overflows f64 (1.8e308) well before epoch 100.
        let data = matrix(3, 3, &CELLS);
        let error = fit_and_check(
            "knn_baseline",
            &[
                "bsl_method=sgd",
                "learning_rate=1",
                "sgd_reg=1000",
                "sgd_epochs=100",
            ],
            &data,
        );
        let error = error.unwrap_or_else(|| "fitted".to_string());
        assert!(
            error.contains("SGD of the biases diverged at epoch")
                && error.contains("learning_rate 1"),
            "{error}"
        );
    }

    #[test]
    fn ratings_that_overflow_when_squared_are_named_in_the_error() {
        let mut cells = CELLS;
        cells[0].2 = 1e308;
        let data = matrix(3, 3, &cells);
        let error = fit_and_check("svd", &[], &data).unwrap_or_default();
        assert!(
            error.contains("diverged") && error.contains("overflow when squared"),
            "{error}"
        );
    }

    #[test]
    fn nmf_refuses_negative_ratings_and_inverted_initial_range() {
        let mut cells = CELLS;
        cells[2].2 = -4.0;
        let error = fit_and_check("nmf", &[], &matrix(3, 3, &cells)).unwrap_or_default();
        assert!(
            error.contains("NMF needs ratings ≥ 0; the lowest rating is -4"),
            "{error}"
        );
        let error = fit_and_check(
            "nmf",
            &["init_low=50", "init_high=1"],
            &matrix(3, 3, &CELLS),
        )
        .unwrap_or_default();
        assert!(
            error.contains("init_low (50) is above init_high (1)"),
            "{error}"
        );
    }

    #[test]
    fn every_integer_bound_printed_is_accepted_back() {
        // `algorithms` prints bounds through f64 formatting; each must parse again.
        for spec in REGISTRY {
            for param in spec.params {
                if let crate::core::params::ParamKind::Int { min, max, .. } = param.kind {
                    for bound in [min, max] {
                        let printed = format!("{}", bound as f64);
                        assert!(
                            param.parse(&printed).is_ok(),
                            "{} {}: {printed} is rejected",
                            spec.name,
                            param.name
                        );
                    }
                }
            }
        }
    }

    /// Rating values from tiny to the edge of f64, both signs.
    fn extreme_rating() -> impl Strategy<Value = f64> {
        prop_oneof![
            1.0..5.0f64,
            -1e300..1e300f64,
            Just(1e308),
            Just(-1e308),
            Just(f64::MAX),
            Just(1e-300),
            Just(0.0),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// No algorithm, at its defaults or its largest learning rates, predicts NaN
        /// or infinity on extreme but finite ratings; refusing to fit is fine.
        #[test]
        fn no_model_predicts_non_finite_values_on_extreme_ratings(
            n_users in 1usize..5,
            n_items in 1usize..5,
            cells in proptest::collection::vec((0u32..5, 0u32..5, extreme_rating()), 1..14),
        ) {
            let mut seen = std::collections::HashSet::new();
            let cells: Vec<(u32, u32, f64)> = cells
                .into_iter()
                .map(|(u, i, r)| (u % n_users as u32, i % n_items as u32, r))
                .filter(|&(u, i, _)| seen.insert((u, i)))
                .collect();
            // One more user and item without ratings, to reach the fallbacks.
            let data = matrix(n_users + 1, n_items + 1, &cells);
            for spec in REGISTRY {
                fit_and_check(spec.name, &[], &data);
                let fast: Vec<&str> = spec
                    .params
                    .iter()
                    .filter_map(|p| match p.name {
                        "learning_rate" => Some("learning_rate=0.1"),
                        "bsl_method" => Some("bsl_method=sgd"),
                        _ => None,
                    })
                    .collect();
                if !fast.is_empty() {
                    fit_and_check(spec.name, &fast, &data);
                }
            }
        }
    }
}
