//! Errors of the data layer: each names the file, where in it, the offending value,
//! and says what to do about it.

use std::fmt;
use std::path::PathBuf;

/// Where in a file a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A line of a text file, 1-based, the header counted.
    Line(usize),
    /// A row of a parquet file, 1-based.
    Row(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// A file that could not be read into a rating matrix, or a table that could not be
/// written.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: {message}\n  hint: {hint}", path.display())]
    Unreadable {
        path: PathBuf,
        message: String,
        hint: String,
    },

    #[error("{}: the file has no ratings\n  hint: {hint}", path.display())]
    Empty { path: PathBuf, hint: String },

    #[error(
        "{}: no {role} (columns found: {found})\n  hint: {hint}",
        path.display()
    )]
    MissingColumn {
        path: PathBuf,
        /// The column looked for: "user column", "rating column \"stars\"", ….
        role: String,
        /// The columns the file has, listed for the reader.
        found: String,
        hint: String,
    },

    #[error(
        "{}: {place}, column {column}: {value} {problem}\n  hint: {hint}",
        path.display()
    )]
    BadValue {
        path: PathBuf,
        place: Place,
        column: String,
        /// The offending value, quoted and cleaned for display.
        value: String,
        problem: &'static str,
        hint: &'static str,
    },

    #[error("{}: {message}\n  hint: {hint}", path.display())]
    Malformed {
        path: PathBuf,
        message: String,
        hint: String,
    },

    #[error("{}: no {kind} {id} in the file ({known})\n  hint: {hint}", path.display())]
    UnknownId {
        path: PathBuf,
        /// "user" or "item".
        kind: &'static str,
        /// The id asked for, quoted.
        id: String,
        /// How many ids the file has, with a few examples.
        known: String,
        hint: String,
    },

    #[error("{}: cannot write: {message}\n  hint: {hint}", path.display())]
    Write {
        path: PathBuf,
        message: String,
        hint: String,
    },
}

impl DataError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            DataError::Unreadable { path, .. }
            | DataError::Empty { path, .. }
            | DataError::MissingColumn { path, .. }
            | DataError::BadValue { path, .. }
            | DataError::Malformed { path, .. }
            | DataError::UnknownId { path, .. }
            | DataError::Write { path, .. } => path,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &str {
        match self {
            DataError::Unreadable { hint, .. }
            | DataError::Empty { hint, .. }
            | DataError::MissingColumn { hint, .. }
            | DataError::Malformed { hint, .. }
            | DataError::UnknownId { hint, .. }
            | DataError::Write { hint, .. } => hint,
            DataError::BadValue { hint, .. } => hint,
        }
    }

    pub(crate) fn unreadable(path: &std::path::Path, err: impl fmt::Display) -> Self {
        DataError::Unreadable {
            path: path.to_path_buf(),
            message: format!("cannot read the file: {err}"),
            hint: "check that the path is right and the file is readable".to_string(),
        }
    }

    pub(crate) fn malformed(
        path: &std::path::Path,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        DataError::Malformed {
            path: path.to_path_buf(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}
