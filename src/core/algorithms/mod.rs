//! The algorithm trait every recommender implements, and the registry that lists them.
//!
//! Adding an algorithm is one new file in this folder plus one line in [`REGISTRY`]:
//! the explorer and the command line list, configure and explain it from its
//! [`AlgorithmSpec`] without further changes.

pub mod als;
pub mod baseline;
pub mod coclustering;
pub mod knn;
pub mod nmf;
pub mod slope_one;
mod support;
pub mod svd;

use std::sync::Arc;

use super::explain::Prediction;
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
        let matrix = self.matrix();
        let rated: std::collections::HashSet<ItemIndex> =
            matrix.user_ratings(user).0.iter().copied().collect();
        let mut scored: Vec<(ItemIndex, f64)> = (0..matrix.n_items() as ItemIndex)
            .filter(|item| !rated.contains(item) && matrix.knows_item(*item))
            .map(|item| (item, self.predict_value(user, item)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
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
        (self.fit)(matrix, params, progress)
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
