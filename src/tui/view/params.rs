//! The parameter editor over the screen: the selected algorithm's parameters with
//! their values, ranges, defaults and meaning (worded as `recscope algorithms` words
//! them), the highlighted one's help whole, and the `name=value` line being typed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::explain::wrap;
use super::overlays::{centred, input_line, prompt_block};
use crate::core::algorithms::AlgorithmSpec;
use crate::core::params::ParamSpec;
use crate::data::{ParamEntry, param_entry, values_text};
use crate::tui::app::App;
use crate::tui::screens::params::ParamsPrompt;
use crate::tui::text::fit;

/// The widest the editor grows on a large terminal.
const MAX_WIDTH: u16 = 110;
/// Rows at most of the reason an entry was refused.
const ERROR_ROWS: usize = 4;
/// Rows the table keeps (its header included), when there are that many, however
/// long the highlighted parameter's help.
const MIN_TABLE_ROWS: usize = 4;
/// The fewest characters of help the table keeps a column for, narrowing the
/// accepted values' column if it must.
const MIN_HELP_WIDTH: usize = 12;
/// Widest value, accepted values and default columns; longer texts are cut.
const VALUE_WIDTH: usize = 14;
const ACCEPTS_WIDTH: usize = 24;
const DEFAULT_WIDTH: usize = 12;
const GAP: &str = "  ";

/// One parameter as the table shows it.
struct Row {
    entry: ParamEntry,
    value: String,
    accepts: String,
    default: String,
    /// Whether the value differs from the default.
    changed: bool,
}

impl Row {
    fn of(app: &App, spec: &ParamSpec) -> Row {
        let entry = param_entry(spec);
        let value = app
            .current_params()
            .and_then(|params| params.get(spec.name).cloned())
            .unwrap_or_else(|| spec.default_value());
        let values = values_text(&entry);
        let accepts = match entry.kind.as_str() {
            "int" | "float" => format!("{} {values}", entry.kind),
            _ => values,
        };
        Row {
            changed: value != entry.default,
            value: value.to_string(),
            accepts,
            default: entry.default.to_string(),
            entry,
        }
    }
}

/// Column widths of the table.
struct Columns {
    name: usize,
    value: usize,
    accepts: usize,
    default: usize,
    help: usize,
}

impl Columns {
    fn of(rows: &[Row], width: usize) -> Columns {
        let widest = |label: &str, text: fn(&Row) -> &str, cap: usize| {
            rows.iter()
                .map(text)
                .chain([label])
                .map(|text| text.chars().count())
                .max()
                .unwrap_or(0)
                .min(cap)
        };
        let name = widest("parameter", |row| &row.entry.name, usize::MAX);
        let value = widest("value", |row| &row.value, VALUE_WIDTH);
        let mut accepts = widest("accepts", |row| &row.accepts, ACCEPTS_WIDTH);
        let default = widest("default", |row| &row.default, DEFAULT_WIDTH);
        // The marker, then four columns each followed by a gap, then the help.
        let fixed = |accepts: usize| 2 + name + value + accepts + default + 4 * GAP.len();
        let short = MIN_HELP_WIDTH.saturating_sub(width.saturating_sub(fixed(accepts)));
        accepts = accepts.saturating_sub(short).max("accepts".len());
        Columns {
            name,
            value,
            accepts,
            default,
            help: width.saturating_sub(fixed(accepts)),
        }
    }
}

/// Draws the editor near the top of `area`, leaving the status line and the key hints
/// in view.
pub fn render(app: &App, prompt: &ParamsPrompt, area: Rect, buf: &mut Buffer) {
    let Some(spec) = app.spec() else {
        return;
    };
    let width = area.width.saturating_sub(4).min(MAX_WIDTH);
    let inner_width = width.saturating_sub(2) as usize;
    // Rows inside the box: below the screen's first row, above the status line and
    // the key hints, less the two borders.
    let room = area.height.saturating_sub(3 + 2) as usize;
    let dim = Style::new().fg(app.theme.dim);

    let message = match &prompt.error {
        Some(error) => wrap(
            vec![Line::styled(
                error.clone(),
                Style::new().fg(app.theme.error),
            )],
            inner_width,
        ),
        None if spec.params.is_empty() => vec![Line::styled("Esc closes", dim)],
        None => wrap(
            vec![Line::styled(
                "type name=value, Enter sets it and refits · ↑↓ Tab pick · Esc closes",
                dim,
            )],
            inner_width,
        ),
    };
    let message = cut(message, ERROR_ROWS.min(room.saturating_sub(1)), inner_width);
    let mut bottom = Vec::new();
    if !spec.params.is_empty() {
        bottom.push(input_line(app, &prompt.text, inner_width));
    }
    bottom.extend(message);
    let rest = room.saturating_sub(bottom.len());

    let (top, scrolled) = if spec.params.is_empty() {
        let none = format!("{} has no parameters to set.", spec.title);
        (wrap(vec![Line::raw(none)], inner_width), None)
    } else {
        table_and_help(app, spec, prompt.selected, inner_width, rest)
    };
    let mut lines = cut(top, rest, inner_width);
    if lines.len() < rest {
        lines.push(Line::raw(""));
    }
    lines.extend(bottom);

    let height = lines.len() as u16 + 2;
    let mut popup = centred(area, width, height);
    popup.y = area.y + 1.min(area.height.saturating_sub(height));
    Clear.render(popup, buf);
    let title = format!(" Parameters of {} · {} ", spec.name, spec.title);
    let mut block = prompt_block(app, &title, width);
    if let Some(scrolled) = scrolled {
        block = block.title_bottom(Span::styled(
            fit(&scrolled, inner_width),
            Style::new().fg(app.theme.title),
        ));
    }
    Paragraph::new(lines).block(block).render(popup, buf);
}

/// The table of parameters, scrolled to the highlighted one, over the highlighted
/// one's values, default and help whole, in at most `rows` rows; with what the
/// scrolling leaves out, if anything.
fn table_and_help(
    app: &App,
    spec: &AlgorithmSpec,
    selected: usize,
    width: usize,
    rows: usize,
) -> (Vec<Line<'static>>, Option<String>) {
    let dim = Style::new().fg(app.theme.dim);
    let accent = Style::new()
        .fg(app.theme.accent)
        .add_modifier(Modifier::BOLD);
    let cursor = Style::new()
        .fg(app.theme.cursor)
        .add_modifier(Modifier::BOLD);
    let params: Vec<Row> = spec
        .params
        .iter()
        .map(|param| Row::of(app, param))
        .collect();
    let selected = selected.min(params.len().saturating_sub(1));
    let columns = Columns::of(&params, width);

    let help = match params.get(selected) {
        Some(row) => wrap(
            vec![Line::from(vec![
                Span::styled(row.entry.name.clone(), accent),
                Span::styled(format!("  {}, default {}: ", row.accepts, row.default), dim),
                Span::raw(row.entry.help.clone()),
            ])],
            width,
        ),
        None => Vec::new(),
    };
    // The whole table when it fits beside the help, else as much as leaves the help
    // room, but never fewer than a few rows.
    let table_rows = (params.len() + 1)
        .min(rows.saturating_sub(help.len()).max(MIN_TABLE_ROWS))
        .min(rows);
    let shown = table_rows.saturating_sub(1).max(1);
    let first = selected
        .saturating_sub(shown - 1)
        .min(params.len().saturating_sub(shown));
    let (above, below) = (first, params.len().saturating_sub(first + shown));
    let scrolled = match (above, below) {
        (0, 0) => None,
        (0, below) => Some(format!(" ▼ {below} more below — ↑↓ to scroll ")),
        (above, 0) => Some(format!(" ▲ {above} more above — ↑↓ to scroll ")),
        (above, below) => Some(format!(
            " ▲ {above} more above · ▼ {below} more below — ↑↓ to scroll "
        )),
    };
    let Columns {
        name,
        value,
        accepts,
        default,
        help: help_width,
    } = columns;
    let mut lines = vec![Line::styled(
        format!(
            "  {:<name$}{GAP}{:<value$}{GAP}{:<accepts$}{GAP}{:<default$}{GAP}{}",
            "parameter",
            "value",
            "accepts",
            "default",
            fit("meaning", help_width)
        ),
        dim,
    )];
    for (at, row) in params.iter().enumerate().skip(first).take(shown) {
        let is_selected = at == selected;
        let marker = if is_selected { "▶ " } else { "  " };
        let name_style = if is_selected { cursor } else { Style::new() };
        let value_style = if row.changed { accent } else { Style::new() };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{:<name$}", row.entry.name), name_style),
            Span::raw(GAP),
            Span::styled(format!("{:<value$}", fit(&row.value, value)), value_style),
            Span::raw(GAP),
            Span::raw(format!("{:<accepts$}", fit(&row.accepts, accepts))),
            Span::raw(GAP),
            Span::raw(format!("{:<default$}", fit(&row.default, default))),
            Span::raw(GAP),
            Span::styled(fit(&row.entry.help, help_width), dim),
        ]));
    }
    lines.extend(cut(help, rows.saturating_sub(lines.len()), width));
    (lines, scrolled)
}

/// The first `rows` of `lines`, the last one ending in `…` when some are left out.
fn cut(mut lines: Vec<Line<'static>>, rows: usize, width: usize) -> Vec<Line<'static>> {
    if lines.len() <= rows {
        return lines;
    }
    lines.truncate(rows);
    if let Some(last) = lines.pop() {
        let mut left = width.saturating_sub(1);
        let mut spans: Vec<Span<'static>> = Vec::new();
        for span in last.spans {
            let text: String = span.content.chars().take(left).collect();
            left -= text.chars().count();
            spans.push(Span::styled(text, span.style));
        }
        spans.push(Span::raw("…"));
        lines.push(Line::from(spans));
    }
    lines
}
