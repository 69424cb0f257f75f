//! Synthetic rating datasets with a realistic shape: a few very active users and a
//! long tail of rarely rated items (power laws on both sides), and planted taste
//! groups (users belong to groups, items to genres, and a group's affinity for a
//! genre moves its ratings). The ratings stream out through a callback, user by user,
//! so any size fits in memory: nothing of size users × items is ever built.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::matrix::{ItemIndex, UserIndex};
use super::progress::{Cancelled, Progress};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateSpec {
    pub users: usize,
    pub items: usize,
    /// Exact number of ratings; at least `max(users, items)` (every user and item is
    /// rated at least once) and at most `users × items / 2`.
    pub ratings: usize,
    pub seed: u64,
    /// Taste groups of users.
    pub groups: usize,
    /// Genres of items.
    pub genres: usize,
}

impl GenerateSpec {
    /// The given sizes with eight taste groups and twelve genres.
    pub fn new(users: usize, items: usize, ratings: usize, seed: u64) -> Self {
        GenerateSpec {
            users,
            items,
            ratings,
            seed,
            groups: 8,
            genres: 12,
        }
    }
}

/// Sizes that cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerateError {
    #[error("{0}")]
    BadSize(String),
    #[error("generation was cancelled")]
    Cancelled,
}

impl From<Cancelled> for GenerateError {
    fn from(_: Cancelled) -> Self {
        GenerateError::Cancelled
    }
}

/// Exponent of user activity: the user of activity rank `r` (from 1) gets a share of
/// the ratings proportional to `r^-0.7`.
const ACTIVITY_EXPONENT: f64 = 0.7;
/// Item popularity follows a Zipf–Mandelbrot law: the item of popularity rank `r`
/// (from 1) is drawn with weight `(r + c)^-1.6`, where the offset `c` is a hundredth
/// of the catalogue. The offset keeps the head from saturating (the most popular item
/// is not rated by every user) while the tail stays long (the rarest items get a
/// handful of ratings).
const POPULARITY_EXPONENT: f64 = 1.6;
const POPULARITY_OFFSET_SHARE: f64 = 0.01;
/// Mean rating before biases and affinities.
const BASE_RATING: f64 = 3.5;

/// A planned dataset: who rates how much, which group and genre everyone belongs to.
pub struct Generator {
    spec: GenerateSpec,
    /// Ratings per user, by user index.
    degrees: Vec<usize>,
    /// Item draw weights, cumulative, by item index.
    cumulative_popularity: Vec<f64>,
    popularity: Vec<f64>,
    user_groups: Vec<usize>,
    item_genres: Vec<usize>,
    /// `affinity[group][genre]`, in stars.
    affinity: Vec<Vec<f64>>,
    user_bias: Vec<f64>,
    item_bias: Vec<f64>,
    /// `(user, item)` pairs placed first so that every item is rated, sorted by user.
    guaranteed: Vec<(UserIndex, ItemIndex)>,
    rng: ChaCha8Rng,
}

impl Generator {
    /// Plans a dataset; fails with the reason when the sizes cannot be met.
    pub fn new(spec: GenerateSpec) -> Result<Self, GenerateError> {
        check_sizes(&spec)?;
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);

        // Activity and popularity ranks are shuffled onto indices, so that index 0 is
        // not always the most active user or the most popular item.
        let user_rank = permutation(spec.users, &mut rng);
        let item_rank = permutation(spec.items, &mut rng);
        let activity: Vec<f64> = user_rank
            .iter()
            .map(|&rank| ((rank + 1) as f64).powf(-ACTIVITY_EXPONENT))
            .collect();
        let degrees = allocate_degrees(&activity, spec.ratings, spec.items / 2);
        let offset = (spec.items as f64 * POPULARITY_OFFSET_SHARE).max(1.0);
        let popularity: Vec<f64> = item_rank
            .iter()
            .map(|&rank| ((rank + 1) as f64 + offset).powf(-POPULARITY_EXPONENT))
            .collect();
        let cumulative_popularity = cumulative(&popularity);

        let user_groups = (0..spec.users)
            .map(|_| rng.random_range(0..spec.groups))
            .collect();
        let item_genres = (0..spec.items)
            .map(|_| rng.random_range(0..spec.genres))
            .collect();
        let affinity = planted_affinity(spec.groups, spec.genres, &mut rng);
        let user_bias = normal_draws(spec.users, 0.35, &mut rng);
        let item_bias = normal_draws(spec.items, 0.45, &mut rng);
        let guaranteed = guarantee_every_item(&degrees, spec.items, &mut rng);

        Ok(Generator {
            spec,
            degrees,
            cumulative_popularity,
            popularity,
            user_groups,
            item_genres,
            affinity,
            user_bias,
            item_bias,
            guaranteed,
            rng,
        })
    }

    /// The taste group of a user, `0..groups`.
    pub fn user_group(&self, user: UserIndex) -> usize {
        self.user_groups[user as usize]
    }

    /// The genre of an item, `0..genres`.
    pub fn item_genre(&self, item: ItemIndex) -> usize {
        self.item_genres[item as usize]
    }

    /// How many ratings each user will give.
    pub fn degrees(&self) -> &[usize] {
        &self.degrees
    }

    /// Streams every rating to `emit(user, item, rating)`, user by user; ratings are
    /// whole stars 1–5 and no (user, item) pair repeats.
    pub fn run(
        mut self,
        progress: &Progress,
        mut emit: impl FnMut(UserIndex, ItemIndex, f64),
    ) -> Result<(), GenerateError> {
        let noise = Normal::new(0.0, 0.6).map_err(|e| GenerateError::BadSize(e.to_string()))?;
        let report_every = (self.spec.users / 100).max(1);
        let mut chosen: HashSet<ItemIndex> = HashSet::new();
        let mut picks: Vec<ItemIndex> = Vec::new();
        let mut guaranteed_at = 0;

        for user in 0..self.spec.users {
            if user.is_multiple_of(report_every) {
                progress.check()?;
                progress.report(user as f64 / self.spec.users as f64, "generating ratings");
            }
            picks.clear();
            chosen.clear();
            while guaranteed_at < self.guaranteed.len()
                && self.guaranteed[guaranteed_at].0 as usize == user
            {
                let item = self.guaranteed[guaranteed_at].1;
                picks.push(item);
                chosen.insert(item);
                guaranteed_at += 1;
            }
            self.draw_items(self.degrees[user], &mut chosen, &mut picks);

            for &item in &picks {
                let jitter = noise.sample(&mut self.rng);
                let value = self.rating(user as UserIndex, item, jitter);
                emit(user as UserIndex, item, value);
            }
        }
        progress.report(1.0, "generating ratings");
        Ok(())
    }

    /// Adds distinct items by popularity until `picks` holds `degree` of them. Light
    /// users draw with rejection of repeats; heavy users (over a twentieth of the
    /// catalogue) take the smallest exponential keys `−ln U / w` over all items, which
    /// is weighted sampling without replacement (Efraimidis and Spirakis 2006).
    fn draw_items(
        &mut self,
        degree: usize,
        chosen: &mut HashSet<ItemIndex>,
        picks: &mut Vec<ItemIndex>,
    ) {
        let wanted = degree.saturating_sub(picks.len());
        if wanted == 0 {
            return;
        }
        if degree * 20 <= self.spec.items {
            let total = self.cumulative_popularity.last().copied().unwrap_or(0.0);
            while picks.len() < degree {
                let point = self.rng.random::<f64>() * total;
                let item = self
                    .cumulative_popularity
                    .partition_point(|&c| c <= point)
                    .min(self.spec.items - 1) as ItemIndex;
                if chosen.insert(item) {
                    picks.push(item);
                }
            }
            return;
        }
        let mut keyed: Vec<(f64, ItemIndex)> = (0..self.spec.items)
            .filter(|item| !chosen.contains(&(*item as ItemIndex)))
            .map(|item| {
                let uniform: f64 = self.rng.random::<f64>().max(f64::MIN_POSITIVE);
                (-uniform.ln() / self.popularity[item], item as ItemIndex)
            })
            .collect();
        if wanted < keyed.len() {
            keyed.select_nth_unstable_by(wanted, |a, b| a.0.total_cmp(&b.0));
            keyed.truncate(wanted);
        }
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, item) in keyed {
            chosen.insert(item);
            picks.push(item);
        }
    }

    /// `round(3.5 + b_u + b_i + affinity[group(u)][genre(i)] + noise)`, clipped to 1–5.
    fn rating(&self, user: UserIndex, item: ItemIndex, noise: f64) -> f64 {
        let group = self.user_groups[user as usize];
        let genre = self.item_genres[item as usize];
        let raw = BASE_RATING
            + self.user_bias[user as usize]
            + self.item_bias[item as usize]
            + self.affinity[group][genre]
            + noise;
        raw.round().clamp(1.0, 5.0)
    }
}

/// The most users (and the most items) a generated dataset may have.
pub const MAX_ENTITIES: usize = 100_000_000;

fn check_sizes(spec: &GenerateSpec) -> Result<(), GenerateError> {
    if spec.users == 0 || spec.items == 0 {
        return Err(GenerateError::BadSize(
            "users and items must both be at least 1".to_string(),
        ));
    }
    // The plan holds a few numbers for every user and item (rank, activity, bias,
    // group; popularity and its running sum): about 40 bytes each, so 100 million
    // users and items take some 4 GB before the first rating is written.
    if spec.users > MAX_ENTITIES || spec.items > MAX_ENTITIES {
        return Err(GenerateError::BadSize(format!(
            "at most {MAX_ENTITIES} users and {MAX_ENTITIES} items are supported: the \
             generator keeps about 40 bytes for each in memory"
        )));
    }
    let floor = spec.users.max(spec.items);
    if spec.ratings < floor {
        return Err(GenerateError::BadSize(format!(
            "{} ratings cannot give each of {} users and {} items a rating: ask for at \
             least {floor}",
            spec.ratings, spec.users, spec.items
        )));
    }
    let ceiling = spec.users.saturating_mul((spec.items / 2).max(1));
    if spec.ratings > ceiling {
        return Err(GenerateError::BadSize(format!(
            "{} ratings would fill more than half of a {} × {} matrix: ask for at most \
             {ceiling}, or more users or items",
            spec.ratings, spec.users, spec.items
        )));
    }
    if spec.groups == 0 || spec.genres == 0 {
        return Err(GenerateError::BadSize(
            "there must be at least one taste group and one genre".to_string(),
        ));
    }
    Ok(())
}

fn permutation(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for position in (1..n).rev() {
        let other = rng.random_range(0..=position);
        order.swap(position, other);
    }
    order
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    let mut running = 0.0;
    weights
        .iter()
        .map(|w| {
            running += w;
            running
        })
        .collect()
}

fn normal_draws(n: usize, spread: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    match Normal::new(0.0, spread) {
        Ok(normal) => (0..n).map(|_| normal.sample(rng)).collect(),
        Err(_) => vec![0.0; n],
    }
}

/// Each group loves one genre (+1.2 stars), dislikes another (−1.2), and feels
/// mildly about the rest (uniform in ±0.4).
fn planted_affinity(groups: usize, genres: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    (0..groups)
        .map(|group| {
            let mut row: Vec<f64> = (0..genres).map(|_| rng.random_range(-0.4..0.4)).collect();
            row[group % genres] = 1.2;
            if genres > 1 {
                row[(group + genres / 2) % genres] = -1.2;
            }
            row
        })
        .collect()
}

/// Ratings per user: shares proportional to `activity`, none above `cap`, each at
/// least 1, summing exactly to `total` (which the caller checked is reachable).
fn allocate_degrees(activity: &[f64], total: usize, cap: usize) -> Vec<usize> {
    let cap = cap.max(1);
    let n = activity.len();
    let mut capped = vec![false; n];

    // Water-filling: users whose share exceeds the cap are fixed at it, and what they
    // leave is shared among the others, until no new user reaches the cap.
    let mut targets = vec![0.0; n];
    loop {
        let fixed = capped.iter().filter(|&&c| c).count();
        let left = total as f64 - (fixed * cap) as f64;
        let weight: f64 = (0..n).filter(|&u| !capped[u]).map(|u| activity[u]).sum();
        let mut changed = false;
        for user in 0..n {
            if capped[user] {
                targets[user] = cap as f64;
                continue;
            }
            targets[user] = if weight > 0.0 {
                left * activity[user] / weight
            } else {
                0.0
            };
            if targets[user] > cap as f64 {
                capped[user] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let mut degrees: Vec<usize> = targets
        .iter()
        .map(|t| (t.floor() as usize).clamp(1, cap))
        .collect();
    let mut by_activity: Vec<usize> = (0..n).collect();
    by_activity.sort_by(|&a, &b| activity[b].total_cmp(&activity[a]));
    let mut sum: usize = degrees.iter().sum();
    while sum < total {
        for &user in &by_activity {
            if sum == total {
                break;
            }
            if degrees[user] < cap {
                degrees[user] += 1;
                sum += 1;
            }
        }
    }
    while sum > total {
        for &user in &by_activity {
            if sum == total {
                break;
            }
            if degrees[user] > 1 {
                degrees[user] -= 1;
                sum -= 1;
            }
        }
    }
    degrees
}

/// Gives every item one rater, drawn in proportion to the users' degrees among those
/// with room left, so that no item is left without a rating.
fn guarantee_every_item(
    degrees: &[usize],
    n_items: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<(UserIndex, ItemIndex)> {
    let weights: Vec<f64> = degrees.iter().map(|&d| d as f64).collect();
    let cumulative_degrees = cumulative(&weights);
    let total = cumulative_degrees.last().copied().unwrap_or(0.0);
    let mut used = vec![0usize; degrees.len()];
    let mut next_free = 0usize;
    let mut pairs = Vec::with_capacity(n_items);
    for item in 0..n_items {
        let mut user = None;
        for _ in 0..64 {
            let point = rng.random::<f64>() * total;
            let candidate = cumulative_degrees
                .partition_point(|&c| c <= point)
                .min(degrees.len() - 1);
            if used[candidate] < degrees[candidate] {
                user = Some(candidate);
                break;
            }
        }
        let user = match user {
            Some(user) => user,
            None => {
                while used[next_free] >= degrees[next_free] {
                    next_free += 1;
                }
                next_free
            }
        };
        used[user] += 1;
        pairs.push((user as UserIndex, item as ItemIndex));
    }
    pairs.sort_by_key(|&(user, _)| user);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(spec: GenerateSpec) -> Vec<(UserIndex, ItemIndex, f64)> {
        let mut out = Vec::new();
        Generator::new(spec)
            .unwrap()
            .run(&Progress::none(), |u, i, r| out.push((u, i, r)))
            .unwrap();
        out
    }

    #[test]
    fn exact_counts_no_repeated_pair_and_everyone_rated() {
        let ratings = collect(GenerateSpec::new(200, 150, 4_000, 7));
        assert_eq!(ratings.len(), 4_000);
        let pairs: HashSet<(UserIndex, ItemIndex)> =
            ratings.iter().map(|&(u, i, _)| (u, i)).collect();
        assert_eq!(pairs.len(), 4_000);
        let users: HashSet<UserIndex> = ratings.iter().map(|r| r.0).collect();
        let items: HashSet<ItemIndex> = ratings.iter().map(|r| r.1).collect();
        assert_eq!(users.len(), 200);
        assert_eq!(items.len(), 150);
        assert!(
            ratings
                .iter()
                .all(|r| [1.0, 2.0, 3.0, 4.0, 5.0].contains(&r.2))
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_ratings() {
        let spec = GenerateSpec::new(50, 40, 500, 3);
        assert_eq!(collect(spec), collect(spec));
        assert_ne!(collect(spec), collect(GenerateSpec { seed: 4, ..spec }));
    }

    #[test]
    fn activity_and_popularity_are_skewed() {
        // 1,000 users share 50,000 ratings: a flat spread would give each 50. With the
        // r^-0.7 law the busiest user has several times that, and the top tenth of
        // users give over a third of all ratings.
        let spec = GenerateSpec::new(1_000, 2_000, 50_000, 11);
        let ratings = collect(spec);
        let mut per_user = vec![0usize; 1_000];
        let mut per_item = vec![0usize; 2_000];
        for &(u, i, _) in &ratings {
            per_user[u as usize] += 1;
            per_item[i as usize] += 1;
        }
        per_user.sort_unstable_by(|a, b| b.cmp(a));
        per_item.sort_unstable_by(|a, b| b.cmp(a));
        assert!(per_user[0] > 4 * 50, "busiest user: {}", per_user[0]);
        let top_tenth: usize = per_user[..100].iter().sum();
        assert!(top_tenth * 3 > 50_000, "top tenth gave {top_tenth}");
        // long tail: the median item is rated far less than the mean of 25
        assert!(per_item[1_000] < 25, "median item: {}", per_item[1_000]);
    }

    #[test]
    fn planted_groups_rate_their_favourite_genre_higher() {
        let spec = GenerateSpec::new(400, 300, 20_000, 5);
        let generator = Generator::new(spec).unwrap();
        let groups: Vec<usize> = (0..400).map(|u| generator.user_group(u)).collect();
        let genres: Vec<usize> = (0..300).map(|i| generator.item_genre(i)).collect();
        let mut loved = (0.0, 0usize);
        let mut hated = (0.0, 0usize);
        generator
            .run(&Progress::none(), |u, i, r| {
                let group = groups[u as usize];
                let genre = genres[i as usize];
                if genre == group % 12 {
                    loved.0 += r;
                    loved.1 += 1;
                } else if genre == (group + 6) % 12 {
                    hated.0 += r;
                    hated.1 += 1;
                }
            })
            .unwrap();
        let loved_mean = loved.0 / loved.1 as f64;
        let hated_mean = hated.0 / hated.1 as f64;
        // planted: +1.2 against −1.2 stars, softened by rounding and clipping
        assert!(
            loved_mean - hated_mean > 1.5,
            "{loved_mean} vs {hated_mean}"
        );
    }

    #[test]
    fn impossible_sizes_are_refused_with_the_numbers() {
        let err = Generator::new(GenerateSpec::new(10, 10, 5, 0))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("at least 10"), "{err}");
        let err = Generator::new(GenerateSpec::new(10, 10, 80, 0))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("at most 50"), "{err}");
        // Refused before anything is allocated for the 4 billion users.
        let err = Generator::new(GenerateSpec::new(4_000_000_000, 10, 4_000_000_000, 0))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("at most 100000000 users"), "{err}");
    }

    #[test]
    fn degrees_sum_to_the_total_and_respect_the_cap() {
        let activity = [1.0, 0.5, 0.25, 0.01];
        let degrees = allocate_degrees(&activity, 20, 8);
        assert_eq!(degrees.iter().sum::<usize>(), 20);
        assert!(degrees.iter().all(|&d| (1..=8).contains(&d)));
        // shares 20·(1, .5, .25, .01)/1.76 = 11.4, 5.7, 2.8, 0.1; the first is capped
        // at 8 and its excess 12 is re-shared: 12·(.5, .25, .01)/.76 → 7.9, 3.9, 0.2
        assert_eq!(degrees[0], 8);
        assert!(degrees[1] >= degrees[2] && degrees[2] >= degrees[3]);
    }
}
