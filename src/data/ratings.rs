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

const RATING_HINT: &str = "use --rating-col to name the rating column";

/// Finds the roles of the columns: requested ones first, then usual names in a header,
/// then positions (user, item, rating, timestamp) in a file without one.
pub fn find_roles(path: &Path, table: &Table, requested: &Requested) -> Result<Roles, DataError> {
    let by_name = |names: &[&str]| {
        table
            .names
            .iter()
            .position(|n| names.contains(&fold_name(n).as_str()))
    };
    let named = table.has_header;

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
    let (rating, rating_is_weight) = match requested.rating {
        Some(spec) => {
            let index = resolve(path, table, spec, "rating", "--rating-col")?;
            let weight = sniff::WEIGHT_NAMES.contains(&fold_name(&table.names[index]).as_str());
            (Some(index), named && weight)
        }
        None if named => match by_name(sniff::RATING_NAMES) {
            Some(index) => (Some(index), false),
            None => (by_name(sniff::WEIGHT_NAMES), true),
        },
        None => ((table.names.len() > 2).then_some(2), false),
    };
    let timestamp = if named {
        by_name(sniff::TIME_NAMES)
    } else {
        (table.names.len() > 3).then_some(3)
    };

    if table.names.len() < 2 || user == item {
        return Err(DataError::MissingColumn {
            path: path.to_path_buf(),
            role: "item column".to_string(),
            found: table.list_columns(),
            hint: "a ratings file needs a user and an item column; use --sep if the \
                   separator was not recognised"
                .to_string(),
        });
    }
    let clash = |other: Option<usize>| other.is_some_and(|o| o == user || o == item);
    if clash(rating) {
        return Err(missing(path, table, "rating", RATING_HINT));
    }
    let timestamp = timestamp.filter(|&t| !clash(Some(t)) && Some(t) != rating);
    Ok(Roles {
        user,
        item,
        rating,
        timestamp,
        rating_is_weight: rating.is_none() || rating_is_weight,
    })
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
struct Encoder {
    ids: Vec<String>,
    lookup: HashMap<String, u32>,
}

impl Encoder {
    fn encode(&mut self, raw: &str) -> u32 {
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
pub fn parse(path: &Path, table: &Table, roles: &Roles) -> Result<Parsed, DataError> {
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
                rating_value(path, table, row, index, iter.next().flatten())?
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

fn id_value<'a>(
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
        Ok(value) if value.is_finite() => return Ok(value),
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

/// Seconds since the epoch, written as an integer or a decimal.
fn parse_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    raw.parse::<i64>().ok().or_else(|| {
        raw.parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && t.abs() < 9.0e18)
            .map(|t| t as i64)
    })
}
