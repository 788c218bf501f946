//! The broker's log cleaner thread: every `log.cleaner.backoff.ms` it compacts each hosted log whose
//! `cleanup.policy` has compact and that is a candidate (kafka-facts.md §9; the policy lives in
//! [`crate::log::Log::clean`]). The timer runs only when some declared topic compacts, so clusters
//! without compacted topics schedule nothing new.

use super::{Broker, BrokerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::time::{ms, timestamp_ms};

impl Broker {
    /// Arms the cleaner's timer if any topic compacts.
    pub(super) fn arm_cleaner_timer(&self, out: &mut Out) {
        if self.settings.any_compacted_topic() {
            out.timer(out.now + ms(self.settings.cleaner_backoff_ms), TimerKind::Broker(BrokerTimer::LogCleaner));
        }
    }

    /// One pass over every compacted log, bounded by this replica's high watermark (and, inside the
    /// log, by its open transactions: the LSO). Emits `LogCompacted` per cleaned log.
    pub(super) fn run_log_cleaner(&mut self, out: &mut Out) {
        let now_ms = timestamp_ms(out.now);
        for (tp, log) in self.disk.logs.iter_mut() {
            let hw = self.replicas.get(tp).map_or(0, |r| r.hw);
            if let Some(r) = log.clean(hw, now_ms) {
                // The cleaner wrote the cleaned segments anew, through the page cache.
                self.page_cache.forget(tp, None);
                for seg in log.segments() {
                    self.page_cache.write(tp, seg.base_offset, 0, seg.size_bytes);
                }
                out.emit(EventKind::LogCompacted {
                    broker: self.id,
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    removed_records: r.removed_records,
                    bytes_before: r.bytes_before,
                    bytes_after: r.bytes_after,
                });
            }
        }
        self.arm_cleaner_timer(out);
    }
}
