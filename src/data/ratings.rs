//! From a text table to ratings: finding the user, item, rating and time columns,
//! parsing each value with its line for errors, encoding raw ids to dense indices in
//! order of first appearance, and resolving duplicate user–item pairs.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::core::matrix::Rating;

use super::error::DataError;
use super::sniff::{self, fold_name};
use super::table::Table;
use super::text::quote_value;

/// Which column plays which part; indices into the table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub user: usize,
    pub item: usize,
    /// `None` for implicit feedback without a strength column: each pair weighs 1.
    pub rating: Option<usize>,
    pub timestamp: Option<usize>,
    /// True when the rating column holds counts or weights rather than opinions.
    pub rating_is_weight: bool,
}

/// Column choices given by the user, as names or 1-based positions.
pub struct Requested<'a> {
    pub user: Option<&'a str>,
    pub item: Option<&'a str>,
    pub rating: Option<&'a str>,
}

/// Written as `--rating-col none`: the file has no rating column; each pair weighs 1.
pub const NO_RATING_COLUMN: &str = "none";

/// Finds the roles of the columns: requested ones first, then usual names in a header,
/// then positions (user, item, rating, timestamp) in a file without one. A header with
/// more than a user and an item column but no rating or weight column is an error (its
/// third column might hold the ratings under an unusual name); `--rating-col none`
/// reads such a file as implicit feedback.
pub fn find_roles(path: &Path, table: &Table, requested: &Requested) -> Result<Roles, DataError> {
    // The first name of the list that a column has: `rating` before `score`.
    let by_name = |names: &[&str]| {
        (names.iter()).find_map(|wanted| table.names.iter().position(|n| fold_name(n) == *wanted))
    };
    let named = table.has_header;
    if table.names.len() < 2 {
        return Err(one_column(path, table));
    }
    if named {
        refuse_repeated_role_names(path, table, requested)?;
    }

    let user = match requested.user {
        Some(spec) => resolve(path, table, spec, "user", "--user-col")?,
        None if named => by_name(sniff::USER_NAMES).ok_or_else(|| {
            missing(
                path,
                table,
                "user",
                "use --user-col to name the user column",
            )
        })?,
        None => 0,
    };
    let item = match requested.item {
        Some(spec) => resolve(path, table, spec, "item", "--item-col")?,
        None if named => by_name(sniff::ITEM_NAMES).ok_or_else(|| {
            missing(
                path,
                table,
                "item",
                "use --item-col to name the item column",
            )
        })?,
        None => 1,
    };
    if user == item {
        return Err(same_user_and_item(path, table, requested, user));
    }
    let no_rating = requested
        .rating
        .is_some_and(|spec| spec.trim().eq_ignore_ascii_case(NO_RATING_COLUMN))
        && !table.names.iter().any(|n| fold_name(n) == NO_RATING_COLUMN);
    let (rating, rating_is_weight) = match requested.rating {
        _ if no_rating => (None, true),
        Some(spec) => {
            let index = resolve(path, table, spec, "rating", "--rating-col")?;
            if index == user || index == item {
                let role = if index == user { "user" } else { "item" };
                return Err(rating_clash(path, table, spec, index, role));
            }
            let weight = sniff::WEIGHT_NAMES.contains(&fold_name(&table.names[index]).as_str());
            (Some(index), named && weight)
        }
        None if named => match (by_name(sniff::RATING_NAMES), by_name(sniff::WEIGHT_NAMES)) {
            (Some(index), _) => (Some(index), false),
            (None, Some(index)) => (Some(index), true),
            (None, None) if named_columns(table) <= 2 => (None, true),
            (None, None) => {
                return Err(missing(
                    path,
                    table,
                    "rating",
                    "use --rating-col to name the rating column (a name or a position), \
                     or --rating-col none to read the file as implicit feedback in which \
                     every user–item pair weighs 1",
                ));
            }
        },
        None => ((table.names.len() > 2).then_some(2), false),
    };
    let rating = rating.filter(|&r| r != user && r != item);
    let timestamp = if named {
        by_name(sniff::TIME_NAMES)
    } else {
        (table.names.len() > 3).then_some(3)
    };
    let timestamp = timestamp.filter(|&t| t != user && t != item && Some(t) != rating);
    Ok(Roles {
        user,
        item,
        rating,
        timestamp,
        rating_is_weight: rating.is_none() || rating_is_weight,
    })
}

/// Two columns with the name a role would be found by (`rating,rating`) would make
/// the choice between them silent: refused, with the way to choose. Roles given by a
/// flag are not looked up by name and are left out.
fn refuse_repeated_role_names(
    path: &Path,
    table: &Table,
    requested: &Requested,
) -> Result<(), DataError> {
    let mut role_lists = Vec::new();
    if requested.user.is_none() {
        role_lists.push(sniff::USER_NAMES);
    }
    if requested.item.is_none() {
        role_lists.push(sniff::ITEM_NAMES);
    }
    if requested.rating.is_none() {
        role_lists.extend([sniff::RATING_NAMES, sniff::WEIGHT_NAMES]);
    }
    // The CSV reader renames a repeated header name `rating` to `rating_duplicated_0`.
    let as_written = |name: &str| -> String {
        let repeat = name.rsplit_once("_duplicated_");
        match repeat.filter(|(_, k)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit())) {
            Some((base, _)) => base.to_string(),
            None => name.to_string(),
        }
    };
    let folded: Vec<String> = table
        .names
        .iter()
        .map(|n| fold_name(&as_written(n)))
        .collect();
    for list in role_lists {
        // The name the role would be found by: the first of the list a column has.
        let Some(picked) = (list.iter()).find(|wanted| folded.iter().any(|n| n == *wanted)) else {
            continue;
        };
        let mut at = (folded.iter().enumerate())
            .filter(|(_, name)| name == picked)
            .map(|(k, _)| k);
        if let (Some(first), Some(second)) = (at.next(), at.next()) {
            return Err(DataError::malformed(
                path,
                format!(
                    "columns {} and {} are both named {}",
                    first + 1,
                    second + 1,
                    quote_value(&as_written(&table.names[second]))
                ),
                "rename one of them, or choose the columns with --user-col, --item-col \
                 and --rating-col",
            ));
        }
    }
    Ok(())
}

/// Columns with a name (a trailing separator on the header adds one without).
fn named_columns(table: &Table) -> usize {
    table.names.iter().filter(|n| !n.trim().is_empty()).count()
}

fn one_column(path: &Path, table: &Table) -> DataError {
    let read_as = table
        .separator
        .map_or("with no separator".to_string(), |s| {
            format!("as {}", s.describe())
        });
    let hint = match table.detected_separator {
        Some(detected) => format!(
            "the lines look {}: use --sep '{}', or leave --sep out to have it detected",
            detected.describe(),
            detected.flag()
        ),
        None => "a ratings file needs a user and an item column; check --sep, or leave it \
                 out to have the separator detected"
            .to_string(),
    };
    DataError::malformed(
        path,
        format!("every line is a single field when read {read_as}, so there is no item column"),
        hint,
    )
}

fn same_user_and_item(
    path: &Path,
    table: &Table,
    requested: &Requested,
    column: usize,
) -> DataError {
    let label = table.column_label(column);
    let (message, hint) = match (requested.user, requested.item) {
        (Some(_), Some(_)) => (
            format!("the user and item columns are the same (column {label})"),
            "give --user-col and --item-col different columns",
        ),
        (Some(spec), None) => (
            format!(
                "--user-col {} is column {label}, which is already the item column",
                quote_value(spec)
            ),
            "give --user-col the user column, or name the item column with --item-col",
        ),
        (None, Some(spec)) => (
            format!(
                "--item-col {} is column {label}, which is already the user column",
                quote_value(spec)
            ),
            "give --item-col the item column, or name the user column with --user-col",
        ),
        (None, None) => (
            format!("the user and item columns are the same (column {label})"),
            "name them with --user-col and --item-col",
        ),
    };
    DataError::malformed(
        path,
        format!("{message} (columns found: {})", table.list_columns()),
        hint,
    )
}

fn rating_clash(path: &Path, table: &Table, spec: &str, index: usize, role: &str) -> DataError {
    DataError::malformed(
        path,
        format!(
            "--rating-col {} is column {}, which is already the {role} column (columns \
             found: {})",
            quote_value(spec),
            table.column_label(index),
            table.list_columns()
        ),
        "give --rating-col the column that holds the ratings, or --rating-col none for \
         implicit feedback",
    )
}

/// A requested column: a header name (exact, then folded), else a 1-based position.
fn resolve(
    path: &Path,
    table: &Table,
    spec: &str,
    role: &str,
    flag: &str,
) -> Result<usize, DataError> {
    let spec = spec.trim();
    if table.has_header {
        if let Some(index) = table.names.iter().position(|n| n == spec) {
            return Ok(index);
        }
        let folded = fold_name(spec);
        if let Some(index) = table.names.iter().position(|n| fold_name(n) == folded) {
            return Ok(index);
        }
    }
    match spec.parse::<usize>() {
        Ok(position) if (1..=table.names.len()).contains(&position) => Ok(position - 1),
        _ => Err(DataError::MissingColumn {
            path: path.to_path_buf(),
            role: format!("{role} column {}", quote_value(spec)),
            found: table.list_columns(),
            hint: format!(
                "give {flag} a column name from the header or a position from 1 to {}",
                table.names.len()
            ),
        }),
    }
}

fn missing(path: &Path, table: &Table, role: &str, hint: &str) -> DataError {
    DataError::MissingColumn {
        path: path.to_path_buf(),
        role: format!("{role} column"),
        found: table.list_columns(),
        hint: hint.to_string(),
    }
}

/// Ratings read from a table, encoded and free of duplicate pairs.
pub struct Parsed {
    pub user_ids: Vec<String>,
    pub item_ids: Vec<String>,
    pub ratings: Vec<Rating>,
    pub timestamps: Option<Vec<i64>>,
    pub rows_read: usize,
    /// Pairs that appeared more than once.
    pub duplicate_pairs: usize,
    /// Rows dropped because a later row rated the same pair.
    pub duplicate_rows_dropped: usize,
    /// Why timestamps were left out, when a time column existed but did not parse.
    pub timestamp_note: Option<String>,
}

/// Dense indices in order of first appearance.
#[derive(Default)]
pub(super) struct Encoder {
    pub(super) ids: Vec<String>,
    lookup: HashMap<String, u32>,
}

impl Encoder {
    pub(super) fn encode(&mut self, raw: &str) -> u32 {
        if let Some(&index) = self.lookup.get(raw) {
            return index;
        }
        let index = self.ids.len() as u32;
        self.ids.push(raw.to_string());
        self.lookup.insert(raw.to_string(), index);
        index
    }
}

/// Encodes `(user, item, rating)` triples given in memory, with the same rules as a
/// file: indices by first appearance, the last rating of a repeated pair kept.
pub fn encode_triples(triples: &[(&str, &str, f64)]) -> Parsed {
    let mut user_encoder = Encoder::default();
    let mut item_encoder = Encoder::default();
    let mut rows: Vec<Rating> = triples
        .iter()
        .map(|&(user, item, value)| Rating {
            user: user_encoder.encode(user),
            item: item_encoder.encode(item),
            value,
        })
        .collect();
    let (duplicate_pairs, duplicate_rows_dropped) = keep_last_of_each_pair(&mut rows, &mut None);
    Parsed {
        user_ids: user_encoder.ids,
        item_ids: item_encoder.ids,
        ratings: rows,
        timestamps: None,
        rows_read: triples.len(),
        duplicate_pairs,
        duplicate_rows_dropped,
        timestamp_note: None,
    }
}

/// Reads every row. Duplicate policy: the last rating of a pair in file order wins, and
/// it takes the place of that last row; earlier rows of the pair are dropped.
/// With `log_weights`, a weight (count) column is read as `log(1 + weight)`.
pub fn parse(
    path: &Path,
    table: &Table,
    roles: &Roles,
    log_weights: bool,
) -> Result<Parsed, DataError> {
    let log_weights = log_weights && roles.rating_is_weight;
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
    let values = roles.rating.map(column).transpose()?;
    let times = roles.timestamp.map(column).transpose()?;

    let height = table.height();
    if height == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            hint: if table.has_header {
                "the file has a header but no rating lines under it".to_string()
            } else {
                "give a file with one rating per line".to_string()
            },
        });
    }

    let mut user_encoder = Encoder::default();
    let mut item_encoder = Encoder::default();
    let mut rows: Vec<Rating> = Vec::with_capacity(height);
    let mut row_times: Vec<i64> = Vec::with_capacity(if times.is_some() { height } else { 0 });
    let mut timestamp_note = None;
    let mut users_iter = users.iter();
    let mut items_iter = items.iter();
    let mut values_iter = values.map(|v| v.iter());
    let mut times_iter = times.map(|t| t.iter());

    for row in 0..height {
        let raw_user = users_iter.next().flatten();
        let raw_item = items_iter.next().flatten();
        let user = id_value(path, table, row, roles.user, raw_user, "user")?;
        let item = id_value(path, table, row, roles.item, raw_item, "item")?;
        let value = match (&mut values_iter, roles.rating) {
            (Some(iter), Some(index)) => {
                let raw = iter.next().flatten();
                let value = rating_value(path, table, row, index, raw)?;
                if log_weights {
                    log_weight(path, table, row, index, raw, value)?
                } else {
                    value
                }
            }
            _ => 1.0,
        };
        if let Some(iter) = &mut times_iter {
            let raw = iter.next().flatten();
            match raw.and_then(parse_time) {
                Some(t) if timestamp_note.is_none() => row_times.push(t),
                Some(_) => {}
                None if timestamp_note.is_none() => {
                    timestamp_note = Some(format!(
                        "timestamps left out: {} at {} is not a number of seconds",
                        quote_value(raw.unwrap_or("")),
                        table.place(row)
                    ));
                }
                None => {}
            }
        }
        rows.push(Rating {
            user: user_encoder.encode(user),
            item: item_encoder.encode(item),
            value,
        });
    }
    let mut timestamps = (times_iter.is_some() && timestamp_note.is_none()).then_some(row_times);
    let (duplicate_pairs, duplicate_rows_dropped) =
        keep_last_of_each_pair(&mut rows, &mut timestamps);

    Ok(Parsed {
        user_ids: user_encoder.ids,
        item_ids: item_encoder.ids,
        ratings: rows,
        timestamps,
        rows_read: height,
        duplicate_pairs,
        duplicate_rows_dropped,
        timestamp_note,
    })
}

/// Drops every row of a user–item pair but its last, keeping file order (timestamps
/// alongside). Returns the number of pairs that had duplicates and of rows dropped.
fn keep_last_of_each_pair(
    rows: &mut Vec<Rating>,
    timestamps: &mut Option<Vec<i64>>,
) -> (usize, usize) {
    let key = |r: &Rating| (u64::from(r.user) << 32) | u64::from(r.item);
    let mut last: HashMap<u64, usize> = HashMap::with_capacity(rows.len());
    let mut repeated: HashSet<u64> = HashSet::new();
    for (row, rating) in rows.iter().enumerate() {
        if last.insert(key(rating), row).is_some() {
            repeated.insert(key(rating));
        }
    }
    let dropped = rows.len() - last.len();
    if dropped > 0 {
        let keep: Vec<bool> = rows
            .iter()
            .enumerate()
            .map(|(row, r)| last.get(&key(r)) == Some(&row))
            .collect();
        let mut flags = keep.iter();
        rows.retain(|_| *flags.next().unwrap_or(&false));
        if let Some(times) = timestamps {
            let mut flags = keep.iter();
            times.retain(|_| *flags.next().unwrap_or(&false));
        }
    }
    (repeated.len(), dropped)
}

pub(super) fn id_value<'a>(
    path: &Path,
    table: &Table,
    row: usize,
    column: usize,
    raw: Option<&'a str>,
    role: &str,
) -> Result<&'a str, DataError> {
    match raw.map(str::trim) {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(DataError::BadValue {
            path: path.to_path_buf(),
            place: table.place(row),
            column: table.column_label(column),
            value: quote_value(raw.unwrap_or("")),
            problem: if role == "user" {
                "is empty: the line has no user"
            } else {
                "is empty: the line has no item"
            },
            hint: "every line needs a user, an item and (for explicit data) a rating; \
                   check the separator (--sep)",
        }),
    }
}

fn rating_value(
    path: &Path,
    table: &Table,
    row: usize,
    column: usize,
    raw: Option<&str>,
) -> Result<f64, DataError> {
    let text = raw.unwrap_or("").trim();
    let problem = match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= MAX_RATING => return Ok(value),
        Ok(value) if value.is_finite() => {
            return Err(DataError::BadValue {
                path: path.to_path_buf(),
                place: table.place(row),
                column: table.column_label(column),
                value: quote_value(raw.unwrap_or("")),
                problem: TOO_LARGE,
                hint: TOO_LARGE_HINT,
            });
        }
        Ok(_) => "is not a finite number",
        Err(_) if text.is_empty() => "is empty: the line has no rating",
        Err(_) => "is not a number",
    };
    let hint = if text.contains(',') && text.replace(',', ".").parse::<f64>().is_ok() {
        "decimal commas are not read; use a point (4.5), or --sep if ',' separates fields"
    } else {
        "fix or remove the line, or use --rating-col to name the rating column"
    };
    Err(DataError::BadValue {
        path: path.to_path_buf(),
        place: table.place(row),
        column: table.column_label(column),
        value: quote_value(raw.unwrap_or("")),
        problem,
        hint,
    })
}

/// The largest rating (in absolute value) recscope computes with. Sums of squares of
/// ratings this size over millions of ratings stay far below `f64::MAX` (about 1.8e308),
/// so no mean, variance or similarity overflows; no real rating scale comes near it.
pub const MAX_RATING: f64 = 1e100;
/// The problem stated for a rating above [`MAX_RATING`].
pub const TOO_LARGE: &str = "is too large to compute with (ratings must lie within ±1e100)";
pub const TOO_LARGE_HINT: &str = "fix or remove the line; if ratings really are this large, \
                                  rescale them (divide by a power of ten) before loading";

/// `log(1 + weight)` of a weight read from the file; a negative weight has no logarithm.
fn log_weight(
    path: &Path,
    table: &Table,
    row: usize,
    column: usize,
    raw: Option<&str>,
    value: f64,
) -> Result<f64, DataError> {
    if value < 0.0 {
        return Err(DataError::BadValue {
            path: path.to_path_buf(),
            place: table.place(row),
            column: table.column_label(column),
            value: quote_value(raw.unwrap_or("")),
            problem: "is negative: weights read as log(1 + weight) must be 0 or more",
            hint: "fix or remove the line, or read the weights as they are",
        });
    }
    Ok(value.ln_1p())
}

/// Seconds since the epoch, written as an integer or a decimal.
pub(super) fn parse_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    raw.parse::<i64>().ok().or_else(|| {
        raw.parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && t.abs() < 9.0e18)
            .map(|t| t as i64)
    })
}
