//! Users and items as vectors: the factor matrices a fitted model exposes, nearest
//! items to a user by cosine, and a two-dimensional projection (principal components
//! found by power iteration) for drawing them.
//!
//! A model that has vectors returns them from
//! [`Model::embeddings`](crate::core::algorithms::Model::embeddings) as an
//! [`Embeddings`]: two views of
//! row-major `f64` matrices, one row per user (item), the same number of columns in
//! both, so that `users.row(u) · items.row(i)` is the model's interaction term.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use super::matrix::{ItemIndex, UserIndex};

/// The factor vectors of a fitted model, borrowed from it.
///
/// Row `u` of `users` is user `u`'s vector, row `i` of `items` item `i`'s; both have
/// `dimensions()` columns. Users or items without training data keep whatever the
/// model initialised them with; callers that care check the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Embeddings<'a> {
    pub users: ArrayView2<'a, f64>,
    pub items: ArrayView2<'a, f64>,
}

/// Why vectors could not be viewed as embeddings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmbeddingsError {
    #[error("{what} has {len} values, which is not {rows} rows of {columns}")]
    Shape {
        what: &'static str,
        len: usize,
        rows: usize,
        columns: usize,
    },
}

impl<'a> Embeddings<'a> {
    /// Views flat row-major factor arrays (`n_users × dimensions` and
    /// `n_items × dimensions` values) without copying them.
    pub fn from_flat(
        users: &'a [f64],
        items: &'a [f64],
        dimensions: usize,
    ) -> Result<Self, EmbeddingsError> {
        Ok(Embeddings {
            users: view("the user factors", users, dimensions)?,
            items: view("the item factors", items, dimensions)?,
        })
    }

    /// Number of factors per vector.
    pub fn dimensions(&self) -> usize {
        self.users.ncols()
    }

    /// User `user`'s vector, `None` when out of range.
    pub fn user(&self, user: UserIndex) -> Option<ArrayView1<'_, f64>> {
        let index = user as usize;
        (index < self.users.nrows()).then(|| self.users.row(index))
    }

    /// Item `item`'s vector, `None` when out of range.
    pub fn item(&self, item: ItemIndex) -> Option<ArrayView1<'_, f64>> {
        let index = item as usize;
        (index < self.items.nrows()).then(|| self.items.row(index))
    }

    /// The `n` items (among those `include` accepts) whose vectors have the highest
    /// cosine with the user's vector, best first, ties to the lower item index. A zero
    /// vector has cosine 0 with everything.
    pub fn nearest_items(
        &self,
        user: UserIndex,
        n: usize,
        include: impl Fn(ItemIndex) -> bool,
    ) -> Vec<(ItemIndex, f64)> {
        let Some(vector) = self.user(user) else {
            return Vec::new();
        };
        let mut scored: Vec<(ItemIndex, f64)> = self
            .items
            .outer_iter()
            .enumerate()
            .map(|(item, row)| (item as ItemIndex, cosine(vector, row)))
            .filter(|&(item, _)| include(item))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
    }
}

fn view<'a>(
    what: &'static str,
    values: &'a [f64],
    columns: usize,
) -> Result<ArrayView2<'a, f64>, EmbeddingsError> {
    let shape_error = || EmbeddingsError::Shape {
        what,
        len: values.len(),
        rows: values.len() / columns.max(1),
        columns,
    };
    if columns == 0 || !values.len().is_multiple_of(columns) {
        return Err(shape_error());
    }
    ArrayView2::from_shape((values.len() / columns, columns), values).map_err(|_| shape_error())
}

/// `a · b / (|a| |b|)`, 0 when either vector is zero.
pub fn cosine(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let norms = a.dot(&a).sqrt() * b.dot(&b).sqrt();
    if norms > 0.0 && norms.is_finite() {
        a.dot(&b) / norms
    } else {
        0.0
    }
}

/// Users and items placed in the same plane: the rows of both matrices stacked,
/// centred on their common mean, and projected on its first two principal axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// One `[x, y]` per user.
    pub users: Vec<[f64; 2]>,
    /// One `[x, y]` per item.
    pub items: Vec<[f64; 2]>,
    /// Share of the total variance along each of the two axes (0..1; 0 when all
    /// points coincide).
    pub explained: [f64; 2],
}

/// Power-iteration steps per principal axis; the projection is for drawing, so a
/// slow convergence on near-equal eigenvalues only rotates the picture.
const POWER_STEPS: usize = 200;

/// Projects users and items on the first two principal components of all their
/// vectors together (the covariance's leading eigenvectors, found by power iteration
/// with deflation, starting from a fixed vector so that the picture is reproducible).
/// With one dimension the second coordinate is 0.
pub fn project(embeddings: &Embeddings) -> Projection {
    let stacked = ndarray::concatenate(Axis(0), &[embeddings.users, embeddings.items])
        .unwrap_or_else(|_| Array2::zeros((0, embeddings.dimensions())));
    let dimensions = stacked.ncols();
    let rows = stacked.nrows().max(1) as f64;
    let mean = stacked
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(dimensions));
    let centred = &stacked - &mean;
    let covariance = centred.t().dot(&centred) / rows;
    let total: f64 = covariance.diag().sum();

    let mut deflated = covariance;
    let mut axes = Vec::with_capacity(2);
    let mut explained = [0.0; 2];
    for slot in explained.iter_mut() {
        let (axis, eigenvalue) = leading_eigenvector(&deflated);
        if total > 0.0 {
            *slot = (eigenvalue / total).clamp(0.0, 1.0);
        }
        let outer = outer_product(&axis) * eigenvalue;
        deflated = deflated - outer;
        axes.push(axis);
    }

    let coordinates = |row: ArrayView1<f64>| -> [f64; 2] {
        let centred_row = &row - &mean;
        [centred_row.dot(&axes[0]), centred_row.dot(&axes[1])]
    };
    Projection {
        users: embeddings.users.outer_iter().map(coordinates).collect(),
        items: embeddings.items.outer_iter().map(coordinates).collect(),
        explained,
    }
}

/// The unit eigenvector of the largest eigenvalue of a symmetric positive
/// semi-definite matrix, and that eigenvalue; a zero vector and 0 when the matrix is
/// zero.
fn leading_eigenvector(matrix: &Array2<f64>) -> (Array1<f64>, f64) {
    let n = matrix.nrows();
    // A start that is unlikely to be orthogonal to the leading axis: 1, 2, 3, … scaled.
    let mut vector: Array1<f64> = (1..=n).map(|k| 1.0 + 0.1 * k as f64).collect();
    let mut eigenvalue = 0.0;
    for _ in 0..POWER_STEPS {
        let next = matrix.dot(&vector);
        let norm = next.dot(&next).sqrt();
        if !(norm > 1e-300 && norm.is_finite()) {
            return (Array1::zeros(n), 0.0);
        }
        vector = next / norm;
        eigenvalue = vector.dot(&matrix.dot(&vector));
    }
    // A fixed sign: the largest component positive, so refits do not flip the picture.
    let largest = vector
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap_or(0.0);
    if largest < 0.0 {
        vector.mapv_inplace(|v| -v);
    }
    (vector, eigenvalue.max(0.0))
}

fn outer_product(vector: &Array1<f64>) -> Array2<f64> {
    let column = vector.view().insert_axis(Axis(1));
    let row = vector.view().insert_axis(Axis(0));
    column.dot(&row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_factors_are_viewed_row_by_row() {
        let users = [1.0, 2.0, 3.0, 4.0];
        let items = [5.0, 6.0];
        let embeddings = Embeddings::from_flat(&users, &items, 2).unwrap();
        assert_eq!(embeddings.dimensions(), 2);
        assert_eq!(embeddings.user(1).unwrap().to_vec(), vec![3.0, 4.0]);
        assert_eq!(embeddings.item(0).unwrap().to_vec(), vec![5.0, 6.0]);
        assert!(embeddings.item(1).is_none());
        let error = Embeddings::from_flat(&users, &[1.0, 2.0, 3.0], 2).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the item factors has 3 values, which is not 1 rows of 2"
        );
    }

    #[test]
    fn nearest_items_rank_by_cosine() {
        // user (1, 0); items (2, 0) cos 1, (1, 1) cos 1/√2 = 0.7071, (0, 3) cos 0,
        // (−1, 0) cos −1. Excluding item 0 leaves items 1 then 2.
        let users = [1.0, 0.0];
        let items = [2.0, 0.0, 1.0, 1.0, 0.0, 3.0, -1.0, 0.0];
        let embeddings = Embeddings::from_flat(&users, &items, 2).unwrap();
        let all = embeddings.nearest_items(0, 4, |_| true);
        let order: Vec<ItemIndex> = all.iter().map(|p| p.0).collect();
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert!((all[1].1 - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((all[3].1 + 1.0).abs() < 1e-12);
        let without_first = embeddings.nearest_items(0, 2, |item| item != 0);
        assert_eq!(without_first[0].0, 1);
        assert_eq!(without_first[1].0, 2);
    }

    #[test]
    fn projection_finds_the_axis_of_largest_spread() {
        // Points (4, 0), (−4, 0), (0, 1), (0, −1) have mean 0 and covariance
        // (1/4) Σ x xᵀ = (1/4) [[16 + 16, 0], [0, 1 + 1]] = [[8, 0], [0, 0.5]]: the
        // first axis is x (share 8 / 8.5 = 0.941176), the second y (0.5 / 8.5).
        let users = [4.0, 0.0, -4.0, 0.0];
        let items = [0.0, 1.0, 0.0, -1.0];
        let embeddings = Embeddings::from_flat(&users, &items, 2).unwrap();
        let projection = project(&embeddings);
        assert!((projection.explained[0] - 8.0 / 8.5).abs() < 1e-9);
        assert!((projection.explained[1] - 0.5 / 8.5).abs() < 1e-9);
        assert!((projection.users[0][0].abs() - 4.0).abs() < 1e-9);
        assert!(projection.users[0][1].abs() < 1e-9);
        assert!((projection.items[0][1].abs() - 1.0).abs() < 1e-9);
        assert!(projection.items[0][0].abs() < 1e-9);
    }

    #[test]
    fn identical_points_project_to_the_origin() {
        let users = [2.0, 2.0];
        let items = [2.0, 2.0];
        let embeddings = Embeddings::from_flat(&users, &items, 2).unwrap();
        let projection = project(&embeddings);
        assert_eq!(projection.users, vec![[0.0, 0.0]]);
        assert_eq!(projection.explained, [0.0, 0.0]);
    }
}
