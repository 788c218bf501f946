//! The broker's side of the controller (kafka-facts.md §10): which controller it listens to (the
//! highest controller epoch wins; LeaderAndIsr from an older epoch is ignored), where its heartbeats
//! go (ZooKeeper pings to `controller-0` on kafka-3.6; on kafka-4.0 the active KRaft controller,
//! found by asking any controller and following NOT_CONTROLLER), and, on kafka-3.6, hosting the
//! active controller when this broker won ZooKeeper's `/controller` znode.

use super::Broker;
use crate::actor::Out;
use crate::config::Profile;
use crate::controller::Controller;
use crate::ids::NodeId;
use crate::net::{Message, PartitionState};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// What a broker knows about the controller.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ControllerLink {
    kraft: bool,
    voters: u32,
    /// The highest controller epoch accepted.
    epoch: u32,
    /// The active controller that epoch came from.
    node: Option<NodeId>,
    /// KRaft: the controller node heartbeats go to.
    target: u32,
    /// KRaft: the last heartbeat is unanswered.
    awaiting: bool,
    /// KRaft: a NOT_CONTROLLER redirect was already followed since the last scheduled heartbeat.
    redirected: bool,
    /// ZooKeeper mode: the controller this broker runs after winning `/controller`.
    hosted: Option<Box<Controller>>,
}

impl ControllerLink {
    /// The link of a scenario's broker.
    pub fn new(scenario: &Scenario) -> ControllerLink {
        let ids = crate::controller::quorum::node_ids(scenario);
        ControllerLink {
            kraft: scenario.profile == Profile::Kafka40,
            voters: ids.len() as u32,
            target: ids.first().copied().unwrap_or(0),
            ..ControllerLink::default()
        }
    }

    /// Forgets everything volatile (a restart).
    pub fn reset(&mut self) {
        self.epoch = 0;
        self.node = None;
        self.awaiting = false;
        self.redirected = false;
        self.hosted = None;
    }

    /// The active controller as last heard, if any.
    pub fn active(&self) -> Option<NodeId> {
        self.node
    }

    fn next_target(&self) -> u32 {
        self.target % self.voters.max(1) + 1
    }
}

impl Broker {
    /// Where the next heartbeat goes (KRaft: on to the next controller if the last went unanswered).
    pub(super) fn heartbeat_target(&mut self) -> NodeId {
        if !self.ctl.kraft {
            return NodeId::Controller(0);
        }
        if self.ctl.awaiting {
            self.ctl.target = self.ctl.next_target();
        }
        self.ctl.awaiting = true;
        self.ctl.redirected = false;
        NodeId::Controller(self.ctl.target)
    }

    /// Accepts LeaderAndIsr only from the newest controller epoch; a newer epoch resets in-flight
    /// ISR changes (they went to the old controller) and retires this broker's own old controller.
    pub(super) fn accept_controller(&mut self, from: NodeId, epoch: u32) -> bool {
        if epoch < self.ctl.epoch {
            return false;
        }
        if epoch > self.ctl.epoch {
            for r in self.replicas.values_mut() {
                r.pending_isr = None;
            }
            if from != NodeId::Broker(self.id) {
                self.ctl.hosted = None;
            }
            self.ctl.epoch = epoch;
        }
        self.ctl.node = Some(from);
        true
    }

    /// Messages about the controller that are not LeaderAndIsr.
    pub(super) fn on_controller_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::HeartbeatResponse { ok, leader } => {
                self.ctl.awaiting = false;
                if ok {
                    return;
                }
                let hint = leader.filter(|&l| l != self.ctl.target);
                self.ctl.target = hint.unwrap_or_else(|| self.ctl.next_target());
                if hint.is_some() && !self.ctl.redirected {
                    self.ctl.redirected = true;
                    self.ctl.awaiting = true;
                    out.send(NodeId::Controller(self.ctl.target), Message::Heartbeat { broker: self.id, incarnation: self.incarnation });
                }
            }
            Message::ZkBecomeController { epoch, znodes } if epoch >= self.ctl.epoch && from == NodeId::Controller(0) => {
                self.ctl.hosted = Some(znodes);
                let node = NodeId::Broker(self.id);
                self.run_hosted(out, |c, o| c.activate(node, epoch, false, o));
            }
            Message::ZkBrokersChanged { epoch, live } if self.ctl.hosted.as_ref().is_some_and(|c| c.epoch() == epoch) => {
                self.run_hosted(out, |c, o| c.on_live_brokers(&live, o));
            }
            m @ Message::AlterPartition { .. } => self.run_hosted(out, |c, o| c.on_message(from, m, o)),
            _ => {}
        }
    }

    /// Runs the hosted controller, then writes the partition states it changed to ZooKeeper.
    fn run_hosted(&mut self, out: &mut Out, f: impl FnOnce(&mut Controller, &mut Out)) {
        let Some(mut c) = self.ctl.hosted.take() else { return };
        let before = c.partitions().clone();
        f(&mut c, out);
        let changed: Vec<PartitionState> = c.partitions().values().filter(|s| before.get(&s.tp) != Some(*s)).cloned().collect();
        if !changed.is_empty() {
            out.send(NodeId::Controller(0), Message::ZkWrite { epoch: c.epoch(), partitions: changed });
        }
        self.ctl.hosted = Some(c);
    }
}
