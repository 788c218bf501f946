//! The broker's retention check (Kafka's `LogManager.cleanupLogs`, every
//! `log.retention.check.interval.ms`): old segments of every hosted log are deleted by
//! `retention.ms` and `retention.bytes`, never at or above this replica's high watermark.

use super::Broker;
use crate::actor::Out;
use crate::event::EventKind;
use crate::time::timestamp_ms;

impl Broker {
    /// Deletes old segments of every hosted log, bounded by this replica's high watermark
    /// (kafka-facts.md §9: data at or above the HW is never deleted).
    pub(super) fn apply_retention(&mut self, out: &mut Out) {
        let now_ms = timestamp_ms(out.now);
        let mut moved = Vec::new();
        for (tp, log) in self.disk.logs.iter_mut() {
            let hw = self.replicas.get(tp).map_or(0, |r| r.hw);
            for d in log.delete_old_segments(hw, now_ms) {
                if moved.last() != Some(tp) {
                    moved.push(tp.clone());
                }
                self.page_cache.forget(tp, Some(d.base_offset));
                out.emit(EventKind::SegmentDeleted {
                    broker: self.id,
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    base_offset: d.base_offset,
                    next_offset: d.next_offset,
                    size_bytes: d.size_bytes,
                    reason: match d.reason {
                        crate::log::DeleteReason::RetentionSize => "retention.bytes".into(),
                        crate::log::DeleteReason::RetentionTime => "retention.ms".into(),
                    },
                    log_start_offset: log.log_start_offset(),
                });
            }
        }
        // A new log start is in every fetch answer: idle long-polls on these logs end.
        for tp in moved {
            self.wake_idle(&tp, out);
        }
    }
}
