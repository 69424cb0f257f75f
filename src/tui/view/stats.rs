//! The stats screen: the summary `recscope stats` prints, the rating histogram as a bar
//! chart, and ratings per user and per item sorted (the long tail), on a log scale when
//! the counts span more than two decades.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, Block, BorderType, Chart, Dataset, GraphType, Paragraph, Widget, Wrap,
};

use crate::data::{HistogramBar, bar_label, edge_label, thousands};
use crate::tui::app::App;
use crate::tui::screens::stats::DatasetShape;
use crate::tui::text::{clean, compact, fit};

/// Counts whose largest value reaches this are drawn on a log scale.
const LOG_SCALE_FROM: usize = 100;
/// The most points a curve is drawn with (a Braille cell holds two across).
const MOST_POINTS: usize = 400;

fn panel<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(title, Style::new().fg(app.theme.title)))
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(shape) = &app.stats_screen.shape else {
        let block = panel(app, format!(" {} ", clean(&app.dataset_name)));
        let inner = block.inner(area);
        block.render(area, buf);
        Line::styled("measuring the dataset…", Style::new().fg(app.theme.dim)).render(inner, buf);
        return;
    };
    // The lines, feedback, warnings and the two borders.
    let wanted = shape.lines.len() + shape.stats.warnings.len() + 3;
    let summary_height = (wanted as u16).min(area.height / 2);
    let [top, bottom] = area.layout(&Layout::vertical([
        Constraint::Length(summary_height),
        Constraint::Fill(1),
    ]));
    render_summary(app, shape, top, buf);
    let [histogram, users, items] = bottom.layout(&Layout::horizontal([
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
    ]));
    render_histogram(app, shape, histogram, buf);
    render_curve(
        app,
        "Ratings per user",
        "users",
        &shape.user_activity,
        users,
        buf,
    );
    render_curve(
        app,
        "Ratings per item",
        "items",
        &shape.stats.item_popularity,
        items,
        buf,
    );
}

fn render_summary(app: &App, shape: &DatasetShape, area: Rect, buf: &mut Buffer) {
    let block = panel(
        app,
        format!(
            " {} · {} ",
            clean(&app.dataset_name),
            clean(&shape.stats.format)
        ),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let label = Style::new()
        .fg(app.theme.header)
        .add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = shape
        .lines
        .iter()
        .map(|(name, value)| {
            Line::from(vec![
                Span::styled(format!("{name:<18}"), label),
                Span::raw(clean(value)),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{:<18}", "feedback"), label),
        Span::raw(clean(&shape.stats.feedback)),
    ]));
    for warning in &shape.stats.warnings {
        lines.push(Line::styled(
            fit(
                &format!("warning: {}", clean(warning)),
                inner.width as usize,
            ),
            Style::new().fg(app.theme.error),
        ));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

fn render_histogram(app: &App, shape: &DatasetShape, area: Rect, buf: &mut Buffer) {
    let block = panel(app, " Rating histogram ".to_string());
    let inner = block.inner(area);
    let bars_data = &shape.stats.histogram;
    let count = bars_data.len().max(1) as u16;
    let bar_width = (inner.width.saturating_sub(count - 1) / count).clamp(1, 9);
    let labels = histogram_labels(bars_data, bar_width as usize);
    let bars: Vec<Bar> = bars_data
        .iter()
        .zip(labels)
        .map(|(bar, label)| {
            // A count that does not fit its bar is left off rather than cut.
            let count = compact(bar.count as f64, bar_width as usize);
            let count = if count.ends_with('…') {
                String::new()
            } else {
                count
            };
            Bar::default()
                .value(bar.count as u64)
                .text_value(count)
                .label(Line::from(label))
        })
        .collect();
    BarChart::vertical(bars)
        .block(block)
        .bar_width(bar_width)
        .bar_gap(1)
        .bar_style(Style::new().fg(app.theme.bar))
        .value_style(
            Style::new()
                .fg(app.theme.status_fg)
                .bg(app.theme.bar)
                .add_modifier(Modifier::BOLD),
        )
        .label_style(Style::new().fg(app.theme.header))
        .render(area, buf);
}

/// A bar's range when it fits its width, else its lower edge (the bars are in order,
/// so the edges still read as a scale), a power of ten as `10⁵` when `100k` is too
/// wide, cut only when even that does not fit.
fn histogram_label(bar: &HistogramBar, width: usize) -> String {
    let range = bar_label(bar.low, bar.high);
    if range.chars().count() <= width {
        return range;
    }
    let edge = edge_label(bar.low);
    if edge.chars().count() <= width {
        return edge;
    }
    fit(&power_of_ten(bar.low).unwrap_or(edge), width)
}

/// The bars' labels (see [`histogram_label`]); when one of them is written as a power
/// of ten, every edge from 10³ up is, so that one axis does not mix `10k` and `10⁵`.
fn histogram_labels(bars: &[HistogramBar], width: usize) -> Vec<String> {
    let labels: Vec<String> = bars.iter().map(|bar| histogram_label(bar, width)).collect();
    let as_power = |bar: &HistogramBar| power_of_ten(bar.low).filter(|_| bar.low >= 1e3);
    if !bars
        .iter()
        .zip(&labels)
        .any(|(bar, label)| power_of_ten(bar.low).as_ref() == Some(label))
    {
        return labels;
    }
    bars.iter()
        .zip(labels)
        .map(|(bar, label)| {
            as_power(bar)
                .filter(|p| p.chars().count() <= width)
                .unwrap_or(label)
        })
        .collect()
}

/// `10⁵` for 100000, and so on for any whole power of ten from 10.
fn power_of_ten(value: f64) -> Option<String> {
    const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let exponent = value.log10().round();
    if !(1.0..=308.0).contains(&exponent) || 10f64.powf(exponent) != value {
        return None;
    }
    let superscript: String = (exponent as u32)
        .to_string()
        .chars()
        .filter_map(|d| d.to_digit(10).map(|d| SUPERSCRIPTS[d as usize]))
        .collect();
    Some(format!("10{superscript}"))
}

/// A sorted count curve: rank on x, count on y (log10 when the counts are wide).
fn render_curve(
    app: &App,
    title: &str,
    what: &str,
    counts: &[usize],
    area: Rect,
    buf: &mut Buffer,
) {
    let largest = counts.first().copied().unwrap_or(0);
    let log = largest >= LOG_SCALE_FROM;
    let scale = if log { ", log scale" } else { "" };
    let block = panel(app, format!(" {title}{scale} "));
    if counts.is_empty() {
        block.render(area, buf);
        return;
    }
    let points = curve_points(counts, log);
    let y_top = if log {
        (largest as f64).log10().ceil().max(1.0)
    } else {
        largest.max(1) as f64
    };
    let y_labels: Vec<Line> = if log {
        (0..=y_top as u32)
            .map(|power| Line::from(thousands(10usize.pow(power))))
            .collect()
    } else {
        vec![Line::from("0"), Line::from(thousands(largest))]
    };
    let x_top = counts.len().max(2) as f64;
    let dim = Style::new().fg(app.theme.dim);
    let data = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(Style::new().fg(app.theme.accent))
        .data(&points);
    Chart::new(vec![data])
        .block(block)
        .x_axis(
            Axis::default()
                .title(Span::styled(format!("{what}, most first"), dim))
                .bounds([1.0, x_top])
                .labels([Line::from("1"), Line::from(thousands(counts.len()))])
                .style(dim),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_top])
                .labels(y_labels)
                .style(dim),
        )
        .render(area, buf);
}

/// `(rank, count)` points, at most [`MOST_POINTS`] of them evenly spread over the ranks
/// (the first and last always in), with `log10(count)` when `log`.
fn curve_points(counts: &[usize], log: bool) -> Vec<(f64, f64)> {
    let n = counts.len();
    let step = n.div_ceil(MOST_POINTS).max(1);
    let mut ranks: Vec<usize> = (0..n).step_by(step).collect();
    if ranks.last() != Some(&(n - 1)) {
        ranks.push(n - 1);
    }
    ranks
        .into_iter()
        .map(|rank| {
            let count = counts[rank] as f64;
            let y = if log { count.max(1.0).log10() } else { count };
            ((rank + 1) as f64, y)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_keep_the_ends_and_thin_the_middle() {
        // 1000 counts, step ceil(1000 / 400) = 3: ranks 0, 3, ..., 999 → 334 points.
        let counts: Vec<usize> = (1..=1000).rev().collect();
        let points = curve_points(&counts, true);
        assert_eq!(points.len(), 334);
        // First: rank 1, count 1000 → log10 = 3; last: rank 1000, count 1 → 0.
        assert_eq!(points[0], (1.0, 3.0));
        assert_eq!(points[points.len() - 1], (1000.0, 0.0));
    }

    #[test]
    fn a_decade_too_wide_for_its_bar_is_written_as_a_power_of_ten() {
        let bar = |low, high| HistogramBar {
            low,
            high,
            count: 1,
        };
        // Three columns: "100k–1M" and "100k" are too wide, "10⁵" fits.
        assert_eq!(histogram_label(&bar(1e5, 1e6), 3), "10⁵");
        assert_eq!(histogram_label(&bar(1e4, 1e5), 3), "10k");
        assert_eq!(histogram_label(&bar(1e5, 1e6), 4), "100k");
        assert_eq!(histogram_label(&bar(1e5, 1e6), 7), "100k–1M");
        assert_eq!(power_of_ten(1e12).as_deref(), Some("10¹²"));
        // Not a power of ten, or below 10: no such form, so the edge is cut.
        assert_eq!(power_of_ten(2e5), None);
        assert_eq!(power_of_ten(1.0), None);
        assert_eq!(histogram_label(&bar(2e5, 3e5), 3), "20…");
    }

    #[test]
    fn one_power_of_ten_on_the_axis_makes_every_edge_from_a_thousand_one() {
        let decades: Vec<HistogramBar> = (0..6)
            .map(|k| HistogramBar {
                low: 10f64.powi(k),
                high: 10f64.powi(k + 1),
                count: 1,
            })
            .collect();
        // Three columns: "1–10", "10–100", ... are too wide, so the lower edges are
        // written; "100k" needs the power form, so 1k and 10k take it too.
        let labels = histogram_labels(&decades, 3);
        assert_eq!(labels, ["1", "10", "100", "10³", "10⁴", "10⁵"]);
        // Four columns: "1–10" fits, and every lower edge as written.
        let labels = histogram_labels(&decades, 4);
        assert_eq!(labels, ["1–10", "10", "100", "1k", "10k", "100k"]);
    }
}
