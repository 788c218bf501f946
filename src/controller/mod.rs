//! The controller: replica placement, leader election, metadata.
//!
//! [`Controller`] is the partition state machine. Where it runs depends on the profile: on kafka-3.6
//! on the broker that won ZooKeeper's `/controller` znode ([`zookeeper`]), on kafka-4.0 on the leader
//! of the KRaft quorum ([`kraft`]). [`quorum::Metadata`] is the simulation's handle on either.

mod admin;
mod channel;
mod election;
mod elr;
pub mod policy;
mod reassign;
mod rebalance;

mod hosting;
pub mod kraft;
pub mod quorum;
pub mod zookeeper;

pub use hosting::{ControllerExtras, Held, MetaRecord};
pub use channel::PartitionAck;
pub use reassign::Reassignment;

use crate::actor::{Out, TimerKind};
use crate::config::{Overrides, Profile, Resolver, Scope};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, Topic, TopicPartition};
use crate::net::{ErrorCode, Message, PartitionState};
use crate::scenario::Scenario;
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// Controller timers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ControllerTimer {
    /// Check broker sessions / heartbeats for expiry.
    LivenessCheck,
    /// The auto leader rebalance's imbalance check (`leader.imbalance.check.interval.seconds`).
    LeaderRebalance,
    /// Resend LeaderAndIsr pushes no broker acknowledged (the controller's channel, [`channel`]).
    ResendLeaderAndIsr,
}

/// A broker as the metadata quorum sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Registration {
    incarnation: u32,
    last_heartbeat: Micros,
    live: bool,
}

/// The metadata quorum with the active controller: ZooKeeper plus the controller broker on
/// kafka-3.6, the KRaft quorum on kafka-4.0. Modelled as one always-available node
/// (`controller-0`); brokers reach it over the network, so cutting that link fences a broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    profile: Profile,
    epoch: u32,
    session_timeout_ms: u64,
    unclean: VecMap<String, bool>,
    brokers: VecMap<BrokerId, Registration>,
    partitions: std::collections::BTreeMap<TopicPartition, PartitionState>,
    created: Vec<(Topic, Vec<Vec<BrokerId>>)>,
    /// Election, rebalance and per-topic settings.
    #[serde(default)]
    policy: policy::Policy,
    /// Eligible Leader Replicas per partition (KIP-966; only non-empty sets are kept).
    #[serde(default)]
    elr: VecMap<TopicPartition, Vec<BrokerId>>,
    /// Reassignments in progress (KIP-455).
    #[serde(default)]
    reassignments: VecMap<TopicPartition, reassign::Reassignment>,
    /// LeaderAndIsr pushes awaiting each broker's acknowledgement.
    #[serde(default)]
    channels: channel::Channels,
}

impl Controller {
    /// Places the scenario's topics (AdminUtils, seeded) and prepares the initial state.
    pub fn new(scenario: &Scenario, rng: &mut crate::rng::SimRng) -> Result<Controller, String> {
        let none = Overrides::default();
        let broker_cfg = &scenario.cluster.config.0;
        let b = Resolver::new(scenario.profile, Scope::Broker, broker_cfg, &none);
        let session_timeout_ms = match scenario.profile {
            Profile::Kafka36 => b.uint("zookeeper.session.timeout.ms"),
            Profile::Kafka40 => b.uint("broker.session.timeout.ms"),
        };
        let broker_ids: Vec<BrokerId> = (1..=scenario.cluster.brokers).collect();
        let mut partitions = std::collections::BTreeMap::new();
        let mut created = Vec::new();
        let mut unclean = VecMap::new();
        for (i, t) in scenario.topics.iter().enumerate() {
            let rf = t.replication_factor.unwrap_or_else(|| b.uint("default.replication.factor") as u32);
            let assignment = match &t.assignment {
                Some(a) => a.clone(),
                None => placement::assign_replicas_to_brokers(&broker_ids, t.partitions, rf, None, None, rng)
                    .map_err(|e| format!("topics[{i}]: {e}"))?,
            };
            for (p, replicas) in assignment.iter().enumerate() {
                let tp = TopicPartition::new(t.name.clone(), p as u32);
                let state = PartitionState {
                    tp: tp.clone(),
                    leader: replicas.first().copied(),
                    leader_epoch: 0,
                    isr: replicas.clone(),
                    replicas: replicas.clone(),
                    partition_epoch: 0,
                };
                partitions.insert(tp, state);
            }
            let tr = Resolver::new(scenario.profile, Scope::Topic, &t.config.0, broker_cfg);
            unclean.insert(t.name.to_string(), tr.bool("unclean.leader.election.enable"));
            created.push((t.name.clone(), assignment));
        }
        // The group coordinators' internal topic, when some consumer has a group.id (kafka-facts §6).
        let has_groups = scenario
            .consumers
            .iter()
            .any(|c| !Resolver::new(scenario.profile, Scope::Consumer, &c.config.0, &none).text("group.id").is_empty());
        if has_groups && !scenario.topics.iter().any(|t| t.name == crate::consumer::OFFSETS_TOPIC) {
            let n = b.uint("offsets.topic.num.partitions").max(1) as u32;
            let rf = (b.uint("offsets.topic.replication.factor") as u32).clamp(1, scenario.cluster.brokers.max(1));
            let assignment = placement::assign_replicas_to_brokers(&broker_ids, n, rf, None, None, rng)
                .map_err(|e| format!("{}: {e}", crate::consumer::OFFSETS_TOPIC))?;
            for (p, replicas) in assignment.iter().enumerate() {
                let tp = TopicPartition::new(crate::consumer::OFFSETS_TOPIC, p as u32);
                let state = PartitionState {
                    tp: tp.clone(),
                    leader: replicas.first().copied(),
                    leader_epoch: 0,
                    isr: replicas.clone(),
                    replicas: replicas.clone(),
                    partition_epoch: 0,
                };
                partitions.insert(tp, state);
            }
            unclean.insert(crate::consumer::OFFSETS_TOPIC.to_string(), false);
            created.push((crate::consumer::OFFSETS_TOPIC.into(), assignment));
        }
        let brokers = broker_ids
            .iter()
            .map(|&id| (id, Registration { incarnation: 1, last_heartbeat: 0, live: true }))
            .collect();
        Ok(Controller {
            profile: scenario.profile,
            epoch: 1,
            session_timeout_ms,
            unclean,
            brokers,
            partitions,
            created,
            policy: policy::Policy::from_scenario(scenario),
            elr: VecMap::new(),
            reassignments: VecMap::new(),
            channels: channel::Channels::default(),
        })
    }

    /// The controller's current state of every partition.
    pub fn partitions(&self) -> &std::collections::BTreeMap<TopicPartition, PartitionState> {
        &self.partitions
    }

    /// Announces the topics and their leaders and starts watching broker sessions.
    pub fn start(&mut self, out: &mut Out) {
        out.emit(EventKind::ControllerElected { node: NodeId::Controller(0), epoch: self.epoch });
        for (topic, assignment) in std::mem::take(&mut self.created) {
            let rf = assignment.first().map_or(0, |r| r.len() as u32);
            out.emit(EventKind::TopicCreated { topic, replication_factor: rf, assignment });
        }
        for s in self.partitions.values() {
            out.emit(EventKind::LeaderElected {
                topic: s.tp.topic.clone(),
                partition: s.tp.partition,
                leader: s.leader,
                leader_epoch: s.leader_epoch,
                isr: s.isr.clone(),
                unclean: false,
            });
        }
        let all: Vec<PartitionState> = self.partitions.values().cloned().collect();
        self.broadcast(all, out);
        out.timer(out.now + ms(1_000), TimerKind::Controller(ControllerTimer::LivenessCheck));
        self.arm_rebalance(out);
    }

    /// Handles heartbeats and ISR change requests.
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::Heartbeat { broker, incarnation } => self.on_heartbeat(broker, incarnation, out),
            Message::AlterPartition { broker, tp, leader_epoch, partition_epoch, new_isr } => {
                self.on_alter_partition(broker, tp, leader_epoch, partition_epoch, new_isr, out)
            }
            Message::LeaderAndIsrResponse { controller_epoch, acked } => self.on_leader_and_isr_response(from, controller_epoch, acked),
            _ => {}
        }
    }

    /// Handles the liveness check and leader rebalance timers.
    pub fn on_timer(&mut self, timer: ControllerTimer, out: &mut Out) {
        match timer {
            ControllerTimer::LivenessCheck => {
                let timeout = ms(self.session_timeout_ms);
                let expired: Vec<BrokerId> = self
                    .brokers
                    .iter()
                    .filter(|(_, r)| r.live && out.now.saturating_sub(r.last_heartbeat) > timeout)
                    .map(|(&b, _)| b)
                    .collect();
                for b in expired {
                    self.on_broker_failure(b, out);
                }
                out.timer(out.now + ms(1_000), TimerKind::Controller(ControllerTimer::LivenessCheck));
            }
            ControllerTimer::LeaderRebalance => {
                self.check_leader_imbalance(out);
                self.arm_rebalance(out);
            }
            ControllerTimer::ResendLeaderAndIsr => self.resend_unacked(out),
        }
    }

    fn live_brokers(&self) -> Vec<BrokerId> {
        self.brokers.iter().filter(|(_, r)| r.live).map(|(&b, _)| b).collect()
    }

    fn on_heartbeat(&mut self, broker: BrokerId, incarnation: u32, out: &mut Out) {
        let reg = self.brokers.entry(broker).or_insert(Registration { incarnation, last_heartbeat: out.now, live: false });
        let restarted = reg.incarnation != incarnation;
        reg.last_heartbeat = out.now;
        if reg.live && !restarted {
            return;
        }
        if reg.live && restarted {
            // A new incarnation before the old session expired: fence the old one first.
            self.on_broker_failure(broker, out);
        }
        let reg = self.brokers.get_mut(&broker).expect("inserted");
        reg.incarnation = incarnation;
        reg.live = true;
        self.on_broker_startup(broker, out);
    }

    fn on_alter_partition(
        &mut self,
        broker: BrokerId,
        tp: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<BrokerId>,
        out: &mut Out,
    ) {
        let live = self.live_brokers();
        let Some(state) = self.partitions.get_mut(&tp) else { return };
        let stale = state.leader != Some(broker) || state.leader_epoch != leader_epoch || state.partition_epoch != partition_epoch;
        // An expansion may only add live (unfenced) brokers.
        let invalid = new_isr.is_empty() || new_isr.iter().any(|b| !state.isr.contains(b) && !live.contains(b));
        if stale || invalid {
            let reply = Message::AlterPartitionResponse { error: ErrorCode::InvalidUpdateVersion, state: state.clone() };
            out.send(NodeId::Broker(broker), reply);
            return;
        }
        let old_isr = std::mem::replace(&mut state.isr, new_isr);
        state.partition_epoch += 1;
        let state = state.clone();
        out.emit(EventKind::IsrChanged { topic: tp.topic.clone(), partition: tp.partition, isr: state.isr.clone() });
        out.send(NodeId::Broker(broker), Message::AlterPartitionResponse { error: ErrorCode::None, state: state.clone() });
        self.broadcast(vec![state], out);
        self.track_elr(&tp, &old_isr, false, out);
        self.maybe_complete_reassignment(&tp, out);
    }

    /// Sends changed partition states to every live broker (LeaderAndIsr + UpdateMetadata in one).
    fn broadcast(&mut self, partitions: Vec<PartitionState>, out: &mut Out) {
        if partitions.is_empty() {
            return;
        }
        let live = self.live_brokers();
        for &b in &live {
            self.push(b, &live, partitions.clone(), out);
        }
    }
}

pub mod placement;
