//! Seeded shuffling that reproduces the reference library's folds: the 32-bit Mersenne
//! Twister (Matsumoto and Nishimura, 1998) seeded and drawn the way numpy's legacy
//! `RandomState(seed).shuffle` does, so that recscope and Surprise split a file alike.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The MT19937 generator.
pub struct MersenneTwister {
    state: [u32; N],
    position: usize,
}

impl MersenneTwister {
    /// Seeds the state with Knuth's linear recurrence (`init_genrand` of the original
    /// paper's code), which is what numpy does for an integer seed below 2³².
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for k in 1..N {
            let previous = state[k - 1];
            state[k] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(k as u32);
        }
        MersenneTwister { state, position: N }
    }

    fn regenerate(&mut self) {
        for k in 0..N {
            let y = (self.state[k] & UPPER_MASK) | (self.state[(k + 1) % N] & LOWER_MASK);
            let mut next = self.state[(k + M) % N] ^ (y >> 1);
            if y & 1 == 1 {
                next ^= MATRIX_A;
            }
            self.state[k] = next;
        }
        self.position = 0;
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.position >= N {
            self.regenerate();
        }
        let mut y = self.state[self.position];
        self.position += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    fn next_u64(&mut self) -> u64 {
        let high = self.next_u32() as u64;
        let low = self.next_u32() as u64;
        (high << 32) | low
    }

    /// A uniform integer in `0..=max`, by masking and rejection as numpy's legacy
    /// `random_interval` does.
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        if max <= u32::MAX as u64 {
            loop {
                let value = (self.next_u32() as u64) & mask;
                if value <= max {
                    return value;
                }
            }
        }
        loop {
            let value = self.next_u64() & mask;
            if value <= max {
                return value;
            }
        }
    }
}

/// Shuffles `values` in place as `numpy.random.RandomState(seed).shuffle` shuffles a
/// one-dimensional array (Fisher–Yates from the last position down).
pub fn shuffle_like_numpy<T>(values: &mut [T], seed: u32) {
    let mut generator = MersenneTwister::new(seed);
    for position in (1..values.len()).rev() {
        let other = generator.interval(position as u64) as usize;
        values.swap(position, other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_outputs_match_the_published_mt19937_sequence() {
        // numpy: RandomState(0).randint(0, 2**32, size=3, dtype=np.uint64)
        // → [2357136044, 2546248239, 3071714933], the well-known MT19937 outputs
        // for seed 0.
        let mut generator = MersenneTwister::new(0);
        let outputs: Vec<u32> = (0..3).map(|_| generator.next_u32()).collect();
        assert_eq!(outputs, vec![2_357_136_044, 2_546_248_239, 3_071_714_933]);
    }

    #[test]
    fn shuffle_matches_numpy_legacy_shuffle() {
        // numpy: a = np.arange(10); np.random.RandomState(0).shuffle(a)
        // → [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]
        let mut values: Vec<usize> = (0..10).collect();
        shuffle_like_numpy(&mut values, 0);
        assert_eq!(values, vec![2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);

        // numpy: a = np.arange(100000); np.random.RandomState(42).shuffle(a)
        // → starts 75721, 80184, 19864, 76699 and ends 76820, 860, 15795
        // (the generator regenerates its state many times over this length).
        let mut values: Vec<usize> = (0..100_000).collect();
        shuffle_like_numpy(&mut values, 42);
        assert_eq!(&values[..4], &[75_721, 80_184, 19_864, 76_699]);
        assert_eq!(&values[values.len() - 3..], &[76_820, 860, 15_795]);
    }
}
