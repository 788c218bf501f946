//! Idempotent-producer state of one partition (`ProducerStateManager`, kafka-facts.md §5): per
//! producer id its epoch and the last 5 batches' sequence ranges, used by the leader to drop
//! duplicates and reject out-of-order sequences.
//!
//! The state is derived from the log alone: it is kept in the broker's [`super::Disk`] next to the log,
//! updated on every leader and follower append, and rebuilt by scanning the log whenever it no longer
//! matches the log end offset (after a truncation, a power loss, or a first use). A follower that
//! becomes leader therefore deduplicates retries of batches it only replicated.

use crate::log::batch::{decode_records, increment_sequence, BatchHeader, EndTxnMarker};
use crate::log::Log;
use crate::net::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use crate::vec_map::VecMap;

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
    /// First offset of this producer's open transaction on the partition (`currentTxnFirstOffset`).
    #[serde(default)]
    pub txn_first_offset: Option<i64>,
}

/// An aborted transaction of the partition (`AbortedTxn`, the `.txnindex` entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortedTxn {
    /// Producer id.
    pub producer_id: i64,
    /// First offset of the transaction on this partition.
    pub first_offset: i64,
    /// Offset of the ABORT marker.
    pub last_offset: i64,
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
    pub producers: VecMap<u64, ProducerStateEntry>,
    /// Aborted transactions, in marker order (read_committed fetches skip their records).
    #[serde(default)]
    pub aborted: Vec<AbortedTxn>,
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
        let mut state = ProducerStateMap { end_offset: log.log_start_offset(), ..ProducerStateMap::default() };
        let mut from = log.log_start_offset();
        while from < log.log_end_offset() {
            let Ok(read) = log.read(from, i64::MAX, usize::MAX) else { break };
            if read.records.is_empty() || read.next_offset <= from {
                break;
            }
            for (_, h, bytes) in read.records.batches().flatten() {
                state.apply(&h, bytes);
            }
            from = read.next_offset;
        }
        state.end_offset = log.log_end_offset();
        state
    }

    /// Records an appended batch (`bytes`, leader or follower): bumps the epoch, remembers the
    /// sequences, opens a transaction on its first transactional batch and closes it on a marker.
    pub fn apply(&mut self, h: &BatchHeader, bytes: &[u8]) {
        self.end_offset = self.end_offset.max(h.next_offset());
        if h.producer_id < 0 {
            return;
        }
        let entry = self
            .producers
            .entry(h.producer_id as u64)
            .or_insert_with(|| ProducerStateEntry { epoch: h.producer_epoch, ..ProducerStateEntry::default() });
        if h.producer_epoch > entry.epoch {
            entry.epoch = h.producer_epoch;
            entry.batches.clear();
        }
        if h.is_control() {
            let commit = decode_records(bytes)
                .ok()
                .and_then(|(_, records)| records.first().and_then(|r| EndTxnMarker::from_record(r).ok()))
                .is_some_and(|m| m.commit);
            if let Some(first_offset) = entry.txn_first_offset.take() {
                if !commit {
                    self.aborted.push(AbortedTxn { producer_id: h.producer_id, first_offset, last_offset: h.base_offset });
                }
            }
            return; // Markers carry no sequence.
        }
        if h.is_transactional() && entry.txn_first_offset.is_none() {
            entry.txn_first_offset = Some(h.base_offset);
        }
        if h.base_sequence < 0 {
            return;
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

    /// The first offset of the earliest open transaction, if any (bounds the LSO).
    pub fn first_unstable_offset(&self) -> Option<i64> {
        self.producers.values().filter_map(|e| e.txn_first_offset).min()
    }

    /// Aborted transactions that overlap `[from, to)` (the fetch response's `abortedTransactions`).
    pub fn aborted_in(&self, from: i64, to: i64) -> Vec<AbortedTxn> {
        self.aborted.iter().filter(|a| a.last_offset >= from && a.first_offset < to).copied().collect()
    }

    /// `analyzeAndValidateProducerState` for a client batch: duplicate, epoch, then sequence checks.
    pub fn validate(&self, h: &BatchHeader) -> Verdict {
        if h.producer_id < 0 {
            return Verdict::Append;
        }
        let Some(entry) = self.producers.get(&(h.producer_id as u64)) else {
            return Verdict::Append; // Unknown producer: any sequence is accepted.
        };
        if h.is_control() {
            // Markers come from the coordinator: only a stale epoch is refused.
            return if h.producer_epoch < entry.epoch { Verdict::Reject(ErrorCode::InvalidProducerEpoch) } else { Verdict::Append };
        }
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
        read_header(&batch(pid, epoch, seq, records)).map(|h| BatchHeader { base_offset: offset, ..h }).unwrap()
    }

    fn batch(pid: i64, epoch: i16, seq: i32, records: usize) -> Vec<u8> {
        let mut b = BatchBuilder::new(BatchOptions { producer_id: pid, producer_epoch: epoch, base_sequence: seq, ..BatchOptions::default() });
        for _ in 0..records {
            b.append(0, None, Some(b"v"), &[]);
        }
        b.build()
    }

    #[test]
    fn duplicate_out_of_order_and_fenced_epoch() {
        // Ref: kafka-facts.md §5 (validation order on a client append)
        let mut s = ProducerStateMap::default();
        assert_eq!(s.validate(&header(7, 0, 42, 1, 0)), Verdict::Append, "unknown producer: any sequence");
        s.apply(&header(7, 0, 0, 3, 0), &[]);
        s.apply(&header(7, 0, 3, 2, 3), &[]);
        let dup = s.validate(&header(7, 0, 0, 3, 99));
        assert_eq!(dup, Verdict::Duplicate(BatchMetadata { first_seq: 0, last_seq: 2, first_offset: 0, last_offset: 2 }));
        assert_eq!(s.validate(&header(7, 0, 5, 1, 5)), Verdict::Append);
        assert_eq!(s.validate(&header(7, 0, 6, 1, 5)), Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber));
        assert_eq!(s.validate(&header(7, 1, 0, 1, 5)), Verdict::Append, "new epoch restarts at 0");
        assert_eq!(s.validate(&header(7, 1, 5, 1, 5)), Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber));
        s.apply(&header(7, 1, 0, 1, 5), &[]);
        assert_eq!(s.validate(&header(7, 0, 5, 1, 6)), Verdict::Reject(ErrorCode::InvalidProducerEpoch));
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let mut s = ProducerStateMap::default();
        for i in 0..7 {
            s.apply(&header(1, 0, i, 1, i as i64), &[]);
        }
        assert_eq!(s.producers[&1].batches.len(), NUM_BATCHES_TO_RETAIN);
        assert_eq!(s.validate(&header(1, 0, 0, 1, 9)), Verdict::Reject(ErrorCode::OutOfOrderSequenceNumber));
        assert!(matches!(s.validate(&header(1, 0, 2, 1, 9)), Verdict::Duplicate(_)));
    }

    #[test]
    fn open_transactions_bound_the_lso_and_aborts_are_remembered() {
        // Ref: kafka-facts.md §6 (LSO, aborted transactions)
        use crate::log::batch::{control_batch, EndTxnMarker};
        let txn = |pid: i64, seq: i32| {
            let opts = BatchOptions { producer_id: pid, producer_epoch: 0, base_sequence: seq, is_transactional: true, ..BatchOptions::default() };
            let mut b = BatchBuilder::new(opts);
            b.append(0, None, Some(b"v"), &[]);
            b.build()
        };
        let marker = |pid: i64, commit: bool| {
            let opts = BatchOptions { producer_id: pid, producer_epoch: 0, is_transactional: true, is_control: true, ..BatchOptions::default() };
            control_batch(opts, 0, EndTxnMarker { commit, coordinator_epoch: 0 })
        };
        let mut s = ProducerStateMap::default();
        let mut offset = 0;
        let mut append = |s: &mut ProducerStateMap, bytes: Vec<u8>| {
            let h = BatchHeader { base_offset: offset, ..read_header(&bytes).unwrap() };
            assert_eq!(s.validate(&h), Verdict::Append);
            s.apply(&h, &bytes);
            offset += 1;
        };
        append(&mut s, txn(1, 0)); // 0
        append(&mut s, txn(2, 0)); // 1
        assert_eq!(s.first_unstable_offset(), Some(0));
        append(&mut s, marker(1, true)); // 2: commit pid 1
        assert_eq!(s.first_unstable_offset(), Some(1));
        append(&mut s, marker(2, false)); // 3: abort pid 2
        assert_eq!(s.first_unstable_offset(), None);
        assert_eq!(s.aborted, vec![AbortedTxn { producer_id: 2, first_offset: 1, last_offset: 3 }]);
        assert_eq!(s.aborted_in(0, 1).len(), 0);
        assert_eq!(s.aborted_in(1, 2).len(), 1);
    }
}
