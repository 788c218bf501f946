//! The metadata layer as the simulation sees it: ZooKeeper (`controller-0`, kafka-3.6) or the KRaft
//! controller quorum (`controller-1..=N`, kafka-4.0). Routes messages and timers to its nodes.

use super::kraft::QuorumNode;
use super::zookeeper::ZooKeeper;
use super::Controller;
use crate::actor::{Out, TimerKind};
use crate::config::{Overrides, Profile, Resolver, Scope};
use crate::ids::{NodeId, TopicPartition};
use crate::net::{Message, PartitionState};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// ZooKeeper or the KRaft quorum.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Metadata {
    /// kafka-3.6: one always-up ZooKeeper node; the controller runs on a broker.
    ZooKeeper(ZooKeeper),
    /// kafka-4.0: the controller nodes, `nodes[i]` being `controller-(i+1)`.
    Kraft(Vec<QuorumNode>),
}

/// The metadata node ids of a scenario: `[0]` for ZooKeeper, `1..=controller.quorum.voters.count` for KRaft.
pub fn node_ids(scenario: &Scenario) -> Vec<u32> {
    match scenario.profile {
        Profile::Kafka36 => vec![0],
        Profile::Kafka40 => {
            let none = Overrides::default();
            let voters = Resolver::new(scenario.profile, Scope::Broker, &scenario.cluster.config.0, &none).uint("controller.quorum.voters.count");
            (1..=voters as u32).collect()
        }
    }
}

impl Metadata {
    /// The scenario's metadata layer holding `initial` (the placed topics, every broker registered).
    pub fn new(scenario: &Scenario, initial: Controller) -> Metadata {
        let none = Overrides::default();
        let b = Resolver::new(scenario.profile, Scope::Broker, &scenario.cluster.config.0, &none);
        match scenario.profile {
            Profile::Kafka36 => Metadata::ZooKeeper(ZooKeeper::new(initial, b.uint("zookeeper.session.timeout.ms"))),
            Profile::Kafka40 => {
                let ids = node_ids(scenario);
                let (election, fetch) = (b.uint("controller.quorum.election.timeout.ms"), b.uint("controller.quorum.fetch.timeout.ms"));
                let nodes = ids.iter().map(|&id| QuorumNode::new(id, ids.len() as u32, initial.clone(), election, fetch)).collect();
                Metadata::Kraft(nodes)
            }
        }
    }

    /// The committed partition states: ZooKeeper's, or the most advanced committed KRaft image.
    pub fn partitions(&self) -> &std::collections::BTreeMap<TopicPartition, PartitionState> {
        match self {
            Metadata::ZooKeeper(zk) => zk.partitions(),
            Metadata::Kraft(nodes) => match nodes.iter().max_by_key(|n| n.applied()) {
                Some(n) => n.image().partitions(),
                None => empty(),
            },
        }
    }

    /// Where the active controller runs now, if anywhere.
    pub fn active_controller(&self) -> Option<NodeId> {
        match self {
            Metadata::ZooKeeper(zk) => zk.controller().map(NodeId::Broker),
            Metadata::Kraft(nodes) => nodes.iter().find(|n| n.is_leader()).map(|n| NodeId::Controller(n.id())),
        }
    }

    /// ZooKeeper mode: the controller epoch `/controller` was last claimed with.
    pub fn zk_controller_epoch(&self) -> Option<u32> {
        match self {
            Metadata::ZooKeeper(zk) => Some(zk.controller_epoch()),
            Metadata::Kraft(_) => None,
        }
    }

    /// KRaft: runs `f` on the active controller of leader node `n` (its records and held effects
    /// as for any decision); false if `n` is not the leader.
    pub fn run_active(&mut self, n: u32, f: impl FnOnce(&mut Controller, &mut Out), out: &mut Out) -> bool {
        self.node_mut(n).is_some_and(|q| q.run_active(f, out))
    }

    /// The KRaft nodes (empty on ZooKeeper), for inspection.
    pub fn quorum(&self) -> &[QuorumNode] {
        match self {
            Metadata::ZooKeeper(_) => &[],
            Metadata::Kraft(nodes) => nodes,
        }
    }

    fn node_mut(&mut self, n: u32) -> Option<&mut QuorumNode> {
        match self {
            Metadata::Kraft(nodes) => nodes.get_mut((n as usize).checked_sub(1)?),
            Metadata::ZooKeeper(_) => None,
        }
    }

    /// True if metadata node `n` exists and runs.
    pub fn is_up(&self, n: u32) -> bool {
        match self {
            Metadata::ZooKeeper(_) => n == 0,
            Metadata::Kraft(nodes) => (n as usize).checked_sub(1).and_then(|i| nodes.get(i)).is_some_and(|q| q.is_alive()),
        }
    }

    /// Node `n`'s incarnation (timers of an earlier life are dropped).
    pub fn incarnation(&self, n: u32) -> u32 {
        match self {
            Metadata::ZooKeeper(_) => 0,
            Metadata::Kraft(nodes) => (n as usize).checked_sub(1).and_then(|i| nodes.get(i)).map_or(0, |q| q.incarnation()),
        }
    }

    /// Starts node `n` (ZooKeeper also announces the topics).
    pub fn start(&mut self, n: u32, out: &mut Out) {
        match self {
            Metadata::ZooKeeper(zk) => zk.start(out),
            Metadata::Kraft(_) => {
                if let Some(q) = self.node_mut(n).filter(|q| !q.is_alive()) {
                    q.start(out);
                }
            }
        }
    }

    /// Announces the topics (KRaft: once, from the bootstrap snapshot).
    pub fn announce(&mut self, out: &mut Out) {
        if let Metadata::Kraft(nodes) = self {
            let mut image = nodes.first().map(|n| n.image().clone());
            if let Some(i) = image.as_mut() {
                i.announce_topics(out);
            }
        }
    }

    /// ZooKeeper: the broker already holding `/controller` at time zero and its hand-over message.
    pub fn bootstrap_controller(&mut self) -> Option<(crate::ids::BrokerId, Message)> {
        match self {
            Metadata::ZooKeeper(zk) => zk.bootstrap_controller(),
            Metadata::Kraft(_) => None,
        }
    }

    /// Stops KRaft node `n`; returns false if it was not running (ZooKeeper never stops).
    pub fn stop(&mut self, n: u32) -> bool {
        match self.node_mut(n) {
            Some(q) if q.is_alive() => {
                q.stop();
                true
            }
            _ => false,
        }
    }

    /// Delivers a message to node `n`.
    pub fn on_message(&mut self, n: u32, from: NodeId, msg: Message, out: &mut Out) {
        match self {
            Metadata::ZooKeeper(zk) => zk.on_message(from, msg, out),
            Metadata::Kraft(_) => {
                if let Some(q) = self.node_mut(n) {
                    q.on_message(from, msg, out)
                }
            }
        }
    }

    /// Fires a timer of node `n`.
    pub fn on_timer(&mut self, n: u32, timer: TimerKind, out: &mut Out) {
        match (self, timer) {
            (Metadata::ZooKeeper(zk), TimerKind::Controller(t)) => zk.on_timer(t, out),
            (m @ Metadata::Kraft(_), TimerKind::Quorum(t)) => {
                if let Some(q) = m.node_mut(n) {
                    q.on_timer(t, out)
                }
            }
            _ => {}
        }
    }
}

fn empty() -> &'static std::collections::BTreeMap<TopicPartition, PartitionState> {
    static EMPTY: std::collections::BTreeMap<TopicPartition, PartitionState> = std::collections::BTreeMap::new();
    &EMPTY
}
