//! How the matrix shows its hold-out and what-if modes: hidden ratings coloured by
//! the error of their prediction, predictions an edit moved, the mode's figures in the
//! status line and title, and the prompt for a new rating.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use super::matrix::predicted_text;
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::tui::app::App;
use crate::tui::screens::hold_out::ErrorBand;
use crate::tui::screens::what_if::RatingPrompt;
use crate::tui::text::{clean, compact, signed_places};

/// The background of a hidden rating by the error of its prediction.
pub fn band_colour(band: ErrorBand) -> Color {
    match band {
        ErrorBand::Close => Color::Green,
        ErrorBand::Near => Color::Yellow,
        ErrorBand::Far => Color::Red,
    }
}

/// The text and style of a cell the modes draw differently, or `None` for the
/// matrix's usual look: a hidden rating shows its prediction on its error colour
/// (`…` until predicted); a prediction an edit moved is highlighted.
pub fn cell_look(app: &App, user: UserIndex, item: ItemIndex) -> Option<(String, Style)> {
    let theme = &app.theme;
    if let Some(hidden) = app.hold_out.hidden(user, item) {
        return Some(match hidden.prediction {
            Some(value) => (
                predicted_text(value),
                Style::new()
                    .fg(Color::Black)
                    .bg(band_colour(ErrorBand::of(value, hidden.rating)))
                    .add_modifier(Modifier::BOLD),
            ),
            None => ("…".to_string(), Style::new().fg(theme.accent)),
        });
    }
    if app.show_predictions
        && app.what_if.moved.contains(&(user, item))
        && app.dataset.matrix.rating(user, item).is_none()
    {
        let value = app.prediction(user, item)?;
        return Some((
            predicted_text(value),
            Style::new()
                .fg(theme.heat_text)
                .bg(theme.accent)
                .add_modifier(Modifier::BOLD),
        ));
    }
    None
}

/// What the matrix title says first for the modes, e.g. `HOLD-OUT 10%: 46 hidden · `.
pub fn title_note(app: &App) -> String {
    let mut note = String::new();
    if let Some(active) = &app.hold_out.active {
        note.push_str(&format!(
            "HOLD-OUT {:.0}%: {} hidden · ",
            active.share * 100.0,
            active.order.len()
        ));
    }
    let edits = app.what_if.edits.len();
    if edits > 0 {
        let plural = if edits == 1 { "" } else { "s" };
        note.push_str(&format!("EDITED ({edits} edit{plural}) · "));
    }
    note
}

/// The hold-out's figures and colour legend for the status line.
pub fn status_spans(app: &App, base: Style) -> Vec<Span<'static>> {
    let Some(active) = &app.hold_out.active else {
        return Vec::new();
    };
    let figures = match active.scores {
        Some(scores) => format!("│ hold-out RMSE {:.3} MAE {:.3} ", scores.rmse, scores.mae),
        None => "│ hold-out: predicting… ".to_string(),
    };
    let swatch = |band| Span::styled("  ", base.bg(band_colour(band)));
    vec![
        Span::styled(figures, base.fg(app.theme.accent)),
        Span::styled("|err| ", base),
        swatch(ErrorBand::Close),
        Span::styled("<0.5 ", base),
        swatch(ErrorBand::Near),
        Span::styled("<1 ", base),
        swatch(ErrorBand::Far),
        Span::styled("≥1 ", base),
    ]
}

/// The hidden rating beside its prediction, for the explanation panel.
pub fn explain_lines(app: &App, user: UserIndex, item: ItemIndex) -> Vec<Line<'static>> {
    let Some(hidden) = app.hold_out.hidden(user, item) else {
        return Vec::new();
    };
    let label = Style::new().fg(app.theme.dim);
    let accent = Style::new()
        .fg(app.theme.accent)
        .add_modifier(Modifier::BOLD);
    let rating = compact(hidden.rating, 8);
    let mut lines = vec![Line::from(vec![
        Span::styled("Held-out rating  ", label),
        Span::styled(rating.clone(), accent),
        Span::styled("  (hidden from the fit)", label),
    ])];
    if let Some(value) = hidden.prediction {
        let error = value - hidden.rating;
        lines.push(Line::from(vec![
            Span::styled("Error  ", label),
            Span::styled(format!("{value:.3} − {rating} = "), label),
            Span::styled(
                signed_places(error, 3),
                Style::new()
                    .fg(band_colour(ErrorBand::of(value, hidden.rating)))
                    .add_modifier(Modifier::BOLD),
            ),
        ]));
    }
    lines
}

/// The `e` prompt, near the top of the screen.
pub fn render_rating_prompt(app: &App, prompt: &RatingPrompt, area: Rect, buf: &mut Buffer) {
    let width = 56.min(area.width);
    let height = 5.min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + 3.min(area.height.saturating_sub(height)),
        width,
        height,
    );
    Clear.render(popup, buf);
    let scale = app.dataset.matrix.scale();
    let now = match app.dataset.matrix.rating(prompt.user, prompt.item) {
        Some(value) => format!("now {}", compact(value, 8)),
        None => "unknown".to_string(),
    };
    let title = format!(
        " Rating for {} × {} ({now}; {} to {}) ",
        clean(app.user_label(prompt.user)),
        clean(app.item_label(prompt.item)),
        scale.min,
        scale.max
    );
    let block = super::overlays::prompt_block(app, &title, width);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let mut lines = vec![super::overlays::input_line(
        app,
        &prompt.text,
        inner.width as usize,
    )];
    match &prompt.error {
        Some(error) => lines.push(Line::styled(
            error.clone(),
            Style::new().fg(app.theme.error),
        )),
        None => lines.push(Line::styled(
            "Enter sets the rating (in memory only), Esc cancels",
            Style::new().fg(app.theme.dim),
        )),
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}
