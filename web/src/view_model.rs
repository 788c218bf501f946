//! The view state: what the screen shows, folded from the engine's events one frame at a time.
//!
//! Data flows one way: a UI command goes to the engine, the engine returns events, the driver hands
//! them here as one [`Action::Frame`] per animation frame, and components render the result.

use kafkascope::event::{Event, EventKind, MessageKind};
use kafkascope::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx, Topic};
use std::collections::VecDeque;
use kafkascope::vec_map::VecMap;
use std::rc::Rc;
use yew::Reducible;

pub use crate::notable::is_internal;
use crate::notable::{notable, topic_of};

/// A partition's key: topic name and partition number, ordered so rendering is stable.
pub type PartKey = (Topic, u32);

/// Messages older than this (virtual µs after arrival or drop) are forgotten.
const FADE_US: u64 = 150_000;
/// At most this many messages are kept for drawing; older ones become a count.
pub const MAX_FLIGHTS: usize = 48;
/// Notable events kept for the event log.
pub const MAX_NOTABLE: usize = 8;

/// A broker as drawn: its id and whether its process runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BrokerView {
    /// Whether the broker process is up.
    pub up: bool,
    /// Whether this broker hosts the active controller.
    pub controller: bool,
}

/// A contiguous run of offsets written under one leader epoch: `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochRange {
    /// First offset of the run.
    pub start: i64,
    /// One past the last offset of the run.
    pub end: i64,
    /// Leader epoch that wrote these records.
    pub epoch: i32,
}

/// One replica's log as the strip draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicaView {
    /// Runs of offsets by leader epoch, ascending and disjoint.
    pub ranges: Vec<EpochRange>,
    /// Log end offset (next offset to be written).
    pub leo: i64,
    /// High watermark as this replica knows it.
    pub hw: i64,
    /// Log start offset (retention deletes segments below it).
    pub log_start: i64,
    /// The runs cut by the last truncation and when (drawn falling away once), if any.
    pub fallen: Option<(u64, Vec<EpochRange>)>,
}

impl ReplicaView {
    /// Records `[base, last]` appended under `epoch`, with the replica's new LEO.
    fn append(&mut self, base: i64, last: i64, epoch: i32, leo: i64) {
        self.truncate(base);
        match self.ranges.last_mut() {
            Some(r) if r.epoch == epoch && r.end == base => r.end = last + 1,
            _ => self.ranges.push(EpochRange { start: base, end: last + 1, epoch }),
        }
        self.leo = leo.max(last + 1);
    }

    /// Drops what retention deleted: the log now starts at `start`.
    fn advance_start(&mut self, start: i64) {
        self.log_start = self.log_start.max(start);
        self.ranges.retain(|r| r.end > start);
        if let Some(r) = self.ranges.first_mut() {
            r.start = r.start.max(start);
        }
    }

    /// Cuts the log back so `offset` is its new end.
    fn truncate(&mut self, offset: i64) {
        self.ranges.retain(|r| r.start < offset);
        if let Some(r) = self.ranges.last_mut() {
            r.end = r.end.min(offset);
        }
        self.leo = self.leo.min(offset);
    }
}

/// A partition: its assignment, leader, ISR and each replica's log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartitionView {
    /// Assigned replicas, preferred leader first.
    pub replicas: Vec<BrokerId>,
    /// Current leader (`None`: offline).
    pub leader: Option<BrokerId>,
    /// Current leader epoch (-1 before the first election).
    pub leader_epoch: i32,
    /// In-sync replicas.
    pub isr: Vec<BrokerId>,
    /// Each replica's log, by broker.
    pub logs: VecMap<BrokerId, ReplicaView>,
}

/// A batch that left a producer and awaits its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlightBatch {
    /// Records in the batch.
    pub records: u32,
    /// Broker it was sent to.
    pub broker: BrokerId,
    /// Send attempt (1 = first).
    pub attempt: u32,
}

/// A producer's accumulator and outstanding requests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProducerView {
    /// Open (filling) batch per partition.
    pub open: VecMap<PartKey, u64>,
    /// Batches sent and not yet completed, by batch id, with their partition.
    pub in_flight: VecMap<u64, (PartKey, InFlightBatch)>,
    /// Records acknowledged per partition.
    pub acked: VecMap<PartKey, u64>,
    /// The last error the producer saw, if any.
    pub last_error: Option<String>,
}

/// A consumer's position per partition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsumerView {
    /// Next offset to read, per partition.
    pub position: VecMap<PartKey, i64>,
    /// Last high watermark the consumer saw, per partition (for lag).
    pub seen_hw: VecMap<PartKey, i64>,
    /// Consumer group and generation, once it joined one.
    pub group: Option<(String, i32)>,
    /// Partitions the group assigned to this consumer (`None` before the first assignment).
    pub assigned: Option<Vec<PartKey>>,
}

/// A message on the wire, drawn moving from `from` to `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    /// Engine message id (stable key for rendering).
    pub msg: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Request kind.
    pub kind: MessageKind,
    /// Virtual time it left.
    pub sent_us: u64,
    /// Virtual time it arrives.
    pub arrive_us: u64,
    /// Virtual time it was dropped, if it was.
    pub dropped_us: Option<u64>,
}

impl Flight {
    /// Virtual time until which the message is drawn: its arrival, stretched to at least `min_us`.
    pub fn shown_until(&self, min_us: u64) -> u64 {
        self.arrive_us.max(self.sent_us.saturating_add(min_us))
    }
}

/// The safety ledger's counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    /// Records sent by producers (first attempts).
    pub produced: u64,
    /// Records acknowledged to producers.
    pub acked: u64,
    /// Records delivered to consumers.
    pub consumed: u64,
    /// Events seen.
    pub events: u64,
    /// Acknowledged records missing from their partition (engine audit; `None` when not audited).
    pub acked_lost: Option<u64>,
    /// Records present more than once in a leader's log (engine audit).
    pub duplicates: Option<u64>,
}

/// Everything the screen shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewState {
    /// Virtual time in microseconds.
    pub now_us: u64,
    /// Brokers by id.
    pub brokers: VecMap<BrokerId, BrokerView>,
    /// Controller node and epoch, once elected.
    pub controller: Option<(NodeId, u32)>,
    /// Partitions by topic and number.
    pub partitions: VecMap<PartKey, PartitionView>,
    /// Producers by index.
    pub producers: VecMap<ProducerIdx, ProducerView>,
    /// Consumers by index.
    pub consumers: VecMap<ConsumerIdx, ConsumerView>,
    /// Messages in flight (and recently dropped), by id.
    pub flights: VecMap<u64, Flight>,
    /// Messages sent in total (including those no longer drawn).
    pub messages_sent: u64,
    /// Shortest virtual time a message is drawn travelling (so sub-millisecond hops stay visible).
    pub flight_min_us: u64,
    /// Counts folded from events.
    pub ledger: Ledger,
    /// The engine's own summary, when the driver attaches one (authoritative over `ledger`).
    pub engine_ledger: Option<Ledger>,
    /// The engine's trace hash after the last frame.
    pub trace_hash: String,
    /// Last narration line.
    pub narration: Option<String>,
    /// Internal topics (`__consumer_offsets`, …) and their partition counts: counted, not drawn.
    pub hidden_topics: VecMap<String, usize>,
    /// The latest notable events (elections, ISR changes, crashes, truncations, errors), newest last.
    pub notable: VecDeque<(u64, String)>,
    /// Impaired links (cut or slowed), keyed by their two ends in order.
    pub links: VecMap<(NodeId, NodeId), crate::links::LinkView>,
    /// Consumers whose process was killed.
    pub consumers_down: kafkascope::vec_map::VecSet<ConsumerIdx>,
    /// The charts' series (producer metrics, consumer lag, the ledger's alarms).
    pub charts: crate::series::ChartSeries,
    /// The sequence diagram's recent messages.
    pub sequence: crate::sequence_log::SequenceLog,
}

/// What can change the view state.
#[derive(Clone, Debug)]
pub enum Action {
    /// One animation frame's worth of events, the virtual time reached, and the engine's summary.
    Frame {
        /// Virtual time after the frame.
        now_us: u64,
        /// Events that happened during the frame, in order.
        events: Vec<Event>,
        /// The engine's ledger and trace hash, if the driver has them.
        summary: Option<(Ledger, String)>,
        /// Shortest virtual time a message is drawn travelling (0: its real latency).
        flight_min_us: u64,
    },
    /// Forget everything (a new simulation was built).
    Reset,
    /// Show this state (the driver rebuilt it: a seek, a step back, or its own fold of a frame).
    Replace(Rc<ViewState>),
}

impl ViewState {
    /// Folds one event into the state.
    pub fn apply(&mut self, ev: &Event) {
        self.ledger.events += 1;
        if let Some(topic) = topic_of(&ev.kind).filter(|t| is_internal(t)) {
            if let EventKind::TopicCreated { assignment, .. } = &ev.kind {
                self.hidden_topics.insert(topic.to_owned(), assignment.len());
            }
            return;
        }
        if let Some(line) = notable(&ev.kind) {
            if self.notable.len() == MAX_NOTABLE {
                self.notable.pop_front();
            }
            self.notable.push_back((ev.at_us, line));
        }
        crate::links::fold(self, &ev.kind);
        self.charts.fold(ev.at_us, &ev.kind);
        self.sequence.fold(ev.at_us, &ev.kind);
        let at = ev.at_us;
        #[allow(unreachable_patterns)]
        match &ev.kind {
            EventKind::BrokerStarted { broker } => self.brokers.entry(*broker).or_default().up = true,
            EventKind::BrokerStopped { broker, .. } => self.brokers.entry(*broker).or_default().up = false,
            EventKind::ControllerElected { node, epoch } => {
                self.controller = Some((*node, *epoch));
                for (id, b) in self.brokers.iter_mut() {
                    b.controller = *node == NodeId::Broker(*id);
                }
            }
            EventKind::TopicCreated { topic, assignment, .. } => {
                for (p, replicas) in assignment.iter().enumerate() {
                    let part = self.partitions.entry((topic.clone(), p as u32)).or_default();
                    part.replicas = replicas.clone();
                    part.leader_epoch = -1;
                    for b in replicas {
                        part.logs.entry(*b).or_default();
                        self.brokers.entry(*b).or_default();
                    }
                }
            }
            EventKind::LeaderElected { topic, partition, leader, leader_epoch, isr, .. } => {
                let part = self.partitions.entry((topic.clone(), *partition)).or_default();
                part.leader = *leader;
                part.leader_epoch = *leader_epoch;
                part.isr = isr.clone();
            }
            EventKind::IsrChanged { topic, partition, isr } => {
                self.partitions.entry((topic.clone(), *partition)).or_default().isr = isr.clone();
            }
            EventKind::MessageSent { msg, from, to, kind, arrive_at_us, .. } => {
                self.messages_sent += 1;
                let f = Flight { msg: *msg, from: *from, to: *to, kind: *kind, sent_us: at, arrive_us: *arrive_at_us, dropped_us: None };
                self.flights.insert(*msg, f);
            }
            EventKind::MessageDropped { msg, .. } => {
                if let Some(f) = self.flights.get_mut(msg) {
                    f.dropped_us = Some(at);
                }
            }
            EventKind::BatchCreated { producer, batch, topic, partition } => {
                self.producers.entry(*producer).or_default().open.insert((topic.clone(), *partition), *batch);
            }
            EventKind::BatchSent { producer, batch, topic, partition, broker, records, attempt, .. } => {
                let p = self.producers.entry(*producer).or_default();
                let key = (topic.clone(), *partition);
                if p.open.get(&key) == Some(batch) {
                    p.open.remove(&key);
                }
                p.in_flight.insert(*batch, (key, InFlightBatch { records: *records, broker: *broker, attempt: *attempt }));
                if *attempt <= 1 {
                    self.ledger.produced += u64::from(*records);
                }
            }
            EventKind::RecordsAppended { broker, topic, partition, base_offset, last_offset, leader_epoch, log_end_offset, .. } => {
                let part = self.partitions.entry((topic.clone(), *partition)).or_default();
                part.logs.entry(*broker).or_default().append(*base_offset, *last_offset, *leader_epoch, *log_end_offset);
            }
            EventKind::HighWatermarkUpdated { broker, topic, partition, high_watermark } => {
                let part = self.partitions.entry((topic.clone(), *partition)).or_default();
                part.logs.entry(*broker).or_default().hw = *high_watermark;
            }
            EventKind::LogTruncated { broker, topic, partition, offset, .. } => {
                let part = self.partitions.entry((topic.clone(), *partition)).or_default();
                let log = part.logs.entry(*broker).or_default();
                let cut = log.ranges.iter().filter(|r| r.end > *offset).map(|r| EpochRange { start: r.start.max(*offset), ..r.clone() });
                log.fallen = Some((at, cut.collect()));
                log.truncate(*offset);
                log.hw = log.hw.min(*offset);
            }
            EventKind::ProduceCompleted { producer, batch, topic, partition, records, error, .. } => {
                let p = self.producers.entry(*producer).or_default();
                p.in_flight.remove(batch);
                match error {
                    None => {
                        *p.acked.entry((topic.clone(), *partition)).or_default() += u64::from(*records);
                        self.ledger.acked += u64::from(*records);
                    }
                    Some(e) => p.last_error = Some(format!("{e} on {topic}-{partition} batch {batch}")),
                }
            }
            EventKind::RecordsConsumed { consumer, topic, partition, from_offset, to_offset, high_watermark } => {
                let c = self.consumers.entry(*consumer).or_default();
                let key = (topic.clone(), *partition);
                c.position.insert(key.clone(), *to_offset);
                c.seen_hw.insert(key, *high_watermark);
                self.ledger.consumed += (to_offset - from_offset).max(0) as u64;
            }
            EventKind::SegmentDeleted { broker, topic, partition, log_start_offset, .. } => {
                let part = self.partitions.entry((topic.clone(), *partition)).or_default();
                part.logs.entry(*broker).or_default().advance_start(*log_start_offset);
            }
            EventKind::PartitionsAssigned { consumer, group, generation, assigned, revoked } => {
                let c = self.consumers.entry(*consumer).or_default();
                c.group = Some((group.clone(), *generation));
                let mut now: Vec<PartKey> = c.assigned.take().unwrap_or_default();
                now.retain(|k| !revoked.iter().any(|tp| tp.topic == k.0 && tp.partition == k.1));
                for tp in assigned {
                    let key = (tp.topic.clone(), tp.partition);
                    if !now.contains(&key) {
                        now.push(key);
                    }
                }
                kafkascope::order::sort(&mut now);
                c.assigned = Some(now);
            }
            EventKind::Narration { en, .. } => self.narration = Some(en.clone()),
            // Segment rolls, echoed commands and kinds added to the engine later change nothing drawn.
            _ => {}
        }
    }

    /// Drops messages that arrived (or died) long enough ago, and caps how many are kept.
    fn prune_flights(&mut self) {
        let now = self.now_us;
        self.flights.retain(|_, f| match f.dropped_us {
            Some(d) => now < d + FADE_US,
            None => now < f.shown_until(self.flight_min_us),
        });
        while self.flights.len() > MAX_FLIGHTS {
            self.flights.pop_first();
        }
    }

    /// The ledger to show: the engine's when known, else the one folded from events.
    pub fn shown_ledger(&self) -> &Ledger {
        self.engine_ledger.as_ref().unwrap_or(&self.ledger)
    }
}

impl Reducible for ViewState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Reset => Rc::new(ViewState::default()),
            Action::Replace(s) => s,
            Action::Frame { now_us, events, summary, flight_min_us } => {
                let mut s = Rc::unwrap_or_clone(self);
                s.flight_min_us = flight_min_us;
                for ev in &events {
                    s.apply(ev);
                }
                s.now_us = now_us.max(s.now_us);
                if let Some((ledger, hash)) = summary {
                    s.charts.sample_ledger(s.now_us, &ledger);
                    s.engine_ledger = Some(ledger);
                    s.trace_hash = hash;
                }
                s.prune_flights();
                Rc::new(s)
            }
        }
    }
}
