//! The neighbours panel's view of the similarity measures: the users most similar to a
//! user, or the items most similar to an item, as rows the panel can draw.

use crate::core::matrix::RatingMatrix;

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
}

/// The `n` users (items) most similar to `of`, best first.
///
/// The similarity measures are not part of this build yet, so this reports that
/// plainly instead of listing anything.
pub fn most_similar(
    _matrix: &RatingMatrix,
    query: &SimilarityQuery,
    _of: u32,
    _n: usize,
) -> Result<Vec<NeighbourRow>, String> {
    Err(format!(
        "the {} similarity is not available in this build",
        query.kind
    ))
}
