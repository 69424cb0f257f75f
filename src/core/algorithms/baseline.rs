//! Baseline predictors: the global mean of all ratings.

use std::sync::Arc;

use super::{AlgorithmSpec, Family, FitError, Model};
use crate::core::explain::{Explanation, Prediction, Term};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::Params;
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
