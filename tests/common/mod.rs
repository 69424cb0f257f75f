//! What the explorer's test files share: the tiny matrix every introduction starts
//! from, running the explorer's queued jobs on the test's thread, key presses, and
//! drawing whole screens on ratatui's test backend.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::data::{Dataset, LoadSummary};
use recscope::tui::app::{App, update};
use recscope::tui::keys::Action;
use recscope::tui::{on_key, view};

/// The tiny matrix every introduction starts from (`?` unknown), as (user, item,
/// rating) in file order:
///
/// | user | Movie A | Movie B | Movie C | Movie D |
/// |------|---------|---------|---------|---------|
/// | U1   | 5 (#0)  | 4 (#1)  | ?       | ?       |
/// | U2   | 3 (#2)  | ?       | 4 (#3)  | 2 (#4)  |
/// | U3   | ?       | 5 (#5)  | 5 (#6)  | ?       |
pub const TINY_CELLS: [(u32, u32, f64); 7] = [
    (0, 0, 5.0),
    (0, 1, 4.0),
    (1, 0, 3.0),
    (1, 2, 4.0),
    (1, 3, 2.0),
    (2, 1, 5.0),
    (2, 2, 5.0),
];

/// The tiny matrix with its titles.
pub fn tiny() -> Dataset {
    dataset(3, 4, &TINY_CELLS, true)
}

/// `users × items` on a 1–5 scale with `cells` as (user, item, rating): users `U1`,
/// `U2`, …, items `i1`, `i2`, … titled `Movie A`, `Movie B`, … when `titles`.
pub fn dataset(users: usize, items: usize, cells: &[(u32, u32, f64)], titles: bool) -> Dataset {
    let ratings: Vec<Rating> = cells
        .iter()
        .map(|&(user, item, value)| Rating { user, item, value })
        .collect();
    let scale = RatingScale { min: 1.0, max: 5.0 };
    let matrix = RatingMatrix::new(users, items, &ratings, scale).unwrap();
    let letters = ["A", "B", "C", "D", "E", "F"];
    Dataset::new(
        matrix,
        (1..=users).map(|k| format!("U{k}")).collect(),
        (1..=items).map(|k| format!("i{k}")).collect(),
        (0..items)
            .map(|k| titles.then(|| format!("Movie {}", letters[k])))
            .collect(),
        vec![Vec::new(); items],
        ratings,
        None,
        LoadSummary::default(),
    )
}

/// Runs every job the explorer asked for, here, reporting 3 ms for each.
pub fn settle(app: &mut App) {
    app.settle_here(Duration::from_millis(3));
}

pub fn act(app: &mut App, actions: &[Action]) {
    for &action in actions {
        update(app, action);
    }
}

pub fn press(app: &mut App, code: KeyCode) {
    on_key(app, &KeyEvent::new(code, KeyModifiers::NONE));
}

/// Draws the explorer on a `width × height` test terminal, its window fitted first.
pub fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.set_window(view::window_for(app, Rect::new(0, 0, width, height)));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(&*app, frame.area()))
        .unwrap();
    terminal
}

/// The screen's text, a line per terminal row.
pub fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    let symbols: Vec<&str> = buffer.content().iter().map(|cell| cell.symbol()).collect();
    symbols
        .chunks(width)
        .map(|row| row.concat())
        .collect::<Vec<_>>()
        .join("\n")
}
