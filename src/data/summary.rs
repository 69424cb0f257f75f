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

/// A histogram bar's range as a person writes it: `4`, `2–3.5`, or `10k–100k`.
pub fn bar_label(low: f64, high: f64) -> String {
    if low == high {
        edge_label(low)
    } else {
        format!("{}–{}", edge_label(low), edge_label(high))
    }
}

/// A histogram edge: a whole number of thousands or millions as `10k` or `2M`, anything else as [`format_value`] writes it.
pub fn edge_label(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e6 && (value / 1e6).fract() == 0.0 {
        format!("{}M", format_value(value / 1e6))
    } else if magnitude >= 1e3 && (value / 1e3).fract() == 0.0 {
        format!("{}k", format_value(value / 1e3))
    } else {
        format_value(value)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_labels_shorten_whole_thousands_and_millions() {
        assert_eq!(bar_label(4.0, 4.0), "4");
        assert_eq!(bar_label(2.0, 3.5), "2–3.5");
        assert_eq!(bar_label(100.0, 1000.0), "100–1k");
        assert_eq!(bar_label(1e5, 1e6), "100k–1M");
        assert_eq!(bar_label(1100.0, 1200.0), "1100–1200");
        assert_eq!(bar_label(-2000.0, 0.0), "-2k–0");
    }
}
