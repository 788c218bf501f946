//! The simulation's one source of randomness: a seeded, portable PCG stream.
//!
//! PCG (rand_pcg's Mcg128Xsl64) gives the same sequence on every target, so a seed reproduces a run
//! natively and in wasm. Actors never own an RNG; they borrow the simulation's, in event order.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// Seeded deterministic random numbers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimRng(Pcg64Mcg);

impl SimRng {
    /// A stream from a scenario seed.
    pub fn new(seed: u64) -> Self {
        SimRng(Pcg64Mcg::seed_from_u64(seed))
    }

    /// A uniformly random u64.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniformly random integer in `0..n` (n > 0), without modulo bias worth noticing for n < 2^32.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// True with probability `per_million / 1_000_000`.
    pub fn chance_ppm(&mut self, per_million: u32) -> bool {
        self.below(1_000_000) < per_million as u64
    }

    /// Fills a buffer with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf)
    }

    /// Kafka's `Utils.toPositive(ThreadLocalRandom.nextInt())`, as the producer's partitioners draw.
    pub fn next_positive_i32(&mut self) -> i32 {
        (self.next_u64() as u32 & 0x7fff_ffff) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (SimRng::new(42), SimRng::new(42));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(SimRng::new(1).next_u64(), SimRng::new(2).next_u64());
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = SimRng::new(7);
        for n in [1u64, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
    }
}
