//! Drawing the explorer from its state. Nothing here changes the state: `update`
//! prepares everything the views read, including the predictions of the visible cells.

mod compare;
mod embeddings;
mod evaluate;
mod explain;
pub mod hold_out;
mod matrix;
pub(crate) mod overlays;
mod params;
mod recommend;
mod stats;
mod status;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::app::{App, GridPosition, Mode, Overlay, Window};

/// The smallest terminal the explorer draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Where each part of the explore screen goes.
#[derive(Debug, Clone, Copy)]
pub struct Areas {
    pub matrix: Rect,
    pub explain: Rect,
    pub neighbours: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// Splits the screen: the matrix on the left, explanation over neighbours on the
/// right, the status line and key hints at the bottom.
pub fn areas(screen: Rect) -> Areas {
    let [body, status, hints] = screen.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ]));
    let side = (screen.width * 9 / 20).clamp(36, 72);
    let [matrix, panel] = body.layout(&Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(side),
    ]));
    let neighbours_height = (panel.height / 3).max(6);
    let [explain, neighbours] = panel.layout(&Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(neighbours_height),
    ]));
    Areas {
        matrix,
        explain,
        neighbours,
        status,
        hints,
    }
}

/// The whole screen above the status line, for screens without the side panel.
fn body_of(parts: &Areas) -> Rect {
    let top = parts.matrix.y;
    Rect::new(
        parts.status.x,
        top,
        parts.status.width,
        parts.status.y.saturating_sub(top),
    )
}

/// How many data rows and columns the matrix shows on a screen of this size.
pub fn window_for(app: &App, screen: Rect) -> Window {
    matrix::window(app, areas(screen).matrix)
}

/// The matrix position under the point `(x, y)` of a `screen`-sized terminal, when the
/// matrix screen shows a cell, an item header or a user label there.
pub fn cell_at(app: &App, screen: Rect, x: u16, y: u16) -> Option<GridPosition> {
    if app.mode != Mode::Explore || too_small(screen) {
        return None;
    }
    matrix::cell_at(app, areas(screen).matrix, x, y)
}

/// Whether the screen is too small to draw anything useful.
pub fn too_small(screen: Rect) -> bool {
    screen.width < MIN_WIDTH || screen.height < MIN_HEIGHT
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if too_small(area) {
            render_too_small(self, area, buf);
            return;
        }
        match self.mode {
            Mode::Explore => {
                let parts = areas(area);
                matrix::render(self, parts.matrix, buf);
                explain::render(self, parts.explain, buf);
                overlays::render_neighbours(self, parts.neighbours, buf);
                status::render(self, parts.status, parts.hints, buf);
            }
            Mode::Stats => {
                let parts = areas(area);
                stats::render(self, body_of(&parts), buf);
                status::render(self, parts.status, parts.hints, buf);
            }
            Mode::Recommend => {
                let parts = areas(area);
                recommend::render(self, body_of(&parts), buf);
                status::render(self, parts.status, parts.hints, buf);
            }
            Mode::Compare => compare::render(self, area, buf),
            Mode::Evaluate => evaluate::render(self, area, buf),
            Mode::Embeddings => {
                let parts = areas(area);
                embeddings::render(self, body_of(&parts), buf);
                status::render(self, parts.status, parts.hints, buf);
            }
        }
        match &self.overlay {
            Some(Overlay::Help { scroll }) => overlays::render_help(self, *scroll, area, buf),
            Some(Overlay::Jump(prompt)) => overlays::render_jump(self, prompt, area, buf),
            Some(Overlay::Rating(prompt)) => {
                hold_out::render_rating_prompt(self, prompt, area, buf)
            }
            Some(Overlay::Params(prompt)) => params::render(self, prompt, area, buf),
            None => {}
        }
    }
}

fn render_too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::from("recscope needs a bigger terminal"),
        Line::from(format!(
            "at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}",
            area.width, area.height
        )),
        Line::from(format!(
            "enlarge the window ({} quits)",
            app.keys.keys_text(super::keys::Action::Quit)
        )),
    ];
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}
