//! Produce handling on the leader: acks=0/1/all, min.insync.replicas, and the produce purgatory where
//! acks=all requests wait for the high watermark (kafka-facts.md §4, "acks semantics").

use super::producer_state::Verdict;
use super::{Broker, BrokerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{NodeId, TopicPartition};
use crate::log::batch::{control_batch, read_header, BatchHeader, BatchOptions, EndTxnMarker};
use crate::net::{Acks, ErrorCode, Message, ProduceBatch, ProduceResult};
use crate::time::{timestamp_ms, Micros};
use serde::{Deserialize, Serialize};

/// An acks=all request waiting in purgatory for the HW to pass its batches.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DelayedProduce {
    client: NodeId,
    correlation: u64,
    /// Per batch: its result so far, and the offset the HW must reach (`requiredOffset`).
    parts: Vec<(ProduceResult, i64, bool)>,
    /// Transaction markers of this producer id (answered with WriteTxnMarkersResponse).
    #[serde(default)]
    markers_of: Option<i64>,
}

impl Broker {
    pub(super) fn handle_produce(
        &mut self,
        client: NodeId,
        correlation: u64,
        acks: Acks,
        timeout_us: Micros,
        batches: Vec<ProduceBatch>,
        out: &mut Out,
    ) {
        let mut parts = Vec::with_capacity(batches.len());
        for batch in batches {
            let (result, required) = self.append_to_leader(batch, acks, out);
            let waiting = acks == Acks::All && result.error == ErrorCode::None;
            parts.push((result, required, !waiting));
        }
        if acks == Acks::None {
            return; // acks=0: the broker never answers.
        }
        self.complete_or_park(DelayedProduce { client, correlation, parts, markers_of: None }, timeout_us, out);
    }

    /// WriteTxnMarkers: appends a COMMIT or ABORT control batch to each partition this broker leads,
    /// answered once the markers are replicated (like acks=all).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_write_markers(
        &mut self,
        client: NodeId,
        correlation: u64,
        producer_id: i64,
        producer_epoch: i16,
        commit: bool,
        partitions: Vec<TopicPartition>,
        out: &mut Out,
    ) {
        let mut parts = Vec::with_capacity(partitions.len());
        for tp in partitions {
            let opts = BatchOptions { producer_id, producer_epoch, is_transactional: true, is_control: true, ..BatchOptions::default() };
            let bytes = control_batch(opts, timestamp_ms(out.now), EndTxnMarker { commit, coordinator_epoch: 0 });
            let (result, required) = self.append_to_leader(ProduceBatch { tp, batch_id: 0, bytes }, Acks::All, out);
            let waiting = result.error == ErrorCode::None;
            parts.push((result, required, !waiting));
        }
        let delayed = DelayedProduce { client, correlation, parts, markers_of: Some(producer_id) };
        self.complete_or_park(delayed, crate::time::ms(30_000), out);
    }

    /// Answers a produce (or marker write) whose parts are all done, or parks it in purgatory.
    fn complete_or_park(&mut self, mut delayed: DelayedProduce, timeout_us: Micros, out: &mut Out) {
        let id = self.next_id();
        if self.try_complete_produce(&mut delayed) {
            self.respond_produce(delayed, out);
        } else {
            self.delayed_produces.insert(id, delayed);
            out.timer(out.now + timeout_us, TimerKind::Broker(BrokerTimer::ProduceExpired { id }));
        }
    }

    /// `appendRecordsToLeader`: checks leadership and min ISR, then appends with offsets assigned.
    pub(super) fn append_to_leader(&mut self, batch: ProduceBatch, acks: Acks, out: &mut Out) -> (ProduceResult, i64) {
        let ProduceBatch { tp, batch_id, bytes } = batch;
        let tp = &tp;
        let fail = |error| (ProduceResult { tp: tp.clone(), batch_id, error, base_offset: -1 }, 0);
        let Some(r) = self.replicas.get(tp) else { return fail(ErrorCode::NotLeaderOrFollower) };
        if r.state.leader != Some(self.id) {
            return fail(ErrorCode::NotLeaderOrFollower);
        }
        let epoch = r.state.leader_epoch;
        let min_isr = self.settings.topic(&tp.topic).min_insync_replicas;
        if acks == Acks::All && r.state.isr.len() < min_isr.min(r.state.replicas.len()) {
            return fail(ErrorCode::NotEnoughReplicas);
        }
        let Ok(header) = read_header(&bytes) else { return fail(ErrorCode::CorruptMessage) };
        let now_ms = timestamp_ms(out.now);
        let id = self.id;
        let (log, producers) = self.log_and_producer_state(tp);
        // kafka-facts.md §5: duplicate, epoch and sequence checks before anything is written.
        match producers.validate(&header) {
            Verdict::Append => {}
            Verdict::Duplicate(original) => {
                let result = ProduceResult { tp: tp.clone(), batch_id, error: ErrorCode::None, base_offset: original.first_offset };
                return (result, original.last_offset + 1);
            }
            Verdict::Reject(error) => return fail(error),
        }
        // The log takes the bytes without a copy; a control batch's marker is read from a copy.
        let control = header.is_control().then(|| bytes.clone()).unwrap_or_default();
        let info = match log.append_owned_as_leader(bytes, epoch, now_ms) {
            Ok(info) => info,
            Err(_) => return fail(ErrorCode::CorruptMessage),
        };
        producers.apply(&BatchHeader { base_offset: info.first_offset, partition_leader_epoch: epoch, ..header }, &control);
        log.maybe_flush(now_ms);
        let leo = log.log_end_offset();
        self.note_append(tp, &info);
        if info.rolled {
            out.emit(EventKind::SegmentRolled { broker: id, topic: tp.topic.clone(), partition: tp.partition, base_offset: info.first_offset });
        }
        out.emit(EventKind::RecordsAppended {
            broker: id,
            topic: tp.topic.clone(),
            partition: tp.partition,
            base_offset: info.first_offset,
            last_offset: info.last_offset,
            leader_epoch: epoch,
            log_end_offset: leo,
            as_leader: true,
        });
        self.maybe_increment_hw(tp, out);
        self.wake_fetches(tp, out);
        let result = ProduceResult { tp: tp.clone(), batch_id, error: ErrorCode::None, base_offset: info.first_offset };
        (result, info.last_offset + 1)
    }

    /// Completes the parts whose HW has been reached; true when all are done.
    fn try_complete_produce(&self, delayed: &mut DelayedProduce) -> bool {
        for (result, required, done) in delayed.parts.iter_mut() {
            if *done {
                continue;
            }
            let Some(r) = self.replicas.get(&result.tp) else {
                *done = true;
                result.error = ErrorCode::NotLeaderOrFollower;
                continue;
            };
            if r.state.leader != Some(self.id) {
                *done = true;
                result.error = ErrorCode::NotLeaderOrFollower;
            } else if r.hw >= *required {
                *done = true;
                // checkEnoughReplicasReachOffset: written and committed, but is the ISR big enough?
                let min_isr = self.settings.topic(&result.tp.topic).min_insync_replicas;
                if r.state.isr.len() < min_isr.min(r.state.replicas.len()) {
                    result.error = ErrorCode::NotEnoughReplicasAfterAppend;
                }
            }
        }
        delayed.parts.iter().all(|(_, _, done)| *done)
    }

    fn respond_produce(&self, delayed: DelayedProduce, out: &mut Out) {
        let results = delayed.parts.into_iter().map(|(r, _, _)| r).collect();
        let correlation = delayed.correlation;
        let msg = match delayed.markers_of {
            Some(producer_id) => Message::WriteTxnMarkersResponse { correlation, producer_id, results },
            None => Message::ProduceResponse { correlation, results },
        };
        out.send(delayed.client, msg);
    }

    /// The HW moved: acks=all requests waiting on this partition may complete, consumers may read more.
    pub(super) fn on_hw_advanced(&mut self, tp: &TopicPartition, out: &mut Out) {
        let ids: Vec<u64> = self
            .delayed_produces
            .iter()
            .filter(|(_, d)| d.parts.iter().any(|(r, _, done)| !done && &r.tp == tp))
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            if let Some(mut d) = self.delayed_produces.remove(&id) {
                if self.try_complete_produce(&mut d) {
                    self.respond_produce(d, out);
                } else {
                    self.delayed_produces.insert(id, d);
                }
            }
        }
        if tp.topic == crate::consumer::OFFSETS_TOPIC {
            self.complete_offset_commits(out);
        }
        self.wake_fetches(tp, out);
    }

    pub(super) fn expire_produce(&mut self, id: u64, out: &mut Out) {
        if let Some(mut d) = self.delayed_produces.remove(&id) {
            self.try_complete_produce(&mut d);
            for (result, _, done) in d.parts.iter_mut() {
                if !*done {
                    result.error = ErrorCode::RequestTimedOut;
                    result.base_offset = -1;
                }
            }
            self.respond_produce(d, out);
        }
    }

    /// Leadership of `tp` changed: waiting produce requests on it end with NOT_LEADER_OR_FOLLOWER.
    pub(super) fn fail_delayed_for(&mut self, tp: &TopicPartition, out: &mut Out) {
        self.on_hw_advanced(tp, out);
    }
}
