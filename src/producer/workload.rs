//! Generates a producer's records: keys by the scenario's key choice, values of the given size and
//! content, all from the simulation's seeded RNG.

use crate::rng::SimRng;
use crate::scenario::{KeySpec, ValueContent, ValueSpec};

const WORDS: &[&str] = &[
    "order", "payment", "shipped", "customer", "invoice", "kafka", "broker", "partition", "replica", "offset",
    "record", "batch", "leader", "follower", "commit", "consumer", "producer", "topic", "segment", "index",
];

/// The key of the next record (`None`: a null key).
pub fn next_key(spec: &KeySpec, rng: &mut SimRng) -> Option<Vec<u8>> {
    match spec {
        KeySpec::None => None,
        KeySpec::Fixed { key } => Some(key.as_bytes().to_vec()),
        KeySpec::Uniform { keys } => Some(format!("key-{}", rng.below(*keys as u64)).into_bytes()),
        KeySpec::HotKey { keys, hot_percent } => {
            let k = if rng.below(100) < *hot_percent as u64 { 0 } else { rng.below(*keys as u64) };
            Some(format!("key-{k}").into_bytes())
        }
    }
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
        for _ in 0..100 {
            let k = next_key(&KeySpec::Uniform { keys: 3 }, &mut rng).unwrap();
            assert!([b"key-0".to_vec(), b"key-1".to_vec(), b"key-2".to_vec()].contains(&k));
        }
        assert_eq!(next_key(&KeySpec::HotKey { keys: 10, hot_percent: 100 }, &mut rng), Some(b"key-0".to_vec()));
        assert_eq!(next_key(&KeySpec::None, &mut rng), None);
    }
}
