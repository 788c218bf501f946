//! The producer client: partitioners, RecordAccumulator, sender.
//!
//! Records join per-partition batches in the accumulator; the sender drains ready batches into one
//! Produce request per leader broker, at most `max.in.flight.requests.per.connection` at a time, and
//! retries retriable failures after a backoff, re-routing when leadership moves.

pub mod accumulator;
mod deques;
pub mod metrics;
pub mod partitioner;
mod sender;
pub mod settings;
pub mod txn;
pub mod workload;

use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, ProducerIdx};
use crate::net::{Message, PartitionState};
use crate::scenario::{Scenario, ValueSpec, Workload};
use crate::time::{ms, timestamp_ms, Micros, US_PER_SEC};
use accumulator::{Accumulator, ProducerBatch};
use partitioner::{BuiltInPartitioner, Partitioner, StickyPartitionCache};
use serde::{Deserialize, Serialize};
use settings::ProducerSettings;
use std::collections::BTreeMap;

/// Producer timers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProducerTimer {
    /// Time for the workload's next record.
    NextRecord,
    /// A batch may have lingered long enough, or a retry backoff ended: try to send.
    Drain,
    /// A Produce request got no answer within `request.timeout.ms`.
    RequestTimeout { correlation: u64 },
    /// Refresh metadata (`metadata.max.age.ms`).
    MetadataRefresh,
    /// Close the metrics window and report it.
    Metrics,
}

/// A Produce request awaiting its response.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct InFlight {
    broker: BrokerId,
    batches: Vec<ProducerBatch>,
}

/// One producer client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Producer {
    idx: ProducerIdx,
    topic: crate::ids::Topic,
    num_partitions: u32,
    brokers: u32,
    settings: ProducerSettings,
    workload: Workload,
    partitioner: Partitioner,
    accumulator: Accumulator,
    leaders: BTreeMap<u32, (BrokerId, i32)>,
    /// This second's metrics.
    #[serde(default)]
    metrics: metrics::MetricsWindow,
    /// When each leader was last drained (for `partitioner.availability.timeout.ms`).
    #[serde(default)]
    last_drain: BTreeMap<BrokerId, Micros>,
    in_flight: BTreeMap<u64, InFlight>,
    next_batch_id: u64,
    next_correlation: u64,
    records_sent_by_workload: u64,
    produced: u64,
    rate: u64,
    rate_epoch: (Micros, u64),
    metadata_in_flight: bool,
    /// The last drain left a sendable batch for the next one (`max.request.size` was reached).
    #[serde(default)]
    drain_deferred: bool,
    /// When the outstanding metadata request left; after a second without an answer it counts as lost.
    #[serde(default)]
    metadata_sent_at: Micros,
    bootstrap: u32,
    value_buf: Vec<u8>,
    /// Scratch for the workload's next key (not state: every key is written afresh).
    #[serde(skip)]
    key_buf: Vec<u8>,
    /// The partitions with a known leader (the keys of `leaders`), which the partitioner reads for
    /// every record: cached, as they change only with metadata. Not state: rebuilt when missing.
    #[serde(skip)]
    available_cache: Option<Vec<u32>>,
    /// Requests in flight per broker, recounted from `in_flight` when asked after it changed
    /// (`busy_fresh` false; a restored snapshot starts so). Not state.
    #[serde(skip)]
    busy: Vec<(BrokerId, usize)>,
    /// False once `in_flight` changed since `busy` was counted (a flag, not an `Option`, so the
    /// recount reuses the buffer: a request in or out allocates nothing).
    #[serde(skip)]
    busy_fresh: bool,
    /// Scratch buffers of the sender's drain (not state: rebuilt per drain).
    #[serde(skip)]
    scratch: sender::DrainScratch,
    acked: Vec<crate::ledger::AckedBatch>,
    /// Records of acknowledged batches the ledger forgot (retention removed them everywhere).
    #[serde(default)]
    acked_forgotten: u64,
    /// Idempotence (kafka-facts.md §5): producer id and epoch, sequences per partition.
    #[serde(default)]
    idem: Idempotence,
    /// Transactions (`transactional.id`), kafka-facts.md §6.
    #[serde(default)]
    txn: Option<txn::Txn>,
}

/// The idempotent producer's client-side state (`TransactionManager` without transactions).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Idempotence {
    /// Producer id, -1 until InitProducerId answers (or after a reset).
    producer_id: i64,
    /// Producer epoch.
    epoch: i16,
    /// An InitProducerId request outstanding: (correlation, sent at).
    pending: Option<(u64, Micros)>,
    /// Next sequence to assign per partition.
    next_seq: BTreeMap<u32, i32>,
    /// Last sequence acknowledged per partition (-1: none yet).
    last_acked: BTreeMap<u32, i32>,
}

impl Default for Idempotence {
    fn default() -> Self {
        Idempotence { producer_id: -1, epoch: -1, pending: None, next_seq: BTreeMap::new(), last_acked: BTreeMap::new() }
    }
}

impl Producer {
    /// The scenario's producer number `idx` (1-based).
    pub fn new(idx: ProducerIdx, scenario: &Scenario) -> Result<Producer, String> {
        let spec = &scenario.producers[idx as usize - 1];
        let settings = ProducerSettings::resolve(scenario.profile, &spec.config.0)
            .map_err(|e| format!("producers[{}].config: {e}", idx - 1))?;
        let declared = scenario.topics.iter().find(|t| t.name == spec.topic);
        let num_partitions = declared.map_or(1, |t| t.partitions);
        // The declared topic's own name: partitions, requests and logs then share one pointer, which
        // their lookups compare before any byte (BENCHMARKS.md, stop 22).
        let topic = declared.map_or_else(|| spec.topic.as_str().into(), |t| t.name.clone());
        let partitioner = if settings.legacy_sticky {
            Partitioner::Default(StickyPartitionCache::new())
        } else {
            let sticky = BuiltInPartitioner::new(settings.batch_size.max(1) as u32)?;
            Partitioner::BuiltIn { ignore_keys: settings.ignore_keys, sticky }
        };
        Ok(Producer {
            idx,
            topic,
            num_partitions,
            brokers: scenario.cluster.brokers,
            rate: spec.workload.records_per_sec,
            settings,
            workload: spec.workload.clone(),
            partitioner,
            accumulator: Accumulator::default(),
            leaders: BTreeMap::new(),
            last_drain: BTreeMap::new(),
            metrics: metrics::MetricsWindow::default(),
            in_flight: BTreeMap::new(),
            next_batch_id: 0,
            next_correlation: 0,
            records_sent_by_workload: 0,
            produced: 0,
            rate_epoch: (ms(spec.workload.start_ms), 0),
            metadata_in_flight: false,
            drain_deferred: false,
            metadata_sent_at: 0,
            bootstrap: idx - 1,
            value_buf: Vec::new(),
            key_buf: Vec::new(),
            available_cache: None,
            busy: Vec::new(),
            busy_fresh: false,
            scratch: sender::DrainScratch::default(),
            acked: Vec::new(),
            acked_forgotten: 0,
            idem: Idempotence::default(),
            txn: None,
        })
        .map(|mut p: Producer| {
            p.txn = p.settings.transactional_id.clone().map(|id| txn::Txn::new(id, p.brokers));
            p
        })
    }

    /// Records created so far (by the workload and by hand).
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// Batches the producer was told were written (for the safety ledger).
    pub fn acked(&self) -> &[crate::ledger::AckedBatch] {
        &self.acked
    }

    /// Records of acknowledged batches no longer in [`Producer::acked`] (see `forget_acked`).
    pub fn acked_forgotten(&self) -> u64 {
        self.acked_forgotten
    }

    /// Drops the acknowledged batches `gone` says no replica can hold any more, counting their records.
    pub(crate) fn forget_acked(&mut self, mut gone: impl FnMut(&crate::ledger::AckedBatch) -> bool) {
        let mut forgotten = 0;
        self.acked.retain(|a| {
            let drop = gone(a);
            forgotten += if drop { a.records as u64 } else { 0 };
            !drop
        });
        self.acked_forgotten += forgotten;
    }

    /// Opens the metrics window at the first activity and arms its one-second close.
    fn touch_metrics(&mut self, out: &mut Out) {
        if self.metrics.touch(out.now) {
            out.timer(out.now + US_PER_SEC, TimerKind::Producer(ProducerTimer::Metrics));
        }
    }

    /// Starts the client: bootstrap metadata (and a producer id when idempotent), then the workload.
    pub fn start(&mut self, out: &mut Out) {
        self.request_metadata(out);
        // A transactional producer calls initTransactions() when it starts sending (its first record),
        // so a later instance with the same transactional.id fences an earlier one.
        if self.settings.idempotence && self.txn.is_none() {
            self.request_producer_id(out);
        }
        if self.rate > 0 {
            out.timer(ms(self.workload.start_ms), TimerKind::Producer(ProducerTimer::NextRecord));
        }
        out.timer(out.now + ms(self.settings.metadata_max_age_ms), TimerKind::Producer(ProducerTimer::MetadataRefresh));
    }

    /// Changes the workload rate from now on.
    pub fn set_rate(&mut self, records_per_sec: u64, out: &mut Out) {
        let was_idle = self.rate == 0;
        self.rate = records_per_sec;
        self.rate_epoch = (out.now, 0);
        if was_idle && records_per_sec > 0 {
            out.timer(out.now, TimerKind::Producer(ProducerTimer::NextRecord));
        }
    }

    /// Sends one record typed in by hand.
    pub fn produce_by_hand(&mut self, key: Option<String>, value: String, partition: Option<u32>, out: &mut Out) {
        let key = key.map(String::into_bytes);
        self.value_buf = value.into_bytes();
        if self.append_record(key.as_deref(), partition, out) {
            self.drain(out);
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, timer: ProducerTimer, out: &mut Out) {
        match timer {
            ProducerTimer::NextRecord => self.next_workload_record(out),
            ProducerTimer::Drain => self.drain(out),
            ProducerTimer::RequestTimeout { correlation } => self.request_timed_out(correlation, out),
            ProducerTimer::Metrics => {
                if let Some(e) = self.metrics.close(self.idx, out.now) {
                    out.emit(e);
                }
            }
            ProducerTimer::MetadataRefresh => {
                self.request_metadata(out);
                out.timer(out.now + ms(self.settings.metadata_max_age_ms), TimerKind::Producer(ProducerTimer::MetadataRefresh));
            }
        }
    }

    /// Handles a response.
    pub fn on_message(&mut self, _from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::MetadataResponse { partitions, .. } => {
                self.metadata_in_flight = false;
                self.update_metadata(&partitions);
                self.drain(out);
            }
            Message::ProduceResponse { correlation, results } => self.handle_response(correlation, results, out),
            Message::AddPartitionsToTxnResponse { correlation, error } | Message::EndTxnResponse { correlation, error } => {
                self.txn_on_response(correlation, error, out)
            }
            Message::InitProducerIdResponse { correlation, error, producer_id, producer_epoch }
                if self.idem.pending.is_some_and(|(c, _)| c == correlation) =>
            {
                if error == crate::net::ErrorCode::None {
                    self.idem = Idempotence { producer_id, epoch: producer_epoch, ..Idempotence::default() };
                    self.drain(out);
                } else {
                    // CONCURRENT_TRANSACTIONS (the coordinator is aborting an old transaction): ask
                    // again after retry.backoff.ms.
                    self.idem.pending = None;
                    let at = out.now + ms(self.settings.retry_backoff_ms);
                    out.timer(at, TimerKind::Producer(ProducerTimer::Drain));
                }
            }
            _ => {}
        }
    }

    fn update_metadata(&mut self, partitions: &[PartitionState]) {
        self.available_cache = None;
        for s in partitions.iter().filter(|s| s.tp.topic == self.topic) {
            let newer = self.leaders.get(&s.tp.partition).is_none_or(|&(_, e)| s.leader_epoch >= e);
            if newer {
                match s.leader {
                    Some(l) => self.leaders.insert(s.tp.partition, (l, s.leader_epoch)),
                    None => self.leaders.remove(&s.tp.partition),
                };
            }
        }
    }

    /// Asks a broker for metadata, rotating through the bootstrap list so a dead broker is skipped.
    fn request_metadata(&mut self, out: &mut Out) {
        if self.metadata_in_flight && out.now < self.metadata_sent_at + ms(1_000) {
            return;
        }
        self.bootstrap = (self.bootstrap + 1) % self.brokers;
        self.metadata_in_flight = true;
        self.metadata_sent_at = out.now;
        out.send(NodeId::Broker(self.bootstrap + 1), Message::MetadataRequest);
        // If that broker is down the answer never comes: allow another try after a second.
        out.timer(out.now + ms(1_000), TimerKind::Producer(ProducerTimer::Drain));
    }

    fn next_workload_record(&mut self, out: &mut Out) {
        if self.rate == 0 || self.workload.max_records.is_some_and(|m| self.records_sent_by_workload >= m) {
            return;
        }
        if self.txn_blocks_workload() {
            return; // resumed when the transaction completes
        }
        let mut key = std::mem::take(&mut self.key_buf);
        let keyed = workload::next_key(&self.workload.key, out.rng, &mut key);
        let spec: ValueSpec = self.workload.value.clone();
        let mut buf = std::mem::take(&mut self.value_buf);
        workload::next_value(&spec, out.rng, &mut buf);
        self.value_buf = buf;
        self.records_sent_by_workload += 1;
        let wake = self.append_record(keyed.then_some(&key[..]), None, out);
        self.key_buf = key;
        if wake {
            self.drain(out);
        }
        // Evenly spaced arrivals, computed from the count so rounding never drifts.
        let (t0, n0) = self.rate_epoch;
        let n = self.records_sent_by_workload - n0;
        let next = t0 + n.saturating_mul(US_PER_SEC) / self.rate;
        out.timer(next.max(out.now), TimerKind::Producer(ProducerTimer::NextRecord));
    }

    /// Appends a record; true if the sender should wake up now, as `KafkaProducer.doSend` calls
    /// `sender.wakeup()` only when the append opened a new batch or left one full. Otherwise the
    /// sender sleeps until a batch lingers out, a backoff ends or an answer arrives (each has its
    /// own wake-up), so the drain does not run once per record.
    fn append_record(&mut self, key: Option<&[u8]>, explicit: Option<u32>, out: &mut Out) -> bool {
        if self.txn.as_ref().is_some_and(|t| t.phase == txn::Phase::Fenced) {
            return false; // a fenced producer can only be closed
        }
        let available = self.available_cache.take().unwrap_or_else(|| self.leaders.keys().copied().collect());
        let wake = self.append_to(key, explicit, &available, out);
        self.available_cache = Some(available);
        wake
    }

    fn append_to(&mut self, key: Option<&[u8]>, explicit: Option<u32>, available: &[u32], out: &mut Out) -> bool {
        let n = self.num_partitions;
        let Ok(mut partition) = self.partitioner.choose(out.rng, key.as_deref(), explicit, available, n) else {
            return false;
        };
        let value = std::mem::take(&mut self.value_buf);
        let size = accumulator::record_size(key.as_deref(), &value);
        let batch_size = self.settings.batch_size;
        // KIP-480: a null-key record that would open a new batch first moves the sticky partition.
        if key.is_none() && explicit.is_none() && !self.accumulator.fits(partition, size, batch_size) {
            if let Partitioner::Default(_) = self.partitioner {
                self.partitioner.on_new_batch(out.rng, partition, available, n);
                partition = self.partitioner.choose(out.rng, None, None, available, n).unwrap_or(partition);
            }
        }
        let appended = self.accumulator.append(
            partition,
            timestamp_ms(out.now),
            key.as_deref(),
            &value,
            batch_size,
            self.settings.compression,
            out.now,
            &mut self.next_batch_id,
        );
        self.value_buf = value;
        self.produced += 1;
        let txn_ending = self.txn_on_record();
        if appended.new_batch {
            out.emit(EventKind::BatchCreated { producer: self.idx, batch: appended.batch, topic: self.topic.clone(), partition });
            let linger_end = out.now + ms(self.settings.linger_ms);
            out.timer(linger_end, TimerKind::Producer(ProducerTimer::Drain));
            // A batch that never leaves (no leader, connection saturated) still expires on time.
            let deadline = out.now + ms(self.settings.delivery_timeout_ms);
            out.timer(deadline, TimerKind::Producer(ProducerTimer::Drain));
        }
        if key.is_none() && explicit.is_none() {
            let enable_switch = self.accumulator.all_batches_full(partition, batch_size);
            self.partitioner.on_append(out.rng, partition, size as u32, enable_switch, available, n);
        }
        let wake = appended.new_batch || appended.batch_is_full || txn_ending;
        wake && (appended.new_batch || txn_ending || !self.wake_would_idle(partition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_producer_shares_its_declared_topics_name_with_the_controllers_partitions() {
        let scenario = Scenario::from_json(include_str!("../../static/scenarios/default.json")).unwrap();
        let controller = crate::controller::Controller::new(&scenario, &mut crate::rng::SimRng::new(1)).unwrap();
        let producer = Producer::new(1, &scenario).unwrap();
        let mine: Vec<_> = controller.partitions().keys().filter(|tp| tp.topic == producer.topic).collect();
        assert!(!mine.is_empty(), "the default scenario's producer writes to a declared topic");
        assert!(mine.iter().all(|tp| tp.topic.shares(&producer.topic)), "one shared name, compared by pointer");
    }
}
