//! Small pieces shared by the baseline, Slope One and factorisation models: reading
//! parameters, naming an unknown user or item, and listing factor contributions.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::FitError;
use crate::core::explain::{FactorTerm, FallbackReason};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};
use crate::core::params::{ParamKind, ParamSpec, Params};

/// A count parameter (epochs, factors, clusters) as `usize`; negative values read as 0.
pub(crate) fn count(params: &Params, name: &str, default: usize) -> usize {
    usize::try_from(params.int(name, default as i64)).unwrap_or(0)
}

/// The random generator of a fit, from the `seed` parameter.
pub(crate) fn seeded_rng(params: &Params, default_seed: i64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(params.int("seed", default_seed) as u64)
}

/// Why a cell cannot use the formula because its user or item has no training
/// ratings, or `None` when both are known.
pub(crate) fn unknown(
    matrix: &RatingMatrix,
    user: UserIndex,
    item: ItemIndex,
) -> Option<FallbackReason> {
    match (matrix.knows_user(user), matrix.knows_item(item)) {
        (true, true) => None,
        (false, true) => Some(FallbackReason::UnknownUser),
        (true, false) => Some(FallbackReason::UnknownItem),
        (false, false) => Some(FallbackReason::UnknownUserAndItem),
    }
}

/// The `seed` parameter every seeded algorithm takes (0 to 2³² − 1, default 0);
/// `help` says what it seeds.
pub(crate) const fn seed_param(help: &'static str) -> ParamSpec {
    ParamSpec {
        name: "seed",
        kind: ParamKind::Int {
            min: 0,
            max: u32::MAX as i64,
            default: 0,
        },
        help,
    }
}

/// The `factors` parameter of a latent-factor model: 1 to `max`, `default`.
pub(crate) const fn factors_param(default: i64, max: i64) -> ParamSpec {
    ParamSpec {
        name: "factors",
        kind: ParamKind::Int {
            min: 1,
            max,
            default,
        },
        help: "number of latent factors",
    }
}

/// Row `index` of a flat row-major array with `width` columns.
pub(crate) fn row(values: &[f64], index: usize, width: usize) -> &[f64] {
    &values[index * width..(index + 1) * width]
}

/// Dot product of two equally long vectors, in the portable build of
/// [`super::kernels::dot`].
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    super::kernels::dot::<false>(a, b)
}

/// Every factor's part in `user · item`, largest magnitude first (ties by factor).
pub(crate) fn factor_terms(user: &[f64], item: &[f64]) -> Vec<FactorTerm> {
    let mut terms: Vec<FactorTerm> = user
        .iter()
        .zip(item)
        .enumerate()
        .map(|(factor, (&user_value, &item_value))| FactorTerm {
            factor,
            user_value,
            item_value,
            contribution: user_value * item_value,
        })
        .collect();
    terms.sort_by(|a, b| {
        b.contribution
            .abs()
            .total_cmp(&a.contribution.abs())
            .then(a.factor.cmp(&b.factor))
    });
    terms
}

/// Ratings whose magnitude exceeds this overflow `f64` when squared, which every
/// least-squares fit does.
pub(crate) const LARGEST_SQUARABLE: f64 = 1e150;

/// `Err` naming the fit, the epoch (counted from 1) and a hint when any value of
/// `arrays` is NaN or infinite after that epoch. `cause` says which setting drove the
/// updates (e.g. "with learning_rate 0.3"); `hint` what to try instead.
pub(crate) fn ensure_finite(
    fit: &str,
    epoch: usize,
    cause: &str,
    hint: &str,
    matrix: &RatingMatrix,
    arrays: &[&[f64]],
) -> Result<(), FitError> {
    if arrays
        .iter()
        .all(|values| values.iter().all(|v| v.is_finite()))
    {
        return Ok(());
    }
    let scale = matrix.scale();
    let largest = scale.min.abs().max(scale.max.abs());
    let hint = if largest > LARGEST_SQUARABLE {
        format!(
            "ratings as large as {largest:e} overflow when squared; rescale them to a \
             smaller range"
        )
    } else {
        hint.to_string()
    };
    let cause = if cause.is_empty() {
        String::new()
    } else {
        format!(" {cause}")
    };
    Err(FitError::Unsuitable(format!(
        "{fit} diverged at epoch {}{cause}: some parameters are no longer finite \
         numbers; {hint}",
        epoch + 1
    )))
}

/// The hint after an SGD divergence: a learning rate ten times smaller, and no
/// larger than the usual default, written with two significant digits.
pub(crate) fn learning_rate_hint(name: &str, rate: f64, default: f64) -> String {
    let smaller = (rate / 10.0).min(default);
    format!("try {name}={} or lower", two_significant_digits(smaller))
}

/// `0.00015000000000000001` → `0.00015`, `0.01` → `0.01`; 0 and non-finite values as
/// Rust writes them.
fn two_significant_digits(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return value.to_string();
    }
    let decimals = (1 - value.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A value every model can fall back to when its formula gives NaN or infinity: the
/// global mean when finite, else the middle of the rating scale.
pub(crate) fn finite_fallback(matrix: &RatingMatrix) -> f64 {
    let mean = matrix.global_mean();
    if mean.is_finite() {
        return mean;
    }
    let scale = matrix.scale();
    let middle = scale.min / 2.0 + scale.max / 2.0;
    if middle.is_finite() { middle } else { 0.0 }
}

/// An empty matrix standing in for the real one while a saved model is read back;
/// restoring the model replaces it.
pub(crate) fn placeholder_matrix() -> std::sync::Arc<RatingMatrix> {
    std::sync::Arc::new(RatingMatrix::empty())
}

/// `Err` saying which saved array has the wrong length for the matrix.
pub(crate) fn expect_len(what: &str, found: usize, expected: usize) -> Result<(), String> {
    if found == expected {
        Ok(())
    } else {
        Err(format!(
            "the saved {what} hold {found} entries but the dataset needs {expected}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_divergence_hint_rounds_the_smaller_rate() {
        assert_eq!(
            learning_rate_hint("learning_rate", 0.0015, 0.015),
            "try learning_rate=0.00015 or lower"
        );
        assert_eq!(
            learning_rate_hint("learning_rate", 0.1, 0.015),
            "try learning_rate=0.01 or lower"
        );
        assert_eq!(
            learning_rate_hint("learning_rate", 1.0, 0.015),
            "try learning_rate=0.015 or lower"
        );
        assert_eq!(two_significant_digits(123.4), "123");
    }
}

/// Matrices shared by the algorithms' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::sync::Arc;

    use crate::core::matrix::{Rating, RatingMatrix, RatingScale};

    /// The first matrix of the design, users U1..U3 = 0..2, movies A..D = 0..3, in
    /// this input order: U1 A=5, U1 B=4, U2 A=3, U2 C=4, U2 D=2, U3 B=5, U3 C=5.
    /// `extra_users` and `extra_items` add indices without ratings (unknown ones).
    pub(crate) fn first_matrix(extra_users: usize, extra_items: usize) -> Arc<RatingMatrix> {
        let cells = [
            (0, 0, 5.0),
            (0, 1, 4.0),
            (1, 0, 3.0),
            (1, 2, 4.0),
            (1, 3, 2.0),
            (2, 1, 5.0),
            (2, 2, 5.0),
        ];
        matrix(3 + extra_users, 4 + extra_items, &cells)
    }

    /// A matrix from `(user, item, rating)` cells on the scale 1..5.
    pub(crate) fn matrix(
        n_users: usize,
        n_items: usize,
        cells: &[(u32, u32, f64)],
    ) -> Arc<RatingMatrix> {
        let ratings: Vec<Rating> = cells
            .iter()
            .map(|&(user, item, value)| Rating { user, item, value })
            .collect();
        let scale = RatingScale { min: 1.0, max: 5.0 };
        match RatingMatrix::new(n_users, n_items, &ratings, scale) {
            Ok(matrix) => Arc::new(matrix),
            Err(error) => panic!("test matrix: {error}"),
        }
    }
}
