//! The status line (dataset, algorithm, work in progress, messages) and the key hints,
//! which come from the key table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};

use crate::tui::app::{App, Mode, params_text};
use crate::tui::keys::Action;
use crate::tui::text::clean;
use crate::tui::worker::Lane;

pub fn render(app: &App, status: Rect, hints: Rect, buf: &mut Buffer) {
    render_status(app, status, buf);
    render_hints(app, &matrix_hints(app), hints, buf);
}

/// The status line alone.
pub fn render_status(app: &App, status: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let base = Style::new().fg(theme.status_fg).bg(theme.status_bg);
    let mut spans = vec![Span::styled(
        format!(" {} ", app.mode.title()),
        base.fg(theme.accent).add_modifier(Modifier::BOLD),
    )];
    spans.push(Span::styled(
        format!(
            "│ {} {}×{} ",
            clean(&app.dataset_name),
            app.dataset.matrix.n_users(),
            app.dataset.matrix.n_items()
        ),
        base.add_modifier(Modifier::BOLD),
    ));
    // The parameters go last but the timing: the work in progress and the latest
    // message (an export's file name, an error) stay in view on a narrow screen.
    let mut params_span = None;
    if let (Some(spec), Some(params)) = (app.spec(), app.current_params()) {
        let params = params_text(params);
        spans.push(Span::styled(format!("│ {} ", spec.name), base));
        if !params.is_empty() {
            params_span = Some(Span::styled(format!("{params} "), base));
        }
    }
    for lane in [
        Lane::Model,
        Lane::Neighbours,
        Lane::Compare,
        Lane::Evaluate,
        Lane::HoldOut,
    ] {
        if let Some(busy) = app.busy.get(&lane) {
            let stage = if busy.stage.is_empty() {
                String::new()
            } else {
                format!(" {}", busy.stage)
            };
            spans.push(Span::styled(
                format!("│ {} {:.0}%{stage} ", busy.what, busy.fraction * 100.0),
                base.fg(theme.accent),
            ));
        }
    }
    spans.extend(super::hold_out::status_spans(app, base));
    let message_span = app.message.as_ref().map(|message| {
        let style = if message.is_error {
            base.fg(theme.error).add_modifier(Modifier::BOLD)
        } else {
            base
        };
        Span::styled(format!("│ {} ", clean(&message.text)), style)
    });
    // On a line too narrow for the work in progress and the message, the dataset's
    // name goes first (the matrix's title gives it), then its size.
    let wanted = |spans: &[Span]| -> usize {
        spans.iter().map(Span::width).sum::<usize>() + message_span.as_ref().map_or(0, Span::width)
    };
    if wanted(&spans) > status.width as usize {
        let size = format!(
            "│ {}×{} ",
            app.dataset.matrix.n_users(),
            app.dataset.matrix.n_items()
        );
        spans[1] = Span::styled(size, base.add_modifier(Modifier::BOLD));
        if wanted(&spans) > status.width as usize {
            spans.remove(1);
        }
    }
    let mut cut_error = None;
    if let (Some(message), Some(span)) = (&app.message, message_span) {
        spans.push(span);
        let used: usize = spans.iter().map(Span::width).sum();
        if message.is_error && used > status.width as usize {
            cut_error = Some(clean(&message.text));
        }
    }
    let fitted_span = app
        .model
        .as_ref()
        .filter(|_| !app.busy.contains_key(&Lane::Model))
        .map(|fitted| {
            Span::styled(
                format!("│ fitted in {:.0?} ", fitted.elapsed),
                base.fg(theme.dim),
            )
        });
    if let Some(params) = params_span {
        // Right after the algorithm's name unless something came between them.
        let separator =
            (app.message.is_some() || !app.busy.is_empty()).then(|| Span::styled("│ ", base));
        // Parameters that would push the timing off the line are left out: the
        // explanation panel lists them.
        let used: usize = spans.iter().map(Span::width).sum::<usize>()
            + separator.as_ref().map_or(0, Span::width)
            + params.width()
            + fitted_span.as_ref().map_or(0, Span::width);
        if used <= status.width as usize {
            spans.extend(separator);
            spans.push(params);
        }
    }
    // The timing whole or not at all: never cut in the middle of a number.
    if let Some(fitted) = fitted_span {
        let used: usize = spans.iter().map(Span::width).sum();
        if used + fitted.width() <= status.width as usize {
            spans.push(fitted);
        }
    }
    buf.set_style(status, base);
    Paragraph::new(Line::from(spans)).render(status, buf);
    if let Some(text) = cut_error {
        render_whole_error(app, &text, status, buf);
    }
}

/// Rows at most of the box that shows an error too long for the status line.
const ERROR_ROWS: usize = 8;

/// An error the status line cuts, whole, in a box just above it (the screen's last
/// rows) until the cancel key clears it or another message replaces it.
fn render_whole_error(app: &App, text: &str, status: Rect, buf: &mut Buffer) {
    let width = status.width.min(100);
    let rows = super::explain::wrap(
        vec![Line::from(text.to_string())],
        (width as usize).saturating_sub(2),
    );
    let room = (status.y.saturating_sub(buf.area.y) as usize).saturating_sub(2);
    let shown = rows.len().min(ERROR_ROWS).min(room);
    if shown == 0 {
        return;
    }
    let height = shown as u16 + 2;
    let area = Rect::new(status.x, status.y - height, width, height);
    let dismiss = format!(
        " {} dismisses ",
        app.keys.keys_text(crate::tui::keys::Action::Cancel)
    );
    let border = Style::new().fg(app.theme.error);
    Clear.render(area, buf);
    Paragraph::new(rows.into_iter().take(shown).collect::<Vec<_>>())
        .block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(border)
                .title(Span::styled(" error ", border.add_modifier(Modifier::BOLD)))
                .title_bottom(Line::from(Span::styled(dismiss, border)).right_aligned()),
        )
        .render(area, buf);
}

/// The matrix screen's key hints.
fn matrix_hints(app: &App) -> Vec<Action> {
    // Help and quit first, so that they are in view on the narrowest screen.
    let mut actions = vec![
        Action::Help,
        Action::Quit,
        Action::Jump,
        Action::TogglePredictions,
    ];
    actions.push(Action::NextAlgorithm);
    let has = |name: &str| {
        app.spec()
            .map(|spec| spec.params.iter().any(|p| p.name == name))
            .unwrap_or(false)
    };
    if has("user_based") {
        actions.push(Action::ToggleUserBased);
    }
    if has("sim") {
        actions.push(Action::NextSimilarity);
    }
    if has("k") {
        actions.push(Action::IncreaseK);
        actions.push(Action::DecreaseK);
    }
    actions.extend([
        Action::SortRows,
        Action::SortColumns,
        Action::ToggleNeighboursOf,
        Action::NextScreen,
        Action::Export,
    ]);
    if app.mode != Mode::Explore {
        actions = screen_hints(app.mode);
    }
    if !app.busy.is_empty() {
        actions.insert(2, Action::Cancel);
    }
    // The modes' own keys while they are on (the help lists them always).
    if app.hold_out.active.is_some() {
        actions.splice(
            2..2,
            [Action::HoldOut, Action::MoreHeldOut, Action::LessHeldOut],
        );
    }
    if app.what_if.is_edited() {
        actions.splice(2..2, [Action::Undo]);
    }
    actions
}

/// Key hints for `actions`, from the key table, as many whole hints as fit.
pub fn render_hints(app: &App, actions: &[Action], hints: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let key_style = Style::new().fg(theme.accent).add_modifier(Modifier::BOLD);
    let word_style = Style::new().fg(theme.dim);
    // Whole hints only: one that does not fit is left out, not cut.
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, word) in app.keys.hints(actions) {
        let key = Span::styled(format!(" {key}"), key_style);
        let word = Span::styled(format!(" {word} "), word_style);
        let width = key.width() + word.width();
        if used + width > hints.width as usize {
            break;
        }
        used += width;
        spans.push(key);
        spans.push(word);
    }
    Paragraph::new(Line::from(spans)).render(hints, buf);
}

/// The hints of the screens other than the matrix: what works there.
fn screen_hints(mode: Mode) -> Vec<Action> {
    let mut actions = vec![
        Action::Help,
        Action::Quit,
        Action::NextScreen,
        Action::ShowMatrix,
    ];
    if mode == Mode::Recommend {
        actions.extend([Action::MoveDown, Action::NextAlgorithm]);
    }
    if mode == Mode::Embeddings {
        actions.extend([
            Action::ToggleNewItems,
            Action::MoveDown,
            Action::NextAlgorithm,
        ]);
    }
    actions.push(Action::Export);
    actions
}
