//! `recscope similar`: the users most like a user, or the items most like an item, by a
//! similarity measure — the explorer's neighbours panel, on the command line.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{DataArgs, clean, find_item, find_user, load_dataset, usage};
use crate::core::similarity::SimilarityOptions;
use crate::data::Dataset;
use crate::data::similar::{
    self, DEFAULT_LISTED, DEFAULT_MIN_SUPPORT, DEFAULT_SIMILARITY, NeighbourRow, SimilarityQuery,
};

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("of").required(true).args(["user", "item"]))]
pub struct SimilarArgs {
    /// Ratings file.
    pub path: PathBuf,
    /// List the users most like this user (id as written in the file).
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// List the items most like this item (id as written in the file).
    #[arg(long, value_name = "I")]
    pub item: Option<String>,
    /// Similarity measure: cosine, msd, pearson, pearson_baseline, jaccard, ...
    #[arg(long, value_name = "NAME", default_value = DEFAULT_SIMILARITY)]
    pub sim: String,
    /// How many to list.
    #[arg(short = 'n', default_value_t = DEFAULT_LISTED, value_name = "N")]
    pub n: usize,
    /// Leave out pairs with fewer ratings in common than this.
    #[arg(long, default_value_t = DEFAULT_MIN_SUPPORT, value_name = "N")]
    pub min_support: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// What `similar --json` prints.
#[derive(Debug, Serialize)]
pub struct SimilarReport {
    /// `user` or `item`.
    pub of_kind: &'static str,
    pub of: String,
    pub similarity: String,
    pub min_support: usize,
    pub neighbours: Vec<SimilarRow>,
}

/// One neighbour of `similar --json`.
#[derive(Debug, Serialize)]
pub struct SimilarRow {
    pub id: String,
    pub title: Option<String>,
    pub similarity: f64,
    pub co_rated: usize,
}

pub fn run(args: &SimilarArgs) -> anyhow::Result<()> {
    if args.n == 0 {
        return Err(usage("-n 0 asks for no neighbours; give 1 or more"));
    }
    let dataset = load_dataset(&args.path, &args.data)?;
    let (user_based, of, raw) = match (&args.user, &args.item) {
        (Some(user), _) => (true, find_user(&dataset, user)?, user.clone()),
        (None, Some(item)) => (false, find_item(&dataset, item)?, item.clone()),
        (None, None) => return Err(usage("give --user U or --item I")),
    };
    let query = SimilarityQuery {
        kind: args.sim.clone(),
        user_based,
        min_support: args.min_support,
        shrinkage: SimilarityOptions::default().shrinkage,
        reason: "asked".to_string(),
    };
    let rows = similar::most_similar(&dataset.matrix, &query, of, args.n)
        .map_err(|message| usage(format!("--sim: {message}")))?;

    let report = SimilarReport {
        of_kind: if user_based { "user" } else { "item" },
        of: raw,
        similarity: args.sim.clone(),
        min_support: args.min_support,
        neighbours: rows
            .iter()
            .map(|row| json_row(&dataset, user_based, row))
            .collect(),
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        super::write_json(&mut stdout, &report)?;
    } else {
        write!(stdout, "{}", describe(&report))?;
    }
    Ok(())
}

fn json_row(dataset: &Dataset, user_based: bool, row: &NeighbourRow) -> SimilarRow {
    let index = row.index as usize;
    let (id, title) = if user_based {
        (
            dataset.user_ids.get(index).cloned().unwrap_or_default(),
            None,
        )
    } else {
        (
            dataset.item_ids.get(index).cloned().unwrap_or_default(),
            dataset.item_titles.get(index).cloned().flatten(),
        )
    };
    SimilarRow {
        id,
        title,
        similarity: row.similarity,
        co_rated: row.co_rated,
    }
}

/// The list as text: a heading, then id (and title), similarity and co-rated count.
pub fn describe(report: &SimilarReport) -> String {
    let what = if report.of_kind == "user" {
        "users"
    } else {
        "items"
    };
    let mut out = format!(
        "{what} most like {} {} · {}, ≥{} in common\n",
        report.of_kind,
        clean(&report.of),
        report.similarity,
        report.min_support
    );
    if report.neighbours.is_empty() {
        out.push_str(&format!(
            "no {what} share {} or more ratings with it\n",
            report.min_support
        ));
        return out;
    }
    let labels: Vec<String> = report
        .neighbours
        .iter()
        .map(|row| match &row.title {
            Some(title) if title != &row.id => format!("{} {}", clean(&row.id), clean(title)),
            _ => clean(&row.id),
        })
        .collect();
    let width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    out.push_str(&format!(
        "{:<width$}  {:>10}  {:>8}\n",
        report.of_kind, "similarity", "co-rated"
    ));
    for (row, label) in report.neighbours.iter().zip(&labels) {
        out.push_str(&format!(
            "{label:<width$}  {:>10.4}  {:>8}\n",
            row.similarity, row.co_rated
        ));
    }
    out
}
