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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceHash(u64);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(OFFSET_BASIS)
    }
}

impl std::io::Write for TraceHash {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.0 = (self.0 ^ b as u64).wrapping_mul(PRIME);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl TraceHash {
    /// Folds one event (its JSON line) into the hash.
    pub fn add(&mut self, event: &Event) {
        // Writing into the hasher cannot fail and allocates nothing.
        let _ = serde_json::to_writer(&mut *self, event);
        let _ = std::io::Write::write(self, b"\n");
    }

    /// Folds raw bytes (used to check the hash against printed lines).
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        let _ = std::io::Write::write(self, bytes);
    }

    /// The hash as 16 lowercase hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
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
