//! The explanation panel: how the selected cell's value was computed, from the
//! structured explanation the model returned (terms, neighbours, the formula with its
//! numbers, clipping, fallback, notes).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use crate::core::explain::{Entity, Explanation, FallbackReason, NeighbourTerm, Prediction};
use crate::tui::app::{App, params_text};
use crate::tui::text::{clean, compact, fit, format_rating, number, signed, signed_places};
use crate::tui::view::matrix::predicted_text;

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
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let height = inner.height as usize;
    let rows = wrap(lines(app, width), width);
    let (shown, more_below) = visible(rows, height, app.explain_scroll as usize);
    let mut shown = shown;
    if more_below && let Some(last) = shown.last_mut() {
        *last = Line::styled(
            fit(&more_marker(app), width),
            Style::new()
                .fg(app.theme.accent)
                .add_modifier(Modifier::BOLD),
        );
    }
    Paragraph::new(shown).render(inner, buf);
}

/// The rows of `rows` that fit `height` after scrolling past `scroll` (clamped so that
/// the last page stays full), and whether more follow below.
pub fn visible(
    rows: Vec<Line<'static>>,
    height: usize,
    scroll: usize,
) -> (Vec<Line<'static>>, bool) {
    let scroll = scroll.min(rows.len().saturating_sub(height));
    let more_below = rows.len() > scroll + height;
    let shown = rows.into_iter().skip(scroll).take(height).collect();
    (shown, more_below)
}

/// The marker drawn on the panel's last row when the explanation goes on below.
fn more_marker(app: &App) -> String {
    format!("▼ more below — {} to scroll", app.keys.scroll_keys_text())
}

/// Breaks lines wider than `width` into rows, between words where possible, keeping
/// each piece's style; every returned line fits one row.
pub fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut rows = Vec::new();
    for line in lines {
        if line.width() <= width {
            rows.push(line);
            continue;
        }
        let pieces: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|span| span.content.chars().map(move |c| (c, span.style)))
            .collect();
        let mut start = 0;
        while start < pieces.len() {
            let mut end = start;
            let mut used = 0;
            let mut last_space = None;
            while end < pieces.len() {
                let w = Span::raw(pieces[end].0.to_string()).width();
                if used + w > width {
                    break;
                }
                used += w;
                if pieces[end].0 == ' ' {
                    last_space = Some(end);
                }
                end += 1;
            }
            if end < pieces.len()
                && let Some(space) = last_space
                && space > start
            {
                end = space + 1;
            }
            if end == start {
                end = start + 1;
            }
            rows.push(styled_row(&pieces[start..end]));
            start = end;
        }
    }
    rows
}

fn styled_row(pieces: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = None;
    for &(c, piece_style) in pieces {
        if style.is_some_and(|s| s != piece_style) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                style.unwrap_or_default(),
            ));
        }
        style = Some(piece_style);
        text.push(c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style.unwrap_or_default()));
    }
    Line::from(spans)
}

/// The panel's text for the selected cell, for a panel `width` characters wide: the
/// value and the formula with its numbers first (always in view), then the algorithm,
/// the terms, the neighbours, and last the notes on the policies applied.
pub fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let label = Style::new().fg(theme.dim);
    let accent = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    let Some((user, item)) = app.selected_cell() else {
        out.push(Line::from("The matrix is empty."));
        return out;
    };

    out.extend(super::hold_out::explain_lines(app, user, item));
    let known = app.dataset.matrix.rating(user, item);
    if let Some(value) = known {
        out.push(Line::from(vec![
            Span::styled("Known rating  ", label),
            Span::styled(format_rating(value), accent),
        ]));
    }

    let Some(fitted) = &app.model else {
        if app.busy_fitting() {
            let name = app.spec().map(|s| s.name).unwrap_or("the model");
            out.push(Line::styled(format!("Fitting {name}…"), label));
        } else {
            out.push(Line::styled("No model fitted (press a to fit one).", label));
        }
        return out;
    };
    let stale = app.spec().map(|s| s.name) != Some(fitted.spec.name)
        || app.current_params() != Some(&fitted.params);
    if let Some(prediction) = &app.selected {
        value_lines(app, prediction, known.is_some(), &mut out);
    }
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
    if app.busy_fitting() {
        out.push(Line::styled("(fitting; this is the previous model)", label));
    } else if stale {
        out.push(Line::styled(
            "(fitting stopped; this is the previous model)",
            label,
        ));
    }
    if let Some(prediction) = &app.selected {
        explanation_lines(app, prediction, width, &mut out);
    }
    out
}

/// The value, the formula with its numbers, and what changed the value (clipping,
/// fallback): the lines that must always be in view.
fn value_lines(app: &App, prediction: &Prediction, known: bool, out: &mut Vec<Line<'static>>) {
    let theme = &app.theme;
    let label = Style::new().fg(theme.dim);
    let accent = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let explanation = &prediction.explanation;
    if known {
        out.push(Line::from(vec![
            Span::styled("Prediction ", label),
            Span::styled(number(prediction.value), accent),
            Span::styled(" for comparison", label),
        ]));
        out.push(Line::styled(
            "(this rating is in the training data, so the prediction can use it)",
            label,
        ));
    } else if explanation.ranked.is_none() {
        out.push(Line::from(vec![
            Span::styled("Value    ", label),
            Span::styled(number(prediction.value), accent),
            Span::styled(
                format!("  (grid: {})", predicted_text(prediction.value)),
                label,
            ),
        ]));
    }
    if let Some(ranked) = &explanation.ranked {
        out.push(Line::from(vec![
            Span::styled("Score    ", label),
            Span::styled(number(ranked.score), accent),
            Span::styled("  (a ranking score, not a rating)", label),
        ]));
        out.push(Line::from(vec![
            Span::styled("Rank     ", label),
            Span::styled(format!("{}", ranked.rank), accent),
            // A known cell is ranked among the user's new items as if it were one.
            Span::raw(if known {
                format!(" of {} items, were it new to this user", ranked.of)
            } else {
                format!(" of {} items new to this user", ranked.of)
            }),
        ]));
    }
    let (written, sum) = substituted(explanation);
    let symbol = if explanation.ranked.is_some() {
        "s = "
    } else {
        "r̂ = "
    };
    out.push(Line::from(vec![
        Span::styled(symbol, label),
        Span::raw(format!("{written} = ")),
        Span::styled(number(sum), accent),
    ]));
    let scale = app.dataset.matrix.scale();
    if (prediction.value - explanation.raw).abs() > 1e-12 {
        out.push(Line::from(vec![
            Span::styled("Clipped  ", label),
            Span::raw(format!(
                "{} to the scale {}–{}: {}",
                number(explanation.raw),
                format_rating(scale.min),
                format_rating(scale.max),
                number(prediction.value)
            )),
        ]));
    }
    if (sum - explanation.raw).abs() > 1e-9 * explanation.raw.abs().max(1.0) {
        out.push(Line::styled(
            format!(
                "(the parts sum to {} but the model reports {})",
                number(sum),
                number(explanation.raw)
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
    let explanation = &prediction.explanation;

    out.push(Line::from(""));
    out.push(Line::from(vec![
        Span::styled("Formula  ", label),
        Span::styled(explanation.formula.clone(), heading),
    ]));
    for term in &explanation.terms {
        let value = number(term.value);
        let meaning_width = width.saturating_sub(10 + value.chars().count()).max(8);
        out.push(Line::from(format!(
            "  {:<6} {:<meaning_width$} {value}",
            fit(&term.symbol, 6),
            fit(&term.meaning, meaning_width),
        )));
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
    // Contributions to three decimals, as the terms of the formula above.
    const FACTORS_LISTED: usize = 5;
    for factor in explanation.factors.iter().take(FACTORS_LISTED) {
        out.push(Line::from(format!(
            "  f{:<3} p {:>6} q {:>6} → {}",
            factor.factor,
            number(factor.user_value),
            number(factor.item_value),
            signed_places(factor.contribution, 3)
        )));
    }
    // The rest of the dot product, so that the factors listed and this line add up to
    // the p_u·q_i of the formula.
    if let Some(rest) = explanation.factors.get(FACTORS_LISTED..)
        && !rest.is_empty()
    {
        let total: f64 = rest.iter().map(|f| f.contribution).sum();
        let label = format!("the other {} factors", rest.len());
        // Aligned with the arrows of the factor lines above.
        out.push(Line::from(format!(
            "  {label:<22} → {}",
            signed_places(total, 3)
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
            "  {:<14} weight {:.2} × {}",
            fit(&clean(&part.label), 14),
            part.weight,
            number(part.explanation.raw)
        )));
    }
    // The policies last: the numbers above are what the cell is made of.
    if !explanation.notes.is_empty() {
        out.push(Line::from(""));
    }
    for note in &explanation.notes {
        out.push(Line::styled(format!("• {note}"), label));
    }
}

/// A column of the neighbour table besides the neighbour's name.
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Similarity,
    Rating,
    Deviation,
    Share,
    Contribution,
}

impl Column {
    /// In the order they are given up when the panel is narrow (last first).
    const BY_PRIORITY: [Column; 5] = [
        Column::Similarity,
        Column::Contribution,
        Column::Rating,
        Column::Share,
        Column::Deviation,
    ];
    /// In the order they are drawn.
    const DRAWN: [Column; 5] = [
        Column::Similarity,
        Column::Rating,
        Column::Deviation,
        Column::Share,
        Column::Contribution,
    ];

    fn width(self) -> usize {
        match self {
            Column::Similarity => 5,
            Column::Rating => 5,
            Column::Deviation | Column::Contribution => 7,
            // "100.0%" and "−12.5%" (a negative similarity's share) are six wide.
            Column::Share => 6,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Column::Similarity => "sim",
            Column::Rating => "r",
            Column::Deviation => "dev",
            Column::Share => "share",
            Column::Contribution => "contr",
        }
    }

    fn cell(self, neighbour: &NeighbourTerm) -> String {
        match self {
            Column::Similarity => format!("{:.2}", neighbour.similarity),
            Column::Rating => compact(neighbour.rating, self.width()),
            Column::Deviation => compact_signed(neighbour.deviation, self.width()),
            Column::Share => format!("{:.1}%", neighbour.share * 100.0),
            Column::Contribution => compact_signed(neighbour.contribution, self.width()),
        }
    }
}

/// `signed` within `width` characters.
fn compact_signed(value: f64, width: usize) -> String {
    let text = signed(value);
    if text.chars().count() <= width {
        return text;
    }
    let sign = if value < 0.0 { "−" } else { "+" };
    format!("{sign}{}", compact(value.abs(), width - 1))
}

fn neighbour_table(
    app: &App,
    explanation: &Explanation,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let label = Style::new().fg(app.theme.dim);
    let names: Vec<String> = explanation
        .neighbours
        .iter()
        .map(|neighbour| match neighbour.neighbour {
            Entity::User(user) => clean(app.user_label(user)),
            Entity::Item(item) => clean(app.item_label(item)),
        })
        .collect();
    let users = explanation
        .neighbours
        .iter()
        .all(|n| matches!(n.neighbour, Entity::User(_)));
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    // Ids are never cut; titles may be, down to 16 characters, before any number
    // column is given up.
    let who_wanted = if users {
        longest.max(4)
    } else {
        longest.clamp(4, 16)
    };
    let mut used = 0;
    let mut columns = Vec::new();
    for column in Column::BY_PRIORITY {
        if who_wanted + used + 1 + column.width() <= width || columns.is_empty() {
            used += 1 + column.width();
            columns.push(column);
        }
    }
    let who_width = width.saturating_sub(used).min(longest.max(4)).max(1);
    let drawn: Vec<Column> = Column::DRAWN
        .into_iter()
        .filter(|c| columns.contains(c))
        .collect();
    let mut header = format!("{:<who_width$}", if users { "user" } else { "item" });
    for column in &drawn {
        header.push_str(&format!(" {:>w$}", column.header(), w = column.width()));
    }
    out.push(Line::styled(header, label));
    for (neighbour, name) in explanation.neighbours.iter().zip(&names) {
        let mut row = format!("{:<who_width$}", fit(name, who_width));
        for column in &drawn {
            row.push_str(&format!(
                " {:>w$}",
                column.cell(neighbour),
                w = column.width()
            ));
        }
        out.push(Line::from(row));
    }
}

/// The formula with its numbers, e.g. `3.500 + 0.625×(+1.000) + 0.375×(−0.500)`, and the
/// sum of what it writes (base terms plus every contribution).
pub fn substituted(explanation: &Explanation) -> (String, f64) {
    let mut written = Vec::new();
    for (k, term) in explanation.terms.iter().enumerate() {
        if k == 0 {
            written.push(number(term.value));
        } else {
            written.push(spaced(&signed_precise(term.value)));
        }
    }
    // Neighbours listed for context only (share 0, e.g. AutoRec's nearest items) add
    // nothing and are left out of the sum.
    let neighbours: Vec<_> = (explanation.neighbours.iter())
        .filter(|n| n.share != 0.0)
        .collect();
    // Three decimals on both sides, so that the terms written add up to the value
    // shown to within rounding of the last digit.
    for neighbour in neighbours.iter().take(NEIGHBOURS_WRITTEN_OUT) {
        written.push(format!(
            "+ {:.3}×({})",
            neighbour.share,
            signed_precise(neighbour.deviation)
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
        written.push(format!(
            "+ {:.2}×{}",
            part.weight,
            number(part.explanation.raw)
        ));
    }
    if written.is_empty() {
        written.push("0".to_string());
    }
    let written = written.join(" ");
    // The first term carries its sign without the gap a sum puts after it.
    let written = match (written.strip_prefix("+ "), written.strip_prefix("− ")) {
        (Some(rest), _) => rest.to_string(),
        (None, Some(rest)) => format!("−{rest}"),
        (None, None) => written,
    };
    (written, explanation.base() + explanation.contributions())
}

fn signed_precise(value: f64) -> String {
    match number(value) {
        negative if negative.starts_with('−') => negative,
        other => format!("+{other}"),
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
