//! Properties of the evaluation splits and metrics that must hold for any input.

use std::collections::HashSet;

use proptest::prelude::*;
use recscope::core::eval::folds::{holdout, k_fold};
use recscope::core::eval::metrics;

proptest! {
    #[test]
    fn k_fold_tests_every_rating_once_in_near_equal_folds(n in 2usize..400, k in 2usize..10, seed: u32) {
        prop_assume!(k <= n);
        let folds = k_fold(n, k, seed).unwrap();
        let mut tested = vec![0u8; n];
        for fold in &folds {
            for &p in &fold.test {
                tested[p] += 1;
            }
            let train: HashSet<usize> = fold.train.iter().copied().collect();
            prop_assert_eq!(train.len() + fold.test.len(), n);
            prop_assert!(fold.test.iter().all(|p| !train.contains(p)));
        }
        prop_assert!(tested.iter().all(|&t| t == 1));
        let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
        let (low, high) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        prop_assert!(high - low <= 1);
    }

    #[test]
    fn holdout_tests_the_rounded_up_share(n in 10usize..500, share in 0.05f64..0.95, seed: u32) {
        let n_test = (share * n as f64).ceil() as usize;
        if n_test >= n {
            // nothing would be left to train on: refused, not split
            prop_assert!(holdout(n, share, seed).is_err());
            return Ok(());
        }
        let fold = holdout(n, share, seed).unwrap();
        prop_assert_eq!(fold.test.len(), n_test);
        prop_assert_eq!(fold.test.len() + fold.train.len(), n);
    }

    #[test]
    fn ranking_metrics_lie_between_zero_and_one(
        ranked in proptest::collection::vec(0u32..50, 0..20),
        relevant in proptest::collection::hash_set(0u32..50, 1..10),
        k in 1usize..25,
    ) {
        let mut seen = HashSet::new();
        let ranked: Vec<u32> = ranked.into_iter().filter(|i| seen.insert(*i)).collect();
        let values = [
            metrics::precision_at_k(&ranked, &relevant, k),
            metrics::recall_at_k(&ranked, &relevant, k).unwrap(),
            metrics::ndcg_at_k(&ranked, &relevant, k).unwrap(),
            metrics::average_precision_at_k(&ranked, &relevant, k).unwrap(),
            metrics::reciprocal_rank(&ranked, &relevant, k),
            metrics::hit_at_k(&ranked, &relevant, k),
        ];
        for value in values {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&value), "{:?}", values);
        }
    }

    #[test]
    fn relevant_items_first_give_perfect_ndcg(relevant in proptest::collection::hash_set(0u32..50, 1..10), k in 1usize..12) {
        let mut ranked: Vec<u32> = relevant.iter().copied().collect();
        ranked.sort_unstable();
        ranked.extend(100..110);
        let ndcg = metrics::ndcg_at_k(&ranked, &relevant, k).unwrap();
        prop_assert!((ndcg - 1.0).abs() < 1e-12);
    }

    #[test]
    fn rmse_is_at_least_mae(pairs in proptest::collection::vec((1.0f64..5.0, 1.0f64..5.0), 1..100)) {
        let rmse = metrics::rmse(&pairs).unwrap();
        let mae = metrics::mae(&pairs).unwrap();
        prop_assert!(rmse + 1e-12 >= mae && mae >= 0.0);
    }

    #[test]
    fn fcp_is_a_share_and_ignores_user_names(
        triples in proptest::collection::vec((0u32..5, 1u8..=5, 1.0f64..5.0), 2..60),
        shift in 1u32..1000,
    ) {
        let triples: Vec<(u32, f64, f64)> =
            triples.into_iter().map(|(u, r, p)| (u, r as f64, p)).collect();
        let renamed: Vec<(u32, f64, f64)> =
            triples.iter().map(|&(u, r, p)| (u + shift, r, p)).collect();
        let fcp = metrics::fcp(&triples);
        prop_assert_eq!(fcp, metrics::fcp(&renamed));
        if let Some(value) = fcp {
            prop_assert!((0.0..=1.0).contains(&value));
        }
    }
}
