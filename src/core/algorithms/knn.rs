//! Neighbourhood models (k-NN), user-based or item-based, in four flavours: the
//! weighted average of neighbours' ratings, mean-centred, z-score-normalised and
//! baseline-adjusted.
//!
//! The estimate rules are those of Surprise's `KNNBasic`, `KNNWithMeans`,
//! `KNNWithZScore` and `KNNBaseline` (Koren, "Factor in the neighbors", 2010, eq. 3 for
//! the baseline flavour). Written user-based (item-based swaps the roles of users and
//! items), with `N(u)` the `k` raters of item `i` most similar to `u`:
//!
//! - basic: `r̂ = Σ sim(u,v)·r_vi / Σ sim(u,v)`
//! - means: `r̂ = μ_u + Σ sim(u,v)·(r_vi − μ_v) / Σ sim(u,v)`
//! - z-score: `r̂ = μ_u + σ_u · Σ sim(u,v)·(r_vi − μ_v)/σ_v / Σ sim(u,v)`
//! - baseline: `r̂ = b_ui + Σ sim(u,v)·(r_vi − b_vi) / Σ sim(u,v)`
//!
//! Policies, shown in every explanation:
//! - candidates are the raters of the item (item-based: the items the user rated), in
//!   the order their ratings were given; the `k` with the highest similarity are kept,
//!   equal similarities in that order; of those only similarity > 0 counts;
//! - fewer than `min_k` such neighbours: basic predicts the global mean μ; the others
//!   their base (μ_u, μ_i or b_ui) with no neighbour term;
//! - a user or item without training ratings: the global mean μ (baseline: μ plus the
//!   bias of whichever of the two is known);
//! - a z-score flavour entity whose ratings are all equal (σ = 0) is scaled by the
//!   standard deviation of all ratings instead; if that is 0 too, z-scores are 0;
//! - predictions are clipped to the rating scale;
//! - predicting a cell that is already known includes the user (item) itself among
//!   the candidates with similarity 1, as Surprise does.

use std::sync::Arc;

use super::{AlgorithmSpec, Family, FitError, Model};
use crate::core::biases::{BiasMethod, Biases};
use crate::core::explain::{Entity, Explanation, FallbackReason, NeighbourTerm, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;
use crate::core::similarity::{Layout, Similarities, SimilarityKind, SimilarityOptions};

/// How neighbours' ratings are normalised before they are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Flavour {
    /// The similarity-weighted average of the neighbours' ratings.
    Basic,
    /// Deviations from each neighbour's mean, added to the target's mean.
    Means,
    /// Z-scores of the neighbours' ratings, rescaled to the target's mean and spread.
    ZScore,
    /// Deviations from each neighbour's baseline, added to the target's baseline.
    Baseline,
}

const K: ParamSpec = ParamSpec {
    name: "k",
    kind: ParamKind::Int {
        min: 1,
        max: 100_000,
        default: 40,
    },
    help: "largest number of neighbours averaged",
};
const MIN_K: ParamSpec = ParamSpec {
    name: "min_k",
    kind: ParamKind::Int {
        min: 0,
        max: 100_000,
        default: 1,
    },
    help: "fewest neighbours with positive similarity needed, else the fallback",
};
const SIM: ParamSpec = ParamSpec {
    name: "sim",
    kind: ParamKind::Choice {
        options: &[
            "cosine",
            "msd",
            "pearson",
            "pearson_baseline",
            "adjusted_cosine",
            "jaccard",
        ],
        default: "msd",
    },
    help: "similarity measure between users (items)",
};
const USER_BASED: ParamSpec = ParamSpec {
    name: "user_based",
    kind: ParamKind::Bool { default: true },
    help: "neighbours are users (true) or items (false)",
};
const MIN_SUPPORT: ParamSpec = ParamSpec {
    name: "min_support",
    kind: ParamKind::Int {
        min: 0,
        max: 1_000_000_000,
        default: 1,
    },
    help: "pairs with fewer co-rated entries get similarity 0",
};
const SHRINKAGE: ParamSpec = ParamSpec {
    name: "shrinkage",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1e9,
        default: 100.0,
    },
    help: "shrinkage of the pearson_baseline similarity towards 0",
};
const BSL_METHOD: ParamSpec = ParamSpec {
    name: "bsl_method",
    kind: ParamKind::Choice {
        options: &["als", "sgd"],
        default: "als",
    },
    help: "how the baseline biases are fitted",
};
const ALS_EPOCHS: ParamSpec = ParamSpec {
    name: "als_epochs",
    kind: ParamKind::Int {
        min: 0,
        max: 10_000,
        default: 10,
    },
    help: "ALS passes over the ratings (bsl_method=als)",
};
const REG_USER: ParamSpec = ParamSpec {
    name: "reg_user",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1e9,
        default: 15.0,
    },
    help: "ALS regularisation of user biases",
};
const REG_ITEM: ParamSpec = ParamSpec {
    name: "reg_item",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1e9,
        default: 10.0,
    },
    help: "ALS regularisation of item biases",
};
const SGD_EPOCHS: ParamSpec = ParamSpec {
    name: "sgd_epochs",
    kind: ParamKind::Int {
        min: 0,
        max: 10_000,
        default: 20,
    },
    help: "SGD passes over the ratings (bsl_method=sgd)",
};
const SGD_REG: ParamSpec = ParamSpec {
    name: "sgd_reg",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1e9,
        default: 0.02,
    },
    help: "SGD regularisation of both biases",
};
const LEARNING_RATE: ParamSpec = ParamSpec {
    name: "learning_rate",
    kind: ParamKind::Float {
        min: 0.0,
        max: 1.0,
        default: 0.005,
    },
    help: "SGD step size",
};

const KNN_PARAMS: &[ParamSpec] = &[K, MIN_K, SIM, USER_BASED, MIN_SUPPORT, SHRINKAGE];
const KNN_BASELINE_PARAMS: &[ParamSpec] = &[
    K,
    MIN_K,
    SIM,
    USER_BASED,
    MIN_SUPPORT,
    SHRINKAGE,
    BSL_METHOD,
    ALS_EPOCHS,
    REG_USER,
    REG_ITEM,
    SGD_EPOCHS,
    SGD_REG,
    LEARNING_RATE,
];

pub const KNN_BASIC: AlgorithmSpec = AlgorithmSpec {
    name: "knn_basic",
    title: "k-NN",
    family: Family::Neighbourhood,
    description: "The similarity-weighted average of the ratings the k most similar \
                  users gave the item (or the user gave the k most similar items).",
    params: KNN_PARAMS,
    fit: |matrix, params, progress| fit_flavour(Flavour::Basic, matrix, params, progress),
};

pub const KNN_MEANS: AlgorithmSpec = AlgorithmSpec {
    name: "knn_means",
    title: "Mean-centred k-NN",
    family: Family::Neighbourhood,
    description: "The user's mean rating plus the neighbours' similarity-weighted \
                  deviations from their own means.",
    params: KNN_PARAMS,
    fit: |matrix, params, progress| fit_flavour(Flavour::Means, matrix, params, progress),
};

pub const KNN_ZSCORE: AlgorithmSpec = AlgorithmSpec {
    name: "knn_zscore",
    title: "Z-score k-NN",
    family: Family::Neighbourhood,
    description: "The user's mean plus their standard deviation times the neighbours' \
                  similarity-weighted z-scores.",
    params: KNN_PARAMS,
    fit: |matrix, params, progress| fit_flavour(Flavour::ZScore, matrix, params, progress),
};

pub const KNN_BASELINE: AlgorithmSpec = AlgorithmSpec {
    name: "knn_baseline",
    title: "Baseline k-NN",
    family: Family::Neighbourhood,
    description: "The baseline μ + b_u + b_i plus the neighbours' similarity-weighted \
                  deviations from their own baselines.",
    params: KNN_BASELINE_PARAMS,
    fit: |matrix, params, progress| fit_flavour(Flavour::Baseline, matrix, params, progress),
};

/// Everything that defines a k-NN model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KnnSettings {
    pub flavour: Flavour,
    pub similarity: SimilarityOptions,
    /// Largest number of neighbours averaged.
    pub k: usize,
    /// Fewest neighbours with positive similarity the formula needs.
    pub min_k: usize,
    /// How biases are fitted for the baseline flavour and the Pearson-baseline measure.
    pub biases: BiasMethod,
}

impl KnnSettings {
    /// Reads settings from registry parameters (defaults where absent).
    pub fn from_params(flavour: Flavour, params: &Params) -> Result<Self, FitError> {
        let kind: SimilarityKind = params.text("sim", "msd").parse().map_err(
            |e: crate::core::similarity::UnknownSimilarity| FitError::Unsuitable(e.to_string()),
        )?;
        let biases = match params.text("bsl_method", "als") {
            "sgd" => BiasMethod::Sgd {
                epochs: params.int("sgd_epochs", 20).max(0) as usize,
                reg: params.float("sgd_reg", 0.02),
                learning_rate: params.float("learning_rate", 0.005),
            },
            _ => BiasMethod::Als {
                epochs: params.int("als_epochs", 10).max(0) as usize,
                reg_user: params.float("reg_user", 15.0),
                reg_item: params.float("reg_item", 10.0),
            },
        };
        Ok(KnnSettings {
            flavour,
            similarity: SimilarityOptions {
                kind,
                user_based: params.bool("user_based", true),
                min_support: params.int("min_support", 1).max(0) as usize,
                shrinkage: params.float("shrinkage", 100.0),
            },
            k: params.int("k", 40).max(1) as usize,
            min_k: params.int("min_k", 1).max(0) as usize,
            biases,
        })
    }
}

fn fit_flavour(
    flavour: Flavour,
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let settings = KnnSettings::from_params(flavour, params)?;
    Ok(Box::new(KnnModel::fit(matrix, settings, progress)?))
}

/// A fitted k-NN model.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct KnnModel {
    #[serde(skip, default = "super::support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
    settings: KnnSettings,
    /// Shared with models refitted from this one for another `k` or `min_k`.
    #[serde(with = "super::saved::shared")]
    similarities: Arc<Similarities>,
    /// Mean rating per user (user-based) or item; means and z-score flavours.
    means: Vec<f64>,
    /// Standard deviation per user (item), the overall one where it is 0; z-score.
    sigmas: Vec<f64>,
    /// Fitted biases; baseline flavour only.
    #[serde(with = "super::saved::shared_option")]
    biases: Option<Arc<Biases>>,
}

/// One neighbour kept for a prediction.
#[derive(Debug, Clone, Copy)]
struct Kept {
    neighbour: u32,
    similarity: f64,
    rating: f64,
    /// The value the similarity multiplies in the weighted sum.
    deviation: f64,
}

impl KnnModel {
    /// The registered name of the algorithm this model was fitted as.
    pub(crate) fn algorithm(&self) -> &'static str {
        match self.settings.flavour {
            Flavour::Basic => KNN_BASIC.name,
            Flavour::Means => KNN_MEANS.name,
            Flavour::ZScore => KNN_ZSCORE.name,
            Flavour::Baseline => KNN_BASELINE.name,
        }
    }

    /// Attaches the matrix a saved model was fitted on; `Err` says what does not fit.
    pub(crate) fn restore(mut self, matrix: Arc<RatingMatrix>) -> Result<Self, String> {
        let entities = if self.settings.similarity.user_based {
            matrix.n_users()
        } else {
            matrix.n_items()
        };
        super::support::expect_len("similarity rows", self.similarities.len(), entities)?;
        // The flavour decides which of these predictions read: a file whose flavour
        // was changed must not leave them short.
        let flavour = self.settings.flavour;
        if matches!(flavour, Flavour::Means | Flavour::ZScore) || !self.means.is_empty() {
            super::support::expect_len("means", self.means.len(), entities)?;
        }
        if matches!(flavour, Flavour::ZScore) || !self.sigmas.is_empty() {
            super::support::expect_len("spreads", self.sigmas.len(), entities)?;
        }
        if matches!(flavour, Flavour::Baseline) && self.biases.is_none() {
            return Err("the baseline flavour has no biases".to_string());
        }
        if let Some(biases) = &self.biases {
            super::support::expect_len("user biases", biases.user.len(), matrix.n_users())?;
            super::support::expect_len("item biases", biases.item.len(), matrix.n_items())?;
        }
        self.matrix = matrix;
        Ok(self)
    }

    /// Fits the model: biases (baseline flavour), per-entity means and spreads, and the
    /// similarities, in parallel, reporting progress and honouring cancellation.
    pub fn fit(
        matrix: Arc<RatingMatrix>,
        settings: KnnSettings,
        progress: &Progress,
    ) -> Result<Self, FitError> {
        let layout = Layout::for_k(settings.k);
        KnnModel::fit_with_layout(matrix, settings, layout, progress)
    }

    /// As [`KnnModel::fit`], with an explicit storage layout for the similarities.
    pub fn fit_with_layout(
        matrix: Arc<RatingMatrix>,
        settings: KnnSettings,
        layout: Layout,
        progress: &Progress,
    ) -> Result<Self, FitError> {
        let biases = match settings.flavour {
            Flavour::Baseline => Some(Biases::fit(
                &matrix,
                settings.biases,
                &progress.span(0.0, 0.1),
            )?),
            _ => None,
        };
        let similarity_biases = match (&biases, settings.similarity.kind) {
            (Some(biases), _) => Some(biases.clone()),
            (None, SimilarityKind::PearsonBaseline) => Some(Biases::fit(
                &matrix,
                settings.biases,
                &progress.span(0.0, 0.1),
            )?),
            _ => None,
        };
        let similarities = Similarities::fit_with_layout(
            &matrix,
            settings.similarity,
            similarity_biases.as_ref(),
            layout,
            &progress.span(0.1, 1.0),
        )?;
        let mut model = KnnModel {
            matrix,
            settings,
            similarities: Arc::new(similarities),
            means: Vec::new(),
            sigmas: Vec::new(),
            biases: biases.map(Arc::new),
        };
        if matches!(settings.flavour, Flavour::Means | Flavour::ZScore) {
            model.fit_means_and_spreads();
        }
        Ok(model)
    }

    fn fit_means_and_spreads(&mut self) {
        let n = self.similarities.len();
        let overall = spread(&self.matrix.ratings().map(|r| r.value).collect::<Vec<_>>());
        self.means = Vec::with_capacity(n);
        self.sigmas = Vec::with_capacity(n);
        for x in 0..n as u32 {
            let ratings = self.own_line(x).1;
            let mean = mean_or_zero(ratings);
            let sigma = spread(ratings);
            self.means.push(mean);
            self.sigmas.push(if sigma == 0.0 { overall } else { sigma });
        }
    }

    pub fn settings(&self) -> &KnnSettings {
        &self.settings
    }

    /// This model with another `k` and `min_k`, sharing its similarities, biases,
    /// means and spreads: nothing is recomputed. `None` when `settings` differ in
    /// anything else, or when the neighbour lists fitted for the old `k` would be
    /// too short or too long for the new one (see [`Layout::for_k`]).
    pub fn with_neighbour_counts(&self, settings: KnnSettings) -> Option<KnnModel> {
        let same_fit = KnnSettings {
            k: self.settings.k,
            min_k: self.settings.min_k,
            ..settings
        } == self.settings;
        // The storage a fresh fit with the new k would choose must be this one.
        let layout = Layout::for_k(settings.k);
        let fresh_list_len =
            (self.similarities.len() > layout.dense_max).then_some(layout.list_len.max(1));
        let same_lists = fresh_list_len == self.similarities.list_len();
        (same_fit && same_lists).then(|| KnnModel {
            matrix: Arc::clone(&self.matrix),
            settings,
            similarities: Arc::clone(&self.similarities),
            means: self.means.clone(),
            sigmas: self.sigmas.clone(),
            biases: self.biases.clone(),
        })
    }

    /// The fitted similarities the neighbours are chosen by.
    pub fn similarities(&self) -> &Similarities {
        &self.similarities
    }

    fn user_based(&self) -> bool {
        self.settings.similarity.user_based
    }

    fn own_line(&self, x: u32) -> (&[u32], &[f64]) {
        if self.user_based() {
            self.matrix.user_ratings(x)
        } else {
            self.matrix.item_ratings(x)
        }
    }

    fn other_line(&self, y: u32) -> (&[u32], &[f64]) {
        if self.user_based() {
            self.matrix.item_ratings(y)
        } else {
            self.matrix.user_ratings(y)
        }
    }

    /// `(x, y)`: the entity whose neighbours are sought, and the other one.
    fn switch(&self, user: UserIndex, item: ItemIndex) -> (u32, u32) {
        if self.user_based() {
            (user, item)
        } else {
            (item, user)
        }
    }

    /// The `k` candidates most similar to `x` among those that rated `y`, keeping only
    /// similarity > 0, best first, equal similarities in rating order.
    fn neighbours(&self, x: u32, y: u32) -> Vec<(u32, f64, f64, u32)> {
        let (candidates, ratings) = self.other_line(y);
        let mut kept: Vec<(u32, f64, f64, u32)> = candidates
            .iter()
            .zip(ratings)
            .enumerate()
            .filter_map(|(position, (&other, &rating))| {
                let similarity = self.similarities.get(x, other);
                (similarity > 0.0).then_some((other, similarity, rating, position as u32))
            })
            .collect();
        let order = |a: &(u32, f64, f64, u32), b: &(u32, f64, f64, u32)| {
            b.1.total_cmp(&a.1).then(a.3.cmp(&b.3))
        };
        let k = self.settings.k.max(1);
        if kept.len() > k {
            kept.select_nth_unstable_by(k - 1, order);
            kept.truncate(k);
        }
        kept.sort_unstable_by(order);
        kept
    }

    /// The value neighbour `other`'s rating enters the weighted sum with (before the
    /// target's σ for z-scores), as Surprise computes it.
    fn deviation(&self, other: u32, y: u32, rating: f64) -> f64 {
        match self.settings.flavour {
            Flavour::Basic => rating,
            Flavour::Means => rating - self.means[other as usize],
            Flavour::ZScore => {
                let sigma = self.sigmas[other as usize];
                if sigma == 0.0 {
                    0.0
                } else {
                    (rating - self.means[other as usize]) / sigma
                }
            }
            Flavour::Baseline => {
                let baseline = self.neighbour_baseline(other, y);
                rating - baseline
            }
        }
    }

    /// `μ + b_x' + b_y` for a neighbour `x'` of the target on entry `y`.
    fn neighbour_baseline(&self, other: u32, y: u32) -> f64 {
        match &self.biases {
            Some(biases) => {
                let (own, opposite) = if self.user_based() {
                    (&biases.user, &biases.item)
                } else {
                    (&biases.item, &biases.user)
                };
                biases.global_mean + own[other as usize] + opposite[y as usize]
            }
            None => self.matrix.global_mean(),
        }
    }

    /// The base terms: `μ`, `b_u`, `b_i` for the baseline flavour (a bias only when its
    /// user or item is known), `μ_x` for means and z-score, nothing for basic.
    fn base_terms(&self, user: UserIndex, item: ItemIndex) -> Vec<Term> {
        match self.settings.flavour {
            Flavour::Basic => Vec::new(),
            Flavour::Means | Flavour::ZScore => {
                let (x, _) = self.switch(user, item);
                vec![self.mean_term(x)]
            }
            Flavour::Baseline => self.baseline_terms(user, item),
        }
    }

    fn mean_term(&self, x: u32) -> Term {
        if self.user_based() {
            Term::new("μ_u", "mean rating of the user", self.means[x as usize])
        } else {
            Term::new("μ_i", "mean rating of the item", self.means[x as usize])
        }
    }

    fn baseline_terms(&self, user: UserIndex, item: ItemIndex) -> Vec<Term> {
        let mut terms = vec![global_mean_term(&self.matrix)];
        if let Some(biases) = &self.biases {
            if self.matrix.knows_user(user) {
                terms.push(Term::new("b_u", "user bias", biases.user_bias(user)));
            }
            if self.matrix.knows_item(item) {
                terms.push(Term::new("b_i", "item bias", biases.item_bias(item)));
            }
        }
        terms
    }

    /// Predicts, building the explanation only when asked.
    fn estimate(&self, user: UserIndex, item: ItemIndex, explain: bool) -> Prediction {
        let known_user = self.matrix.knows_user(user);
        let known_item = self.matrix.knows_item(item);
        if !(known_user && known_item) {
            let reason = match (known_user, known_item) {
                (false, false) => FallbackReason::UnknownUserAndItem,
                (false, true) => FallbackReason::UnknownUser,
                _ => FallbackReason::UnknownItem,
            };
            return match self.settings.flavour {
                Flavour::Baseline => self.fallback(
                    self.baseline_terms(user, item),
                    reason,
                    "baseline μ + known biases",
                    explain,
                ),
                _ => self.fallback(
                    vec![global_mean_term(&self.matrix)],
                    reason,
                    "global mean μ",
                    explain,
                ),
            };
        }

        let (x, y) = self.switch(user, item);
        let kept: Vec<Kept> = self
            .neighbours(x, y)
            .into_iter()
            .map(|(neighbour, similarity, rating, _)| Kept {
                neighbour,
                similarity,
                rating,
                deviation: self.deviation(neighbour, y, rating),
            })
            .collect();
        // Summed best first, as Surprise does.
        let mut sum_similarity = 0.0;
        let mut sum_weighted = 0.0;
        for n in &kept {
            sum_similarity += n.similarity;
            sum_weighted += match self.settings.flavour {
                // Surprise: sim · (r − μ_v) / σ_v, multiplied left to right.
                Flavour::ZScore => {
                    let sigma = self.sigmas[n.neighbour as usize];
                    if sigma == 0.0 {
                        0.0
                    } else {
                        n.similarity * (n.rating - self.means[n.neighbour as usize]) / sigma
                    }
                }
                _ => n.similarity * n.deviation,
            };
        }

        let too_few = kept.len() < self.settings.min_k;
        if too_few || sum_similarity <= 0.0 {
            let reason = if too_few {
                FallbackReason::TooFewNeighbours {
                    found: kept.len(),
                    required: self.settings.min_k,
                }
            } else {
                FallbackReason::ZeroSimilarity
            };
            return match self.settings.flavour {
                Flavour::Basic => self.fallback(
                    vec![global_mean_term(&self.matrix)],
                    reason,
                    "global mean μ",
                    explain,
                ),
                Flavour::Baseline => self.fallback(
                    self.base_terms(user, item),
                    reason,
                    "baseline b_ui",
                    explain,
                ),
                _ => {
                    let used = if self.user_based() {
                        "user mean μ_u"
                    } else {
                        "item mean μ_i"
                    };
                    self.fallback(self.base_terms(user, item), reason, used, explain)
                }
            };
        }

        let scale_of_target = match self.settings.flavour {
            Flavour::ZScore => self.sigmas[x as usize],
            _ => 1.0,
        };
        let average = sum_weighted / sum_similarity;
        let raw = match self.settings.flavour {
            Flavour::Basic => average,
            Flavour::Means => self.means[x as usize] + average,
            Flavour::ZScore => self.means[x as usize] + average * scale_of_target,
            Flavour::Baseline => {
                let mut base = self.matrix.global_mean();
                if let Some(biases) = &self.biases {
                    base += biases.user_bias(user);
                    base += biases.item_bias(item);
                }
                base + average
            }
        };
        let value = self.matrix.scale().clip(raw);
        if !explain {
            return Prediction {
                value,
                explanation: Explanation::from_terms("", Vec::new()),
            };
        }

        let explanation = self.explanation(user, item, x, &kept, sum_similarity, raw);
        Prediction { value, explanation }
    }

    fn explanation(
        &self,
        user: UserIndex,
        item: ItemIndex,
        x: u32,
        kept: &[Kept],
        sum_similarity: f64,
        raw: f64,
    ) -> Explanation {
        let target_scale = match self.settings.flavour {
            Flavour::ZScore => self.sigmas[x as usize],
            _ => 1.0,
        };
        let mut explanation = Explanation::from_terms(self.formula(), self.base_terms(user, item));
        explanation.neighbours = kept
            .iter()
            .map(|n| {
                let share = n.similarity / sum_similarity;
                let deviation = n.deviation * target_scale;
                NeighbourTerm {
                    neighbour: self.entity(n.neighbour),
                    similarity: n.similarity,
                    rating: n.rating,
                    deviation,
                    share,
                    contribution: share * deviation,
                }
            })
            .collect();
        explanation.raw = raw;
        let (target, neighbours) = if self.user_based() {
            ("user", "users")
        } else {
            ("item", "items")
        };
        if kept.iter().any(|n| n.neighbour == x) {
            explanation = explanation.with_note(&format!(
                "this cell's rating is in the training data, so the {target} itself is \
                 among its own neighbours (similarity 1) and its known rating takes part, \
                 as in Surprise"
            ));
        }
        if self.settings.flavour == Flavour::Basic {
            explanation = explanation.with_note(&format!(
                "basic flavour: nothing is subtracted, so each neighbour's deviation is \
                 its rating itself and the prediction is the similarity-weighted average \
                 of the {neighbours}' ratings"
            ));
        }
        if self.settings.flavour == Flavour::ZScore {
            let symbol = if self.user_based() { "σ_u" } else { "σ_i" };
            explanation = explanation.with_note(&format!(
                "{symbol} = {target_scale:.4} scales each neighbour's z-score (r − μ)/σ"
            ));
        }
        self.with_policy_notes(explanation, Some(x))
    }

    fn fallback(
        &self,
        terms: Vec<Term>,
        reason: FallbackReason,
        used: &str,
        explain: bool,
    ) -> Prediction {
        let raw: f64 = terms.iter().map(|t| t.value).sum();
        let value = self.matrix.scale().clip(raw);
        if !explain {
            return Prediction {
                value,
                explanation: Explanation::from_terms("", Vec::new()),
            };
        }
        let formula = match self.settings.flavour {
            Flavour::Baseline => "r̂ = μ + b_u + b_i",
            _ if terms.len() == 1 && terms[0].symbol == "μ" => "r̂ = μ",
            _ if self.user_based() => "r̂ = μ_u",
            _ => "r̂ = μ_i",
        };
        let explanation = Explanation::from_terms(formula, terms).with_fallback(reason, used);
        Prediction {
            value,
            explanation: self.with_policy_notes(explanation, None),
        }
    }

    /// Adds the neighbour policy, list truncation (for target `x`) and clipping notes.
    fn with_policy_notes(&self, mut explanation: Explanation, x: Option<u32>) -> Explanation {
        let (neighbours, candidates) = if self.user_based() {
            ("users", "raters of the item")
        } else {
            ("items", "items the user rated")
        };
        explanation = explanation.with_note(&format!(
            "{} similarity; the k = {} most similar {candidates} are kept (equal \
             similarities in the order the ratings were given), and only {neighbours} \
             with similarity > 0 count; fewer than min_k = {} means the fallback",
            self.settings.similarity.kind, self.settings.k, self.settings.min_k
        ));
        if let Some(list_len) = x.and_then(|x| self.similarities.truncated_at(x)) {
            explanation = explanation.with_note(&format!(
                "only the {list_len} most similar {neighbours} of this one were kept when \
                 fitting; the rest count as similarity 0"
            ));
        }
        let scale = self.matrix.scale();
        let raw = explanation.raw;
        if raw < scale.min || raw > scale.max {
            explanation = explanation.with_note(&format!(
                "{raw:.4} was clipped to the rating scale {}–{}",
                scale.min, scale.max
            ));
        }
        explanation
    }

    fn entity(&self, index: u32) -> Entity {
        if self.user_based() {
            Entity::User(index)
        } else {
            Entity::Item(index)
        }
    }

    fn formula(&self) -> &'static str {
        match (self.settings.flavour, self.user_based()) {
            (Flavour::Basic, true) => "r̂_ui = Σ_v sim(u,v)·r_vi / Σ_v sim(u,v)",
            (Flavour::Basic, false) => "r̂_ui = Σ_j sim(i,j)·r_uj / Σ_j sim(i,j)",
            (Flavour::Means, true) => "r̂_ui = μ_u + Σ_v sim(u,v)·(r_vi − μ_v) / Σ_v sim(u,v)",
            (Flavour::Means, false) => "r̂_ui = μ_i + Σ_j sim(i,j)·(r_uj − μ_j) / Σ_j sim(i,j)",
            (Flavour::ZScore, true) => {
                "r̂_ui = μ_u + σ_u · Σ_v sim(u,v)·(r_vi − μ_v)/σ_v / Σ_v sim(u,v)"
            }
            (Flavour::ZScore, false) => {
                "r̂_ui = μ_i + σ_i · Σ_j sim(i,j)·(r_uj − μ_j)/σ_j / Σ_j sim(i,j)"
            }
            (Flavour::Baseline, true) => "r̂_ui = b_ui + Σ_v sim(u,v)·(r_vi − b_vi) / Σ_v sim(u,v)",
            (Flavour::Baseline, false) => "r̂_ui = b_ui + Σ_j sim(i,j)·(r_uj − b_uj) / Σ_j sim(i,j)",
        }
    }
}

impl Model for KnnModel {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        self.estimate(user, item, true)
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        self.estimate(user, item, false).value
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::Knn(self.clone()))
    }

    fn refit(
        &self,
        params: &Params,
        progress: &Progress,
    ) -> Option<Result<Box<dyn Model>, FitError>> {
        let settings = match KnnSettings::from_params(self.settings.flavour, params) {
            Ok(settings) => settings,
            Err(error) => return Some(Err(error)),
        };
        if let Err(cancelled) = progress.check() {
            return Some(Err(cancelled.into()));
        }
        let model = self.with_neighbour_counts(settings)?;
        progress.report(1.0, "neighbour counts changed; similarities kept");
        Some(Ok(Box::new(model)))
    }
}

fn global_mean_term(matrix: &RatingMatrix) -> Term {
    Term::new("μ", "mean of all known ratings", matrix.global_mean())
}

fn mean_or_zero(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Population standard deviation, `√(Σ (r − mean)² / n)`; 0 for no values.
fn spread(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mean = mean_or_zero(values);
    let squares: f64 = values.iter().map(|r| (r - mean) * (r - mean)).sum();
    (squares / values.len() as f64).sqrt()
}
