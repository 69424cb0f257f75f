//! Similarities between users (or between items) over their co-rated entries: cosine,
//! mean squared difference, Pearson, Pearson on baseline residuals, adjusted cosine and
//! Jaccard, with minimum support and shrinkage.
//!
//! The formulas follow the Surprise library (`surprise/similarities.pyx`) term for term,
//! including its order of summation, so that k-NN predictions match it to rounding.
//! Where Surprise would divide by zero (or produce NaN), the similarity is 0.
//!
//! Fitted similarities are kept as a dense `N × N` matrix when `N` is small, otherwise
//! as one list of the most similar entities per entity, computed row by row in parallel
//! with a sparse accumulator, so memory grows with `N × list length`, never `N²`.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::biases::{BiasMethod, Biases};
use super::matrix::RatingMatrix;
use super::progress::{Cancelled, Progress};

/// A similarity measure between two users (or two items), computed over the entries
/// both have rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimilarityKind {
    /// `Σ r_x r_x' / (√Σ r_x² · √Σ r_x'²)`, in 0..1 for positive ratings.
    Cosine,
    /// `1 / (msd + 1)` with `msd` the mean squared difference of co-ratings, in 0..1.
    Msd,
    /// Pearson correlation over co-rated entries (centred on the co-rated means), −1..1.
    Pearson,
    /// Pearson correlation of baseline residuals `r − b_ui`, shrunk by
    /// `(n − 1) / (n − 1 + shrinkage)` for `n` co-ratings.
    PearsonBaseline,
    /// Cosine of ratings centred on the other side's mean: between items, each rating
    /// minus the user's mean; between users, each rating minus the item's mean.
    AdjustedCosine,
    /// `|co-rated| / |rated by either|`, ignoring rating values (for implicit data).
    Jaccard,
}

impl SimilarityKind {
    /// Every measure, in the order menus list them.
    pub const ALL: [SimilarityKind; 6] = [
        SimilarityKind::Cosine,
        SimilarityKind::Msd,
        SimilarityKind::Pearson,
        SimilarityKind::PearsonBaseline,
        SimilarityKind::AdjustedCosine,
        SimilarityKind::Jaccard,
    ];

    /// The snake_case name used in parameters and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SimilarityKind::Cosine => "cosine",
            SimilarityKind::Msd => "msd",
            SimilarityKind::Pearson => "pearson",
            SimilarityKind::PearsonBaseline => "pearson_baseline",
            SimilarityKind::AdjustedCosine => "adjusted_cosine",
            SimilarityKind::Jaccard => "jaccard",
        }
    }
}

impl fmt::Display for SimilarityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A similarity name that is not one of [`SimilarityKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown similarity '{0}' (expected one of: cosine, msd, pearson, pearson_baseline, adjusted_cosine, jaccard)"
)]
pub struct UnknownSimilarity(pub String);

impl FromStr for SimilarityKind {
    type Err = UnknownSimilarity;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        SimilarityKind::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownSimilarity(text.to_string()))
    }
}

/// Which similarity, between users or items, and how it is regularised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimilarityOptions {
    pub kind: SimilarityKind,
    /// Similarities between users when true, between items when false.
    pub user_based: bool,
    /// Pairs with fewer co-rated entries than this get similarity 0 (Pearson-baseline
    /// needs at least 2 whatever this says).
    pub min_support: usize,
    /// Shrinkage of the Pearson-baseline similarity; the other measures ignore it.
    pub shrinkage: f64,
}

impl Default for SimilarityOptions {
    /// Surprise's defaults: MSD between users, minimum support 1, shrinkage 100.
    fn default() -> Self {
        SimilarityOptions {
            kind: SimilarityKind::Msd,
            user_based: true,
            min_support: 1,
            shrinkage: 100.0,
        }
    }
}

/// One entity similar to another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// The neighbour's dense index (a user when user-based, else an item).
    pub index: u32,
    pub similarity: f64,
    /// Number of entries both have rated.
    pub co_rated: usize,
}

/// The most similar users to a user (user-based) or items to an item, best first, ties
/// by lower index. Only entities sharing at least one rated entry with `of` are listed.
/// For Pearson-baseline the biases are fitted by ALS with the usual defaults.
pub fn most_similar(
    matrix: &RatingMatrix,
    options: &SimilarityOptions,
    of: u32,
    n: usize,
) -> Vec<Neighbour> {
    SimilarityContext::new(matrix, *options, None).most_similar(of, n)
}

/// The sums of one pair `(x, x')` over their co-rated entries, as the formulas use
/// them.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    co_rated: u32,
    /// `Σ a·b` (MSD: `Σ (a − b)²`).
    products: f64,
    /// `Σ a²` for the row entity.
    squares_own: f64,
    /// `Σ b²` for the other entity.
    squares_other: f64,
    sum_own: f64,
    sum_other: f64,
}

/// A running accumulator of the sums one measure needs. Each measure uses the smallest
/// one, so that the per-thread array of them stays in cache.
trait PairSums: Copy + Default + Send {
    fn co_rated(&self) -> u32;
    /// Adds one co-rated entry, `a` being the row entity's value and `b` the other's.
    fn add(&mut self, a: f64, b: f64);
    fn sums(&self) -> Sums;
}

/// Jaccard: the count alone.
#[derive(Debug, Clone, Copy, Default)]
struct CountOnly {
    co_rated: u32,
}

impl PairSums for CountOnly {
    fn co_rated(&self) -> u32 {
        self.co_rated
    }
    fn add(&mut self, _: f64, _: f64) {
        self.co_rated += 1;
    }
    fn sums(&self) -> Sums {
        Sums {
            co_rated: self.co_rated,
            ..Sums::default()
        }
    }
}

/// MSD: the count and `Σ (a − b)²`.
#[derive(Debug, Clone, Copy, Default)]
struct SquaredDifferences {
    co_rated: u32,
    total: f64,
}

impl PairSums for SquaredDifferences {
    fn co_rated(&self) -> u32 {
        self.co_rated
    }
    fn add(&mut self, a: f64, b: f64) {
        self.co_rated += 1;
        self.total += (a - b) * (a - b);
    }
    fn sums(&self) -> Sums {
        Sums {
            co_rated: self.co_rated,
            products: self.total,
            ..Sums::default()
        }
    }
}

/// Cosine-like measures: the count, `Σ a·b`, `Σ a²`, `Σ b²`.
#[derive(Debug, Clone, Copy, Default)]
struct Products {
    co_rated: u32,
    products: f64,
    squares_own: f64,
    squares_other: f64,
}

impl PairSums for Products {
    fn co_rated(&self) -> u32 {
        self.co_rated
    }
    fn add(&mut self, a: f64, b: f64) {
        self.co_rated += 1;
        self.products += a * b;
        self.squares_own += a * a;
        self.squares_other += b * b;
    }
    fn sums(&self) -> Sums {
        Sums {
            co_rated: self.co_rated,
            products: self.products,
            squares_own: self.squares_own,
            squares_other: self.squares_other,
            ..Sums::default()
        }
    }
}

/// Pearson: everything.
impl PairSums for Sums {
    fn co_rated(&self) -> u32 {
        self.co_rated
    }
    fn add(&mut self, a: f64, b: f64) {
        self.co_rated += 1;
        self.products += a * b;
        self.squares_own += a * a;
        self.squares_other += b * b;
        self.sum_own += a;
        self.sum_other += b;
    }
    fn sums(&self) -> Sums {
        *self
    }
}

/// Reusable per-thread memory for computing one row of similarities.
struct Scratch<S> {
    sums: Vec<S>,
    touched: Vec<u32>,
    order: Vec<u32>,
}

impl<S: PairSums> Scratch<S> {
    fn new(n: usize) -> Self {
        Scratch {
            sums: vec![S::default(); n],
            touched: Vec::new(),
            order: Vec::new(),
        }
    }
}

/// Calls `$body` with the type alias `$sums` set to the accumulator `$kind` needs.
macro_rules! with_sums {
    ($kind:expr, $sums:ident => $body:expr) => {
        match $kind {
            SimilarityKind::Jaccard => {
                type $sums = CountOnly;
                $body
            }
            SimilarityKind::Msd => {
                type $sums = SquaredDifferences;
                $body
            }
            SimilarityKind::Pearson => {
                type $sums = Sums;
                $body
            }
            _ => {
                type $sums = Products;
                $body
            }
        }
    };
}

/// Everything needed to compute similarity rows of one matrix: the measure, and the
/// centred or baseline-residual values where the measure needs them.
///
/// Build one and call [`SimilarityContext::most_similar`] repeatedly to avoid refitting
/// biases on every call.
pub struct SimilarityContext<'a> {
    matrix: &'a RatingMatrix,
    options: SimilarityOptions,
    /// Per `y` (the other side), the value subtracted from each of its ratings before
    /// the row entity's bias: `μ + b_y` (Pearson-baseline) or the mean of `y`
    /// (adjusted cosine). Empty for the other measures.
    shift_other: Vec<f64>,
    /// Per `x`, its bias `b_x` (Pearson-baseline only); empty otherwise.
    bias_own: Vec<f64>,
    /// Transformed ratings of every line on the other side, laid out as those lines;
    /// empty when ratings are used as they are.
    other_offsets: Vec<usize>,
    other_values: Vec<f64>,
}

impl<'a> SimilarityContext<'a> {
    /// Prepares the measure. Pearson-baseline uses `biases` when given, else fits them
    /// by ALS with the default settings.
    pub fn new(
        matrix: &'a RatingMatrix,
        options: SimilarityOptions,
        biases: Option<&Biases>,
    ) -> Self {
        let mut context = SimilarityContext {
            matrix,
            options,
            shift_other: Vec::new(),
            bias_own: Vec::new(),
            other_offsets: Vec::new(),
            other_values: Vec::new(),
        };
        match options.kind {
            SimilarityKind::PearsonBaseline => {
                let fitted;
                let biases = match biases {
                    Some(biases) => biases,
                    None => {
                        // ALS is never cancelled here: a progress without a flag.
                        fitted = fit_default_biases(matrix);
                        &fitted
                    }
                };
                let (own, other) = if options.user_based {
                    (&biases.user, &biases.item)
                } else {
                    (&biases.item, &biases.user)
                };
                context.shift_other = other.iter().map(|b| biases.global_mean + b).collect();
                context.bias_own = own.clone();
            }
            SimilarityKind::AdjustedCosine => {
                let n_other = context.n_other();
                context.shift_other = (0..n_other as u32)
                    .map(|y| context.other_line(y).1)
                    .map(mean_or_zero)
                    .collect();
                context.bias_own = vec![0.0; context.n()];
            }
            _ => {}
        }
        if !context.shift_other.is_empty() {
            context.transform_other_lines();
        }
        context
    }

    /// Number of entities compared (users when user-based, else items).
    pub fn n(&self) -> usize {
        if self.options.user_based {
            self.matrix.n_users()
        } else {
            self.matrix.n_items()
        }
    }

    fn n_other(&self) -> usize {
        if self.options.user_based {
            self.matrix.n_items()
        } else {
            self.matrix.n_users()
        }
    }

    /// The entries entity `x` rated, and the ratings.
    fn own_line(&self, x: u32) -> (&'a [u32], &'a [f64]) {
        if self.options.user_based {
            self.matrix.user_ratings(x)
        } else {
            self.matrix.item_ratings(x)
        }
    }

    /// The entities that rated entry `y`, and their ratings.
    fn other_line(&self, y: u32) -> (&'a [u32], &'a [f64]) {
        if self.options.user_based {
            self.matrix.item_ratings(y)
        } else {
            self.matrix.user_ratings(y)
        }
    }

    /// The entities that rated `y` with their transformed ratings.
    fn other_values(&self, y: u32) -> (&'a [u32], &[f64]) {
        let (entities, ratings) = self.other_line(y);
        if self.other_values.is_empty() {
            (entities, ratings)
        } else {
            let start = self.other_offsets[y as usize];
            (entities, &self.other_values[start..start + entities.len()])
        }
    }

    /// The value entity `x`'s rating `r` of `y` enters the sums with.
    fn transform(&self, x: u32, y: u32, rating: f64) -> f64 {
        if self.shift_other.is_empty() {
            rating
        } else {
            // Surprise: r − (μ + b_y + b_x), grouped as written there.
            rating - (self.shift_other[y as usize] + self.bias_own[x as usize])
        }
    }

    fn transform_other_lines(&mut self) {
        let n_other = self.n_other();
        let mut offsets = Vec::with_capacity(n_other + 1);
        let mut values = Vec::with_capacity(self.matrix.n_ratings());
        offsets.push(0);
        for y in 0..n_other as u32 {
            let (entities, ratings) = self.other_line(y);
            for (&x, &rating) in entities.iter().zip(ratings) {
                values.push(self.transform(x, y, rating));
            }
            offsets.push(values.len());
        }
        self.other_offsets = offsets;
        self.other_values = values;
    }

    /// Accumulates the sums of row `x` against every entity sharing an entry with it.
    /// Entries are visited in increasing index order, as Surprise does, so that the
    /// sums are rounded the same way.
    fn accumulate<S: PairSums>(&self, x: u32, scratch: &mut Scratch<S>) {
        self.accumulate_from(x, scratch, |y| self.other_values(y));
    }

    /// As [`SimilarityContext::accumulate`], with the entities sharing entry `y` (and
    /// their transformed ratings) taken from `others(y)`.
    fn accumulate_from<'l, S: PairSums>(
        &'l self,
        x: u32,
        scratch: &mut Scratch<S>,
        others: impl Fn(u32) -> (&'l [u32], &'l [f64]),
    ) {
        let (entries, ratings) = self.own_line(x);
        let Scratch {
            sums,
            touched,
            order,
        } = scratch;
        order.clear();
        order.extend(0..entries.len() as u32);
        order.sort_unstable_by_key(|&k| entries[k as usize]);
        for &k in order.iter() {
            let y = entries[k as usize];
            let a = self.transform(x, y, ratings[k as usize]);
            let (others, values) = others(y);
            for (&other, &b) in others.iter().zip(values) {
                let s = &mut sums[other as usize];
                if s.co_rated() == 0 {
                    touched.push(other);
                }
                s.add(a, b);
            }
        }
    }

    /// The similarity of a pair from its sums; `len_own`, `len_other` are the numbers of
    /// entries each rated (Jaccard needs them). Never NaN or infinite.
    fn finish(&self, sums: &Sums, len_own: usize, len_other: usize) -> f64 {
        let n = sums.co_rated as usize;
        let min_support = match self.options.kind {
            // Surprise: the shrinkage makes support 1 meaningless, so at least 2.
            SimilarityKind::PearsonBaseline => self.options.min_support.max(2),
            _ => self.options.min_support,
        };
        if n == 0 || n < min_support {
            return 0.0;
        }
        let value = match self.options.kind {
            SimilarityKind::Cosine | SimilarityKind::AdjustedCosine => {
                sums.products / (sums.squares_own * sums.squares_other).sqrt()
            }
            SimilarityKind::Msd => 1.0 / (sums.products / n as f64 + 1.0),
            SimilarityKind::Pearson => {
                let n = n as f64;
                let numerator = n * sums.products - sums.sum_own * sums.sum_other;
                let denominator = ((n * sums.squares_own - sums.sum_own * sums.sum_own)
                    * (n * sums.squares_other - sums.sum_other * sums.sum_other))
                    .sqrt();
                if denominator == 0.0 {
                    0.0
                } else {
                    numerator / denominator
                }
            }
            SimilarityKind::PearsonBaseline => {
                let rho = sums.products / (sums.squares_own * sums.squares_other).sqrt();
                let support = (n - 1) as f64;
                rho * (support / (support + self.options.shrinkage))
            }
            SimilarityKind::Jaccard => {
                let either = len_own + len_other - n;
                n as f64 / either as f64
            }
        };
        if value.is_finite() { value } else { 0.0 }
    }

    /// As [`SimilarityContext::row`], for the entities after `x` only, which `sorted`
    /// (the other side's lines ordered by entity) lets skip without visiting. Every
    /// measure is symmetric, and the sums of a pair are added in the same order from
    /// either side, so the rest of the row is the column above it.
    fn upper_row<S: PairSums>(
        &self,
        x: u32,
        sorted: &SortedLines,
        scratch: &mut Scratch<S>,
        mut visit: impl FnMut(u32, f64),
    ) {
        self.accumulate_from(x, scratch, |y| sorted.after(y, x));
        let len_own = self.own_line(x).0.len();
        for &other in &scratch.touched {
            let sums = std::mem::take(&mut scratch.sums[other as usize]).sums();
            let len_other = self.own_line(other).0.len();
            visit(other, self.finish(&sums, len_own, len_other));
        }
        scratch.touched.clear();
    }

    /// Computes row `x` and hands each `(x', similarity, co_rated)` with at least one
    /// co-rated entry to `visit` (`x` itself excluded), in no particular order.
    fn row<S: PairSums>(
        &self,
        x: u32,
        scratch: &mut Scratch<S>,
        mut visit: impl FnMut(u32, f64, usize),
    ) {
        self.accumulate(x, scratch);
        let len_own = self.own_line(x).0.len();
        for &other in &scratch.touched {
            let sums = std::mem::take(&mut scratch.sums[other as usize]).sums();
            if other != x {
                let len_other = self.own_line(other).0.len();
                let similarity = self.finish(&sums, len_own, len_other);
                visit(other, similarity, sums.co_rated as usize);
            }
        }
        scratch.touched.clear();
    }

    /// See [`most_similar`].
    pub fn most_similar(&self, of: u32, n: usize) -> Vec<Neighbour> {
        if of as usize >= self.n() {
            return Vec::new();
        }
        let mut neighbours = Vec::new();
        let push = |index, similarity, co_rated| {
            neighbours.push(Neighbour {
                index,
                similarity,
                co_rated,
            })
        };
        with_sums!(self.options.kind, S => {
            self.row(of, &mut Scratch::<S>::new(self.n()), push)
        });
        neighbours.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.index.cmp(&b.index))
        });
        neighbours.truncate(n);
        neighbours
    }
}

fn mean_or_zero(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn fit_default_biases(matrix: &RatingMatrix) -> Biases {
    match Biases::fit(matrix, BiasMethod::default(), &Progress::none()) {
        Ok(biases) => biases,
        // Progress::none() is never cancelled, and ALS diverges only when the ratings
        // overflow f64; zero biases are the neutral stand-in.
        Err(_) => Biases {
            global_mean: matrix.global_mean(),
            user: vec![0.0; matrix.n_users()],
            item: vec![0.0; matrix.n_items()],
        },
    }
}

/// When fitted similarities are kept dense, and how long neighbour lists are otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Up to this many entities, an `N × N` matrix holds every similarity.
    pub dense_max: usize,
    /// Above it, each entity keeps only its `list_len` most similar entities with a
    /// positive similarity; any other pair counts as similarity 0.
    pub list_len: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            dense_max: 12_000,
            list_len: 400,
        }
    }
}

impl Layout {
    /// The default layout with lists long enough for `k` neighbours to choose from:
    /// `5·k` entries, at least 400 and at most 1,000.
    pub fn for_k(k: usize) -> Self {
        Layout {
            list_len: k.saturating_mul(5).clamp(400, 1_000),
            ..Layout::default()
        }
    }
}

/// Fitted similarities between all users (or all items) of a matrix.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Similarities {
    options: SimilarityOptions,
    n: usize,
    storage: Storage,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum Storage {
    Dense(Array2<f64>),
    Lists(NeighbourLists),
}

/// Per entity, its most similar entities with positive similarity, sorted by index.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct NeighbourLists {
    offsets: Vec<usize>,
    indices: Vec<u32>,
    similarities: Vec<f64>,
    /// Whether an entity had more positive neighbours than the list holds.
    truncated: Vec<bool>,
    list_len: usize,
}

/// Rows computed per parallel block of a neighbour-list fit: bounds the memory of the
/// rows in flight and is the unit of progress and cancellation.
const LIST_BLOCK: usize = 2_048;

impl Similarities {
    /// Computes every similarity of `matrix`, in parallel, with the default layout.
    /// Pearson-baseline uses `biases` when given, else ALS defaults.
    pub fn fit(
        matrix: &RatingMatrix,
        options: SimilarityOptions,
        biases: Option<&Biases>,
        progress: &Progress,
    ) -> Result<Self, Cancelled> {
        Similarities::fit_with_layout(matrix, options, biases, Layout::default(), progress)
    }

    /// As [`Similarities::fit`], with an explicit storage layout.
    pub fn fit_with_layout(
        matrix: &RatingMatrix,
        options: SimilarityOptions,
        biases: Option<&Biases>,
        layout: Layout,
        progress: &Progress,
    ) -> Result<Self, Cancelled> {
        progress.check()?;
        let context = SimilarityContext::new(matrix, options, biases);
        let n = context.n();
        let storage = if n <= layout.dense_max {
            Storage::Dense(with_sums!(options.kind, S => fit_dense::<S>(&context, progress))?)
        } else {
            let list_len = layout.list_len.max(1);
            Storage::Lists(with_sums!(options.kind, S => {
                fit_lists::<S>(&context, list_len, progress)
            })?)
        };
        progress.report(1.0, "similarities");
        Ok(Similarities {
            options,
            n,
            storage,
        })
    }

    pub fn options(&self) -> &SimilarityOptions {
        &self.options
    }

    /// Number of entities (users when user-based, else items).
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Similarity of `a` to `b`: 1 for `a == b` (as in Surprise), 0 for a pair outside
    /// the matrix, and with neighbour lists 0 when `b` is not in `a`'s list.
    pub fn get(&self, a: u32, b: u32) -> f64 {
        if a as usize >= self.n || b as usize >= self.n {
            return 0.0;
        }
        if a == b {
            return 1.0;
        }
        match &self.storage {
            Storage::Dense(matrix) => matrix[[a as usize, b as usize]],
            Storage::Lists(lists) => {
                let range = lists.offsets[a as usize]..lists.offsets[a as usize + 1];
                let indices = &lists.indices[range.clone()];
                match indices.binary_search(&b) {
                    Ok(at) => lists.similarities[range.start + at],
                    Err(_) => 0.0,
                }
            }
        }
    }

    /// When `a`'s neighbour list was cut to its most similar entries, the list length.
    pub fn truncated_at(&self, a: u32) -> Option<usize> {
        match &self.storage {
            Storage::Lists(lists) if lists.truncated.get(a as usize) == Some(&true) => {
                Some(lists.list_len)
            }
            _ => None,
        }
    }

    /// The most neighbours each entity's list holds; `None` when dense.
    pub fn list_len(&self) -> Option<usize> {
        match &self.storage {
            Storage::Dense(_) => None,
            Storage::Lists(lists) => Some(lists.list_len),
        }
    }

    /// Whether every pair's similarity is held (dense storage).
    pub fn is_dense(&self) -> bool {
        matches!(self.storage, Storage::Dense(_))
    }
}

/// Reports progress for rows done from any thread, about every 1% of `n`.
struct RowCounter<'p> {
    done: AtomicUsize,
    step: usize,
    n: usize,
    progress: &'p Progress,
}

impl<'p> RowCounter<'p> {
    fn new(n: usize, progress: &'p Progress) -> Self {
        RowCounter {
            done: AtomicUsize::new(0),
            step: (n / 100).max(1),
            n,
            progress,
        }
    }

    fn add(&self, rows: usize) {
        let before = self.done.fetch_add(rows, Ordering::Relaxed);
        if (before + rows) / self.step != before / self.step {
            self.progress
                .report((before + rows) as f64 / self.n as f64, "similarities");
        }
    }
}

/// The other side's lines with their (transformed) values, each ordered by entity, so
/// that the entities after a given one are a suffix.
struct SortedLines {
    offsets: Vec<usize>,
    entities: Vec<u32>,
    values: Vec<f64>,
}

impl SortedLines {
    fn new(context: &SimilarityContext) -> Self {
        let n_other = context.n_other();
        let mut lines = SortedLines {
            offsets: Vec::with_capacity(n_other + 1),
            entities: Vec::with_capacity(context.matrix.n_ratings()),
            values: Vec::with_capacity(context.matrix.n_ratings()),
        };
        lines.offsets.push(0);
        let mut pairs: Vec<(u32, f64)> = Vec::new();
        for y in 0..n_other as u32 {
            let (entities, values) = context.other_values(y);
            pairs.clear();
            pairs.extend(entities.iter().copied().zip(values.iter().copied()));
            pairs.sort_unstable_by_key(|&(entity, _)| entity);
            for &(entity, value) in &pairs {
                lines.entities.push(entity);
                lines.values.push(value);
            }
            lines.offsets.push(lines.entities.len());
        }
        lines
    }

    /// The entities of line `y` with an index above `x`, and their values.
    fn after(&self, y: u32, x: u32) -> (&[u32], &[f64]) {
        let range = self.offsets[y as usize]..self.offsets[y as usize + 1];
        let entities = &self.entities[range.clone()];
        let start = entities.partition_point(|&entity| entity <= x);
        (
            &entities[start..],
            &self.values[range.start + start..range.end],
        )
    }
}

/// Every similarity in an `N × N` matrix: each row computes the pairs after its entity,
/// and the lower triangle is copied from the upper one.
fn fit_dense<S: PairSums>(
    context: &SimilarityContext,
    progress: &Progress,
) -> Result<Array2<f64>, Cancelled> {
    let n = context.n();
    let sorted = SortedLines::new(context);
    let mut similarities = Array2::<f64>::zeros((n, n));
    let counter = RowCounter::new(n, progress);
    similarities
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each_init(
            || Scratch::<S>::new(n),
            |scratch, (x, mut row)| {
                if progress.is_cancelled() {
                    return;
                }
                context.upper_row(x as u32, &sorted, scratch, |other, similarity| {
                    row[other as usize] = similarity;
                });
                row[x] = 1.0;
                counter.add(1);
            },
        );
    progress.check()?;
    for x in 0..n {
        for other in 0..x {
            similarities[[x, other]] = similarities[[other, x]];
        }
    }
    Ok(similarities)
}

fn fit_lists<S: PairSums>(
    context: &SimilarityContext,
    list_len: usize,
    progress: &Progress,
) -> Result<NeighbourLists, Cancelled> {
    let n = context.n();
    let mut lists = NeighbourLists {
        offsets: Vec::with_capacity(n + 1),
        // The most the lists can hold; pages never written are never resident, and
        // growing by doubling instead would briefly need twice the memory.
        indices: Vec::with_capacity(n.saturating_mul(list_len)),
        similarities: Vec::with_capacity(n.saturating_mul(list_len)),
        truncated: Vec::with_capacity(n),
        list_len,
    };
    lists.offsets.push(0);
    let counter = RowCounter::new(n, progress);
    for start in (0..n).step_by(LIST_BLOCK) {
        progress.check()?;
        let end = (start + LIST_BLOCK).min(n);
        let rows: Vec<(Vec<(u32, f64)>, bool)> = (start..end)
            .into_par_iter()
            .map_init(
                || (Scratch::<S>::new(n), Vec::new()),
                |(scratch, candidates), x| {
                    if progress.is_cancelled() {
                        return (Vec::new(), false);
                    }
                    let row = top_of_row(context, x as u32, list_len, scratch, candidates);
                    counter.add(1);
                    row
                },
            )
            .collect();
        for (row, truncated) in rows {
            for (index, similarity) in row {
                lists.indices.push(index);
                lists.similarities.push(similarity);
            }
            lists.offsets.push(lists.indices.len());
            lists.truncated.push(truncated);
        }
    }
    progress.check()?;
    lists.indices.shrink_to_fit();
    lists.similarities.shrink_to_fit();
    Ok(lists)
}

/// The `list_len` entities most similar to `x` with positive similarity (ties to the
/// lower index), sorted by index; and whether some were cut.
fn top_of_row<S: PairSums>(
    context: &SimilarityContext,
    x: u32,
    list_len: usize,
    scratch: &mut Scratch<S>,
    candidates: &mut Vec<(u32, f64)>,
) -> (Vec<(u32, f64)>, bool) {
    candidates.clear();
    context.row(x, scratch, |other, similarity, _| {
        if similarity > 0.0 {
            candidates.push((other, similarity));
        }
    });
    let truncated = candidates.len() > list_len;
    if truncated {
        candidates
            .select_nth_unstable_by(list_len - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(list_len);
    }
    candidates.sort_unstable_by_key(|&(index, _)| index);
    (candidates.clone(), truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matrix::{Rating, RatingScale};

    /// The first matrix of the design: users U1..U3 (0..2), movies A..D (0..3).
    /// U1: A=5, B=4; U2: A=3, C=4, D=2; U3: B=5, C=5.
    pub(crate) fn first_matrix() -> RatingMatrix {
        let ratings = [
            (0, 0, 5.0),
            (0, 1, 4.0),
            (1, 0, 3.0),
            (1, 2, 4.0),
            (1, 3, 2.0),
            (2, 1, 5.0),
            (2, 2, 5.0),
        ]
        .map(|(user, item, value)| Rating { user, item, value });
        RatingMatrix::new(3, 4, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap()
    }

    fn options(kind: SimilarityKind, user_based: bool) -> SimilarityOptions {
        SimilarityOptions {
            kind,
            user_based,
            ..SimilarityOptions::default()
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn fitted(kind: SimilarityKind, user_based: bool) -> Similarities {
        Similarities::fit(
            &first_matrix(),
            options(kind, user_based),
            None,
            &Progress::none(),
        )
        .unwrap()
    }

    #[test]
    fn names_round_trip() {
        for kind in SimilarityKind::ALL {
            assert_eq!(kind.to_string().parse::<SimilarityKind>(), Ok(kind));
        }
        assert!("euclid".parse::<SimilarityKind>().is_err());
    }

    #[test]
    fn user_similarities_on_the_first_matrix() {
        // U1–U2 share only A (5, 3); U1–U3 share only B (4, 5); U2–U3 share only C (4, 5).
        // cosine over one co-rating is 5·3 / (5·3) = 1.
        let cosine = fitted(SimilarityKind::Cosine, true);
        assert!(close(cosine.get(0, 1), 1.0));
        // msd(U1, U2) = (5 − 3)² = 4 → 1/5; msd(U1, U3) = 1 → 1/2; msd(U2, U3) = 1 → 1/2.
        let msd = fitted(SimilarityKind::Msd, true);
        assert!(close(msd.get(0, 1), 0.2));
        assert!(close(msd.get(0, 2), 0.5));
        assert!(close(msd.get(2, 1), 0.5));
        // Pearson over one co-rating: numerator 1·15 − 5·3 = 0, denominator 0 → 0.
        let pearson = fitted(SimilarityKind::Pearson, true);
        assert_eq!(pearson.get(0, 1), 0.0);
        // Jaccard(U1, U2) = |{A}| / |{A, B, C, D}| = 1/4; (U1, U3) = |{B}| / |{A, B, C}|.
        let jaccard = fitted(SimilarityKind::Jaccard, true);
        assert!(close(jaccard.get(0, 1), 0.25));
        assert!(close(jaccard.get(0, 2), 1.0 / 3.0));
        assert_eq!(jaccard.get(1, 1), 1.0);
    }

    #[test]
    fn item_similarities_on_the_first_matrix() {
        // A and B are co-rated by U1 only (5, 4): cosine 20 / (5·4) = 1, msd 1 → 1/2.
        // B and C are co-rated by U3 only (5, 5): msd 0 → 1.
        // A and C are co-rated by U2 only (3, 4): msd 1 → 1/2. C and D by U2 (4, 2): 1/5.
        let msd = fitted(SimilarityKind::Msd, false);
        assert!(close(msd.get(0, 1), 0.5));
        assert!(close(msd.get(1, 2), 1.0));
        assert!(close(msd.get(2, 3), 0.2));
        assert_eq!(msd.get(1, 3), 0.0);
        // Adjusted cosine, items, centred on user means μ_U1 = 4.5, μ_U2 = 3, μ_U3 = 5:
        // A–C via U2: (3 − 3)(4 − 3) = 0 over √0·√1 → denominator 0 → 0.
        // A–B via U1: (0.5)(−0.5) / (0.5 · 0.5) = −1.
        let adjusted = fitted(SimilarityKind::AdjustedCosine, false);
        assert_eq!(adjusted.get(0, 2), 0.0);
        assert!(close(adjusted.get(0, 1), -1.0));
    }

    #[test]
    fn adjusted_cosine_between_users_centres_on_item_means() {
        // Item means: A = 4, B = 4.5, C = 4.5, D = 2. U1–U2 via A: (5 − 4)(3 − 4) = −1
        // over √1·√1 → −1. U2–U3 via C: (4 − 4.5)(5 − 4.5) = −0.25 over 0.5·0.5 → −1.
        let adjusted = fitted(SimilarityKind::AdjustedCosine, true);
        assert!(close(adjusted.get(0, 1), -1.0));
        assert!(close(adjusted.get(1, 2), -1.0));
    }

    #[test]
    fn min_support_zeroes_thin_pairs_and_pearson_baseline_needs_two() {
        let matrix = first_matrix();
        let mut opts = options(SimilarityKind::Msd, true);
        opts.min_support = 2;
        let msd = Similarities::fit(&matrix, opts, None, &Progress::none()).unwrap();
        assert_eq!(msd.get(0, 1), 0.0);
        // Every pair of users shares a single item, so Pearson-baseline is 0 throughout.
        let baseline = fitted(SimilarityKind::PearsonBaseline, true);
        assert_eq!(baseline.get(0, 1), 0.0);
        assert_eq!(baseline.get(1, 2), 0.0);
    }

    #[test]
    fn pearson_baseline_is_shrunk_by_support() {
        // Two users, two items, biases all zero by hand: μ = 3 (ratings 4, 2, 4, 2), so
        // residuals are +1, −1 for both users; ρ = (1 + 1) / (√2 · √2) = 1 and the
        // shrinkage factor with n = 2 and shrinkage 1 is (2 − 1) / (2 − 1 + 1) = 1/2.
        let ratings = [(0, 0, 4.0), (0, 1, 2.0), (1, 0, 4.0), (1, 1, 2.0)]
            .map(|(user, item, value)| Rating { user, item, value });
        let matrix = RatingMatrix::new(2, 2, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap();
        let biases = Biases {
            global_mean: 3.0,
            user: vec![0.0, 0.0],
            item: vec![0.0, 0.0],
        };
        let mut opts = options(SimilarityKind::PearsonBaseline, true);
        opts.shrinkage = 1.0;
        let fitted = Similarities::fit(&matrix, opts, Some(&biases), &Progress::none()).unwrap();
        assert!(close(fitted.get(0, 1), 0.5));
    }

    #[test]
    fn most_similar_orders_by_similarity_then_index() {
        // Items similar to B under msd: C (1.0, via U3), A (0.5, via U1).
        let neighbours = most_similar(&first_matrix(), &options(SimilarityKind::Msd, false), 1, 5);
        let got: Vec<(u32, f64, usize)> = neighbours
            .iter()
            .map(|n| (n.index, n.similarity, n.co_rated))
            .collect();
        assert_eq!(got, vec![(2, 1.0, 1), (0, 0.5, 1)]);
        // Users similar to U2 under cosine: U1 and U3 both 1.0 → lower index first.
        let neighbours = most_similar(
            &first_matrix(),
            &options(SimilarityKind::Cosine, true),
            1,
            1,
        );
        assert_eq!(neighbours.len(), 1);
        assert_eq!(neighbours[0].index, 0);
    }

    #[test]
    fn neighbour_lists_agree_with_the_dense_matrix_where_kept() {
        let matrix = first_matrix();
        let opts = options(SimilarityKind::Msd, false);
        let dense = Similarities::fit(&matrix, opts, None, &Progress::none()).unwrap();
        let layout = Layout {
            dense_max: 0,
            list_len: 2,
        };
        let lists =
            Similarities::fit_with_layout(&matrix, opts, None, layout, &Progress::none()).unwrap();
        assert!(dense.is_dense() && !lists.is_dense());
        // C's positive neighbours: B (1.0, via U3), A (0.5, via U2), D (0.2, via U2):
        // B and A are kept, D is cut.
        assert_eq!(lists.get(2, 1), 1.0);
        assert_eq!(lists.get(2, 0), 0.5);
        assert_eq!(lists.get(2, 3), 0.0);
        assert_eq!(lists.truncated_at(2), Some(2));
        // D has two positive neighbours (A 0.5, C 0.2 via U2), so its list is whole.
        assert_eq!(lists.get(3, 0), dense.get(3, 0));
        assert_eq!(lists.get(3, 2), dense.get(3, 2));
        assert_eq!(lists.truncated_at(3), None);
    }

    #[test]
    fn degenerate_ratings_give_finite_similarities() {
        // All-zero ratings (cosine 0/0), all-equal ratings (Pearson 0/0), one rating.
        for value in [0.0, 3.0] {
            let ratings = [(0, 0, value), (0, 1, value), (1, 0, value), (1, 1, value)]
                .map(|(user, item, value)| Rating { user, item, value });
            let matrix =
                RatingMatrix::new(3, 2, &ratings, RatingScale { min: 0.0, max: 5.0 }).unwrap();
            for kind in SimilarityKind::ALL {
                for user_based in [true, false] {
                    let fitted = Similarities::fit(
                        &matrix,
                        options(kind, user_based),
                        None,
                        &Progress::none(),
                    )
                    .unwrap();
                    for a in 0..fitted.len() as u32 {
                        for b in 0..fitted.len() as u32 {
                            assert!(fitted.get(a, b).is_finite(), "{kind} {a} {b}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cancelled_fit_stops() {
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let progress = Progress::new(cancel, |_, _| {});
        let result = Similarities::fit(
            &first_matrix(),
            SimilarityOptions::default(),
            None,
            &progress,
        );
        assert!(result.is_err());
    }

    /// 30 users × 20 items, about half the cells rated 1–5, stored in a scrambled
    /// order so that no line of the matrix is sorted by index.
    fn scrambled_matrix() -> RatingMatrix {
        let cells = 30 * 20;
        let ratings: Vec<Rating> = (0..cells)
            // 7 is coprime with 600: k ↦ 7k mod 600 visits every cell once, out of order.
            .map(|k| (k * 7) % cells)
            .filter(|cell| (cell * 13 + cell / 20) % 5 < 3)
            .map(|cell| Rating {
                user: (cell / 20) as u32,
                item: (cell % 20) as u32,
                value: (1 + (cell * 31 + cell / 7) % 5) as f64,
            })
            .collect();
        RatingMatrix::new(30, 20, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap()
    }

    #[test]
    fn dense_matrix_equals_each_row_computed_whole() {
        // The dense fit computes each pair once (upper triangle) and mirrors it; a row
        // computed whole by `most_similar` visits every pair from its own side. Both
        // must give the same bits, for every measure, between users and between items.
        let matrix = scrambled_matrix();
        for kind in SimilarityKind::ALL {
            for user_based in [true, false] {
                let opts = options(kind, user_based);
                let dense = Similarities::fit(&matrix, opts, None, &Progress::none()).unwrap();
                assert!(dense.is_dense());
                let context = SimilarityContext::new(&matrix, opts, None);
                let n = context.n() as u32;
                for x in 0..n {
                    let row = context.most_similar(x, n as usize);
                    let mut expected = vec![0.0; n as usize];
                    for neighbour in &row {
                        expected[neighbour.index as usize] = neighbour.similarity;
                    }
                    expected[x as usize] = 1.0;
                    for other in 0..n {
                        assert_eq!(
                            dense.get(x, other).to_bits(),
                            expected[other as usize].to_bits(),
                            "{kind} user_based={user_based} pair ({x}, {other})"
                        );
                    }
                }
            }
        }
    }
}
