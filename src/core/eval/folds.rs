//! Splitting known ratings into training and test sets: k-fold, random hold-out,
//! a hold-out stratified by user, leave-last-out per user, and a temporal cut. A fold holds positions into the
//! dataset's rating list, so every algorithm compared sees the very same split.

use serde::{Deserialize, Serialize};

use super::EvalError;
use super::shuffle::{MersenneTwister, shuffle_like_numpy};
use crate::core::matrix::Rating;

/// One split: positions (into the dataset's rating list) used to fit, and to test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// How to split the ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "split", rename_all = "snake_case")]
pub enum SplitSpec {
    /// `k` folds over the seeded shuffle; each rating is tested exactly once.
    KFold { k: usize, seed: u32 },
    /// One split testing a `test_share` (0..1) of the ratings, drawn at random.
    Holdout { test_share: f64, seed: u32 },
    /// One split testing a `test_share` of each user's ratings, drawn at random per
    /// user (the usual protocol for implicit feedback).
    UserHoldout { test_share: f64, seed: u32 },
    /// One split testing each user's most recent rating (needs timestamps).
    LeaveLastOut,
    /// One split testing the most recent `test_share` of all ratings (needs timestamps).
    TemporalCut { test_share: f64 },
}

impl SplitSpec {
    /// A short description for reports, e.g. "5-fold (seed 0)".
    pub fn describe(&self) -> String {
        match self {
            SplitSpec::KFold { k, seed } => format!("{k}-fold (seed {seed})"),
            SplitSpec::Holdout { test_share, seed } => {
                format!(
                    "random hold-out of {:.0}% (seed {seed})",
                    test_share * 100.0
                )
            }
            SplitSpec::UserHoldout { test_share, seed } => format!(
                "hold-out of {:.0}% of each user's ratings (seed {seed})",
                test_share * 100.0
            ),
            SplitSpec::LeaveLastOut => "leave-last-out per user".to_string(),
            SplitSpec::TemporalCut { test_share } => {
                format!("temporal cut, last {:.0}%", test_share * 100.0)
            }
        }
    }

    /// The folds of this split over `ratings` (and their `timestamps`, when the split
    /// needs them).
    pub fn folds(
        &self,
        ratings: &[Rating],
        timestamps: Option<&[i64]>,
    ) -> Result<Vec<Fold>, EvalError> {
        match *self {
            SplitSpec::KFold { k, seed } => k_fold(ratings.len(), k, seed),
            SplitSpec::Holdout { test_share, seed } => {
                Ok(vec![holdout(ratings.len(), test_share, seed)?])
            }
            SplitSpec::UserHoldout { test_share, seed } => {
                Ok(vec![user_holdout(ratings, test_share, seed)?])
            }
            SplitSpec::LeaveLastOut => {
                let timestamps = need_timestamps(ratings, timestamps, "leave-last-out")?;
                Ok(vec![leave_last_out(ratings, timestamps)])
            }
            SplitSpec::TemporalCut { test_share } => {
                let timestamps = need_timestamps(ratings, timestamps, "a temporal cut")?;
                Ok(vec![temporal_cut(timestamps, test_share)?])
            }
        }
    }
}

fn need_timestamps<'a>(
    ratings: &[Rating],
    timestamps: Option<&'a [i64]>,
    split: &str,
) -> Result<&'a [i64], EvalError> {
    match timestamps {
        Some(stamps) if stamps.len() == ratings.len() => Ok(stamps),
        Some(stamps) => Err(EvalError::BadSplit(format!(
            "{split} needs one timestamp per rating: {} ratings, {} timestamps",
            ratings.len(),
            stamps.len()
        ))),
        None => Err(EvalError::BadSplit(format!(
            "{split} needs timestamps, and this dataset has none; use k-fold or a random \
             hold-out instead"
        ))),
    }
}

/// The reference library's k-fold protocol: positions `0..n` shuffled with `seed`
/// (numpy's legacy shuffle), cut into `k` contiguous folds whose sizes differ by at
/// most one (the first `n mod k` folds take one extra rating). Fold `f` tests its own
/// slice and trains on the rest, in shuffled order: the slice before it, then the
/// slice after it.
pub fn k_fold(n: usize, k: usize, seed: u32) -> Result<Vec<Fold>, EvalError> {
    if k < 2 || k > n {
        return Err(EvalError::BadSplit(format!(
            "cannot make {k} folds of {n} ratings: the number of folds must be from 2 to \
             the number of ratings"
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    shuffle_like_numpy(&mut order, seed);

    let mut folds = Vec::with_capacity(k);
    let mut stop = 0;
    for fold in 0..k {
        let start = stop;
        stop += n / k + usize::from(fold < n % k);
        let mut train = Vec::with_capacity(n - (stop - start));
        train.extend_from_slice(&order[..start]);
        train.extend_from_slice(&order[stop..]);
        folds.push(Fold {
            train,
            test: order[start..stop].to_vec(),
        });
    }
    Ok(folds)
}

/// A random hold-out as the reference library's `train_test_split` draws it: the
/// first `⌈test_share · n⌉` positions of the seeded shuffle are tested, the rest
/// trained on.
pub fn holdout(n: usize, test_share: f64, seed: u32) -> Result<Fold, EvalError> {
    if !(test_share > 0.0 && test_share < 1.0) {
        return Err(EvalError::BadSplit(format!(
            "a hold-out share of {test_share} is not between 0 and 1 (e.g. 0.2 for 20%)"
        )));
    }
    let n_test = (test_share * n as f64).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(EvalError::BadSplit(format!(
            "a hold-out share of {test_share} of {n} ratings leaves nothing to test or to \
             train on"
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    shuffle_like_numpy(&mut order, seed);
    let train = order.split_off(n_test);
    Ok(Fold { train, test: order })
}

/// A hold-out stratified by user: each user's ratings (in file order) are shuffled
/// with one generator seeded by `seed`, users taken in order of their index, and the
/// first `round(test_share · n_u)` of the shuffle are tested, at most `n_u − 1` so
/// that every user keeps a training rating (a user with one rating is not tested).
pub fn user_holdout(ratings: &[Rating], test_share: f64, seed: u32) -> Result<Fold, EvalError> {
    if !(test_share > 0.0 && test_share < 1.0) {
        return Err(EvalError::BadSplit(format!(
            "a per-user test share of {test_share} is not between 0 and 1 (e.g. 0.25)"
        )));
    }
    let mut by_user: std::collections::BTreeMap<u32, Vec<usize>> =
        std::collections::BTreeMap::new();
    for (position, rating) in ratings.iter().enumerate() {
        by_user.entry(rating.user).or_default().push(position);
    }
    let mut generator = MersenneTwister::new(seed);
    let mut tested = vec![false; ratings.len()];
    for positions in by_user.values_mut() {
        for last in (1..positions.len()).rev() {
            let other = generator.interval(last as u64) as usize;
            positions.swap(last, other);
        }
        let wanted = (test_share * positions.len() as f64).round() as usize;
        let n_test = wanted.min(positions.len() - 1);
        for &position in &positions[..n_test] {
            tested[position] = true;
        }
    }
    if !tested.iter().any(|&t| t) {
        return Err(EvalError::BadSplit(format!(
            "a per-user test share of {test_share} tests no rating: every user has too              few ratings; raise --test-share"
        )));
    }
    Ok(split_by_flags(&tested))
}

/// Each user's most recent rating is tested, the rest trained on. A user with a single
/// rating keeps it for training (testing it would leave the user unknown). Equal
/// timestamps go to the rating that comes later in the file.
pub fn leave_last_out(ratings: &[Rating], timestamps: &[i64]) -> Fold {
    let mut latest: std::collections::HashMap<u32, (i64, usize, usize)> =
        std::collections::HashMap::new();
    for (position, (rating, &stamp)) in ratings.iter().zip(timestamps).enumerate() {
        let entry = latest.entry(rating.user).or_insert((stamp, position, 0));
        entry.2 += 1;
        if stamp >= entry.0 {
            entry.0 = stamp;
            entry.1 = position;
        }
    }
    let mut tested = vec![false; ratings.len()];
    for &(_, position, count) in latest.values() {
        if count >= 2 {
            tested[position] = true;
        }
    }
    split_by_flags(&tested)
}

/// All ratings are ordered by time (equal timestamps by file position) and the most
/// recent `⌈test_share · n⌉` are tested: the model is fitted on the past and asked
/// about the future.
pub fn temporal_cut(timestamps: &[i64], test_share: f64) -> Result<Fold, EvalError> {
    let n = timestamps.len();
    if !(test_share > 0.0 && test_share < 1.0) {
        return Err(EvalError::BadSplit(format!(
            "a temporal test share of {test_share} is not between 0 and 1 (e.g. 0.2)"
        )));
    }
    let n_test = (test_share * n as f64).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(EvalError::BadSplit(format!(
            "a temporal test share of {test_share} of {n} ratings leaves nothing to test \
             or to train on"
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&position| (timestamps[position], position));
    let mut tested = vec![false; n];
    for &position in &order[n - n_test..] {
        tested[position] = true;
    }
    Ok(split_by_flags(&tested))
}

fn split_by_flags(tested: &[bool]) -> Fold {
    let (test, train): (Vec<usize>, Vec<usize>) = (0..tested.len()).partition(|&k| tested[k]);
    Fold { train, test }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(user: u32, item: u32) -> Rating {
        Rating {
            user,
            item,
            value: 3.0,
        }
    }

    #[test]
    fn k_fold_matches_the_reference_split_of_ten_ratings() {
        // numpy RandomState(0).shuffle(arange(10)) = [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].
        // 10 ratings in 3 folds: 10 // 3 = 3 each, and the first 10 % 3 = 1 fold takes
        // one more, so the slices are [0..4], [4..7], [7..10] of the shuffle.
        let folds = k_fold(10, 3, 0).unwrap();
        assert_eq!(folds[0].test, vec![2, 8, 4, 9]);
        assert_eq!(folds[0].train, vec![1, 6, 7, 3, 0, 5]);
        assert_eq!(folds[1].test, vec![1, 6, 7]);
        assert_eq!(folds[1].train, vec![2, 8, 4, 9, 3, 0, 5]);
        assert_eq!(folds[2].test, vec![3, 0, 5]);
        assert_eq!(folds[2].train, vec![2, 8, 4, 9, 1, 6, 7]);
    }

    #[test]
    fn every_rating_is_tested_exactly_once_across_k_folds() {
        let folds = k_fold(103, 5, 7).unwrap();
        let mut tested: Vec<usize> = folds.iter().flat_map(|f| f.test.clone()).collect();
        tested.sort_unstable();
        assert_eq!(tested, (0..103).collect::<Vec<_>>());
        for fold in &folds {
            assert_eq!(fold.train.len() + fold.test.len(), 103);
        }
    }

    #[test]
    fn impossible_fold_counts_are_refused_with_the_numbers() {
        let err = k_fold(3, 5, 0).unwrap_err().to_string();
        assert!(err.contains("5 folds of 3 ratings"), "{err}");
        assert!(k_fold(10, 1, 0).is_err());
    }

    #[test]
    fn holdout_tests_the_first_share_of_the_shuffle() {
        // ⌈0.25 · 10⌉ = 3: the first three of [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].
        let fold = holdout(10, 0.25, 0).unwrap();
        assert_eq!(fold.test, vec![2, 8, 4]);
        assert_eq!(fold.train, vec![9, 1, 6, 7, 3, 0, 5]);
        assert!(holdout(10, 1.5, 0).is_err());
    }

    #[test]
    fn user_holdout_tests_a_share_of_every_user() {
        // user 0: 8 ratings → round(0.25 · 8) = 2 tested; user 1: 3 ratings →
        // round(0.75) = 1; user 2: 1 rating → 0 (it must keep one for training);
        // user 3: 2 ratings → round(0.5) = 1 (half rounds up), at most 2 − 1 = 1.
        let mut ratings = Vec::new();
        for (user, count) in [(0, 8), (1, 3), (2, 1), (3, 2)] {
            for item in 0..count {
                ratings.push(Rating {
                    user,
                    item,
                    value: 3.0,
                });
            }
        }
        let fold = user_holdout(&ratings, 0.25, 0).unwrap();
        let tested_of = |user: u32| {
            fold.test
                .iter()
                .filter(|&&position| ratings[position].user == user)
                .count()
        };
        assert_eq!(
            [tested_of(0), tested_of(1), tested_of(2), tested_of(3)],
            [2, 1, 0, 1]
        );
        assert_eq!(fold.train.len() + fold.test.len(), ratings.len());
        assert_eq!(user_holdout(&ratings, 0.25, 0).unwrap(), fold);
        assert!(user_holdout(&ratings, 1.0, 0).is_err());
    }

    #[test]
    fn leave_last_out_tests_each_users_latest_rating() {
        // user 0 rated at times 5, 9, 2 → position 1 is tested;
        // user 1 rated once → kept for training;
        // user 2 rated at 4 and 4 → the later position (5) is tested.
        let ratings = [
            rating(0, 0),
            rating(0, 1),
            rating(0, 2),
            rating(1, 0),
            rating(2, 0),
            rating(2, 1),
        ];
        let stamps = [5, 9, 2, 1, 4, 4];
        let fold = leave_last_out(&ratings, &stamps);
        assert_eq!(fold.test, vec![1, 5]);
        assert_eq!(fold.train, vec![0, 2, 3, 4]);
    }

    #[test]
    fn temporal_cut_tests_the_most_recent_share() {
        // times by position: [30, 10, 20, 40, 20]; ⌈0.4 · 5⌉ = 2 most recent are
        // positions 3 (40) and 0 (30).
        let fold = temporal_cut(&[30, 10, 20, 40, 20], 0.4).unwrap();
        assert_eq!(fold.test, vec![0, 3]);
        assert_eq!(fold.train, vec![1, 2, 4]);
    }

    #[test]
    fn time_based_splits_without_timestamps_say_so() {
        let ratings = [rating(0, 0), rating(0, 1)];
        let err = SplitSpec::LeaveLastOut
            .folds(&ratings, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs timestamps"), "{err}");
    }
}
