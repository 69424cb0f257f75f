//! Vector arithmetic of the fits' inner loops, written so that the compiler vectorises
//! it, and the check that picks between the portable build of a loop and the one
//! compiled for AVX2 with fused multiply-adds (made as each loop starts; the standard
//! library caches the answer, so it costs a load).

/// Partial sums of a dot product: sixteen, so that a wide vector unit has several
/// independent additions in flight instead of waiting on one.
const LANES: usize = 16;

/// Whether this processor can run the loops compiled for AVX2 and FMA (only x86-64
/// has such builds).
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// `a · b + c`, rounded once when `FUSED`. Only code compiled with FMA should pass
/// `true`: elsewhere the fused operation is done in software, slowly.
#[inline(always)]
pub(crate) fn multiply_add<const FUSED: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FUSED { a.mul_add(b, c) } else { a * b + c }
}

/// `a · b` over the shorter length, in [`LANES`] partial sums added pairwise at the
/// end.
#[inline(always)]
pub(crate) fn dot<const FUSED: bool>(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0; LANES];
    let (a_blocks, b_blocks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_rest, b_rest) = (a_blocks.remainder(), b_blocks.remainder());
    for (x, y) in a_blocks.zip(b_blocks) {
        for lane in 0..LANES {
            lanes[lane] = multiply_add::<FUSED>(x[lane], y[lane], lanes[lane]);
        }
    }
    let mut tail = 0.0;
    for (x, y) in a_rest.iter().zip(b_rest) {
        tail = multiply_add::<FUSED>(*x, *y, tail);
    }
    let mut width = LANES / 2;
    while width > 0 {
        for lane in 0..width {
            lanes[lane] += lanes[lane + width];
        }
        width /= 2;
    }
    lanes[0] + tail
}

/// `y ← y + scale · x` over the shorter length.
#[inline(always)]
pub(crate) fn add_scaled<const FUSED: bool>(y: &mut [f64], scale: f64, x: &[f64]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y = multiply_add::<FUSED>(scale, x, *y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dot_products_sum_every_factor() {
        // 1·1 + 2·2 + … + 37·37 = 37·38·75 / 6 = 17575, exact in f64 either way.
        let a: Vec<f64> = (1..=37).map(f64::from).collect();
        assert_eq!(dot::<false>(&a, &a), 17575.0);
        assert_eq!(dot::<true>(&a, &a), 17575.0);
        assert_eq!(dot::<false>(&a[..3], &a), 14.0);
    }

    #[test]
    fn add_scaled_adds_the_scaled_vector() {
        let mut y = vec![1.0, 2.0, 3.0];
        add_scaled::<true>(&mut y, 0.5, &[2.0, 4.0, 6.0]);
        assert_eq!(y, vec![2.0, 4.0, 6.0]);
    }
}
