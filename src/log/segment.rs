//! One log segment: the `.log` bytes in memory plus its offset and time indexes.
//! Ref: kafka-facts.md §8 (rolling, indexes); mirrors `LogSegment`.

use super::batch::{batches, BatchHeader, NO_TIMESTAMP};
use super::index::{OffsetIndex, TimeIndex};
use super::records::Records;
use super::txn_index::AbortedTxn;
use serde::{Deserialize, Serialize};

/// A segment, named by its base offset.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Segment {
    /// First offset this segment may hold (its file name).
    pub base_offset: i64,
    /// The `.log` file bytes: concatenated batches, shared with fetch responses and followers.
    pub data: Records,
    /// Sparse offset index.
    pub offset_index: OffsetIndex,
    /// Time index.
    pub time_index: TimeIndex,
    bytes_since_last_index_entry: u64,
    max_timestamp_so_far: i64,
    offset_of_max_timestamp: i64,
    /// Largest timestamp of the first append; what `segment.ms` rolling measures from.
    rolling_based_timestamp: Option<i64>,
    /// Virtual time of the first append (stands in for the file's creation time).
    pub created_ms: i64,
    /// Virtual time of the last append (stands in for the file's mtime).
    pub last_modified_ms: i64,
    /// The `.txnindex`: transactions aborted by a marker in this segment.
    #[serde(default)]
    pub txn_index: Vec<AbortedTxn>,
}

/// What one append puts into a segment.
pub struct SegmentAppend<'a> {
    /// The batch bytes, offsets already assigned.
    pub bytes: &'a Records,
    /// Largest offset in the bytes.
    pub largest_offset: i64,
    /// Largest timestamp in the bytes.
    pub largest_timestamp: i64,
    /// Last offset of the batch holding the largest timestamp.
    pub offset_of_max_timestamp: i64,
}

impl Segment {
    /// An empty segment starting at `base_offset`.
    pub fn new(base_offset: i64, now_ms: i64) -> Segment {
        Segment {
            base_offset,
            data: Records::new(),
            offset_index: OffsetIndex::new(base_offset),
            time_index: TimeIndex::new(base_offset),
            bytes_since_last_index_entry: 0,
            max_timestamp_so_far: NO_TIMESTAMP,
            offset_of_max_timestamp: base_offset,
            rolling_based_timestamp: None,
            created_ms: now_ms,
            last_modified_ms: now_ms,
            txn_index: Vec::new(),
        }
    }

    /// Size of the `.log` in bytes.
    pub fn size(&self) -> u64 {
        self.data.len() as u64
    }

    /// Whether the segment holds no batch.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Largest record timestamp, or the last-modified time when there is none (as Kafka does).
    pub fn largest_timestamp(&self) -> i64 {
        if self.max_timestamp_so_far >= 0 {
            self.max_timestamp_so_far
        } else {
            self.last_modified_ms
        }
    }

    /// `LogSegment.shouldRoll`: size, age by first-batch timestamp, index capacity, offset range.
    pub fn should_roll(
        &self,
        segment_bytes: u64,
        segment_ms: u64,
        incoming: &SegmentAppend,
        now_ms: i64,
    ) -> bool {
        let waited = match self.rolling_based_timestamp {
            Some(ts) if ts >= 0 => incoming.largest_timestamp.saturating_sub(ts),
            _ => now_ms.saturating_sub(self.created_ms),
        };
        let too_old = !self.is_empty() && waited > i64::try_from(segment_ms).unwrap_or(i64::MAX);
        self.size().saturating_add(incoming.bytes.len() as u64) > segment_bytes
            || too_old
            || self.offset_index.is_full()
            || self.time_index.is_full()
            || incoming.largest_offset - self.base_offset > i32::MAX as i64
    }

    /// `LogSegment.append`: write the bytes, then index them if more than `index_interval` bytes
    /// were appended since the last entry (the check happens before counting this append).
    pub fn append(&mut self, a: &SegmentAppend, index_interval: u32, now_ms: i64) {
        if a.bytes.is_empty() {
            return;
        }
        let position = self.data.len() as u32;
        if position == 0 {
            self.rolling_based_timestamp = Some(a.largest_timestamp);
            self.created_ms = now_ms;
        }
        // The log appends only batches it has just validated (leader, follower, cleaner).
        self.data.extend_checked(a.bytes);
        self.last_modified_ms = now_ms;
        if a.largest_timestamp > self.max_timestamp_so_far {
            self.max_timestamp_so_far = a.largest_timestamp;
            self.offset_of_max_timestamp = a.offset_of_max_timestamp;
        }
        if self.bytes_since_last_index_entry > index_interval as u64 {
            self.offset_index.append(a.largest_offset, position);
            self.time_index
                .maybe_append(self.max_timestamp_so_far, self.offset_of_max_timestamp);
            self.bytes_since_last_index_entry = 0;
        }
        self.bytes_since_last_index_entry += a.bytes.len() as u64;
    }

    /// A segment holding `data` (whole batches, e.g. cleaner output), indexed the way appends index
    /// them; file times and the txn index are given (the cleaner carries the originals over).
    pub fn rebuilt(
        base_offset: i64,
        data: Vec<u8>,
        times: (i64, i64),
        txn_index: Vec<AbortedTxn>,
        index_interval: u32,
    ) -> Segment {
        let (created_ms, last_modified_ms) = times;
        let mut s = Segment::new(base_offset, created_ms);
        let data = Records::from_vec(data);
        let contiguous = data.contiguous();
        for (position, h, bytes) in batches(&contiguous).map_while(Result::ok) {
            let a = SegmentAppend {
                bytes: &data.slice(position..position + bytes.len()),
                largest_offset: h.last_offset(),
                largest_timestamp: h.max_timestamp,
                offset_of_max_timestamp: h.last_offset(),
            };
            s.append(&a, index_interval, created_ms);
        }
        s.on_become_inactive();
        s.created_ms = created_ms;
        s.last_modified_ms = last_modified_ms;
        s.txn_index = txn_index;
        s
    }

    /// Called when a newer segment becomes active: the time index gets its final entry.
    pub fn on_become_inactive(&mut self) {
        self.time_index
            .maybe_append(self.max_timestamp_so_far, self.offset_of_max_timestamp);
    }

    /// Batches in the segment: (position, header, bytes). Our own bytes, validated on append, so
    /// the walk skips the CRC and an error ends it.
    pub fn batches_from(
        &self,
        position: usize,
    ) -> impl Iterator<Item = (usize, BatchHeader, &[u8])> + '_ {
        self.data.trusted_batches_from(position).map_while(Result::ok)
    }

    /// Offset after the segment's last batch (base offset when empty).
    pub fn next_offset(&self) -> i64 {
        self.batches_from(self.last_batch_position())
            .last()
            .map_or(self.base_offset, |(_, h, _)| h.next_offset())
    }

    fn last_batch_position(&self) -> usize {
        self.offset_index
            .entries
            .last()
            .map_or(0, |&(_, p)| p as usize)
    }

    /// Removes every batch whose last offset is ≥ `offset`; returns the records removed.
    pub fn truncate_to(&mut self, offset: i64) -> u64 {
        let start = self
            .offset_index
            .find(offset)
            .map_or(0, |(_, p)| p as usize);
        let cut = self
            .batches_from(start)
            .find(|(_, h, _)| h.last_offset() >= offset)
            .map(|(p, _, _)| p);
        let Some(cut) = cut else { return 0 };
        let removed: u64 = self
            .batches_from(cut)
            .map(|(_, h, _)| h.records_count.max(0) as u64)
            .sum();
        self.data.truncate(cut);
        self.offset_index.truncate_to(offset);
        self.time_index.truncate_to(offset);
        self.txn_index.retain(|t| t.last_offset < offset);
        // Recompute the max timestamp from what is left (Kafka reloads it from the time index).
        self.max_timestamp_so_far = NO_TIMESTAMP;
        self.offset_of_max_timestamp = self.base_offset;
        let remaining: Vec<(i64, i64)> = self
            .batches_from(0)
            .map(|(_, h, _)| (h.max_timestamp, h.last_offset()))
            .collect();
        for (ts, off) in remaining {
            if ts > self.max_timestamp_so_far {
                self.max_timestamp_so_far = ts;
                self.offset_of_max_timestamp = off;
            }
        }
        self.bytes_since_last_index_entry = 0;
        if self.data.is_empty() {
            self.rolling_based_timestamp = None;
        }
        removed
    }
}
