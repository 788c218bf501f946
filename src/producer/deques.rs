//! The accumulator's per-partition deques, indexed by partition.
//!
//! The producer looks up its partition's deque several times per record (does the record fit,
//! append, is every batch full, is a wake-up needed); a map lookup each time was a visible share of
//! the engine's time (BENCHMARKS.md, stop 17), and partitions are small dense numbers, so a vector
//! of slots does it. A slot stays `Some` once its deque exists, as Kafka keeps a deque for good;
//! iteration is in partition order, as the map's was, and the serde form is still the map.

use super::accumulator::ProducerBatch;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, VecDeque};

/// One batch deque per partition that has had one.
#[derive(Clone, Debug, Default)]
pub struct Deques(Vec<Option<VecDeque<ProducerBatch>>>);

impl Deques {
    /// The partition's deque, if it has one.
    pub fn get(&self, partition: u32) -> Option<&VecDeque<ProducerBatch>> {
        self.0.get(partition as usize)?.as_ref()
    }

    /// The partition's deque, mutably, if it has one.
    pub fn get_mut(&mut self, partition: u32) -> Option<&mut VecDeque<ProducerBatch>> {
        self.0.get_mut(partition as usize)?.as_mut()
    }

    /// The partition's deque, created empty if it has none.
    pub fn entry(&mut self, partition: u32) -> &mut VecDeque<ProducerBatch> {
        let i = partition as usize;
        if self.0.len() <= i {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i].get_or_insert_with(VecDeque::new)
    }

    /// True if the partition has a deque.
    pub fn contains(&self, partition: u32) -> bool {
        self.get(partition).is_some()
    }

    /// (partition, deque) for every deque, in partition order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &VecDeque<ProducerBatch>)> + '_ {
        self.0.iter().enumerate().filter_map(|(p, q)| Some((p as u32, q.as_ref()?)))
    }

    /// Every deque, in partition order.
    pub fn values(&self) -> impl Iterator<Item = &VecDeque<ProducerBatch>> + '_ {
        self.0.iter().flatten()
    }

    /// Every deque, mutably, in partition order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut VecDeque<ProducerBatch>> + '_ {
        self.0.iter_mut().flatten()
    }
}

impl Serialize for Deques {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Deques {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<u32, VecDeque<ProducerBatch>>::deserialize(d)?;
        let mut out = Deques::default();
        // A partition number comes from the snapshot: refuse one that would allocate absurdly.
        if let Some(&p) = map.keys().next_back().filter(|&&p| p > 1 << 20) {
            return Err(serde::de::Error::custom(format!("accumulator partition {p} is out of range")));
        }
        for (p, q) in map {
            *out.entry(p) = q;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deques_keep_partition_order_and_serialize_as_the_map_did() {
        let mut d = Deques::default();
        d.entry(4);
        d.entry(1);
        assert!(d.contains(1) && d.contains(4) && !d.contains(2) && !d.contains(9));
        assert_eq!(d.iter().map(|(p, _)| p).collect::<Vec<_>>(), vec![1, 4]);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, r#"{"1":[],"4":[]}"#);
        let back: Deques = serde_json::from_str(&json).unwrap();
        assert_eq!(back.iter().map(|(p, _)| p).collect::<Vec<_>>(), vec![1, 4]);
        assert!(serde_json::from_str::<Deques>(r#"{"4000000000":[]}"#).is_err());
    }
}
