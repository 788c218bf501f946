//! The sparse offset index (8-byte entries) and time index (12-byte entries) of one segment.
//! Ref: kafka-facts.md §8 (Indexes).

use serde::{Deserialize, Serialize};

/// `segment.index.bytes` default (10 MiB): the preallocated size that bounds the entry count.
pub const INDEX_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Bytes per offset-index entry.
pub const OFFSET_ENTRY_SIZE: usize = 8;
/// Bytes per time-index entry.
pub const TIME_ENTRY_SIZE: usize = 12;

/// One step of the offset index's binary search, for the UI.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct IndexProbe {
    /// Lowest slot still in range.
    pub lo: usize,
    /// Highest slot still in range.
    pub hi: usize,
    /// Slot inspected.
    pub mid: usize,
    /// Absolute offset stored in that slot.
    pub offset: i64,
    /// File position stored in that slot.
    pub position: u32,
}

/// Offset index: (relative offset, physical position) pairs, ascending.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetIndex {
    /// Segment base offset the relative offsets are measured from.
    pub base_offset: i64,
    /// (offset − base, byte position in the .log).
    pub entries: Vec<(i32, u32)>,
}

impl OffsetIndex {
    /// An empty index for a segment starting at `base_offset`.
    pub fn new(base_offset: i64) -> Self {
        OffsetIndex {
            base_offset,
            entries: Vec::new(),
        }
    }
    /// Whether no more entries fit in `segment.index.bytes`.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= INDEX_MAX_BYTES / OFFSET_ENTRY_SIZE
    }
    /// Adds an entry if `offset` is past the last one (Kafka refuses non-increasing offsets).
    pub fn append(&mut self, offset: i64, position: u32) {
        let rel = (offset - self.base_offset) as i32;
        if self.entries.last().is_none_or(|&(last, _)| rel > last) && !self.is_full() {
            self.entries.push((rel, position));
        }
    }
    /// Greatest entry with offset ≤ target as (offset, position): the same binary search as
    /// [`OffsetIndex::lookup`], without recording its steps (every fetch and truncation runs it).
    pub fn find(&self, target: i64) -> Option<(i64, u32)> {
        let rel = target.saturating_sub(self.base_offset);
        let n = self.entries.partition_point(|&(r, _)| (r as i64) <= rel);
        n.checked_sub(1).map(|i| {
            let (r, pos) = self.entries[i];
            (self.base_offset + r as i64, pos)
        })
    }
    /// Greatest entry with offset ≤ target as (offset, position), with the search steps taken.
    pub fn lookup(&self, target: i64) -> (Option<(i64, u32)>, Vec<IndexProbe>) {
        let mut probes = Vec::new();
        let (mut lo, mut hi) = (0usize, self.entries.len());
        let mut best = None;
        // Binary search over [lo, hi): the last slot whose offset ≤ target.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (rel, pos) = self.entries[mid];
            let off = self.base_offset + rel as i64;
            probes.push(IndexProbe {
                lo,
                hi: hi - 1,
                mid,
                offset: off,
                position: pos,
            });
            if off <= target {
                best = Some((off, pos));
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (best, probes)
    }
    /// Drops entries for offsets ≥ `offset`.
    pub fn truncate_to(&mut self, offset: i64) {
        self.entries
            .retain(|&(rel, _)| self.base_offset + (rel as i64) < offset);
    }
    /// The `.index` file bytes: big-endian int32 relative offset, int32 position.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * OFFSET_ENTRY_SIZE);
        for &(rel, pos) in &self.entries {
            out.extend_from_slice(&rel.to_be_bytes());
            out.extend_from_slice(&pos.to_be_bytes());
        }
        out
    }
}

/// Time index: (max timestamp so far, relative offset where it occurs), timestamps strictly rising.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeIndex {
    /// Segment base offset.
    pub base_offset: i64,
    /// (timestamp, offset − base).
    pub entries: Vec<(i64, i32)>,
}

impl TimeIndex {
    /// An empty time index for a segment starting at `base_offset`.
    pub fn new(base_offset: i64) -> Self {
        TimeIndex {
            base_offset,
            entries: Vec::new(),
        }
    }
    /// Whether no more entries fit in `segment.index.bytes`.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= INDEX_MAX_BYTES / TIME_ENTRY_SIZE
    }
    /// Appends only when `timestamp` is greater than the last entry's (`TimeIndex.maybeAppend`).
    pub fn maybe_append(&mut self, timestamp: i64, offset: i64) {
        if timestamp >= 0
            && self.entries.last().is_none_or(|&(ts, _)| timestamp > ts)
            && !self.is_full()
        {
            self.entries
                .push((timestamp, (offset - self.base_offset) as i32));
        }
    }
    /// Drops entries for offsets ≥ `offset`.
    pub fn truncate_to(&mut self, offset: i64) {
        self.entries
            .retain(|&(_, rel)| self.base_offset + (rel as i64) < offset);
    }
    /// The `.timeindex` file bytes: big-endian int64 timestamp, int32 relative offset.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * TIME_ENTRY_SIZE);
        for &(ts, rel) in &self.entries {
            out.extend_from_slice(&ts.to_be_bytes());
            out.extend_from_slice(&rel.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_greatest_entry_not_above_target() {
        let mut ix = OffsetIndex::new(100);
        for (o, p) in [(110, 4000), (130, 8200), (150, 12400)] {
            ix.append(o, p);
        }
        ix.append(140, 1); // not increasing: ignored
        assert_eq!(ix.lookup(99).0, None);
        assert_eq!(ix.lookup(110).0, Some((110, 4000)));
        assert_eq!(ix.lookup(149).0, Some((130, 8200)));
        assert_eq!(ix.lookup(1_000).0, Some((150, 12400)));
        assert!(!ix.lookup(149).1.is_empty());
        for target in [i64::MIN, 0, 99, 100, 109, 110, 111, 129, 130, 131, 150, 151, 1_000, i64::MAX] {
            assert_eq!(ix.find(target), ix.lookup(target).0, "find and lookup agree at {target}");
        }
        assert_eq!(ix.to_bytes()[..8], [0, 0, 0, 10, 0, 0, 0x0f, 0xa0]);
        ix.truncate_to(130);
        assert_eq!(ix.entries, vec![(10, 4000)]);
    }

    #[test]
    fn time_index_only_grows() {
        let mut t = TimeIndex::new(0);
        t.maybe_append(5, 1);
        t.maybe_append(5, 2);
        t.maybe_append(4, 3);
        t.maybe_append(9, 4);
        assert_eq!(t.entries, vec![(5, 1), (9, 4)]);
        assert_eq!(t.to_bytes().len(), 24);
    }
}
