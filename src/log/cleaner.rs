//! The log cleaner: compaction of one log (`LogCleaner` / `LogCleanerManager`). Ref: kafka-facts.md §9.
//!
//! - Cleanable range [firstDirtyOffset, firstUncleanableOffset): firstDirty is the cleaner checkpoint
//!   (or the log start); cleaning works on whole segments, so the range ends at the base offset of the
//!   first segment that is the active one, reaches the LSO (min of the HW and the first open
//!   transaction), or is dirty and younger than `min.compaction.lag.ms`.
//! - A log is cleaned when dirty / (clean + dirty) bytes > `min.cleanable.dirty.ratio`, when its
//!   oldest dirty batch is older than `max.compaction.lag.ms`, or when a tombstone's delete horizon
//!   has passed (Kafka's low-throughput tombstone sweep).
//! - The offset map (key → latest offset) is built from the dirty range; then every segment of the
//!   cleanable range is rewritten keeping the latest record per key at its original offset. Records
//!   without a key and records of aborted transactions are dropped (as `shouldRetainRecord` does).
//! - Tombstones survive until `delete.retention.ms` after their batch is first cleaned: that batch is
//!   rewritten with the KIP-534 delete-horizon bit and baseTimestamp = now + delete.retention.ms; a
//!   later pass past the horizon removes them.
//! - A batch left empty survives (as an empty batch) only if it is its producer's last data batch.
//! - Control batches (transaction markers) are kept as they are (Kafka removes them after the horizon
//!   too; not modelled).
//! - Rewritten segments are grouped like `groupSegmentsBySize` (consecutive, total pre-clean size ≤
//!   `segment.bytes`, offsets within an int32 of the group's base) and each group becomes one segment.

use super::batch::{decode_records, rebuild_batch, BatchHeader, Record};
use super::log::Log;
use super::segment::Segment;
use super::txn_index::AbortedTxn;
use super::types::CleanReport;
use std::collections::BTreeMap;

impl Log {
    /// (firstDirtyOffset, firstUncleanableOffset, number of leading segments that may be cleaned).
    fn cleanable_range(&self, high_watermark: i64, now_ms: i64) -> (i64, i64, usize) {
        let lso = self.first_unstable_offset().map_or(high_watermark, |f| f.min(high_watermark));
        let first_dirty = self.cleaner_checkpoint.max(self.log_start_offset);
        let lag = i64::try_from(self.config.min_compaction_lag_ms).unwrap_or(i64::MAX);
        let mut n = 0;
        for pair in self.segments.windows(2) {
            let (s, next) = (&pair[0], pair[1].base_offset);
            let too_young = lag > 0
                && next > first_dirty
                && s.largest_timestamp() > now_ms.saturating_sub(lag);
            if next > lso || too_young {
                break;
            }
            n += 1;
        }
        let uncleanable = self.segments.get(n).map_or(self.log_end_offset, |s| s.base_offset);
        (first_dirty.min(uncleanable), uncleanable, n)
    }

    /// Whether the cleaner would clean this log now, and the (clean, dirty) bytes it measured.
    pub fn needs_cleaning(&self, high_watermark: i64, now_ms: i64) -> (bool, u64, u64) {
        let (first_dirty, _, n) = self.cleanable_range(high_watermark, now_ms);
        let (mut clean, mut dirty, mut oldest_dirty) = (0u64, 0u64, i64::MAX);
        for (i, s) in self.segments[..n].iter().enumerate() {
            if self.segments[i + 1].base_offset > first_dirty {
                dirty += s.size();
                if let Some((_, h, _)) = s.batches_from(0).next() {
                    oldest_dirty = oldest_dirty.min(h.max_timestamp);
                }
            } else {
                clean += s.size();
            }
        }
        let ratio = self.config.min_cleanable_dirty_ratio_ppm as u128;
        let ratio_ok = dirty > 0 && dirty as u128 * 1_000_000 > ratio * (clean + dirty) as u128;
        let max_lag = i64::try_from(self.config.max_compaction_lag_ms).unwrap_or(i64::MAX);
        let lag_ok = dirty > 0 && oldest_dirty < now_ms.saturating_sub(max_lag);
        let horizon_ok = n > 0 && self.next_delete_horizon.is_some_and(|h| h <= now_ms);
        (ratio_ok || lag_ok || horizon_ok, clean, dirty)
    }

    /// One cleaner pass when `cleanup.policy` has compact and the log is a candidate (see the module
    /// docs); None when nothing was done. The active segment is never touched.
    pub fn clean(&mut self, high_watermark: i64, now_ms: i64) -> Option<CleanReport> {
        if !self.config.cleanup_policy_compact || !self.needs_cleaning(high_watermark, now_ms).0 {
            return None;
        }
        let (first_dirty, uncleanable, n) = self.cleanable_range(high_watermark, now_ms);
        let aborted = self.aborted_ranges();
        let is_aborted = |h: &BatchHeader| {
            h.is_transactional()
                && !h.is_control()
                && aborted.get(&h.producer_id).is_some_and(|rs| {
                    rs.iter().any(|&(f, l)| f <= h.base_offset && h.base_offset <= l)
                })
        };
        // The offset map over the dirty range, and each producer's last data batch in the log.
        let mut latest: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        let mut last_of_producer: BTreeMap<i64, i64> = BTreeMap::new();
        for (i, s) in self.segments.iter().enumerate() {
            let dirty = i < n && self.segments[i + 1].base_offset > first_dirty;
            for (_, h, bytes) in s.batches_from(0) {
                if h.producer_id >= 0 && !h.is_control() {
                    last_of_producer.insert(h.producer_id, h.last_offset());
                }
                if !dirty || h.is_control() || is_aborted(&h) {
                    continue;
                }
                let Ok((_, records)) = decode_records(bytes) else { continue };
                for r in records {
                    let offset = r.offset(&h);
                    if let Some(k) = r.key {
                        latest.insert(k, offset);
                    }
                }
            }
        }
        let new_horizon = now_ms.saturating_add(
            i64::try_from(self.config.delete_retention_ms).unwrap_or(i64::MAX),
        );
        let mut report = CleanReport {
            first_dirty_offset: first_dirty,
            first_uncleanable_offset: uncleanable,
            segments_cleaned: n as u32,
            removed_records: 0,
            bytes_before: 0,
            bytes_after: 0,
        };
        let mut next_horizon: Option<i64> = None;
        let mut cleaned: Vec<Vec<u8>> = Vec::with_capacity(n);
        for s in &self.segments[..n] {
            report.bytes_before += s.size();
            let mut data = Vec::with_capacity(s.data.len());
            for (_, h, bytes) in s.batches_from(0) {
                let decoded = decode_records(bytes);
                let (true, Ok((_, records))) = (!h.is_control(), decoded) else {
                    data.extend_from_slice(bytes);
                    continue;
                };
                let passed = h.delete_horizon_ms().is_some_and(|d| d <= now_ms);
                let aborted_batch = is_aborted(&h);
                let keep: Vec<Record> = records
                    .iter()
                    .filter(|r| {
                        let Some(k) = &r.key else { return false };
                        let newest = latest.get(k).is_none_or(|&o| o <= r.offset(&h));
                        !aborted_batch && newest && !(r.value.is_none() && passed)
                    })
                    .cloned()
                    .collect();
                let tombstones = keep.iter().any(|r| r.value.is_none());
                let horizon = tombstones.then(|| h.delete_horizon_ms().unwrap_or(new_horizon));
                report.removed_records += (records.len() - keep.len()) as u64;
                if let Some(d) = horizon {
                    next_horizon = Some(next_horizon.map_or(d, |x| x.min(d)));
                }
                if keep.len() == records.len() && horizon == h.delete_horizon_ms() {
                    data.extend_from_slice(bytes);
                } else if !keep.is_empty() || last_of_producer.get(&h.producer_id) == Some(&h.last_offset()) {
                    data.extend(rebuild_batch(&h, &keep, horizon));
                }
            }
            report.bytes_after += data.len() as u64;
            cleaned.push(data);
        }
        let merged = self.group_cleaned(n, cleaned);
        self.segments.splice(..n, merged);
        self.cleaner_checkpoint = uncleanable;
        self.next_delete_horizon = next_horizon;
        Some(report)
    }

    /// Aborted transactions as producer id → [(firstOffset, markerOffset)].
    fn aborted_ranges(&self) -> BTreeMap<i64, Vec<(i64, i64)>> {
        let mut out: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
        for AbortedTxn { producer_id, first_offset, last_offset, .. } in self.aborted_transactions() {
            out.entry(producer_id).or_default().push((first_offset, last_offset));
        }
        out
    }

    /// `groupSegmentsBySize` over the first `n` segments (by their pre-clean sizes), then one new
    /// segment per group from the cleaned bytes.
    fn group_cleaned(&self, n: usize, cleaned: Vec<Vec<u8>>) -> Vec<Segment> {
        let max = self.config.segment_bytes;
        let mut out: Vec<Segment> = Vec::new();
        let mut i = 0;
        let mut cleaned = cleaned.into_iter();
        while i < n {
            let first = &self.segments[i];
            let mut j = i + 1;
            let mut size = first.size();
            while j < n {
                let next = &self.segments[j];
                let last_offset = self.segments[j + 1].base_offset - 1;
                if size + next.size() > max || last_offset - first.base_offset > i32::MAX as i64 {
                    break;
                }
                size += next.size();
                j += 1;
            }
            let mut data = Vec::new();
            let mut txns = Vec::new();
            for s in &self.segments[i..j] {
                data.extend(cleaned.next().unwrap_or_default());
                txns.extend(s.txn_index.iter().copied());
            }
            let times = (first.created_ms, self.segments[j - 1].last_modified_ms);
            let interval = self.config.index_interval_bytes;
            out.push(Segment::rebuilt(first.base_offset, data, times, txns, interval));
            i = j;
        }
        out
    }
}
