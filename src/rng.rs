//! The simulation's one source of randomness: a seeded, portable PCG stream.
//!
//! PCG-64 "MCG XSL RR" (O'Neill 2014; rand_pcg's `Mcg128Xsl64`, its `Pcg64Mcg`) gives the same
//! sequence on every target, so a seed reproduces a run natively and in wasm. Actors never own an
//! RNG; they borrow the simulation's, in event order.
//!
//! It is written out here rather than taken from rand_pcg because every random value byte comes
//! from it (13 steps for a 100-byte value): on wasm32, Rust's 128-bit multiply is a call to
//! `__multi3`, and rand_core's `fill_bytes` copies each 8-byte step through a `copy_from_slice`
//! call in the page's size-optimised build. The stream, the seeding (rand_core's `seed_from_u64`)
//! and the snapshot form (`{"state": N}`) are rand_pcg's exactly; a test checks all three against it.

use serde::{Deserialize, Serialize};

/// PCG's default 128-bit multiplier.
const MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

/// Seeded deterministic random numbers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimRng(Mcg128Xsl64);

/// The generator's state, serialized as rand_pcg serializes its `Mcg128Xsl64`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Mcg128Xsl64 {
    state: u128,
}

impl SimRng {
    /// A stream from a scenario seed (rand_core's `seed_from_u64`: PCG-32 expands it to 16 bytes).
    pub fn new(seed: u64) -> Self {
        let mut s = seed;
        let mut bytes = [0u8; 16];
        for chunk in bytes.chunks_exact_mut(4) {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(11634580027462260723);
            let xorshifted = (((s >> 18) ^ s) >> 27) as u32;
            chunk.copy_from_slice(&xorshifted.rotate_right((s >> 59) as u32).to_le_bytes());
        }
        SimRng(Mcg128Xsl64 { state: u128::from_le_bytes(bytes) | 1 })
    }

    /// A uniformly random u64.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let state = mul_u128(self.0.state, MULTIPLIER);
        self.0.state = state;
        // XSL RR: xor the halves, rotate by the top six bits.
        (((state >> 64) as u64) ^ (state as u64)).rotate_right((state >> 122) as u32)
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

    /// Fills a buffer with random bytes: each step's eight bytes, little-endian, the last step cut
    /// short (rand_core's `fill_bytes_via_next`, byte for byte).
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for chunk in &mut chunks {
            let chunk: &mut [u8; 8] = chunk.try_into().expect("chunks_exact_mut gives 8 bytes");
            *chunk = self.next_u64().to_le_bytes();
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let bytes = self.next_u64().to_le_bytes();
            rest.copy_from_slice(&bytes[..rest.len()]);
        }
    }

    /// Kafka's `Utils.toPositive(ThreadLocalRandom.nextInt())`, as the producer's partitioners draw.
    pub fn next_positive_i32(&mut self) -> i32 {
        (self.next_u64() as u32 & 0x7fff_ffff) as i32
    }
}

/// `a * b` modulo 2^128. Natively the compiler's 128-bit multiply (a few instructions); on wasm32,
/// which has no 64x64->128 multiply, four 32-bit products instead of a `__multi3` call.
#[inline(always)]
fn mul_u128(a: u128, b: u128) -> u128 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        a.wrapping_mul(b)
    }
    #[cfg(target_arch = "wasm32")]
    {
        mul_u128_by_halves(a, b)
    }
}

/// `a * b` modulo 2^128 from 64-bit multiplies only.
#[inline(always)]
#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
fn mul_u128_by_halves(a: u128, b: u128) -> u128 {
    let (a0, a1) = (a as u64, (a >> 64) as u64);
    let (b0, b1) = (b as u64, (b >> 64) as u64);
    // The high half of a0 * b0, from 32-bit pieces.
    let (x0, x1) = (a0 & 0xffff_ffff, a0 >> 32);
    let (y0, y1) = (b0 & 0xffff_ffff, b0 >> 32);
    let (p00, p01, p10, p11) = (x0 * y0, x0 * y1, x1 * y0, x1 * y1);
    let mid = (p00 >> 32) + (p01 & 0xffff_ffff) + (p10 & 0xffff_ffff);
    let hi00 = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    let lo = a0.wrapping_mul(b0);
    let hi = hi00.wrapping_add(a0.wrapping_mul(b1)).wrapping_add(a1.wrapping_mul(b0));
    ((hi as u128) << 64) | lo as u128
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
    fn the_stream_seeding_and_snapshot_are_rand_pcgs() {
        use rand_core::{RngCore, SeedableRng};
        for seed in [0u64, 1, 2, 42, 2014, 0xdead_beef, u64::MAX] {
            let (mut ours, mut theirs) = (SimRng::new(seed), rand_pcg::Pcg64Mcg::seed_from_u64(seed));
            assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
            for _ in 0..1_000 {
                assert_eq!(ours.next_u64(), theirs.next_u64(), "seed {seed}");
            }
            for len in [0usize, 1, 3, 4, 5, 7, 8, 9, 16, 100, 101] {
                let (mut a, mut b) = (vec![0u8; len], vec![0u8; len]);
                ours.fill(&mut a);
                theirs.fill_bytes(&mut b);
                assert_eq!(a, b, "fill of {len} bytes, seed {seed}");
            }
            let restored: SimRng = serde_json::from_str(&serde_json::to_string(&theirs).unwrap()).unwrap();
            assert_eq!(restored.clone().next_u64(), theirs.clone().next_u64(), "restored from rand_pcg's form");
        }
    }

    #[test]
    fn the_wasm_multiply_is_the_128_bit_product() {
        let mut r = SimRng::new(7);
        let mut wide = || ((r.next_u64() as u128) << 64) | r.next_u64() as u128;
        for _ in 0..10_000 {
            let (a, b) = (wide(), wide());
            assert_eq!(mul_u128_by_halves(a, b), a.wrapping_mul(b));
        }
        for (a, b) in [(u128::MAX, u128::MAX), (u128::MAX, MULTIPLIER), (0, MULTIPLIER), (1 << 64, 1 << 63)] {
            assert_eq!(mul_u128_by_halves(a, b), a.wrapping_mul(b));
        }
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
