//! Hybrid recommenders built from two registered models: a weighted blend of their
//! predictions, and a switch that uses content-based filtering where the ratings are
//! too few for collaborative filtering (Burke, "Hybrid recommender systems: survey
//! and experiments", 2002).

use std::sync::Arc;

use super::saved::SavedModel;
use super::{AlgorithmSpec, Family, FitError, Model};
use crate::core::explain::{Explanation, Part, Prediction};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};
use crate::core::progress::Progress;

/// The registered models a hybrid can combine: every rating predictor except the
/// hybrids themselves (a test checks the list against the registry).
pub const COMBINABLE: &[&str] = &[
    "global_mean",
    "user_mean",
    "item_mean",
    "baseline_als",
    "baseline_sgd",
    "knn_basic",
    "knn_means",
    "knn_zscore",
    "knn_baseline",
    "slope_one",
    "slope_one_weighted",
    "coclustering",
    "svd",
    "svdpp",
    "nmf",
    "als",
    "random",
    "content",
    "autorec",
];

/// The default parts. On MovieLens 100K (5-fold, seed 0) the blend of SVD and ALS at
/// equal weights has RMSE 0.911, below both parts (0.914 each); with baseline k-NN
/// (0.931) as the second part it was 0.917, above SVD alone. The switching hybrid's
/// collaborative part is SVD for the same reason (0.913, against 0.930 with k-NN).
const BLEND_FIRST: &str = "svd";
const BLEND_SECOND: &str = "als";
const SWITCH_COLLABORATIVE: &str = "svd";

const BLEND_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "first",
        kind: ParamKind::Choice {
            options: COMBINABLE,
            default: BLEND_FIRST,
        },
        help: "the first model, fitted at its default parameters",
    },
    ParamSpec {
        name: "second",
        kind: ParamKind::Choice {
            options: COMBINABLE,
            default: BLEND_SECOND,
        },
        help: "the second model, fitted at its default parameters",
    },
    ParamSpec {
        name: "weight",
        kind: ParamKind::Float {
            min: 0.0,
            max: 1.0,
            default: 0.5,
        },
        help: "weight w of the first model; the second gets 1 − w",
    },
];

const SWITCH_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "collaborative",
        kind: ParamKind::Choice {
            options: COMBINABLE,
            default: SWITCH_COLLABORATIVE,
        },
        help: "the model used where user and item both have enough ratings, fitted at \
               its default parameters",
    },
    ParamSpec {
        name: "min_ratings",
        kind: ParamKind::Int {
            min: 0,
            max: 100_000,
            default: 5,
        },
        help: "a user or item with fewer training ratings than this is predicted by \
               content-based filtering",
    },
];

pub const BLEND: AlgorithmSpec = AlgorithmSpec {
    name: "blend",
    title: "Weighted blend",
    family: Family::Hybrid,
    description: "The weighted sum w · r̂₁ + (1 − w) · r̂₂ of two registered models' \
                  predictions.",
    params: BLEND_PARAMS,
    fit: fit_blend,
};

pub const SWITCH: AlgorithmSpec = AlgorithmSpec {
    name: "switch",
    title: "Switching hybrid",
    family: Family::Hybrid,
    description: "Content-based filtering for users or items with fewer than \
                  min_ratings ratings, a collaborative model for the rest.",
    params: SWITCH_PARAMS,
    fit: fit_switch,
};

/// Fits the registered model `name` at its defaults; errors say which part failed.
fn fit_part(
    hybrid: &str,
    name: &str,
    matrix: &Arc<RatingMatrix>,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let spec = super::find(name).ok_or_else(|| {
        FitError::Unsuitable(format!("{hybrid}: no algorithm '{name}' is registered"))
    })?;
    spec.fit_model(matrix.clone(), &spec.default_params(), progress)
        .map_err(|error| match error {
            FitError::Unsuitable(message) => {
                FitError::Unsuitable(format!("{hybrid}: its part {name} cannot fit: {message}"))
            }
            other => other,
        })
}

/// `w · r̂₁ + (1 − w) · r̂₂` of two fitted models, each part's unclipped prediction.
pub struct Blend {
    pub(crate) first_name: String,
    pub(crate) second_name: String,
    pub(crate) weight: f64,
    pub(crate) first: Box<dyn Model>,
    pub(crate) second: Box<dyn Model>,
}

fn fit_blend(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let first_name = params.text("first", BLEND_FIRST).to_string();
    let second_name = params.text("second", BLEND_SECOND).to_string();
    let first = fit_part("blend", &first_name, &matrix, &progress.span(0.0, 0.5))?;
    let second = fit_part("blend", &second_name, &matrix, &progress.span(0.5, 1.0))?;
    Ok(Box::new(Blend {
        first_name,
        second_name,
        weight: params.float("weight", 0.5),
        first,
        second,
    }))
}

/// A part of a hybrid's explanation.
fn part(label: &str, weight: f64, explanation: Explanation) -> Part {
    Part {
        label: label.to_string(),
        weight,
        explanation,
    }
}

impl Model for Blend {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let first = self.first.predict(user, item).explanation;
        let second = self.second.predict(user, item).explanation;
        let mut explanation = Explanation::from_terms("r̂ = w · r̂₁ + (1 − w) · r̂₂", Vec::new());
        explanation.parts = vec![
            part(&self.first_name, self.weight, first),
            part(&self.second_name, 1.0 - self.weight, second),
        ];
        explanation.raw = explanation.contributions();
        let explanation = explanation.with_note(&format!(
            "r̂₁ is {} and r̂₂ is {}, each before clipping, with w = {}",
            self.first_name, self.second_name, self.weight
        ));
        Prediction {
            value: self.matrix().scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let first = self.first.predict(user, item).explanation.raw;
        let second = self.second.predict(user, item).explanation.raw;
        self.matrix()
            .scale()
            .clip(self.weight * first + (1.0 - self.weight) * second)
    }

    fn matrix(&self) -> &RatingMatrix {
        self.first.matrix()
    }

    fn saved(&self) -> Option<SavedModel> {
        Some(SavedModel::Blend {
            first_name: self.first_name.clone(),
            second_name: self.second_name.clone(),
            weight: self.weight,
            first: Box::new(self.first.saved()?),
            second: Box::new(self.second.saved()?),
        })
    }
}

/// Content-based filtering below `min_ratings` ratings of the user or of the item,
/// a collaborative model otherwise.
pub struct Switch {
    pub(crate) collaborative_name: String,
    pub(crate) min_ratings: usize,
    pub(crate) content: Box<dyn Model>,
    pub(crate) collaborative: Box<dyn Model>,
}

fn fit_switch(
    matrix: Arc<RatingMatrix>,
    params: &Params,
    progress: &Progress,
) -> Result<Box<dyn Model>, FitError> {
    let collaborative_name = params
        .text("collaborative", SWITCH_COLLABORATIVE)
        .to_string();
    let content = fit_part("switch", "content", &matrix, &progress.span(0.0, 0.2))?;
    let collaborative = fit_part(
        "switch",
        &collaborative_name,
        &matrix,
        &progress.span(0.2, 1.0),
    )?;
    Ok(Box::new(Switch {
        collaborative_name,
        min_ratings: usize::try_from(params.int("min_ratings", 5)).unwrap_or(0),
        content,
        collaborative,
    }))
}

impl Switch {
    /// Whether the cell goes to content-based filtering, and why in words.
    fn rule(&self, user: UserIndex, item: ItemIndex) -> (bool, String) {
        let matrix = self.matrix();
        let (user_count, item_count) = (matrix.user_count(user), matrix.item_count(item));
        let min = self.min_ratings;
        if user_count < min {
            (
                true,
                format!(
                    "content: the user has {user_count} ratings, fewer than min_ratings = {min}"
                ),
            )
        } else if item_count < min {
            (
                true,
                format!(
                    "content: the item has {item_count} ratings, fewer than min_ratings = {min}"
                ),
            )
        } else {
            (
                false,
                format!(
                    "{}: user ({user_count}) and item ({item_count}) both have at least \
                     min_ratings = {min} ratings",
                    self.collaborative_name
                ),
            )
        }
    }
}

impl Model for Switch {
    fn predict(&self, user: UserIndex, item: ItemIndex) -> Prediction {
        let (use_content, why) = self.rule(user, item);
        let content = self.content.predict(user, item).explanation;
        let collaborative = self.collaborative.predict(user, item).explanation;
        let content_weight = if use_content { 1.0 } else { 0.0 };
        let mut explanation = Explanation::from_terms(
            "r̂ = r̂_content if n_u < m or n_i < m, else r̂_collaborative",
            Vec::new(),
        );
        explanation.parts = vec![
            part("content", content_weight, content),
            part(
                &self.collaborative_name,
                1.0 - content_weight,
                collaborative,
            ),
        ];
        explanation.raw = explanation.contributions();
        let explanation = explanation.with_note(&format!("used {why}"));
        Prediction {
            value: self.matrix().scale().clip(explanation.raw),
            explanation,
        }
    }

    fn predict_value(&self, user: UserIndex, item: ItemIndex) -> f64 {
        let model = if self.rule(user, item).0 {
            &self.content
        } else {
            &self.collaborative
        };
        let raw = model.predict(user, item).explanation.raw;
        self.matrix().scale().clip(raw)
    }

    fn matrix(&self) -> &RatingMatrix {
        self.collaborative.matrix()
    }

    fn saved(&self) -> Option<SavedModel> {
        Some(SavedModel::Switch {
            collaborative_name: self.collaborative_name.clone(),
            min_ratings: self.min_ratings,
            content: Box::new(self.content.saved()?),
            collaborative: Box::new(self.collaborative.saved()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::{Family, REGISTRY, find};
    use crate::core::features::ItemFeatures;
    use crate::core::matrix::{Rating, RatingScale};

    fn fit(name: &str, settings: &[&str], matrix: Arc<RatingMatrix>) -> Box<dyn Model> {
        let spec = find(name).unwrap_or_else(|| panic!("no {name}"));
        let settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        let params = spec
            .parse_params(&settings)
            .unwrap_or_else(|e| panic!("{e}"));
        spec.fit_model(matrix, &params, &Progress::none())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The first matrix of the design with genres: A = {Drama}, B = {Drama, War},
    /// C = {Comedy}, D = {Comedy}.
    fn first_matrix_with_genres() -> Arc<RatingMatrix> {
        let cells = [
            (0, 0, 5.0),
            (0, 1, 4.0),
            (1, 0, 3.0),
            (1, 2, 4.0),
            (1, 3, 2.0),
            (2, 1, 5.0),
            (2, 2, 5.0),
        ];
        let ratings: Vec<Rating> = cells
            .iter()
            .map(|&(user, item, value)| Rating { user, item, value })
            .collect();
        let matrix = RatingMatrix::new(3, 4, &ratings, RatingScale { min: 1.0, max: 5.0 })
            .unwrap_or_else(|e| panic!("{e}"));
        let genres = ItemFeatures::from_labels(&[
            vec!["Drama"],
            vec!["Drama", "War"],
            vec!["Comedy"],
            vec!["Comedy"],
        ]);
        Arc::new(matrix.with_item_features(Arc::new(genres)))
    }

    #[test]
    fn every_rating_model_can_be_combined_and_hybrids_cannot() {
        for spec in REGISTRY {
            let combinable = !matches!(spec.family, Family::Hybrid | Family::Implicit);
            assert_eq!(
                COMBINABLE.contains(&spec.name),
                combinable,
                "{} in COMBINABLE",
                spec.name
            );
        }
        for name in COMBINABLE {
            assert!(find(name).is_some(), "{name} is not registered");
        }
    }

    #[test]
    fn blend_weighs_the_two_parts() {
        // Global mean μ = (5 + 4 + 3 + 4 + 2 + 5 + 5) / 7 = 28 / 7 = 4; U1's mean
        // μ_u = (5 + 4) / 2 = 4.5. With w = 0.3: r̂ = 0.3 · 4 + 0.7 · 4.5 = 1.2 + 3.15
        // = 4.35 for any cell of U1.
        let matrix = first_matrix_with_genres();
        let model = fit(
            "blend",
            &["first=global_mean", "second=user_mean", "weight=0.3"],
            matrix,
        );
        let prediction = model.predict(0, 2);
        assert!((prediction.value - 4.35).abs() < 1e-12, "{prediction:?}");
        assert!((model.predict_value(0, 2) - 4.35).abs() < 1e-12);
        let parts = &prediction.explanation.parts;
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].label.as_str(), parts[0].weight),
            ("global_mean", 0.3)
        );
        assert_eq!(parts[1].label, "user_mean");
        assert!((parts[1].weight - 0.7).abs() < 1e-12);
        assert_eq!(parts[1].explanation.raw, 4.5);
    }

    #[test]
    fn switch_uses_content_below_min_ratings_and_collaborative_otherwise() {
        // Item counts: A 2, B 2, C 2, D 1; every user has 2 or 3 ratings.
        // With min_ratings = 2, U1 × C (user 2 ratings, item 2) goes to the
        // collaborative part (the item mean of C, (4 + 5) / 2 = 4.5), U1 × D (item 1
        // rating) to content.
        let matrix = first_matrix_with_genres();
        let model = fit(
            "switch",
            &["collaborative=item_mean", "min_ratings=2"],
            matrix.clone(),
        );
        let collaborative = model.predict(0, 2);
        assert_eq!(collaborative.value, 4.5);
        assert_eq!(collaborative.explanation.parts[1].weight, 1.0);
        assert!(collaborative.explanation.notes[0].starts_with("used item_mean"));

        let content = fit("content", &[], matrix);
        let switched = model.predict(0, 3);
        assert_eq!(switched.explanation.parts[0].weight, 1.0);
        assert_eq!(switched.value, content.predict(0, 3).value);
        assert!(
            switched.explanation.notes[0].contains("the item has 1 ratings"),
            "{:?}",
            switched.explanation.notes
        );
        assert_eq!(model.predict_value(0, 3), switched.value);
    }

    #[test]
    fn switch_without_features_names_the_missing_part() {
        let spec = find("switch").unwrap_or_else(|| panic!("no switch"));
        let error = spec
            .fit_model(
                crate::core::algorithms::support::fixtures::first_matrix(0, 0),
                &spec.default_params(),
                &Progress::none(),
            )
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("switch: its part content cannot fit") && error.contains("genres"),
            "{error}"
        );
    }
}
