//! Content-based filtering: items described by TF-IDF weighted features (genres,
//! tags), users by the features of what they rated, and a prediction from how close
//! the two profiles point (Pazzani and Billsus, "Content-based recommendation
//! systems", 2007; TF-IDF after Salton and Buckley, 1988).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{AlgorithmSpec, Family, FitError, Model, support};
use crate::core::explain::{Explanation, FallbackReason, FeatureTerm, Prediction, Term};
use crate::core::features::ItemFeatures;
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;

/// The default share `α` of the room to the end of the scale a cosine of 1 reaches.
const DEFAULT_REACH: f64 = 0.3;

const CONTENT_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "idf",
        kind: ParamKind::Bool { default: true },
        help: "weigh each feature by its inverse document frequency ln(N / n_f), so \
               that rare features count more; false weighs every feature 1",
    },
    ParamSpec {
        name: "reach",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1.0,
            default: DEFAULT_REACH,
        },
        help: "share α of the way from the user's mean to the end of the scale that a \
               cosine of ±1 moves the prediction (1: all the way)",
    },
];

pub const CONTENT: AlgorithmSpec = AlgorithmSpec {
    name: "content",
    title: "Content-based (TF-IDF)",
    family: Family::Content,
    description: "Items as TF-IDF vectors of their genres or tags, each user as the sum \
                  of the vectors of what they rated weighted by how far each rating is \
                  from their mean; the cosine of the two moves the prediction from the \
                  user's mean towards the top or the bottom of the scale.",
    params: CONTENT_PARAMS,
    fit: fit_content,
};

/// The registered algorithms that cannot fit without item features.
pub const NEEDS_ITEM_FEATURES: &[&str] = &["content", "switch"];

/// The formula the explanation shows; `s` is the cosine, `h_u` the room the user's
/// mean leaves on the side `s` points to.
const FORMULA: &str =
    "r̂ = μ_u + α · s · h_u, s = cos(p_u, v_i), h_u = r_max − μ_u if s ≥ 0 else μ_u − r_min";

/// A fitted content-based model.
///
/// Item profile: `v_if = tf · idf_f` for each feature `f` of item `i`, with `tf = 1`
/// (a feature is present or not) and `idf_f = ln(N / n_f)`, `N` the items with any
/// feature and `n_f` those with `f`. User profile: `p_u = Σ_j (r_uj − μ_u) v_j / |v_j|`
/// over the items `j` the user rated. Prediction: `s = cos(p_u, v_i)` in −1..1 is
/// mapped linearly onto the scale around the user's mean, `0 → μ_u`, `1 → μ_u + α
/// (r_max − μ_u)`, `−1 → μ_u − α (μ_u − r_min)`, i.e. `r̂ = μ_u + α · s · h_u` as in
/// [`FORMULA`]; with `α = 1` a cosine of ±1 reaches the end of the scale. The
/// default `α` = 0.3 keeps predictions near the mean, where genre overlap is weak
/// evidence (on MovieLens 100K `α = 1` is worse than the user mean).
#[derive(Clone, Serialize, Deserialize)]
pub struct ContentModel {
    #[serde(skip, default = "support::placeholder_matrix")]
    matrix: Arc<RatingMatrix>,
    /// The features, as the data layer described the items.
    #[serde(with = "super::saved::shared")]
    features: Arc<ItemFeatures>,
    /// Weight of each feature in an item profile (`idf_f`, or 1 without IDF).
    weights: Vec<f64>,
    /// `|v_i|` for each item; 0 for an item without weighted features.
    item_norms: Vec<f64>,
    /// `p_u` for each user, sparse: `(feature, weight)` ascending by feature.
    profiles: Vec<Vec<(u32, f64)>>,
    /// `|p_u|` for each user.
    profile_norms: Vec<f64>,
    /// `α`: how far towards the end of the scale a cosine of ±1 moves the prediction.
    reach: f64,
}

fn fit_content(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    Ok(Box::new(ContentModel::fit(matrix, params, progress)?))
}

impl ContentModel {
    /// Builds the item and user profiles; fails when the matrix has no item features.
    pub fn fit(
        matrix: Arc<RatingMatrix>,
        params: &Params,
        progress: &Progress,
    ) -> Result<Self, FitError> {
        let features = match matrix.item_features() {
            Some(features) if features.items_with_features() > 0 => Arc::new(features.clone()),
            _ => {
                return Err(FitError::Unsuitable(format!(
                    "content-based filtering needs item features (genres or tags), and \
                     none of the {} items has any; open the ratings with an items file \
                     that has a genres column (e.g. --items movies.csv)",
                    matrix.n_items()
                )));
            }
        };
        let weights = feature_weights(&features, params.bool("idf", true));
        let item_norms = (0..matrix.n_items() as ItemIndex)
            .map(|item| item_norm(&features, &weights, item))
            .collect::<Vec<_>>();

        let mut profiles = Vec::with_capacity(matrix.n_users());
        let mut profile_norms = Vec::with_capacity(matrix.n_users());
        let mut dense = vec![0.0; features.n_features()];
        for user in 0..matrix.n_users() as UserIndex {
            if (user as usize).is_multiple_of(super::svd::USERS_PER_CHECK) {
                progress.check()?;
                progress.report(user as f64 / matrix.n_users() as f64, "user profiles");
            }
            let profile = user_profile(&matrix, &features, &weights, &item_norms, user, &mut dense);
            profile_norms.push(profile.iter().map(|(_, w)| w * w).sum::<f64>().sqrt());
            profiles.push(profile);
        }
        progress.report(1.0, "user profiles");

        Ok(ContentModel {
            matrix,
            features,
            weights,
            item_norms,
            profiles,
            profile_norms,
            reach: params.float("reach", DEFAULT_REACH),
        })
    }

    /// Attaches the matrix a saved model was fitted on; `Err` says what does not fit.
    pub(crate) fn restore(mut self, matrix: Arc<RatingMatrix>) -> Result<Self, String> {
        support::expect_len("item norms", self.item_norms.len(), matrix.n_items())?;
        support::expect_len("user profiles", self.profiles.len(), matrix.n_users())?;
        support::expect_len("profile norms", self.profile_norms.len(), matrix.n_users())?;
        support::expect_len(
            "feature weights",
            self.weights.len(),
            self.features.n_features(),
        )?;
        self.matrix = matrix;
        Ok(self)
    }

    /// The user's mean, or the global mean for a user without ratings.
    fn user_mean(&self, user: UserIndex) -> f64 {
        self.matrix
            .user_mean(user)
            .unwrap_or(self.matrix.global_mean())
    }

    /// Each shared feature's `(feature, p_uf / |p_u|, v_if / |v_i|)`; empty when either
    /// profile has no length.
    fn shared(&self, user: UserIndex, item: ItemIndex) -> Vec<(u32, f64, f64)> {
        let (user_norm, item_norm) = (
            self.profile_norms[user as usize],
            self.item_norms.get(item as usize).copied().unwrap_or(0.0),
        );
        if !(user_norm > 0.0 && item_norm > 0.0) {
            return Vec::new();
        }
        let profile = &self.profiles[user as usize];
        self.features
            .of_item(item)
            .iter()
            .filter_map(|&feature| {
                let at = profile.binary_search_by_key(&feature, |&(f, _)| f).ok()?;
                Some((
                    feature,
                    profile[at].1 / user_norm,
                    self.weights[feature as usize] / item_norm,
                ))
            })
            .collect()
    }

    /// `α · h_u`: the share `α` of the distance from the user's mean to the end of the
    /// scale `s` points to.
    fn room(&self, mean: f64, cosine: f64) -> f64 {
        let scale = self.matrix.scale();
        let room = if cosine >= 0.0 {
            scale.max - mean
        } else {
            mean - scale.min
        };
        self.reach * room
    }

    /// Why the formula cannot be used for this cell, if it cannot.
    fn impossible(&self, user: UserIndex, item: ItemIndex) -> Option<FallbackReason> {
        if !self.matrix.knows_user(user) {
            return Some(if self.matrix.knows_item(item) {
                FallbackReason::UnknownUser
            } else {
                FallbackReason::UnknownUserAndItem
            });
        }
        if self.item_norms.get(item as usize).copied().unwrap_or(0.0) <= 0.0 {
            let detail = if self.features.of_item(item).is_empty() {
                "the item has no features"
            } else {
                "the item's features are on every described item, so all weigh 0"
            };
            return Some(FallbackReason::Other {
                detail: detail.to_string(),
            });
        }
        if self.profile_norms[user as usize] <= 0.0 {
            return Some(FallbackReason::Other {
                detail: "every rating of the user equals their mean, so their profile \
                         points nowhere"
                    .to_string(),
            });
        }
        None
    }
}

/// `s = Σ_f (p_uf / |p_u|) (v_if / |v_i|)` over the shared features; `+ 0.0` turns
/// the empty sum's −0 into 0, so that no shared feature reads as `s = 0`.
fn cosine_of(shared: &[(u32, f64, f64)]) -> f64 {
    shared.iter().map(|(_, p, v)| p * v).sum::<f64>() + 0.0
}

/// `idf_f = ln(N / n_f)` for each feature, or 1 for all without IDF.
fn feature_weights(features: &ItemFeatures, idf: bool) -> Vec<f64> {
    if !idf {
        return vec![1.0; features.n_features()];
    }
    let mut item_counts = vec![0usize; features.n_features()];
    for item in 0..features.n_items() as ItemIndex {
        for &feature in features.of_item(item) {
            item_counts[feature as usize] += 1;
        }
    }
    let described = features.items_with_features() as f64;
    item_counts
        .iter()
        .map(|&count| {
            if count == 0 {
                0.0
            } else {
                (described / count as f64).ln()
            }
        })
        .collect()
}

/// `|v_i|`: the length of the item's weighted feature vector.
fn item_norm(features: &ItemFeatures, weights: &[f64], item: ItemIndex) -> f64 {
    features
        .of_item(item)
        .iter()
        .map(|&f| weights[f as usize] * weights[f as usize])
        .sum::<f64>()
        .sqrt()
}

/// `p_u = Σ_j (r_uj − μ_u) v_j / |v_j|`, sparse and ascending by feature; `dense` is a
/// zeroed scratch row as long as the vocabulary, left zeroed.
fn user_profile(
    matrix: &RatingMatrix,
    features: &ItemFeatures,
    weights: &[f64],
    item_norms: &[f64],
    user: UserIndex,
    dense: &mut [f64],
) -> Vec<(u32, f64)> {
    let Some(mean) = matrix.user_mean(user) else {
        return Vec::new();
    };
    let (items, ratings) = matrix.user_ratings(user);
    let mut touched: Vec<u32> = Vec::new();
    for (&item, &rating) in items.iter().zip(ratings) {
        let norm = item_norms[item as usize];
        if norm <= 0.0 {
            continue;
        }
        for &feature in features.of_item(item) {
            if dense[feature as usize] == 0.0 {
                touched.push(feature);
            }
            dense[feature as usize] += (rating - mean) * weights[feature as usize] / norm;
        }
    }
    touched.sort_unstable();
    touched.dedup();
    touched
        .into_iter()
        .filter_map(|feature| {
            let weight = std::mem::take(&mut dense[feature as usize]);
            (weight != 0.0 && weight.is_finite()).then_some((feature, weight))
        })
        .collect()
}

impl Model for ContentModel {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let mean = self.user_mean(user);
        if let Some(reason) = self.impossible(user, item) {
            let (symbol, meaning, used) = if self.matrix.knows_user(user) {
                ("μ_u", "mean of the user's ratings", "user mean μ_u")
            } else {
                ("μ", "mean of all known ratings", "global mean μ")
            };
            let explanation =
                Explanation::from_terms(FORMULA, vec![Term::new(symbol, meaning, mean)])
                    .with_fallback(reason, used);
            return Prediction {
                value: self.matrix.scale().clip(explanation.raw),
                explanation,
            };
        }

        let shared = self.shared(user, item);
        let cosine = cosine_of(&shared);
        let room = self.room(mean, cosine);
        let mut features: Vec<FeatureTerm> = shared
            .iter()
            .map(|&(feature, user_weight, item_weight)| FeatureTerm {
                feature: self.features.name(feature).to_string(),
                user_weight,
                item_weight,
                contribution: user_weight * item_weight * room,
            })
            .collect();
        features.sort_by(|a, b| {
            b.contribution
                .abs()
                .total_cmp(&a.contribution.abs())
                .then_with(|| a.feature.cmp(&b.feature))
        });

        let mut explanation = Explanation::from_terms(
            FORMULA,
            vec![Term::new("μ_u", "mean of the user's ratings", mean)],
        );
        explanation.features = features;
        explanation.raw += explanation.contributions();
        let explanation = explanation
            .with_note(&format!(
                "s = {cosine:.4}: each feature adds (p_uf / |p_u|) · (v_if / |v_i|) · α · \
                 h_u, with α · h_u = {room:.4} (α = {})",
                self.reach
            ))
            .with_note("p_u sums the TF-IDF vectors of the user's items weighted by rating − μ_u");
        Prediction {
            value: self.matrix.scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let mean = self.user_mean(user);
        if self.impossible(user, item).is_some() {
            return self.matrix.scale().clip(mean);
        }
        let cosine = cosine_of(&self.shared(user, item));
        self.matrix
            .scale()
            .clip(mean + cosine * self.room(mean, cosine))
    }

    fn matrix(&self) -> &RatingMatrix {
        &self.matrix
    }

    fn saved(&self) -> Option<super::saved::SavedModel> {
        Some(super::saved::SavedModel::Content(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures;
    use crate::core::matrix::{Rating, RatingScale};

    /// Three items: 0 = {Comedy, Drama}, 1 = {Drama}, 2 = {War}; one user rated 0 with
    /// 5 and 1 with 3 (mean 4), a second user rated item 2 with 2.
    fn three_items() -> Arc<RatingMatrix> {
        let ratings = [
            Rating {
                user: 0,
                item: 0,
                value: 5.0,
            },
            Rating {
                user: 0,
                item: 1,
                value: 3.0,
            },
            Rating {
                user: 1,
                item: 2,
                value: 2.0,
            },
        ];
        let matrix = RatingMatrix::new(2, 3, &ratings, RatingScale { min: 1.0, max: 5.0 })
            .unwrap_or_else(|e| panic!("{e}"));
        let features =
            ItemFeatures::from_labels(&[vec!["Comedy", "Drama"], vec!["Drama"], vec!["War"]]);
        Arc::new(matrix.with_item_features(Arc::new(features)))
    }

    fn fit(matrix: Arc<RatingMatrix>, settings: &[&str]) -> ContentModel {
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = CONTENT
            .parse_params(&settings)
            .unwrap_or_else(|e| panic!("{e}"));
        ContentModel::fit(matrix, &params, &Progress::none()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn tf_idf_weights_and_cosine_match_a_hand_calculation() {
        // N = 3 described items. idf(Comedy) = ln 3 = 1.098612, idf(Drama) = ln 1.5 =
        // 0.405465, idf(War) = ln 3.
        // v_0 = (Comedy ln 3, Drama ln 1.5), |v_0| = √(1.206949 + 0.164402) = 1.171047.
        // v_1 = (Drama ln 1.5), |v_1| = 0.405465.
        // User 0: μ_u = 4; p_u = (+1) v_0/|v_0| + (−1) v_1/|v_1|
        //   Comedy: 1.098612 / 1.171047 = 0.938145
        //   Drama:  0.405465 / 1.171047 − 1 = 0.346242 − 1 = −0.653758
        //   |p_u| = √(0.880117 + 0.427400) = √1.307517 = 1.143467.
        // Item 1: cos = (−0.653758 / 1.143467) · 1 = −0.571734, so s < 0 and
        //   h_u = μ_u − r_min = 3; r̂ = 4 − 0.571734 · 3 = 2.284799.
        let model = fit(three_items(), &["reach=1"]);
        let ln3 = 3f64.ln();
        let ln15 = 1.5f64.ln();
        assert!((model.weights[0] - ln3).abs() < 1e-12);
        assert!((model.weights[1] - ln15).abs() < 1e-12);
        assert!((model.item_norms[0] - 1.171047).abs() < 1e-6);

        let prediction = model.predict(0, 1);
        assert!((prediction.value - 2.284799).abs() < 1e-5, "{prediction:?}");
        let drama = &prediction.explanation.features[0];
        assert_eq!(drama.feature, "Drama");
        assert!((drama.user_weight - (-0.571734)).abs() < 1e-5);
        assert!((drama.item_weight - 1.0).abs() < 1e-12);

        // Item 0 (rated, predicted anyway): cos = (0.938145 · 0.938145 + (−0.653758) ·
        // 0.346242) / 1.143467 = (0.880117 − 0.226359) / 1.143467 = 0.571734; s ≥ 0 so
        // h_u = 5 − 4 = 1 and r̂ = 4.571734.
        let prediction = model.predict(0, 0);
        assert!((prediction.value - 4.571734).abs() < 1e-5, "{prediction:?}");
        let explanation = &prediction.explanation;
        assert!((explanation.base() + explanation.contributions() - explanation.raw).abs() < 1e-12);
        assert!((model.predict_value(0, 0) - prediction.value).abs() < 1e-12);
    }

    #[test]
    fn reach_scales_the_move_from_the_mean() {
        // As in the hand calculation above, cos = 0.571734 for user 0 and item 0 and
        // h_u = 1; with α = 0.3, r̂ = 4 + 0.3 · 0.571734 = 4.171520.
        let model = fit(three_items(), &["reach=0.3"]);
        assert!((model.predict_value(0, 0) - 4.171520).abs() < 1e-5);
    }

    #[test]
    fn without_idf_every_feature_weighs_one() {
        // v_0 = (1, 1) / √2; p_u = (1/√2, 1/√2 − 1) = (0.707107, −0.292893);
        // |p_u| = √(0.5 + 0.085786) = 0.765367. Item 0: cos = (0.5 − 0.207107) /
        // 0.765367 = 0.382683; r̂ = 4 + 0.382683 · 1 = 4.382683.
        let model = fit(three_items(), &["idf=false", "reach=1"]);
        assert!((model.predict_value(0, 0) - 4.382683).abs() < 1e-5);
    }

    #[test]
    fn no_shared_feature_predicts_the_user_mean_and_other_cells_fall_back() {
        let model = fit(three_items(), &[]);
        // User 0 never rated a war film: cos = 0, so r̂ = μ_u = 4 with no features.
        let prediction = model.predict(0, 2);
        assert_eq!(prediction.value, 4.0);
        assert!(prediction.explanation.features.is_empty());
        assert!(prediction.explanation.fallback.is_none());
        // User 1 has a single rating, equal to their mean: their profile is empty.
        let prediction = model.predict(1, 0);
        assert_eq!(prediction.value, 2.0);
        assert!(prediction.was_impossible());
    }

    #[test]
    fn a_matrix_without_features_does_not_fit_and_says_what_is_missing() {
        let params = CONTENT.default_params();
        let error = ContentModel::fit(fixtures::first_matrix(0, 0), &params, &Progress::none())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("needs item features (genres or tags)") && error.contains("4 items"),
            "{error}"
        );
    }

    #[test]
    fn features_on_every_item_weigh_nothing_and_never_give_nan() {
        let ratings = [
            Rating {
                user: 0,
                item: 0,
                value: 5.0,
            },
            Rating {
                user: 0,
                item: 1,
                value: 1.0,
            },
        ];
        let matrix = RatingMatrix::new(2, 3, &ratings, RatingScale { min: 1.0, max: 5.0 })
            .unwrap_or_else(|e| panic!("{e}"));
        let features = ItemFeatures::from_labels(&[vec!["Drama"], vec!["Drama"], Vec::new()]);
        let model = fit(Arc::new(matrix.with_item_features(Arc::new(features))), &[]);
        for user in 0..2 {
            for item in 0..3 {
                let prediction = model.predict(user, item);
                assert!(prediction.value.is_finite(), "{prediction:?}");
                assert!(prediction.was_impossible());
            }
        }
    }
}
