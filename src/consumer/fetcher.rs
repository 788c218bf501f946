//! The consumer's fetch loop (Kafka's `Fetcher`): one fetch per leader broker carrying every assigned
//! partition it leads, and what an answer does to positions (records consumed, out-of-range resets,
//! aborted transactions skipped under `read_committed`).

use super::{Consumer, ConsumerTimer, Reset, LATEST_SENTINEL};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{ErrorCode, FetchPartition, FetchedPartition, Message};
use crate::time::ms;
use crate::vec_map::VecMap;

impl Consumer {
    /// One fetch per leader broker with every assigned partition it leads (the consumer's poll loop).
    pub(super) fn poll(&mut self, out: &mut Out) {
        let per_broker = self.fetch_requests();
        self.idle.supersede(&per_broker, &mut self.in_flight);
        for (broker, partitions) in per_broker {
            if self.in_flight.contains_key(&broker) {
                continue;
            }
            self.next_correlation += 1;
            let correlation = self.next_correlation;
            self.in_flight.insert(broker, correlation);
            self.idle.sent(broker, &partitions);
            let msg = Message::FetchRequest {
                correlation,
                replica: None,
                max_wait_us: ms(self.settings.fetch_max_wait_ms),
                min_bytes: self.settings.fetch_min_bytes,
                max_bytes: self.settings.fetch_max_bytes,
                partitions,
                read_committed: self.read_committed,
            };
            out.send(NodeId::Broker(broker), msg);
            let at = out.now + ms(self.settings.request_timeout_ms);
            out.timer(at, TimerKind::Consumer(ConsumerTimer::FetchTimeout { broker, correlation }));
        }
    }

    /// The fetch the poll loop would send to each leader: every assigned partition it leads.
    pub(super) fn fetch_requests(&self) -> VecMap<BrokerId, Vec<FetchPartition>> {
        let mut per_broker: VecMap<BrokerId, Vec<FetchPartition>> = VecMap::new();
        for tp in &self.assigned {
            if self.awaiting_offsets.contains(tp) || self.failed.contains(tp) {
                continue;
            }
            let Some(&(leader, epoch)) = self.leaders.get(tp) else { continue };
            let start = if self.settings.reset == Reset::Latest { LATEST_SENTINEL } else { 0 };
            let offset = self.positions.get(tp).copied().unwrap_or(start);
            per_broker.entry(leader).or_default().push(FetchPartition {
                tp: tp.clone(),
                fetch_offset: offset,
                current_leader_epoch: epoch,
                last_fetched_epoch: None,
            });
        }
        per_broker
    }

    /// Applies one partition of a fetch; true if metadata should be refreshed.
    pub(super) fn apply_fetched(&mut self, p: FetchedPartition, out: &mut Out) -> bool {
        // A response for a partition revoked (or not yet positioned) since the fetch left is dropped.
        if !self.assigned.contains(&p.tp) || self.awaiting_offsets.contains(&p.tp) {
            return false;
        }
        match p.error {
            ErrorCode::None => {}
            ErrorCode::OffsetOutOfRange => {
                // auto.offset.reset: earliest = log start, latest = the high watermark, none = error.
                let reset = match self.settings.reset {
                    Reset::Earliest => p.log_start_offset,
                    Reset::Latest => p.high_watermark,
                    Reset::None => {
                        self.fail_partition(&p.tp, "OffsetOutOfRangeException", out);
                        return false;
                    }
                };
                if reset >= 0 {
                    self.positions.insert(p.tp.clone(), reset);
                }
                return false;
            }
            _ => {
                self.leaders.remove(&p.tp);
                return true;
            }
        }
        if p.high_watermark >= 0 {
            self.high_watermarks.insert(p.tp.clone(), p.high_watermark);
        }
        let position = self.positions.get(&p.tp).copied().unwrap_or(0);
        if self.read_committed {
            self.apply_committed(p, position, out);
            return false;
        }
        let mut next = position;
        for batch in p.records.batches() {
            let Ok((_, header, _)) = batch else { break };
            next = next.max(header.last_offset() + 1);
        }
        if next > position {
            self.positions.insert(p.tp.clone(), next);
            out.emit(EventKind::RecordsConsumed {
                consumer: self.idx,
                topic: p.tp.topic.clone(),
                partition: p.tp.partition,
                from_offset: position,
                to_offset: next,
                high_watermark: p.high_watermark,
            });
        } else if !self.positions.contains_key(&p.tp) {
            self.positions.insert(p.tp.clone(), position);
        }
        false
    }

    pub(super) fn fail_partition(&mut self, tp: &TopicPartition, error: &str, out: &mut Out) {
        if self.failed.insert(tp.clone()) {
            out.emit(EventKind::ConsumerError { consumer: self.idx, error: error.into(), topic: tp.topic.clone(), partition: tp.partition });
        }
    }

    /// read_committed (kafka-facts.md §6): the broker returned records only up to the LSO, plus the
    /// aborted transactions in range. Control batches and batches of aborted transactions are skipped;
    /// each contiguous run of delivered records is one RecordsConsumed.
    pub(super) fn apply_committed(&mut self, p: FetchedPartition, position: i64, out: &mut Out) {
        let mut aborted: Vec<(i64, i64)> = p.aborted_transactions.clone();
        crate::order::sort_by_key(&mut aborted, |&(pid, first)| (first, pid));
        let mut aborting: crate::vec_map::VecSet<i64> = crate::vec_map::VecSet::new();
        let mut runs: Vec<(i64, i64)> = Vec::new();
        let mut next = position;
        for batch in p.records.batches() {
            let Ok((_, h, _)) = batch else { break };
            if h.last_offset() < position {
                continue;
            }
            next = next.max(h.last_offset() + 1);
            // Aborted transactions that started at or before this batch are now in force.
            aborted.retain(|&(pid, first)| {
                let started = first <= h.last_offset();
                if started {
                    aborting.insert(pid);
                }
                !started
            });
            let skip = h.is_control() || (h.is_transactional() && aborting.contains(&h.producer_id));
            if h.is_control() {
                aborting.remove(&h.producer_id);
            }
            if skip {
                continue;
            }
            match runs.last_mut() {
                Some((_, to)) if *to == h.base_offset => *to = h.last_offset() + 1,
                _ => runs.push((h.base_offset.max(position), h.last_offset() + 1)),
            }
        }
        self.positions.insert(p.tp.clone(), next);
        for (from_offset, to_offset) in runs {
            out.emit(EventKind::RecordsConsumed {
                consumer: self.idx,
                topic: p.tp.topic.clone(),
                partition: p.tp.partition,
                from_offset,
                to_offset,
                high_watermark: p.high_watermark,
            });
        }
    }
}
