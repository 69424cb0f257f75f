//! The neighbours panel, the help overlay (generated from the key table), the jump
//! prompt, and the box and input line the typed prompts share.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use crate::core::explain::Entity;
use crate::tui::app::{App, JumpPrompt};
use crate::tui::keys::{Action, Group};
use crate::tui::text::{clean, fit};

fn panel<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(title, Style::new().fg(app.theme.title)))
}

pub fn render_neighbours(app: &App, area: Rect, buf: &mut Buffer) {
    let dim = Style::new().fg(app.theme.dim);
    let Some(list) = &app.neighbours else {
        panel(app, " Neighbours ".to_string()).render(area, buf);
        return;
    };
    let (what, name) = match list.of {
        Entity::User(user) => ("users", format!("user {}", app.user_label(user))),
        Entity::Item(item) => ("items", app.item_label(item).to_string()),
    };
    let room = area.width.saturating_sub(2) as usize;
    let query = &list.query;
    let long = format!(
        " {} most like {} · {}, ≥{} in common ({}) ",
        capitalised(what),
        clean(&name),
        query.kind,
        query.min_support,
        query.reason
    );
    let short = format!(
        " {} like {} · {} ≥{} ({}) ",
        capitalised(what),
        clean(&name),
        query.kind,
        query.min_support,
        query.reason
    );
    let bare = format!(
        " {} like {} · {} ≥{} ",
        capitalised(what),
        clean(&name),
        query.kind,
        query.min_support
    );
    let title = [long, short, bare]
        .into_iter()
        .find(|t| t.chars().count() <= room);
    let reason_in_title = title.as_ref().is_some_and(|t| t.contains(&query.reason));
    let title = title.unwrap_or_else(|| format!(" {} like {} ", capitalised(what), clean(&name)));
    let block = panel(app, fit(&title, room));
    let mut inner = block.inner(area);
    block.render(area, buf);
    if !reason_in_title && inner.height > 2 {
        // Why this measure, on the panel's last line when the title has no room.
        let footer = format!(
            "{}, ≥{} in common ({})",
            query.kind, query.min_support, query.reason
        );
        inner.height -= 1;
        buf.set_stringn(
            inner.x,
            inner.y + inner.height,
            fit(&footer, inner.width as usize),
            inner.width as usize,
            dim,
        );
    }
    let width = inner.width as usize;
    let lines: Vec<Line> = match &list.rows {
        None => vec![Line::styled("computing…", dim)],
        Some(Err(message)) => {
            Paragraph::new(Line::styled(message.clone(), dim))
                .wrap(Wrap { trim: true })
                .render(inner, buf);
            return;
        }
        Some(Ok(rows)) if rows.is_empty() => {
            vec![Line::styled(
                format!(
                    "no {what} share {} or more ratings with it",
                    list.query.min_support
                ),
                dim,
            )]
        }
        Some(Ok(rows)) => {
            // who | bar | similarity | co-rated count; user ids are kept whole (the
            // bar gives way first), item titles may be cut.
            let names: Vec<String> = rows
                .iter()
                .map(|row| match list.of {
                    Entity::User(_) => clean(app.user_label(row.index)),
                    Entity::Item(_) => clean(app.item_label(row.index)),
                })
                .collect();
            let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
            let room = width.saturating_sub(18);
            let who_width = match list.of {
                Entity::User(_) => longest.max(4).min(room),
                Entity::Item(_) => (width / 3).clamp(6, 24).min(room),
            }
            .max(1);
            let bar_width = width.saturating_sub(who_width + 15).max(4);
            let mut lines = vec![Line::styled(
                format!(
                    "{:<who_width$} {:<bar_width$} {:>6} {:>6}",
                    what.trim_end_matches('s'),
                    "similarity",
                    "",
                    "common"
                ),
                dim,
            )];
            for (row, who) in rows.iter().zip(names) {
                lines.push(Line::from(vec![
                    Span::raw(format!("{:<who_width$} ", fit(&clean(&who), who_width))),
                    Span::styled(
                        bar(row.similarity, bar_width),
                        Style::new().fg(app.theme.bar),
                    ),
                    Span::raw(format!(" {:>6.3} {:>6}", row.similarity, row.co_rated)),
                ]));
            }
            lines
        }
    };
    Paragraph::new(lines).render(inner, buf);
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A bar of `width` cells filled in proportion to a similarity in −1..1 (negative
/// similarities draw as an empty bar).
pub fn bar(similarity: f64, width: usize) -> String {
    let eighths = (similarity.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let full = eighths / 8;
    let partial = eighths % 8;
    let mut text = "█".repeat(full);
    if partial > 0 && full < width {
        text.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][partial]);
    }
    let used = text.chars().count();
    text.push_str(&"·".repeat(width.saturating_sub(used)));
    text
}

/// A rectangle of at most `width × height` centred in `area`.
pub(super) fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// The help lines for some groups: their actions with their keys, straight from the
/// key table.
pub fn help_lines(app: &App, groups: &[Group]) -> Vec<Line<'static>> {
    let key_style = Style::new()
        .fg(app.theme.accent)
        .add_modifier(Modifier::BOLD);
    let heading = Style::new()
        .fg(app.theme.title)
        .add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    for group in groups {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::styled(group.title().to_string(), heading));
        for action in Action::ALL.iter().filter(|a| a.group() == *group) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10}", app.keys.keys_text(*action)), key_style),
                Span::raw(action.description()),
            ]));
        }
    }
    lines
}

/// How far the help's scroll position may go: its lines in one column, less the
/// last (drawing scrolls no further than the last line at the bottom).
pub fn help_scroll_limit(app: &App) -> u16 {
    let all = [HELP_LEFT, HELP_RIGHT].concat();
    help_lines(app, &all).len().saturating_sub(1) as u16
}

const HELP_LEFT: &[Group] = &[Group::General, Group::Moving, Group::Experiment];
const HELP_RIGHT: &[Group] = &[Group::Algorithm, Group::View, Group::Screens];

pub fn render_help(app: &App, scroll: u16, area: Rect, buf: &mut Buffer) {
    let legend = Line::styled(
        "Cells: coloured = known rating · ? = unknown · ~3.7 = prediction (italic, no \
         colour) · 13.9k, 1e308 = large values shortened. Mouse: a click selects a cell, \
         an item (header) or a user (label); the wheel moves as ↑ ↓ do",
        Style::new().fg(app.theme.dim),
    );
    let two_columns = area.width >= 100;
    let (left, right) = if two_columns {
        (help_lines(app, HELP_LEFT), help_lines(app, HELP_RIGHT))
    } else {
        let all = [HELP_LEFT, HELP_RIGHT].concat();
        (help_lines(app, &all), Vec::new())
    };
    let width = if two_columns { 98 } else { 72 };
    let inner_width = width.min(area.width).saturating_sub(2).max(1) as usize;
    let legend_rows = legend.width().div_ceil(inner_width) as u16;
    let rows = left.len().max(right.len()) as u16 + 1 + legend_rows;
    let popup = centred(area, width, (rows + 2).min(area.height.saturating_sub(2)));
    Clear.render(popup, buf);
    let close = app.keys.keys_text(Action::Help);
    let block = panel(app, format!(" Keys ({close} or Esc closes, ↑↓ scroll) "));
    let inner = block.inner(popup);
    block.render(popup, buf);
    let [body, footer] = inner.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(legend_rows),
    ]));
    // Scrolled no further than the last line at the bottom: a help that fits does
    // not move at all.
    let longest = left.len().max(right.len()) as u16;
    let scroll = scroll.min(longest.saturating_sub(body.height));
    let [left_area, right_area] = body.layout(&Layout::horizontal([
        Constraint::Percentage(if two_columns { 50 } else { 100 }),
        Constraint::Fill(1),
    ]));
    Paragraph::new(left)
        .scroll((scroll, 0))
        .render(left_area, buf);
    Paragraph::new(right)
        .scroll((scroll, 0))
        .render(right_area, buf);
    Paragraph::new(legend)
        .wrap(Wrap { trim: true })
        .render(footer, buf);
}

/// The border and title of a typed prompt's box, `width` wide, the title cut to fit.
pub(super) fn prompt_block(app: &App, title: &str, width: u16) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.accent))
        .title(Span::styled(
            fit(title, width.saturating_sub(2) as usize),
            Style::new().fg(app.theme.title),
        ))
}

/// What was typed into a prompt (the what-if rating, the parameter editor), after `> `
/// and before the cursor, in `width` columns: the end of a longer text, after `…`, so
/// that what is typed stays in sight.
pub(super) fn input_line(app: &App, text: &str, width: usize) -> Line<'static> {
    Line::from(vec![
        Span::styled("> ", Style::new().fg(app.theme.dim)),
        Span::styled(
            tail(clean(text), width.saturating_sub(3)),
            Style::new()
                .fg(app.theme.accent)
                .add_modifier(Modifier::BOLD),
        ),
        Span::styled("▏", Style::new().fg(app.theme.cursor)),
    ])
}

/// `text` in at most `room` characters (one at the least): its end after `…` when it
/// is longer.
fn tail(text: String, room: usize) -> String {
    let count = text.chars().count();
    if count <= room {
        return text;
    }
    let kept = room.saturating_sub(1);
    let end: String = text.chars().skip(count - kept).collect();
    format!("…{end}")
}

pub fn render_jump(app: &App, prompt: &JumpPrompt, area: Rect, buf: &mut Buffer) {
    let height = prompt.matches.len().max(1) as u16 + 3;
    let mut popup = centred(area, 64, height);
    popup.y = area.y + 3.min(area.height.saturating_sub(height));
    Clear.render(popup, buf);
    let block = panel(
        app,
        " Jump to a user or item (Enter goes, Esc cancels) ".to_string(),
    );
    let mut lines = vec![Line::from(vec![
        Span::styled("/ ", Style::new().fg(app.theme.accent)),
        // Inside the borders, after "/ " and before the cursor.
        Span::raw(tail(
            clean(&prompt.text),
            popup.width.saturating_sub(5) as usize,
        )),
        Span::styled("▏", Style::new().fg(app.theme.cursor)),
    ])];
    if prompt.matches.is_empty() && !prompt.text.is_empty() {
        lines.push(Line::styled(
            "no user id, item id or title matches",
            Style::new().fg(app.theme.dim),
        ));
    }
    for (k, found) in prompt.matches.iter().enumerate() {
        let style = if k == prompt.selected {
            Style::new()
                .fg(app.theme.cursor)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let marker = if k == prompt.selected { "▶ " } else { "  " };
        lines.push(Line::styled(
            format!("{marker}{}", clean(&found.label)),
            style,
        ));
    }
    Paragraph::new(lines).block(block).render(popup, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_input_shows_its_end() {
        assert_eq!(tail("k=12".to_string(), 7), "k=12");
        assert_eq!(tail("k=12345".to_string(), 7), "k=12345");
        assert_eq!(tail("k=123456789".to_string(), 7), "…456789");
        assert_eq!(tail("ab".to_string(), 0), "…");
    }

    #[test]
    fn bars_fill_in_proportion_to_similarity() {
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██··");
        // 0.3 × 4 cells × 8 = 9.6 → 10 eighths: one full cell and a quarter one.
        assert_eq!(bar(0.3, 4), "█▎··");
        assert_eq!(bar(-0.4, 4), "····");
    }
}
