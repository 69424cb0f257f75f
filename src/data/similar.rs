//! Lists of the users most similar to a user, or the items most similar to an item, as
//! rows: what the explorer's neighbours panel draws and `recscope similar` prints.

use crate::core::matrix::RatingMatrix;
use crate::core::similarity::{self, SimilarityKind, SimilarityOptions, UnknownSimilarity};

/// How many rows the neighbours panel and `recscope similar` list unless told.
pub const DEFAULT_LISTED: usize = 20;
/// The fewest co-rated items (users) asked of a pair unless told: with one or two in
/// common, most similarities are a meaningless 1.000.
pub const DEFAULT_MIN_SUPPORT: usize = 5;
/// The measure listed unless told.
pub const DEFAULT_SIMILARITY: &str = "pearson";

/// One row of the neighbours panel.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighbourRow {
    /// The similar user's (item's) dense index.
    pub index: u32,
    pub similarity: f64,
    /// Items both users rated (users who rated both items).
    pub co_rated: usize,
}

/// Which similarity the panel lists, and between what.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarityQuery {
    /// A similarity measure name, e.g. `pearson`.
    pub kind: String,
    /// Users similar to a user (`true`) or items similar to an item (`false`).
    pub user_based: bool,
    pub min_support: usize,
    pub shrinkage: f64,
    /// Why this measure: the algorithm's setting or the panel's default.
    pub reason: String,
}

/// The `n` users (items) most similar to `of`, best first, by the core's similarity
/// measures; an unknown measure name is reported, not guessed.
pub fn most_similar(
    matrix: &RatingMatrix,
    query: &SimilarityQuery,
    of: u32,
    n: usize,
) -> Result<Vec<NeighbourRow>, String> {
    let kind: SimilarityKind = query
        .kind
        .parse()
        .map_err(|err: UnknownSimilarity| err.to_string())?;
    let options = SimilarityOptions {
        kind,
        user_based: query.user_based,
        min_support: query.min_support,
        shrinkage: query.shrinkage,
    };
    // Pairs below the minimum support get similarity 0 from the core; the panel
    // leaves them out rather than listing them as neighbours.
    Ok(similarity::most_similar(matrix, &options, of, n)
        .into_iter()
        .filter(|neighbour| neighbour.co_rated >= query.min_support)
        .map(|neighbour| NeighbourRow {
            index: neighbour.index,
            similarity: neighbour.similarity,
            co_rated: neighbour.co_rated,
        })
        .collect())
}
