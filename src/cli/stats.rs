//! `recscope stats`: the shape of a ratings file (users, items, ratings, density,
//! rating scale, how ratings spread over users and items, duplicates resolved), as
//! measured by the data layer.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{DataArgs, clean, load_dataset};
use crate::data::{self, Dataset, Stats};
pub use crate::data::{format_value, thousands};

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

/// What `stats --json` prints: where the data came from, and the measures.
#[derive(Debug, Serialize)]
pub struct StatsReport {
    pub file: String,
    pub items_file: Option<String>,
    pub rows_read: usize,
    pub has_timestamps: bool,
    #[serde(flatten)]
    pub stats: Stats,
}

impl StatsReport {
    pub fn of(dataset: &Dataset) -> Self {
        StatsReport {
            file: dataset.summary.ratings_file.display().to_string(),
            items_file: dataset
                .summary
                .items_file
                .as_ref()
                .map(|p| p.display().to_string()),
            rows_read: dataset.summary.rows_read,
            has_timestamps: dataset.timestamps.is_some(),
            stats: data::describe(dataset),
        }
    }

    /// The report as lines of text.
    pub fn to_text(&self) -> String {
        let stats = &self.stats;
        let mut out = String::new();
        let mut line = |label: &str, value: String| {
            out.push_str(&format!("{label:<20} {value}\n"));
        };
        line("file", clean(&self.file));
        line("format", clean(&stats.format));
        if let Some(items) = &self.items_file {
            line("item metadata", clean(items));
        }
        for (label, value) in data::summary_lines(stats) {
            line(label, value);
        }
        line("rows read", thousands(self.rows_read));
        line(
            "duplicates resolved",
            format!(
                "{} ({})",
                thousands(stats.duplicates_resolved),
                clean(&stats.duplicate_policy)
            ),
        );
        line("feedback", clean(&stats.feedback));
        line(
            "timestamps",
            if self.has_timestamps { "yes" } else { "no" }.to_string(),
        );
        for warning in &stats.warnings {
            line("warning", clean(warning));
        }
        out.push_str("histogram\n");
        let widest = stats.histogram.iter().map(|b| b.count).max().unwrap_or(1);
        for bar in &stats.histogram {
            let label = data::bar_label(bar.low, bar.high);
            let length = (bar.count * 40).div_ceil(widest.max(1));
            out.push_str(&format!(
                "  {label:>9} {:>11}  {}\n",
                thousands(bar.count),
                "█".repeat(length)
            ));
        }
        out
    }
}

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let dataset = load_dataset(&args.path, &args.data)?;
    let report = StatsReport::of(&dataset);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        super::write_json(&mut stdout, &report)?;
    } else {
        write!(stdout, "{}", report.to_text())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fixtures;

    #[test]
    fn tiny_matrix_report_by_hand() {
        let report = StatsReport::of(&fixtures::tiny());
        let text = report.to_text();
        // 3 users × 4 items = 12 cells, 7 known → 7/12 = 58.3333%
        assert!(text.contains("58.3333% of cells known"), "{text}");
        // mean = (5 + 4 + 3 + 4 + 2 + 5 + 5) / 7 = 28 / 7 = 4
        assert!(text.contains("1 to 5, mean 4.000"), "{text}");
        // ratings of 5: U1·A, U3·B, U3·C → 3
        assert!(text.contains("        5           3"), "{text}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["users"], 3);
        assert_eq!(json["has_timestamps"], true);
    }

    #[test]
    fn thousands_and_values_read_naturally() {
        assert_eq!(thousands(25_000_000), "25,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(format_value(4.0), "4");
        assert_eq!(format_value(3.5), "3.5");
    }
}
