//! The partition log (`UnifiedLog` + `LocalLog`): segments, offsets, leader-epoch cache, flushing.
//! Retention lives in `retention.rs`. Pure: time comes in as `now_ms`, files are bytes in memory.

use super::batch::{
    batches, check_validated_records, read_header, set_base_offset, set_log_append_time,
    set_partition_leader_epoch, BatchHeader,
};
use super::epoch_cache::EpochCache;
use super::records::Records;
use super::segment::{Segment, SegmentAppend};
use super::types::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One partition's log, e.g. `orders-0`.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Log {
    name: String,
    /// Settings in force.
    pub config: LogConfig,
    /// Segments by ascending base offset; never empty, the last one is active.
    pub(super) segments: Vec<Segment>,
    pub(super) log_start_offset: i64,
    pub(super) log_end_offset: i64,
    pub(super) recovery_point: i64,
    last_flush_ms: i64,
    /// Leader epochs and their start offsets.
    pub epoch_cache: EpochCache,
    /// First offset of each producer's open transaction (see `txn_index.rs`).
    #[serde(default)]
    pub(super) ongoing_txns: BTreeMap<i64, i64>,
    /// Whether any transactional batch was ever appended (truncation then re-derives `ongoing_txns`).
    #[serde(default)]
    pub(super) saw_transactions: bool,
    /// The cleaner checkpoint: offsets below it are clean (`cleaner-offset-checkpoint`).
    #[serde(default)]
    pub(super) cleaner_checkpoint: i64,
    /// Earliest KIP-534 delete horizon among cleaned batches that still hold tombstones.
    #[serde(default)]
    pub(super) next_delete_horizon: Option<i64>,
}

impl Log {
    /// An empty log with one empty segment at offset 0.
    pub fn new(name: &str, config: LogConfig) -> Log {
        Log {
            name: name.to_string(),
            config,
            segments: vec![Segment::new(0, 0)],
            log_start_offset: 0,
            log_end_offset: 0,
            recovery_point: 0,
            last_flush_ms: 0,
            epoch_cache: EpochCache::default(),
            ongoing_txns: BTreeMap::new(),
            saw_transactions: false,
            cleaner_checkpoint: 0,
            next_delete_horizon: None,
        }
    }

    /// The partition directory name, e.g. `orders-0`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// First offset still readable.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }
    /// Log end offset (LEO): the offset the next record will get.
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }
    /// Newest leader epoch in the cache.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.epoch_cache.latest_epoch()
    }
    /// KIP-101/279: (largest epoch ≤ `epoch`, its end offset); None when unknown.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> Option<(i32, i64)> {
        self.epoch_cache.end_offset_for(epoch, self.log_end_offset)
    }
    /// Offsets below this are on disk.
    pub fn recovery_point(&self) -> i64 {
        self.recovery_point
    }

    pub(super) fn active(&mut self) -> &mut Segment {
        let last = self.segments.len() - 1; // never empty by construction
        &mut self.segments[last]
    }

    /// Starts a new active segment at the LEO; an empty active segment is replaced instead.
    /// The old segments are flushed, as Kafka schedules right after a roll.
    pub(super) fn roll(&mut self, now_ms: i64) {
        let leo = self.log_end_offset;
        if self.active().is_empty() {
            self.segments.pop();
        } else {
            self.active().on_become_inactive();
        }
        self.segments.push(Segment::new(leo, now_ms));
        self.recovery_point = self.recovery_point.max(leo);
    }

    fn append_bytes(&mut self, bytes: &Records, headers: &[BatchHeader], now_ms: i64) -> AppendInfo {
        let first = headers
            .first()
            .map_or(self.log_end_offset, |h| h.base_offset);
        let last = headers.last().map_or(first - 1, |h| h.last_offset());
        let (mut max_ts, mut max_ts_off) = (-1, first);
        for h in headers {
            if h.max_timestamp > max_ts {
                (max_ts, max_ts_off) = (h.max_timestamp, h.last_offset());
            }
        }
        let a = SegmentAppend {
            bytes,
            largest_offset: last,
            largest_timestamp: max_ts,
            offset_of_max_timestamp: max_ts_off,
        };
        let (seg_bytes, seg_ms) = (self.config.segment_bytes, self.config.segment_ms);
        let rolled = self
            .segments
            .last()
            .is_some_and(|s| s.should_roll(seg_bytes, seg_ms, &a, now_ms));
        if rolled {
            self.roll(now_ms);
        }
        let interval = self.config.index_interval_bytes;
        let (segment_base_offset, position) = (self.active().base_offset, self.active().size());
        self.active().append(&a, interval, now_ms);
        self.log_end_offset = last + 1;
        if headers.iter().any(|h| h.is_transactional()) {
            self.track_transactions(bytes, true);
        }
        // flush.messages is checked on every append, as UnifiedLog.append does.
        if (self.log_end_offset - self.recovery_point) as u64 >= self.config.flush_messages {
            self.flush(now_ms);
        }
        AppendInfo {
            first_offset: first,
            last_offset: last,
            record_count: headers.iter().map(|h| h.records_count.max(0) as u64).sum(),
            batch_count: headers.len() as u32,
            bytes: bytes.len() as u64,
            max_timestamp: max_ts,
            rolled,
            log_start_offset: self.log_start_offset,
            segment_base_offset,
            position,
        }
    }

    /// Leader append of one producer batch: validate it (CRC, records, count), assign offsets from
    /// the LEO by patching baseOffset and partitionLeaderEpoch, update the epoch cache, maybe roll.
    pub fn append_as_leader(&mut self, batch: &[u8], leader_epoch: i32, now_ms: i64) -> Result<AppendInfo, LogError> {
        self.append_owned_as_leader(batch.to_vec(), leader_epoch, now_ms)
    }

    /// [`Log::append_as_leader`] of bytes the log may keep: they are patched in place, not copied.
    pub fn append_owned_as_leader(
        &mut self,
        batch: Vec<u8>,
        leader_epoch: i32,
        now_ms: i64,
    ) -> Result<AppendInfo, LogError> {
        let mut it = batches(&batch);
        let (_, h, bytes) = match it.next() {
            None => return Err(LogError::InvalidRecord("empty produce payload".into())),
            Some(Err(error)) => return Err(LogError::CorruptBatch { position: 0, error }),
            Some(Ok(item)) => item,
        };
        if bytes.len() != batch.len() {
            // LogValidator: a v2 produce request carries exactly one batch per partition.
            return Err(LogError::InvalidRecord(format!(
                "expected exactly one batch, found trailing bytes at {}",
                bytes.len()
            )));
        }
        if h.records_count < 1 || h.records_count as i64 != h.last_offset_delta as i64 + 1 {
            let m = format!(
                "recordsCount {} does not match lastOffsetDelta {} + 1",
                h.records_count, h.last_offset_delta
            );
            return Err(LogError::InvalidRecord(m));
        }
        if bytes.len() as u64 > self.config.segment_bytes {
            return Err(LogError::RecordBatchTooLarge {
                size: bytes.len() as u64,
                max: self.config.segment_bytes,
            });
        }
        // Like LogValidator, look inside: every record must parse (and decompress). `batches`
        // above checked the CRC.
        check_validated_records(bytes, &h).map_err(|error| LogError::CorruptBatch { position: 0, error })?;
        let mut owned = batch;
        set_base_offset(&mut owned, self.log_end_offset);
        set_partition_leader_epoch(&mut owned, leader_epoch);
        let h = if self.config.log_append_time {
            set_log_append_time(&mut owned, now_ms);
            read_header(&owned).unwrap_or(h)
        } else {
            h
        };
        let h = BatchHeader {
            base_offset: self.log_end_offset,
            partition_leader_epoch: leader_epoch,
            ..h
        };
        self.epoch_cache.assign(leader_epoch, h.base_offset);
        Ok(self.append_bytes(&Records::from_vec(owned), &[h], now_ms))
    }

    /// Follower append of fetched batches: offsets are the leader's; the first must equal the LEO.
    pub fn append_as_follower(&mut self, data: &Records, now_ms: i64) -> Result<AppendInfo, LogError> {
        let mut headers = Vec::new();
        let mut expected = self.log_end_offset;
        let mut next_position = 0;
        for item in data.batches() {
            let (position, h, bytes) = item.map_err(|error| LogError::CorruptBatch {
                position: next_position,
                error,
            })?;
            next_position = position + bytes.len();
            // Like UnifiedLog.append, only a first offset below the LEO is refused: a compacted
            // leader may have removed whole batches, leaving a gap the follower copies.
            if headers.is_empty() && h.base_offset < expected {
                return Err(LogError::UnexpectedAppendOffset {
                    expected,
                    found: h.base_offset,
                });
            }
            if h.base_offset < expected || h.last_offset() < h.base_offset {
                return Err(LogError::InvalidRecord(format!(
                    "offsets out of order at byte {position}: {} after {}",
                    h.base_offset,
                    expected - 1
                )));
            }
            expected = h.next_offset();
            headers.push(h);
        }
        if headers.is_empty() {
            return Ok(AppendInfo {
                first_offset: self.log_end_offset,
                last_offset: self.log_end_offset - 1,
                record_count: 0,
                batch_count: 0,
                bytes: 0,
                max_timestamp: -1,
                rolled: false,
                log_start_offset: self.log_start_offset,
                segment_base_offset: self.segments.last().map_or(0, |s| s.base_offset),
                position: self.segments.last().map_or(0, |s| s.size()),
            });
        }
        for h in &headers {
            self.epoch_cache
                .assign(h.partition_leader_epoch, h.base_offset);
        }
        Ok(self.append_bytes(data, &headers, now_ms))
    }

    /// Whole batches from the one containing `from_offset`, stopping before any batch whose last
    /// offset is ≥ `max_offset` and once `max_bytes` is reached (the first batch always fits).
    /// Like Kafka, one read returns data from a single segment.
    pub fn read(
        &self,
        from_offset: i64,
        max_offset: i64,
        max_bytes: usize,
    ) -> Result<ReadResult, LogError> {
        if from_offset < self.log_start_offset || from_offset > self.log_end_offset {
            return Err(LogError::OffsetOutOfRange {
                offset: from_offset,
                log_start_offset: self.log_start_offset,
                log_end_offset: self.log_end_offset,
            });
        }
        let mut out = ReadResult {
            records: Records::new(),
            batch_count: 0,
            next_offset: from_offset,
            log_start_offset: self.log_start_offset,
            log_end_offset: self.log_end_offset,
            segment_base_offset: 0,
            position: 0,
        };
        let first_seg = self
            .segments
            .iter()
            .rposition(|s| s.base_offset <= from_offset)
            .unwrap_or(0);
        for seg in &self.segments[first_seg..] {
            let start = seg
                .offset_index
                .find(from_offset)
                .map_or(0, |(_, p)| p as usize);
            let mut it = seg
                .batches_from(start)
                .skip_while(|(_, h, _)| h.last_offset() < from_offset)
                .peekable();
            if it.peek().is_none() {
                continue; // nothing at or after from_offset here: try the next segment
            }
            // The batches taken are contiguous in the segment: find where they end, then share
            // them (no copy, as Kafka's sendfile from the segment file).
            let mut end: usize = 0;
            for (position, h, bytes) in it {
                let taken = end.saturating_sub(out.position as usize);
                if h.last_offset() >= max_offset || (out.batch_count > 0 && taken + bytes.len() > max_bytes) {
                    break;
                }
                if out.batch_count == 0 {
                    (out.segment_base_offset, out.position) = (seg.base_offset, position as u64);
                }
                end = position + bytes.len();
                out.batch_count += 1;
                out.next_offset = h.next_offset();
            }
            if out.batch_count > 0 {
                out.records = seg.data.slice(out.position as usize..end);
            }
            break;
        }
        Ok(out)
    }

    /// Removes everything at or after `offset` (whole batches), cutting indexes and the epoch
    /// cache; returns the number of records removed. No-op when `offset` ≥ LEO.
    pub fn truncate_to(&mut self, offset: i64) -> u64 {
        if offset >= self.log_end_offset {
            return 0;
        }
        let offset = offset.max(0);
        let mut removed = 0;
        while self.segments.len() > 1
            && self
                .segments
                .last()
                .is_some_and(|s| s.base_offset >= offset)
        {
            if let Some(s) = self.segments.pop() {
                removed += s
                    .batches_from(0)
                    .map(|(_, h, _)| h.records_count.max(0) as u64)
                    .sum::<u64>();
            }
        }
        if self.segments[0].base_offset >= offset {
            // Truncating below the first segment: start over empty at `offset` (truncateFullyAndStartAt).
            removed += self.segments[0]
                .batches_from(0)
                .map(|(_, h, _)| h.records_count.max(0) as u64)
                .sum::<u64>();
            let created = self.segments[0].created_ms;
            self.segments = vec![Segment::new(offset, created)];
            self.log_start_offset = offset;
        } else {
            removed += self.active().truncate_to(offset);
        }
        self.log_start_offset = self.log_start_offset.min(offset);
        self.log_end_offset = offset;
        self.recovery_point = self.recovery_point.min(offset);
        self.epoch_cache.truncate_from_end(offset);
        self.cleaner_checkpoint = self.cleaner_checkpoint.min(offset);
        self.rebuild_ongoing_txns();
        removed
    }

    /// Forces everything to disk: the recovery point becomes the LEO.
    pub fn flush(&mut self, now_ms: i64) {
        self.recovery_point = self.log_end_offset;
        self.last_flush_ms = now_ms;
    }

    /// Flushes if `flush.messages` unflushed records or `flush.ms` since the last flush are reached.
    pub fn maybe_flush(&mut self, now_ms: i64) -> bool {
        let unflushed = (self.log_end_offset - self.recovery_point).max(0) as u64;
        let since = now_ms.saturating_sub(self.last_flush_ms).max(0) as u64;
        if unflushed > 0
            && (unflushed >= self.config.flush_messages || since >= self.config.flush_ms)
        {
            self.flush(now_ms);
            return true;
        }
        false
    }

    /// Power loss: everything past the recovery point was only in the page cache and is gone.
    pub fn lose_unflushed(&mut self) -> u64 {
        self.truncate_to(self.recovery_point)
    }
}
