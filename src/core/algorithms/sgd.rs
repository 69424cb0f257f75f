//! The inner loops of SVD by stochastic gradient descent. In double precision, user by
//! user as the reference library visits the ratings: written once and compiled twice,
//! for any processor and for one with AVX2 and FMA, chosen when it runs. In single
//! precision, block by block of a grid of the ratings, the blocks of a stratum on
//! several cores at once, and within a block with the ratings of a few users visited
//! in turn: also written with AVX-512 instructions, used where the processor has them.

use std::sync::OnceLock;

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

use super::kernels::{dot, multiply_add};
use super::strata::{RatingBlock, Strata, split_rows};
use super::svd::USERS_PER_CHECK;
use crate::core::matrix::{RatingMatrix, UserIndex};
use crate::core::progress::{Cancelled, Progress};

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

/// Users whose ratings the single-precision pass visits in turn, one rating of each
/// in a round; when one has no rating left, the next user takes their place. Their
/// steps do not wait on one another (each has its own user vector), so the processor
/// overlaps them.
pub(crate) const USERS_IN_TURN: usize = 8;

/// The parameters of an SVD fit in single precision, or the rows of them that one
/// block of ratings updates: every factor row padded with zeros to `blocks` whole
/// blocks (an update keeps a zero pad at zero).
pub(crate) struct SingleParameters<'a> {
    pub blocks: usize,
    pub user_factors: &'a mut [Block],
    pub item_factors: &'a mut [Block],
    pub user_bias: &'a mut [f32],
    pub item_bias: &'a mut [f32],
}

impl SingleParameters<'_> {
    /// Whether every factor and bias is finite.
    pub(crate) fn all_finite(&self) -> bool {
        // `v − v` is 0 for a finite `v` and NaN for any other, so the lanes' sums stay
        // 0 only while every factor is finite: a loop the compiler vectorises.
        let mut lanes = [0.0f32; BLOCK];
        for block in self.user_factors.iter().chain(self.item_factors.iter()) {
            for (lane, &value) in lanes.iter_mut().zip(&block.0) {
                #[allow(clippy::eq_op)] // Not 0 for infinities and NaN: the point.
                let zero_if_finite = value - value;
                *lane += zero_if_finite;
            }
        }
        let biases = self.user_bias.iter().chain(self.item_bias.iter());
        lanes.iter().chain(biases).all(|v| v.is_finite())
    }
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

/// One SGD pass over the block's ratings of `users` (numbered within the block) in
/// single precision, the same updates as [`pass`], in groups of [`USERS_IN_TURN`]
/// consecutive users whose ratings are visited in turn (each user's in input order).
/// `parameters` hold the rows of the block's users and of its item part, numbered as
/// the block numbers them. The order depends only on the block and `users`, so every
/// build of the pass gives the same fit up to rounding.
pub(crate) fn pass_single(
    block: &RatingBlock,
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
                            return pass_single_avx512::<$blocks>(block, users, &step, parameters)
                        },)*
                        _ => {}
                    }
                };
            }
            with_blocks!(1 2 3 4 5 6 7 8);
        }
        if super::kernels::has_avx2_fma() {
            // SAFETY: the processor has just been found to have AVX2 and FMA.
            unsafe { pass_single_avx2_fma(block, users, &step, parameters) };
            return;
        }
    }
    pass_single_with::<false>(block, users, &step, parameters);
}

/// How many parts the single-precision fit cuts its users and items into (see
/// [`super::strata`]): the blocks of a stratum run on up to this many cores. Fixed,
/// and not the number of cores, so that a fit is the same to the bit on any number
/// of cores (builds for different processors round differently).
pub(crate) const PARTS: usize = 2;

/// The factor rows and biases of a range of users or a part of the items.
type Rows<'a> = (&'a mut [Block], &'a mut [f32]);

/// Runs `fit`, telling it whether to run the blocks of a stratum in parallel. Yes
/// where rayon's global pool has more than one thread and this thread is in no pool:
/// then `fit` runs on a pool of [`PARTS`] threads kept for these fits, so that each
/// stratum's join finds the other thread still awake (from outside a pool each join
/// would wake it anew), and so that a fit never waits behind the global pool's work
/// (an evaluation running meanwhile). A fit already running on a pool's thread is one
/// of several tasks shared out between its threads (the folds of an evaluation), and
/// runs its blocks one after another.
pub(crate) fn with_cores<R: Send>(fit: impl FnOnce(bool) -> R + Send) -> R {
    if rayon::current_thread_index().is_some() || rayon::current_num_threads() < 2 {
        return fit(false);
    }
    static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let threads = PARTS.min(rayon::current_num_threads());
        let named = |k: usize| format!("recscope-sgd-{k}");
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(named)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(|| fit(true)),
        None => fit(false),
    }
}

/// One single-precision SGD epoch over every rating of `strata`: stratum by stratum,
/// the blocks of a stratum in parallel when `parallel`, each block by
/// [`pass_single`]. The user rows of `parameters` are in user order, its item rows in
/// the order of [`Strata::items_by_row`]. Returns whether every parameter is finite
/// after the epoch (each block of the last stratum checks the rows it updated, every
/// row being in one of them, while they are in its core's cache). `Err` once
/// `progress` is cancelled, checked before each stratum and every
/// [`USERS_PER_CHECK`] users of a block.
pub(crate) fn epoch_single(
    strata: &Strata,
    settings: &Settings,
    parameters: &mut SingleParameters,
    progress: &Progress,
    parallel: bool,
) -> Result<bool, Cancelled> {
    let (parts, width) = (strata.parts(), parameters.blocks);
    let user_lengths: Vec<usize> = strata.user_ranges().map(|range| range.len()).collect();
    let item_lengths: Vec<usize> = strata.item_part_sizes().collect();
    let mut users: Vec<Rows> =
        split_rows(parameters.user_factors, user_lengths.iter().copied(), width)
            .into_iter()
            .zip(split_rows(parameters.user_bias, user_lengths, 1))
            .collect();
    let mut items: Vec<Rows> =
        split_rows(parameters.item_factors, item_lengths.iter().copied(), width)
            .into_iter()
            .zip(split_rows(parameters.item_bias, item_lengths, 1))
            .collect();
    let mut finite = true;
    for stratum in 0..parts {
        progress.check()?;
        let last = stratum + 1 == parts;
        // `items[k]` holds part `(k + stratum) mod parts`: range `k` meets it.
        let run = |(range, ((user_factors, user_bias), (item_factors, item_bias))): (
            usize,
            (&mut Rows, &mut Rows),
        )| {
            let block = strata.block(range, (range + stratum) % parts);
            let mut parameters = SingleParameters {
                blocks: width,
                user_factors,
                item_factors,
                user_bias,
                item_bias,
            };
            let n = block.n_users();
            for start in (0..n).step_by(USERS_PER_CHECK) {
                if progress.is_cancelled() {
                    return true;
                }
                let users = start..(start + USERS_PER_CHECK).min(n);
                pass_single(block, users, settings, &mut parameters);
            }
            !last || parameters.all_finite()
        };
        finite &= if parallel {
            let pairs = users.par_iter_mut().zip(items.par_iter_mut());
            pairs.enumerate().map(run).reduce(|| true, |a, b| a && b)
        } else {
            let mut all = true;
            for pair in users.iter_mut().zip(items.iter_mut()).enumerate() {
                all &= run(pair);
            }
            all
        };
        items.rotate_left(1);
    }
    progress.check()?;
    Ok(finite)
}

/// Calls `visit(user, item, rating)` for every rating of the block's `users`, in the
/// order of [`pass_single`].
#[inline(always)]
fn in_turn(
    block: &RatingBlock,
    users: std::ops::Range<usize>,
    mut visit: impl FnMut(usize, usize, f32),
) {
    let mut waiting = users.map(|user| (user, block.line(user)));
    let mut next_user = || waiting.find(|(_, (items, _))| !items.is_empty());
    // Each lane: a user and the ratings of theirs still to visit.
    let mut lanes: [(usize, &[u32], &[f32]); USERS_IN_TURN] = [(0, &[], &[]); USERS_IN_TURN];
    let mut busy = 0;
    for lane in lanes.iter_mut() {
        if let Some((user, (items, ratings))) = next_user() {
            *lane = (user, items, ratings);
            busy += 1;
        }
    }
    while busy > 0 {
        for lane in lanes.iter_mut() {
            let (user, items, ratings) = *lane;
            let (Some((&item, items)), Some((&rating, ratings))) =
                (items.split_first(), ratings.split_first())
            else {
                continue;
            };
            visit(user, item as usize, rating);
            *lane = (user, items, ratings);
            if items.is_empty() {
                match next_user() {
                    Some((user, (items, ratings))) => *lane = (user, items, ratings),
                    None => busy -= 1,
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pass_single_avx2_fma(
    block: &RatingBlock,
    users: std::ops::Range<usize>,
    step: &SingleStep,
    parameters: &mut SingleParameters,
) {
    pass_single_with::<true>(block, users, step, parameters);
}

/// The single-precision pass for any processor (and, with `FUSED`, for one with FMA).
#[inline(always)]
fn pass_single_with<const FUSED: bool>(
    block: &RatingBlock,
    users: std::ops::Range<usize>,
    step: &SingleStep,
    parameters: &mut SingleParameters,
) {
    let b = parameters.blocks;
    in_turn(block, users, |user, item, rating| {
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
    block: &RatingBlock,
    users: std::ops::Range<usize>,
    step: &SingleStep,
    parameters: &mut SingleParameters,
) {
    use std::arch::x86_64::{
        __m512, _mm512_add_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_mul_ps,
        _mm512_reduce_add_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps,
    };
    let keep = _mm512_set1_ps(step.keep);
    in_turn(block, users, |user, item, rating| {
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
        let strata = Strata::new(&first_matrix(0, 0), 1);
        let mut visits = Vec::new();
        in_turn(strata.block(0, 0), 0..3, |user, item, rating| {
            visits.push((user, item, rating))
        });
        let expected: Vec<(usize, usize, f32)> = (ONE_BLOCK.iter())
            .map(|&(user, item, rating)| (user, item, rating as f32))
            .collect();
        assert_eq!(visits, expected);
    }

    #[test]
    fn lanes_hold_eight_users_counted_from_the_first_of_the_range() {
        // Users 0..11 each rate items 0 and 1, in that order. The range 1..11 puts
        // users 1..9 in the eight lanes; users 9 and 10 take the places of users 1
        // and 2 once those have had their two ratings.
        let cells: Vec<(u32, u32, f64)> =
            (0..11).flat_map(|u| [(u, 0, 1.0), (u, 1, 2.0)]).collect();
        let matrix = crate::core::algorithms::support::fixtures::matrix(11, 2, &cells);
        let strata = Strata::new(&matrix, 1);
        let mut visits = Vec::new();
        in_turn(strata.block(0, 0), 1..11, |user, item, _| {
            visits.push((user, item))
        });
        let mut expected: Vec<(usize, usize)> = (1..9).map(|u| (u, 0)).collect();
        expected.extend((1..9).map(|u| (u, 1)));
        expected.extend([(9, 0), (10, 0), (9, 1), (10, 1)]);
        assert_eq!(visits, expected);
    }

    #[test]
    fn a_user_out_of_ratings_gives_their_lane_to_the_next_user() {
        // User 0 rates item 0 only, users 1..10 items 0 and 1; user 1 has no rating
        // at all and is skipped. Lanes: users 0, 2, 3, …, 8. After the first round
        // user 0 is done and user 9 takes lane 0; after the second, users 2..8 are
        // done and user 10 takes lane 1.
        let mut cells = vec![(0, 0, 1.0)];
        cells.extend((2..11).flat_map(|u| [(u, 0, 1.0), (u, 1, 2.0)]));
        let matrix = crate::core::algorithms::support::fixtures::matrix(11, 2, &cells);
        let strata = Strata::new(&matrix, 1);
        let mut visits = Vec::new();
        in_turn(strata.block(0, 0), 0..11, |user, item, _| {
            visits.push((user, item))
        });
        let mut expected = vec![(0, 0)];
        expected.extend((2..9).map(|u| (u, 0)));
        expected.push((9, 0));
        expected.extend((2..9).map(|u| (u, 1)));
        expected.extend([(9, 1), (10, 0), (10, 1)]);
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

    /// The parameters of a test fit of `users × items` with `f` factors, from
    /// [`single_start`], with zero biases.
    struct Owned {
        blocks: usize,
        user_factors: Vec<Block>,
        item_factors: Vec<Block>,
        user_bias: Vec<f32>,
        item_bias: Vec<f32>,
    }

    impl Owned {
        fn start(users: usize, items: usize, f: usize) -> Self {
            Owned {
                blocks: f.div_ceil(BLOCK),
                user_factors: single_start(users, 0, f).0,
                item_factors: single_start(items, 3, f).0,
                user_bias: vec![0.0; users],
                item_bias: vec![0.0; items],
            }
        }

        fn parameters(&mut self) -> SingleParameters<'_> {
            SingleParameters {
                blocks: self.blocks,
                user_factors: &mut self.user_factors,
                item_factors: &mut self.item_factors,
                user_bias: &mut self.user_bias,
                item_bias: &mut self.item_bias,
            }
        }

        /// Every parameter, flat, as [`flat`] lays them out.
        fn flat(&self, f: usize) -> Vec<f64> {
            let factors = [&self.user_factors[..], &self.item_factors[..]];
            flat(f, factors, [&self.user_bias, &self.item_bias])
        }
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
        pass_with: impl Fn(&RatingBlock, &Settings, &SingleStep, &mut SingleParameters),
    ) -> Vec<f64> {
        let matrix = first_matrix(0, 0);
        let strata = Strata::new(&matrix, 1);
        let settings = single_settings(&matrix);
        let mut fit = Owned::start(3, 4, f);
        let step = SingleStep::new(&settings);
        for _ in 0..20 {
            pass_with(strata.block(0, 0), &settings, &step, &mut fit.parameters());
        }
        fit.flat(f)
    }

    /// Every parameter, flat: the factors of every row, then the pads of every row,
    /// for users and then items, then the biases.
    fn flat(f: usize, factors: [&[Block]; 2], biases: [&[f32]; 2]) -> Vec<f64> {
        let blocks = f.div_ceil(BLOCK);
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
            unpadded(factors[0]),
            unpadded(factors[1]),
            widened(biases[0]),
            widened(biases[1]),
        ]
        .concat()
    }

    /// Twenty epochs of [`epoch_single`] over the first matrix cut into `parts × parts`
    /// blocks, with `f` factors from [`single_start`], on a pool of two threads; all
    /// parameters flat as [`flat`] lays them out, the items in index order.
    fn fit_in_parts(f: usize, parts: usize, parallel: bool) -> Vec<f64> {
        let matrix = first_matrix(0, 0);
        let strata = Strata::new(&matrix, parts);
        let settings = single_settings(&matrix);
        let mut fit = Owned::start(3, 4, f);
        let blocks = fit.blocks;
        let row = |rows: &[Block], k: usize| rows[k * blocks..(k + 1) * blocks].to_vec();
        let items_by_row: Vec<usize> = strata.items_by_row().collect();
        fit.item_factors = (items_by_row.iter())
            .flat_map(|&item| row(&fit.item_factors, item))
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let progress = Progress::none();
        for _ in 0..20 {
            let mut parameters = fit.parameters();
            let epoch = || epoch_single(&strata, &settings, &mut parameters, &progress, parallel);
            assert_eq!(pool.install(epoch), Ok(true));
        }
        // The items back in index order.
        let (mut in_order, mut bias_in_order) = (fit.item_factors.clone(), fit.item_bias.clone());
        for (k, &item) in items_by_row.iter().enumerate() {
            in_order[item * blocks..(item + 1) * blocks]
                .copy_from_slice(&row(&fit.item_factors, k));
            bias_in_order[item] = fit.item_bias[k];
        }
        (fit.item_factors, fit.item_bias) = (in_order, bias_in_order);
        fit.flat(f)
    }

    /// The order in which one block (all users, all items) visits the first matrix's
    /// ratings: the first rating of users 0, 1 and 2 in turn, then the second of each,
    /// then user 1's third.
    const ONE_BLOCK: [(usize, usize, f64); 7] = [
        (0, 0, 5.0),
        (1, 0, 3.0),
        (2, 1, 5.0),
        (0, 1, 4.0),
        (1, 2, 4.0),
        (2, 2, 5.0),
        (1, 3, 2.0),
    ];

    /// The order of a 2 × 2 grid of blocks. Users 0 and 1 are the first range (5 of
    /// the 7 ratings), user 2 the second; items 0 and 2 are the first part, 1 and 3
    /// the second. Stratum 0: block (0, 0) takes user 0's item 0 then user 1's items
    /// 0 and 2 in turn; block (1, 1) user 2's item 1. Stratum 1: block (0, 1) user
    /// 0's item 1 and user 1's item 3; block (1, 0) user 2's item 2. Two blocks of a
    /// stratum share no row, so either may come first.
    const TWO_BY_TWO: [(usize, usize, f64); 7] = [
        (0, 0, 5.0),
        (1, 0, 3.0),
        (1, 2, 4.0),
        (2, 1, 5.0),
        (0, 1, 4.0),
        (1, 3, 2.0),
        (2, 2, 5.0),
    ];

    /// Twenty passes in double precision over the ratings of the first matrix in
    /// `order`, written out plainly: the reference for the single-precision builds.
    fn fit_single_reference(f: usize, order: &[(usize, usize, f64)]) -> Vec<f64> {
        let matrix = first_matrix(0, 0);
        let ((_, mut p), (_, mut q)) = (single_start(3, 0, f), single_start(4, 3, f));
        let (mut b_u, mut b_i) = (vec![0.0; 3], vec![0.0; 4]);
        let settings = single_settings(&matrix);
        let (rate, reg, mu) = (settings.learning_rate, settings.reg, settings.global_mean);
        for _ in 0..20 {
            for &(u, i, r) in order {
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
        assert_close_to(&fit_single_reference(f, &ONE_BLOCK), name, f, fitted);
    }

    fn assert_close_to(reference: &[f64], name: &str, f: usize, fitted: &[f64]) {
        assert_eq!(fitted.len(), reference.len(), "{name}, {f} factors");
        for (k, (a, b)) in fitted.iter().zip(reference).enumerate() {
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
            &fit_single(19, |b, _, s, p| pass_single_with::<false>(b, 0..3, s, p)),
        );
        assert_close_to_reference(
            "fused",
            19,
            &fit_single(19, |b, _, s, p| pass_single_with::<true>(b, 0..3, s, p)),
        );
    }

    #[test]
    fn every_build_the_pass_chooses_follows_the_double_precision_updates() {
        // From one block to eight (each an AVX-512 build of its own where the
        // processor has it), whole and part-filled, and past eight (AVX2 or portable).
        for f in [1, 7, 16, 19, 33, 49, 64, 81, 100, 113, 128, 129, 200] {
            let fitted = fit_single(f, |b, settings, _, p| pass_single(b, 0..3, settings, p));
            assert_close_to_reference("pass_single", f, &fitted);
        }
    }

    /// The order of a 3 × 3 grid. Users 0 and 1 are the first range, user 2 the
    /// second, none the third; items 0 and 3 are part 0, item 1 part 1, item 2 part
    /// 2. Stratum 0 pairs range k with part k: user 0's item 0, then user 1's items 0
    /// and 3 in turn; user 2's item 1. Stratum 1 pairs range k with part k + 1: user
    /// 0's item 1; user 2's item 2. Stratum 2 pairs range k with part k + 2: user 1's
    /// item 2 (user 2 rated no item of part 0).
    const THREE_BY_THREE: [(usize, usize, f64); 7] = [
        (0, 0, 5.0),
        (1, 0, 3.0),
        (1, 3, 2.0),
        (2, 1, 5.0),
        (0, 1, 4.0),
        (2, 2, 5.0),
        (1, 2, 4.0),
    ];

    #[test]
    fn a_grid_of_blocks_follows_the_plain_updates_stratum_by_stratum() {
        for f in [19, 100] {
            let reference = fit_single_reference(f, &TWO_BY_TWO);
            for parallel in [false, true] {
                let name = format!("2 × 2 blocks, parallel {parallel}");
                assert_close_to(&reference, &name, f, &fit_in_parts(f, 2, parallel));
            }
            let reference = fit_single_reference(f, &THREE_BY_THREE);
            for parallel in [false, true] {
                let name = format!("3 × 3 blocks, parallel {parallel}");
                assert_close_to(&reference, &name, f, &fit_in_parts(f, 3, parallel));
            }
            // One part is one block: the order of a single pass.
            assert_close_to_reference("1 part", f, &fit_in_parts(f, 1, true));
        }
    }

    #[test]
    fn blocks_run_in_parallel_give_the_fit_of_blocks_run_in_turn_to_the_bit() {
        for parts in [2, 3] {
            assert_eq!(
                fit_in_parts(33, parts, true),
                fit_in_parts(33, parts, false),
                "{parts} parts"
            );
        }
    }

    #[test]
    fn an_epoch_checks_every_row_for_finiteness() {
        // Users 3 and items 4 have no rating: no update touches their rows, so only
        // the check can find a NaN there. Every row and bias in turn, in grids of one
        // to three parts (the last with a range that holds no user).
        let matrix = first_matrix(1, 1);
        let settings = single_settings(&matrix);
        for parts in 1..=3 {
            let strata = Strata::new(&matrix, parts);
            for target in 0..(4 + 5) * 2 + 1 {
                let mut fit = Owned::start(4, 5, 5);
                // Targets: user rows, item rows, user biases, item biases, then none.
                match target {
                    t if t < 4 => fit.user_factors[t][2] = f32::NAN,
                    t if t < 9 => fit.item_factors[t - 4][2] = f32::NAN,
                    t if t < 13 => fit.user_bias[t - 9] = f32::NAN,
                    t if t < 18 => fit.item_bias[t - 13] = f32::NAN,
                    _ => {}
                }
                let progress = Progress::none();
                let mut parameters = fit.parameters();
                let finite = epoch_single(&strata, &settings, &mut parameters, &progress, false);
                assert_eq!(finite, Ok(target == 18), "{parts} parts, target {target}");
            }
        }
    }

    #[test]
    fn a_cancelled_epoch_stops() {
        let matrix = first_matrix(0, 0);
        let strata = Strata::new(&matrix, 2);
        let mut fit = Owned::start(3, 4, 5);
        let before = fit.flat(5);
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let progress = Progress::new(cancel, |_, _| {});
        let settings = single_settings(&matrix);
        let result = epoch_single(&strata, &settings, &mut fit.parameters(), &progress, false);
        assert_eq!(result, Err(Cancelled));
        assert_eq!(fit.flat(5), before);
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
