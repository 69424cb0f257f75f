//! Times a dense similarity fit on a synthetic matrix (ignored by default; run with
//! `cargo test --test similarity_speed -- --ignored --nocapture`), and checks that the
//! fitted similarities are symmetric and agree with the row-by-row computation.

use std::time::Instant;

use recscope::core::matrix::{Rating, RatingMatrix, RatingScale};
use recscope::core::progress::Progress;
use recscope::core::similarity::{
    Similarities, SimilarityContext, SimilarityKind, SimilarityOptions,
};

/// `users × items` with about `ratings` ratings 1–5, popular items skewed, from a
/// fixed linear congruential sequence.
fn synthetic(users: usize, items: usize, ratings: usize) -> RatingMatrix {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut seen = std::collections::HashSet::new();
    let mut cells = Vec::with_capacity(ratings);
    while cells.len() < ratings {
        let user = (next() % users as u64) as u32;
        // Squaring a uniform draw favours low item indices.
        let draw = (next() % 1_000_000) as f64 / 1_000_000.0;
        let item = ((draw * draw) * items as f64) as u32;
        if seen.insert((user, item)) {
            let value = (1 + next() % 5) as f64;
            cells.push(Rating { user, item, value });
        }
    }
    RatingMatrix::new(users, items, &cells, RatingScale { min: 1.0, max: 5.0 }).unwrap()
}

#[test]
#[ignore]
fn dense_fit_time() {
    let matrix = synthetic(8_000, 3_000, 800_000);
    for kind in [
        SimilarityKind::Msd,
        SimilarityKind::Pearson,
        SimilarityKind::Cosine,
    ] {
        for user_based in [true, false] {
            let options = SimilarityOptions {
                kind,
                user_based,
                ..SimilarityOptions::default()
            };
            let start = Instant::now();
            let fitted = Similarities::fit(&matrix, options, None, &Progress::none()).unwrap();
            let elapsed = start.elapsed();
            println!(
                "{kind} user_based={user_based}: {:.3} s for {} × {}",
                elapsed.as_secs_f64(),
                fitted.len(),
                fitted.len()
            );
            // Every row computed on its own agrees bit for bit, both ways round.
            let context = SimilarityContext::new(&matrix, options, None);
            for x in (0..fitted.len() as u32).step_by(997) {
                for neighbour in context.most_similar(x, usize::MAX) {
                    assert_eq!(fitted.get(x, neighbour.index), neighbour.similarity);
                    assert_eq!(fitted.get(neighbour.index, x), neighbour.similarity);
                }
            }
        }
    }
}
