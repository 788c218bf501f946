//! Virtual time. The engine never reads a clock: time is what the timer queue says it is.

/// Virtual time in microseconds since the simulation started.
pub type Micros = u64;

/// Microseconds in one millisecond.
pub const US_PER_MS: u64 = 1_000;
/// Microseconds in one second.
pub const US_PER_SEC: u64 = 1_000_000;

/// Converts a Kafka `*.ms` setting to microseconds, saturating instead of overflowing.
pub fn ms(v: u64) -> Micros {
    v.saturating_mul(US_PER_MS)
}

/// Kafka timestamps are epoch milliseconds; the simulated clock starts at this instant
/// (2024-01-01T00:00:00Z) so record timestamps look real in dumps.
pub const EPOCH_MS: i64 = 1_704_067_200_000;

/// The record timestamp (epoch ms) at a virtual time.
pub fn timestamp_ms(at: Micros) -> i64 {
    EPOCH_MS + (at / US_PER_MS) as i64
}
