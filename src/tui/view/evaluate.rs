//! The evaluate screen: the checklist of algorithms, the run's progress, the
//! leaderboard sorted by the chosen metric, and a bar chart of that metric.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, BorderType, Cell, Gauge, Paragraph, Row, Table};
use ratatui::widgets::{Widget, Wrap};

use super::status;
use crate::core::algorithms::Output;
use crate::core::eval::AlgorithmResult;
use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::screens::evaluate::{FOLDS, Leaderboard, Metric, Run, SEED, progress};
use crate::tui::text::fit;

fn panel(app: &App, title: String) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(title, Style::new().fg(app.theme.title)))
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let [body, status_line, hints] = area.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ]));
    let [list, right] = body.layout(&Layout::horizontal([
        Constraint::Length(28),
        Constraint::Fill(1),
    ]));
    let chart_height = (right.height / 3).max(6);
    let [head, table, chart] = right.layout(&Layout::vertical([
        Constraint::Length(4),
        Constraint::Fill(1),
        Constraint::Length(chart_height),
    ]));
    render_checklist(app, list, buf);
    render_head(app, head, buf);
    let scrolls = match &app.evaluate.run {
        Run::Done(board) => {
            let scrolls = render_table(app, board, table, buf);
            render_chart(app, board, chart, buf);
            scrolls
        }
        _ => {
            render_waiting(app, table.union(chart), buf);
            false
        }
    };
    status::render_status(app, status_line, buf);
    status::render_hints(app, &hint_actions(app, scrolls), hints, buf);
}

/// The hints; `scrolls` when the leaderboard has rows out of sight.
fn hint_actions(app: &App, scrolls: bool) -> Vec<Action> {
    let mut actions = vec![
        Action::Help,
        Action::Quit,
        Action::Run,
        Action::ToggleChoice,
        Action::ChooseAll,
        Action::NextMetric,
        Action::ToggleTopK,
        Action::NextScreen,
        Action::ShowMatrix,
    ];
    if scrolls {
        actions.insert(7, Action::ScrollExplainDown);
    }
    if !app.busy.is_empty() {
        actions.insert(2, Action::Cancel);
    }
    actions
}

fn render_checklist(app: &App, area: Rect, buf: &mut Buffer) {
    let screen = &app.evaluate;
    let chosen = screen.chosen.iter().filter(|&&c| c).count();
    let block = panel(
        app,
        format!(" Algorithms {chosen}/{} ", screen.chosen.len()),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let height = inner.height as usize;
    let first = (screen.highlighted + 1).saturating_sub(height);
    let lines: Vec<Line> = (app.algorithms.iter().enumerate())
        .skip(first)
        .take(height)
        .map(|(at, spec)| {
            let mark = if screen.chosen.get(at).copied().unwrap_or(false) {
                "[x]"
            } else {
                "[ ]"
            };
            let text = fit(&format!("{mark} {}", spec.name), inner.width as usize);
            let style = if at == screen.highlighted {
                Style::new()
                    .fg(app.theme.cursor)
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                Style::new().fg(app.theme.header)
            };
            Line::styled(text, style)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

fn render_head(app: &App, area: Rect, buf: &mut Buffer) {
    let screen = &app.evaluate;
    let top_k = match screen.top_k {
        Some(k) => format!("top-{k} lists on"),
        None => "top-k lists off".to_string(),
    };
    let title = format!(" Evaluate · {FOLDS}-fold cross-validation, seed {SEED} · {top_k} ");
    let block = panel(app, fit(&title, area.width.saturating_sub(2) as usize));
    let inner = block.inner(area);
    block.render(area, buf);
    let dim = Style::new().fg(app.theme.dim);
    let run_key = app.keys.keys_text(Action::Run);
    let text = match &screen.run {
        Run::NotRun => format!(
            "Press {run_key} to cross-validate the chosen algorithms on the same folds as \
             recscope eval."
        ),
        Run::Running {
            algorithms,
            ratings,
            split,
        } => {
            let (fraction, stage) = progress(app).unwrap_or((0.0, String::new()));
            let label = format!(
                "{:.0}% · {stage} · {algorithms} algorithm(s), {split}, {ratings} ratings",
                fraction * 100.0
            );
            Gauge::default()
                .ratio(fraction.clamp(0.0, 1.0))
                .label(fit(&label, inner.width as usize))
                .gauge_style(Style::new().fg(app.theme.bar).bg(app.theme.status_bg))
                .render(inner, buf);
            return;
        }
        Run::Done(board) => format!(
            "{} algorithm(s), {} on {} ratings · sorted by {} ({} next metric)",
            board.results.len(),
            board.split,
            board.ratings,
            screen.metric.label(),
            app.keys.keys_text(Action::NextMetric)
        ),
        Run::Failed(error) => format!("The evaluation failed: {error}"),
        Run::Cancelled => format!("Cancelled. Press {run_key} to run again."),
    };
    Paragraph::new(Line::styled(text, dim))
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

fn render_waiting(app: &App, area: Rect, buf: &mut Buffer) {
    let block = panel(app, " Leaderboard ".to_string());
    let inner = block.inner(area);
    block.render(area, buf);
    let text = match app.evaluate.run {
        Run::Running { .. } => format!(
            "Cross-validating on the evaluation worker; the other screens stay usable. {} \
             cancels.",
            app.keys.keys_text(Action::Cancel)
        ),
        _ => format!(
            "Choose algorithms with {} ({} for all or none), then press {}. RMSE, MAE, FCP \
             and times are shown; {} adds top-k list metrics.",
            app.keys.keys_text(Action::ToggleChoice),
            app.keys.keys_text(Action::ChooseAll),
            app.keys.keys_text(Action::Run),
            app.keys.keys_text(Action::ToggleTopK)
        ),
    };
    Paragraph::new(Line::styled(text, Style::new().fg(app.theme.dim)))
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

/// What a ranking model shows for RMSE, MAE and FCP, in the words of `recscope eval`.
const NOT_APPLICABLE: &str = "n/a (ranks)";
/// The same, where a column is too narrow for the whole wording (a note explains it).
const NOT_APPLICABLE_SHORT: &str = "n/a";
/// The widest a column of figures is drawn when the panel has room to spare.
const ROOMY_FIGURE: usize = 9;
/// The widest the algorithm column grows; longer names end in `…`.
const NAME_CAP: usize = 18;
const NAME_HEADER: &str = "algorithm";

/// Whether `metric` does not apply to the algorithm: RMSE, MAE and FCP of a model
/// that ranks items rather than predicting ratings.
fn not_applicable(metric: Metric, result: &AlgorithmResult) -> bool {
    result.output == Output::Score && matches!(metric, Metric::Rmse | Metric::Mae | Metric::Fcp)
}

/// The figure as the leaderboard shows it in a column `width` wide.
fn figure(metric: Metric, result: &AlgorithmResult, width: usize) -> String {
    if not_applicable(metric, result) {
        let whole = NOT_APPLICABLE.chars().count() <= width;
        let text = if whole {
            NOT_APPLICABLE
        } else {
            NOT_APPLICABLE_SHORT
        };
        return text.to_string();
    }
    match metric.value(result) {
        Some(value) if matches!(metric, Metric::FitSeconds | Metric::PredictSeconds) => {
            format!("{value:.3}")
        }
        Some(value) => format!("{value:.4}"),
        None => "–".to_string(),
    }
}

fn columns(board: &Leaderboard) -> Vec<Metric> {
    Metric::ALL
        .iter()
        .copied()
        .filter(|m| board.top_k.is_some() || !m.is_ranking())
        .collect()
}

/// A column of figures: the metric, the width its header and every figure need, and
/// the width it is given when there is room.
struct FigureColumn {
    metric: Metric,
    width: usize,
    roomy: usize,
}

impl FigureColumn {
    fn new(board: &Leaderboard, metric: Metric) -> Self {
        let figures = board
            .results
            .iter()
            .map(|r| figure(metric, r, 0).chars().count());
        let width = figures.fold(metric.label().chars().count(), usize::max);
        let wording = if board.results.iter().any(|r| not_applicable(metric, r)) {
            NOT_APPLICABLE.chars().count()
        } else {
            0
        };
        FigureColumn {
            metric,
            width,
            roomy: width.max(ROOMY_FIGURE).max(wording),
        }
    }
}

/// How the leaderboard's columns share the panel's width: every figure shown whole.
struct TablePlan {
    rank_width: usize,
    name_width: usize,
    /// The columns shown, in their usual order.
    shown: Vec<FigureColumn>,
    /// The metrics left out for want of room, in their usual order.
    hidden: Vec<Metric>,
}

/// Fits the columns into `width`: the algorithm column as wide as the longest name
/// (up to [`NAME_CAP`]), the column of `sorted` always, then the others in their
/// usual order as long as each fits whole; room left over widens the figures' columns
/// up to their roomy width.
fn plan_table(board: &Leaderboard, sorted: Metric, width: usize) -> TablePlan {
    const SPACING: usize = 1;
    let rank_width = board.results.len().to_string().len().max(2);
    let longest = (board.results.iter())
        .map(|r| r.algo.chars().count())
        .fold(NAME_HEADER.len(), usize::max);
    let mut candidates: Vec<FigureColumn> = (columns(board).into_iter())
        .map(|metric| FigureColumn::new(board, metric))
        .collect();
    let sorted_width = (candidates.iter())
        .find(|c| c.metric == sorted)
        .map_or(0, |c| c.width + SPACING);
    // On the narrowest terminals the names give way to the sorted column.
    let name_width = longest
        .min(NAME_CAP)
        .min(width.saturating_sub(rank_width + SPACING + sorted_width))
        .max(1);
    let mut left = width.saturating_sub(rank_width + SPACING + name_width);

    let mut chosen = vec![false; candidates.len()];
    let sorted_first = (candidates.iter().enumerate())
        .filter(|(_, c)| c.metric == sorted)
        .chain(
            candidates
                .iter()
                .enumerate()
                .filter(|(_, c)| c.metric != sorted),
        )
        .map(|(at, c)| (at, c.width + SPACING))
        .collect::<Vec<_>>();
    for (at, needed) in sorted_first {
        if needed <= left {
            chosen[at] = true;
            left -= needed;
        }
    }

    // A column at a time, so that the spare room is shared out evenly.
    let mut grew = true;
    while grew && left > 0 {
        grew = false;
        for (column, _) in candidates.iter_mut().zip(&chosen).filter(|(_, c)| **c) {
            if left > 0 && column.width < column.roomy {
                column.width += 1;
                left -= 1;
                grew = true;
            }
        }
    }

    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    for (column, chosen) in candidates.drain(..).zip(chosen) {
        if chosen {
            shown.push(column);
        } else {
            hidden.push(column.metric);
        }
    }
    TablePlan {
        rank_width,
        name_width,
        shown,
        hidden,
    }
}

/// The lines under the table, `width` wide: which columns a wider terminal would
/// show, and what a shortened `n/a` means. The first matters more.
fn table_notes(board: &Leaderboard, plan: &TablePlan, width: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if !plan.hidden.is_empty() {
        let count = plan.hidden.len();
        let names: Vec<&str> = plan.hidden.iter().map(|m| m.label()).collect();
        let columns = if count == 1 { "column" } else { "columns" };
        let note = format!("{count} more {columns} on a wider terminal");
        let named = format!("{note} ({})", names.join(", "));
        // The count matters more than the names: these go when they do not fit.
        notes.push(if named.chars().count() <= width {
            named
        } else {
            note
        });
    }
    let whole = NOT_APPLICABLE.chars().count();
    let shortened: Vec<&str> = (board.results.iter())
        .filter(|r| (plan.shown.iter()).any(|c| c.width < whole && not_applicable(c.metric, r)))
        .map(|r| r.algo.as_str())
        .collect();
    if !shortened.is_empty() {
        notes.push(format!(
            "{NOT_APPLICABLE}: {} only rank items",
            shortened.join(", ")
        ));
    }
    notes
}

/// The marker on the panel's bottom edge when rows are scrolled out of sight.
fn scroll_marker(app: &App, above: usize, below: usize) -> Option<String> {
    let keys = format!("{} to scroll", app.keys.scroll_keys_text());
    match (above, below) {
        (0, 0) => None,
        (0, below) => Some(format!(" ▼ {below} more below — {keys} ")),
        (above, 0) => Some(format!(" ▲ {above} more above — {keys} ")),
        (above, below) => Some(format!(" ▲ {above} above · ▼ {below} below — {keys} ")),
    }
}

/// Draws the leaderboard; `true` when some of its rows are out of sight.
fn render_table(app: &App, board: &Leaderboard, area: Rect, buf: &mut Buffer) -> bool {
    let metric = app.evaluate.metric;
    let order = if metric.lower_is_better() {
        "lower is better"
    } else {
        "higher is better"
    };
    let title = format!(" Leaderboard by {} ({order}) ", metric.label());
    let mut block = panel(app, fit(&title, area.width.saturating_sub(2) as usize));
    let inner = block.inner(area);
    let width = inner.width as usize;
    let plan = plan_table(board, metric, width);

    // The notes go first when the panel is too short for them and a few rows.
    let ranked = board.ranked(metric);
    let height = inner.height as usize;
    let mut notes = table_notes(board, &plan, width);
    while !notes.is_empty() && height < 1 + notes.len() + ranked.len().min(3) {
        notes.pop();
    }
    let [table_area, notes_area] = inner.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(notes.len() as u16),
    ]));

    let visible = (table_area.height as usize).saturating_sub(1);
    let first = app
        .evaluate
        .table_scroll
        .min(ranked.len().saturating_sub(visible));
    let below = ranked.len().saturating_sub(first + visible);
    if let Some(marker) = scroll_marker(app, first, below) {
        let style = Style::new()
            .fg(app.theme.accent)
            .add_modifier(Modifier::BOLD);
        block = block.title_bottom(Span::styled(
            fit(&marker, area.width.saturating_sub(2) as usize),
            style,
        ));
    }
    block.render(area, buf);

    let header_style = Style::new().fg(app.theme.header);
    let sorted_style = Style::new()
        .fg(app.theme.accent)
        .add_modifier(Modifier::BOLD);
    let mut header = vec![Cell::from("#"), Cell::from(NAME_HEADER)];
    header.extend(plan.shown.iter().map(|column| {
        let style = if column.metric == metric {
            sorted_style
        } else {
            header_style
        };
        Cell::from(Line::from(column.metric.label()).right_aligned()).style(style)
    }));
    let rows: Vec<Row> = (ranked.iter().enumerate())
        .skip(first)
        .take(visible)
        .map(|(rank, result)| {
            let mut cells = vec![
                Cell::from(format!("{}", rank + 1)),
                Cell::from(fit(&result.algo, plan.name_width)),
            ];
            cells.extend(plan.shown.iter().map(|column| {
                let text = figure(column.metric, result, column.width);
                let cell = Cell::from(Line::from(text).right_aligned());
                if column.metric == metric {
                    cell.style(Style::new().fg(app.theme.accent))
                } else {
                    cell
                }
            }));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(plan.rank_width as u16),
        Constraint::Length(plan.name_width as u16),
    ];
    widths.extend(
        plan.shown
            .iter()
            .map(|c| Constraint::Length(c.width as u16)),
    );
    Table::new(rows, widths)
        .header(Row::new(header).style(header_style))
        .column_spacing(1)
        .render(table_area, buf);

    let dim = Style::new().fg(app.theme.dim);
    let lines: Vec<Line> = (notes.iter())
        .map(|note| Line::styled(fit(note, width), dim))
        .collect();
    Paragraph::new(lines).render(notes_area, buf);
    first > 0 || below > 0
}

fn render_chart(app: &App, board: &Leaderboard, area: Rect, buf: &mut Buffer) {
    let metric = app.evaluate.metric;
    let charted: Vec<(&AlgorithmResult, f64)> = (board.ranked(metric).into_iter())
        .filter_map(|result| Some((result, metric.value(result)?)))
        .collect();
    // One bar a row: those below the panel's last row are left out, and the title
    // says so.
    let room = area.height.saturating_sub(2) as usize;
    let shown = charted.len().min(room);
    let part = if shown < charted.len() {
        format!(": first {shown} of {}", charted.len())
    } else {
        String::new()
    };
    let title = format!(
        " {} by algorithm{part} ({} next metric) ",
        metric.label(),
        app.keys.keys_text(Action::NextMetric)
    );
    // How many bars are shown matters more than the key, which the hints show too.
    let room_for_title = area.width.saturating_sub(2) as usize;
    let title = if title.chars().count() <= room_for_title {
        title
    } else {
        format!(" {} by algorithm{part} ", metric.label())
    };
    let block = panel(app, fit(&title, room_for_title));
    let bars: Vec<Bar> = (charted.into_iter().take(shown))
        .map(|(result, value)| {
            // Bars are whole numbers: ten-thousandths of the figure.
            let length = (value.max(0.0) * 10_000.0).round() as u64;
            let text = figure(metric, result, usize::MAX);
            Bar::with_label(fit(&result.algo, 16), length).text_value(text)
        })
        .collect();
    BarChart::horizontal(bars)
        .block(block)
        .bar_width(1)
        .bar_gap(0)
        .bar_style(Style::new().fg(app.theme.bar))
        .value_style(
            Style::new()
                .fg(app.theme.heat_text)
                .bg(app.theme.bar)
                .add_modifier(Modifier::BOLD),
        )
        .label_style(Style::new().fg(app.theme.header))
        .render(area, buf);
}
