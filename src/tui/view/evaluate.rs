//! The evaluate screen: the checklist of algorithms, the run's progress, the
//! leaderboard sorted by the chosen metric, and a bar chart of that metric.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, BorderType, Cell, Gauge, Paragraph, Row, Table};
use ratatui::widgets::{Widget, Wrap};

use super::status;
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
    match &app.evaluate.run {
        Run::Done(board) => {
            render_table(app, board, table, buf);
            render_chart(app, board, chart, buf);
        }
        _ => render_waiting(app, table.union(chart), buf),
    }
    status::render_status(app, status_line, buf);
    status::render_hints(app, &hint_actions(app), hints, buf);
}

fn hint_actions(app: &App) -> Vec<Action> {
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

fn figure(metric: Metric, result: &AlgorithmResult) -> String {
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

fn render_table(app: &App, board: &Leaderboard, area: Rect, buf: &mut Buffer) {
    let metric = app.evaluate.metric;
    let shown = columns(board);
    let order = if metric.lower_is_better() {
        "lower is better"
    } else {
        "higher is better"
    };
    let block = panel(
        app,
        format!(" Leaderboard by {} ({order}) ", metric.label()),
    );
    let header_style = Style::new().fg(app.theme.header);
    let sorted_style = Style::new()
        .fg(app.theme.accent)
        .add_modifier(Modifier::BOLD);
    let mut header = vec![Cell::from("#"), Cell::from("algorithm")];
    header.extend(shown.iter().map(|&m| {
        let style = if m == metric {
            sorted_style
        } else {
            header_style
        };
        Cell::from(Line::from(m.label()).right_aligned()).style(style)
    }));
    let rows: Vec<Row> = (board.ranked(metric).into_iter().enumerate())
        .map(|(rank, result)| {
            let mut cells = vec![
                Cell::from(format!("{}", rank + 1)),
                Cell::from(result.algo.clone()),
            ];
            cells.extend(shown.iter().map(|&m| {
                let text = Line::from(figure(m, result)).right_aligned();
                let cell = Cell::from(text);
                if m == metric {
                    cell.style(Style::new().fg(app.theme.accent))
                } else {
                    cell
                }
            }));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(3), Constraint::Length(18)];
    widths.extend(shown.iter().map(|_| Constraint::Length(9)));
    Table::new(rows, widths)
        .header(Row::new(header).style(header_style))
        .column_spacing(1)
        .block(block)
        .render(area, buf);
}

fn render_chart(app: &App, board: &Leaderboard, area: Rect, buf: &mut Buffer) {
    let metric = app.evaluate.metric;
    let title = format!(
        " {} by algorithm ({} next metric) ",
        metric.label(),
        app.keys.keys_text(Action::NextMetric)
    );
    let block = panel(app, fit(&title, area.width.saturating_sub(2) as usize));
    let bars: Vec<Bar> = board
        .ranked(metric)
        .into_iter()
        .filter_map(|result| {
            let value = metric.value(result)?;
            // Bars are whole numbers: ten-thousandths of the figure.
            let length = (value.max(0.0) * 10_000.0).round() as u64;
            Some(Bar::with_label(fit(&result.algo, 16), length).text_value(figure(metric, result)))
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
