//! recscope: a terminal explorer for recommender systems.
//!
//! `core` computes (matrix, similarities, algorithms, explanations, evaluation);
//! `data` reads and writes files through polars; `tui` is the explorer; `cli` holds the
//! headless subcommands. Dependencies point `tui, cli → data → core`, never back.

pub mod cli;
pub mod core;
pub mod data;
pub mod tui;
