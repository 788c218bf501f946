//! What a host of the state machine needs from it: activation on a node with an epoch, ZooKeeper's
//! broker list, and the metadata records that describe a change (for the KRaft log or ZooKeeper).
//! The election rules themselves stay in `election.rs`.

use super::{policy::Policy, reassign::Reassignment, Controller, ControllerTimer, Registration};
use crate::ids::TopicPartition;
use crate::vec_map::VecMap;
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId};
use crate::net::PartitionState;
use crate::time::ms;
use serde::{Deserialize, Serialize};

/// An effect of a hosted controller waiting until its metadata write is durable (committed to the
/// KRaft log, or acknowledged by ZooKeeper).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Held {
    /// A message to send.
    Send { to: NodeId, msg: crate::net::Message },
    /// An event to emit.
    Emit(EventKind),
}

impl Held {
    /// Carries the effect out now.
    pub fn release(self, out: &mut Out) {
        match self {
            Held::Send { to, msg } => out.send(to, msg),
            Held::Emit(kind) => out.emit(kind),
        }
    }
}

/// One record of the KRaft metadata log (`__cluster_metadata`), reduced to what the model uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MetaRecord {
    /// A new leader's first record of its epoch (LeaderChangeMessage).
    LeaderChange { leader: u32 },
    /// A partition's state: PartitionRecord at creation, PartitionChangeRecord afterwards.
    PartitionChange(PartitionState),
    /// A broker (re)registered with this incarnation, unfenced (RegisterBrokerRecord).
    RegisterBroker { broker: BrokerId, incarnation: u32 },
    /// A broker was fenced (BrokerRegistrationChangeRecord with fenced=true).
    FenceBroker { broker: BrokerId },
    /// The rest of the controller's state after a change to it: topic settings, the election and
    /// rebalance policy, ELR sets and reassignments in progress. Simplification: Kafka spreads these
    /// over TopicRecord/ConfigRecord and the PartitionChangeRecord fields (eligibleLeaderReplicas,
    /// addingReplicas/removingReplicas); here the whole [`ControllerExtras`] value is written as one
    /// record whenever it changed, so a new leader's image (snapshot + committed records) has it.
    ControllerState(Box<ControllerExtras>),
}

/// The part of [`Controller`] that is neither partition states nor broker registrations; carried
/// to a new active controller in the KRaft log ([`MetaRecord::ControllerState`]) or in ZooKeeper
/// (`ZkWrite::state`, then the hand-over that copies all of ZooKeeper's [`Controller`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerExtras {
    unclean: VecMap<String, bool>,
    policy: Policy,
    elr: VecMap<TopicPartition, Vec<BrokerId>>,
    reassignments: VecMap<TopicPartition, Reassignment>,
}

impl Controller {
    /// Emits the creation of the scenario's topics and their first leaders (once, at time zero).
    pub fn announce_topics(&mut self, out: &mut Out) {
        for (topic, assignment) in std::mem::take(&mut self.created) {
            let rf = assignment.first().map_or(0, |r| r.len() as u32);
            out.emit(EventKind::TopicCreated { topic: topic.into(), replication_factor: rf, assignment });
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
    }

    /// A copy of the state outside partitions and registrations.
    pub fn extras(&self) -> ControllerExtras {
        ControllerExtras {
            unclean: self.unclean.clone(),
            policy: self.policy.clone(),
            elr: self.elr.clone(),
            reassignments: self.reassignments.clone(),
        }
    }

    /// True if the state outside partitions and registrations differs from `other`'s.
    pub fn extras_differ(&self, other: &Controller) -> bool {
        self.unclean != other.unclean || self.policy != other.policy || self.elr != other.elr || self.reassignments != other.reassignments
    }

    /// Replaces the state outside partitions and registrations.
    pub fn set_extras(&mut self, x: ControllerExtras) {
        self.unclean = x.unclean;
        self.policy = x.policy;
        self.elr = x.elr;
        self.reassignments = x.reassignments;
    }

    /// The controller epoch this state machine stamps on LeaderAndIsr.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Becomes the active controller on `node` with `epoch`: gives every registered broker a fresh
    /// session, fails over partitions led by brokers that are gone, and pushes the whole state.
    /// `heartbeats`: the controller itself times out brokers (KRaft) instead of ZooKeeper doing it.
    pub fn activate(&mut self, node: NodeId, epoch: u32, heartbeats: bool, out: &mut Out) {
        self.epoch = epoch;
        // A new controller opens new channels: what an old one still awaited is in the broadcast below.
        self.channels = Default::default();
        out.emit(EventKind::ControllerElected { node, epoch });
        for r in self.brokers.values_mut() {
            r.last_heartbeat = out.now;
        }
        let live = self.live_brokers();
        let dead_leaders: crate::vec_map::VecSet<BrokerId> =
            self.partitions.values().filter_map(|s| s.leader).filter(|b| !live.contains(b)).collect();
        for b in dead_leaders {
            self.on_broker_failure(b, out);
        }
        let revivable: crate::vec_map::VecSet<BrokerId> = self
            .partitions
            .values()
            .filter(|s| s.leader.is_none())
            .flat_map(|s| s.replicas.iter().copied())
            .filter(|b| live.contains(b))
            .collect();
        for b in revivable {
            self.on_broker_startup(b, out);
        }
        let all: Vec<PartitionState> = self.partitions.values().cloned().collect();
        self.broadcast(all, out);
        if heartbeats {
            out.timer(out.now + ms(1_000), TimerKind::Controller(ControllerTimer::LivenessCheck));
        }
        // The timers `Controller::start` arms belong to whichever node is the active controller now
        // (the host routes them: KRaft `QuorumTimer::Active`, ZooKeeper mode `BrokerTimer::HostedController`).
        self.arm_rebalance(out);
    }

    /// Sets the registrations to exactly these (broker, incarnation) sessions, without elections
    /// (what a new controller reads from ZooKeeper before it activates).
    pub fn set_registrations(&mut self, live: &[(BrokerId, u32)]) {
        for r in self.brokers.values_mut() {
            r.live = false;
        }
        for &(b, incarnation) in live {
            self.brokers.insert(b, Registration { incarnation, last_heartbeat: 0, live: true });
        }
    }

    /// ZooKeeper's watch on `/brokers/ids` fired: brokers whose session is gone fail over, new or
    /// restarted ones start up (the same handlers the heartbeat path uses).
    pub fn on_live_brokers(&mut self, live: &[(BrokerId, u32)], out: &mut Out) {
        let gone: Vec<BrokerId> =
            self.brokers.iter().filter(|(b, r)| r.live && !live.iter().any(|(l, _)| l == *b)).map(|(&b, _)| b).collect();
        for b in gone {
            self.on_broker_failure(b, out);
        }
        for &(b, incarnation) in live {
            let known = self.brokers.get(&b).cloned();
            if known.as_ref().is_some_and(|r| r.live && r.incarnation == incarnation) {
                continue;
            }
            if known.is_some_and(|r| r.live) {
                self.on_broker_failure(b, out);
            }
            self.brokers.insert(b, Registration { incarnation, last_heartbeat: out.now, live: true });
            self.on_broker_startup(b, out);
        }
    }

    /// The registered brokers as (id, incarnation, unfenced).
    pub fn registrations(&self) -> Vec<(BrokerId, u32, bool)> {
        self.brokers.iter().map(|(&b, r)| (b, r.incarnation, r.live)).collect()
    }

    /// The records that turn `before` into `self` (partition changes, registrations, fencing).
    pub fn records_since(&self, before: &Controller) -> Vec<MetaRecord> {
        let mut recs = Vec::new();
        for (b, r) in &self.brokers {
            let old = before.brokers.get(b);
            if r.live && old.is_none_or(|o| !o.live || o.incarnation != r.incarnation) {
                recs.push(MetaRecord::RegisterBroker { broker: *b, incarnation: r.incarnation });
            } else if !r.live && old.is_some_and(|o| o.live) {
                recs.push(MetaRecord::FenceBroker { broker: *b });
            }
        }
        for (tp, s) in &self.partitions {
            if before.partitions.get(tp) != Some(s) {
                recs.push(MetaRecord::PartitionChange(s.clone()));
            }
        }
        if self.extras_differ(before) {
            recs.push(MetaRecord::ControllerState(Box::new(self.extras())));
        }
        recs
    }

    /// Applies one committed metadata record to this image.
    pub fn apply(&mut self, rec: &MetaRecord) {
        match rec {
            MetaRecord::LeaderChange { .. } => {}
            MetaRecord::PartitionChange(s) => {
                self.partitions.insert(s.tp.clone(), s.clone());
            }
            MetaRecord::RegisterBroker { broker, incarnation } => {
                self.brokers.insert(*broker, Registration { incarnation: *incarnation, last_heartbeat: 0, live: true });
            }
            MetaRecord::FenceBroker { broker } => {
                if let Some(r) = self.brokers.get_mut(broker) {
                    r.live = false;
                }
            }
            MetaRecord::ControllerState(x) => self.set_extras((**x).clone()),
        }
    }

    /// Replaces partition states with ones written elsewhere (ZooKeeper's `/brokers/topics/.../state`).
    pub fn store_partitions(&mut self, states: Vec<PartitionState>) {
        for s in states {
            // A late retransmission never overwrites a newer state (the znode version check).
            let newer = self.partitions.get(&s.tp).is_none_or(|o| (s.leader_epoch, s.partition_epoch) >= (o.leader_epoch, o.partition_epoch));
            if newer {
                self.partitions.insert(s.tp.clone(), s);
            }
        }
    }
}
