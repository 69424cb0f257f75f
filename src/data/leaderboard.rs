//! The evaluation leaderboard as an export table, one row an algorithm: what
//! `recscope eval --out` writes and what the explorer's evaluate screen exports.

use crate::core::eval::{AlgorithmResult, RankingScores};

use super::export::{ColumnValues, ExportTable};

/// The leaderboard as a table for `--out`: the columns of `--csv`; a figure that does
/// not exist (FCP with no comparable pair) is NaN in CSV and parquet, null in JSON.
pub fn leaderboard_table(results: &[AlgorithmResult], labels: &[String]) -> ExportTable {
    let column = |figure: &dyn Fn(&AlgorithmResult) -> f64| {
        ColumnValues::Float(results.iter().map(figure).collect())
    };
    let mut table = ExportTable::default()
        .with("algo", ColumnValues::Text(labels.to_vec()))
        .with("rmse", column(&|r| r.rmse))
        .with("rmse_std", column(&|r| r.rmse_std))
        .with("mae", column(&|r| r.mae))
        .with("mae_std", column(&|r| r.mae_std))
        .with("fcp", column(&|r| r.fcp.unwrap_or(f64::NAN)))
        .with("fit_s", column(&|r| r.fit_s))
        .with("predict_s", column(&|r| r.predict_s));
    if results.iter().any(|r| r.ranking.is_some()) {
        let ranked = |score: fn(&RankingScores) -> f64| {
            column(&move |r: &AlgorithmResult| r.ranking.as_ref().map_or(f64::NAN, score))
        };
        table = table
            .with("k", ranked(|s| s.k as f64))
            .with("precision", ranked(|s| s.precision))
            .with("recall", ranked(|s| s.recall))
            .with("ndcg", ranked(|s| s.ndcg))
            .with("map", ranked(|s| s.map))
            .with("mrr", ranked(|s| s.mrr))
            .with("hit_rate", ranked(|s| s.hit_rate))
            .with("coverage", ranked(|s| s.coverage))
            .with("novelty", ranked(|s| s.novelty))
            .with("diversity", ranked(|s| s.diversity));
    }
    table
}
