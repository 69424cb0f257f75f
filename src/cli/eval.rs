//! `recscope eval`: cross-validates algorithms on identical folds and prints accuracy
//! (RMSE, MAE, FCP), optional top-N quality, and fit and predict times, as a table,
//! JSON or CSV.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{DataArgs, find_algorithm, load_dataset, parse_params, split_setting, usage};
use crate::core::algorithms::{AlgorithmSpec, Family, Output, REGISTRY};
use crate::core::eval::grid::{self, Axis};
use crate::core::eval::{
    AlgorithmResult, Candidate, EvalError, EvalOptions, RankingOptions, SplitSpec, cross_validate,
};
use crate::core::matrix::RatingScale;
use crate::data::leaderboard_table;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Ratings file.
    pub path: PathBuf,
    /// Algorithms to compare, comma-separated, or `all`.
    #[arg(
        long,
        value_name = "NAME,NAME",
        value_delimiter = ',',
        default_value = "all"
    )]
    pub algos: Vec<String>,
    /// How to split the ratings into training and test sets.
    #[arg(long, value_enum, default_value_t = SplitKind::Kfold)]
    pub split: SplitKind,
    /// Number of folds for k-fold.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,
    /// Share of ratings tested by a hold-out or temporal split.
    #[arg(long, default_value_t = 0.2, value_name = "SHARE")]
    pub test_share: f64,
    /// Seed of the shuffle (0 splits as the reference library does with random_state=0).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u32,
    /// Parameter KEY=VALUE, applied to every chosen algorithm that has KEY; repeat.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Also score top-N lists of this length (precision, recall, NDCG, MAP, MRR, hit
    /// rate, coverage, novelty, diversity).
    #[arg(long, value_name = "N")]
    pub top_k: Option<usize>,
    /// Held-out ratings at or above this count as relevant for top-N scores
    /// (default: 3.5 on a 1–5 scale; in general min + 0.625 × (max − min)).
    #[arg(long, value_name = "RATING")]
    pub relevant: Option<f64>,
    /// Grid search: try each of these values of KEY (one algorithm only); repeat for
    /// more parameters; every combination is evaluated on the same folds.
    #[arg(long, value_name = "KEY=V1,V2,...")]
    pub grid: Vec<String>,
    /// Evaluate one fold at a time (less memory).
    #[arg(long)]
    pub sequential: bool,
    /// Print JSON: a list of objects, one per algorithm.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV: a header and one row per algorithm.
    #[arg(long)]
    pub csv: bool,
    /// Also write the leaderboard to FILE (.csv, .parquet or .json).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitKind {
    /// K folds over a seeded shuffle; every rating tested once.
    Kfold,
    /// One random hold-out of --test-share.
    Holdout,
    /// --test-share of each user's ratings held out at random (for implicit
    /// feedback: every held-out interaction with weight > 0 is relevant, top-10 lists
    /// scored unless --top-k says otherwise).
    UserHoldout,
    /// Each user's latest rating tested (needs timestamps).
    LeaveLastOut,
    /// The latest --test-share of all ratings tested (needs timestamps).
    Temporal,
}

/// Above this many ratings, folds run one at a time unless memory is known to allow.
const PARALLEL_RATINGS_LIMIT: usize = 5_000_000;

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let specs = chosen_algorithms(&args.algos)?;
    let axes = grid_axes(&args.grid)?;
    let candidates = if axes.is_empty() {
        with_params(&specs, &args.params)?
    } else {
        grid_candidates(&specs, &args.params, &axes)?
    };
    let split = split_spec(args)?;
    if let Some(out) = &args.out {
        super::export_format(out)?;
    }
    let dataset = load_dataset(&args.path, &args.data)?;
    let candidates = without_unfittable(candidates, &args.algos, &dataset);

    let folds = split
        .folds(&dataset.ratings, dataset.timestamps.as_deref())
        .map_err(|e| usage(e.to_string()))?;
    let ranking = ranking_options(args, dataset.matrix.scale())?;
    let options = EvalOptions {
        ranking,
        parallel_folds: !args.sequential && dataset.ratings.len() <= PARALLEL_RATINGS_LIMIT,
    };
    eprintln!(
        "eval: {} algorithm(s), {} on {} ratings",
        candidates.len(),
        split.describe(),
        dataset.ratings.len()
    );
    if ranking.is_none() {
        warn_of_unscored_rankings(&candidates);
    }
    let progress = super::progress::on_stderr("eval");
    let mut candidates = candidates;
    // One algorithm that cannot be fitted on these folds (a diverging SGD, BPR on all
    // zero weights) is left out, saying why, and the others are reported; in a grid
    // the settings share one name, so a failure there ends the run.
    let results = loop {
        let run = cross_validate(
            &dataset.matrix,
            &dataset.ratings,
            &folds,
            &candidates,
            &options,
            &progress,
        );
        match run {
            Err(EvalError::Fit {
                algorithm, error, ..
            }) if axes.is_empty() && candidates.len() > 1 => {
                eprintln!("eval: {algorithm} left out: it could not be fitted ({error})");
                candidates.retain(|candidate| candidate.spec.name != algorithm);
            }
            other => break other?,
        }
    };

    let labels: Vec<String> = results.iter().map(|r| label(r, &axes)).collect();
    let best = grid::best_by_rmse(&results).filter(|_| !axes.is_empty());
    if let Some(out) = &args.out {
        super::write_export(out, &leaderboard_table(&results, &labels), &dataset)?;
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        match best {
            Some(best) => super::write_json(
                &mut stdout,
                &serde_json::json!({ "algo": best.algo, "best": best, "grid": results }),
            )?,
            None => super::write_json(&mut stdout, &results)?,
        }
    } else if args.csv {
        write!(stdout, "{}", to_csv(&results, &labels))?;
    } else {
        write!(stdout, "{}", to_table(&results, &labels))?;
        if let Some(best) = best {
            writeln!(
                stdout,
                "\nbest by RMSE: {} (RMSE {:.4}, MAE {:.4})",
                label(best, &axes),
                best.rmse,
                best.mae
            )?;
        }
    }
    Ok(())
}

/// Says on stderr when ranking models are evaluated without top-N lists: they have
/// no rating error, so nothing would be reported for them.
fn warn_of_unscored_rankings(candidates: &[Candidate]) {
    let mut ranking: Vec<&str> = candidates
        .iter()
        .filter(|candidate| candidate.spec.family == Family::Implicit)
        .map(|candidate| candidate.spec.name)
        .collect();
    ranking.dedup();
    let (verbs, they, their) = match ranking.len() {
        0 => return,
        1 => ("ranks items rather than rates them", "it has", "its"),
        _ => ("rank items rather than rate them", "they have", "their"),
    };
    eprintln!(
        "eval: {} {verbs}, so {they} no RMSE or MAE: add --top-k 10 for {their} ranking \
         figures (the usual protocol, --split user-holdout --test-share 0.25, scores \
         top-10 lists by itself)",
        ranking.join(" and ")
    );
}

/// Top-N settings: as asked, or for a per-user hold-out top-10 lists where every
/// held-out interaction with a positive weight is relevant.
fn ranking_options(args: &EvalArgs, scale: RatingScale) -> anyhow::Result<Option<RankingOptions>> {
    let per_user = args.split == SplitKind::UserHoldout;
    let k = match args.top_k {
        Some(0) => return Err(usage("--top-k 0 scores empty lists; give 1 or more")),
        Some(k) => k,
        None if per_user => 10,
        None => return Ok(None),
    };
    let threshold = match args.relevant {
        Some(threshold) if !threshold.is_finite() => {
            return Err(usage(format!(
                "--relevant {threshold} is not a number a rating can reach; give a value \
                 on the rating scale ({} to {})",
                scale.min, scale.max
            )));
        }
        Some(threshold) => threshold,
        None if per_user => scale.min.max(f64::MIN_POSITIVE),
        None => scale.min + 0.625 * (scale.max - scale.min),
    };
    Ok(Some(RankingOptions { k, threshold }))
}

/// `--grid k=10,20,40` → the axis `k` with three values.
fn grid_axes(texts: &[String]) -> anyhow::Result<Vec<Axis>> {
    let axes: Vec<Axis> = texts
        .iter()
        .map(|text| {
            let (name, values) = split_setting(text)?;
            let values: Vec<String> = values
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(usage(format!(
                    "--grid '{text}' gives no values; write e.g. --grid k=10,20,40"
                )));
            }
            if let Some(twice) = (1..values.len()).find(|&i| values[..i].contains(&values[i])) {
                return Err(usage(format!(
                    "--grid '{text}' gives {} twice; give each value once",
                    values[twice]
                )));
            }
            Ok(Axis {
                name: name.to_string(),
                values,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    if let Some(twice) = (1..axes.len()).find(|&i| axes[..i].iter().any(|a| a.name == axes[i].name))
    {
        return Err(usage(format!(
            "--grid names {} twice; give its values in one --grid {}=V1,V2,...",
            axes[twice].name, axes[twice].name
        )));
    }
    let combinations = grid::size(&axes);
    if combinations > grid::MAX_COMBINATIONS {
        return Err(usage(format!(
            "the grid has {combinations} combinations, more than {}; give fewer values",
            grid::MAX_COMBINATIONS
        )));
    }
    Ok(axes)
}

/// Every combination of the grid for the one chosen algorithm, with `--param`
/// settings underneath.
fn grid_candidates(
    specs: &[&'static AlgorithmSpec],
    settings: &[String],
    axes: &[Axis],
) -> anyhow::Result<Vec<Candidate>> {
    let [spec] = specs else {
        return Err(usage(format!(
            "--grid searches one algorithm's parameters, and --algos names {}; name one",
            specs.len()
        )));
    };
    if let Some(axis) = axes.iter().find(|axis| {
        settings
            .iter()
            .any(|setting| split_setting(setting).is_ok_and(|(key, _)| key == axis.name))
    }) {
        return Err(usage(format!(
            "{} is both searched by --grid and set by --param; drop one of them",
            axis.name
        )));
    }
    grid::combinations(spec, settings, axes)
        .map_err(|e| usage(format!("{}: {e} (see recscope algorithms)", spec.name)))
}

/// The algorithm's name, followed in a grid search by the values searched.
fn label(result: &AlgorithmResult, axes: &[Axis]) -> String {
    let mut text = result.algo.clone();
    for axis in axes {
        if let Some(value) = result.params.get(&axis.name) {
            text.push_str(&format!(" {}={value}", axis.name));
        }
    }
    text
}

fn split_spec(args: &EvalArgs) -> anyhow::Result<SplitSpec> {
    let share_ok = args.test_share > 0.0 && args.test_share < 1.0;
    if !share_ok
        && matches!(
            args.split,
            SplitKind::Holdout | SplitKind::UserHoldout | SplitKind::Temporal
        )
    {
        return Err(usage(format!(
            "--test-share {} is not between 0 and 1 (e.g. 0.2 tests 20% of the ratings)",
            args.test_share
        )));
    }
    Ok(match args.split {
        SplitKind::Kfold => {
            if args.folds < 2 {
                return Err(usage(format!(
                    "--folds {} is too few: k-fold needs at least 2 folds",
                    args.folds
                )));
            }
            SplitSpec::KFold {
                k: args.folds,
                seed: args.seed,
            }
        }
        SplitKind::Holdout => SplitSpec::Holdout {
            test_share: args.test_share,
            seed: args.seed,
        },
        SplitKind::UserHoldout => SplitSpec::UserHoldout {
            test_share: args.test_share,
            seed: args.seed,
        },
        SplitKind::LeaveLastOut => SplitSpec::LeaveLastOut,
        SplitKind::Temporal => SplitSpec::TemporalCut {
            test_share: args.test_share,
        },
    })
}

/// With `--algos all` on data without item genres or tags, the models that need them
/// are left out (said on stderr) instead of failing the whole comparison.
fn without_unfittable(
    candidates: Vec<Candidate>,
    names: &[String],
    dataset: &crate::data::Dataset,
) -> Vec<Candidate> {
    let all = names.len() == 1 && names[0].trim() == "all";
    if !all || dataset.matrix.item_features().is_some() {
        return candidates;
    }
    let needs = crate::core::algorithms::content::NEEDS_ITEM_FEATURES;
    eprintln!(
        "eval: {} left out: the data has no item genres or tags (give --items FILE)",
        needs.join(" and ")
    );
    (candidates.into_iter())
        .filter(|candidate| !needs.contains(&candidate.spec.name))
        .collect()
}

/// The algorithms named, in the order given; `all` for the whole registry.
pub fn chosen_algorithms(names: &[String]) -> anyhow::Result<Vec<&'static AlgorithmSpec>> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(usage(
            "--algos names no algorithm; give e.g. --algos baseline,svd or --algos all",
        ));
    }
    if names == ["all"] {
        return Ok(REGISTRY.iter().collect());
    }
    let mut specs = Vec::new();
    for name in names {
        let spec = find_algorithm(name)?;
        if specs.iter().any(|s: &&AlgorithmSpec| s.name == spec.name) {
            return Err(usage(format!(
                "--algos names {} more than once; list each algorithm once (to compare \
                 settings of one algorithm, use --grid)",
                spec.name
            )));
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// Each algorithm with the settings among `settings` whose key it has; a setting no
/// chosen algorithm has is a usage error.
pub fn with_params(
    specs: &[&'static AlgorithmSpec],
    settings: &[String],
) -> anyhow::Result<Vec<Candidate>> {
    let mut parsed = Vec::with_capacity(settings.len());
    for setting in settings {
        let (key, _) = split_setting(setting)?;
        if !specs.iter().any(|s| s.params.iter().any(|p| p.name == key)) {
            let chosen: Vec<&str> = specs.iter().map(|s| s.name).collect();
            return Err(usage(format!(
                "--param '{setting}': none of the chosen algorithms ({}) has a parameter \
                 '{key}' (see recscope algorithms)",
                chosen.join(", ")
            )));
        }
        parsed.push((key.to_string(), setting.clone()));
    }
    specs
        .iter()
        .map(|&spec| {
            let own: Vec<String> = parsed
                .iter()
                .filter(|(key, _)| spec.params.iter().any(|p| p.name == key))
                .map(|(_, setting)| setting.clone())
                .collect();
            let params =
                parse_params(spec, &own).map_err(|e| usage(format!("{}: {e}", spec.name)))?;
            Ok(Candidate { spec, params })
        })
        .collect()
}

fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"))
}

/// Written where RMSE, MAE or FCP would be for a model that ranks rather than rates.
const NOT_APPLICABLE: &str = "n/a (ranks)";

/// `mean ± std`, or [`NOT_APPLICABLE`] for a ranking model.
fn accuracy(result: &AlgorithmResult, mean: f64, std: f64) -> String {
    match result.output {
        Output::Rating => format!("{mean:.4} ± {std:.4}"),
        Output::Score => NOT_APPLICABLE.to_string(),
    }
}

/// The leaderboard as an aligned text table, in the order evaluated.
pub fn to_table(results: &[AlgorithmResult], labels: &[String]) -> String {
    let width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4)
        .max(9);
    let mut out = format!(
        "{:<width$}  {:>16}  {:>16}  {:>6}  {:>8}  {:>9}\n",
        "algorithm", "RMSE (± std)", "MAE (± std)", "FCP", "fit s", "predict s"
    );
    for (result, label) in results.iter().zip(labels) {
        out.push_str(&format!(
            "{:<width$}  {:>16}  {:>16}  {:>6}  {:>8.3}  {:>9.3}\n",
            label,
            accuracy(result, result.rmse, result.rmse_std),
            accuracy(result, result.mae, result.mae_std),
            match result.output {
                Output::Rating => optional(result.fcp),
                Output::Score => "n/a".to_string(),
            },
            result.fit_s,
            result.predict_s
        ));
    }
    if results.iter().any(|r| r.ranking.is_some()) {
        let k = results
            .iter()
            .find_map(|r| r.ranking.map(|s| s.k))
            .unwrap_or(0);
        out.push_str(&format!(
            "\ntop-{k} lists\n{:<width$}  {:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>8}  {:>7}  {:>9}\n",
            "algorithm", "P@k", "R@k", "NDCG@k", "MAP@k", "MRR", "hit", "coverage", "novelty", "diversity"
        ));
        for (result, label) in results.iter().zip(labels) {
            if let Some(s) = result.ranking {
                out.push_str(&format!(
                    "{:<width$}  {:>7.4}  {:>7.4}  {:>7.4}  {:>7.4}  {:>7.4}  {:>7.4}  {:>8.4}  {:>7.3}  {:>9.4}\n",
                    label,
                    s.precision,
                    s.recall,
                    s.ndcg,
                    s.map,
                    s.mrr,
                    s.hit_rate,
                    s.coverage,
                    s.novelty,
                    s.diversity
                ));
            }
        }
    }
    out
}

/// The leaderboard as CSV with a header.
pub fn to_csv(results: &[AlgorithmResult], labels: &[String]) -> String {
    let mut out = String::from("algo,rmse,rmse_std,mae,mae_std,fcp,fit_s,predict_s");
    let ranked = results.iter().any(|r| r.ranking.is_some());
    if ranked {
        out.push_str(",k,precision,recall,ndcg,map,mrr,hit_rate,coverage,novelty,diversity");
    }
    out.push('\n');
    // A ranking model's accuracy columns are left empty, as a missing FCP is.
    let cell = |r: &AlgorithmResult, value: f64| match r.output {
        Output::Rating => format!("{value:.6}"),
        Output::Score => String::new(),
    };
    for (r, label) in results.iter().zip(labels) {
        out.push_str(&format!(
            "{},{},{},{},{},{},{:.6},{:.6}",
            label,
            cell(r, r.rmse),
            cell(r, r.rmse_std),
            cell(r, r.mae),
            cell(r, r.mae_std),
            r.fcp.map_or(String::new(), |f| format!("{f:.6}")),
            r.fit_s,
            r.predict_s
        ));
        if ranked {
            match r.ranking {
                Some(s) => out.push_str(&format!(
                    ",{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
                    s.k,
                    s.precision,
                    s.recall,
                    s.ndcg,
                    s.map,
                    s.mrr,
                    s.hit_rate,
                    s.coverage,
                    s.novelty,
                    s.diversity
                )),
                None => out.push_str(",,,,,,,,,,"),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::UsageError;
    use crate::cli::fixtures;
    use crate::core::eval::folds::k_fold;
    use crate::core::progress::Progress;

    #[test]
    fn unknown_algorithm_in_the_list_is_a_usage_error() {
        let err = chosen_algorithms(&["global_mean".into(), "nope".into()]).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert!(err.to_string().contains("'nope'"));
    }

    #[test]
    fn a_parameter_no_chosen_algorithm_has_is_refused() {
        let specs = chosen_algorithms(&["global_mean".into()]).unwrap();
        let err = with_params(&specs, &["k=5".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'k=5'") && err.contains("global_mean"),
            "{err}"
        );
        let err = with_params(&specs, &["k5".into()]).unwrap_err().to_string();
        assert!(err.contains("KEY=VALUE"), "{err}");
    }

    #[test]
    fn a_grid_needs_exactly_one_algorithm_and_values() {
        let axes = grid_axes(&["k=10,20".into()]).unwrap();
        assert_eq!(axes[0].values, vec!["10", "20"]);
        let specs = chosen_algorithms(&["all".into()]).unwrap();
        if specs.len() > 1 {
            let err = grid_candidates(&specs, &[], &axes).unwrap_err().to_string();
            assert!(err.contains("name one"), "{err}");
        }
        let err = grid_axes(&["k=".into()]).unwrap_err().to_string();
        assert!(err.contains("'k='"), "{err}");
        // 11 × 11 × 11 = 1331 combinations
        let eleven: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|name| format!("{name}=1,2,3,4,5,6,7,8,9,10,11"))
            .collect();
        let err = grid_axes(&eleven).unwrap_err().to_string();
        assert!(err.contains("1331 combinations"), "{err}");
    }

    #[test]
    fn a_grid_refuses_repeats_and_a_parameter_it_also_sets() {
        let err = grid_axes(&["k=1".into(), "k=2".into()]).unwrap_err();
        assert!(err.to_string().contains("names k twice"), "{err}");
        let err = grid_axes(&["k=1,1".into()]).unwrap_err();
        assert!(err.to_string().contains("gives 1 twice"), "{err}");

        let axes = grid_axes(&["k=1,2".into()]).unwrap();
        let specs = chosen_algorithms(&["knn_means".into()]).unwrap();
        let err = grid_candidates(&specs, &["k=5".into()], &axes).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert!(err.to_string().contains("k is both searched"), "{err}");
    }

    #[test]
    fn csv_and_table_carry_the_figures() {
        let dataset = fixtures::tiny();
        let specs = chosen_algorithms(&["global_mean".into()]).unwrap();
        let candidates = with_params(&specs, &[]).unwrap();
        let folds = k_fold(dataset.ratings.len(), 7, 0).unwrap();
        let results = cross_validate(
            &dataset.matrix,
            &dataset.ratings,
            &folds,
            &candidates,
            &EvalOptions::default(),
            &Progress::none(),
        )
        .unwrap();
        // Leave-one-out with the global mean: the held-out rating r is predicted by
        // (28 − r) / 6. Errors r − (28 − r)/6 = (7r − 28)/6 for r = 5,4,3,4,2,5,5:
        // 7/6, 0, −7/6, 0, −14/6, 7/6, 7/6 → MAE = (7·4 + 14)/6/7 = 42/42 = 1.
        assert!((results[0].mae - 1.0).abs() < 1e-12);
        let labels = vec!["global_mean".to_string()];
        let csv = to_csv(&results, &labels);
        assert!(csv.starts_with("algo,rmse,rmse_std,mae,mae_std,fcp,fit_s,predict_s\n"));
        assert!(csv.contains("global_mean,"), "{csv}");
        let table = to_table(&results, &labels);
        assert!(table.contains("1.0000 ±"), "{table}");
    }
}
