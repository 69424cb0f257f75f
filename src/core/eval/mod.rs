//! Evaluation: splitting known ratings into folds, fitting each algorithm on the
//! training part, and scoring its predictions of the held-out part. Every algorithm
//! compared sees identical folds. Used by `recscope eval` and the explorer alike.

pub mod folds;
pub mod grid;
pub mod metrics;
pub mod shuffle;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use folds::{Fold, SplitSpec};

use super::algorithms::{AlgorithmSpec, FitError, Model, Output};
use super::matrix::{ItemIndex, MatrixError, Rating, RatingMatrix, UserIndex};
use super::params::Params;
use super::progress::Progress;

/// Why an evaluation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("{0}")]
    BadSplit(String),
    #[error("{algorithm} could not be fitted on fold {fold}: {error}")]
    Fit {
        algorithm: String,
        fold: usize,
        error: FitError,
    },
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    #[error("the evaluation was cancelled")]
    Cancelled,
}

/// One algorithm to evaluate, with its parameter values.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub spec: &'static AlgorithmSpec,
    pub params: Params,
}

/// Top-N evaluation settings: each user's held-out items rated at least `threshold`
/// are relevant, and the model's top `k` among the items the user did not rate in
/// training are scored against them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankingOptions {
    pub k: usize,
    pub threshold: f64,
}

/// How to run an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EvalOptions {
    /// Score top-N lists as well as rating accuracy (costs a prediction for every
    /// unrated item of every tested user).
    pub ranking: Option<RankingOptions>,
    /// Evaluate folds in parallel (one training matrix per running fold in memory).
    pub parallel_folds: bool,
}

/// Top-N scores, each the mean over the users with at least one relevant held-out
/// item (coverage over all lists of the fold; novelty over all recommended places;
/// diversity over lists of two or more items).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankingScores {
    pub k: usize,
    pub threshold: f64,
    /// Users scored.
    pub users: usize,
    pub precision: f64,
    pub recall: f64,
    pub ndcg: f64,
    pub map: f64,
    pub mrr: f64,
    pub hit_rate: f64,
    pub coverage: f64,
    pub novelty: f64,
    pub diversity: f64,
}

/// The scores of one algorithm on one fold. For a model whose values are ranking
/// scores ([`Output::Score`]) RMSE and MAE do not apply: they are NaN (`null` in
/// JSON) and FCP is `None`; only the ranking scores mean something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldScores {
    pub fold: usize,
    pub n_train: usize,
    pub n_test: usize,
    /// What the model's values are: ratings, or ranking scores.
    #[serde(default = "rating_output")]
    pub output: Output,
    pub rmse: f64,
    pub mae: f64,
    /// `None` when no user has two held-out ratings that differ.
    pub fcp: Option<f64>,
    /// Seconds spent fitting.
    pub fit_s: f64,
    /// Seconds spent predicting the held-out ratings (top-N lists excluded).
    pub predict_s: f64,
    pub ranking: Option<RankingScores>,
}

/// The scores of one algorithm over all folds: means, spreads (population standard
/// deviation over folds, as the reference library reports it) and the folds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmResult {
    pub algo: String,
    pub params: Params,
    pub split: String,
    /// What the model's values are; RMSE, MAE and FCP are not applicable (NaN,
    /// `None`) for ranking scores.
    #[serde(default = "rating_output")]
    pub output: Output,
    pub rmse: f64,
    pub rmse_std: f64,
    pub mae: f64,
    pub mae_std: f64,
    pub fcp: Option<f64>,
    /// Seconds spent fitting, summed over folds.
    pub fit_s: f64,
    /// Seconds spent predicting held-out ratings, summed over folds.
    pub predict_s: f64,
    pub ranking: Option<RankingScores>,
    pub folds: Vec<FoldScores>,
}

/// Evaluates every candidate on the same `folds` of `ratings` (the full dataset's
/// ratings, which `matrix` holds; positions in the folds index this slice).
///
/// Progress counts finished (fold, algorithm) fits; cancellation is honoured between
/// fits and inside them. Results come back in the candidates' order.
pub fn cross_validate(
    matrix: &RatingMatrix,
    ratings: &[Rating],
    folds: &[Fold],
    candidates: &[Candidate],
    options: &EvalOptions,
    progress: &Progress,
) -> Result<Vec<AlgorithmResult>, EvalError> {
    let total = (folds.len() * candidates.len()).max(1);
    let finished = AtomicUsize::new(0);
    let run_fold = |(index, fold): (usize, &Fold)| {
        evaluate_fold(
            matrix, ratings, index, fold, candidates, options, progress, &finished, total,
        )
    };
    let per_fold: Vec<Vec<FoldScores>> = if options.parallel_folds {
        folds
            .par_iter()
            .enumerate()
            .map(run_fold)
            .collect::<Result<_, _>>()?
    } else {
        folds
            .iter()
            .enumerate()
            .map(run_fold)
            .collect::<Result<_, _>>()?
    };
    progress.report(1.0, "evaluation done");

    let split = describe_folds(folds);
    Ok(candidates
        .iter()
        .enumerate()
        .map(|(position, candidate)| {
            let scores: Vec<FoldScores> = per_fold
                .iter()
                .map(|fold_scores| fold_scores[position].clone())
                .collect();
            summarise(candidate, &split, scores)
        })
        .collect())
}

fn describe_folds(folds: &[Fold]) -> String {
    match folds {
        [single] => format!(
            "one split: {} training, {} test ratings",
            single.train.len(),
            single.test.len()
        ),
        _ => format!("{} folds", folds.len()),
    }
}

#[allow(clippy::too_many_arguments)]
fn evaluate_fold(
    matrix: &RatingMatrix,
    ratings: &[Rating],
    index: usize,
    fold: &Fold,
    candidates: &[Candidate],
    options: &EvalOptions,
    progress: &Progress,
    finished: &AtomicUsize,
    total: usize,
) -> Result<Vec<FoldScores>, EvalError> {
    progress.check().map_err(|_| EvalError::Cancelled)?;
    let train: Vec<Rating> = fold.train.iter().map(|&k| ratings[k]).collect();
    let test: Vec<Rating> = fold.test.iter().map(|&k| ratings[k]).collect();
    let training = Arc::new(matrix.with_ratings(&train)?);
    drop(train);

    let mut scores = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        progress.check().map_err(|_| EvalError::Cancelled)?;
        let done = finished.load(Ordering::Relaxed) as f64;
        let stage = format!("{} on fold {}", candidate.spec.name, index + 1);
        progress.report(done / total as f64, &stage);
        let slot = progress.span(done / total as f64, (done + 1.0) / total as f64);

        let started = Instant::now();
        let model = candidate
            .spec
            .fit_model(training.clone(), &candidate.params, &slot)
            .map_err(|error| match error {
                FitError::Cancelled => EvalError::Cancelled,
                error => EvalError::Fit {
                    algorithm: candidate.spec.name.to_string(),
                    fold: index + 1,
                    error,
                },
            })?;
        let fit_s = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let predictions: Vec<(UserIndex, f64, f64)> = test
            .iter()
            .map(|r| (r.user, r.value, model.predict_value(r.user, r.item)))
            .collect();
        let predict_s = started.elapsed().as_secs_f64();

        let output = model.output();
        let rates = output == Output::Rating;
        let pairs: Vec<(f64, f64)> = predictions.iter().map(|p| (p.1, p.2)).collect();
        let ranking = match options.ranking {
            Some(settings) => {
                progress.check().map_err(|_| EvalError::Cancelled)?;
                Some(rank_fold(model.as_ref(), &test, settings))
            }
            None => None,
        };
        scores.push(FoldScores {
            fold: index + 1,
            n_train: fold.train.len(),
            n_test: fold.test.len(),
            output,
            rmse: metrics::rmse(&pairs).filter(|_| rates).unwrap_or(f64::NAN),
            mae: metrics::mae(&pairs).filter(|_| rates).unwrap_or(f64::NAN),
            fcp: metrics::fcp(&predictions).filter(|_| rates),
            fit_s,
            predict_s,
            ranking,
        });
        finished.fetch_add(1, Ordering::Relaxed);
    }
    Ok(scores)
}

/// Scores the top-k lists of every user with a relevant held-out item.
fn rank_fold(model: &dyn Model, test: &[Rating], settings: RankingOptions) -> RankingScores {
    let mut relevant: HashMap<UserIndex, HashSet<ItemIndex>> = HashMap::new();
    for rating in test.iter().filter(|r| r.value >= settings.threshold) {
        relevant.entry(rating.user).or_default().insert(rating.item);
    }
    let mut users: Vec<UserIndex> = relevant.keys().copied().collect();
    users.sort_unstable();

    let lists: Vec<Vec<ItemIndex>> = users
        .par_iter()
        .map(|&user| {
            model
                .recommend(user, settings.k)
                .into_iter()
                .map(|(item, _)| item)
                .collect()
        })
        .collect();

    let k = settings.k;
    let mut sums = [0.0f64; 6];
    for (user, list) in users.iter().zip(&lists) {
        let wanted = &relevant[user];
        sums[0] += metrics::precision_at_k(list, wanted, k);
        sums[1] += metrics::recall_at_k(list, wanted, k).unwrap_or(0.0);
        sums[2] += metrics::ndcg_at_k(list, wanted, k).unwrap_or(0.0);
        sums[3] += metrics::average_precision_at_k(list, wanted, k).unwrap_or(0.0);
        sums[4] += metrics::reciprocal_rank(list, wanted, k);
        sums[5] += metrics::hit_at_k(list, wanted, k);
    }
    let n_users = users.len().max(1) as f64;

    let training = model.matrix();
    let known_users = (0..training.n_users() as UserIndex)
        .filter(|&u| training.knows_user(u))
        .count()
        .max(1) as f64;
    let popularity = |item: ItemIndex| training.item_count(item) as f64 / known_users;
    let diversities: Vec<f64> = lists
        .iter()
        .filter_map(|list| metrics::intra_list_diversity(list, |a, b| item_cosine(training, a, b)))
        .collect();

    RankingScores {
        k,
        threshold: settings.threshold,
        users: users.len(),
        precision: sums[0] / n_users,
        recall: sums[1] / n_users,
        ndcg: sums[2] / n_users,
        map: sums[3] / n_users,
        mrr: sums[4] / n_users,
        hit_rate: sums[5] / n_users,
        coverage: metrics::catalogue_coverage(&lists, training.n_items()),
        novelty: metrics::novelty(&lists, popularity).unwrap_or(0.0),
        diversity: mean(&diversities).unwrap_or(0.0),
    }
}

/// Cosine between two items' rating columns (users who rated only one count as 0).
fn item_cosine(matrix: &RatingMatrix, a: ItemIndex, b: ItemIndex) -> f64 {
    let (users_a, values_a) = matrix.item_ratings(a);
    let (users_b, values_b) = matrix.item_ratings(b);
    let column_a: HashMap<UserIndex, f64> = users_a
        .iter()
        .copied()
        .zip(values_a.iter().copied())
        .collect();
    let dot: f64 = users_b
        .iter()
        .zip(values_b)
        .filter_map(|(user, value)| column_a.get(user).map(|other| other * value))
        .sum();
    let norm_a: f64 = values_a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let norm_b: f64 = values_b.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm_a == 0.0 || norm_b == 0.0 {
        0.0
    } else {
        dot / (norm_a * norm_b)
    }
}

fn summarise(candidate: &Candidate, split: &str, folds: Vec<FoldScores>) -> AlgorithmResult {
    let rmses: Vec<f64> = folds.iter().map(|f| f.rmse).collect();
    let maes: Vec<f64> = folds.iter().map(|f| f.mae).collect();
    let fcps: Vec<f64> = folds.iter().filter_map(|f| f.fcp).collect();
    let rankings: Vec<RankingScores> = folds.iter().filter_map(|f| f.ranking).collect();
    AlgorithmResult {
        algo: candidate.spec.name.to_string(),
        params: candidate.params.clone(),
        split: split.to_string(),
        output: folds.first().map_or(Output::Rating, |f| f.output),
        rmse: mean(&rmses).unwrap_or(f64::NAN),
        rmse_std: population_std(&rmses),
        mae: mean(&maes).unwrap_or(f64::NAN),
        mae_std: population_std(&maes),
        fcp: mean(&fcps),
        fit_s: folds.iter().map(|f| f.fit_s).sum(),
        predict_s: folds.iter().map(|f| f.predict_s).sum(),
        ranking: mean_ranking(&rankings),
        folds,
    }
}

fn rating_output() -> Output {
    Output::Rating
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// `√( (1/n) Σ (x − x̄)² )`; 0 for fewer than two values.
fn population_std(values: &[f64]) -> f64 {
    match mean(values) {
        Some(centre) if values.len() > 1 => {
            (values.iter().map(|v| (v - centre).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
        }
        _ => 0.0,
    }
}

fn mean_ranking(folds: &[RankingScores]) -> Option<RankingScores> {
    let first = folds.first()?;
    let average = |field: fn(&RankingScores) -> f64| {
        folds.iter().map(field).sum::<f64>() / folds.len() as f64
    };
    Some(RankingScores {
        k: first.k,
        threshold: first.threshold,
        users: folds.iter().map(|f| f.users).sum::<usize>() / folds.len(),
        precision: average(|f| f.precision),
        recall: average(|f| f.recall),
        ndcg: average(|f| f.ndcg),
        map: average(|f| f.map),
        mrr: average(|f| f.mrr),
        hit_rate: average(|f| f.hit_rate),
        coverage: average(|f| f.coverage),
        novelty: average(|f| f.novelty),
        diversity: average(|f| f.diversity),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms;
    use crate::core::matrix::RatingScale;

    fn rating(user: u32, item: u32, value: f64) -> Rating {
        Rating { user, item, value }
    }

    /// Four ratings; two folds of the identity order make every step checkable.
    fn fixture() -> (RatingMatrix, Vec<Rating>) {
        let ratings = vec![
            rating(0, 0, 5.0),
            rating(0, 1, 3.0),
            rating(1, 0, 4.0),
            rating(1, 1, 2.0),
        ];
        let scale = RatingScale { min: 1.0, max: 5.0 };
        (RatingMatrix::new(2, 2, &ratings, scale).unwrap(), ratings)
    }

    #[test]
    fn global_mean_cross_validation_by_hand() {
        let (matrix, ratings) = fixture();
        let folds = vec![
            Fold {
                train: vec![2, 3],
                test: vec![0, 1],
            },
            Fold {
                train: vec![0, 1],
                test: vec![2, 3],
            },
        ];
        let spec = algorithms::find("global_mean").unwrap();
        let candidates = [Candidate {
            spec,
            params: spec.default_params(),
        }];
        let results = cross_validate(
            &matrix,
            &ratings,
            &folds,
            &candidates,
            &EvalOptions::default(),
            &Progress::none(),
        )
        .unwrap();
        let result = &results[0];

        // fold 1: μ = (4 + 2) / 2 = 3; errors 5−3 = 2, 3−3 = 0
        //   RMSE = √((4 + 0) / 2) = √2, MAE = (2 + 0) / 2 = 1
        // fold 2: μ = (5 + 3) / 2 = 4; errors 4−4 = 0, 2−4 = −2
        //   RMSE = √2, MAE = 1
        // FCP: every prediction of a fold is equal, so no pair is ranked and the
        //   FCP is undefined (not the 0 that counting ties as discordant gives)
        let root_two = 2f64.sqrt();
        assert!((result.folds[0].rmse - root_two).abs() < 1e-12);
        assert!((result.folds[1].mae - 1.0).abs() < 1e-12);
        assert!((result.rmse - root_two).abs() < 1e-12);
        assert!(result.rmse_std.abs() < 1e-12);
        assert_eq!(result.fcp, None);
        assert_eq!(result.algo, "global_mean");
    }

    #[test]
    fn parallel_and_sequential_folds_agree() {
        let (matrix, ratings) = fixture();
        let folds = folds::k_fold(4, 2, 3).unwrap();
        let spec = algorithms::find("global_mean").unwrap();
        let candidates = [Candidate {
            spec,
            params: spec.default_params(),
        }];
        let mut options = EvalOptions {
            ranking: Some(RankingOptions {
                k: 1,
                threshold: 3.5,
            }),
            parallel_folds: false,
        };
        let sequential = cross_validate(
            &matrix,
            &ratings,
            &folds,
            &candidates,
            &options,
            &Progress::none(),
        )
        .unwrap();
        options.parallel_folds = true;
        let parallel = cross_validate(
            &matrix,
            &ratings,
            &folds,
            &candidates,
            &options,
            &Progress::none(),
        )
        .unwrap();
        assert_eq!(sequential[0].rmse, parallel[0].rmse);
        assert_eq!(sequential[0].ranking, parallel[0].ranking);
    }

    #[test]
    fn cancelled_evaluation_stops() {
        let (matrix, ratings) = fixture();
        let folds = folds::k_fold(4, 2, 0).unwrap();
        let spec = algorithms::find("global_mean").unwrap();
        let candidates = [Candidate {
            spec,
            params: spec.default_params(),
        }];
        let cancel = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let progress = Progress::new(cancel, |_, _| {});
        let outcome = cross_validate(
            &matrix,
            &ratings,
            &folds,
            &candidates,
            &EvalOptions::default(),
            &progress,
        );
        assert_eq!(outcome, Err(EvalError::Cancelled));
    }

    #[test]
    fn item_cosine_by_hand() {
        // item 0 column (5, 4), item 1 column (3, 2): dot = 15 + 8 = 23,
        // norms √41 and √13 → 23 / √533 = 0.996241
        let (matrix, _) = fixture();
        let expected = 23.0 / 533f64.sqrt();
        assert!((item_cosine(&matrix, 0, 1) - expected).abs() < 1e-12);
    }
}
