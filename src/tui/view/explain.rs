//! The explanation panel: how the selected cell's value was computed, from the
//! structured explanation the model returned (terms, neighbours, the formula with its
//! numbers, clipping, fallback, notes).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};

use crate::core::explain::{Entity, Explanation, FallbackReason, Prediction};
use crate::tui::app::{App, params_text};
use crate::tui::text::{clean, fit, format_rating, signed};

/// How many neighbours the formula with numbers writes out before summing the rest.
const NEIGHBOURS_WRITTEN_OUT: usize = 3;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let title = match app.selected_cell() {
        Some((user, item)) => format!(
            " Explain: user {} × {} ",
            clean(app.user_label(user)),
            clean(app.item_label(item))
        ),
        None => " Explain ".to_string(),
    };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(
            fit(&title, area.width.saturating_sub(2) as usize),
            Style::new().fg(app.theme.title),
        ));
    let width = block.inner(area).width as usize;
    Paragraph::new(lines(app, width))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.explain_scroll, 0))
        .render(area, buf);
}

/// The panel's text for the selected cell, for a panel `width` characters wide.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let label = Style::new().fg(theme.dim);
    let accent = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    let Some((user, item)) = app.selected_cell() else {
        out.push(Line::from("The matrix is empty."));
        return out;
    };

    if let Some(value) = app.dataset.matrix.rating(user, item) {
        out.push(Line::from(vec![
            Span::styled("Known rating  ", label),
            Span::styled(format_rating(value), accent),
        ]));
    }

    let Some(fitted) = &app.model else {
        let name = app.spec().map(|s| s.name).unwrap_or("the model");
        out.push(Line::styled(format!("Fitting {name}…"), label));
        return out;
    };
    out.push(Line::from(vec![
        Span::styled("Algorithm  ", label),
        Span::raw(fitted.spec.title),
    ]));
    let params = params_text(&fitted.params);
    if !params.is_empty() {
        out.push(Line::from(vec![
            Span::styled("Params     ", label),
            Span::raw(params),
        ]));
    }
    let stale = app.spec().map(|s| s.name) != Some(fitted.spec.name)
        || app.current_params() != Some(&fitted.params);
    if app.busy_fitting() {
        out.push(Line::styled("(fitting; this is the previous model)", label));
    } else if stale {
        out.push(Line::styled(
            "(fitting stopped; this is the previous model)",
            label,
        ));
    }
    let Some(prediction) = &app.selected else {
        return out;
    };
    if app.dataset.matrix.rating(user, item).is_some() {
        out.push(Line::from(vec![
            Span::styled("Prediction ", label),
            Span::raw(format!("{:.2} for comparison", prediction.value)),
        ]));
    }
    out.push(Line::from(""));
    explanation_lines(app, prediction, width, &mut out);
    out
}

fn explanation_lines(
    app: &App,
    prediction: &Prediction,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let theme = &app.theme;
    let label = Style::new().fg(theme.dim);
    let heading = Style::new().fg(theme.title).add_modifier(Modifier::BOLD);
    let accent = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let explanation = &prediction.explanation;

    out.push(Line::from(vec![
        Span::styled("Formula  ", label),
        Span::styled(explanation.formula.clone(), heading),
    ]));
    for term in &explanation.terms {
        let meaning_width = width.saturating_sub(18).max(8);
        out.push(Line::from(format!(
            "  {:<6} {:<meaning_width$} {:>7.3}",
            fit(&term.symbol, 6),
            fit(&term.meaning, meaning_width),
            term.value
        )));
    }
    let (written, sum) = substituted(explanation);
    out.push(Line::from(vec![
        Span::styled("r̂ = ", label),
        Span::raw(format!("{written} = ")),
        Span::styled(format!("{sum:.3}"), accent),
    ]));
    let scale = app.dataset.matrix.scale();
    if (prediction.value - explanation.raw).abs() > 1e-12 {
        out.push(Line::from(vec![
            Span::styled("Clipped  ", label),
            Span::raw(format!(
                "{:.3} to the scale {}–{}: {:.3}",
                explanation.raw,
                format_rating(scale.min),
                format_rating(scale.max),
                prediction.value
            )),
        ]));
    }
    if (sum - explanation.raw).abs() > 1e-9 {
        out.push(Line::styled(
            format!(
                "(the parts sum to {sum:.3} but the model reports {:.3})",
                explanation.raw
            ),
            Style::new().fg(theme.error),
        ));
    }
    if let Some(fallback) = &explanation.fallback {
        out.push(Line::from(vec![
            Span::styled("Fallback ", Style::new().fg(theme.error)),
            Span::raw(format!(
                "{}; used {}",
                reason_text(&fallback.reason),
                fallback.used
            )),
        ]));
    }
    let mut value = vec![
        Span::styled("Value    ", label),
        Span::styled(format!("{:.3}", prediction.value), accent),
    ];
    if let Some((user, item)) = app.selected_cell()
        && app.dataset.matrix.rating(user, item).is_none()
    {
        value.push(Span::styled(
            format!("  (grid: ~{:.1})", prediction.value),
            label,
        ));
    }
    out.push(Line::from(value));
    for note in &explanation.notes {
        out.push(Line::styled(format!("• {note}"), label));
    }
    if !explanation.neighbours.is_empty() {
        out.push(Line::from(""));
        out.push(Line::styled(
            format!(
                "Neighbours used ({}, most similar first)",
                explanation.neighbours.len()
            ),
            heading,
        ));
        neighbour_table(app, explanation, width, out);
    }
    for factor in explanation.factors.iter().take(5) {
        out.push(Line::from(format!(
            "  f{:<3} p {:>6.3} q {:>6.3} → {}",
            factor.factor,
            factor.user_value,
            factor.item_value,
            signed(factor.contribution)
        )));
    }
    for feature in explanation.features.iter().take(5) {
        out.push(Line::from(format!(
            "  {:<12} {}",
            fit(&clean(&feature.feature), 12),
            signed(feature.contribution)
        )));
    }
    for part in &explanation.parts {
        out.push(Line::from(format!(
            "  {:<14} weight {:.2} × {:.3}",
            fit(&clean(&part.label), 14),
            part.weight,
            part.explanation.raw
        )));
    }
}

fn neighbour_table(
    app: &App,
    explanation: &Explanation,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let label = Style::new().fg(app.theme.dim);
    // who | similarity | rating | deviation | share | contribution: 30 columns + who
    let who_width = width.saturating_sub(30).clamp(4, 30);
    out.push(Line::styled(
        format!(
            "{:<who_width$} {:>5} {:>3} {:>6} {:>5} {:>6}",
            "who", "sim", "r", "dev", "share", "contr"
        ),
        label,
    ));
    for neighbour in &explanation.neighbours {
        let who = match neighbour.neighbour {
            Entity::User(user) => format!("user {}", app.user_label(user)),
            Entity::Item(item) => app.item_label(item).to_string(),
        };
        out.push(Line::from(format!(
            "{:<who_width$} {:>5.2} {:>3} {:>6} {:>4.0}% {:>6}",
            fit(&clean(&who), who_width),
            neighbour.similarity,
            format_rating(neighbour.rating),
            signed(neighbour.deviation),
            neighbour.share * 100.0,
            signed(neighbour.contribution)
        )));
    }
}

/// The formula with its numbers, e.g. `3.50 + 0.62×(+1.00) + 0.38×(−0.50)`, and the
/// sum of what it writes (base terms plus every contribution).
pub fn substituted(explanation: &Explanation) -> (String, f64) {
    let mut written = Vec::new();
    for (k, term) in explanation.terms.iter().enumerate() {
        if k == 0 {
            written.push(format!("{:.3}", term.value));
        } else {
            written.push(spaced(&signed_precise(term.value)));
        }
    }
    let neighbours = &explanation.neighbours;
    for neighbour in neighbours.iter().take(NEIGHBOURS_WRITTEN_OUT) {
        written.push(format!(
            "+ {:.2}×({})",
            neighbour.share,
            signed(neighbour.deviation)
        ));
    }
    if neighbours.len() > NEIGHBOURS_WRITTEN_OUT {
        let rest: f64 = neighbours[NEIGHBOURS_WRITTEN_OUT..]
            .iter()
            .map(|n| n.contribution)
            .sum();
        written.push(format!(
            "{} (the other {})",
            spaced(&signed_precise(rest)),
            neighbours.len() - NEIGHBOURS_WRITTEN_OUT
        ));
    }
    let factors: f64 = explanation.factors.iter().map(|f| f.contribution).sum();
    if !explanation.factors.is_empty() {
        written.push(format!("{} (p_u·q_i)", spaced(&signed_precise(factors))));
    }
    let features: f64 = explanation.features.iter().map(|f| f.contribution).sum();
    if !explanation.features.is_empty() {
        written.push(format!("{} (features)", spaced(&signed_precise(features))));
    }
    for part in &explanation.parts {
        written.push(format!("+ {:.2}×{:.3}", part.weight, part.explanation.raw));
    }
    if written.is_empty() {
        written.push("0".to_string());
    }
    let written = written.join(" ");
    let written = match written.strip_prefix("+ ") {
        Some(rest) => rest.to_string(),
        None => written,
    };
    (written, explanation.base() + explanation.contributions())
}

fn signed_precise(value: f64) -> String {
    if value < 0.0 {
        format!("−{:.3}", -value)
    } else {
        format!("+{value:.3}")
    }
}

/// `+0.5` → `+ 0.5`, for sums written out.
fn spaced(signed: &str) -> String {
    let mut chars = signed.chars();
    match chars.next() {
        Some(sign) => format!("{sign} {}", chars.as_str()),
        None => String::new(),
    }
}

fn reason_text(reason: &FallbackReason) -> String {
    match reason {
        FallbackReason::UnknownUser => "the user has no ratings".to_string(),
        FallbackReason::UnknownItem => "the item has no ratings".to_string(),
        FallbackReason::UnknownUserAndItem => "neither user nor item has ratings".to_string(),
        FallbackReason::TooFewNeighbours { found, required } => {
            format!("{found} neighbours found, {required} required")
        }
        FallbackReason::ZeroSimilarity => "the similarities sum to zero".to_string(),
        FallbackReason::Other { detail } => detail.clone(),
    }
}
