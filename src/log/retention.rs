//! Retention by size and time (`UnifiedLog.deleteOldSegments`). Ref: kafka-facts.md §9.

use super::log::Log;
use super::segment::Segment;
use super::types::{DeleteReason, DeletedSegment};

impl Log {
    /// Runs the size rule, then the time rule, when `cleanup.policy` includes delete. Only a prefix
    /// of segments wholly below `high_watermark` can go; if that includes the active segment, an
    /// empty one is rolled first so the log keeps a segment.
    pub fn delete_old_segments(&mut self, high_watermark: i64, now_ms: i64) -> Vec<DeletedSegment> {
        if !self.config.cleanup_policy_delete {
            return Vec::new();
        }
        let mut deleted = Vec::new();
        let retention_bytes = self.config.retention_bytes;
        let total: i64 = self.segments.iter().map(|s| s.size() as i64).sum();
        if retention_bytes >= 0 && total >= retention_bytes {
            let mut diff = total - retention_bytes;
            let n = self.deletable(high_watermark, |s| {
                let ok = diff - s.size() as i64 >= 0;
                if ok {
                    diff -= s.size() as i64;
                }
                ok
            });
            deleted.extend(self.delete_prefix(n, DeleteReason::RetentionSize, now_ms));
        }
        let retention_ms = self.config.retention_ms;
        if retention_ms >= 0 {
            let n = self.deletable(high_watermark, |s| {
                now_ms.saturating_sub(s.largest_timestamp()) > retention_ms
            });
            deleted.extend(self.delete_prefix(n, DeleteReason::RetentionTime, now_ms));
        }
        deleted
    }

    /// `deletableSegments`: how many leading segments pass, stopping at the first that fails.
    fn deletable(&self, high_watermark: i64, mut predicate: impl FnMut(&Segment) -> bool) -> usize {
        let mut n = 0;
        for (i, s) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1);
            let upper = next.map_or(self.log_end_offset, |n| n.base_offset);
            let last_and_empty = next.is_none() && s.is_empty();
            if high_watermark >= upper && !last_and_empty && predicate(s) {
                n += 1;
            } else {
                break;
            }
        }
        n
    }

    /// `deleteSegments`: roll if every segment goes, drop the prefix, advance the log start.
    fn delete_prefix(
        &mut self,
        n: usize,
        reason: DeleteReason,
        now_ms: i64,
    ) -> Vec<DeletedSegment> {
        if n == 0 {
            return Vec::new();
        }
        if n == self.segments.len() {
            self.roll(now_ms);
        }
        let gone: Vec<Segment> = self.segments.drain(..n).collect();
        let out = gone
            .iter()
            .map(|s| DeletedSegment {
                base_offset: s.base_offset,
                next_offset: s.next_offset(),
                size_bytes: s.size(),
                largest_timestamp: s.largest_timestamp(),
                reason,
            })
            .collect();
        let start = self
            .segments
            .first()
            .map_or(self.log_end_offset, |s| s.base_offset);
        if start > self.log_start_offset {
            self.log_start_offset = start;
            self.recovery_point = self.recovery_point.max(start);
            self.epoch_cache.truncate_from_start(start);
        }
        out
    }
}
