//! The dependency direction `tui, cli → data → core`: the compute core names no
//! terminal or file-format crate, and the data layer no terminal crate.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` that names one of `crates` as a path (`name::`) or in
/// a `use` line, with the crate it names.
fn offenders(dir: &str, crates: &[&str]) -> Vec<(PathBuf, String)> {
    fn visit(dir: &Path, crates: &[&str], found: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, crates, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for name in crates {
                    if names_crate(&text, name) {
                        found.push((path.clone(), name.to_string()));
                    }
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut found = Vec::new();
    visit(&root, crates, &mut found);
    found
}

/// Whether `text` uses crate `name`: `name::…` anywhere outside a word, or `use name`.
fn names_crate(text: &str, name: &str) -> bool {
    let path = format!("{name}::");
    text.match_indices(&path).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    }) || text
        .lines()
        .any(|line| line.trim_start().starts_with(&format!("use {name}")))
}

#[test]
fn the_check_sees_a_crate_named_in_code() {
    assert!(names_crate("use ratatui::widgets::Block;", "ratatui"));
    assert!(names_crate(
        "let x = polars::prelude::col(\"a\");",
        "polars"
    ));
    assert!(names_crate("use crossterm;", "crossterm"));
    assert!(!names_crate(
        "// the explorer draws with ratatui",
        "ratatui"
    ));
    assert!(!names_crate("my_polars::thing()", "polars"));
}

#[test]
fn the_compute_core_names_no_terminal_or_file_format_crate() {
    let found = offenders("src/core", &["ratatui", "crossterm", "polars"]);
    assert!(found.is_empty(), "src/core must stay pure: {found:?}");
}

#[test]
fn the_data_layer_names_no_terminal_crate() {
    let found = offenders("src/data", &["ratatui", "crossterm"]);
    assert!(found.is_empty(), "src/data must not draw: {found:?}");
}
