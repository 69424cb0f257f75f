//! The data layer: reads rating files and their metadata through polars, encodes raw
//! ids to dense indices, and hands the core its matrix and the UI its labels.
//!
//! Reads delimited text (comma, tab, semicolon, pipe, space, MovieLens's `::`; with or
//! without a header), parquet, and JSON lines; knows the MovieLens 100K (`u.data` +
//! `u.item`), MovieLens/MovieTweetings (`ratings.dat` + `movies.dat`), MovieLens CSV
//! (`ratings.csv` + `movies.csv`) and Last.fm (`user_artists.dat` + `artists.dat`)
//! layouts. Every value is read as text first: ids stay strings and each bad value is
//! reported with its file, line and column.

mod error;
mod events;
mod export;
mod json;
mod leaderboard;
mod metadata;
mod model_file;
mod params;
mod ratings;
mod recommend;
pub mod similar;
mod sniff;
mod stats;
mod summary;
mod table;
pub mod text;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::core::matrix::{ItemIndex, Rating, RatingMatrix, RatingScale, UserIndex};

pub use error::{DataError, Place};
pub use events::{DEFAULT_EVENT_WEIGHTS, EVENT_POLICY, EventWeights};
pub use export::{ColumnValues, ExportTable, TableFormat, check_output, write_table};
pub use leaderboard::leaderboard_table;
pub use metadata::ItemInfo;
pub use model_file::{load_model, save_model};
pub use params::{Bound, ParamEntry, param_entry, values_text};
pub use ratings::{MAX_RATING, NO_RATING_COLUMN};
pub use recommend::{Recommendation, reason, recommend, recommendations_table};
pub use sniff::Separator;
pub use stats::{Distribution, HistogramBar, Stats, describe};
pub use summary::{bar_label, edge_label, format_value, summary_lines, summary_table, thousands};
pub use text::{clean_text, json_for_terminal};

use sniff::Layout;
use table::Header;

/// The dataset `recscope` opens when given no path, relative to the crate root: a
/// classroom-sized set of invented films with planted taste groups.
pub const DEFAULT_DATASET: &str = "sample-data/classroom/ratings.csv";

/// Where the default dataset is: beside the sources recscope was built from, else
/// relative to the current folder.
pub fn default_dataset_path() -> PathBuf {
    let built_beside = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_DATASET);
    if built_beside.is_file() {
        built_beside
    } else {
        PathBuf::from(DEFAULT_DATASET)
    }
}

/// The policy for a user–item pair rated more than once, as stated to users.
pub const DUPLICATE_POLICY: &str =
    "the last rating of a pair in file order is kept; earlier ones are dropped";

/// How the file was read and what was done to it on the way in.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LoadSummary {
    /// The ratings file.
    pub ratings_file: PathBuf,
    /// The item metadata file used for titles and genres, if any.
    pub items_file: Option<PathBuf>,
    /// The detected layout, e.g. "MovieLens 100K u.data (tab-separated, no header)".
    pub format: String,
    /// Data rows read (header excluded).
    pub rows_read: usize,
    /// User–item pairs that appeared more than once.
    pub duplicates_resolved: usize,
    /// The policy that resolved them, in words.
    pub duplicate_policy: String,
    /// True when the file had no rating column (implicit feedback, weight 1 or a count).
    pub implicit: bool,
    /// What the values are, in words: "explicit ratings from column 3 \"rating\"",
    /// "implicit, weights from column 3 \"weight\" (play counts), as read", ….
    pub feedback: String,
    /// Rows dropped because a later row rated the same pair (≥ `duplicates_resolved`).
    pub duplicate_rows_dropped: usize,
    /// Where the rating scale came from, e.g. "stated for MovieLens 100K".
    pub scale_source: String,
    /// Items that metadata gave a title.
    pub items_with_titles: usize,
    /// Things worth knowing that did not stop the load (e.g. unreadable metadata).
    pub warnings: Vec<String>,
}

/// A loaded dataset: the rating matrix plus everything needed to show it to a person.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub matrix: Arc<RatingMatrix>,
    /// Raw user ids as written in the file, by dense index.
    pub user_ids: Vec<String>,
    /// Raw item ids as written in the file, by dense index.
    pub item_ids: Vec<String>,
    /// Item titles by dense index, where metadata gave one.
    pub item_titles: Vec<Option<String>>,
    /// Item genres (or tags) by dense index; empty without metadata.
    pub item_genres: Vec<Vec<String>>,
    /// The ratings in file order after duplicate resolution.
    pub ratings: Vec<Rating>,
    /// Timestamps aligned with `ratings`, when the file had them.
    pub timestamps: Option<Vec<i64>>,
    pub summary: LoadSummary,
    user_lookup: HashMap<String, UserIndex>,
    item_lookup: HashMap<String, ItemIndex>,
    /// Display forms of ids that needed cleaning (control characters), by index.
    user_display: HashMap<UserIndex, String>,
    item_display: HashMap<ItemIndex, String>,
}

impl Dataset {
    /// Assembles a dataset; `ratings` must already be encoded with `user_ids` and
    /// `item_ids` and free of duplicate pairs. Titles and genres are cleaned for display.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        matrix: RatingMatrix,
        user_ids: Vec<String>,
        item_ids: Vec<String>,
        item_titles: Vec<Option<String>>,
        item_genres: Vec<Vec<String>>,
        ratings: Vec<Rating>,
        timestamps: Option<Vec<i64>>,
        summary: LoadSummary,
    ) -> Self {
        let user_lookup = user_ids
            .iter()
            .enumerate()
            .map(|(k, id)| (id.clone(), k as UserIndex))
            .collect();
        let item_lookup = item_ids
            .iter()
            .enumerate()
            .map(|(k, id)| (id.clone(), k as ItemIndex))
            .collect();
        let user_display = dirty_ids(&user_ids);
        let item_display = dirty_ids(&item_ids);
        let item_titles = item_titles
            .into_iter()
            .map(|t| t.map(|t| clean_text(&t).into_owned()))
            .collect();
        let item_genres: Vec<Vec<String>> = item_genres
            .into_iter()
            .map(|g| g.iter().map(|g| clean_text(g).into_owned()).collect())
            .collect();
        let matrix = with_genres_as_features(matrix, &item_genres);
        Dataset {
            matrix: Arc::new(matrix),
            user_ids,
            item_ids,
            item_titles,
            item_genres,
            ratings,
            timestamps,
            summary,
            user_lookup,
            item_lookup,
            user_display,
            item_display,
        }
    }

    /// A dataset from `(user, item, rating)` triples in memory (examples, generated
    /// data, tests), encoded as a file would be. The scale is the span of the ratings
    /// unless given. Fails on a non-finite rating.
    pub fn from_triples(
        triples: &[(&str, &str, f64)],
        scale: Option<RatingScale>,
    ) -> Result<Dataset, DataError> {
        let source = PathBuf::from("(in memory)");
        if let Some(row) = triples.iter().position(|t| !t.2.is_finite()) {
            return Err(DataError::BadValue {
                path: source,
                place: Place::Row(row + 1),
                column: "rating".to_string(),
                value: format!("\"{}\"", triples[row].2),
                problem: "is not a finite number",
                hint: "give finite ratings",
            });
        }
        if let Some(row) = triples.iter().position(|t| t.2.abs() > ratings::MAX_RATING) {
            return Err(DataError::BadValue {
                path: source,
                place: Place::Row(row + 1),
                column: "rating".to_string(),
                value: format!("\"{:e}\"", triples[row].2),
                problem: ratings::TOO_LARGE,
                hint: ratings::TOO_LARGE_HINT,
            });
        }
        let parsed = ratings::encode_triples(triples);
        let scale_source = match scale {
            Some(_) => "given",
            None => "detected from the ratings",
        };
        let scale = scale.unwrap_or_else(|| RatingScale::of_ratings(&parsed.ratings));
        let matrix = RatingMatrix::new(
            parsed.user_ids.len(),
            parsed.item_ids.len(),
            &parsed.ratings,
            scale,
        )
        .map_err(|e| DataError::malformed(&source, e.to_string(), "give a valid rating scale"))?;
        let n_items = parsed.item_ids.len();
        let summary = LoadSummary {
            ratings_file: source,
            format: "in memory".to_string(),
            rows_read: parsed.rows_read,
            duplicates_resolved: parsed.duplicate_pairs,
            duplicate_policy: DUPLICATE_POLICY.to_string(),
            duplicate_rows_dropped: parsed.duplicate_rows_dropped,
            scale_source: scale_source.to_string(),
            feedback: "explicit ratings".to_string(),
            warnings: scale_warning(false, &parsed.ratings).into_iter().collect(),
            ..LoadSummary::default()
        };
        Ok(Dataset::new(
            matrix,
            parsed.user_ids,
            parsed.item_ids,
            vec![None; n_items],
            vec![Vec::new(); n_items],
            parsed.ratings,
            None,
            summary,
        ))
    }

    /// The dense index of a raw user id, exactly as written (`007` ≠ `7`).
    pub fn user_index(&self, raw_id: &str) -> Option<UserIndex> {
        self.user_lookup.get(raw_id).copied()
    }

    /// The dense index of a raw item id, exactly as written.
    pub fn item_index(&self, raw_id: &str) -> Option<ItemIndex> {
        self.item_lookup.get(raw_id).copied()
    }

    /// The dense index of a user id given by a person (e.g. on the command line), or an
    /// error naming the file, the id, and a near match when one exists.
    pub fn find_user(&self, raw_id: &str) -> Result<UserIndex, DataError> {
        match self.user_index(raw_id) {
            Some(user) => Ok(user),
            None => Err(self.unknown_id("user", raw_id, &self.user_ids, None)),
        }
    }

    /// As [`Dataset::find_user`], for items; an exact title (any case) suggests its id.
    pub fn find_item(&self, raw_id: &str) -> Result<ItemIndex, DataError> {
        match self.item_index(raw_id) {
            Some(item) => Ok(item),
            None => Err(self.unknown_id("item", raw_id, &self.item_ids, Some(&self.item_titles))),
        }
    }

    /// The error for an id the file does not have: the file, how many ids it has, the
    /// ids most like the one asked for (else the first ones), every id quoted with its
    /// control characters escaped.
    fn unknown_id(
        &self,
        kind: &'static str,
        wanted: &str,
        ids: &[String],
        titles: Option<&[Option<String>]>,
    ) -> DataError {
        const SHOWN: usize = 5;
        let mut similar = similar_ids(wanted, ids, SHOWN);
        if let Some(titles) = titles {
            let by_title = titles.iter().position(|t| {
                t.as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(wanted.trim()))
            });
            if let Some(id) = by_title.and_then(|at| ids.get(at)) {
                similar.retain(|s| s != id);
                similar.insert(0, id.clone());
                similar.truncate(SHOWN);
            }
        }
        let quoted = |list: &[String]| {
            list.iter()
                .map(|id| text::quote_value(id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let known = if similar.is_empty() {
            let first: Vec<String> = ids.iter().take(SHOWN).cloned().collect();
            match first.is_empty() {
                true => format!("0 {kind}s"),
                false => format!(
                    "{} {kind}s; the first ones are {}",
                    ids.len(),
                    quoted(&first)
                ),
            }
        } else {
            format!(
                "{} {kind}s; similar {kind} ids: {}",
                ids.len(),
                quoted(&similar)
            )
        };
        let hint = match similar.first() {
            Some(id) => format!(
                "ids are matched exactly as written in the file; did you mean {}?",
                text::quote_value(id)
            ),
            None => "ids are matched exactly as written in the file".to_string(),
        };
        DataError::UnknownId {
            path: self.summary.ratings_file.clone(),
            kind,
            id: text::quote_value(wanted),
            known,
            hint,
        }
    }

    /// The item's title when known, else its id; safe to print (see [`clean_text`]).
    /// `"?"` for an index outside the dataset.
    pub fn item_label(&self, item: ItemIndex) -> &str {
        match self.item_titles.get(item as usize) {
            Some(Some(title)) => title,
            _ => self.item_id_label(item),
        }
    }

    /// The item's raw id, cleaned for display.
    pub fn item_id_label(&self, item: ItemIndex) -> &str {
        match self.item_display.get(&item) {
            Some(clean) => clean,
            None => self.item_ids.get(item as usize).map_or("?", String::as_str),
        }
    }

    /// The user's raw id, cleaned for display; `"?"` for an index outside the dataset.
    pub fn user_label(&self, user: UserIndex) -> &str {
        match self.user_display.get(&user) {
            Some(clean) => clean,
            None => self.user_ids.get(user as usize).map_or("?", String::as_str),
        }
    }

    /// The files the dataset was read from (exports must not overwrite them).
    pub fn source_files(&self) -> Vec<&Path> {
        let mut files = vec![self.summary.ratings_file.as_path()];
        files.extend(self.summary.items_file.as_deref());
        files
    }
}

/// Up to `limit` ids like `wanted`: first those that differ only by surrounding spaces,
/// letter case or leading zeros, then those a typo away (one edit for ids of up to four
/// characters, two for longer ones), nearest first.
pub fn similar_ids(wanted: &str, ids: &[String], limit: usize) -> Vec<String> {
    let fold = |id: &str| {
        let id = id.trim().to_lowercase();
        let stripped = id.trim_start_matches('0');
        if stripped.is_empty() && !id.is_empty() {
            "0".to_string()
        } else {
            stripped.to_string()
        }
    };
    let folded = fold(wanted);
    let mut found: Vec<String> = ids
        .iter()
        .filter(|id| id.as_str() != wanted && fold(id) == folded)
        .take(limit)
        .cloned()
        .collect();
    let reach = if wanted.chars().count() <= 4 { 1 } else { 2 };
    let mut typos: Vec<(usize, &String)> = ids
        .iter()
        .filter(|id| id.as_str() != wanted && !found.contains(id))
        .filter_map(|id| {
            let distance = edit_distance(wanted, id, reach)?;
            // Replacing every character is no typo.
            (distance < id.chars().count()).then_some((distance, id))
        })
        .collect();
    typos.sort();
    found.extend(
        typos
            .into_iter()
            .take(limit.saturating_sub(found.len()))
            .map(|(_, id)| id.clone()),
    );
    found
}

/// Levenshtein distance in characters, or `None` when it exceeds `reach`.
fn edit_distance(a: &str, b: &str, reach: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > reach {
        return None;
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
    let distance = previous[b.len()];
    (distance <= reach).then_some(distance)
}

/// The matrix with the items' genres attached as features for content-based models;
/// unchanged when no item has a genre.
fn with_genres_as_features(matrix: RatingMatrix, item_genres: &[Vec<String>]) -> RatingMatrix {
    if item_genres.iter().all(Vec::is_empty) {
        return matrix;
    }
    let features = crate::core::features::ItemFeatures::from_labels(item_genres);
    matrix.with_item_features(Arc::new(features))
}

fn dirty_ids(ids: &[String]) -> HashMap<u32, String> {
    ids.iter()
        .enumerate()
        .filter_map(|(k, id)| match clean_text(id) {
            Cow::Owned(clean) => Some((k as u32, clean)),
            Cow::Borrowed(_) => None,
        })
        .collect()
}

/// Options for reading a ratings file where sniffing is not enough.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadOptions {
    /// Field separator, e.g. `,`, `\t`, `::`; sniffed when `None`.
    pub separator: Option<String>,
    /// Column names (or 1-based positions, as text) of user, item and rating.
    pub user_column: Option<String>,
    pub item_column: Option<String>,
    pub rating_column: Option<String>,
    /// Item metadata file; looked for next to the ratings file when `None`.
    pub items_file: Option<PathBuf>,
    /// How a weight or count column (Last.fm play counts, clicks) becomes the values the
    /// algorithms see. Explicit ratings are always read as they are.
    pub weights: Weights,
    /// The weight of each event type of an event log (a file with an `event` column
    /// and no rating column).
    pub event_weights: EventWeights,
}

/// How weights and counts of implicit feedback are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Weights {
    /// As written: a play count of 352,698 is the value 352,698. The rating-prediction
    /// algorithms then predict play counts, and a few heavy users dominate.
    #[default]
    AsRead,
    /// `log(1 + count)`: 0 → 0, 1 → 0.69, 9 → 2.30, 352,698 → 12.77. Compresses the long
    /// tail of counts, as in the confidence weighting of Hu, Koren and Volinsky (2008).
    Log,
}

/// Ratings files looked for when the path given is a folder, in order.
const RATINGS_IN_FOLDER: [&str; 6] = [
    "u.data",
    "ratings.csv",
    "ratings.dat",
    "user_artists.dat",
    "ratings.parquet",
    "ratings.jsonl",
];

/// Reads a ratings file (and its item metadata) into a dataset. A folder stands for the
/// first of `u.data`, `ratings.csv`, `ratings.dat`, `user_artists.dat`,
/// `ratings.parquet`, `ratings.jsonl` in it.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Dataset, DataError> {
    let path = &ratings_file_in(path);
    check_regular_file(path)?;
    let separator = separator_option(path, options)?;
    let table = table::read(path, separator, header_choice(options))?;

    // An event log: a header with an event column, and no rating column asked for.
    let event_column = events::find_column(&table).filter(|_| options.rating_column.is_none());
    let requested = ratings::Requested {
        user: options.user_column.as_deref(),
        item: options.item_column.as_deref(),
        rating: match event_column {
            Some(_) => Some(ratings::NO_RATING_COLUMN),
            None => options.rating_column.as_deref(),
        },
    };
    table.check_overlong(path)?;
    let roles = ratings::find_roles(path, &table, &requested)?;
    let log_weights = options.weights == Weights::Log;
    let parsed = match event_column {
        Some(column) => events::parse(
            path,
            &table,
            &roles,
            column,
            &options.event_weights,
            log_weights,
        )?,
        None => ratings::parse(path, &table, &roles, log_weights)?,
    };

    let mut layout = Layout::detect(path, &table.names, table.separator);
    if layout == Layout::MovieLensDat && parsed.item_ids.iter().all(|id| is_imdb_id(id)) {
        layout = Layout::MovieTweetings;
    }
    let (scale, scale_source) = rating_scale(layout, &roles, &parsed.ratings);

    let mut warnings: Vec<String> = parsed.timestamp_note.iter().cloned().collect();
    let (feedback, weight_note) = match event_column {
        Some(column) => (
            format!(
                "implicit, events from column {} weighted {}{}",
                text::quote_value(&table.names[column]),
                options.event_weights.describe(),
                if log_weights {
                    ", each pair's total t read as ±log(1 + |t|)"
                } else {
                    ""
                }
            ),
            None,
        ),
        None => feedback(layout, &table, &roles, options.weights, &parsed),
    };
    warnings.extend(weight_note);
    warnings.extend(scale_warning(roles.rating_is_weight, &parsed.ratings));
    let metadata = item_metadata(path, layout, options, &parsed.item_ids, &mut warnings)?;
    let (item_titles, item_genres): (Vec<_>, Vec<_>) = parsed
        .item_ids
        .iter()
        .map(
            |id| match metadata.as_ref().and_then(|(_, items)| items.get(id)) {
                Some(info) => (info.title.clone(), info.genres.clone()),
                None => (None, Vec::new()),
            },
        )
        .unzip();

    let matrix = RatingMatrix::new(
        parsed.user_ids.len(),
        parsed.item_ids.len(),
        &parsed.ratings,
        scale,
    )
    .map_err(|e| DataError::malformed(path, e.to_string(), "this is a bug in recscope"))?;

    let summary = LoadSummary {
        ratings_file: path.to_path_buf(),
        items_file: metadata.map(|(file, _)| file),
        format: describe_format(layout, &table),
        rows_read: parsed.rows_read,
        duplicates_resolved: parsed.duplicate_pairs,
        duplicate_policy: match event_column {
            Some(_) => EVENT_POLICY.to_string(),
            None => DUPLICATE_POLICY.to_string(),
        },
        implicit: roles.rating_is_weight,
        feedback,
        duplicate_rows_dropped: parsed.duplicate_rows_dropped,
        scale_source,
        items_with_titles: item_titles.iter().filter(|t| t.is_some()).count(),
        warnings,
    };
    Ok(Dataset::new(
        matrix,
        parsed.user_ids,
        parsed.item_ids,
        item_titles,
        item_genres,
        parsed.ratings,
        parsed.timestamps,
        summary,
    ))
}

fn separator_option(path: &Path, options: &LoadOptions) -> Result<Option<Separator>, DataError> {
    let Some(text) = options.separator.as_deref() else {
        return Ok(None);
    };
    match Separator::parse(text) {
        Some(separator) => Ok(Some(separator)),
        None => Err(DataError::malformed(
            path,
            format!(
                "{} is not a separator recscope reads",
                text::quote_value(text)
            ),
            "use --sep with '::', tab, space, or one punctuation character such as , ; | :",
        )),
    }
}

/// Ratings beyond this size (in absolute value) earn a warning: no rating scale in use
/// comes near it (stars 1–5, 0–10, jokes −10 to 10, percentages 0–100).
const WIDE_SCALE: f64 = 1e4;

/// A warning when explicit ratings reach an implausible size.
fn scale_warning(implicit: bool, ratings: &[Rating]) -> Option<String> {
    if implicit {
        return None;
    }
    let largest = ratings.iter().map(|r| r.value.abs()).fold(0.0, f64::max);
    (largest > WIDE_SCALE).then(|| {
        let scale = RatingScale::of_ratings(ratings);
        format!(
            "ratings span {} to {}, far beyond usual rating scales (1–5, 0–10, 0–100): \
             errors such as RMSE are in these units and the largest ratings dominate \
             means and similarities; check the rating column",
            compact(scale.min),
            compact(scale.max)
        )
    })
}

/// A number for a sentence: plain when short, else in scientific notation.
fn compact(value: f64) -> String {
    if value.abs() < 1e6 {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// What the values of the file are, in words, and a note on weights used as ratings.
fn feedback(
    layout: Layout,
    table: &table::Table,
    roles: &ratings::Roles,
    weights: Weights,
    parsed: &ratings::Parsed,
) -> (String, Option<String>) {
    let column = |index: usize| {
        if table.has_header {
            format!("column {}", text::quote_value(&table.names[index]))
        } else {
            format!("column {}", index + 1)
        }
    };
    let Some(index) = roles.rating else {
        return (
            "implicit, each user–item pair weighs 1 (no rating column)".to_string(),
            None,
        );
    };
    if !roles.rating_is_weight {
        let note = (weights == Weights::Log).then(|| {
            "ratings are explicit, so they are read as they are (the log transform applies \
             to weights and counts only)"
                .to_string()
        });
        return (format!("explicit ratings from {}", column(index)), note);
    }
    let what = weight_kind(layout, &table.names[index]);
    let span = RatingScale::of_ratings(&parsed.ratings);
    match weights {
        Weights::AsRead => (
            format!("implicit, weights from {} ({what}), as read", column(index)),
            Some(format!(
                "the {what} ({} to {}) are used as they are: the rating-prediction \
                 algorithms treat them as ratings, so predictions and errors are in {what}; \
                 reading them as log(1 + count) (--weights log) tames the largest",
                compact(span.min),
                compact(span.max)
            )),
        ),
        Weights::Log => (
            format!(
                "implicit, weights from {} ({what}), read as log(1 + count)",
                column(index)
            ),
            Some(format!(
                "the {what} are read as log(1 + count), now {:.3} to {:.3}: predictions and \
                 errors are on that scale",
                span.min, span.max
            )),
        ),
    }
}

/// What a weight column counts, from its name and the layout.
fn weight_kind(layout: Layout, name: &str) -> &'static str {
    match sniff::fold_name(name).as_str() {
        _ if layout == Layout::LastFm => "play counts",
        "plays" | "playcount" | "listens" => "play counts",
        "clicks" => "click counts",
        "views" => "view counts",
        "count" | "counts" | "interactions" => "counts",
        _ => "weights",
    }
}

/// A column asked for by name means the file has a header; positions say nothing.
fn header_choice(options: &LoadOptions) -> Header {
    let requested = [
        &options.user_column,
        &options.item_column,
        &options.rating_column,
    ];
    let names_a_column = requested.iter().any(|spec| {
        spec.as_deref().is_some_and(|s| {
            let s = s.trim();
            s.parse::<usize>().is_err() && !s.eq_ignore_ascii_case(ratings::NO_RATING_COLUMN)
        })
    });
    if names_a_column {
        Header::Present
    } else {
        Header::Sniff
    }
}

/// The publisher's scale for a known layout (widened if the data stray outside it),
/// else the span of the ratings.
fn rating_scale(
    layout: Layout,
    roles: &ratings::Roles,
    ratings: &[Rating],
) -> (RatingScale, String) {
    let detected = RatingScale::of_ratings(ratings);
    match layout.known_scale() {
        Some((min, max)) if !roles.rating_is_weight => (
            RatingScale {
                min: min.min(detected.min),
                max: max.max(detected.max),
            },
            format!("stated for {}", layout.name()),
        ),
        _ => (detected, "detected from the ratings".to_string()),
    }
}

/// Titles and genres from the items file given, or from the layout's companion file
/// beside the ratings. A given file must read and be of use (titles or genres for some
/// of the rated items); a found one that does not read only warns.
fn item_metadata(
    path: &Path,
    layout: Layout,
    options: &LoadOptions,
    item_ids: &[String],
    warnings: &mut Vec<String>,
) -> Result<Option<(PathBuf, metadata::ItemMetadata)>, DataError> {
    if let Some(file) = &options.items_file {
        let items = metadata::read_items(file)?;
        check_items_of_use(file, &items, item_ids)?;
        return Ok(Some((file.clone(), items)));
    }
    let Some(file) = metadata::find_beside(path, layout) else {
        return Ok(None);
    };
    match metadata::read_items(&file) {
        Ok(items) => Ok(Some((file, items))),
        Err(err) => {
            warnings.push(format!("titles left out: {err}"));
            Ok(None)
        }
    }
}

/// An items file asked for by name must describe some of the rated items.
fn check_items_of_use(
    file: &Path,
    items: &metadata::ItemMetadata,
    item_ids: &[String],
) -> Result<(), DataError> {
    let described = |info: &ItemInfo| info.title.is_some() || !info.genres.is_empty();
    if !items.values().any(described) {
        return Err(DataError::malformed(
            file,
            format!(
                "the items file gives no titles or genres ({} ids read)",
                items.len()
            ),
            "give --items a file with an id column and a title (or genres) column, e.g. \
             movieId,title,genres",
        ));
    }
    if !item_ids
        .iter()
        .any(|id| items.get(id).is_some_and(described))
    {
        let example = items.keys().next().map_or(String::new(), |id| {
            format!(", e.g. {}", text::quote_value(id))
        });
        return Err(DataError::malformed(
            file,
            format!(
                "none of the {} ids in the items file is an item of the ratings file{example}",
                items.len()
            ),
            "check that --items belongs to this ratings file; ids are matched exactly as \
             written",
        ));
    }
    Ok(())
}

/// Refuses a folder without a ratings file, and a pipe or device, which reading would
/// wait on forever or misread. A path that does not exist is left to the reader's
/// own error.
pub(crate) fn check_regular_file(path: &Path) -> Result<(), DataError> {
    let Ok(found) = std::fs::metadata(path) else {
        return Ok(());
    };
    if found.is_dir() {
        return Err(DataError::malformed(
            path,
            format!(
                "a folder with none of the ratings files recscope looks for ({})",
                RATINGS_IN_FOLDER.join(", ")
            ),
            "give the ratings file itself",
        ));
    }
    if !found.is_file() {
        return Err(DataError::malformed(
            path,
            "not a regular file (a pipe, a socket or a device)",
            "save the data to a file and give its path",
        ));
    }
    Ok(())
}

/// A folder's ratings file, or the path itself.
fn ratings_file_in(path: &Path) -> PathBuf {
    let in_folder = || {
        RATINGS_IN_FOLDER
            .iter()
            .map(|name| path.join(name))
            .find(|file| file.is_file())
    };
    match path.is_dir().then(in_folder).flatten() {
        Some(file) => file,
        None => path.to_path_buf(),
    }
}

/// MovieTweetings items are 7-digit IMDb numbers, leading zeros kept.
fn is_imdb_id(id: &str) -> bool {
    id.len() == 7 && id.bytes().all(|b| b.is_ascii_digit())
}

fn describe_format(layout: Layout, table: &table::Table) -> String {
    let Some(separator) = table.separator else {
        return layout.name().to_string();
    };
    let header = if table.has_header {
        "header"
    } else {
        "no header"
    };
    let encoding = if table.latin1 { ", Latin-1" } else { "" };
    format!(
        "{} ({}, {header}{encoding})",
        layout.name(),
        separator.describe()
    )
}
