//! `recscope stats`: the shape of a ratings file (users, items, ratings, density,
//! rating scale, how ratings spread over users and items, duplicates resolved).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{DataArgs, load_dataset};
use crate::core::matrix::RatingMatrix;
use crate::data::Dataset;

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Ratings file.
    pub path: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Counts over one group of lines (ratings per user, or per item).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub min: usize,
    pub median: usize,
    pub mean: f64,
    pub max: usize,
}

/// The figures `stats` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub file: String,
    pub format: String,
    pub users: usize,
    pub items: usize,
    pub ratings: usize,
    /// Known cells over all cells, 0..1.
    pub density: f64,
    pub rating_min: f64,
    pub rating_max: f64,
    pub mean_rating: f64,
    /// How many ratings have each value (values as written, e.g. "4" or "3.5").
    pub histogram: BTreeMap<String, usize>,
    pub ratings_per_user: Spread,
    pub ratings_per_item: Spread,
    pub rows_read: usize,
    pub duplicates_resolved: usize,
    pub duplicate_policy: String,
    pub implicit: bool,
    pub has_timestamps: bool,
    pub items_file: Option<String>,
}

impl Stats {
    pub fn of(dataset: &Dataset) -> Self {
        let matrix = &dataset.matrix;
        let scale = matrix.scale();
        let mut histogram = BTreeMap::new();
        for rating in matrix.ratings() {
            *histogram.entry(format_value(rating.value)).or_insert(0) += 1;
        }
        Stats {
            file: dataset.summary.ratings_file.display().to_string(),
            format: dataset.summary.format.clone(),
            users: matrix.n_users(),
            items: matrix.n_items(),
            ratings: matrix.n_ratings(),
            density: matrix.density(),
            rating_min: scale.min,
            rating_max: scale.max,
            mean_rating: matrix.global_mean(),
            histogram,
            ratings_per_user: spread(user_counts(matrix)),
            ratings_per_item: spread(item_counts(matrix)),
            rows_read: dataset.summary.rows_read,
            duplicates_resolved: dataset.summary.duplicates_resolved,
            duplicate_policy: dataset.summary.duplicate_policy.clone(),
            implicit: dataset.summary.implicit,
            has_timestamps: dataset.timestamps.is_some(),
            items_file: dataset
                .summary
                .items_file
                .as_ref()
                .map(|p| p.display().to_string()),
        }
    }

    /// The report as lines of text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |label: &str, value: String| {
            out.push_str(&format!("{label:<20} {value}\n"));
        };
        line("file", super::clean(&self.file));
        line("format", super::clean(&self.format));
        line("users", thousands(self.users));
        line("items", thousands(self.items));
        line("ratings", thousands(self.ratings));
        line(
            "density",
            format!("{:.4}% of cells known", self.density * 100.0),
        );
        line(
            "rating scale",
            format!(
                "{} to {}, mean {:.3}",
                format_value(self.rating_min),
                format_value(self.rating_max),
                self.mean_rating
            ),
        );
        line("ratings per user", describe_spread(&self.ratings_per_user));
        line("ratings per item", describe_spread(&self.ratings_per_item));
        line("rows read", thousands(self.rows_read));
        line(
            "duplicates resolved",
            format!(
                "{} ({})",
                thousands(self.duplicates_resolved),
                super::clean(&self.duplicate_policy)
            ),
        );
        if self.implicit {
            line("feedback", "implicit (no rating column)".to_string());
        }
        line(
            "timestamps",
            if self.has_timestamps { "yes" } else { "no" }.to_string(),
        );
        if let Some(items) = &self.items_file {
            line("item metadata", super::clean(items));
        }
        if self.histogram.len() <= 21 {
            out.push_str("histogram\n");
            let widest = self.histogram.values().copied().max().unwrap_or(1).max(1);
            for (value, count) in &self.histogram {
                let bar = "█".repeat((count * 40).div_ceil(widest));
                out.push_str(&format!("  {value:>6} {:>10}  {bar}\n", thousands(*count)));
            }
        }
        out
    }
}

fn user_counts(matrix: &RatingMatrix) -> Vec<usize> {
    (0..matrix.n_users() as u32)
        .map(|u| matrix.user_count(u))
        .collect()
}

fn item_counts(matrix: &RatingMatrix) -> Vec<usize> {
    (0..matrix.n_items() as u32)
        .map(|i| matrix.item_count(i))
        .collect()
}

/// Minimum, median (the lower middle for an even count), mean and maximum.
fn spread(mut counts: Vec<usize>) -> Spread {
    if counts.is_empty() {
        return Spread {
            min: 0,
            median: 0,
            mean: 0.0,
            max: 0,
        };
    }
    counts.sort_unstable();
    Spread {
        min: counts[0],
        median: counts[(counts.len() - 1) / 2],
        mean: counts.iter().sum::<usize>() as f64 / counts.len() as f64,
        max: counts[counts.len() - 1],
    }
}

fn describe_spread(spread: &Spread) -> String {
    format!(
        "min {}, median {}, mean {:.1}, max {}",
        spread.min, spread.median, spread.mean, spread.max
    )
}

/// A rating as a person writes it: `4`, `3.5`.
pub fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let dataset = load_dataset(&args.path, &args.data)?;
    let stats = Stats::of(&dataset);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &stats)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", stats.to_text())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fixtures;

    #[test]
    fn tiny_matrix_stats_by_hand() {
        let stats = Stats::of(&fixtures::tiny());
        // 3 users × 4 items = 12 cells, 7 known → density 7/12
        assert_eq!((stats.users, stats.items, stats.ratings), (3, 4, 7));
        assert!((stats.density - 7.0 / 12.0).abs() < 1e-12);
        // mean = (5 + 4 + 3 + 4 + 2 + 5 + 5) / 7 = 28 / 7 = 4
        assert!((stats.mean_rating - 4.0).abs() < 1e-12);
        // per user: 2, 3, 2 → min 2, median 2, max 3, mean 7/3
        assert_eq!(stats.ratings_per_user.median, 2);
        assert_eq!(stats.ratings_per_user.max, 3);
        // per item: A 2, B 2, C 2, D 1
        assert_eq!(stats.ratings_per_item.min, 1);
        // values: 2 once, 3 once, 4 twice, 5 three times
        assert_eq!(stats.histogram.get("5"), Some(&3));
        assert_eq!(stats.histogram.get("4"), Some(&2));
        let text = stats.to_text();
        assert!(text.contains("58.3333% of cells known"), "{text}");
    }

    #[test]
    fn thousands_and_values_read_naturally() {
        assert_eq!(thousands(25_000_000), "25,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(format_value(4.0), "4");
        assert_eq!(format_value(3.5), "3.5");
    }
}
