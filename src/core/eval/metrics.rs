//! Evaluation metrics: accuracy of predicted ratings (RMSE, MAE, FCP), quality of a
//! ranked list for one user (precision, recall, NDCG, average precision, reciprocal
//! rank, hit), and properties of all lists together (coverage, novelty, diversity).
//!
//! Ranking metrics take the list cut at `k` and the set of items relevant to the user
//! (in cross-validation: held-out items rated at or above a threshold). Their means
//! over users are what reports call MAP@k, MRR and hit rate.

use std::collections::{HashMap, HashSet};

use crate::core::matrix::{ItemIndex, UserIndex};

/// Root mean squared error over `(true rating, prediction)` pairs:
/// `RMSE = √( (1/n) Σ (r_ui − r̂_ui)² )`. `None` for no pairs.
pub fn rmse(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let sum: f64 = pairs
        .iter()
        .map(|(truth, guess)| (truth - guess).powi(2))
        .sum();
    Some((sum / pairs.len() as f64).sqrt())
}

/// Mean absolute error over `(true rating, prediction)` pairs:
/// `MAE = (1/n) Σ |r_ui − r̂_ui|`. `None` for no pairs.
pub fn mae(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let sum: f64 = pairs
        .iter()
        .map(|(truth, guess)| (truth - guess).abs())
        .sum();
    Some(sum / pairs.len() as f64)
}

/// Fraction of concordant pairs (Koren and Sill 2011, §5.2), computed as the reference
/// library computes it, over `(user, true rating, prediction)` triples.
///
/// For each user `u`, over the pairs of that user's items with different true ratings
/// `r_i > r_j`: the pair is concordant when `r̂_i > r̂_j` and discordant when
/// `r̂_i ≤ r̂_j` (a tie in the prediction counts against). With `n_c(u)` and `n_d(u)`
/// the counts, `n̄_c` is the mean of `n_c(u)` over the users whose `n_c(u) > 0`, `n̄_d`
/// likewise, and `FCP = n̄_c / (n̄_c + n̄_d)`. `None` when no user has a pair with
/// different true ratings, and `None` when no such pair has two different finite
/// predictions: a predictor that ranks nothing (a constant, or one value per user)
/// has no FCP, rather than the 0 its all-tied pairs would give.
pub fn fcp(triples: &[(UserIndex, f64, f64)]) -> Option<f64> {
    let mut by_user: HashMap<UserIndex, Vec<(f64, f64)>> = HashMap::new();
    for &(user, truth, guess) in triples {
        by_user.entry(user).or_default().push((truth, guess));
    }

    let (mut concordant_sum, mut concordant_users) = (0.0, 0usize);
    let (mut discordant_sum, mut discordant_users) = (0.0, 0usize);
    let mut ranks_something = false;
    for pairs in by_user.values() {
        let (concordant, discordant, ranked) = concordance(pairs);
        ranks_something |= ranked;
        if concordant > 0 {
            concordant_sum += concordant as f64;
            concordant_users += 1;
        }
        if discordant > 0 {
            discordant_sum += discordant as f64;
            discordant_users += 1;
        }
    }
    let mean_concordant = mean_or_zero(concordant_sum, concordant_users);
    let mean_discordant = mean_or_zero(discordant_sum, discordant_users);
    let total = mean_concordant + mean_discordant;
    (total > 0.0 && ranks_something).then(|| mean_concordant / total)
}

/// Concordant and discordant pair counts, and whether any compared pair had two
/// different finite predictions.
fn concordance(pairs: &[(f64, f64)]) -> (usize, usize, bool) {
    let (mut concordant, mut discordant, mut ranked) = (0, 0, false);
    for (i, &(truth_i, guess_i)) in pairs.iter().enumerate() {
        for &(truth_j, guess_j) in &pairs[i + 1..] {
            let (high, low) = if truth_i > truth_j {
                (guess_i, guess_j)
            } else if truth_j > truth_i {
                (guess_j, guess_i)
            } else {
                continue;
            };
            ranked |= high.is_finite() && low.is_finite() && high != low;
            if high > low {
                concordant += 1;
            } else {
                discordant += 1;
            }
        }
    }
    (concordant, discordant, ranked)
}

fn mean_or_zero(sum: f64, count: usize) -> f64 {
    if count == 0 { 0.0 } else { sum / count as f64 }
}

fn hits_in_top(ranked: &[ItemIndex], relevant: &HashSet<ItemIndex>, k: usize) -> usize {
    ranked
        .iter()
        .take(k)
        .filter(|item| relevant.contains(item))
        .count()
}

/// Precision at k: `|top-k ∩ relevant| / k`. A list shorter than `k` still divides by
/// `k` (the empty places count as misses). `0` when `k` is 0.
pub fn precision_at_k(ranked: &[ItemIndex], relevant: &HashSet<ItemIndex>, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    hits_in_top(ranked, relevant, k) as f64 / k as f64
}

/// Recall at k: `|top-k ∩ relevant| / |relevant|`. `None` when nothing is relevant.
pub fn recall_at_k(ranked: &[ItemIndex], relevant: &HashSet<ItemIndex>, k: usize) -> Option<f64> {
    if relevant.is_empty() {
        return None;
    }
    Some(hits_in_top(ranked, relevant, k) as f64 / relevant.len() as f64)
}

/// Normalised discounted cumulative gain at k, with binary relevance:
/// `DCG = Σ_{p=1..k} rel_p / log₂(p + 1)`, `IDCG` = the DCG of a list with all
/// `min(k, |relevant|)` relevant items first, `NDCG = DCG / IDCG`. `None` when nothing
/// is relevant.
pub fn ndcg_at_k(ranked: &[ItemIndex], relevant: &HashSet<ItemIndex>, k: usize) -> Option<f64> {
    if relevant.is_empty() || k == 0 {
        return None;
    }
    let gain = |position: usize| 1.0 / ((position + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, item)| relevant.contains(item))
        .map(|(position, _)| gain(position))
        .sum();
    let ideal: f64 = (0..k.min(relevant.len())).map(gain).sum();
    Some(dcg / ideal)
}

/// Average precision at k: `AP@k = (1 / min(k, |relevant|)) Σ_{p=1..k} P@p · rel_p`,
/// where `P@p` is the precision of the first `p` places and `rel_p` is 1 when the item
/// at place `p` is relevant. MAP@k is its mean over users. `None` when nothing is
/// relevant.
pub fn average_precision_at_k(
    ranked: &[ItemIndex],
    relevant: &HashSet<ItemIndex>,
    k: usize,
) -> Option<f64> {
    if relevant.is_empty() || k == 0 {
        return None;
    }
    let mut hits = 0usize;
    let mut sum = 0.0;
    for (position, item) in ranked.iter().take(k).enumerate() {
        if relevant.contains(item) {
            hits += 1;
            sum += hits as f64 / (position + 1) as f64;
        }
    }
    Some(sum / k.min(relevant.len()) as f64)
}

/// Reciprocal rank within the top k: `1 / p` for the first place `p ≤ k` holding a
/// relevant item, `0` when there is none. MRR is its mean over users.
pub fn reciprocal_rank(ranked: &[ItemIndex], relevant: &HashSet<ItemIndex>, k: usize) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|item| relevant.contains(item))
        .map_or(0.0, |position| 1.0 / (position + 1) as f64)
}

/// Hit at k: `1` when any of the top k is relevant, else `0`. The hit rate is its mean
/// over users.
pub fn hit_at_k(ranked: &[ItemIndex], relevant: &HashSet<ItemIndex>, k: usize) -> f64 {
    if hits_in_top(ranked, relevant, k) > 0 {
        1.0
    } else {
        0.0
    }
}

/// Catalogue coverage: the share of the `n_items` items that appear in at least one
/// list, `|∪ lists| / n_items`. `0` for an empty catalogue.
pub fn catalogue_coverage(lists: &[Vec<ItemIndex>], n_items: usize) -> f64 {
    if n_items == 0 {
        return 0.0;
    }
    let shown: HashSet<ItemIndex> = lists.iter().flatten().copied().collect();
    shown.len() as f64 / n_items as f64
}

/// Novelty: the mean self-information of the recommended items,
/// `(1 / Σ|L|) Σ_L Σ_{i∈L} −log₂ p(i)`, where `p(i)` is the share of users who rated
/// item `i` in the training data (given by `popularity`). Rarely rated items are
/// novel; an item everyone rated scores 0. Items with `p(i) = 0` (never rated, so
/// never recommended by a fitted model) are left out. `None` when no item counts.
pub fn novelty(lists: &[Vec<ItemIndex>], popularity: impl Fn(ItemIndex) -> f64) -> Option<f64> {
    let (mut sum, mut count) = (0.0, 0usize);
    for &item in lists.iter().flatten() {
        let share = popularity(item);
        if share > 0.0 {
            sum += -share.log2();
            count += 1;
        }
    }
    (count > 0).then(|| sum / count as f64)
}

/// Intra-list diversity of one list: the mean dissimilarity over its pairs,
/// `ILD(L) = (2 / (|L| (|L| − 1))) Σ_{i<j} (1 − sim(i, j))`, with `similarity` in
/// 0..1 (recscope uses the cosine between item rating columns). `None` for a list of
/// fewer than two items.
pub fn intra_list_diversity(
    list: &[ItemIndex],
    similarity: impl Fn(ItemIndex, ItemIndex) -> f64,
) -> Option<f64> {
    if list.len() < 2 {
        return None;
    }
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for (position, &a) in list.iter().enumerate() {
        for &b in &list[position + 1..] {
            sum += 1.0 - similarity(a, b);
            pairs += 1;
        }
    }
    Some(sum / pairs as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn set(items: &[ItemIndex]) -> HashSet<ItemIndex> {
        items.iter().copied().collect()
    }

    #[test]
    fn rmse_and_mae_by_hand() {
        // errors: 4−3 = 1, 2−4 = −2, 5−5 = 0, 3−1 = 2
        // RMSE = √((1 + 4 + 0 + 4) / 4) = √2.25 = 1.5
        // MAE = (1 + 2 + 0 + 2) / 4 = 1.25
        let pairs = [(4.0, 3.0), (2.0, 4.0), (5.0, 5.0), (3.0, 1.0)];
        assert!(close(rmse(&pairs).unwrap(), 1.5));
        assert!(close(mae(&pairs).unwrap(), 1.25));
        assert_eq!(rmse(&[]), None);
        assert_eq!(mae(&[]), None);
    }

    #[test]
    fn fcp_by_hand() {
        // user 0: (truth, guess) = (5, 4.5), (3, 3.9), (1, 4.0)
        //   pairs with different truth: 5>3: 4.5>3.9 concordant; 5>1: 4.5>4.0
        //   concordant; 3>1: 3.9 ≤ 4.0 discordant → n_c = 2, n_d = 1
        // user 1: (4, 2.0), (2, 2.0) → 4>2 with a tie in the guess: discordant
        //   → n_c = 0, n_d = 1
        // user 2: (3, 1.0), (3, 5.0) → equal truth, no pair
        // n̄_c = mean over users with n_c > 0 = 2 / 1 = 2
        // n̄_d = mean over users with n_d > 0 = (1 + 1) / 2 = 1
        // FCP = 2 / (2 + 1) = 2/3
        let triples = [
            (0, 5.0, 4.5),
            (0, 3.0, 3.9),
            (0, 1.0, 4.0),
            (1, 4.0, 2.0),
            (1, 2.0, 2.0),
            (2, 3.0, 1.0),
            (2, 3.0, 5.0),
        ];
        assert!(close(fcp(&triples).unwrap(), 2.0 / 3.0));
        assert_eq!(fcp(&[(2, 3.0, 1.0), (2, 3.0, 5.0)]), None);
    }

    #[test]
    fn fcp_of_a_predictor_that_ranks_nothing_is_undefined() {
        // A constant 3.5: user 0's pair 5>1 and user 1's pair 4>2 both tie in the
        // guess, so n_c = 0 and every pair is "discordant"; the 0 this gives says
        // nothing about ranking, so there is no FCP.
        let constant = [(0, 5.0, 3.5), (0, 1.0, 3.5), (1, 4.0, 3.5), (1, 2.0, 3.5)];
        assert_eq!(fcp(&constant), None);
        // NaN predictions rank nothing either.
        assert_eq!(fcp(&[(0, 5.0, f64::NAN), (0, 1.0, f64::NAN)]), None);
        // One pair with different predictions makes it defined again: user 0
        // concordant (4 > 3), user 1 tied → discordant: n̄_c = 1, n̄_d = 1, FCP = 1/2.
        let mixed = [(0, 5.0, 4.0), (0, 1.0, 3.0), (1, 4.0, 3.5), (1, 2.0, 3.5)];
        assert_eq!(fcp(&mixed), Some(0.5));
    }

    #[test]
    fn ranking_metrics_by_hand() {
        // ranked: [7, 3, 9, 1, 4], relevant {3, 4, 8}, k = 5
        // hits at places 2 (item 3) and 5 (item 4)
        let ranked = [7, 3, 9, 1, 4];
        let relevant = set(&[3, 4, 8]);

        // P@5 = 2/5; P@2 = 1/2
        assert!(close(precision_at_k(&ranked, &relevant, 5), 0.4));
        assert!(close(precision_at_k(&ranked, &relevant, 2), 0.5));
        // R@5 = 2/3; R@1 = 0/3
        assert!(close(
            recall_at_k(&ranked, &relevant, 5).unwrap(),
            2.0 / 3.0
        ));
        assert!(close(recall_at_k(&ranked, &relevant, 1).unwrap(), 0.0));

        // DCG@5 = 1/log₂3 + 1/log₂6 = 0.630930 + 0.386853 = 1.017783
        // IDCG@5 (3 relevant first) = 1/log₂2 + 1/log₂3 + 1/log₂4 = 1 + 0.630930 + 0.5
        // NDCG@5 = 1.017783 / 2.130930 = 0.477624
        let dcg = 1.0 / 3f64.log2() + 1.0 / 6f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 0.5;
        assert!(close(ndcg_at_k(&ranked, &relevant, 5).unwrap(), dcg / idcg));
        assert!((dcg / idcg - 0.477624).abs() < 1e-6);

        // AP@5 = (P@2 · 1 + P@5 · 1) / min(5, 3) = (1/2 + 2/5) / 3 = 0.9 / 3 = 0.3
        assert!(close(
            average_precision_at_k(&ranked, &relevant, 5).unwrap(),
            0.3
        ));
        // first hit at place 2 → RR = 1/2; within the top 1 there is none → 0
        assert!(close(reciprocal_rank(&ranked, &relevant, 5), 0.5));
        assert!(close(reciprocal_rank(&ranked, &relevant, 1), 0.0));
        assert!(close(hit_at_k(&ranked, &relevant, 2), 1.0));
        assert!(close(hit_at_k(&ranked, &relevant, 1), 0.0));

        assert_eq!(recall_at_k(&ranked, &set(&[]), 5), None);
        assert_eq!(ndcg_at_k(&ranked, &set(&[]), 5), None);
    }

    #[test]
    fn a_perfect_list_scores_one() {
        let relevant = set(&[1, 2]);
        assert!(close(ndcg_at_k(&[2, 1, 5], &relevant, 3).unwrap(), 1.0));
        assert!(close(
            average_precision_at_k(&[2, 1, 5], &relevant, 3).unwrap(),
            1.0
        ));
    }

    #[test]
    fn coverage_novelty_and_diversity_by_hand() {
        // lists [0, 1] and [1, 2] show items {0, 1, 2} of 6 → coverage 3/6 = 0.5
        let lists = vec![vec![0, 1], vec![1, 2]];
        assert!(close(catalogue_coverage(&lists, 6), 0.5));

        // p(0) = 1/2, p(1) = 1/4, p(2) = 1/8 → self-information 1, 2, 3 bits;
        // the four recommended places hold 0, 1, 1, 2 → (1 + 2 + 2 + 3) / 4 = 2
        let popularity = |item: ItemIndex| [0.5, 0.25, 0.125][item as usize];
        assert!(close(novelty(&lists, popularity).unwrap(), 2.0));

        // sim(0,1) = 0.5, sim(0,2) = 0.0, sim(1,2) = 0.8
        // ILD = ((1 − 0.5) + (1 − 0) + (1 − 0.8)) / 3 = 1.7 / 3
        let similarity = |a: ItemIndex, b: ItemIndex| match (a.min(b), a.max(b)) {
            (0, 1) => 0.5,
            (1, 2) => 0.8,
            _ => 0.0,
        };
        assert!(close(
            intra_list_diversity(&[0, 1, 2], similarity).unwrap(),
            1.7 / 3.0
        ));
        assert_eq!(intra_list_diversity(&[4], similarity), None);
    }
}
