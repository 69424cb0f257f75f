//! The inner loops of SVD by stochastic gradient descent. In double precision, user by
//! user as the reference library visits the ratings: written once and compiled twice,
//! for any processor and for one with AVX2 and FMA, chosen when it runs. In single
//! precision, with the ratings of a few users visited in turn: also written with
//! AVX-512 instructions, used where the processor has them.

use super::kernels::{dot, multiply_add};
use crate::core::matrix::{ItemIndex, RatingMatrix, UserIndex};

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

/// Factors per block of the single-precision pass: one AVX-512 register of `f32`.
pub(crate) const BLOCK: usize = 16;

/// A block of [`BLOCK`] factors, aligned to a cache line so that no load or store of
/// a block straddles two.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C, align(64))]
pub(crate) struct Block(pub [f32; BLOCK]);

// A block is its sixteen values and nothing else: one cache line.
const _: () = assert!(std::mem::size_of::<Block>() == 64);

impl std::ops::Deref for Block {
    type Target = [f32; BLOCK];
    fn deref(&self) -> &[f32; BLOCK] {
        &self.0
    }
}

impl std::ops::DerefMut for Block {
    fn deref_mut(&mut self) -> &mut [f32; BLOCK] {
        &mut self.0
    }
}

/// The first `n` values of a row of blocks.
pub(crate) fn row_values(row: &[Block], n: usize) -> impl Iterator<Item = f32> + '_ {
    row.iter().flat_map(|block| block.0).take(n)
}

/// Users whose ratings the single-precision pass visits in turn: the first rating of
/// each of them, then the second of each, and so on. Their steps do not wait on one
/// another (each has its own user vector), so the processor overlaps them.
pub(crate) const USERS_IN_TURN: usize = 8;

/// The parameters of an SVD fit in single precision: every factor row padded with
/// zeros to `blocks` whole blocks (an update keeps a zero pad at zero).
pub(crate) struct SingleParameters<'a> {
    pub blocks: usize,
    pub user_factors: &'a mut [Block],
    pub item_factors: &'a mut [Block],
    pub user_bias: &'a mut [f32],
    pub item_bias: &'a mut [f32],
}

/// The update of one rating, in single precision; see [`pass`] for the formulas.
struct SingleStep {
    global_mean: f32,
    biased: bool,
    rate: f32,
    reg: f32,
    keep: f32,
}

impl SingleStep {
    fn new(settings: &Settings) -> Self {
        let (rate, reg) = (settings.learning_rate as f32, settings.reg as f32);
        SingleStep {
            global_mean: settings.global_mean as f32,
            biased: settings.biased,
            rate,
            reg,
            keep: 1.0 - rate * reg,
        }
    }

    /// Updates the biases from the dot product `p_u · q_i` and returns `γ e`, the
    /// pull of each vector towards the other.
    #[inline(always)]
    fn biases_and_pull(
        &self,
        dot: f32,
        rating: f32,
        user_bias: &mut f32,
        item_bias: &mut f32,
    ) -> f32 {
        let (rate, reg) = (self.rate, self.reg);
        let mut prediction = self.global_mean + dot;
        if self.biased {
            prediction += *user_bias + *item_bias;
        }
        let error = rating - prediction;
        if self.biased {
            *user_bias += rate * (error - reg * *user_bias);
            *item_bias += rate * (error - reg * *item_bias);
        }
        rate * error
    }
}

/// One SGD pass over the ratings of `users` in single precision, the same updates as
/// [`pass`], in groups of [`USERS_IN_TURN`] consecutive users whose ratings are
/// visited in turn (each user's in input order). The order depends only on `users`,
/// so every build of the pass gives the same fit up to rounding.
pub(crate) fn pass_single(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    settings: &Settings,
    parameters: &mut SingleParameters,
) {
    let step = SingleStep::new(settings);
    #[cfg(target_arch = "x86_64")]
    {
        // Rows of up to eight blocks (128 factors) have an AVX-512 build each, whose
        // loops over the blocks are unrolled; longer rows take the AVX2 build, or
        // the portable one.
        if std::arch::is_x86_feature_detected!("avx512f") {
            macro_rules! with_blocks {
                ($($blocks:literal)*) => {
                    match parameters.blocks {
                        // SAFETY: the processor has just been found to have AVX-512F,
                        // the only requirement of `pass_single_avx512`.
                        $($blocks => unsafe {
                            return pass_single_avx512::<$blocks>(matrix, users, &step, parameters)
                        },)*
                        _ => {}
                    }
                };
            }
            with_blocks!(1 2 3 4 5 6 7 8);
        }
        if super::kernels::has_avx2_fma() {
            // SAFETY: the processor has just been found to have AVX2 and FMA.
            unsafe { pass_single_avx2_fma(matrix, users, &step, parameters) };
            return;
        }
    }
    pass_single_with::<false>(matrix, users, &step, parameters);
}

/// Calls `visit(user, item, rating)` for every rating of `users`, in the order of
/// [`pass_single`].
#[inline(always)]
fn in_turn(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    mut visit: impl FnMut(usize, usize, f32),
) {
    let mut first = users.start;
    while first < users.end {
        let group = first..(first + USERS_IN_TURN).min(users.end);
        let mut lines: [(&[ItemIndex], &[f64]); USERS_IN_TURN] = [(&[], &[]); USERS_IN_TURN];
        for (line, user) in lines.iter_mut().zip(group.clone()) {
            *line = matrix.user_ratings(user as UserIndex);
        }
        let longest = lines
            .iter()
            .map(|(items, _)| items.len())
            .max()
            .unwrap_or(0);
        for k in 0..longest {
            for (user, (items, ratings)) in group.clone().zip(&lines) {
                if let (Some(&item), Some(&rating)) = (items.get(k), ratings.get(k)) {
                    visit(user, item as usize, rating as f32);
                }
            }
        }
        first = group.end;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pass_single_avx2_fma(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    step: &SingleStep,
    parameters: &mut SingleParameters,
) {
    pass_single_with::<true>(matrix, users, step, parameters);
}

/// The single-precision pass for any processor (and, with `FUSED`, for one with FMA).
#[inline(always)]
fn pass_single_with<const FUSED: bool>(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    step: &SingleStep,
    parameters: &mut SingleParameters,
) {
    let b = parameters.blocks;
    in_turn(matrix, users, |user, item, rating| {
        let user_vector = &mut parameters.user_factors[user * b..(user + 1) * b];
        let item_vector = &mut parameters.item_factors[item * b..(item + 1) * b];
        let mut lanes = [0.0f32; BLOCK];
        for (p, q) in user_vector.iter().zip(item_vector.iter()) {
            for lane in 0..BLOCK {
                lanes[lane] = multiply_add_single::<FUSED>(p[lane], q[lane], lanes[lane]);
            }
        }
        let pull = step.biases_and_pull(
            lanes.iter().sum(),
            rating,
            &mut parameters.user_bias[user],
            &mut parameters.item_bias[item],
        );
        for (p, q) in user_vector.iter_mut().zip(item_vector.iter_mut()) {
            for lane in 0..BLOCK {
                let (old_p, old_q) = (p[lane], q[lane]);
                p[lane] = multiply_add_single::<FUSED>(pull, old_q, step.keep * old_p);
                q[lane] = multiply_add_single::<FUSED>(pull, old_p, step.keep * old_q);
            }
        }
    });
}

/// `a · x + c` in single precision, rounded once when `FUSED` (see
/// [`super::kernels::multiply_add`]).
#[inline(always)]
fn multiply_add_single<const FUSED: bool>(a: f32, x: f32, c: f32) -> f32 {
    if FUSED { a.mul_add(x, c) } else { a * x + c }
}

/// The single-precision pass in AVX-512 registers, for `BLOCKS` blocks a row: each
/// rating loads both vectors once, sums the dot product in four registers and stores
/// both updated vectors.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn pass_single_avx512<const BLOCKS: usize>(
    matrix: &RatingMatrix,
    users: std::ops::Range<usize>,
    step: &SingleStep,
    parameters: &mut SingleParameters,
) {
    use std::arch::x86_64::{
        __m512, _mm512_add_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_mul_ps,
        _mm512_reduce_add_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps,
    };
    let keep = _mm512_set1_ps(step.keep);
    in_turn(matrix, users, |user, item, rating| {
        let user_vector = &mut parameters.user_factors[user * BLOCKS..(user + 1) * BLOCKS];
        let item_vector = &mut parameters.item_factors[item * BLOCKS..(item + 1) * BLOCKS];
        let (mut p, mut q) = ([_mm512_setzero_ps(); BLOCKS], [_mm512_setzero_ps(); BLOCKS]);
        for block in 0..BLOCKS {
            // SAFETY: each block is sixteen contiguous `f32`, what one unaligned load
            // reads.
            unsafe {
                p[block] = _mm512_loadu_ps(user_vector[block].as_ptr());
                q[block] = _mm512_loadu_ps(item_vector[block].as_ptr());
            }
        }
        let mut sums: [__m512; 4] = [_mm512_setzero_ps(); 4];
        for block in 0..BLOCKS {
            sums[block % 4] = _mm512_fmadd_ps(p[block], q[block], sums[block % 4]);
        }
        let sum = _mm512_add_ps(
            _mm512_add_ps(sums[0], sums[1]),
            _mm512_add_ps(sums[2], sums[3]),
        );
        let pull = step.biases_and_pull(
            _mm512_reduce_add_ps(sum),
            rating,
            &mut parameters.user_bias[user],
            &mut parameters.item_bias[item],
        );
        let pull = _mm512_set1_ps(pull);
        for block in 0..BLOCKS {
            let new_p = _mm512_fmadd_ps(pull, q[block], _mm512_mul_ps(keep, p[block]));
            let new_q = _mm512_fmadd_ps(pull, p[block], _mm512_mul_ps(keep, q[block]));
            // SAFETY: as for the loads; the blocks are borrowed mutably.
            unsafe {
                _mm512_storeu_ps(user_vector[block].as_mut_ptr(), new_p);
                _mm512_storeu_ps(item_vector[block].as_mut_ptr(), new_q);
            }
        }
    });
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
    fn users_in_a_group_take_turns_rating_by_rating() {
        // User 0 rated items 0, 1; user 1 items 0, 2, 3; user 2 items 1, 2.
        let matrix = first_matrix(0, 0);
        let mut visits = Vec::new();
        in_turn(&matrix, 0..3, |user, item, rating| {
            visits.push((user, item, rating))
        });
        let expected = [
            (0, 0, 5.0),
            (1, 0, 3.0),
            (2, 1, 5.0),
            (0, 1, 4.0),
            (1, 2, 4.0),
            (2, 2, 5.0),
            (1, 3, 2.0),
        ];
        assert_eq!(visits, expected);
    }

    #[test]
    fn groups_hold_eight_users_counted_from_the_first_of_the_range() {
        // Users 0..11 each rate items 0 and 1, in that order. The range 1..11 makes
        // the groups 1..9 and 9..11.
        let cells: Vec<(u32, u32, f64)> =
            (0..11).flat_map(|u| [(u, 0, 1.0), (u, 1, 2.0)]).collect();
        let matrix = crate::core::algorithms::support::fixtures::matrix(11, 2, &cells);
        let mut visits = Vec::new();
        in_turn(&matrix, 1..11, |user, item, _| visits.push((user, item)));
        let mut expected: Vec<(usize, usize)> = (1..9).map(|u| (u, 0)).collect();
        expected.extend((1..9).map(|u| (u, 1)));
        expected.extend([(9, 0), (10, 0), (9, 1), (10, 1)]);
        assert_eq!(visits, expected);
    }

    /// Starting factors for `rows` rows of `f` factors (padded with zeros to whole
    /// blocks), and the same values flat.
    fn single_start(rows: usize, offset: usize, f: usize) -> (Vec<Block>, Vec<f64>) {
        let blocks = f.div_ceil(BLOCK);
        let value = |k: usize| 0.1 * ((k * 7 % 11) as f64 - 5.0) / 5.0;
        let flat: Vec<f64> = (0..rows * f).map(|k| value(k + offset)).collect();
        let mut padded = vec![Block::default(); rows * blocks];
        for (k, &v) in flat.iter().enumerate() {
            let (row, factor) = (k / f, k % f);
            padded[row * blocks + factor / BLOCK][factor % BLOCK] = v as f32;
        }
        (padded, flat)
    }

    fn single_settings(matrix: &RatingMatrix) -> Settings {
        Settings {
            global_mean: matrix.global_mean(),
            biased: true,
            learning_rate: 0.05,
            reg: 0.02,
        }
    }

    /// Twenty single-precision passes over the first matrix with `f` factors by
    /// `pass_with`, from [`single_start`]; all parameters, flat: the factors of every
    /// row, then the pads of every row, for users and then items, then the biases.
    fn fit_single(
        f: usize,
        pass_with: impl Fn(&RatingMatrix, &SingleStep, &mut SingleParameters),
    ) -> Vec<f64> {
        let matrix = first_matrix(0, 0);
        let blocks = f.div_ceil(BLOCK);
        let ((mut user_factors, _), (mut item_factors, _)) =
            (single_start(3, 0, f), single_start(4, 3, f));
        let (mut user_bias, mut item_bias) = (vec![0.0; 3], vec![0.0; 4]);
        let step = SingleStep::new(&single_settings(&matrix));
        for _ in 0..20 {
            let mut parameters = SingleParameters {
                blocks,
                user_factors: &mut user_factors,
                item_factors: &mut item_factors,
                user_bias: &mut user_bias,
                item_bias: &mut item_bias,
            };
            pass_with(&matrix, &step, &mut parameters);
        }
        let unpadded = |rows: &[Block]| -> Vec<f64> {
            let pads = |row: &[Block]| row_values(row, usize::MAX).skip(f).collect::<Vec<_>>();
            rows.chunks(blocks)
                .flat_map(|row| row_values(row, f))
                .chain(rows.chunks(blocks).flat_map(pads))
                .map(f64::from)
                .collect()
        };
        let widened = |values: &[f32]| values.iter().map(|&v| f64::from(v)).collect::<Vec<_>>();
        [
            unpadded(&user_factors),
            unpadded(&item_factors),
            widened(&user_bias),
            widened(&item_bias),
        ]
        .concat()
    }

    /// The same twenty passes in double precision, written out plainly in the order
    /// the first test above spells out: the reference for the single-precision builds.
    fn fit_single_reference(f: usize) -> Vec<f64> {
        let matrix = first_matrix(0, 0);
        let ((_, mut p), (_, mut q)) = (single_start(3, 0, f), single_start(4, 3, f));
        let (mut b_u, mut b_i) = (vec![0.0; 3], vec![0.0; 4]);
        let settings = single_settings(&matrix);
        let (rate, reg, mu) = (settings.learning_rate, settings.reg, settings.global_mean);
        let order = [
            (0, 0, 5.0),
            (1, 0, 3.0),
            (2, 1, 5.0),
            (0, 1, 4.0),
            (1, 2, 4.0),
            (2, 2, 5.0),
            (1, 3, 2.0),
        ];
        for _ in 0..20 {
            for &(u, i, r) in &order {
                let dot: f64 = (0..f).map(|k| p[u * f + k] * q[i * f + k]).sum();
                let e = r - (mu + b_u[u] + b_i[i] + dot);
                b_u[u] += rate * (e - reg * b_u[u]);
                b_i[i] += rate * (e - reg * b_i[i]);
                for k in 0..f {
                    let (old_p, old_q) = (p[u * f + k], q[i * f + k]);
                    p[u * f + k] += rate * (e * old_q - reg * old_p);
                    q[i * f + k] += rate * (e * old_p - reg * old_q);
                }
            }
        }
        // The pads: zero, as the single-precision fits must leave them.
        let pad = f.div_ceil(BLOCK) * BLOCK - f;
        [p, vec![0.0; 3 * pad], q, vec![0.0; 4 * pad], b_u, b_i].concat()
    }

    fn assert_close_to_reference(name: &str, f: usize, fitted: &[f64]) {
        let reference = fit_single_reference(f);
        assert_eq!(fitted.len(), reference.len(), "{name}, {f} factors");
        for (k, (a, b)) in fitted.iter().zip(&reference).enumerate() {
            // Single precision carries about seven digits.
            assert!(
                (a - b).abs() < 1e-5,
                "{name}, {f} factors, parameter {k}: {a} vs {b}"
            );
        }
        assert!(
            reference[reference.len() - 7..]
                .iter()
                .all(|b| b.abs() > 1e-3)
        );
    }

    #[test]
    fn the_single_precision_pass_follows_the_plain_double_precision_updates() {
        // 19 factors: a whole block and three lanes of a second.
        assert_close_to_reference(
            "portable",
            19,
            &fit_single(19, |m, s, p| pass_single_with::<false>(m, 0..3, s, p)),
        );
        assert_close_to_reference(
            "fused",
            19,
            &fit_single(19, |m, s, p| pass_single_with::<true>(m, 0..3, s, p)),
        );
    }

    #[test]
    fn every_build_the_pass_chooses_follows_the_double_precision_updates() {
        // From one block to eight (each an AVX-512 build of its own where the
        // processor has it), whole and part-filled, and past eight (AVX2 or portable).
        for f in [1, 7, 16, 19, 33, 49, 64, 81, 100, 113, 128, 129, 200] {
            let fitted = fit_single(f, |m, _, p| {
                pass_single(m, 0..3, &single_settings(m), p);
            });
            assert_close_to_reference("pass_single", f, &fitted);
        }
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
