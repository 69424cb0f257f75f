//! The data layer: reads rating files and their metadata through polars, encodes raw
//! ids to dense indices, and hands the core its matrix and the UI its labels.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::core::matrix::{ItemIndex, Rating, RatingMatrix, UserIndex};

/// How the file was read and what was done to it on the way in.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LoadSummary {
    /// The ratings file.
    pub ratings_file: PathBuf,
    /// The item metadata file used for titles and genres, if any.
    pub items_file: Option<PathBuf>,
    /// The detected layout, e.g. "MovieLens u.data (tab, no header)".
    pub format: String,
    /// Data rows read (header excluded).
    pub rows_read: usize,
    /// User–item pairs that appeared more than once.
    pub duplicates_resolved: usize,
    /// The policy that resolved them, in words.
    pub duplicate_policy: String,
    /// True when the file had no rating column (implicit feedback, weight 1 or a count).
    pub implicit: bool,
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
}

impl Dataset {
    /// Assembles a dataset; `ratings` must already be encoded with `user_ids` and
    /// `item_ids` and free of duplicate pairs.
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
        }
    }

    /// The dense index of a raw user id, exactly as written (`007` ≠ `7`).
    pub fn user_index(&self, raw_id: &str) -> Option<UserIndex> {
        self.user_lookup.get(raw_id).copied()
    }

    /// The dense index of a raw item id, exactly as written.
    pub fn item_index(&self, raw_id: &str) -> Option<ItemIndex> {
        self.item_lookup.get(raw_id).copied()
    }

    /// The item's title when known, else its raw id.
    pub fn item_label(&self, item: ItemIndex) -> &str {
        match self.item_titles.get(item as usize) {
            Some(Some(title)) => title,
            _ => &self.item_ids[item as usize],
        }
    }
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
}

/// A file that could not be read into a rating matrix.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {message}")]
    Unreadable { path: PathBuf, message: String },
}

/// Reads a ratings file (and its item metadata) into a dataset.
pub fn load(path: &std::path::Path, _options: &LoadOptions) -> Result<Dataset, DataError> {
    Err(DataError::Unreadable {
        path: path.to_path_buf(),
        message: "the data layer is being written".to_string(),
    })
}
