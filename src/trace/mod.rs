//! The rolling trace hash: each event's compact JSON followed by `\n`, hashed with XXH64 seeded by
//! the hash so far (starting from 0).
//!
//! The JSON is the same line `kafkascope run` prints, so anyone can recompute the hash from the output
//! (`h = xxh64(line + "\n", seed=h)` folded over the lines, e.g. with Python's `xxhash` package).
//! serde_json writes integers and strings identically on every target and events carry no floats, so
//! native and wasm runs agree. Until stop 19 this was FNV-1a over every byte: one multiply per byte,
//! each waiting for the last, which was 5-6 % of the engine's wall time (BENCHMARKS.md, stop 19);
//! XXH64 reads eight bytes a step in four independent lanes. The line is written by [`line`], which
//! writes serde_json's bytes without going through serde_json (stop 21).

use crate::event::Event;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh64::xxh64;

pub mod line;

/// The hash before any event (the first line's seed).
const START: u64 = 0;

/// Rolling XXH64 state: the hash of the lines so far.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "u64", into = "u64")]
pub struct TraceHash {
    hash: u64,
    /// The line being hashed, kept between events so its capacity is reused: the line is written
    /// whole and then hashed in one call, which cost half of hashing it piece by piece as written.
    line: Vec<u8>,
    /// Field names known to need no escape (see [`line::KeyCache`]).
    keys: line::KeyCache,
}

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash::from(START)
    }
}

impl From<u64> for TraceHash {
    fn from(hash: u64) -> Self {
        TraceHash { hash, line: Vec::new(), keys: line::KeyCache::default() }
    }
}

impl From<TraceHash> for u64 {
    fn from(t: TraceHash) -> u64 {
        t.hash
    }
}

impl PartialEq for TraceHash {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
    }
}
impl Eq for TraceHash {}

impl TraceHash {
    /// Folds one event (its JSON line) into the hash.
    pub fn add(&mut self, event: &Event) {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        // The buffer's capacity is reused. What the fast writer leaves, serde_json writes (into a
        // Vec, which cannot fail).
        if line::write_event(&mut line, event, &mut self.keys).is_err() {
            line.clear();
            let _ = serde_json::to_writer(&mut line, event);
        }
        line.push(b'\n');
        self.add_bytes(&line);
        self.line = line;
    }

    /// Folds one line's raw bytes, its `\n` included (used to check the hash against printed lines).
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        self.hash = xxh64(bytes, self.hash);
    }

    /// The hash as 16 lowercase hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

/// The first place two event streams differ: (index, virtual time, both events as JSON lines).
/// A stream that ends early differs at the first event the other has (shown as `<end of trace>`).
pub fn first_divergence(a: &[Event], b: &[Event]) -> Option<(usize, u64, String)> {
    let json = |e: Option<&Event>| e.map_or_else(|| "<end of trace>".to_string(), |e| serde_json::to_string(e).unwrap_or_default());
    let i = a.iter().zip(b).position(|(x, y)| x != y).or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))?;
    let (x, y) = (a.get(i), b.get(i));
    let at = x.or(y).map_or(0, |e| e.at_us);
    Some((i, at, format!("{}\n{}", json(x), json(y))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_is_xxh64_seeded_by_the_hash_so_far_from_the_published_vectors() {
        // XXH64 of the empty input, seed 0: the reference implementation's test vector.
        assert_eq!(format!("{:016x}", xxh64(b"", 0)), "ef46db3751d8e999");
        let mut h = TraceHash::default();
        assert_eq!(h.hex(), "0000000000000000");
        h.add_bytes(b"a\n");
        let first = xxh64(b"a\n", 0);
        assert_eq!(h.hex(), format!("{first:016x}"));
        h.add_bytes(b"b\n");
        assert_eq!(h.hex(), format!("{:016x}", xxh64(b"b\n", first)), "the next line is seeded by the hash so far");
    }
}
