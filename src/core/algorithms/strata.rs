//! The ratings of a fit cut into a grid of blocks, so that stochastic gradient descent
//! can update several blocks at once (Gemulla, Nijkamp, Haas and Sismanis,
//! "Large-scale matrix factorization with distributed stochastic gradient descent",
//! 2011). Users are cut into contiguous ranges of about equal rating counts; items are
//! dealt into parts by their index, item `i` to part `i mod parts`. Block `(a, b)`
//! holds the ratings of range `a`'s users for part `b`'s items. The blocks
//! `(a, (a + s) mod parts)` of stratum `s` share no user and no item: their updates
//! touch different rows and may run in parallel, and the fit is the same whether they
//! do or not.

use std::ops::Range;

use crate::core::matrix::{RatingMatrix, UserIndex};

/// The ratings of one block, user by user: the users are those of the block's range,
/// numbered from its first; the items are numbered within their part (item `i` is
/// `i / parts`).
#[derive(Debug, Default)]
pub(crate) struct RatingBlock {
    /// Where each user's ratings start in `items` and `ratings`, and where the last
    /// one's end.
    starts: Vec<usize>,
    items: Vec<u32>,
    ratings: Vec<f32>,
}

impl RatingBlock {
    /// How many users the block's range holds (some may have no rating here).
    pub(crate) fn n_users(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// The items (numbered within their part) and ratings of the block's `user`-th
    /// user, in input order.
    pub(crate) fn line(&self, user: usize) -> (&[u32], &[f32]) {
        let span = self.starts[user]..self.starts[user + 1];
        (&self.items[span.clone()], &self.ratings[span])
    }
}

/// A matrix's ratings as a grid of `parts × parts` blocks.
#[derive(Debug)]
pub(crate) struct Strata {
    parts: usize,
    /// The first user of each range, and one past the last user.
    user_starts: Vec<usize>,
    n_items: usize,
    /// Row-major: block `(a, b)` is at `a * parts + b`.
    blocks: Vec<RatingBlock>,
}

impl Strata {
    /// `matrix`'s ratings in `parts × parts` blocks (at least one), each rating as
    /// `f32`.
    pub(crate) fn new(matrix: &RatingMatrix, parts: usize) -> Self {
        let parts = parts.max(1);
        let user_starts = balanced_ranges(matrix, parts);
        let mut blocks: Vec<RatingBlock> =
            (0..parts * parts).map(|_| RatingBlock::default()).collect();
        for (range, row) in user_starts.windows(2).zip(blocks.chunks_mut(parts)) {
            for block in row.iter_mut() {
                block.starts.push(0);
            }
            for user in range[0]..range[1] {
                let (items, ratings) = matrix.user_ratings(user as UserIndex);
                for (&item, &rating) in items.iter().zip(ratings) {
                    let block = &mut row[item as usize % parts];
                    block.items.push(item / parts as u32);
                    block.ratings.push(rating as f32);
                }
                for block in row.iter_mut() {
                    block.starts.push(block.items.len());
                }
            }
        }
        Strata {
            parts,
            user_starts,
            n_items: matrix.n_items(),
            blocks,
        }
    }

    pub(crate) fn parts(&self) -> usize {
        self.parts
    }

    /// The users of each range, in order.
    pub(crate) fn user_ranges(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.user_starts.windows(2).map(|pair| pair[0]..pair[1])
    }

    /// How many items each part holds, in order.
    pub(crate) fn item_part_sizes(&self) -> impl Iterator<Item = usize> + '_ {
        let (n, parts) = (self.n_items, self.parts);
        (0..parts).map(move |part| (n + parts - 1 - part) / parts)
    }

    /// The items in the order of their rows when the items are laid out part after
    /// part, each part's items in index order.
    pub(crate) fn items_by_row(&self) -> impl Iterator<Item = usize> + '_ {
        let parts = self.parts;
        (0..parts).flat_map(move |part| (part..self.n_items).step_by(parts))
    }

    /// Block `(user_range, item_part)`.
    pub(crate) fn block(&self, user_range: usize, item_part: usize) -> &RatingBlock {
        &self.blocks[user_range * self.parts + item_part]
    }
}

/// The first user of each of `parts` contiguous ranges with about equal numbers of
/// ratings, and one past the last user: a range ends at the first user whose
/// ratings bring the count so far to its share of the whole.
fn balanced_ranges(matrix: &RatingMatrix, parts: usize) -> Vec<usize> {
    let (n_users, total) = (matrix.n_users(), matrix.n_ratings());
    let mut starts = vec![0];
    let mut counted = 0;
    for user in 0..n_users {
        if starts.len() == parts {
            break;
        }
        counted += matrix.user_count(user as UserIndex);
        // Range `k` (counting from 1) is full once `counted ≥ k · total / parts`.
        if counted * parts >= starts.len() * total {
            starts.push(user + 1);
        }
    }
    starts.resize(parts, n_users);
    starts.push(n_users);
    starts
}

/// `rows` cut into consecutive pieces of `lengths[k] · width` values each.
pub(crate) fn split_rows<T>(
    mut rows: &mut [T],
    lengths: impl IntoIterator<Item = usize>,
    width: usize,
) -> Vec<&mut [T]> {
    let mut pieces = Vec::new();
    for length in lengths {
        let (piece, rest) = rows.split_at_mut(length * width);
        pieces.push(piece);
        rows = rest;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::support::fixtures::{first_matrix, matrix};

    #[test]
    fn one_part_keeps_every_users_ratings_in_input_order() {
        // User 0 rated items 0, 1 (5, 4); user 1 items 0, 2, 3 (3, 4, 2); user 2
        // items 1, 2 (5, 5).
        let strata = Strata::new(&first_matrix(0, 0), 1);
        let block = strata.block(0, 0);
        assert_eq!(block.n_users(), 3);
        assert_eq!(block.line(0), (&[0, 1][..], &[5.0, 4.0][..]));
        assert_eq!(block.line(1), (&[0, 2, 3][..], &[3.0, 4.0, 2.0][..]));
        assert_eq!(block.line(2), (&[1, 2][..], &[5.0, 5.0][..]));
        assert_eq!(strata.items_by_row().collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    #[test]
    fn two_parts_cut_users_by_rating_count_and_deal_items_by_index() {
        // Seven ratings: user 0 has 2, so the first range (half of 7, rounded up)
        // ends after user 1 (2 + 3 = 5 ≥ 3.5); user 2 is the second range. Items
        // 0 and 2 are part 0 (numbered 0 and 1), items 1 and 3 part 1 (0 and 1).
        let strata = Strata::new(&first_matrix(0, 0), 2);
        assert_eq!(strata.user_ranges().collect::<Vec<_>>(), [0..2, 2..3]);
        assert_eq!(strata.item_part_sizes().collect::<Vec<_>>(), [2, 2]);
        // Users 0 and 1 with part 0: item 0 (5); items 0, 2 (3, 4).
        let block = strata.block(0, 0);
        assert_eq!(block.line(0), (&[0][..], &[5.0][..]));
        assert_eq!(block.line(1), (&[0, 1][..], &[3.0, 4.0][..]));
        // Users 0 and 1 with part 1: item 1 (4); item 3 (2).
        let block = strata.block(0, 1);
        assert_eq!(block.line(0), (&[0][..], &[4.0][..]));
        assert_eq!(block.line(1), (&[1][..], &[2.0][..]));
        // User 2: item 2 in part 0, item 1 in part 1.
        assert_eq!(strata.block(1, 0).line(0), (&[1][..], &[5.0][..]));
        assert_eq!(strata.block(1, 1).line(0), (&[0][..], &[5.0][..]));
        // Rows: part 0's items 0, 2, then part 1's 1, 3.
        assert_eq!(strata.items_by_row().collect::<Vec<_>>(), [0, 2, 1, 3]);
    }

    #[test]
    fn every_rating_lands_in_exactly_one_block() {
        // 10 users × 7 items, user u rating items u mod 7 … in a fixed pattern.
        let cells: Vec<(u32, u32, f64)> = (0..10u32)
            .flat_map(|u| {
                (0..7u32)
                    .filter(move |i| (u + i) % 3 != 0)
                    .map(move |i| (u, i, 1.0 + f64::from(i)))
            })
            .collect();
        let matrix = matrix(10, 7, &cells);
        for parts in 1..=4 {
            let strata = Strata::new(&matrix, parts);
            let mut seen = Vec::new();
            for (a, range) in strata.user_ranges().enumerate() {
                for b in 0..parts {
                    let block = strata.block(a, b);
                    assert_eq!(block.n_users(), range.len());
                    for (k, user) in range.clone().enumerate() {
                        let (items, ratings) = block.line(k);
                        for (&local, &rating) in items.iter().zip(ratings) {
                            let item = local as usize * parts + b;
                            seen.push((user as u32, item as u32, f64::from(rating)));
                        }
                    }
                }
            }
            seen.sort_by(|x, y| x.partial_cmp(y).unwrap());
            let mut expected = cells.clone();
            expected.sort_by(|x, y| x.partial_cmp(y).unwrap());
            assert_eq!(seen, expected, "{parts} parts");
            // Each part's items in index order, the parts one after another.
            let mut by_row: Vec<usize> = strata.items_by_row().collect();
            let sizes: Vec<usize> = strata.item_part_sizes().collect();
            let mut start = 0;
            for (part, size) in sizes.into_iter().enumerate() {
                let rows = &by_row[start..start + size];
                assert!(
                    rows.iter().all(|item| item % parts == part),
                    "{parts} parts"
                );
                assert!(
                    rows.windows(2).all(|pair| pair[0] < pair[1]),
                    "{parts} parts"
                );
                start += size;
            }
            by_row.sort_unstable();
            assert_eq!(by_row, (0..7).collect::<Vec<_>>(), "{parts} parts");
        }
    }

    #[test]
    fn more_parts_than_users_leave_empty_ranges() {
        let strata = Strata::new(&first_matrix(0, 0), 5);
        let ranges: Vec<Range<usize>> = strata.user_ranges().collect();
        assert_eq!(ranges.len(), 5);
        assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), 3);
        assert_eq!(ranges.last().map(|r| r.end), Some(3));
    }

    #[test]
    fn split_rows_cuts_whole_rows() {
        let mut values = [0, 1, 2, 3, 4, 5, 6, 7];
        let pieces = split_rows(&mut values, [1, 0, 3], 2);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0], [0, 1]);
        assert!(pieces[1].is_empty());
        assert_eq!(pieces[2], [2, 3, 4, 5, 6, 7]);
    }
}
