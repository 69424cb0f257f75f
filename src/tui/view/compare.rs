//! The compare screen: one small grid per chosen algorithm over the same cells, cells
//! where they disagree highlighted, and below, every algorithm's prediction of the
//! selected cell.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::matrix::{CELL_WIDTH, framed, predicted_text};
use super::status;
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::screens::compare::{
    DISAGREE_ABOVE, MAX_COMPARED, disagree, ratings_only, scores_ranks,
};
use crate::tui::text::{clean, compact, fit, signed_places, wrap_two_lines};
use crate::tui::worker::Lane;

const CELL_STEP: u16 = CELL_WIDTH + 1;
/// Lines of item titles above each grid.
const HEADER_LINES: u16 = 2;

fn panel(app: &App, title: String, width: u16) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(
            fit(&title, width.saturating_sub(2) as usize),
            Style::new().fg(app.theme.title),
        ))
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let chosen = app.compare.chosen.len() as u16;
    let [grids, table, status_line, hints] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(chosen.max(1) + 4),
        Constraint::Length(1),
        Constraint::Length(1),
    ]));
    if chosen == 0 {
        let key = app.keys.keys_text(Action::ToggleChoice);
        let text = format!(
            "No algorithm chosen. Pick one with {} / {} and add it with {key} (two to \
             {MAX_COMPARED}).",
            app.keys.keys_text(Action::NextAlgorithm),
            app.keys.keys_text(Action::PreviousAlgorithm)
        );
        let block = panel(app, " Compare ".to_string(), grids.width);
        let inner = block.inner(grids);
        block.render(grids, buf);
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
    } else {
        let constraints = vec![Constraint::Ratio(1, chosen as u32); chosen as usize];
        let parts = grids.layout_vec(&Layout::horizontal(constraints));
        for (position, part) in parts.iter().enumerate() {
            render_grid(app, position, *part, buf);
        }
    }
    render_table(app, table, buf);
    status::render_status(app, status_line, buf);
    status::render_hints(app, &hint_actions(app), hints, buf);
}

fn hint_actions(app: &App) -> Vec<Action> {
    let mut actions = vec![
        Action::Help,
        Action::Quit,
        Action::ToggleChoice,
        Action::NextAlgorithm,
        Action::PreviousAlgorithm,
        Action::NextScreen,
        Action::ShowMatrix,
    ];
    if !app.busy.is_empty() {
        actions.insert(2, Action::Cancel);
    }
    actions
}

/// The first of `count` positions shown from `start`, moved on so that `cursor` is
/// among them.
fn first_shown(start: usize, count: usize, cursor: usize) -> usize {
    if cursor >= start + count.max(1) {
        cursor + 1 - count.max(1)
    } else {
        start.min(cursor)
    }
}

fn render_grid(app: &App, position: usize, area: Rect, buf: &mut Buffer) {
    let Some(&algorithm) = app.compare.chosen.get(position) else {
        return;
    };
    let name = app.algorithms.get(algorithm).map_or("?", |s| s.name);
    let state = if app.compare.failed.contains_key(&algorithm) {
        " (could not be fitted)"
    } else if app.busy.contains_key(&Lane::Compare) && !has_predictions(app, position) {
        " (fitting…)"
    } else if app.compare.cancelled && !has_predictions(app, position) {
        " (cancelled)"
    } else {
        ""
    };
    let current = if algorithm == app.algorithm {
        "▸ "
    } else {
        ""
    };
    let block = panel(app, format!(" {current}{name}{state} "), area.width);
    let inner = block.inner(area);
    block.render(area, buf);

    // The user ids: whole up to eight characters, in grids narrower than the matrix.
    let label = super::matrix::label_width(app).clamp(6, 9).min(inner.width);
    let row_count = inner.height.saturating_sub(HEADER_LINES) as usize;
    let column_count = (inner.width.saturating_sub(label) / CELL_STEP) as usize;
    let first_row = first_shown(app.scroll.row, row_count, app.cursor.row);
    let first_column = first_shown(app.scroll.column, column_count, app.cursor.column);
    let rows = slice(&app.rows, first_row, row_count);
    let columns = slice(&app.columns, first_column, column_count);

    let header = Style::new().fg(app.theme.header);
    let cursor = Style::new()
        .fg(app.theme.cursor)
        .add_modifier(Modifier::BOLD);
    for (k, &item) in columns.iter().enumerate() {
        let x = inner.x + label + k as u16 * CELL_STEP;
        let style = if first_column + k == app.cursor.column {
            cursor
        } else {
            header
        };
        let [first, second] = wrap_two_lines(&clean(app.item_label(item)), CELL_WIDTH as usize);
        buf.set_stringn(x, inner.y, first, CELL_WIDTH as usize, style);
        buf.set_stringn(x, inner.y + 1, second, CELL_WIDTH as usize, style);
    }
    for (r, &user) in rows.iter().enumerate() {
        let y = inner.y + HEADER_LINES + r as u16;
        let row_selected = first_row + r == app.cursor.row;
        let style = if row_selected { cursor } else { header };
        let id_width = label.saturating_sub(1) as usize;
        let id = fit(&clean(app.user_label(user)), id_width);
        buf.set_stringn(inner.x, y, id, id_width, style);
        for (k, &item) in columns.iter().enumerate() {
            let x = inner.x + label + k as u16 * CELL_STEP;
            let selected = row_selected && first_column + k == app.cursor.column;
            let line = cell(app, position, user, item, selected);
            buf.set_line(x, y, &line, CELL_WIDTH);
        }
    }
}

fn slice<T: Copy>(order: &[T], first: usize, count: usize) -> Vec<T> {
    order.iter().skip(first).take(count).copied().collect()
}

fn has_predictions(app: &App, position: usize) -> bool {
    app.compare
        .selected
        .get(position)
        .is_some_and(Option::is_some)
}

/// One cell of one algorithm's grid: a known rating on its heat colour, this
/// algorithm's prediction of an unknown one (highlighted where the algorithms
/// disagree), `…` while it is being fitted.
fn cell(
    app: &App,
    position: usize,
    user: UserIndex,
    item: ItemIndex,
    selected: bool,
) -> Line<'static> {
    let theme = &app.theme;
    let matrix = &app.dataset.matrix;
    let scale = matrix.scale();
    let (text, style) = match matrix.rating(user, item) {
        Some(value) => (
            compact(value, CELL_WIDTH as usize - 1),
            Style::new()
                .fg(theme.heat_text)
                .bg(theme.heat_colour(value, scale.min, scale.max))
                .add_modifier(Modifier::BOLD),
        ),
        None => {
            let values = app.compare.predictions.get(&(user, item));
            let value = values.and_then(|v| v.get(position).copied().flatten());
            let differs = values.is_some_and(|v| disagree(&ratings_only(app, v)));
            match value {
                Some(value) if differs => (
                    predicted_text(value),
                    Style::new()
                        .fg(theme.heat_text)
                        .bg(theme.accent)
                        .add_modifier(Modifier::BOLD),
                ),
                Some(value) => (
                    predicted_text(value),
                    Style::new()
                        .fg(theme.predicted)
                        .add_modifier(Modifier::ITALIC),
                ),
                None => ("…".to_string(), Style::new().fg(theme.unknown)),
            }
        }
    };
    framed(app, text, style, selected)
}

fn render_table(app: &App, area: Rect, buf: &mut Buffer) {
    let Some((user, item)) = app.selected_cell() else {
        return;
    };
    let known = app.dataset.matrix.rating(user, item);
    let rated = ratings_only(app, &app.compare.selected);
    let present: Vec<f64> = rated.iter().flatten().copied().collect();
    let spread = match (
        present.iter().copied().reduce(f64::min),
        present.iter().copied().reduce(f64::max),
    ) {
        (Some(low), Some(high)) if present.len() > 1 => format!(
            " · spread {:.3}{}",
            high - low,
            if high - low > DISAGREE_ABOVE {
                " (they disagree)"
            } else {
                ""
            }
        ),
        _ => String::new(),
    };
    let rating = match known {
        Some(value) => format!("known rating {}", compact(value, 8)),
        None => "unknown".to_string(),
    };
    let title = format!(
        " User {} × {} · {rating}{spread} · highlighted: spread over {DISAGREE_ABOVE} ",
        clean(app.user_label(user)),
        clean(app.item_label(item))
    );
    let block = panel(app, title, area.width);
    let header_style = Style::new().fg(app.theme.header);
    let header = Row::new(vec![
        Cell::from("algorithm"),
        Cell::from(Line::from("prediction").right_aligned()),
        Cell::from(Line::from("− known").right_aligned()),
        Cell::from("title"),
    ])
    .style(header_style);
    let rows: Vec<Row> = (app.compare.chosen.iter().enumerate())
        .map(|(position, &algorithm)| {
            let spec = app.algorithms.get(algorithm);
            let value = app.compare.selected.get(position).copied().flatten();
            let prediction = value.map_or_else(|| "…".to_string(), |v| format!("{v:.3}"));
            let error = match (value, known) {
                _ if scores_ranks(app, position) => "n/a".to_string(),
                (Some(v), Some(k)) => signed_places(v - k, 3),
                _ => "–".to_string(),
            };
            let title = match spec {
                Some(spec) if scores_ranks(app, position) => {
                    format!("{} (a ranking score, not a rating)", spec.title)
                }
                Some(spec) => spec.title.to_string(),
                None => String::new(),
            };
            Row::new(vec![
                Cell::from(spec.map_or("?", |s| s.name)),
                Cell::from(Line::from(prediction).right_aligned())
                    .style(Style::new().fg(app.theme.accent)),
                Cell::from(Line::from(error).right_aligned()),
                Cell::from(title).style(Style::new().fg(app.theme.dim)),
            ])
        })
        .collect();
    Table::new(
        rows,
        [
            Constraint::Length(20),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(2)
    .block(block)
    .render(area, buf);
}
