//! Committed offsets on the consumer: OffsetFetch for newly assigned partitions (then
//! `auto.offset.reset` where there is none), auto-commit every `auto.commit.interval.ms` and before a
//! revoke, and lag (high watermark − position) reports (kafka-facts.md §7 "Offsets and fetching").

use super::group::Phase;
use super::{Consumer, Reset, LATEST_SENTINEL};
use crate::actor::Out;
use crate::event::EventKind;
use crate::ids::{NodeId, TopicPartition};
use crate::net::{ErrorCode, Message};
use crate::vec_map::VecMap;

impl Consumer {
    /// Commits the positions of `only` (or of every assigned partition) that moved since the last commit.
    pub(super) fn commit_positions(&mut self, only: Option<&[TopicPartition]>, out: &mut Out) {
        if !self.settings.auto_commit || self.settings.group.is_empty() || !self.alive {
            return;
        }
        let Some(coordinator) = self.membership.coordinator else { return };
        if self.membership.member_id.is_empty() || self.membership.generation < 0 {
            return;
        }
        let offsets: Vec<(TopicPartition, i64)> = self
            .assigned
            .iter()
            .filter(|tp| only.is_none_or(|o| o.contains(tp)))
            .filter_map(|tp| {
                let pos = *self.positions.get(tp)?;
                (pos != LATEST_SENTINEL && self.committed.get(tp) != Some(&pos)).then(|| (tp.clone(), pos))
            })
            .collect();
        if offsets.is_empty() {
            return;
        }
        self.next_correlation += 1;
        let m = &self.membership;
        let msg = Message::OffsetCommit {
            correlation: self.next_correlation,
            group: self.settings.group.clone(),
            member_id: m.member_id.clone(),
            generation: m.generation,
            offsets,
        };
        out.send(NodeId::Broker(coordinator), msg);
    }

    pub(super) fn on_commit_response(&mut self, error: ErrorCode, offsets: Vec<(TopicPartition, i64)>, out: &mut Out) {
        match error {
            ErrorCode::None => self.committed.extend(offsets),
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable if self.membership.phase == Phase::Stable => {
                self.membership.coordinator = None;
                self.find_coordinator(out);
            }
            _ => {}
        }
    }

    /// Asks the coordinator for the committed offsets of newly assigned partitions.
    pub(super) fn fetch_committed(&mut self, partitions: Vec<TopicPartition>, out: &mut Out) {
        for tp in &partitions {
            self.positions.remove(tp);
            self.failed.remove(tp);
            self.awaiting_offsets.insert(tp.clone());
        }
        self.resend_offset_fetch(out);
    }

    pub(super) fn resend_offset_fetch(&mut self, out: &mut Out) {
        let Some(coordinator) = self.membership.coordinator else { return };
        if self.awaiting_offsets.is_empty() {
            return;
        }
        self.next_correlation += 1;
        let partitions = self.awaiting_offsets.iter().cloned().collect();
        let msg = Message::OffsetFetch { correlation: self.next_correlation, group: self.settings.group.clone(), partitions };
        out.send(NodeId::Broker(coordinator), msg);
    }

    pub(super) fn on_offset_fetch_response(&mut self, _from: NodeId, _correlation: u64, error: ErrorCode, offsets: Vec<(TopicPartition, i64)>, out: &mut Out) {
        if error != ErrorCode::None {
            if self.membership.phase == Phase::Stable {
                self.membership.coordinator = None;
                self.find_coordinator(out);
            }
            return;
        }
        for (tp, committed) in offsets {
            if !self.awaiting_offsets.remove(&tp) {
                continue;
            }
            if committed >= 0 {
                self.positions.insert(tp.clone(), committed);
                self.committed.insert(tp, committed);
            } else if self.settings.reset == Reset::None {
                self.fail_partition(&tp, "NoOffsetForPartitionException", out);
            }
            // Otherwise the first fetch resets: from offset 0 (earliest) or past the end (latest).
        }
        self.poll(out);
    }

    /// Emits the lag of every assigned partition whose lag changed since the last report.
    pub(super) fn report_lag(&mut self, out: &mut Out) {
        let mut lag = VecMap::new();
        for tp in &self.assigned {
            let (Some(&hw), Some(&pos)) = (self.high_watermarks.get(tp), self.positions.get(tp)) else { continue };
            if pos == LATEST_SENTINEL {
                continue;
            }
            lag.insert(tp.clone(), (hw - pos).max(0));
        }
        if lag != self.last_lag {
            self.last_lag = lag.clone();
            if !lag.is_empty() {
                out.emit(EventKind::ConsumerLag { consumer: self.idx, lag });
            }
        }
    }
}
