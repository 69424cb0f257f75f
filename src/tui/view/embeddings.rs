//! The embeddings screen: users and items of the current factor model as points of a
//! 2-D projection on a canvas, the selected user and their nearest items (by cosine
//! in the full vector space) highlighted and listed beside it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Points};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};

use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::screens::embeddings::{EmbeddingsState, Shown};
use crate::tui::text::{clean, fit};

fn panel<'a>(app: &App, title: String) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(app.theme.border))
        .title(Span::styled(title, Style::new().fg(app.theme.title)))
}

/// Draws the screen's body (the status line and hints are drawn around it).
pub fn render(app: &App, body: Rect, buf: &mut Buffer) {
    let area = body;
    match &app.embeddings {
        EmbeddingsState::Shown(shown) => {
            let side = (area.width * 2 / 5).clamp(32, 60);
            let [plot, list] = body.layout(&Layout::horizontal([
                Constraint::Fill(1),
                Constraint::Length(side),
            ]));
            render_plot(app, shown, plot, buf);
            render_nearest(app, shown, list, buf);
        }
        EmbeddingsState::Waiting => message(
            app,
            body,
            buf,
            vec![Line::from(
                "The model is being fitted; its vectors appear here when it is ready.",
            )],
        ),
        EmbeddingsState::NoVectors { algorithm } => {
            let keys = app.keys.keys_text(Action::NextAlgorithm);
            message(
                app,
                body,
                buf,
                vec![
                    Line::from(format!("{algorithm} has no user and item vectors to draw.")),
                    Line::from(""),
                    Line::from(format!(
                        "Choose a factor model (svd, svdpp, nmf, als, wals, bpr) with {keys}; \
                         {} goes back to the matrix.",
                        app.keys.keys_text(Action::ShowMatrix)
                    )),
                ],
            )
        }
    }
}

fn message(app: &App, area: Rect, buf: &mut Buffer, lines: Vec<Line>) {
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(panel(app, " Embeddings ".to_string()))
        .render(area, buf);
}

/// `[low, high]` around the values with a small margin; `[-1, 1]` when they are all
/// equal or there are none.
fn bounds(values: impl Iterator<Item = f64>) -> [f64; 2] {
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !(low.is_finite() && high.is_finite()) || high - low < 1e-12 {
        let centre = if low.is_finite() { low } else { 0.0 };
        return [centre - 1.0, centre + 1.0];
    }
    let margin = (high - low) * 0.05;
    [low - margin, high + margin]
}

fn render_plot(app: &App, shown: &Shown, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let projection = &shown.projection;
    let all = || projection.users.iter().chain(&projection.items);
    let x_bounds = bounds(all().map(|p| p[0]));
    let y_bounds = bounds(all().map(|p| p[1]));
    let pair = |p: &[f64; 2]| (p[0], p[1]);
    let items: Vec<(f64, f64)> = projection.items.iter().map(pair).collect();
    let users: Vec<(f64, f64)> = projection.users.iter().map(pair).collect();
    let nearest: Vec<(f64, f64)> = shown
        .nearest
        .iter()
        .filter_map(|&(item, _, _)| projection.items.get(item as usize).map(pair))
        .collect();
    let selected = projection.users.get(shown.user as usize).map(pair);

    let title = format!(
        " Embeddings · {} · {} factors → 2-D ({:.0}% + {:.0}% of the spread) ",
        shown.algorithm,
        shown.dimensions,
        projection.explained[0] * 100.0,
        projection.explained[1] * 100.0
    );
    let room = area.width.saturating_sub(2) as usize;
    let legend = Line::from(vec![
        Span::styled(" ⠂ items ", Style::new().fg(theme.dim)),
        Span::styled("⠂ users ", Style::new().fg(theme.predicted)),
        Span::styled(
            if shown.new_only {
                "● nearest new items "
            } else {
                "● nearest items "
            },
            Style::new().fg(theme.accent),
        ),
        Span::styled("◆ selected user ", Style::new().fg(theme.cursor)),
    ]);
    let block = panel(app, fit(&title, room)).title_bottom(legend);
    let user_label = format!("◆ {}", clean(app.user_label(shown.user)));
    let (item_colour, user_colour, near_colour, cursor_colour): (Color, Color, Color, Color) =
        (theme.dim, theme.predicted, theme.accent, theme.cursor);
    Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds(x_bounds)
        .y_bounds(y_bounds)
        .paint(move |context| {
            context.draw(&Points {
                coords: &items,
                color: item_colour,
            });
            context.draw(&Points {
                coords: &users,
                color: user_colour,
            });
            context.layer();
            for &(x, y) in &nearest {
                context.print(x, y, Span::styled("●", Style::new().fg(near_colour)));
            }
            if let Some((x, y)) = selected {
                context.print(
                    x,
                    y,
                    Span::styled(
                        user_label.clone(),
                        Style::new().fg(cursor_colour).add_modifier(Modifier::BOLD),
                    ),
                );
            }
        })
        .render(area, buf);
}

fn render_nearest(app: &App, shown: &Shown, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let room = area.width.saturating_sub(2) as usize;
    let title = format!(
        " Nearest items to user {} ",
        clean(app.user_label(shown.user))
    );
    let toggle = app.keys.keys_text(Action::ToggleNewItems);
    let (heading, switch) = if shown.new_only {
        ("cosine of x_u and y_i · new items only", "all items")
    } else {
        ("cosine of x_u and y_i · ✓ interacted", "new items only")
    };
    let block = panel(app, fit(&title, room)).title_bottom(Span::styled(
        fit(&format!(" {toggle} {switch} "), room),
        Style::new().fg(theme.dim),
    ));
    let inner = block.inner(area);
    block.render(area, buf);

    let mut lines = vec![Line::from(Span::styled(
        fit(heading, room),
        Style::new().fg(theme.dim),
    ))];
    for (rank, &(item, cosine, seen)) in shown.nearest.iter().enumerate() {
        let mark = if seen { "✓" } else { " " };
        let head = format!("{:>2} {cosine:+.3} {mark} ", rank + 1);
        let title_room = room.saturating_sub(head.chars().count());
        let label = fit(&clean(app.item_label(item)), title_room);
        let style = if seen {
            Style::new().fg(theme.dim)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(head, Style::new().fg(theme.accent)),
            Span::styled(label, style),
        ]));
    }
    if shown.nearest.is_empty() {
        let why = if shown.new_only {
            "no items new to this user"
        } else {
            "no items to list"
        };
        lines.push(Line::from(Span::styled(
            fit(why, room),
            Style::new().fg(theme.dim),
        )));
    }
    Paragraph::new(lines).render(inner, buf);
}
