//! The neighbours panel's similarity lists, shared with `recscope similar` (see
//! [`crate::data::similar`]).

pub use crate::data::similar::{NeighbourRow, SimilarityQuery, most_similar};
