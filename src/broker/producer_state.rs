//! Idempotent-producer state of one partition (`ProducerStateManager`, kafka-facts.md §5): per
//! producer id its epoch and the last 5 batches' sequence ranges, used by the leader to drop
//! duplicates and reject out-of-order sequences.
//!
//! The state is derived from the log alone: it is kept in the broker's [`super::Disk`] next to the log,
//! updated on every leader and follower append, and rebuilt by scanning the log whenever it no longer
//! matches the log end offset (after a truncation, a power loss, or a first use). A follower that
//! becomes leader therefore deduplicates retries of batches it only replicated.

use crate::log::batch::{batches, increment_sequence, BatchHeader};
use crate::log::Log;
use crate::net::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Kafka's `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`.
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// One appended batch of a producer, as the broker remembers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMetadata {
    /// Sequence of the first record.
    pub first_seq: i32,
    /// Sequence of the last record.
    pub last_seq: i32,
    /// Offset of the first record.
    pub first_offset: i64,
    /// Offset of the last record.
    pub last_offset: i64,
}

/// `ProducerStateEntry`: a producer's epoch and its last batches on this partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerStateEntry {
    /// Current producer epoch.
    pub epoch: i16,
    /// Up to [`NUM_BATCHES_TO_RETAIN`] batches, oldest first.
    pub batches: VecDeque<BatchMetadata>,
}

/// What the leader should do with an incoming producer batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Append it.
    Append,
    /// Already in the log: answer success with this original batch, append nothing.
    Duplicate(BatchMetadata),
    /// Reject it with this error.
    Reject(ErrorCode),
}

/// The producer state of one partition, keyed by producer id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerStateMap {
    /// The log end offset this state reflects; any other LEO means the state must be rebuilt.
    pub end_offset: i64,
    /// Entries by producer id (ids are non-negative, so u64 keys).
    pub producers: BTreeMap<u64, ProducerStateEntry>,
}

impl ProducerStateMap {
    /// Rebuilds from the log if it does not reflect the log's current end (truncation, first use).
    pub fn sync(&mut self, log: &Log) {
        if self.end_offset == log.log_end_offset() {
            return;
        }
        *self = ProducerStateMap::rebuild(log);
    }

    /// Scans every batch of the log (`ProducerStateManager.truncateAndReload` + log recovery).
    pub fn rebuild(log: &Log) -> ProducerStateMap {
        let mut state = ProducerStateMap { end_offset: log.log_start_offset(), producers: BTreeMap::new() };
        let mut from = log.log_start_offset();
        while from < log.log_end_offset() {
            let Ok(read) = log.read(from, i64::MAX, usize::MAX) else { break };
            if read.records.is_empty() || read.next_offset <= from {
                break;
            }
            for (_, h, _) in batches(&read.records).flatten() {
                state.apply(&h);
            }
            from = read.next_offset;
        }
        state.end_offset = log.log_end_offset();
        state
    }

    /// Records an appended batch (leader or follower): bumps the epoch, remembers the sequences.
    pub fn apply(&mut self, h: &BatchHeader) {
        self.end_offset = self.end_offset.max(h.next_offset());
        if h.producer_id < 0 {
            return;
        }
        let entry = self
            .producers
            .entry(h.producer_id as u64)
            .or_insert_with(|| ProducerStateEntry { epoch: h.producer_epoch, batches: VecDeque::new() });
        if h.producer_epoch > entry.epoch {
            entry.epoch = h.producer_epoch;
            entry.batches.clear();
        }
        if h.is_control() || h.base_sequence < 0 {
            return; // Markers carry no sequence.
        }
        entry.batches.push_back(BatchMetadata {
            first_seq: h.base_sequence,
            last_seq: h.last_sequence(),
            first_offset: h.base_offset,
            last_offset: h.last_offset(),
        });
        while entry.batches.len() > NUM_BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
    }

    /// `analyzeAndValidateProducerState` for a client batch: duplicate, epoch, then sequence checks.
    pub fn validate(&self, h: &BatchHeader) -> Verdict {
        if h.producer_id < 0 {
            return Verdict::Append;
        }
        let Some(entry) = self.producers.get(&(h.producer_id as u64)) else {
            return Verdict::Append; // Unknown producer: any sequence is accepted.
        };
        let first = h.base_sequence;
        let last = h.last_sequence();
        if h.producer_epoch == entry.epoch {
            if let Some(dup) = entry.batches.iter().find(|b| b.first_seq == first && b.last_seq == last) {
                return Verdict::Duplicate(*dup);
            }
        }
        if h.producer_epoch < entry.epoch {
            return Verdict::Reject(ErrorCode::InvalidProducerEpoch);
        }
        let Some(last_stored) = entry.batches.back() else { return Verdict::Append };
        if h.producer_epoch > entry.epoch {
            return if first == 0 { Verdict::Append } else { Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber) };
        }
        if first == increment_sequence(last_stored.last_seq, 1) {
            Verdict::Append
        } else {
            Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::batch::{read_header, BatchBuilder, BatchOptions};

    fn header(pid: i64, epoch: i16, seq: i32, records: usize, offset: i64) -> BatchHeader {
        let mut b = BatchBuilder::new(BatchOptions { producer_id: pid, producer_epoch: epoch, base_sequence: seq, ..BatchOptions::default() });
        for _ in 0..records {
            b.append(0, None, Some(b"v"), &[]);
        }
        let h = read_header(&b.build()).unwrap();
        BatchHeader { base_offset: offset, ..h }
    }

    #[test]
    fn duplicate_out_of_order_and_fenced_epoch() {
        // Ref: kafka-facts.md §5 (validation order on a client append)
        let mut s = ProducerStateMap::default();
        assert_eq!(s.validate(&header(7, 0, 42, 1, 0)), Verdict::Append, "unknown producer: any sequence");
        s.apply(&header(7, 0, 0, 3, 0));
        s.apply(&header(7, 0, 3, 2, 3));
        let dup = s.validate(&header(7, 0, 0, 3, 99));
        assert_eq!(dup, Verdict::Duplicate(BatchMetadata { first_seq: 0, last_seq: 2, first_offset: 0, last_offset: 2 }));
        assert_eq!(s.validate(&header(7, 0, 5, 1, 5)), Verdict::Append);
        assert_eq!(s.validate(&header(7, 0, 6, 1, 5)), Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber));
        assert_eq!(s.validate(&header(7, 1, 0, 1, 5)), Verdict::Append, "new epoch restarts at 0");
        assert_eq!(s.validate(&header(7, 1, 5, 1, 5)), Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber));
        s.apply(&header(7, 1, 0, 1, 5));
        assert_eq!(s.validate(&header(7, 0, 5, 1, 6)), Verdict::Reject(ErrorCode::InvalidProducerEpoch));
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let mut s = ProducerStateMap::default();
        for i in 0..7 {
            s.apply(&header(1, 0, i, 1, i as i64));
        }
        assert_eq!(s.producers[&1].batches.len(), NUM_BATCHES_TO_RETAIN);
        assert_eq!(s.validate(&header(1, 0, 0, 1, 9)), Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber));
        assert!(matches!(s.validate(&header(1, 0, 2, 1, 9)), Verdict::Duplicate(_)));
    }
}
