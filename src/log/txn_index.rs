//! The aborted-transaction index (`.txnindex`, `TransactionIndex` / `AbortedTxn`). Ref: kafka-facts.md §6.
//!
//! Kafka computes an entry's firstOffset and lastStableOffset from `ProducerStateManager`. The log
//! here keeps the part of that state it needs itself: the first offset of each producer's open
//! transaction (set by its first transactional data batch, cleared by its marker), so leaders and
//! followers build identical indexes from the bytes alone. On an ABORT marker the entry is
//! `(producerId, firstOffset, markerOffset, LSO)` with LSO as `ProducerStateManager.lastStableOffset`:
//! the first offset of the earliest *other* open transaction, else markerOffset + 1.

use super::batch::{decode_records, EndTxnMarker};
use super::records::Records;
use super::log::Log;
use serde::{Deserialize, Serialize};

/// Bytes per `.txnindex` entry.
pub const ABORTED_TXN_SIZE: usize = 34;

/// One `.txnindex` entry.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortedTxn {
    /// Entry format version (0).
    pub version: i16,
    /// Producer whose transaction was aborted.
    pub producer_id: i64,
    /// First offset of the transaction on this partition.
    pub first_offset: i64,
    /// Offset of the ABORT marker.
    pub last_offset: i64,
    /// LSO when the transaction completed.
    pub last_stable_offset: i64,
}

impl AbortedTxn {
    /// Big-endian: int16 version, int64 producerId, firstOffset, lastOffset, lastStableOffset.
    pub fn to_bytes(&self) -> [u8; ABORTED_TXN_SIZE] {
        let mut b = [0u8; ABORTED_TXN_SIZE];
        b[0..2].copy_from_slice(&self.version.to_be_bytes());
        b[2..10].copy_from_slice(&self.producer_id.to_be_bytes());
        b[10..18].copy_from_slice(&self.first_offset.to_be_bytes());
        b[18..26].copy_from_slice(&self.last_offset.to_be_bytes());
        b[26..34].copy_from_slice(&self.last_stable_offset.to_be_bytes());
        b
    }

    /// Parses one entry; None when fewer than 34 bytes are given.
    pub fn from_bytes(b: &[u8]) -> Option<AbortedTxn> {
        let b = b.get(..ABORTED_TXN_SIZE)?;
        let long = |at: usize| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[at..at + 8]);
            i64::from_be_bytes(a)
        };
        Some(AbortedTxn {
            version: i16::from_be_bytes([b[0], b[1]]),
            producer_id: long(2),
            first_offset: long(10),
            last_offset: long(18),
            last_stable_offset: long(26),
        })
    }
}

/// The `.txnindex` file bytes.
pub fn txn_index_bytes(entries: &[AbortedTxn]) -> Vec<u8> {
    entries.iter().flat_map(|e| e.to_bytes()).collect()
}

impl Log {
    /// Follows transactions through appended bytes; an ABORT marker adds an entry to the active
    /// segment's txn index (when `index` is set; a rebuild after truncation only re-derives state).
    pub(super) fn track_transactions(&mut self, data: &Records, index: bool) {
        for (_, h, bytes) in data.batches().map_while(Result::ok) {
            if !h.is_transactional() || h.producer_id < 0 {
                continue;
            }
            self.saw_transactions = true;
            if !h.is_control() {
                self.ongoing_txns.entry(h.producer_id).or_insert(h.base_offset);
                continue;
            }
            let marker = decode_records(bytes)
                .ok()
                .and_then(|(_, rs)| rs.first().and_then(|r| EndTxnMarker::from_record(r).ok()));
            let Some(marker) = marker else { continue };
            let first = self.ongoing_txns.remove(&h.producer_id).unwrap_or(h.base_offset);
            if marker.commit || !index {
                continue;
            }
            let lso = self.ongoing_txns.values().min().copied().unwrap_or(h.base_offset + 1);
            let entry = AbortedTxn {
                version: 0,
                producer_id: h.producer_id,
                first_offset: first,
                last_offset: h.base_offset,
                last_stable_offset: lso,
            };
            self.active().txn_index.push(entry);
        }
    }

    /// Re-derives the open transactions from the remaining bytes (after a truncation).
    pub(super) fn rebuild_ongoing_txns(&mut self) {
        if !self.saw_transactions {
            return;
        }
        self.ongoing_txns.clear();
        let data: Vec<Records> = self.segments.iter().map(|s| s.data.clone()).collect();
        for d in data {
            self.track_transactions(&d, false);
        }
    }

    /// First offset of the earliest open transaction (what bounds the LSO), if any.
    pub fn first_unstable_offset(&self) -> Option<i64> {
        self.ongoing_txns.values().min().copied()
    }

    /// Every aborted transaction in the txn indexes, oldest first.
    pub fn aborted_transactions(&self) -> Vec<AbortedTxn> {
        self.segments.iter().flat_map(|s| s.txn_index.iter().copied()).collect()
    }
}
