//! The user–item rating matrix: known ratings stored sparsely by user and by item.
//!
//! Users and items are dense indices (`0..n_users`, `0..n_items`); raw ids and titles
//! live in the data layer. Within each user's row and each item's column, entries keep
//! the order in which the ratings were given, so that every algorithm iterates them in
//! a documented, reproducible order (ties between equal similarities are broken by it).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::features::ItemFeatures;

/// Dense index of a user, `0..n_users`.
pub type UserIndex = u32;
/// Dense index of an item, `0..n_items`.
pub type ItemIndex = u32;

/// One known rating, in dense indices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub user: UserIndex,
    pub item: ItemIndex,
    pub value: f64,
}

/// The interval predictions are clipped to, e.g. 1–5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatingScale {
    pub min: f64,
    pub max: f64,
}

impl RatingScale {
    /// Clamps a raw prediction into the scale.
    pub fn clip(&self, value: f64) -> f64 {
        value.clamp(self.min, self.max)
    }

    /// The scale spanned by the given ratings; `1..1` for none.
    pub fn of_ratings(ratings: &[Rating]) -> Self {
        let mut scale = RatingScale {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        };
        for rating in ratings {
            scale.min = scale.min.min(rating.value);
            scale.max = scale.max.max(rating.value);
        }
        if scale.min > scale.max {
            scale = RatingScale { min: 1.0, max: 1.0 };
        }
        scale
    }
}

/// Why a matrix could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    #[error("rating {index} names user {user}, but the matrix has {n_users} users")]
    UserOutOfRange {
        index: usize,
        user: UserIndex,
        n_users: usize,
    },
    #[error("rating {index} names item {item}, but the matrix has {n_items} items")]
    ItemOutOfRange {
        index: usize,
        item: ItemIndex,
        n_items: usize,
    },
    #[error("rating {index} has value {value}, which is not a finite number")]
    NotFinite { index: usize, value: f64 },
    #[error("the rating scale {min}..{max} is not a valid interval")]
    BadScale { min: f64, max: f64 },
}

/// Compressed sparse lines (rows or columns): `offsets[k]..offsets[k + 1]` indexes
/// `indices` and `values` for line `k`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SparseLines {
    offsets: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
}

impl SparseLines {
    /// Groups `(line, index, value)` triples by line with a stable counting sort, so
    /// that each line keeps the triples' original order.
    fn build(n_lines: usize, triples: impl Iterator<Item = (u32, u32, f64)> + Clone) -> Self {
        let mut offsets = vec![0usize; n_lines + 1];
        for (line, _, _) in triples.clone() {
            offsets[line as usize + 1] += 1;
        }
        for k in 0..n_lines {
            offsets[k + 1] += offsets[k];
        }
        let total = offsets[n_lines];
        let mut cursor = offsets.clone();
        let mut indices = vec![0u32; total];
        let mut values = vec![0f64; total];
        for (line, index, value) in triples {
            let at = cursor[line as usize];
            indices[at] = index;
            values[at] = value;
            cursor[line as usize] += 1;
        }
        SparseLines {
            offsets,
            indices,
            values,
        }
    }

    fn line(&self, k: usize) -> (&[u32], &[f64]) {
        let range = self.offsets[k]..self.offsets[k + 1];
        (&self.indices[range.clone()], &self.values[range])
    }

    fn len_of(&self, k: usize) -> usize {
        self.offsets[k + 1] - self.offsets[k]
    }
}

/// The known ratings of `n_users × n_items` cells; every other cell is unknown.
///
/// A user (item) with no rating here is *unknown* to algorithms fitted on this matrix,
/// even though it has an index: cross-validation keeps the indices of the whole
/// dataset and leaves some users without training ratings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RatingMatrix {
    n_users: usize,
    n_items: usize,
    by_user: SparseLines,
    by_item: SparseLines,
    scale: RatingScale,
    global_mean: f64,
    /// Genres or tags of the items, when the data layer had them; kept by
    /// [`RatingMatrix::with_ratings`] so that every fold sees them.
    #[serde(skip)]
    item_features: Option<Arc<ItemFeatures>>,
}

impl RatingMatrix {
    /// Builds a matrix from ratings given in input order. Each (user, item) pair must
    /// appear at most once; the data layer resolves duplicates before this point.
    pub fn new(
        n_users: usize,
        n_items: usize,
        ratings: &[Rating],
        scale: RatingScale,
    ) -> Result<Self, MatrixError> {
        if !(scale.min.is_finite() && scale.max.is_finite() && scale.min <= scale.max) {
            return Err(MatrixError::BadScale {
                min: scale.min,
                max: scale.max,
            });
        }
        for (index, rating) in ratings.iter().enumerate() {
            if rating.user as usize >= n_users {
                return Err(MatrixError::UserOutOfRange {
                    index,
                    user: rating.user,
                    n_users,
                });
            }
            if rating.item as usize >= n_items {
                return Err(MatrixError::ItemOutOfRange {
                    index,
                    item: rating.item,
                    n_items,
                });
            }
            if !rating.value.is_finite() {
                return Err(MatrixError::NotFinite {
                    index,
                    value: rating.value,
                });
            }
        }
        let by_user =
            SparseLines::build(n_users, ratings.iter().map(|r| (r.user, r.item, r.value)));
        let by_item =
            SparseLines::build(n_items, ratings.iter().map(|r| (r.item, r.user, r.value)));
        let global_mean = if ratings.is_empty() {
            (scale.min + scale.max) / 2.0
        } else {
            ratings.iter().map(|r| r.value).sum::<f64>() / ratings.len() as f64
        };
        Ok(RatingMatrix {
            n_users,
            n_items,
            by_user,
            by_item,
            scale,
            global_mean,
            item_features: None,
        })
    }

    /// A matrix of no users and no items on the scale 1..1.
    pub fn empty() -> Self {
        let empty = SparseLines {
            offsets: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
        };
        RatingMatrix {
            n_users: 0,
            n_items: 0,
            by_user: empty.clone(),
            by_item: empty,
            scale: RatingScale { min: 1.0, max: 1.0 },
            global_mean: 1.0,
            item_features: None,
        }
    }

    /// The same shape, scale and item features, holding only the given ratings (e.g.
    /// a training fold).
    pub fn with_ratings(&self, ratings: &[Rating]) -> Result<Self, MatrixError> {
        let mut matrix = RatingMatrix::new(self.n_users, self.n_items, ratings, self.scale)?;
        matrix.item_features = self.item_features.clone();
        Ok(matrix)
    }

    /// This matrix with item features attached (content-based models need them).
    pub fn with_item_features(mut self, features: Arc<ItemFeatures>) -> Self {
        self.item_features = Some(features);
        self
    }

    /// The item features, when the data had any.
    pub fn item_features(&self) -> Option<&ItemFeatures> {
        self.item_features.as_deref()
    }

    pub fn n_users(&self) -> usize {
        self.n_users
    }

    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// Number of known ratings.
    pub fn n_ratings(&self) -> usize {
        self.by_user.values.len()
    }

    /// Share of cells that are known, 0..1.
    pub fn density(&self) -> f64 {
        let cells = self.n_users as f64 * self.n_items as f64;
        if cells == 0.0 {
            0.0
        } else {
            self.n_ratings() as f64 / cells
        }
    }

    pub fn scale(&self) -> RatingScale {
        self.scale
    }

    /// Mean of all known ratings (the middle of the scale when there are none).
    pub fn global_mean(&self) -> f64 {
        self.global_mean
    }

    /// The items a user rated and the ratings, in input order.
    pub fn user_ratings(&self, user: UserIndex) -> (&[ItemIndex], &[f64]) {
        self.by_user.line(user as usize)
    }

    /// The users who rated an item and their ratings, in input order.
    pub fn item_ratings(&self, item: ItemIndex) -> (&[UserIndex], &[f64]) {
        self.by_item.line(item as usize)
    }

    pub fn user_count(&self, user: UserIndex) -> usize {
        if (user as usize) < self.n_users {
            self.by_user.len_of(user as usize)
        } else {
            0
        }
    }

    pub fn item_count(&self, item: ItemIndex) -> usize {
        if (item as usize) < self.n_items {
            self.by_item.len_of(item as usize)
        } else {
            0
        }
    }

    /// A user is known when it has at least one rating in this matrix.
    pub fn knows_user(&self, user: UserIndex) -> bool {
        self.user_count(user) > 0
    }

    /// An item is known when it has at least one rating in this matrix.
    pub fn knows_item(&self, item: ItemIndex) -> bool {
        self.item_count(item) > 0
    }

    /// The known rating of a cell, or `None` when the cell is unknown.
    pub fn rating(&self, user: UserIndex, item: ItemIndex) -> Option<f64> {
        if user as usize >= self.n_users || item as usize >= self.n_items {
            return None;
        }
        // Scan the shorter of the two lines.
        if self.user_count(user) <= self.item_count(item) {
            let (items, values) = self.user_ratings(user);
            items.iter().position(|&i| i == item).map(|k| values[k])
        } else {
            let (users, values) = self.item_ratings(item);
            users.iter().position(|&u| u == user).map(|k| values[k])
        }
    }

    /// Mean of a user's ratings, `None` for a user without ratings.
    pub fn user_mean(&self, user: UserIndex) -> Option<f64> {
        mean(self.user_ratings(user).1)
    }

    /// Mean of an item's ratings, `None` for an item without ratings.
    pub fn item_mean(&self, item: ItemIndex) -> Option<f64> {
        mean(self.item_ratings(item).1)
    }

    /// Every known rating, user by user, each user's in input order.
    pub fn ratings(&self) -> impl Iterator<Item = Rating> + '_ {
        (0..self.n_users as u32).flat_map(move |user| {
            let (items, values) = self.user_ratings(user);
            items
                .iter()
                .zip(values)
                .map(move |(&item, &value)| Rating { user, item, value })
        })
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> RatingMatrix {
        let ratings = [
            Rating {
                user: 0,
                item: 1,
                value: 4.0,
            },
            Rating {
                user: 0,
                item: 0,
                value: 5.0,
            },
            Rating {
                user: 1,
                item: 0,
                value: 3.0,
            },
        ];
        RatingMatrix::new(2, 3, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap()
    }

    #[test]
    fn rows_keep_input_order_and_cells_look_up() {
        let matrix = tiny();
        assert_eq!(matrix.user_ratings(0), (&[1, 0][..], &[4.0, 5.0][..]));
        assert_eq!(matrix.item_ratings(0), (&[0, 1][..], &[5.0, 3.0][..]));
        assert_eq!(matrix.rating(1, 0), Some(3.0));
        assert_eq!(matrix.rating(1, 2), None);
        assert!(!matrix.knows_item(2));
        assert_eq!(matrix.global_mean(), 4.0);
        assert_eq!(matrix.user_mean(0), Some(4.5));
    }

    #[test]
    fn out_of_range_and_non_finite_ratings_are_rejected() {
        let scale = RatingScale { min: 1.0, max: 5.0 };
        let bad_user = [Rating {
            user: 2,
            item: 0,
            value: 1.0,
        }];
        assert!(RatingMatrix::new(2, 1, &bad_user, scale).is_err());
        let nan = [Rating {
            user: 0,
            item: 0,
            value: f64::NAN,
        }];
        assert!(RatingMatrix::new(1, 1, &nan, scale).is_err());
    }
}
