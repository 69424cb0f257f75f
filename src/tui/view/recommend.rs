//! The recommend screen: the top-N list for the selected user by the current model,
//! with score, title and reason, beside the user's own highest ratings.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};

use crate::data::format_value;
use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::text::{clean, fit, wrap_two_lines};

fn panel<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(title, Style::new().fg(app.theme.title)))
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let side = (area.width * 3 / 10).clamp(28, 48);
    let [list, user] = area.layout(&Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(side),
    ]));
    render_list(app, list, buf);
    render_user(app, user, buf);
}

fn render_list(app: &App, area: Rect, buf: &mut Buffer) {
    let dim = Style::new().fg(app.theme.dim);
    let shown = app.recommend_screen.list.as_ref();
    let title = match shown {
        Some(list) => format!(
            " Top {} for user {} · {} ",
            list.rows.as_ref().map_or(0, Vec::len),
            clean(app.user_label(list.user)),
            list.algorithm
        ),
        None => " Recommendations ".to_string(),
    };
    let block = panel(app, fit(&title, area.width.saturating_sub(2) as usize));
    let inner = block.inner(area);
    block.render(area, buf);

    let Some(list) = shown else {
        let text = match app.spec() {
            Some(spec) => format!("fitting {}; the list shows when it is ready", spec.name),
            None => "no algorithm to rank with".to_string(),
        };
        Paragraph::new(Line::styled(text, dim))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    };
    let Some(rows) = &list.rows else {
        Line::styled("ranking…", dim).render(inner, buf);
        return;
    };
    if rows.is_empty() {
        Paragraph::new(Line::styled(
            "nothing to recommend: this user rated every item",
            dim,
        ))
        .wrap(Wrap { trim: true })
        .render(inner, buf);
        return;
    }

    let width = inner.width as usize;
    let labels: Vec<String> = rows.iter().map(|r| clean(app.item_label(r.item))).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    // "rank " (4) + "score  " (8) + the gap after the title (1): the rest goes to
    // title and reason.
    let room = width.saturating_sub(13);
    let title_width = longest.clamp(4, (room * 2 / 5).max(4));
    let reason_width = room.saturating_sub(title_width);
    let header = Style::new()
        .fg(app.theme.header)
        .add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::styled(
        format!(
            "{:>3} {:>6}  {:<title_width$} {}",
            "#", "score", "item", "why"
        ),
        header,
    )];
    // A reason too long for its column takes a second line when all rows can.
    let two_lines = rows.len() * 2 < inner.height as usize;
    let indent = " ".repeat(width.saturating_sub(reason_width));
    for (rank, (row, label)) in rows.iter().zip(&labels).enumerate() {
        let reason = clean(&row.reason);
        let [first, second] = if two_lines {
            wrap_two_lines(&reason, reason_width)
        } else {
            [fit(&reason, reason_width), String::new()]
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>3} ", rank + 1), dim),
            Span::styled(
                format!("{:>6.3}  ", row.score),
                Style::new().fg(app.theme.accent),
            ),
            Span::raw(format!("{:<title_width$} ", fit(label, title_width))),
            Span::styled(first, dim),
        ]));
        if !second.is_empty() {
            lines.push(Line::styled(format!("{indent}{second}"), dim));
        }
    }
    if app.busy_fitting() {
        lines.push(Line::styled(
            "a new model is being fitted; this list is from the one before",
            dim,
        ));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn render_user(app: &App, area: Rect, buf: &mut Buffer) {
    let dim = Style::new().fg(app.theme.dim);
    let Some(user) = app.recommend_user() else {
        panel(app, " User ".to_string()).render(area, buf);
        return;
    };
    let block = panel(
        app,
        fit(
            &format!(" User {} ", clean(app.user_label(user))),
            area.width.saturating_sub(2) as usize,
        ),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let matrix = &app.dataset.matrix;
    let mut lines = vec![
        Line::from(format!(
            "{} ratings, mean {}",
            matrix.user_count(user),
            matrix
                .user_mean(user)
                .map_or("–".to_string(), |m| format!("{m:.2}"))
        )),
        Line::styled(
            fit(
                &format!(
                    "user {} of {} ({})",
                    app.cursor.row + 1,
                    app.rows.len(),
                    arrows(app)
                ),
                width,
            ),
            dim,
        ),
        Line::from(""),
        Line::styled(
            "Their highest ratings",
            Style::new()
                .fg(app.theme.header)
                .add_modifier(Modifier::BOLD),
        ),
    ];
    let room = inner.height.saturating_sub(lines.len() as u16) as usize;
    for (item, rating) in app.top_rated(user, room) {
        let value = format_value(rating);
        let title_width = width.saturating_sub(value.chars().count() + 1);
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:<title_width$} ",
                fit(&clean(app.item_label(item)), title_width)
            )),
            Span::styled(value, Style::new().fg(app.theme.accent)),
        ]));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The keys that change the user, e.g. `↑/↓`.
fn arrows(app: &App) -> String {
    let first = |action| {
        app.keys
            .keys(action)
            .first()
            .map_or("?".to_string(), |k| k.to_string())
    };
    format!("{}/{}", first(Action::MoveUp), first(Action::MoveDown))
}
