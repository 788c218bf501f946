//! How the producer picks a partition: murmur2 for keys, KIP-794 built-in stickiness (3.3+) or
//! KIP-480 `StickyPartitionCache` (2.4–3.2, `DefaultPartitioner`) for unkeyed records.
//!
//! Ref: kafka-facts.md §1, §2; Kafka `Utils.murmur2`, `BuiltInPartitioner.java`,
//! `StickyPartitionCache.java`, `RecordAccumulator.partitionReady`, `KafkaProducer.partition`.
//! Every random draw is `toPositive(nextInt())` from the simulation's [`SimRng`], reduced with `%`,
//! exactly where Java draws from `ThreadLocalRandom`.

use crate::rng::SimRng;
use serde::{Deserialize, Serialize};

/// Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with seed 0x9747b28c, bit-exact with Java.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    // Java computes `seed ^ length` on ints; lengths beyond i32 cannot occur in Java, wrap like it.
    let mut h: u32 = SEED ^ (data.len() as u32);
    let mut blocks = data.chunks_exact(4);
    for b in &mut blocks {
        let mut k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = blocks.remainder();
    // Java's switch falls through from case 3 to case 1.
    if tail.len() == 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (`toPositive(-1) == i32::MAX`, not `abs`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey`: `toPositive(murmur2(key)) % numPartitions` over ALL partitions.
/// Returns 0 for a topic with no partitions (Java would divide by zero; a producer never asks).
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> u32 {
    (to_positive(murmur2(key)) as u32).checked_rem(num_partitions).unwrap_or(0)
}

/// A uniform pick as Java does it: `list.get(toPositive(nextInt()) % size)`, or among all
/// partitions when none is available. 0 when the topic has no partitions at all.
fn uniform_pick(rng: &mut SimRng, available: &[u32], num_partitions: u32) -> u32 {
    let random = rng.next_positive_i32() as u32;
    if !available.is_empty() {
        available[(random % available.len() as u32) as usize]
    } else {
        random.checked_rem(num_partitions).unwrap_or(0)
    }
}

/// One partition's deque as `RecordAccumulator.partitionReady` sees it on a `ready()` pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionQueue {
    /// The partition number.
    pub partition: u32,
    /// Whether metadata knows a leader for it (partitions without one are left out of the table).
    pub has_leader: bool,
    /// Batches in its deque (0 = an empty deque, which Java skips before writing the size).
    pub queue_len: u32,
    /// The leader node's `readyTimeMs - drainTimeMs`, if the node has latency stats.
    pub leader_ready_minus_drain_ms: Option<i64>,
}

/// The sticky partition of a topic and the bytes produced to it since it was chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StickyPartitionInfo {
    /// The current sticky partition.
    pub partition: u32,
    /// Bytes appended to it since it became sticky (`producedBytes`).
    pub produced_bytes: u64,
}

/// KIP-794's per-topic built-in partitioner (the default since 3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltInPartitioner {
    sticky_batch_size: u32,
    current: Option<StickyPartitionInfo>,
    /// `PartitionLoadStats`: cumulative frequency table and partition ids, same length.
    load_stats: Option<(Vec<u32>, Vec<u32>)>,
    #[serde(skip)]
    spare: Spare,
}

/// Buffers kept between load updates, so the table rebuilt on every `ready()` allocates nothing.
/// Not state: equal to any other, and a clone starts empty.
#[derive(Debug, Default)]
struct Spare(Vec<u32>, Vec<u32>);

impl Clone for Spare {
    fn clone(&self) -> Self {
        Spare::default()
    }
}

impl PartialEq for Spare {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Spare {}

impl BuiltInPartitioner {
    /// A partitioner switching after `batch.size` bytes; 0 is Kafka's IllegalArgumentException.
    pub fn new(batch_size: u32) -> Result<Self, String> {
        if batch_size < 1 {
            return Err(format!(
                "IllegalArgumentException: stickyBatchSize must be >= 1 but got {batch_size}"
            ));
        }
        Ok(BuiltInPartitioner { sticky_batch_size: batch_size, current: None, load_stats: None, spare: Spare::default() })
    }

    /// The current sticky partition and its produced bytes, if one was chosen yet.
    pub fn current(&self) -> Option<&StickyPartitionInfo> {
        self.current.as_ref()
    }

    /// The adaptive cumulative frequency table and its partition ids, when adaptive stats are in use.
    pub fn load_stats(&self) -> Option<(&[u32], &[u32])> {
        self.load_stats.as_ref().map(|(c, p)| (c.as_slice(), p.as_slice()))
    }

    /// The partition for the next unkeyed record (`peekCurrentPartitionInfo`): the sticky one, chosen now if unset.
    pub fn partition(&mut self, rng: &mut SimRng, available: &[u32], num_partitions: u32) -> u32 {
        if let Some(info) = &self.current {
            return info.partition;
        }
        let p = self.next_partition(rng, available, num_partitions);
        self.current = Some(StickyPartitionInfo { partition: p, produced_bytes: 0 });
        p
    }

    /// `nextPartition`: weighted by the CFT when adaptive stats exist, else uniform over available.
    pub fn next_partition(&self, rng: &mut SimRng, available: &[u32], num_partitions: u32) -> u32 {
        match &self.load_stats {
            Some((cft, ids)) if !cft.is_empty() => {
                let random = rng.next_positive_i32() as u32;
                let weighted = random % cft[cft.len() - 1].max(1);
                ids[Self::cft_index(cft, weighted)]
            }
            _ => uniform_pick(rng, available, num_partitions),
        }
    }

    /// The index of the first CFT entry strictly greater than `r` (Java's `abs(binarySearch + 1)`).
    pub fn cft_index(cft: &[u32], r: u32) -> usize {
        cft.partition_point(|&c| c <= r).min(cft.len().saturating_sub(1))
    }

    /// `updatePartitionInfo` after appending `appended_bytes` to `partition`: switches once
    /// `produced >= batch.size && enable_switch` or `produced >= 2*batch.size`. Returns the new
    /// sticky partition when it switched. Appends to a non-sticky partition (keyed records) are ignored.
    pub fn update_after_append(
        &mut self,
        rng: &mut SimRng,
        partition: u32,
        appended_bytes: u32,
        enable_switch: bool,
        available: &[u32],
        num_partitions: u32,
    ) -> Option<u32> {
        let info = self.current.as_mut().filter(|i| i.partition == partition)?;
        info.produced_bytes = info.produced_bytes.saturating_add(appended_bytes as u64);
        let produced = info.produced_bytes;
        let batch = self.sticky_batch_size as u64;
        if (produced >= batch && enable_switch) || produced >= 2 * batch {
            let p = self.next_partition(rng, available, num_partitions);
            self.current = Some(StickyPartitionInfo { partition: p, produced_bytes: 0 });
            return Some(p);
        }
        None
    }

    /// The accumulator's per-`ready()` load update (`partitionReady` + `updatePartitionLoadStats`).
    /// `queues` lists the partitions that have a deque, in the accumulator's order. Stats are used only when
    /// `adaptive` and every partition of the topic has a deque; with `availability_timeout_ms > 0` a
    /// partition whose leader's ready−drain time exceeds it is dropped from the table.
    pub fn set_queue_sizes(
        &mut self,
        queues: &[PartitionQueue],
        num_partitions: u32,
        adaptive: bool,
        availability_timeout_ms: i64,
    ) {
        if !adaptive || (queues.len() as u64) < num_partitions as u64 {
            self.clear_load_stats();
            return;
        }
        // Replays partitionReady's array filling exactly, including that an empty deque skips the
        // size write (so a slot freed by an excluded partition can keep that partition's size).
        let Spare(mut sizes, mut ids) = std::mem::take(&mut self.spare);
        sizes.clear();
        sizes.resize(queues.len(), 0);
        ids.clear();
        ids.resize(queues.len(), 0);
        let mut idx: isize = -1;
        for q in queues {
            if q.has_leader {
                idx += 1;
                ids[idx as usize] = q.partition;
            }
            if q.queue_len == 0 || !q.has_leader {
                continue;
            }
            sizes[idx as usize] = q.queue_len;
            if availability_timeout_ms > 0
                && q.leader_ready_minus_drain_ms.is_some_and(|d| d > availability_timeout_ms)
            {
                idx -= 1;
            }
        }
        self.update_partition_load_stats(sizes, ids, (idx + 1) as usize);
    }

    /// Drops the stats, keeping their buffers for the next table.
    fn clear_load_stats(&mut self) {
        if let Some((a, b)) = self.load_stats.take() {
            self.spare = Spare(a, b);
        }
    }

    /// `updatePartitionLoadStats`: builds the CFT in place from the first `length` queue sizes
    /// (weights `max+1-size`), or clears the stats when adaptive logic is pointless.
    fn update_partition_load_stats(&mut self, mut queue_sizes: Vec<u32>, mut ids: Vec<u32>, length: usize) {
        let length = length.min(queue_sizes.len()).min(ids.len());
        if length < 1 || queue_sizes.len() < 2 {
            self.clear_load_stats();
            self.spare = Spare(queue_sizes, ids);
            return;
        }
        let mut max_plus1 = queue_sizes[0];
        let mut all_equal = true;
        for &s in &queue_sizes[1..length] {
            all_equal &= s == max_plus1;
            max_plus1 = max_plus1.max(s);
        }
        let max_plus1 = max_plus1.saturating_add(1);
        if all_equal && length == queue_sizes.len() {
            self.clear_load_stats();
            self.spare = Spare(queue_sizes, ids);
            return;
        }
        queue_sizes[0] = max_plus1 - queue_sizes[0];
        for i in 1..length {
            queue_sizes[i] = (max_plus1 - queue_sizes[i]).saturating_add(queue_sizes[i - 1]);
        }
        queue_sizes.truncate(length);
        ids.truncate(length);
        if let Some((a, b)) = self.load_stats.replace((queue_sizes, ids)) {
            self.spare = Spare(a, b);
        }
    }
}

/// KIP-480's per-topic sticky partition (`StickyPartitionCache`, used by the 2.4–3.2 `DefaultPartitioner`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StickyPartitionCache {
    current: Option<u32>,
}

impl StickyPartitionCache {
    /// An empty cache: the first unkeyed record picks a partition.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current sticky partition, if any.
    pub fn current(&self) -> Option<u32> {
        self.current
    }

    /// The partition for an unkeyed record: the cached one, or a fresh random pick.
    pub fn partition(&mut self, rng: &mut SimRng, available: &[u32], num_partitions: u32) -> u32 {
        match self.current {
            Some(p) => p,
            None => self.next_partition(rng, None, available, num_partitions),
        }
    }

    /// `onNewBatch(prevPartition)`: a new batch was opened on `prev_partition`; if it is the sticky one,
    /// switch to a random available partition different from it (when more than one is available).
    pub fn on_new_batch(&mut self, rng: &mut SimRng, prev_partition: u32, available: &[u32], num_partitions: u32) -> u32 {
        self.next_partition(rng, Some(prev_partition), available, num_partitions)
    }

    fn next_partition(&mut self, rng: &mut SimRng, prev: Option<u32>, available: &[u32], num_partitions: u32) -> u32 {
        let old = self.current;
        if old.is_some() && old != prev {
            // Another thread already switched away from prev: keep its choice.
            return old.unwrap_or(0);
        }
        let new = if available.is_empty() {
            (rng.next_positive_i32() as u32).checked_rem(num_partitions).unwrap_or(0)
        } else if available.len() == 1 {
            available[0]
        } else if available.iter().all(|&p| Some(p) == old) {
            // Guard against a degenerate list (duplicates of old) on which Java would spin forever.
            available[0]
        } else {
            loop {
                let r = rng.next_positive_i32() as u32;
                let cand = available[(r % available.len() as u32) as usize];
                if Some(cand) != old {
                    break cand;
                }
            }
        };
        self.current = Some(new);
        new
    }
}

/// The producer's partition choice for one topic (`partitioner.class` and `partitioner.ignore.keys`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Partitioner {
    /// 3.3+ default: murmur2 for keys unless `ignore_keys`, KIP-794 stickiness for the rest.
    BuiltIn {
        /// `partitioner.ignore.keys`.
        ignore_keys: bool,
        /// The topic's sticky state.
        sticky: BuiltInPartitioner,
    },
    /// `partitioner.class=DefaultPartitioner` (2.4–3.2 behaviour): murmur2 for keys, KIP-480 otherwise.
    Default(StickyPartitionCache),
}

impl Partitioner {
    /// The partition for one record: explicit partition, else key hash, else sticky.
    /// Errors like `KafkaProducer` when the explicit partition is out of range or the topic has none.
    pub fn choose(
        &mut self,
        rng: &mut SimRng,
        key: Option<&[u8]>,
        explicit: Option<u32>,
        available: &[u32],
        num_partitions: u32,
    ) -> Result<u32, String> {
        if num_partitions == 0 {
            return Err("UnknownTopicOrPartitionException: topic has no partitions".into());
        }
        if let Some(p) = explicit {
            if p >= num_partitions {
                return Err(format!(
                    "KafkaException: Invalid partition given with record: {p} is not in the range [0...{num_partitions})."
                ));
            }
            return Ok(p);
        }
        Ok(match (self, key) {
            (Partitioner::BuiltIn { ignore_keys: false, .. }, Some(k)) | (Partitioner::Default(_), Some(k)) => {
                partition_for_key(k, num_partitions)
            }
            (Partitioner::BuiltIn { sticky, .. }, _) => sticky.partition(rng, available, num_partitions),
            (Partitioner::Default(cache), None) => cache.partition(rng, available, num_partitions),
        })
    }

    /// Hook after an append (built-in only): may switch the sticky partition; returns the new one.
    pub fn on_append(
        &mut self,
        rng: &mut SimRng,
        partition: u32,
        appended_bytes: u32,
        enable_switch: bool,
        available: &[u32],
        num_partitions: u32,
    ) -> Option<u32> {
        match self {
            Partitioner::BuiltIn { sticky, .. } => {
                sticky.update_after_append(rng, partition, appended_bytes, enable_switch, available, num_partitions)
            }
            Partitioner::Default(_) => None,
        }
    }

    /// Hook when the accumulator would open a new batch for an unkeyed record (`DefaultPartitioner` only).
    pub fn on_new_batch(&mut self, rng: &mut SimRng, prev_partition: u32, available: &[u32], num_partitions: u32) {
        if let Partitioner::Default(cache) = self {
            cache.on_new_batch(rng, prev_partition, available, num_partitions);
        }
    }
}
