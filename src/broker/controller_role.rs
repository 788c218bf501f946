//! The broker's side of the controller (kafka-facts.md §10): which controller it listens to (the
//! highest controller epoch wins; LeaderAndIsr from an older epoch is ignored), where its heartbeats
//! go (ZooKeeper pings to `controller-0` on kafka-3.6; on kafka-4.0 the active KRaft controller,
//! found by asking any controller and following NOT_CONTROLLER), and, on kafka-3.6, hosting the
//! active controller when this broker won ZooKeeper's `/controller` znode.

use super::Broker;
use crate::actor::{Effect, Out};
use crate::config::Profile;
use crate::controller::{Controller, ControllerExtras, ControllerTimer, Held};
use crate::ids::NodeId;
use crate::net::{Message, PartitionState};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

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
    /// ZooKeeper mode: the last write's sequence number.
    zk_seq: u64,
    /// ZooKeeper mode: writes not yet acknowledged (resent with every ping): partition states and,
    /// if it changed, the rest of the controller's state.
    unacked: VecMap<u64, (Vec<PartitionState>, Option<Box<ControllerExtras>>)>,
    /// ZooKeeper mode: the hosted controller's pushes and events, each waiting for a write.
    held: Vec<(u64, Held)>,
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
        self.resign();
    }

    /// Stops being the controller: what was not written to ZooKeeper never happened.
    fn resign(&mut self) {
        self.hosted = None;
        self.unacked.clear();
        self.held.clear();
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
                self.ctl.resign();
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
                if self.ctl.hosted.as_ref().is_none_or(|c| c.epoch() < epoch) {
                    self.ctl.resign();
                    self.ctl.hosted = Some(znodes);
                    let node = NodeId::Broker(self.id);
                    self.run_hosted(out, |c, o| c.activate(node, epoch, false, o));
                }
                // Claim the epoch in ZooKeeper (also tells it the hand-over arrived; seq 0 is untracked).
                out.send(NodeId::Controller(0), Message::ZkWrite { epoch, seq: 0, partitions: Vec::new(), state: None });
            }
            Message::ZkBrokersChanged { epoch, live } if self.ctl.hosted.as_ref().is_some_and(|c| c.epoch() == epoch) => {
                self.run_hosted(out, |c, o| c.on_live_brokers(&live, o));
            }
            m @ (Message::AlterPartition { .. } | Message::LeaderAndIsrResponse { .. }) => self.run_hosted(out, |c, o| c.on_message(from, m, o)),
            Message::ZkWriteResponse { seq, ok } if from == NodeId::Controller(0) && self.ctl.hosted.is_some() => {
                if !ok {
                    // BADVERSION on the controller epoch: another broker is the controller now.
                    return self.ctl.resign();
                }
                self.ctl.unacked.remove(&seq);
                self.release_held(out);
            }
            _ => {}
        }
    }

    /// Runs the hosted controller and writes the partition states it changed to ZooKeeper; its
    /// LeaderAndIsr pushes, answers and events wait for ZooKeeper to acknowledge (as KafkaController
    /// writes ZooKeeper before it tells brokers), so a controller cut off from ZooKeeper decides nothing.
    fn run_hosted(&mut self, out: &mut Out, f: impl FnOnce(&mut Controller, &mut Out)) {
        let Some(mut c) = self.ctl.hosted.take() else { return };
        let before = (*c).clone();
        let mut effects = Vec::new();
        f(&mut c, &mut Out::new(out.now, &mut *out.rng, out.cost, &mut effects));
        let changed: Vec<PartitionState> = c.partitions().values().filter(|s| before.partitions().get(&s.tp) != Some(*s)).cloned().collect();
        // Topic settings and reassignments live in ZooKeeper too, so a new controller resumes them.
        let state = c.extras_differ(&before).then(|| Box::new(c.extras()));
        if !changed.is_empty() || state.is_some() {
            self.ctl.zk_seq += 1;
            let seq = self.ctl.zk_seq;
            out.send(NodeId::Controller(0), Message::ZkWrite { epoch: c.epoch(), seq, partitions: changed.clone(), state: state.clone() });
            self.ctl.unacked.insert(seq, (changed, state));
        }
        let seq = self.ctl.zk_seq;
        let epoch = c.epoch();
        for e in effects {
            match e {
                Effect::Send { to, msg } | Effect::SendAt { to, msg, .. } => self.ctl.held.push((seq, Held::Send { to, msg })),
                Effect::Emit(kind) => self.ctl.held.push((seq, Held::Emit(kind))),
                // The hosted controller's own timers (LeaderRebalance) run on this broker, tagged
                // with the controller epoch so a resigned or replaced controller's timers are dropped.
                Effect::Timer { at, timer: crate::actor::TimerKind::Controller(timer) } => {
                    out.timer(at, crate::actor::TimerKind::Broker(super::BrokerTimer::HostedController { epoch, timer }))
                }
                // Controllers never park fetches.
                Effect::Timer { .. } | Effect::OfferIdle { .. } => {}
            }
        }
        self.ctl.hosted = Some(c);
        self.release_held(out);
    }

    /// Carries out held effects whose writes (and all earlier ones) ZooKeeper acknowledged.
    fn release_held(&mut self, out: &mut Out) {
        let durable = self.ctl.unacked.keys().next().map_or(self.ctl.zk_seq, |first| first - 1);
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.ctl.held).into_iter().partition(|(s, _)| *s <= durable);
        self.ctl.held = waiting;
        for (_, h) in ready {
            h.release(out);
        }
    }

    /// Resends unacknowledged ZooKeeper writes (with each session ping; ZooKeeper ignores stale ones).
    pub(super) fn resend_zk_writes(&mut self, out: &mut Out) {
        let Some(epoch) = self.ctl.hosted.as_ref().map(|c| c.epoch()) else { return };
        for (&seq, (partitions, state)) in &self.ctl.unacked {
            out.send(NodeId::Controller(0), Message::ZkWrite { epoch, seq, partitions: partitions.clone(), state: state.clone() });
        }
    }

    /// A timer of the hosted controller of `epoch` (dropped if this broker no longer hosts it).
    pub(super) fn on_hosted_timer(&mut self, epoch: u32, timer: ControllerTimer, out: &mut Out) {
        if self.ctl.hosted.as_ref().is_some_and(|c| c.epoch() == epoch) {
            self.run_hosted(out, |c, o| c.on_timer(timer, o));
        }
    }

    /// Runs an admin request on the controller this broker hosts; false if it hosts none of `epoch`
    /// (the hand-over has not arrived yet, or it resigned): the request would get NOT_CONTROLLER.
    pub fn run_admin(&mut self, epoch: u32, f: impl FnOnce(&mut Controller, &mut Out), out: &mut Out) -> bool {
        if self.ctl.hosted.as_ref().is_none_or(|c| c.epoch() != epoch) {
            return false;
        }
        self.run_hosted(out, f);
        true
    }
}
