//! Event logs: files of (user, item, event type[, timestamp]) lines, such as plays,
//! skips and playlist adds, turned into one weighted interaction per user–item pair.
//!
//! Each event type has a weight (defaults in [`DEFAULT_EVENT_WEIGHTS`], changed with
//! `--event-weights play=1,skip=-1`). The policy, as stated to users in
//! [`EVENT_POLICY`]: the weights of all events of a pair are summed, repeats
//! included; the pair takes the time of its latest event; a pair whose total is zero
//! or negative stays in the matrix with that total, which implicit models read as "no
//! preference" (a negative total with a confidence that grows with its size) and
//! rating models as a low value.

use std::collections::HashMap;
use std::path::Path;

use super::error::DataError;
use super::ratings::{self, Encoder, Parsed, Roles};
use super::sniff::fold_name;
use super::table::Table;
use super::text::quote_value;

/// Header names (folded: lower case, without `_ - . ` and spaces) of an event column.
pub const EVENT_NAMES: &[&str] = &[
    "event",
    "events",
    "eventtype",
    "action",
    "interaction",
    "interactiontype",
    "type",
];

/// The weights used unless `--event-weights` changes them: a play counts 1, a skip
/// −1, a playlist add 4 (a deliberate, lasting choice), a like 3, a dislike −3, a
/// click or view 1, a purchase 5.
pub const DEFAULT_EVENT_WEIGHTS: &[(&str, f64)] = &[
    ("play", 1.0),
    ("skip", -1.0),
    ("playlist", 4.0),
    ("playlist_add", 4.0),
    ("like", 3.0),
    ("dislike", -3.0),
    ("click", 1.0),
    ("view", 1.0),
    ("purchase", 5.0),
];

/// How the events of a pair are combined, in words.
pub const EVENT_POLICY: &str = "the weights of a user–item pair's events are summed \
    (repeats add up); the pair keeps the time of its latest event; a total of 0 or less \
    stays as it is (no preference for implicit models)";

/// A weight for each event type, matched without regard to case, spaces, `-` or `_`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventWeights {
    /// `(name as given, weight)`, in the order defaults then settings; a later entry
    /// with the same folded name replaces an earlier one.
    entries: Vec<(String, f64)>,
}

impl Default for EventWeights {
    fn default() -> Self {
        EventWeights {
            entries: DEFAULT_EVENT_WEIGHTS
                .iter()
                .map(|&(name, weight)| (name.to_string(), weight))
                .collect(),
        }
    }
}

impl EventWeights {
    /// The defaults changed by `NAME=WEIGHT` settings separated by commas, e.g.
    /// `play=1,skip=-1,playlist=4`. The error says which setting is wrong and why.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut weights = EventWeights::default();
        for setting in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((name, value)) = setting.split_once('=') else {
                return Err(format!(
                    "--event-weights: {} is not NAME=WEIGHT (e.g. play=1,skip=-1)",
                    quote_value(setting)
                ));
            };
            let name = name.trim();
            if fold_name(name).is_empty() {
                return Err(format!(
                    "--event-weights: {} names no event type",
                    quote_value(setting)
                ));
            }
            match value.trim().parse::<f64>() {
                Ok(weight) if weight.is_finite() && weight.abs() <= ratings::MAX_RATING => {
                    weights.set(name, weight);
                }
                _ => {
                    return Err(format!(
                        "--event-weights: the weight of {} is {}, which is not a finite \
                         number (e.g. skip=-1)",
                        quote_value(name),
                        quote_value(value.trim())
                    ));
                }
            }
        }
        Ok(weights)
    }

    fn set(&mut self, name: &str, weight: f64) {
        let folded = fold_name(name);
        self.entries.retain(|(known, _)| fold_name(known) != folded);
        self.entries.push((name.to_string(), weight));
    }

    /// The weight of an event type as written in a file, `None` when it has none.
    pub fn weight(&self, event: &str) -> Option<f64> {
        let folded = fold_name(event);
        self.entries
            .iter()
            .rev()
            .find(|(known, _)| fold_name(known) == folded)
            .map(|&(_, weight)| weight)
    }

    /// `play=1, skip=-1, …` for messages.
    pub fn describe(&self) -> String {
        self.entries
            .iter()
            .map(|(name, weight)| format!("{name}={weight}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The event column of a table with a header, when it has one.
/// (A file that also has a rating column is ratings, not an event log: `None`.)
pub fn find_column(table: &Table) -> Option<usize> {
    // A file with a rating column is ratings, whatever else it records (an `event` or
    // `type` column beside the stars).
    let has_rating = (table.names.iter())
        .any(|name| super::sniff::RATING_NAMES.contains(&fold_name(name).as_str()));
    if !table.has_header || has_rating {
        return None;
    }
    table
        .names
        .iter()
        .position(|name| EVENT_NAMES.contains(&fold_name(name).as_str()))
}

/// Reads an event log: every row's event weighed, the events of each pair combined
/// by [`EVENT_POLICY`]. With `log_weights`, a total `t` becomes `log(1 + t)` when
/// positive and `−log(1 + |t|)` when negative. Pairs keep the order of their first
/// event, users and items the order of their first appearance.
pub fn parse(
    path: &Path,
    table: &Table,
    roles: &Roles,
    event_column: usize,
    weights: &EventWeights,
    log_weights: bool,
) -> Result<Parsed, DataError> {
    let column = |index: usize| {
        table.column(index).ok_or_else(|| {
            DataError::malformed(
                path,
                format!("column {} could not be read as text", index + 1),
                "check the separator (--sep)",
            )
        })
    };
    let users = column(roles.user)?;
    let items = column(roles.item)?;
    let events = column(event_column)?;
    let times = roles.timestamp.map(column).transpose()?;
    let height = table.height();
    if height == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            hint: "the file has a header but no event lines under it".to_string(),
        });
    }

    let mut user_encoder = Encoder::default();
    let mut item_encoder = Encoder::default();
    let mut pairs: HashMap<(u32, u32), usize> = HashMap::new();
    let mut totals: Vec<(u32, u32, f64, i64, usize)> = Vec::new();
    let mut timestamp_note = None;
    let mut times_iter = times.map(|t| t.iter());
    for (row, ((raw_user, raw_item), raw_event)) in users
        .iter()
        .zip(items.iter())
        .zip(events.iter())
        .enumerate()
    {
        let user = ratings::id_value(path, table, row, roles.user, raw_user, "user")?;
        let item = ratings::id_value(path, table, row, roles.item, raw_item, "item")?;
        let weight = event_weight(path, table, row, event_column, raw_event, weights)?;
        let time = match &mut times_iter {
            Some(iter) => {
                let raw = iter.next().flatten();
                let parsed = raw.and_then(ratings::parse_time);
                if parsed.is_none() && timestamp_note.is_none() {
                    timestamp_note = Some(format!(
                        "timestamps left out: {} at {} is not a number of seconds",
                        quote_value(raw.unwrap_or("")),
                        table.place(row)
                    ));
                }
                parsed.unwrap_or(i64::MIN)
            }
            None => i64::MIN,
        };
        let key = (user_encoder.encode(user), item_encoder.encode(item));
        match pairs.get(&key) {
            Some(&at) => {
                let entry = &mut totals[at];
                entry.2 += weight;
                entry.3 = entry.3.max(time);
                entry.4 += 1;
            }
            None => {
                pairs.insert(key, totals.len());
                totals.push((key.0, key.1, weight, time, 1));
            }
        }
    }

    let rows: Vec<crate::core::matrix::Rating> = totals
        .iter()
        .map(|&(user, item, total, _, _)| crate::core::matrix::Rating {
            user,
            item,
            value: if log_weights {
                total.signum() * total.abs().ln_1p()
            } else {
                total
            },
        })
        .collect();
    let timestamps = (times_iter.is_some() && timestamp_note.is_none())
        .then(|| totals.iter().map(|t| t.3).collect());
    Ok(Parsed {
        user_ids: user_encoder.ids,
        item_ids: item_encoder.ids,
        duplicate_pairs: totals.iter().filter(|t| t.4 > 1).count(),
        duplicate_rows_dropped: height - rows.len(),
        ratings: rows,
        timestamps,
        rows_read: height,
        timestamp_note,
    })
}

fn event_weight(
    path: &Path,
    table: &Table,
    row: usize,
    column: usize,
    raw: Option<&str>,
    weights: &EventWeights,
) -> Result<f64, DataError> {
    let text = raw.unwrap_or("").trim();
    if text.is_empty() {
        return Err(DataError::BadValue {
            path: path.to_path_buf(),
            place: table.place(row),
            column: table.column_label(column),
            value: quote_value(raw.unwrap_or("")),
            problem: "is empty: the line has no event type",
            hint: "every line of an event log needs a user, an item and an event type \
                   (play, skip, …); check the separator (--sep)",
        });
    }
    weights.weight(text).ok_or_else(|| {
        DataError::malformed(
            path,
            format!(
                "{}, column {}: {} is an event type without a weight (weights: {})",
                table.place(row),
                table.column_label(column),
                quote_value(text),
                weights.describe()
            ),
            format!(
                "give it one with --event-weights, e.g. --event-weights {}=1",
                super::text::escape_controls(&fold_name(text))
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_change_the_defaults_and_match_loosely() {
        let weights = EventWeights::parse("skip=-2, Save = 6").unwrap();
        assert_eq!(weights.weight("skip"), Some(-2.0));
        assert_eq!(weights.weight("SAVE"), Some(6.0));
        assert_eq!(weights.weight("Playlist Add"), Some(4.0));
        assert_eq!(weights.weight("play"), Some(1.0));
        assert_eq!(weights.weight("share"), None);
    }

    #[test]
    fn bad_settings_are_named() {
        let error = EventWeights::parse("play=1,skip").unwrap_err();
        assert!(error.contains("\"skip\" is not NAME=WEIGHT"), "{error}");
        let error = EventWeights::parse("skip=lots").unwrap_err();
        assert!(error.contains("\"lots\""), "{error}");
        let error = EventWeights::parse("play=inf").unwrap_err();
        assert!(error.contains("not a finite number"), "{error}");
        assert!(EventWeights::parse("=3").is_err());
    }
}
