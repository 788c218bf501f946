//! The RecordAccumulator: per-partition queues of batches that fill until `batch.size` or until
//! `linger.ms` passes (the seed's "train"), built directly as RecordBatch v2 bytes.

use crate::log::batch::{BatchBuilder, BatchOptions};
use crate::log::compression::Compression;
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use super::deques::Deques;
use std::collections::VecDeque;

/// A batch in the accumulator or in flight.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProducerBatch {
    /// Producer-local id.
    pub id: u64,
    /// Destination partition.
    pub partition: u32,
    /// Records so far.
    pub records: u32,
    /// Open builder while the batch can still take records.
    pub builder: Option<BatchBuilder>,
    /// Sealed bytes (kept for retries: a retry resends the same batch).
    pub bytes: Vec<u8>,
    /// Size before compression, known once sealed (for the compression-rate metric).
    #[serde(default)]
    pub uncompressed: usize,
    /// When the batch was created (linger and delivery timeout count from here).
    pub created: Micros,
    /// Send attempts so far.
    pub attempts: u32,
    /// Not before this time (retry backoff).
    pub retry_at: Micros,
    /// Idempotence: (producerId, epoch, baseSequence) stamped when the batch was first drained; kept
    /// on retry so the broker can recognise a duplicate.
    #[serde(default)]
    pub sequence: Option<(i64, i16, i32)>,
}

impl ProducerBatch {
    /// Uncompressed bytes so far, what `batch.size` is compared against.
    pub fn size(&self) -> usize {
        self.builder.as_ref().map_or(self.bytes.len(), |b| b.estimated_size())
    }

    /// Closes the builder into bytes (idempotent).
    pub fn seal(&mut self) {
        if let Some(b) = self.builder.take() {
            self.uncompressed = b.estimated_size();
            self.bytes = b.build();
        }
    }
}

/// Bytes a record adds to a batch: key, value, and at most 20 bytes of v2 varint overhead.
pub fn record_size(key: Option<&[u8]>, value: &[u8]) -> usize {
    key.map_or(0, |k| k.len()) + value.len() + 20
}

/// The most a new batch reserves up front (a huge `batch.size` grows as records arrive instead).
const MAX_PREALLOCATED: usize = 1 << 20;

/// Per-partition batch queues.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Accumulator {
    queues: Deques,
    /// No queued batch was created before this (a lower bound, exact after each expiry scan), so
    /// `take_expired`, called on every drain, need not look at every batch.
    #[serde(default)]
    oldest: Micros,
}

/// Where an appended record went.
pub struct Appended {
    /// The batch id.
    pub batch: u64,
    /// True if the record opened a new batch.
    pub new_batch: bool,
    /// True if the partition now has a batch that may leave for being full: more than one batch
    /// queued, or the open one reached `batch.size` (`RecordAppendResult.batchIsFull`).
    pub batch_is_full: bool,
}

impl Accumulator {
    /// Appends a record to the partition's last open batch, or opens a new one when it would not fit.
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &mut self,
        partition: u32,
        timestamp_ms: i64,
        key: Option<&[u8]>,
        value: &[u8],
        batch_size: usize,
        compression: Compression,
        now: Micros,
        next_id: &mut u64,
    ) -> Appended {
        let fits = self.fits(partition, record_size(key, value), batch_size);
        let queue = self.queues.entry(partition);
        let mut new_batch = false;
        if !fits {
            if let Some(last) = queue.back_mut() {
                last.seal();
            }
            *next_id += 1;
            self.oldest = self.oldest.min(now);
            let options = BatchOptions { compression, ..BatchOptions::default() };
            queue.push_back(ProducerBatch {
                id: *next_id,
                partition,
                records: 0,
                builder: Some(BatchBuilder::with_capacity(options, batch_size.min(MAX_PREALLOCATED))),
                bytes: Vec::new(),
                uncompressed: 0,
                created: now,
                attempts: 0,
                retry_at: 0,
                sequence: None,
            });
            new_batch = true;
        }
        let batch = queue.back_mut().expect("just ensured");
        if let Some(b) = batch.builder.as_mut() {
            b.append(timestamp_ms, key, Some(value), &[]);
        }
        batch.records += 1;
        let (id, full) = (batch.id, batch.size() >= batch_size);
        Appended { batch: id, new_batch, batch_is_full: full || queue.len() > 1 }
    }

    /// True if a record of `record_size` bytes fits the partition's open batch.
    pub fn fits(&self, partition: u32, record_size: usize, batch_size: usize) -> bool {
        self.queues
            .get(partition)
            .and_then(|q| q.back())
            .is_some_and(|b| b.builder.is_some() && b.size() + record_size <= batch_size.max(1))
    }

    /// True if no batch of the partition is still filling (KIP-794's `enableSwitch`).
    pub fn all_batches_full(&self, partition: u32, batch_size: usize) -> bool {
        self.queues.get(partition).and_then(|q| q.back()).is_none_or(|b| b.size() >= batch_size)
    }

    /// Puts a failed batch back at the front of its queue, to be retried after `retry_at`. A batch
    /// with a sequence goes in sequence order among the others that have one
    /// (`RecordAccumulator.insertInSequenceOrder`), so retries leave in their original order.
    pub fn reenqueue(&mut self, batch: ProducerBatch) {
        self.oldest = self.oldest.min(batch.created);
        let queue = self.queues.entry(batch.partition);
        let Some((_, _, seq)) = batch.sequence else {
            queue.push_front(batch);
            return;
        };
        let at = queue.iter().position(|b| b.sequence.is_none_or(|(_, _, s)| s > seq)).unwrap_or(queue.len());
        queue.insert(at, batch);
    }

    /// Removes every queued batch that has reached `delivery.timeout.ms` (`RecordAccumulator.expiredBatches`).
    pub fn take_expired(&mut self, now: Micros, delivery_timeout_ms: u64) -> Vec<ProducerBatch> {
        let mut expired = Vec::new();
        let due = |b: &ProducerBatch| now >= b.created + ms(delivery_timeout_ms);
        // The sender calls this on every drain (every record): look before rebuilding the queues.
        if now < self.oldest.saturating_add(ms(delivery_timeout_ms)) {
            return expired;
        }
        if !self.queues.values().any(|q| q.iter().any(due)) {
            self.oldest = self.queues.values().flatten().map(|b| b.created).min().unwrap_or(Micros::MAX);
            return expired;
        }
        for queue in self.queues.values_mut() {
            let (gone, kept): (VecDeque<_>, VecDeque<_>) =
                std::mem::take(queue).into_iter().partition(|b| due(b));
            *queue = kept;
            expired.extend(gone);
        }
        self.oldest = self.queues.values().flatten().map(|b| b.created).min().unwrap_or(Micros::MAX);
        expired
    }

    /// The partition's head batch, if any.
    pub fn head(&self, partition: u32) -> Option<&ProducerBatch> {
        self.queues.get(partition)?.front()
    }

    /// True if the partition's head batch may leave now: full, lingered long enough, or a retry
    /// whose backoff has passed (`RecordAccumulator.ready`).
    pub fn head_ready(&self, partition: u32, now: Micros, batch_size: usize, linger_ms: u64) -> bool {
        self.queues.get(partition).is_some_and(|q| Self::queue_ready(q, now, batch_size, linger_ms))
    }

    fn queue_ready(queue: &VecDeque<ProducerBatch>, now: Micros, batch_size: usize, linger_ms: u64) -> bool {
        let Some(head) = queue.front() else { return false };
        if head.attempts > 0 {
            return now >= head.retry_at;
        }
        let full = queue.len() > 1 || head.size() >= batch_size;
        full || now >= head.created + ms(linger_ms)
    }

    /// Takes the partition's head batch, sealed.
    pub fn pop_head(&mut self, partition: u32) -> Option<ProducerBatch> {
        let mut b = self.queues.get_mut(partition)?.pop_front()?;
        b.seal();
        Some(b)
    }

    /// Partitions with queued batches.
    pub fn partitions(&self) -> Vec<u32> {
        let mut out = Vec::new();
        self.partitions_into(&mut out);
        out
    }

    /// Partitions with queued batches, into `out` (cleared first; reuses its allocation).
    pub fn partitions_into(&self, out: &mut Vec<u32>) {
        out.clear();
        out.extend(self.queues.iter().filter(|(_, q)| !q.is_empty()).map(|(p, _)| p));
    }

    /// Partitions whose head batch may leave now ([`Accumulator::head_ready`]), into `out` in
    /// partition order (cleared first): one pass instead of a lookup per partition.
    pub fn ready_into(&self, now: Micros, batch_size: usize, linger_ms: u64, out: &mut Vec<u32>) {
        out.clear();
        out.extend(self.queues.iter().filter(|(_, q)| Self::queue_ready(q, now, batch_size, linger_ms)).map(|(p, _)| p));
    }

    /// Every deque in partition order as (partition, batches queued, head ready): the `ready()`
    /// pass's load view for the adaptive partitioner.
    pub fn loads(&self, now: Micros, batch_size: usize, linger_ms: u64) -> impl Iterator<Item = (u32, usize, bool)> + '_ {
        self.queues.iter().map(move |(p, q)| (p, q.len(), Self::queue_ready(q, now, batch_size, linger_ms)))
    }

    /// True if some partition has a queued batch.
    pub fn has_batches(&self) -> bool {
        self.queues.values().any(|q| !q.is_empty())
    }

    /// True once the accumulator has created a deque for the partition (Kafka keeps it for good).
    pub fn has_queue(&self, partition: u32) -> bool {
        self.queues.contains(partition)
    }

    /// Number of batches queued for a partition (the adaptive partitioner's load signal).
    pub fn queue_len(&self, partition: u32) -> usize {
        self.queues.get(partition).map_or(0, |q| q.len())
    }

    /// The earliest time a head batch becomes ready by lingering or backoff, for the next wake-up.
    pub fn next_ready_time(&self, linger_ms: u64) -> Option<Micros> {
        self.queues
            .values()
            .filter_map(|q| q.front())
            .map(|h| if h.attempts > 0 { h.retry_at } else { h.created + ms(linger_ms) })
            .min()
    }
}
