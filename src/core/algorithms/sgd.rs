//! The inner loop of SVD by stochastic gradient descent, written once and compiled
//! twice: for any processor, and for one with AVX2 and FMA, chosen when it runs.

use super::kernels::{dot, multiply_add};
use crate::core::matrix::{RatingMatrix, UserIndex};

/// What one SGD pass needs besides the parameters it changes.
pub(crate) struct Settings {
    /// Added to every prediction: the global mean μ, or 0 for an unbiased model.
    pub global_mean: f64,
    pub biased: bool,
    /// The step size γ.
    pub learning_rate: f64,
    /// The regularisation λ.
    pub reg: f64,
}

/// The parameters an SVD fit learns, flat and row-major as in [`super::svd`].
pub(crate) struct Parameters<'a> {
    pub n_factors: usize,
    pub user_factors: &'a mut [f64],
    pub item_factors: &'a mut [f64],
    pub user_bias: &'a mut [f64],
    pub item_bias: &'a mut [f64],
}

/// One SGD pass over the ratings of `users`, user by user, each user's ratings in
/// input order. For a rating with error `e = r − r̂`:
/// `b_u ← b_u + γ (e − λ b_u)`, `b_i ← b_i + γ (e − λ b_i)` (biased models) and
/// `p_u ← (1 − γλ) p_u + γ e q_i`, `q_i ← (1 − γλ) q_i + γ e p_u`, both from the
/// old vectors: Funk's update, with the decay factored out.
pub(crate) fn pass(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    settings: &Settings,
    parameters: &mut Parameters,
) {
    #[cfg(target_arch = "x86_64")]
    if super::kernels::has_avx2_fma() {
        // SAFETY: the processor has just been found to have AVX2 and FMA, the only
        // requirement of `pass_avx2_fma`.
        unsafe { pass_avx2_fma(matrix, users, settings, parameters) };
        return;
    }
    pass_with::<false>(matrix, users, settings, parameters);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pass_avx2_fma(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    settings: &Settings,
    parameters: &mut Parameters,
) {
    pass_with::<true>(matrix, users, settings, parameters);
}

/// The pass, with fused multiply-adds when `FUSED` (then only called where the
/// processor has them: in software they would be slow).
#[inline(always)]
fn pass_with<const FUSED: bool>(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    settings: &Settings,
    parameters: &mut Parameters,
) {
    let f = parameters.n_factors;
    let (rate, reg) = (settings.learning_rate, settings.reg);
    let keep = 1.0 - rate * reg;
    for user in users {
        let (items, ratings) = matrix.user_ratings(user as UserIndex);
        let user_vector = &mut parameters.user_factors[user * f..(user + 1) * f];
        for (&item, &rating) in items.iter().zip(ratings) {
            let item = item as usize;
            let item_vector = &mut parameters.item_factors[item * f..(item + 1) * f];
            let mut baseline = settings.global_mean;
            if settings.biased {
                baseline += parameters.user_bias[user] + parameters.item_bias[item];
            }
            let error = rating - (baseline + dot::<FUSED>(user_vector, item_vector));
            if settings.biased {
                let user_bias = &mut parameters.user_bias[user];
                *user_bias += rate * (error - reg * *user_bias);
                let item_bias = &mut parameters.item_bias[item];
                *item_bias += rate * (error - reg * *item_bias);
            }
            step::<FUSED>(user_vector, item_vector, keep, rate * error);
        }
    }
}

/// `p ← keep · p + pull · q` and `q ← keep · q + pull · p`, from the old values.
#[inline(always)]
fn step<const FUSED: bool>(user_vector: &mut [f64], item_vector: &mut [f64], keep: f64, pull: f64) {
    let n = user_vector.len().min(item_vector.len());
    let (user_vector, item_vector) = (&mut user_vector[..n], &mut item_vector[..n]);
    for (p, q) in user_vector.iter_mut().zip(item_vector.iter_mut()) {
        let (old_p, old_q) = (*p, *q);
        *p = multiply_add::<FUSED>(pull, old_q, keep * old_p);
        *q = multiply_add::<FUSED>(pull, old_p, keep * old_q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures::first_matrix;

    /// Twenty biased passes over the first matrix with 19 factors (a block of sixteen
    /// lanes and a tail), starting from fixed factors; all parameters, flat.
    fn fit_first_matrix<const FUSED: bool>() -> Vec<f64> {
        let matrix = first_matrix(0, 0);
        let f = 19;
        let start = |k: usize| 0.1 * ((k * 7 % 11) as f64 - 5.0) / 5.0;
        let mut user_factors: Vec<f64> = (0..3 * f).map(start).collect();
        let mut item_factors: Vec<f64> = (0..4 * f).map(|k| start(k + 3)).collect();
        let (mut user_bias, mut item_bias) = (vec![0.0; 3], vec![0.0; 4]);
        let settings = Settings {
            global_mean: matrix.global_mean(),
            biased: true,
            learning_rate: 0.05,
            reg: 0.02,
        };
        for _ in 0..20 {
            let mut parameters = Parameters {
                n_factors: f,
                user_factors: &mut user_factors,
                item_factors: &mut item_factors,
                user_bias: &mut user_bias,
                item_bias: &mut item_bias,
            };
            pass_with::<FUSED>(&matrix, 0..3, &settings, &mut parameters);
        }
        [user_factors, item_factors, user_bias, item_bias].concat()
    }

    #[test]
    fn the_fused_pass_differs_from_the_portable_one_by_rounding_only() {
        let (portable, fused) = (fit_first_matrix::<false>(), fit_first_matrix::<true>());
        assert_eq!(portable.len(), fused.len());
        for (k, (a, b)) in portable.iter().zip(&fused).enumerate() {
            assert!((a - b).abs() < 1e-12, "parameter {k}: {a} vs {b}");
        }
        // And the fit moved: the biases are no longer zero.
        assert!(
            portable[portable.len() - 7..]
                .iter()
                .all(|b| b.abs() > 1e-3)
        );
    }

    #[test]
    fn a_step_moves_both_vectors_from_their_old_values() {
        // keep = 0.9, pull = 0.5: p = 0.9·2 + 0.5·4 = 3.8, q = 0.9·4 + 0.5·2 = 4.6.
        let (mut p, mut q) = (vec![2.0; 19], vec![4.0; 19]);
        step::<false>(&mut p, &mut q, 0.9, 0.5);
        assert!(p.iter().all(|&v| (v - 3.8).abs() < 1e-12), "{p:?}");
        assert!(q.iter().all(|&v| (v - 4.6).abs() < 1e-12), "{q:?}");
    }
}
