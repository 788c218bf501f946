//! The rolling trace hash: FNV-1a 64-bit over each event's compact JSON followed by `\n`.
//!
//! The JSON is the same line `kafkascope run` prints, so anyone can recompute the hash from the output
//! (`fnv1a64(line + "\n")` folded over the lines). serde_json writes integers and strings identically on
//! every target and events carry no floats, so native and wasm runs agree.

use crate::event::Event;
use serde::{Deserialize, Serialize};

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Rolling FNV-1a-64 state.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "u64", into = "u64")]
pub struct TraceHash {
    hash: u64,
    /// The line being hashed, kept between events. serde_json hands a writer many small pieces
    /// (each key, each string), and hashing them through `io::Write` one call at a time cost twice
    /// what writing the line into a buffer and hashing it in one loop does.
    line: Vec<u8>,
}

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash::from(OFFSET_BASIS)
    }
}

impl From<u64> for TraceHash {
    fn from(hash: u64) -> Self {
        TraceHash { hash, line: Vec::new() }
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
        // Serializing an event into a Vec cannot fail; the buffer's capacity is reused.
        let _ = serde_json::to_writer(&mut line, event);
        line.push(b'\n');
        self.add_bytes(&line);
        self.line = line;
    }

    /// Folds raw bytes (used to check the hash against printed lines).
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        let mut h = self.hash;
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(PRIME);
        }
        self.hash = h;
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
    fn fnv1a64_matches_the_published_vectors() {
        let mut h = TraceHash::default();
        assert_eq!(h.hex(), "cbf29ce484222325");
        h.add_bytes(b"a");
        assert_eq!(h.hex(), "af63dc4c8601ec8c");
        let mut h = TraceHash::default();
        h.add_bytes(b"foobar");
        assert_eq!(h.hex(), "85944171f73967e8");
    }
}
