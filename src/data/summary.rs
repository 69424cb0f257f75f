//! The dataset's shape in words: the lines `recscope stats` prints, the stats screen
//! shows and the stats export writes, formatted once so that the three agree.

use super::export::{ColumnValues, ExportTable};
use super::stats::{Distribution, Stats};

/// The measures of a dataset as `(label, value)` lines: counts, density, rating scale,
/// how ratings spread over users and items, and the long tail.
pub fn summary_lines(stats: &Stats) -> Vec<(&'static str, String)> {
    vec![
        ("users", thousands(stats.users)),
        ("items", thousands(stats.items)),
        ("ratings", thousands(stats.ratings)),
        (
            "density",
            format!("{:.4}% of cells known", stats.density * 100.0),
        ),
        (
            "rating scale",
            format!(
                "{} to {}, mean {:.3}",
                format_value(stats.scale.min),
                format_value(stats.scale.max),
                stats.mean_rating
            ),
        ),
        ("ratings per user", describe_spread(&stats.ratings_per_user)),
        ("ratings per item", describe_spread(&stats.ratings_per_item)),
        (
            "long tail",
            format!(
                "the most rated fifth of items hold {:.1}% of ratings",
                stats.top_fifth_share * 100.0
            ),
        ),
    ]
}

/// The summary lines plus one line per histogram bar, as a two-column table
/// (`measure`, `value`) for export.
pub fn summary_table(stats: &Stats) -> ExportTable {
    let mut measures = Vec::new();
    let mut values = Vec::new();
    for (label, value) in summary_lines(stats) {
        measures.push(label.to_string());
        // A count is written as a script reads it: 1682, not "1,682".
        let plain = value.replace(',', "");
        let is_count = !plain.is_empty() && plain.bytes().all(|b| b.is_ascii_digit());
        values.push(if is_count { plain } else { value });
    }
    for bar in &stats.histogram {
        measures.push(format!("ratings of {}", bar_label(bar.low, bar.high)));
        values.push(bar.count.to_string());
    }
    ExportTable::default()
        .with("measure", ColumnValues::Text(measures))
        .with("value", ColumnValues::Text(values))
}

/// A histogram bar's range as a person writes it: `4`, or `2–3.5`.
pub fn bar_label(low: f64, high: f64) -> String {
    if low == high {
        format_value(low)
    } else {
        format!("{}–{}", format_value(low), format_value(high))
    }
}

fn describe_spread(spread: &Distribution) -> String {
    format!(
        "min {}, median {}, mean {:.1}, max {}; {} with a single rating",
        spread.min,
        spread.quartiles[1],
        spread.mean,
        spread.max,
        thousands(spread.with_one)
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
