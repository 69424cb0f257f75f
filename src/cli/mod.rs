//! The headless subcommands (`stats`, `algorithms`, `predict`, `eval`, `generate`, `fit`):
//! each reads its arguments, calls the data layer and the core, and prints text,
//! JSON or CSV. Errors name the bad value and say what to do instead.

pub mod algorithms;
pub mod eval;
pub mod fit;
pub mod generate;
pub mod logging;
pub mod predict;
pub mod progress;
pub mod recommend;
pub mod similar;
pub mod stats;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::core::algorithms::{self as registry, AlgorithmSpec};
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::core::params::{ParamError, Params};
use crate::data::{self, Dataset, LoadOptions};

/// Column and format options shared by every command that reads a ratings file.
#[derive(Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// Field separator, e.g. ',' '\t' '::' (sniffed when omitted).
    #[arg(long, value_name = "SEP")]
    pub sep: Option<String>,
    /// Column holding user ids: a header name or a 1-based position.
    #[arg(long, value_name = "COLUMN")]
    pub user_col: Option<String>,
    /// Column holding item ids: a header name or a 1-based position.
    #[arg(long, value_name = "COLUMN")]
    pub item_col: Option<String>,
    /// Column holding ratings: a header name or a 1-based position.
    #[arg(long, value_name = "COLUMN")]
    pub rating_col: Option<String>,
    /// Item metadata file (titles, genres); looked for next to the ratings otherwise.
    #[arg(long, value_name = "FILE")]
    pub items: Option<PathBuf>,
    /// How a weight or count column (e.g. Last.fm play counts) is read: as-read, or log
    /// for log(1 + count).
    #[arg(long, value_name = "HOW", value_parser = ["as-read", "log"])]
    pub weights: Option<String>,
    /// Weights of the event types of an event log (a file with an event column),
    /// changing the defaults play=1, skip=-1, playlist=4, like=3, dislike=-3,
    /// click=1, view=1, purchase=5; a pair's events are summed.
    #[arg(long, value_name = "EVENT=W,EVENT=W", value_parser = parse_event_weights)]
    pub event_weights: Option<data::EventWeights>,
}

fn parse_event_weights(text: &str) -> Result<data::EventWeights, String> {
    data::EventWeights::parse(text)
}

impl DataArgs {
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            separator: self.sep.as_ref().map(|s| unescape_separator(s)),
            user_column: self.user_col.clone(),
            item_column: self.item_col.clone(),
            rating_column: self.rating_col.clone(),
            items_file: self.items.clone(),
            weights: match self.weights.as_deref() {
                Some("log") => data::Weights::Log,
                _ => data::Weights::AsRead,
            },
            event_weights: self.event_weights.clone().unwrap_or_default(),
        }
    }
}

/// `\t` typed on a command line arrives as two characters; the loader wants a tab.
fn unescape_separator(text: &str) -> String {
    match text {
        "\\t" | "tab" | "TAB" => "\t".to_string(),
        other => other.to_string(),
    }
}

/// A command line that asks for something impossible (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Something that went wrong while running (exit status 1).
#[derive(Debug)]
pub struct RuntimeError(pub String);

impl RuntimeError {
    pub fn new(message: &str) -> Self {
        RuntimeError(message.to_string())
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuntimeError {}

/// A usage error as an `anyhow` error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Prints the error (with its causes) to stderr and picks the exit status: 2 for a
/// usage error, 1 for anything else, 0 for success.
pub fn exit_code(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("recscope: {error:#}");
            if error.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Output piped into `head` closes early; that is not an error worth reporting.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes `table` to `path` in the format its extension names, never over the
/// dataset's own files.
pub fn write_export(
    path: &Path,
    table: &data::ExportTable,
    dataset: &Dataset,
) -> anyhow::Result<()> {
    let format = export_format(path)?;
    data::write_table(path, table, format, &dataset.source_files())?;
    Ok(())
}

/// The format an `--out` file name asks for, or a usage error saying which names work
/// (checked before any long work starts).
pub fn export_format(path: &Path) -> anyhow::Result<data::TableFormat> {
    data::TableFormat::from_path(path).ok_or_else(|| {
        usage(format!(
            "--out {}: unknown file type; end the name with .csv, .parquet or .json",
            path.display()
        ))
    })
}

/// Reads a ratings file with the given options.
pub fn load_dataset(path: &Path, args: &DataArgs) -> anyhow::Result<Dataset> {
    if !path.exists() {
        return Err(RuntimeError(format!(
            "{}: no such file; check the path (relative paths start from {})",
            path.display(),
            std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| "the current folder".to_string())
        ))
        .into());
    }
    // A separator recscope cannot read is a mistake on the command line (exit 2).
    if let Some(sep) = &args.sep
        && data::Separator::parse(sep).is_none()
    {
        return Err(usage(format!(
            "--sep {} is not a separator recscope reads; give '::', tab, space, or one \
             punctuation character such as , ; | :",
            data::text::quote_value(sep)
        )));
    }
    let dataset = data::load(path, &args.load_options())?;
    Ok(dataset)
}

/// The algorithm registered as `name`, or a usage error listing the names.
pub fn find_algorithm(name: &str) -> anyhow::Result<&'static AlgorithmSpec> {
    registry::find(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = registry::REGISTRY.iter().map(|s| s.name).collect();
        let close = closest(name, names.iter().copied(), 3);
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!(" Did you mean {}?", close.join(" or "))
        };
        usage(format!(
            "there is no algorithm '{name}'.{hint} Known algorithms: {} (see recscope \
             algorithms)",
            registry::names()
        ))
    })
}

/// The dense index of a raw user id, or a usage error naming the file and the id,
/// with similar ids.
pub fn find_user(dataset: &Dataset, raw: &str) -> anyhow::Result<UserIndex> {
    dataset
        .find_user(raw)
        .map_err(|error| unknown_id(error, raw, &dataset.user_ids))
}

/// The dense index of a raw item id, or a usage error naming the file and the id,
/// with similar ids.
pub fn find_item(dataset: &Dataset, raw: &str) -> anyhow::Result<ItemIndex> {
    dataset
        .find_item(raw)
        .map_err(|error| unknown_id(error, raw, &dataset.item_ids))
}

/// The data layer's message, plus ids within two edits when it found no near match.
fn unknown_id(error: data::DataError, raw: &str, ids: &[String]) -> anyhow::Error {
    let mut message = error.to_string();
    if !message.contains("did you mean") {
        let close = closest(raw, ids.iter().map(String::as_str), 5);
        if !close.is_empty() {
            message.push_str(&format!(
                "; similar ids: {}",
                close
                    .iter()
                    .map(|id| clean(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    usage(message)
}

/// Up to `limit` candidates within edit distance 2 of `wanted`, nearest first.
fn closest<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
    limit: usize,
) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|candidate| {
            let distance = edit_distance(wanted, candidate);
            (distance <= 2 && candidate != wanted).then_some((distance, candidate))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(limit)
        .map(|(_, c)| clean(c))
        .collect()
}

/// Levenshtein distance, counting characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Text from a dataset made safe for the terminal (escape sequences and control
/// characters removed).
pub fn clean(text: &str) -> String {
    data::clean_text(text).into_owned()
}

/// Writes `value` to `out` as pretty JSON and a line break, with no character a
/// terminal could act on left unescaped (see [`data::json_for_terminal`]).
pub fn write_json(
    out: &mut impl std::io::Write,
    value: &impl serde::Serialize,
) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    writeln!(out, "{}", data::json_for_terminal(&json))?;
    Ok(())
}

/// The algorithm's parameters: defaults overridden by `KEY=VALUE` settings. A key
/// set twice is refused (naming it) rather than silently keeping the last value.
pub fn parse_params(spec: &AlgorithmSpec, settings: &[String]) -> anyhow::Result<Params> {
    let mut seen: Vec<&str> = Vec::new();
    for setting in settings {
        let (key, _) = split_setting(setting)?;
        if seen.contains(&key) {
            return Err(usage(format!(
                "--param {key} is given more than once; keep one value (to compare values, \
                 use recscope eval --grid)"
            )));
        }
        seen.push(key);
    }
    spec.parse_params(settings).map_err(|error| match error {
        ParamError::Unknown {
            algorithm,
            name,
            known,
        } if known.is_empty() => usage(format!(
            "{algorithm} has no parameter '{name}': it has no parameters"
        )),
        other => usage(format!("{other} (see recscope algorithms)")),
    })
}

/// Splits `KEY=VALUE` settings, checking the form.
pub fn split_setting(setting: &str) -> anyhow::Result<(&str, &str)> {
    setting
        .split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .ok_or_else(|| {
            usage(format!(
                "--param '{setting}' is not of the form KEY=VALUE (e.g. k=20)"
            ))
        })
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! The three-user, four-movie matrix every introduction starts from.

    use crate::core::matrix::{Rating, RatingMatrix, RatingScale};
    use crate::data::{Dataset, LoadSummary};

    /// | user | A | B | C | D |
    /// | U1   | 5 | 4 | ? | ? |
    /// | U2   | 3 | ? | 4 | 2 |
    /// | U3   | ? | 5 | 5 | ? |
    pub fn tiny() -> Dataset {
        let cells = [
            (0, 0, 5.0),
            (0, 1, 4.0),
            (1, 0, 3.0),
            (1, 2, 4.0),
            (1, 3, 2.0),
            (2, 1, 5.0),
            (2, 2, 5.0),
        ];
        let ratings: Vec<Rating> = cells
            .iter()
            .map(|&(user, item, value)| Rating { user, item, value })
            .collect();
        let scale = RatingScale { min: 1.0, max: 5.0 };
        let matrix = RatingMatrix::new(3, 4, &ratings, scale).expect("valid fixture");
        Dataset::new(
            matrix,
            vec!["U1".into(), "U2".into(), "U3".into()],
            vec!["A".into(), "B".into(), "C".into(), "0120735".into()],
            vec![
                Some("Movie A".into()),
                Some("Movie B".into()),
                Some("Movie C".into()),
                Some("Movie D".into()),
            ],
            vec![Vec::new(); 4],
            ratings,
            Some(vec![10, 20, 30, 40, 50, 60, 70]),
            LoadSummary {
                format: "tiny fixture".into(),
                rows_read: 7,
                duplicate_policy: "last rating wins".into(),
                ..LoadSummary::default()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_suggest_the_same_id_without_leading_zeros() {
        let dataset = fixtures::tiny();
        let err = find_item(&dataset, "120735").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("\"120735\""), "{message}");
        assert!(message.contains("0120735"), "{message}");
        assert!(err.downcast_ref::<UsageError>().is_some());
    }

    #[test]
    fn unknown_users_suggest_near_ids() {
        let dataset = fixtures::tiny();
        let message = find_user(&dataset, "U4").unwrap_err().to_string();
        assert!(
            message.contains("\"U4\"") && message.contains("U1"),
            "{message}"
        );
    }

    #[test]
    fn unknown_algorithm_names_the_value_and_a_close_name() {
        let message = find_algorithm("global_men").unwrap_err().to_string();
        assert!(message.contains("'global_men'"), "{message}");
        assert!(message.contains("Did you mean global_mean"), "{message}");
    }

    #[test]
    fn edit_distance_by_hand() {
        // kitten → sitten (substitute) → sittin (substitute) → sitting (insert) = 3
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("U1", "U4"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\u{1b}[31mb\u{7}"), "ab");
    }

    #[test]
    fn tab_separator_is_unescaped() {
        let args = DataArgs {
            sep: Some("\\t".into()),
            ..DataArgs::default()
        };
        assert_eq!(args.load_options().separator.as_deref(), Some("\t"));
    }
}
