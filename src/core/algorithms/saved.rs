//! Fitted models as data: what a saved-model file holds (recscope's version, the
//! algorithm, its parameters, a fingerprint of the dataset and the fitted state), and
//! how a model comes back from it onto the dataset it was fitted on. Reading and
//! writing files is the data layer's.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::hybrid::{Blend, Switch};
use super::{Guarded, Model, autorec, baseline, content, knn, support, svd};
use crate::core::matrix::RatingMatrix;
use crate::core::params::Params;

/// The version of recscope that writes saved models; a file from another version is
/// refused.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The algorithms whose fitted models can be saved.
pub const SAVABLE: &[&str] = &[
    "global_mean",
    "user_mean",
    "item_mean",
    "baseline_als",
    "baseline_sgd",
    "knn_basic",
    "knn_means",
    "knn_zscore",
    "knn_baseline",
    "svd",
    "svdpp",
    "nmf",
    "als",
    "random",
    "content",
    "autorec",
    "blend",
    "switch",
];

/// The fitted state of a model, without the matrix it was fitted on.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedModel {
    GlobalMean(baseline::GlobalMean),
    Means(baseline::MeanOf),
    Baseline(baseline::Baseline),
    Random(baseline::RandomNormal),
    Factorised(FactorState),
    Knn(knn::KnnModel),
    Content(content::ContentModel),
    AutoRec(autorec::AutoRec),
    Blend {
        first_name: String,
        second_name: String,
        weight: f64,
        first: Box<SavedModel>,
        second: Box<SavedModel>,
    },
    Switch {
        collaborative_name: String,
        min_ratings: usize,
        content: Box<SavedModel>,
        collaborative: Box<SavedModel>,
    },
}

impl SavedModel {
    /// Whether this state is what `algorithm` saves: a file whose header names one
    /// algorithm and whose state is another's is damaged, not a model to show.
    pub fn is_state_of(&self, algorithm: &str) -> bool {
        let saved_by: &[&str] = match self {
            SavedModel::Knn(model) => return model.algorithm() == algorithm,
            SavedModel::GlobalMean(_) => &["global_mean"],
            SavedModel::Means(_) => &["user_mean", "item_mean"],
            SavedModel::Baseline(_) => &["baseline_als", "baseline_sgd"],
            SavedModel::Random(_) => &["random"],
            SavedModel::Factorised(_) => &["svd", "svdpp", "nmf", "als"],
            SavedModel::Content(_) => &["content"],
            SavedModel::AutoRec(_) => &["autorec"],
            SavedModel::Blend { .. } => &["blend"],
            SavedModel::Switch { .. } => &["switch"],
        };
        saved_by.contains(&algorithm)
    }

    /// The model again, predicting on `matrix` (the dataset it was fitted on, found
    /// by the fingerprint); `Err` says which saved array does not fit the matrix.
    pub fn restore(self, matrix: Arc<RatingMatrix>) -> Result<Box<dyn Model>, String> {
        let model: Box<dyn Model> = match self {
            SavedModel::GlobalMean(model) => Box::new(model.restore(matrix)),
            SavedModel::Means(model) => Box::new(model.restore(matrix)?),
            SavedModel::Baseline(model) => Box::new(model.restore(matrix)?),
            SavedModel::Random(model) => Box::new(model.restore(matrix)),
            SavedModel::Factorised(state) => Box::new(state.restore(matrix)?),
            SavedModel::Knn(model) => Box::new(model.restore(matrix)?),
            SavedModel::Content(model) => Box::new(model.restore(matrix)?),
            SavedModel::AutoRec(model) => Box::new(model.restore(matrix)?),
            SavedModel::Blend {
                first_name,
                second_name,
                weight,
                first,
                second,
            } => Box::new(Blend {
                first: first.restore(matrix.clone())?,
                second: second.restore(matrix)?,
                first_name,
                second_name,
                weight,
            }),
            SavedModel::Switch {
                collaborative_name,
                min_ratings,
                content,
                collaborative,
            } => Box::new(Switch {
                content: content.restore(matrix.clone())?,
                collaborative: collaborative.restore(matrix)?,
                collaborative_name,
                min_ratings,
            }),
        };
        Ok(Box::new(Guarded(model)))
    }
}

/// What identifies the dataset a model was fitted on: its shape and a hash of every
/// rating (user, item, value) in order, with the rating scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub users: usize,
    pub items: usize,
    pub ratings: usize,
    /// 64-bit FNV-1a of the scale and the ratings, in hexadecimal.
    pub hash: String,
}

impl Fingerprint {
    pub fn of(matrix: &RatingMatrix) -> Self {
        // FNV-1a, 64 bit (Fowler, Noll and Vo): xor each byte in, multiply by the prime.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &byte in bytes {
                hash ^= byte as u64;
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        let scale = matrix.scale();
        eat(&scale.min.to_le_bytes());
        eat(&scale.max.to_le_bytes());
        for rating in matrix.ratings() {
            eat(&rating.user.to_le_bytes());
            eat(&rating.item.to_le_bytes());
            eat(&rating.value.to_le_bytes());
        }
        Fingerprint {
            users: matrix.n_users(),
            items: matrix.n_items(),
            ratings: matrix.n_ratings(),
            hash: format!("{hash:016x}"),
        }
    }

    /// What differs from `other`, in words, or `None` when they are the same.
    pub fn difference(&self, other: &Fingerprint) -> Option<String> {
        if self == other {
            return None;
        }
        Some(
            if (self.users, self.items, self.ratings) != (other.users, other.items, other.ratings) {
                format!(
                    "{} users, {} items and {} ratings, not {} users, {} items and {} ratings",
                    self.users, self.items, self.ratings, other.users, other.items, other.ratings
                )
            } else {
                format!(
                    "the same shape but other ratings (hash {}, not {})",
                    self.hash, other.hash
                )
            },
        )
    }
}

/// Everything but the fitted state: read first (a file's `model` is skipped
/// unread), so that a file of another version or dataset is refused before its model
/// is decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    pub recscope_version: String,
    pub algorithm: String,
    pub params: Params,
    pub dataset: Fingerprint,
}

/// A saved-model file.
#[derive(Serialize, Deserialize)]
pub struct ModelFile {
    pub header: ModelHeader,
    pub model: SavedModel,
}

impl ModelFile {
    /// The file contents for `model`, fitted as `algorithm` with `params`; `None`
    /// when this model cannot be saved.
    pub fn of(algorithm: &str, params: &Params, model: &dyn Model) -> Option<ModelFile> {
        Some(ModelFile {
            header: ModelHeader {
                recscope_version: VERSION.to_string(),
                algorithm: algorithm.to_string(),
                params: params.clone(),
                dataset: Fingerprint::of(model.matrix()),
            },
            model: model.saved()?,
        })
    }
}

/// A saved-model file read for its header only; the model is skipped.
#[derive(Deserialize)]
pub struct HeaderOnly {
    pub header: ModelHeader,
}

/// The fitted state of a factor model (SVD, SVD++, NMF, ALS).
#[derive(Serialize, Deserialize)]
pub struct FactorState {
    biased: bool,
    n_factors: usize,
    user_bias: Vec<f64>,
    item_bias: Vec<f64>,
    user_factors: Vec<f64>,
    item_factors: Vec<f64>,
    formula: String,
    note: Option<String>,
}

impl FactorState {
    pub(crate) fn of(model: &svd::Factorised) -> Self {
        FactorState {
            biased: model.biased,
            n_factors: model.n_factors,
            user_bias: model.user_bias.clone(),
            item_bias: model.item_bias.clone(),
            user_factors: model.user_factors.clone(),
            item_factors: model.item_factors.clone(),
            formula: model.formula.to_string(),
            note: model.note.map(str::to_string),
        }
    }

    /// The factor model on `matrix`; `Err` says which array does not fit it. The
    /// formula and note texts are kept for the rest of the run (a few short strings
    /// per model loaded), as the model shows them by `&'static str`.
    fn restore(self, matrix: Arc<RatingMatrix>) -> Result<svd::Factorised, String> {
        let (users, items, f) = (matrix.n_users(), matrix.n_items(), self.n_factors);
        support::expect_len("user biases", self.user_bias.len(), users)?;
        support::expect_len("item biases", self.item_bias.len(), items)?;
        support::expect_len("user factors", self.user_factors.len(), users * f)?;
        support::expect_len("item factors", self.item_factors.len(), items * f)?;
        Ok(svd::Factorised {
            matrix,
            biased: self.biased,
            n_factors: f,
            user_bias: self.user_bias,
            item_bias: self.item_bias,
            user_factors: self.user_factors,
            item_factors: self.item_factors,
            formula: Box::leak(self.formula.into_boxed_str()),
            note: self.note.map(|note| &*Box::leak(note.into_boxed_str())),
        })
    }
}

/// Serde for a shared value (`Arc<T>`) of a saved model: written as the value.
pub(crate) mod shared {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(
        value: &Arc<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().serialize(serializer)
    }

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Arc<T>, D::Error> {
        T::deserialize(deserializer).map(Arc::new)
    }
}

/// Serde for an optional shared value (`Option<Arc<T>>`) of a saved model.
pub(crate) mod shared_option {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Arc<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_deref().serialize(serializer)
    }

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Arc<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(|value| value.map(Arc::new))
    }
}
