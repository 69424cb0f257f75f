//! The shape of a dataset as plain numbers (counts, density, rating histogram, activity
//! distributions, long tail) for `recscope stats` and the stats screen to format.

use serde::Serialize;

use crate::core::matrix::RatingScale;

use super::Dataset;

/// One bar of the rating histogram: ratings `low <= value <= high` (a single value when
/// `low == high`), and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistogramBar {
    pub low: f64,
    pub high: f64,
    pub count: usize,
}

/// How many ratings each user (or item) has, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub min: usize,
    /// Lower quartile, median and upper quartile (nearest rank).
    pub quartiles: [usize; 3],
    pub max: usize,
    pub mean: f64,
    /// Users (items) with exactly one rating.
    pub with_one: usize,
}

/// Everything `describe` measures about a dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub users: usize,
    pub items: usize,
    pub ratings: usize,
    /// Known cells over all cells, 0..1.
    pub density: f64,
    pub scale: RatingScale,
    pub mean_rating: f64,
    pub implicit: bool,
    /// What the values are, in words (explicit ratings, or implicit weights and how
    /// they were read).
    pub feedback: String,
    /// What the loader noticed without stopping (see `LoadSummary::warnings`).
    pub warnings: Vec<String>,
    /// Pairs that appeared more than once in the file, and the policy applied.
    pub duplicates_resolved: usize,
    pub duplicate_policy: String,
    pub format: String,
    pub histogram: Vec<HistogramBar>,
    pub ratings_per_user: Distribution,
    pub ratings_per_item: Distribution,
    /// Ratings per item, most rated first: the long-tail curve.
    pub item_popularity: Vec<usize>,
    /// Share of ratings (0..1) that go to the most rated 20 % of items.
    pub top_fifth_share: f64,
}

/// Rating values with at most this many distinct values get one bar each.
const DISTINCT_BARS: usize = 21;
/// Otherwise the scale is cut into this many equal bins.
const BINS: usize = 10;

/// Measures a dataset.
pub fn describe(dataset: &Dataset) -> Stats {
    let matrix = &dataset.matrix;
    let per_user: Vec<usize> = (0..matrix.n_users() as u32)
        .map(|u| matrix.user_count(u))
        .collect();
    let mut popularity: Vec<usize> = (0..matrix.n_items() as u32)
        .map(|i| matrix.item_count(i))
        .collect();
    popularity.sort_unstable_by(|a, b| b.cmp(a));
    let total: usize = popularity.iter().sum();
    let top = popularity.len().div_ceil(5);
    let top_fifth_share = if total == 0 {
        0.0
    } else {
        popularity[..top].iter().sum::<usize>() as f64 / total as f64
    };

    Stats {
        users: matrix.n_users(),
        items: matrix.n_items(),
        ratings: matrix.n_ratings(),
        density: matrix.density(),
        scale: matrix.scale(),
        mean_rating: matrix.global_mean(),
        implicit: dataset.summary.implicit,
        feedback: dataset.summary.feedback.clone(),
        warnings: dataset.summary.warnings.clone(),
        duplicates_resolved: dataset.summary.duplicates_resolved,
        duplicate_policy: dataset.summary.duplicate_policy.clone(),
        format: dataset.summary.format.clone(),
        histogram: histogram(dataset.ratings.iter().map(|r| r.value), matrix.scale()),
        ratings_per_user: distribution(per_user),
        ratings_per_item: distribution(popularity.clone()),
        item_popularity: popularity,
        top_fifth_share,
    }
}

/// One bar per distinct value when there are few. Otherwise bins with round edges:
/// powers of ten when the values are counts spanning three orders of magnitude or more
/// (play counts: 1–10, 10–100, …), else about `BINS` bins of a round width (1, 2, 2.5
/// or 5 times a power of ten). Each bin holds `low <= value < high`, the last one also
/// its `high`.
pub fn histogram(
    values: impl Iterator<Item = f64> + Clone,
    scale: RatingScale,
) -> Vec<HistogramBar> {
    let mut distinct: Vec<f64> = Vec::new();
    for value in values.clone() {
        if !distinct.contains(&value) {
            distinct.push(value);
            if distinct.len() > DISTINCT_BARS {
                break;
            }
        }
    }
    if distinct.len() <= DISTINCT_BARS {
        distinct.sort_by(f64::total_cmp);
        let mut bars: Vec<HistogramBar> = distinct
            .iter()
            .map(|&v| HistogramBar {
                low: v,
                high: v,
                count: 0,
            })
            .collect();
        for value in values {
            if let Some(k) = distinct.iter().position(|&v| v == value) {
                bars[k].count += 1;
            }
        }
        return bars;
    }
    let edges = bin_edges(scale);
    let mut bars: Vec<HistogramBar> = edges
        .windows(2)
        .map(|edge| HistogramBar {
            low: edge[0],
            high: edge[1],
            count: 0,
        })
        .collect();
    let last = bars.len() - 1;
    for value in values {
        // The first edge above the value closes its bin.
        let above = edges.partition_point(|&edge| edge <= value);
        let k = above.saturating_sub(1).min(last);
        bars[k].count += 1;
    }
    bars
}

/// The edges of the histogram's bins over `scale`, increasing, at least two.
fn bin_edges(scale: RatingScale) -> Vec<f64> {
    let (min, max) = (scale.min, scale.max);
    if !(min.is_finite() && max.is_finite()) || max <= min {
        return vec![min, max];
    }
    if min >= 0.0 && max >= 1000.0 * min.max(1.0) {
        let first = min.max(1.0).log10().floor() as i32;
        let last = max.log10().ceil() as i32;
        let mut edges: Vec<f64> = (first..=last).map(|power| 10f64.powi(power)).collect();
        edges[0] = edges[0].min(min);
        return edges;
    }
    let width = round_width((max - min) / BINS as f64);
    let low = (min / width).floor() * width;
    let count = (((max - low) / width).ceil() as usize).max(1);
    // Edges as multiples of the width, so that they print without binary noise.
    (0..=count)
        .map(|k| round_to_width(low + width * k as f64, width))
        .collect()
}

/// The smallest of 1, 2, 2.5, 5 and 10 times a power of ten at or above `width`.
fn round_width(width: f64) -> f64 {
    let power = 10f64.powf(width.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|&step| step >= width * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// `value` rounded to the decimals a bin width of `width` needs.
fn round_to_width(value: f64, width: f64) -> f64 {
    let decimals = (-(width.log10().floor()) as i32 + 1).clamp(0, 12);
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

fn distribution(mut counts: Vec<usize>) -> Distribution {
    if counts.is_empty() {
        return Distribution {
            min: 0,
            quartiles: [0; 3],
            max: 0,
            mean: 0.0,
            with_one: 0,
        };
    }
    counts.sort_unstable();
    // Nearest rank: the ceil(p·n)-th smallest value.
    let rank =
        |p: f64| counts[((p * counts.len() as f64).ceil() as usize).clamp(1, counts.len()) - 1];
    Distribution {
        min: counts[0],
        quartiles: [rank(0.25), rank(0.5), rank(0.75)],
        max: counts[counts.len() - 1],
        mean: counts.iter().sum::<usize>() as f64 / counts.len() as f64,
        with_one: counts.iter().filter(|&&c| c == 1).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bar_each() {
        let scale = RatingScale { min: 1.0, max: 5.0 };
        let bars = histogram([5.0, 4.0, 5.0, 1.0].into_iter(), scale);
        let counts: Vec<(f64, usize)> = bars.iter().map(|b| (b.low, b.count)).collect();
        assert_eq!(counts, vec![(1.0, 1), (4.0, 1), (5.0, 2)]);
    }

    #[test]
    fn many_values_fall_into_ten_bins() {
        // 0..=100 over the scale 0..100: bins of width 10; 100 joins the last bin.
        let scale = RatingScale {
            min: 0.0,
            max: 100.0,
        };
        let bars = histogram((0..=100).map(f64::from), scale);
        assert_eq!(bars.len(), 10);
        assert_eq!(bars[0].count, 10);
        assert_eq!(bars[9].count, 11);
    }

    #[test]
    fn wide_counts_fall_into_decades() {
        // Play counts 1..352698: bins 1–10, 10–100, …, 100000–1000000.
        let scale = RatingScale {
            min: 1.0,
            max: 352_698.0,
        };
        let values = [1.0, 9.0, 10.0, 99.0, 150.0, 2_000.0, 352_698.0]
            .into_iter()
            .chain((0..30).map(|k| 20.0 + k as f64));
        let bars = histogram(values, scale);
        let edges: Vec<(f64, f64)> = bars.iter().map(|b| (b.low, b.high)).collect();
        assert_eq!(
            edges,
            vec![
                (1.0, 10.0),
                (10.0, 100.0),
                (100.0, 1e3),
                (1e3, 1e4),
                (1e4, 1e5),
                (1e5, 1e6)
            ]
        );
        let counts: Vec<usize> = bars.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![2, 32, 1, 1, 0, 1]);
    }

    #[test]
    fn bins_of_log_weights_have_round_edges() {
        // log(1 + 1) = 0.693… to log(1 + 352698) = 12.77…: a span of 12.08 wants bins
        // of 1.208, rounded up to 2: edges 0, 2, …, 14.
        let scale = RatingScale {
            min: 2f64.ln(),
            max: 352_699f64.ln(),
        };
        let values = (0..40).map(|k| scale.min + k as f64 * 0.3);
        let bars = histogram(values, scale);
        let lows: Vec<f64> = bars.iter().map(|b| b.low).collect();
        assert_eq!(lows, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
        assert_eq!(bars.iter().map(|b| b.count).sum::<usize>(), 40);
    }

    #[test]
    fn round_widths_are_one_two_two_and_a_half_or_five_times_a_power_of_ten() {
        assert_eq!(round_width(1.208), 2.0);
        assert_eq!(round_width(0.45), 0.5);
        assert_eq!(round_width(10.0), 10.0);
        assert_eq!(round_width(0.21), 0.25);
        assert_eq!(round_width(3.0), 5.0);
    }

    #[test]
    fn quartiles_use_nearest_rank() {
        // Sorted 1,2,3,4: ceil(0.25·4)=1st → 1, ceil(0.5·4)=2nd → 2, ceil(0.75·4)=3rd → 3.
        let d = distribution(vec![4, 1, 3, 2]);
        assert_eq!(d.quartiles, [1, 2, 3]);
        assert_eq!((d.min, d.max, d.mean, d.with_one), (1, 4, 2.5, 1));
    }
}
