//! The Sender: drains ready batches into Produce requests, one per leader, and handles the answers:
//! success, retriable errors (resend after backoff, refresh metadata), request timeouts.

use super::{InFlight, Producer, ProducerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{Acks, ErrorCode, Message, ProduceBatch, ProduceResult};
use crate::ledger::AckedBatch;
use crate::producer::accumulator::ProducerBatch;
use crate::producer::partitioner::{PartitionQueue, Partitioner};
use crate::log::batch::{increment_sequence, set_producer_state};
use crate::time::ms;

/// The error a batch fails with once `delivery.timeout.ms` has passed since it was created.
const DELIVERY_TIMEOUT: &str = "DELIVERY_TIMEOUT (TimeoutException)";

/// Buffers the drain reuses: it runs for every record, and allocating them each time showed up as
/// several allocations per record in the benchmark (BENCHMARKS.md).
#[derive(Clone, Debug, Default)]
pub(super) struct DrainScratch {
    partitions: Vec<u32>,
    queues: Vec<PartitionQueue>,
    /// The load table last handed to the partitioner, with (partitions, adaptive, availability
    /// timeout): `set_queue_sizes` is a pure function of these, so an unchanged table is skipped.
    applied: Vec<PartitionQueue>,
    applied_params: Option<(u32, bool, i64)>,
    /// The requests being put together: (leader, bytes so far, batches).
    requests: Vec<(BrokerId, usize, Vec<ProducerBatch>)>,
}

impl Producer {
    /// Sends every ready batch whose leader is known and whose connection has room
    /// (`max.in.flight.requests.per.connection`), then sets a timer for the next batch to ripen.
    pub(super) fn drain(&mut self, out: &mut Out) {
        self.update_partition_load(out);
        for mut batch in self.accumulator.take_expired(out.now, self.settings.delivery_timeout_ms) {
            batch.seal();
            self.reset_producer_id_after(&batch);
            self.complete(&batch, -1, Some(DELIVERY_TIMEOUT.to_string()), out);
        }
        if self.settings.idempotence && self.idem.producer_id < 0 {
            // Nothing leaves before the producer has an id (InitProducerId); its answer drains. A
            // transactional producer asks when it has something to send (initTransactions()).
            if self.txn.is_none() || self.accumulator.has_batches() {
                self.request_producer_id(out);
            }
            return;
        }
        if self.txn.as_ref().is_some_and(|t| t.phase == super::txn::Phase::Fenced) {
            return;
        }
        self.txn_before_drain(out);
        self.drain_deferred = false;
        // (leader, request bytes so far, batches), in the order leaders are first met; sent in
        // broker order below, as the map this replaced did.
        let mut per_broker = std::mem::take(&mut self.scratch.requests);
        per_broker.clear();
        let mut missing_leader = false;
        // The partitions to look at, in a buffer kept across drains (the sender drains per record).
        let mut partitions = std::mem::take(&mut self.scratch.partitions);
        // Readiness is read for all partitions first: a pass only changes the partition it is on.
        self.accumulator.ready_into(out.now, self.settings.batch_size, self.settings.linger_ms, &mut partitions);
        for &partition in &partitions {
            if !self.txn_allows(partition) {
                continue; // AddPartitionsToTxn first
            }
            let Some(&(leader, _)) = self.leaders.get(&partition) else {
                missing_leader = true;
                continue;
            };
            if self.in_flight_to(leader) >= self.settings.max_in_flight {
                continue;
            }
            // Idempotence: a retried batch waits until nothing of its partition is in flight, so
            // retries go out one at a time in sequence order (Sender's `shouldStopDrainBatchesForPartition`).
            let retry = self.accumulator.head(partition).is_some_and(|h| h.attempts > 0);
            if self.settings.idempotence && retry && self.partition_in_flight(partition) {
                continue;
            }
            let Some(mut batch) = self.accumulator.pop_head(partition) else { continue };
            if self.settings.idempotence {
                self.assign_sequence(&mut batch);
            }
            let at = match per_broker.iter().position(|(b, _, _)| *b == leader) {
                Some(at) => at,
                None => {
                    per_broker.push((leader, 0, Vec::new()));
                    per_broker.len() - 1
                }
            };
            let size = &mut per_broker[at].1;
            // One batch per partition per request; the first always goes even if over max.request.size.
            if *size > 0 && *size + batch.bytes.len() > self.settings.max_request_size {
                self.accumulator.reenqueue(batch);
                self.drain_deferred = true; // goes next drain: no wake-up may be skipped before that
                continue;
            }
            *size += batch.bytes.len();
            per_broker[at].2.push(batch);
        }
        self.scratch.partitions = partitions;
        crate::order::sort_by_key(&mut per_broker, |(b, _, _)| *b);
        for (broker, _, batches) in per_broker.drain(..) {
            if !batches.is_empty() {
                self.send_request(broker, batches, out);
            }
        }
        self.scratch.requests = per_broker;
        if missing_leader {
            self.request_metadata(out);
        }
        if let Some(at) = self.accumulator.next_ready_time(self.settings.linger_ms) {
            if at > out.now {
                out.timer(at, TimerKind::Producer(ProducerTimer::Drain));
            }
        }
    }

    /// True if a drain now would send nothing the last one did not. The append joined a batch behind
    /// a head that was already ready (a deque of more than one), and the partition's leader already
    /// has `max.in.flight.requests.per.connection` requests out. Everything else that could let a
    /// batch leave (an answer, new metadata, a batch lingering out, a backoff ending, a new batch)
    /// drains on its own, so skipping this wake-up saves the work and changes nothing else.
    pub(super) fn wake_would_idle(&mut self, partition: u32) -> bool {
        let plain = self.txn.is_none() && !(self.settings.idempotence && self.idem.producer_id < 0);
        // The adaptive table reads the leaders' waiting time only with an availability timeout.
        if !plain || self.drain_deferred || self.settings.availability_timeout_ms > 0 {
            return false;
        }
        let Some(&(leader, _)) = self.leaders.get(&partition) else { return false };
        self.accumulator.queue_len(partition) > 1 && self.in_flight_to(leader) >= self.settings.max_in_flight
    }

    /// Requests in flight to `broker`, from counts kept until `in_flight` next changes: the sender
    /// asks for every record, and walking every request each time showed in the profile.
    fn in_flight_to(&mut self, broker: BrokerId) -> usize {
        if !self.busy_fresh {
            // Recounted in place: the buffer is kept, so a request in or out allocates nothing.
            self.busy.clear();
            for f in self.in_flight.values() {
                match self.busy.iter_mut().find(|(b, _)| *b == f.broker) {
                    Some((_, n)) => *n += 1,
                    None => self.busy.push((f.broker, 1)),
                }
            }
            self.busy_fresh = true;
        }
        self.busy.iter().find(|(b, _)| *b == broker).map_or(0, |&(_, n)| n)
    }

    /// True if a request carrying a batch of `partition` awaits its answer.
    fn partition_in_flight(&self, partition: u32) -> bool {
        self.in_flight.values().any(|f| f.batches.iter().any(|b| b.partition == partition))
    }

    /// Stamps producer id, epoch and the partition's next sequence on a batch leaving for the first
    /// time (or for the first time since a producer-id reset); retries keep theirs.
    fn assign_sequence(&mut self, batch: &mut ProducerBatch) {
        let (pid, epoch) = (self.idem.producer_id, self.idem.epoch);
        if batch.sequence.is_some_and(|(p, e, _)| (p, e) == (pid, epoch)) {
            return;
        }
        let next = self.idem.next_seq.entry(batch.partition).or_insert(0);
        let seq = *next;
        *next = increment_sequence(seq, batch.records as i32);
        set_producer_state(&mut batch.bytes, pid, epoch, seq, self.txn.is_some());
        batch.sequence = Some((pid, epoch, seq));
    }

    /// Asks a broker for a producer id, unless a request went out less than a second ago.
    pub(super) fn request_producer_id(&mut self, out: &mut Out) {
        if self.idem.pending.is_some_and(|(_, at)| out.now < at + ms(1_000)) {
            return;
        }
        self.next_correlation += 1;
        let correlation = self.next_correlation;
        self.idem.pending = Some((correlation, out.now));
        // With a transactional.id the coordinator answers (and bumps the epoch); otherwise any broker.
        let (broker, transactional_id) = match &self.txn {
            Some(t) => (t.coordinator, Some(t.id.clone())),
            None => ((self.idx - 1 + correlation as u32) % self.brokers + 1, None),
        };
        out.send(NodeId::Broker(broker), Message::InitProducerIdRequest { correlation, transactional_id });
        out.timer(out.now + ms(1_000), TimerKind::Producer(ProducerTimer::Drain));
    }

    /// OUT_OF_ORDER_SEQUENCE_NUMBER is retried when an earlier batch of the partition is still
    /// unresolved (it failed or is in flight, so the broker has not seen the gap filled yet), or when
    /// the batch carries an id from before a reset; otherwise it is fatal (kafka-facts.md §5).
    fn out_of_order_can_retry(&self, batch: &ProducerBatch) -> bool {
        match batch.sequence {
            Some((pid, epoch, seq)) if (pid, epoch) == (self.idem.producer_id, self.idem.epoch) => {
                let acked = self.idem.last_acked.get(&batch.partition).copied().unwrap_or(-1);
                seq != increment_sequence(acked, 1)
            }
            _ => true,
        }
    }

    /// The `ready()` pass's side job (KIP-794 adaptive partitioning): hand the built-in partitioner
    /// each partition's queue length and its leader's ready-minus-drain time, in partition order.
    fn update_partition_load(&mut self, out: &Out) {
        let Partitioner::BuiltIn { sticky, .. } = &mut self.partitioner else { return };
        let availability_timeout_ms = self.settings.availability_timeout_ms;
        let mut queues = std::mem::take(&mut self.scratch.queues);
        queues.clear();
        let loads = self.accumulator.loads(out.now, self.settings.batch_size, self.settings.linger_ms);
        queues.extend(loads
            .filter(|&(p, _, _)| p < self.num_partitions)
            .map(|(p, queue_len, ready)| {
                let leader = self.leaders.get(&p).map(|&(b, _)| b);
                // How long the leader has had ready data without a drain (readyTimeMs - drainTimeMs).
                // Only read with an availability timeout; left out otherwise, so a table that differs
                // only in it (it changes every drain) is not handed over again.
                let waited = leader
                    .filter(|_| ready && availability_timeout_ms > 0)
                    .map(|b| (out.now.saturating_sub(self.last_drain.get(&b).copied().unwrap_or(out.now)) / 1_000) as i64);
                PartitionQueue { partition: p, has_leader: leader.is_some(), queue_len: queue_len as u32, leader_ready_minus_drain_ms: waited }
            }));
        let params = (self.num_partitions, self.settings.adaptive, self.settings.availability_timeout_ms);
        // The drain runs per record but the table changes only when a deque grows or shrinks.
        if self.scratch.applied_params != Some(params) || self.scratch.applied != queues {
            sticky.set_queue_sizes(&queues, params.0, params.1, params.2);
            self.scratch.applied_params = Some(params);
            std::mem::swap(&mut self.scratch.applied, &mut queues);
        }
        self.scratch.queues = queues;
    }

    fn send_request(&mut self, broker: BrokerId, mut batches: Vec<ProducerBatch>, out: &mut Out) {
        self.next_correlation += 1;
        let correlation = self.next_correlation;
        self.last_drain.insert(broker, out.now);
        let mut wire = Vec::with_capacity(batches.len());
        for b in batches.iter_mut() {
            b.attempts += 1;
            if b.attempts == 1 {
                self.metrics.on_batch_sent(b.bytes.len(), b.uncompressed, self.settings.batch_size);
                self.touch_metrics(out);
            }
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
        self.busy_fresh = false;
        out.timer(out.now + timeout_us, TimerKind::Producer(ProducerTimer::RequestTimeout { correlation }));
    }

    pub(super) fn handle_response(&mut self, correlation: u64, results: Vec<ProduceResult>, out: &mut Out) {
        let Some(flight) = self.in_flight.remove(&correlation) else { return };
        self.busy_fresh = false;
        let mut refresh = false;
        for batch in flight.batches {
            let result = results.iter().find(|r| r.batch_id == batch.id);
            let (error, base_offset) = result.map_or((ErrorCode::RequestTimedOut, -1), |r| (r.error, r.base_offset));
            if error == ErrorCode::None {
                if let Some((pid, epoch, seq)) = batch.sequence {
                    if (pid, epoch) == (self.idem.producer_id, self.idem.epoch) {
                        let last = increment_sequence(seq, batch.records as i32 - 1);
                        let acked = self.idem.last_acked.entry(batch.partition).or_insert(-1);
                        *acked = (*acked).max(last);
                    }
                }
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
        self.busy_fresh = false;
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
        let retriable = error.is_retriable()
            || (self.settings.idempotence && error == ErrorCode::OutOfOrderSequenceNumber && self.out_of_order_can_retry(&batch));
        if retriable && batch.attempts <= self.settings.retries && !expired {
            // Exponential backoff from retry.backoff.ms up to retry.backoff.max.ms.
            let shift = batch.attempts.saturating_sub(1).min(20);
            let backoff = self.settings.retry_backoff_ms.saturating_mul(1 << shift).min(self.settings.retry_backoff_max_ms.max(self.settings.retry_backoff_ms));
            batch.retry_at = out.now + ms(backoff);
            out.timer(batch.retry_at, TimerKind::Producer(ProducerTimer::Drain));
            self.accumulator.reenqueue(batch);
        } else {
            let name = if expired && retriable { DELIVERY_TIMEOUT.to_string() } else { error.name().to_string() };
            self.reset_producer_id_after(&batch);
            self.complete(&batch, -1, Some(name), out);
        }
    }

    fn complete(&mut self, batch: &ProducerBatch, base_offset: i64, error: Option<String>, out: &mut Out) {
        if error.is_none() {
            let crc = batch.bytes.get(17..21).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            let tp = TopicPartition::new(self.topic.clone(), batch.partition);
            self.acked.push(AckedBatch { tp, crc, records: batch.records, base_offset });
            self.metrics.on_acked(batch.records, out.now.saturating_sub(batch.created));
            self.touch_metrics(out);
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

    /// A batch with a current sequence failed for good: the broker never saw that sequence, so every
    /// later batch would be out of order. Like the pre-KIP-360 client, start over with a new producer
    /// id (sequences from 0); batches still queued or in flight are re-stamped when they next leave.
    fn reset_producer_id_after(&mut self, batch: &ProducerBatch) {
        if self.txn.is_some() {
            self.txn_on_batch_failed(); // the transaction must abort; its end bumps the epoch
            return;
        }
        let current = (self.idem.producer_id, self.idem.epoch);
        if self.settings.idempotence && batch.sequence.is_some_and(|(p, e, _)| (p, e) == current) {
            self.idem = super::Idempotence::default();
        }
    }
}
