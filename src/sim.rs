//! The simulation: a timer queue over virtual time, the network, and the actors.
//!
//! `Sim::apply` takes a command now; `Sim::advance_to` runs every timer due up to a time and returns the
//! events. Everything is ordered by (virtual time, sequence number), randomness comes from one seeded
//! RNG, and every event is folded into a rolling hash, so a run is reproducible and checkable.

use crate::actor::{Effect, Out, TimerKind};
use crate::broker::Broker;
use crate::command::Command;
use crate::consumer::Consumer;
use crate::controller::quorum::Metadata;
use crate::controller::Controller;
use crate::event::{Event, EventKind};
use crate::ids::NodeId;
use crate::net::{CostModel, Message, Network};
use crate::producer::Producer;
use crate::rng::SimRng;
use crate::scenario::{Scenario, ScenarioError};
use crate::time::{ms, Micros};
use crate::trace::TraceHash;
use serde::{Deserialize, Serialize};
use agenda::Agenda;
use due::{BoxPool, Due, NarrationDue};

mod agenda;
mod commands;
mod due;
mod idle;
mod ledger;

/// Totals for the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Virtual time reached.
    pub at_us: Micros,
    /// Records created by producers.
    pub produced: u64,
    /// Records whose produce request succeeded.
    pub acknowledged: u64,
    /// Records delivered to consumers.
    pub consumed: u64,
    /// Events emitted.
    pub events: u64,
    /// Rolling XXH64 over every event's compact JSON line (src/trace.rs), as 16 hex digits.
    pub trace_hash: String,
    /// The safety ledger's audit of the cluster at this time.
    pub ledger: crate::ledger::LedgerCounts,
    /// Each broker's produce and fetch IO: batching, sequential appends, page cache, zero-copy.
    #[serde(default)]
    pub broker_io: Vec<crate::broker::io::BrokerIo>,
    /// The same counters per client, summed over the brokers it talked to.
    #[serde(default)]
    pub client_io: Vec<crate::broker::io::ClientIo>,
}

/// A running simulation. Serializable whole: that is its snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sim {
    now: Micros,
    next_msg: u64,
    queue: Agenda<Due>,
    rng: SimRng,
    cost: CostModel,
    net: Network,
    brokers: Vec<Broker>,
    metadata: Metadata,
    producers: Vec<Producer>,
    consumers: Vec<Consumer>,
    scenario: Scenario,
    trace: TraceHash,
    stats: Summary,
    /// Events not yet handed out by `advance_to` (kept in snapshots too).
    out: Vec<Event>,
    /// Retention deleted segments since the ledger last forgot what they held.
    #[serde(default)]
    forget_due: bool,
    #[serde(skip)]
    effects: Vec<Effect>,
    #[serde(skip)]
    boxes: BoxPool,
}

impl Sim {
    /// Builds the cluster, topics and clients of a scenario at virtual time zero.
    pub fn new(scenario: &Scenario) -> Result<Sim, ScenarioError> {
        scenario.validate()?;
        let mut rng = SimRng::new(scenario.seed);
        let brokers = (1..=scenario.cluster.brokers).map(|id| Broker::new(id, scenario)).collect();
        let metadata = Metadata::new(scenario, Controller::new(scenario, &mut rng).map_err(ScenarioError)?);
        let producers = (0..scenario.producers.len())
            .map(|i| Producer::new(i as u32 + 1, scenario))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ScenarioError)?;
        let consumers = (0..scenario.consumers.len()).map(|i| Consumer::new(i as u32 + 1, scenario)).collect();
        let mut sim = Sim {
            now: 0,
            next_msg: 0,
            queue: Agenda::default(),
            rng,
            cost: scenario.cluster.cost_model.clone(),
            net: Network::default(),
            brokers,
            metadata,
            producers,
            consumers,
            scenario: scenario.clone(),
            trace: TraceHash::default(),
            stats: Summary::default(),
            out: Vec::new(),
            forget_due: false,
            effects: Vec::new(),
            boxes: BoxPool::default(),
        };
        for step in &scenario.timeline {
            sim.schedule(ms(step.at_ms), Due::Command(Box::new(step.command.clone())));
        }
        for n in &scenario.narration {
            let due = Due::Narration(Box::new(NarrationDue { en: n.en.clone(), zh_tw: n.zh_tw.clone(), target: n.target.clone() }));
            sim.schedule(ms(n.at_ms), due);
        }
        sim.start_all();
        Ok(sim)
    }

    fn start_all(&mut self) {
        for i in 0..self.brokers.len() {
            self.with_broker(i, |b, out| b.start(out));
        }
        self.with_metadata(0, |m, out| m.announce(out));
        for n in crate::controller::quorum::node_ids(&self.scenario) {
            self.with_metadata(n, |m, out| m.start(n, out));
        }
        // The cluster formed before time zero: the controller broker already read ZooKeeper.
        if let Some((b, msg)) = self.metadata.bootstrap_controller() {
            if let Some(i) = (b as usize).checked_sub(1).filter(|&i| i < self.brokers.len()) {
                self.with_broker(i, |br, out| br.on_message(NodeId::Controller(0), msg, out));
            }
        }
        for i in 0..self.producers.len() {
            self.with_producer(i, |p, out| p.start(out));
        }
        for i in 0..self.consumers.len() {
            self.with_consumer(i, |c, out| c.start(out));
        }
    }

    /// Current virtual time.
    pub fn now_us(&self) -> Micros {
        self.now
    }

    /// The scenario this simulation was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The rolling trace hash so far, as 16 hex digits.
    pub fn trace_hash(&self) -> String {
        self.trace.hex()
    }

    /// Totals so far.
    pub fn summary(&self) -> Summary {
        let mut s = self.stats.clone();
        s.at_us = self.now;
        s.produced = self.producers.iter().map(|p| p.produced()).sum();
        s.trace_hash = self.trace.hex();
        s.ledger = self.ledger();
        (s.broker_io, s.client_io) = crate::broker::io::summarize(&self.brokers);
        s
    }

    /// The brokers, for inspection by tests and views.
    pub fn brokers(&self) -> &[Broker] {
        &self.brokers
    }

    /// The producers, for inspection by tests and views (what each was told was written).
    pub fn producers(&self) -> &[Producer] {
        &self.producers
    }

    /// The consumers, for inspection by tests and views.
    pub fn consumers(&self) -> &[Consumer] {
        &self.consumers
    }

    /// The controller's state of every partition.
    pub fn partitions(&self) -> &std::collections::BTreeMap<crate::ids::TopicPartition, crate::net::PartitionState> {
        self.metadata.partitions()
    }

    /// The metadata layer: ZooKeeper or the KRaft quorum.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The time of the next scheduled happening, if any.
    pub fn next_due(&self) -> Option<Micros> {
        self.queue.next_at()
    }

    /// Applies a command at the current virtual time; bad commands are rejected, not panicked on.
    pub fn apply(&mut self, cmd: Command) -> Result<(), String> {
        self.scenario.check_command(&cmd)?;
        self.execute(cmd);
        Ok(())
    }

    /// Runs everything due up to and including `until` and returns the events, in order.
    pub fn advance_to(&mut self, until: Micros) -> Vec<Event> {
        while let Some((at, due)) = self.queue.pop_due(until) {
            self.now = at;
            self.fire(due);
        }
        if std::mem::take(&mut self.forget_due) {
            self.forget_deleted_acks();
        }
        self.now = self.now.max(until);
        // The next step's buffer starts at this one's size: grown from empty, it was reallocated
        // and its events moved about ten times a frame under load.
        let reserve = self.out.len();
        std::mem::replace(&mut self.out, Vec::with_capacity(reserve))
    }

    /// A snapshot of the whole state, to restore later (seek, fork, reload).
    pub fn snapshot(&self) -> Sim {
        self.clone()
    }

    fn schedule(&mut self, at: Micros, due: Due) {
        self.queue.push(self.now, at.max(self.now), due);
    }

    fn emit(&mut self, kind: EventKind) {
        let event = Event { at_us: self.now, kind };
        self.trace.add(&event);
        self.stats.events += 1;
        match &event.kind {
            EventKind::ProduceCompleted { records, error: None, .. } => self.stats.acknowledged += *records as u64,
            EventKind::RecordsConsumed { from_offset, to_offset, .. } => {
                self.stats.consumed += (to_offset - from_offset).max(0) as u64
            }
            EventKind::SegmentDeleted { .. } => self.forget_due = true,
            _ => {}
        }
        self.out.push(event);
    }

    fn fire(&mut self, due: Due) {
        match due {
            Due::Deliver { id, from, to, msg } => self.deliver(id, from, to, msg),
            Due::Handle { broker, incarnation, from, msg } => {
                let i = broker as usize - 1;
                if self.brokers[i].incarnation() == incarnation && self.brokers[i].is_alive() {
                    let msg = self.boxes.unbox(msg);
                    self.with_broker(i, |b, out| b.on_message(from, msg, out));
                }
            }
            Due::Timer { node, incarnation, timer } => self.fire_timer(node, incarnation, timer),
            Due::Command(cmd) => self.execute(*cmd),
            Due::Narration(n) => {
                let NarrationDue { en, zh_tw, target } = *n;
                self.emit(EventKind::Narration { en, zh_tw, target })
            }
        }
    }

    fn fire_timer(&mut self, node: NodeId, incarnation: u32, timer: TimerKind) {
        match (node, timer) {
            (NodeId::Broker(b), TimerKind::Broker(t)) => {
                let i = b as usize - 1;
                if self.brokers[i].incarnation() == incarnation && self.brokers[i].is_alive() {
                    self.with_broker(i, |br, out| br.on_timer(t, out));
                }
            }
            (NodeId::Producer(p), TimerKind::Producer(t)) => self.with_producer(p as usize - 1, |pr, out| pr.on_timer(t, out)),
            (NodeId::Consumer(c), TimerKind::Consumer(t)) => {
                let i = c as usize - 1;
                if self.consumers[i].incarnation() == incarnation && self.consumers[i].is_alive() {
                    self.with_consumer(i, |co, out| co.on_timer(t, out))
                }
            }
            (NodeId::Controller(n), t @ (TimerKind::Controller(_) | TimerKind::Quorum(_))) => {
                if self.metadata.is_up(n) && self.metadata.incarnation(n) == incarnation {
                    self.with_metadata(n, |m, out| m.on_timer(n, t, out));
                }
            }
            _ => {}
        }
    }

    fn deliver(&mut self, id: u64, from: NodeId, to: NodeId, msg: Box<Message>) {
        match to {
            NodeId::Broker(b) => {
                let i = b as usize - 1;
                if !self.brokers[i].is_alive() {
                    self.emit(EventKind::MessageDropped { msg: id, reason: format!("{to} is down") });
                    return;
                }
                // Requests queue for one of the broker's request handlers (num.io.threads): the cost
                // model turns request count and bytes into handler time, so batching pays.
                let done = self.brokers[i].reserve_handler(self.now, &msg, &self.cost);
                let incarnation = self.brokers[i].incarnation();
                self.schedule(done, Due::Handle { broker: b, incarnation, from, msg });
            }
            NodeId::Producer(p) => {
                let msg = self.boxes.unbox(msg);
                self.with_producer(p as usize - 1, |pr, out| pr.on_message(from, msg, out))
            }
            NodeId::Consumer(c) => {
                if !self.consumers[c as usize - 1].is_alive() {
                    self.emit(EventKind::MessageDropped { msg: id, reason: format!("{to} is down") });
                    return;
                }
                let msg = self.boxes.unbox(msg);
                self.with_consumer(c as usize - 1, |co, out| co.on_message(from, msg, out))
            }
            NodeId::Controller(n) => {
                if !self.metadata.is_up(n) {
                    self.emit(EventKind::MessageDropped { msg: id, reason: format!("{to} is down") });
                    return;
                }
                let msg = self.boxes.unbox(msg);
                self.with_metadata(n, |m, out| m.on_message(n, from, msg, out))
            }
        }
    }

    fn with_broker(&mut self, i: usize, f: impl FnOnce(&mut Broker, &mut Out)) {
        let mut effects = std::mem::take(&mut self.effects);
        f(&mut self.brokers[i], &mut Out::new(self.now, &mut self.rng, &self.cost, &mut effects));
        let node = NodeId::Broker(i as u32 + 1);
        let incarnation = self.brokers[i].incarnation();
        self.carry_out(node, incarnation, effects);
    }

    fn with_producer(&mut self, i: usize, f: impl FnOnce(&mut Producer, &mut Out)) {
        let mut effects = std::mem::take(&mut self.effects);
        f(&mut self.producers[i], &mut Out::new(self.now, &mut self.rng, &self.cost, &mut effects));
        self.carry_out(NodeId::Producer(i as u32 + 1), 0, effects);
    }

    fn with_consumer(&mut self, i: usize, f: impl FnOnce(&mut Consumer, &mut Out)) {
        let mut effects = std::mem::take(&mut self.effects);
        f(&mut self.consumers[i], &mut Out::new(self.now, &mut self.rng, &self.cost, &mut effects));
        let incarnation = self.consumers[i].incarnation();
        self.carry_out(NodeId::Consumer(i as u32 + 1), incarnation, effects);
    }

    fn with_metadata(&mut self, n: u32, f: impl FnOnce(&mut Metadata, &mut Out)) {
        let mut effects = std::mem::take(&mut self.effects);
        f(&mut self.metadata, &mut Out::new(self.now, &mut self.rng, &self.cost, &mut effects));
        let incarnation = self.metadata.incarnation(n);
        self.carry_out(NodeId::Controller(n), incarnation, effects);
    }

    fn carry_out(&mut self, node: NodeId, incarnation: u32, mut effects: Vec<Effect>) {
        for effect in effects.drain(..) {
            match effect {
                Effect::Emit(kind) => self.emit(kind),
                Effect::Timer { at, timer } => self.schedule(at, Due::Timer { node, incarnation, timer }),
                Effect::Send { to, msg } => self.send(node, to, msg, self.now),
                Effect::SendAt { at, to, msg } => self.send(node, to, msg, at),
                Effect::OfferIdle { to, id, msg } => self.offer_idle(node, to, id, msg),
            }
        }
        self.effects = effects;
    }

    /// Puts a message on the link `from -> to`; it starts leaving at `start` (now, or when the
    /// sender's network thread is done with it).
    fn send(&mut self, from: NodeId, to: NodeId, msg: Message, start: Micros) {
        self.next_msg += 1;
        let id = self.next_msg;
        let bytes = msg.wire_bytes();
        let kind = msg.kind();
        match self.net.send(&self.cost, from, to, bytes, start) {
            crate::net::link::Transit::Arrives(at) => {
                self.emit(EventKind::MessageSent { msg: id, from, to, kind, bytes: bytes as u32, arrive_at_us: at });
                let msg = self.boxes.boxed(msg);
                self.schedule(at, Due::Deliver { id, from, to, msg });
            }
            crate::net::link::Transit::Cut => {
                self.emit(EventKind::MessageSent { msg: id, from, to, kind, bytes: bytes as u32, arrive_at_us: self.now });
                self.emit(EventKind::MessageDropped { msg: id, reason: format!("link {from} -> {to} is cut") });
            }
        }
    }
}
