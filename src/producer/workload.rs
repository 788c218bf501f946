//! Generates a producer's records: keys by the scenario's key choice, values of the given size and
//! content, all from the simulation's seeded RNG.

use crate::rng::SimRng;
use crate::scenario::{KeySpec, ValueContent, ValueSpec};

const WORDS: &[&str] = &[
    "order", "payment", "shipped", "customer", "invoice", "kafka", "broker", "partition", "replica", "offset",
    "record", "batch", "leader", "follower", "commit", "consumer", "producer", "topic", "segment", "index",
];

/// Writes the next record's key into `buf` (reusing its allocation: this runs for every record);
/// false for a null key.
pub fn next_key(spec: &KeySpec, rng: &mut SimRng, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    let k = match spec {
        KeySpec::None => return false,
        KeySpec::Fixed { key } => {
            buf.extend_from_slice(key.as_bytes());
            return true;
        }
        KeySpec::Uniform { keys } => rng.below(*keys as u64),
        KeySpec::HotKey { keys, hot_percent } => {
            if rng.below(100) < *hot_percent as u64 { 0 } else { rng.below(*keys as u64) }
        }
    };
    buf.extend_from_slice(b"key-");
    buf.extend_from_slice(itoa::Buffer::new().format(k).as_bytes());
    true
}

/// Fills `buf` with the next value (reusing its allocation).
pub fn next_value(spec: &ValueSpec, rng: &mut SimRng, buf: &mut Vec<u8>) {
    let n = spec.bytes as usize;
    match spec.content {
        ValueContent::Random => {
            // Every byte is overwritten: a buffer already `n` long (the common case, one value
            // after another) needs no clearing and zeroing first.
            buf.resize(n, 0);
            rng.fill(buf);
        }
        ValueContent::Text => {
            buf.clear();
            while buf.len() < n {
                let w = WORDS[rng.below(WORDS.len() as u64) as usize];
                buf.extend_from_slice(w.as_bytes());
                buf.push(b' ');
            }
            buf.truncate(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_the_requested_size_and_keys_stay_in_range() {
        let mut rng = SimRng::new(1);
        let mut buf = Vec::new();
        for content in [ValueContent::Text, ValueContent::Random] {
            next_value(&ValueSpec { bytes: 37, content }, &mut rng, &mut buf);
            assert_eq!(buf.len(), 37);
        }
        let mut key = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..100 {
            assert!(next_key(&KeySpec::Uniform { keys: 3 }, &mut rng, &mut key));
            seen.insert(String::from_utf8(key.clone()).unwrap());
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["key-0", "key-1", "key-2"]);
        let mut draws = SimRng::new(9);
        let mut again = SimRng::new(9);
        for _ in 0..50 {
            assert!(next_key(&KeySpec::Uniform { keys: 1_000 }, &mut draws, &mut key));
            assert_eq!(key, format!("key-{}", again.below(1_000)).into_bytes(), "the bytes format! wrote");
        }
        assert!(next_key(&KeySpec::HotKey { keys: 10, hot_percent: 100 }, &mut rng, &mut key));
        assert_eq!(key, b"key-0");
        assert!(next_key(&KeySpec::Fixed { key: "k".into() }, &mut rng, &mut key));
        assert_eq!(key, b"k");
        assert!(!next_key(&KeySpec::None, &mut rng, &mut key));
    }
}
