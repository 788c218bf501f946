//! The Sender: drains ready batches into Produce requests, one per leader, and handles the answers:
//! success, retriable errors (resend after backoff, refresh metadata), request timeouts.

use super::{InFlight, Producer, ProducerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{Acks, ErrorCode, Message, ProduceBatch, ProduceResult};
use crate::ledger::AckedBatch;
use crate::producer::accumulator::ProducerBatch;
use crate::time::ms;
use std::collections::BTreeMap;

impl Producer {
    /// Sends every ready batch whose leader is known and whose connection has room
    /// (`max.in.flight.requests.per.connection`), then sets a timer for the next batch to ripen.
    pub(super) fn drain(&mut self, out: &mut Out) {
        let mut per_broker: BTreeMap<BrokerId, Vec<ProducerBatch>> = BTreeMap::new();
        let mut sizes: BTreeMap<BrokerId, usize> = BTreeMap::new();
        let mut missing_leader = false;
        for partition in self.accumulator.partitions() {
            if !self.accumulator.head_ready(partition, out.now, self.settings.batch_size, self.settings.linger_ms) {
                continue;
            }
            let Some(&(leader, _)) = self.leaders.get(&partition) else {
                missing_leader = true;
                continue;
            };
            let busy = self.in_flight.values().filter(|f| f.broker == leader).count();
            if busy >= self.settings.max_in_flight {
                continue;
            }
            let size = sizes.entry(leader).or_default();
            let Some(batch) = self.accumulator.pop_head(partition) else { continue };
            // One batch per partition per request; the first always goes even if over max.request.size.
            if *size > 0 && *size + batch.bytes.len() > self.settings.max_request_size {
                self.accumulator.reenqueue(batch);
                continue;
            }
            *size += batch.bytes.len();
            per_broker.entry(leader).or_default().push(batch);
        }
        for (broker, batches) in per_broker {
            self.send_request(broker, batches, out);
        }
        if missing_leader {
            self.request_metadata(out);
        }
        if let Some(at) = self.accumulator.next_ready_time(self.settings.linger_ms) {
            if at > out.now {
                out.timer(at, TimerKind::Producer(ProducerTimer::Drain));
            }
        }
    }

    fn send_request(&mut self, broker: BrokerId, mut batches: Vec<ProducerBatch>, out: &mut Out) {
        self.next_correlation += 1;
        let correlation = self.next_correlation;
        let mut wire = Vec::with_capacity(batches.len());
        for b in batches.iter_mut() {
            b.attempts += 1;
            out.emit(EventKind::BatchSent {
                producer: self.idx,
                batch: b.id,
                topic: self.topic.clone(),
                partition: b.partition,
                broker,
                records: b.records,
                bytes: b.bytes.len() as u32,
                attempt: b.attempts,
            });
            wire.push(ProduceBatch { tp: TopicPartition::new(self.topic.clone(), b.partition), batch_id: b.id, bytes: b.bytes.clone() });
        }
        let timeout_us = ms(self.settings.request_timeout_ms);
        let msg = Message::ProduceRequest { correlation, acks: self.settings.acks, timeout_us, batches: wire };
        out.send(NodeId::Broker(broker), msg);
        if self.settings.acks == Acks::None {
            // acks=0: the send is the whole story; the callback gets offset -1 and no error.
            for b in batches {
                self.complete(&b, -1, None, out);
            }
            return;
        }
        self.in_flight.insert(correlation, InFlight { broker, batches });
        out.timer(out.now + timeout_us, TimerKind::Producer(ProducerTimer::RequestTimeout { correlation }));
    }

    pub(super) fn handle_response(&mut self, correlation: u64, results: Vec<ProduceResult>, out: &mut Out) {
        let Some(flight) = self.in_flight.remove(&correlation) else { return };
        let mut refresh = false;
        for batch in flight.batches {
            let result = results.iter().find(|r| r.batch_id == batch.id);
            let (error, base_offset) = result.map_or((ErrorCode::RequestTimedOut, -1), |r| (r.error, r.base_offset));
            if error == ErrorCode::None {
                self.complete(&batch, base_offset, None, out);
            } else {
                refresh |= matches!(error, ErrorCode::NotLeaderOrFollower | ErrorCode::FencedLeaderEpoch | ErrorCode::UnknownTopicOrPartition);
                self.fail_or_retry(batch, error, out);
            }
        }
        if refresh {
            self.request_metadata(out);
        }
        self.drain(out);
    }

    pub(super) fn request_timed_out(&mut self, correlation: u64, out: &mut Out) {
        let Some(flight) = self.in_flight.remove(&correlation) else { return };
        for batch in flight.batches {
            self.fail_or_retry(batch, ErrorCode::RequestTimedOut, out);
        }
        // A silent broker may be dead: look for a new leader.
        self.request_metadata(out);
        self.drain(out);
    }

    /// Retries a retriable failure while `retries` and `delivery.timeout.ms` allow; otherwise fails it.
    fn fail_or_retry(&mut self, mut batch: ProducerBatch, error: ErrorCode, out: &mut Out) {
        let expired = out.now >= batch.created + ms(self.settings.delivery_timeout_ms);
        if error.is_retriable() && batch.attempts <= self.settings.retries && !expired {
            // Exponential backoff from retry.backoff.ms up to retry.backoff.max.ms.
            let shift = batch.attempts.saturating_sub(1).min(20);
            let backoff = self.settings.retry_backoff_ms.saturating_mul(1 << shift).min(self.settings.retry_backoff_max_ms.max(self.settings.retry_backoff_ms));
            batch.retry_at = out.now + ms(backoff);
            out.timer(batch.retry_at, TimerKind::Producer(ProducerTimer::Drain));
            self.accumulator.reenqueue(batch);
        } else {
            let name = if expired && error.is_retriable() { "DELIVERY_TIMEOUT (TimeoutException)".to_string() } else { error.name().to_string() };
            self.complete(&batch, -1, Some(name), out);
        }
    }

    fn complete(&mut self, batch: &ProducerBatch, base_offset: i64, error: Option<String>, out: &mut Out) {
        if error.is_none() {
            let crc = batch.bytes.get(17..21).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            let tp = TopicPartition::new(self.topic.clone(), batch.partition);
            self.acked.push(AckedBatch { tp, crc, records: batch.records });
        }
        out.emit(EventKind::ProduceCompleted {
            producer: self.idx,
            batch: batch.id,
            topic: self.topic.clone(),
            partition: batch.partition,
            base_offset,
            records: batch.records,
            error,
        });
    }
}
