//! The rating matrix: users as rows, items as columns, known ratings as a heatmap and
//! unknown cells as `?` or as a predicted value in a style of their own. Only the cells
//! on screen are drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use crate::tui::app::{App, GridPosition, SortOrder, Window};
use crate::tui::text::{clean, compact, fit, wrap_two_lines};

/// Characters of one cell's content; a one-space gap follows each cell.
pub const CELL_WIDTH: u16 = 6;
const CELL_STEP: u16 = CELL_WIDTH + 1;
/// Lines of item titles above the grid.
const HEADER_LINES: u16 = 2;
/// Characters of a cell's text between the cursor brackets.
const TEXT_WIDTH: usize = CELL_WIDTH as usize - 2;
/// Marks a predicted value so it never reads as a known rating.
pub const PREDICTED_MARK: char = '~';

fn block(app: &App) -> Block<'static> {
    let matrix = &app.dataset.matrix;
    let title = format!(
        " {} · {} users × {} items · {} ratings ({:.1}%) ",
        clean(&app.dataset_name),
        matrix.n_users(),
        matrix.n_items(),
        matrix.n_ratings(),
        matrix.density() * 100.0
    );
    let mut title = title;
    if app.row_order == SortOrder::MostRatings || app.column_order == SortOrder::MostRatings {
        title.push_str(&format!(
            "· users: {} · items: {} ",
            app.row_order.label(),
            app.column_order.label()
        ));
    }
    // The modes first: a long title is cut at its end.
    title.insert_str(1, &super::hold_out::title_note(app));
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(title, Style::new().fg(app.theme.title)))
}

/// Width of the user-id column: the longest id, within bounds.
pub(super) fn label_width(app: &App) -> u16 {
    let longest = app
        .dataset
        .user_ids
        .iter()
        .map(|id| id.chars().count())
        .max()
        .unwrap_or(0);
    (longest.clamp(4, 12) + 1) as u16
}

/// How many rows and columns fit in `area`.
pub fn window(app: &App, area: Rect) -> Window {
    let inner = block(app).inner(area);
    let columns = inner.width.saturating_sub(label_width(app)) / CELL_STEP;
    Window {
        rows: inner.height.saturating_sub(HEADER_LINES) as usize,
        columns: columns as usize,
    }
}

/// The grid position under the screen point `(x, y)` of the matrix drawn in `area`: a
/// data cell selects its user and item, an item's header its item (the user stays), a
/// user's label its user (the item stays). `None` off the grid.
pub fn cell_at(app: &App, area: Rect, x: u16, y: u16) -> Option<GridPosition> {
    let inner = block(app).inner(area);
    let window = window(app, area);
    let grid_x = inner.x + label_width(app);
    let grid_y = inner.y + HEADER_LINES;
    if !inner.contains(Position { x, y }) {
        return None;
    }
    let column = match x.checked_sub(grid_x) {
        Some(offset) if usize::from(offset / CELL_STEP) < window.columns => {
            app.scroll.column + usize::from(offset / CELL_STEP)
        }
        Some(_) => return None,
        None => app.cursor.column,
    };
    let row = match y.checked_sub(grid_y) {
        Some(offset) if usize::from(offset) < window.rows => app.scroll.row + usize::from(offset),
        Some(_) => return None,
        None => app.cursor.row,
    };
    (row < app.rows.len() && column < app.columns.len()).then_some(GridPosition { row, column })
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = block(app);
    let inner = block.inner(area);
    block.render(area, buf);
    let window = window(app, area);
    let label = label_width(app);
    let theme = &app.theme;
    let header_style = Style::new().fg(theme.header);
    let cursor_header = Style::new().fg(theme.cursor).add_modifier(Modifier::BOLD);

    let corner = match app.row_order {
        SortOrder::FileOrder => "user",
        SortOrder::MostRatings => "user↓",
    };
    buf.set_stringn(inner.x, inner.y, corner, label as usize, header_style);

    let column_end = (app.scroll.column + window.columns).min(app.columns.len());
    let columns = &app.columns[app.scroll.column.min(column_end)..column_end];
    for (k, &item) in columns.iter().enumerate() {
        let x = inner.x + label + k as u16 * CELL_STEP;
        let selected = app.scroll.column + k == app.cursor.column;
        let style = if selected {
            cursor_header
        } else {
            header_style
        };
        let [first, second] = wrap_two_lines(&clean(app.item_label(item)), CELL_WIDTH as usize);
        buf.set_stringn(x, inner.y, first, CELL_WIDTH as usize, style);
        buf.set_stringn(x, inner.y + 1, second, CELL_WIDTH as usize, style);
    }

    let row_end = (app.scroll.row + window.rows).min(app.rows.len());
    let rows = &app.rows[app.scroll.row.min(row_end)..row_end];
    for (r, &user) in rows.iter().enumerate() {
        let y = inner.y + HEADER_LINES + r as u16;
        let row_selected = app.scroll.row + r == app.cursor.row;
        let style = if row_selected {
            cursor_header
        } else {
            header_style
        };
        let id = fit(&clean(app.user_label(user)), label as usize - 1);
        buf.set_stringn(inner.x, y, id, label as usize - 1, style);
        for (k, &item) in columns.iter().enumerate() {
            let x = inner.x + label + k as u16 * CELL_STEP;
            let selected = row_selected && app.scroll.column + k == app.cursor.column;
            let cell = cell(app, user, item, selected);
            buf.set_line(x, y, &cell, CELL_WIDTH);
        }
    }
}

/// One cell: `[..]` around the selected one; known ratings on their heat colour;
/// predictions italic and marked `~` on no background; unknown cells `?`.
fn cell(app: &App, user: u32, item: u32, selected: bool) -> Line<'static> {
    let theme = &app.theme;
    let matrix = &app.dataset.matrix;
    let scale = matrix.scale();
    if let Some((text, style)) = super::hold_out::cell_look(app, user, item) {
        return framed(app, text, style, selected);
    }
    let (text, style) = match matrix.rating(user, item) {
        Some(value) => (
            compact(value, CELL_WIDTH as usize - 1),
            Style::new()
                .fg(theme.heat_text)
                .bg(theme.heat_colour(value, scale.min, scale.max))
                .add_modifier(Modifier::BOLD),
        ),
        None if app.show_predictions => match app.prediction(user, item) {
            Some(value) => (
                predicted_text(value),
                Style::new()
                    .fg(theme.predicted)
                    .add_modifier(Modifier::ITALIC | Modifier::DIM),
            ),
            None => ("…".to_string(), Style::new().fg(theme.unknown)),
        },
        None => ("?".to_string(), Style::new().fg(theme.unknown)),
    };
    framed(app, text, style, selected)
}

/// A cell's text in its style, within the cursor's brackets when selected.
pub fn framed(app: &App, text: String, style: Style, selected: bool) -> Line<'static> {
    let theme = &app.theme;
    // Text wider than the space between the brackets takes the whole cell; the
    // selected cell then shows its cursor by style alone.
    if text.chars().count() > TEXT_WIDTH {
        let body = if selected {
            style
                .fg(theme.cursor)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            style
        };
        return Line::from(Span::styled(
            format!("{text:^w$}", w = CELL_WIDTH as usize),
            body,
        ));
    }
    let (open, close, bracket, body) = if selected {
        let bracket = style
            .fg(theme.cursor)
            .remove_modifier(Modifier::ITALIC | Modifier::DIM)
            .add_modifier(Modifier::BOLD);
        ("[", "]", bracket, style.add_modifier(Modifier::UNDERLINED))
    } else {
        (" ", " ", style.remove_modifier(Modifier::ITALIC), style)
    };
    Line::from(vec![
        Span::styled(open, bracket),
        Span::styled(format!("{text:^4}"), body),
        Span::styled(close, bracket),
    ])
}

/// A prediction as the grid shows it: `~3.7`, `~10.0`, `~13.9k`, `~1e308`, marked `~`
/// and at most [`CELL_WIDTH`] characters.
pub fn predicted_text(value: f64) -> String {
    // One decimal whenever it fits, so that a column reads evenly; a value that
    // rounds to zero is 0.0, never −0.0.
    let shown = if (value * 10.0).round() == 0.0 {
        0.0
    } else {
        value
    };
    let sign = if shown < 0.0 { "−" } else { "" };
    let short = format!("{PREDICTED_MARK}{sign}{:.1}", shown.abs());
    if short.chars().count() < CELL_WIDTH as usize {
        return short;
    }
    format!(
        "{PREDICTED_MARK}{}",
        compact(value, CELL_WIDTH as usize - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::predicted_text;

    #[test]
    fn predictions_read_with_one_decimal_and_huge_ones_stay_numbers() {
        assert_eq!(predicted_text(3.66), "~3.7");
        assert_eq!(predicted_text(-0.33), "~−0.3");
        assert_eq!(predicted_text(-0.04), "~0.0");
        assert_eq!(predicted_text(13.94), "~13.9");
        // Multiplying by ten to round would overflow to infinity; the value is
        // shortened to the cell's five characters instead: 1.7e308 → 2e308.
        assert_eq!(predicted_text(1.7e308), "~2e308");
    }
}
