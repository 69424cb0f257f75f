//! What the command-line test files share: running the `recscope` binary and reading
//! what it printed.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the binary built for the tests with `args`.
pub fn recscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// The tiny matrix of every introduction, as shipped:
/// U1: A=5 B=4; U2: A=3 C=4 D=2; U3: B=5 C=5.
pub fn tiny() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/tiny.csv")
        .display()
        .to_string()
}
