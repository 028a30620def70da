//! Counter-based randomness for the generator: every entity (platform, lender, pair, loan) gets
//! its own stream derived from (seed, stream, index), so any part of the data can be produced
//! on its own, in parallel, and always identically. SplitMix64 is tiny, fast and stable across
//! versions, which a library RNG does not promise.

/// Independent streams, one per kind of entity.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    Platform = 1,
    Pair = 2,
    Loan = 3,
    Lender = 4,
    Recovery = 5,
    LoanDates = 6,
    /// Illegal-fundraising cases (`generate --cases`).
    Case = 7,
    CasePerson = 8,
}

#[derive(Debug, Clone)]
pub struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream of one entity.
    pub fn of(seed: u64, stream: Stream, index: u64) -> Rng {
        Rng(mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15)
            ^ mix(
                (stream as u64).wrapping_mul(0xd6e8_feb8_6659_fd93) ^ mix(index)
            )))
    }

    /// The stream of a sub-entity (e.g. the k-th loan of a platform).
    pub fn of2(seed: u64, stream: Stream, a: u64, b: u64) -> Rng {
        Rng::of(
            seed,
            stream,
            mix(a).wrapping_add(b.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        )
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in lo..=hi.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Log-uniform in [lo, hi): heavy on the small end, like most amounts.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        (lo.ln() + (hi.ln() - lo.ln()) * self.unit()).exp()
    }

    /// Pick one of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index drawn with the given weights (which need not sum to 1).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| Rng::of(7, Stream::Lender, 3).next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::of(7, Stream::Lender, 3).next_u64(),
            Rng::of(7, Stream::Lender, 4).next_u64()
        );
        assert_ne!(
            Rng::of(7, Stream::Lender, 3).next_u64(),
            Rng::of(7, Stream::Pair, 3).next_u64()
        );
        assert_ne!(
            Rng::of(7, Stream::Lender, 3).next_u64(),
            Rng::of(8, Stream::Lender, 3).next_u64()
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::of(1, Stream::Platform, 0);
        for n in [1u64, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
    }
}
