//! ZooKeeper (kafka-3.6), modelled as one always-up node, `controller-0` (kafka-facts.md §10).
//!
//! It holds broker registrations as ephemeral znodes tied to sessions (a session expires after
//! `zookeeper.session.timeout.ms` without a ping), the `/controller` znode with the controller epoch,
//! and the partition states. The first live broker to register wins `/controller`; when that broker's
//! session expires the znode is deleted and the lowest-id live broker wins it (all brokers watch it;
//! the race is resolved by id here), with the epoch bumped. Watches reach the controller broker as
//! messages; writes from an older controller epoch are rejected (the zkVersion check). The simulation
//! starts from a formed cluster: broker 1 (the lowest id) already holds `/controller` at time zero.

use super::{Controller, ControllerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId};
use crate::net::Message;
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// A broker's ZooKeeper session (its `/brokers/ids/<id>` ephemeral znode).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Session {
    incarnation: u32,
    last_ping: Micros,
}

/// The ZooKeeper ensemble.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ZooKeeper {
    session_timeout_ms: u64,
    sessions: VecMap<BrokerId, Session>,
    /// `/controller`: the broker holding it.
    controller: Option<BrokerId>,
    /// `/controller_epoch`.
    controller_epoch: u32,
    /// The controller broker has written with its epoch (so it got the hand-over).
    #[serde(default)]
    confirmed: bool,
    /// Topics, configs and `/brokers/topics/<t>/partitions/<p>/state`, as the controller reads them.
    znodes: Controller,
    /// (epoch, seq) of the write that last set the non-partition state (a late resend never wins).
    #[serde(default)]
    state_at: (u32, u64),
}

impl ZooKeeper {
    /// ZooKeeper holding the scenario's topics; every broker starts with a session.
    pub fn new(znodes: Controller, session_timeout_ms: u64) -> ZooKeeper {
        let sessions = znodes.registrations().into_iter().map(|(b, inc, _)| (b, Session { incarnation: inc, last_ping: 0 })).collect();
        ZooKeeper { session_timeout_ms, sessions, controller: None, controller_epoch: 0, confirmed: false, znodes, state_at: (0, 0) }
    }

    /// The partition states stored in ZooKeeper.
    pub fn partitions(&self) -> &std::collections::BTreeMap<crate::ids::TopicPartition, crate::net::PartitionState> {
        self.znodes.partitions()
    }

    /// `/controller_epoch`.
    pub fn controller_epoch(&self) -> u32 {
        self.controller_epoch
    }

    /// The broker holding `/controller`, if any.
    pub fn controller(&self) -> Option<BrokerId> {
        self.controller
    }

    /// Announces the topics and starts the session clock.
    pub fn start(&mut self, out: &mut Out) {
        self.znodes.announce_topics(out);
        out.timer(out.now + ms(1_000), TimerKind::Controller(ControllerTimer::LivenessCheck));
    }

    /// The cluster formed before time zero: the lowest broker already holds `/controller` (epoch 1).
    /// Returns it and what it read from ZooKeeper, for the simulation to hand over directly.
    pub fn bootstrap_controller(&mut self) -> Option<(BrokerId, Message)> {
        let (&winner, _) = self.sessions.iter().next()?;
        self.controller = Some(winner);
        self.controller_epoch += 1;
        self.confirmed = false;
        Some((winner, self.hand_over()))
    }

    /// What the controller broker reads on taking over: the epoch, topics, states and live brokers.
    fn hand_over(&self) -> Message {
        let mut znodes = self.znodes.clone();
        znodes.set_registrations(&self.live());
        Message::ZkBecomeController { epoch: self.controller_epoch, znodes: Box::new(znodes) }
    }

    /// Session pings (`Heartbeat`) and the controller's writes.
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::Heartbeat { broker, incarnation } => self.on_ping(broker, incarnation, out),
            Message::ZkWrite { epoch, seq, partitions, state } => {
                // The controller epoch guards every write: a zombie controller's are refused.
                let ok = epoch == self.controller_epoch;
                if ok {
                    self.confirmed = true;
                    self.znodes.store_partitions(partitions);
                    if let Some(x) = state.filter(|_| (epoch, seq) > self.state_at) {
                        self.state_at = (epoch, seq);
                        self.znodes.set_extras(*x);
                    }
                }
                out.send(from, Message::ZkWriteResponse { seq, ok });
            }
            _ => {}
        }
    }

    /// Expires sessions that missed their pings.
    pub fn on_timer(&mut self, _timer: ControllerTimer, out: &mut Out) {
        let timeout = ms(self.session_timeout_ms);
        let expired: Vec<BrokerId> =
            self.sessions.iter().filter(|(_, s)| out.now.saturating_sub(s.last_ping) > timeout).map(|(&b, _)| b).collect();
        for &b in &expired {
            self.expire(b, out);
        }
        if !expired.is_empty() && !self.elect(out) {
            self.notify(out);
        }
        out.timer(out.now + ms(1_000), TimerKind::Controller(ControllerTimer::LivenessCheck));
    }

    fn expire(&mut self, broker: BrokerId, out: &mut Out) {
        self.sessions.remove(&broker);
        out.emit(EventKind::ZkSessionExpired { broker });
        if self.controller == Some(broker) {
            // The ephemeral `/controller` znode goes with the session.
            self.controller = None;
        }
    }

    fn on_ping(&mut self, broker: BrokerId, incarnation: u32, out: &mut Out) {
        match self.sessions.get_mut(&broker) {
            Some(s) if s.incarnation == incarnation => {
                s.last_ping = out.now;
                if self.controller == Some(broker) && !self.confirmed {
                    // The hand-over was lost on the way (a cut link): read it again.
                    out.send(NodeId::Broker(broker), self.hand_over());
                } else if self.controller == Some(broker) {
                    // The ping's answer carries any watch the controller missed (e.g. while cut off).
                    self.notify(out);
                }
                if self.controller.is_none() {
                    self.elect(out);
                }
                return;
            }
            Some(_) => self.expire(broker, out),
            None => {}
        }
        self.sessions.insert(broker, Session { incarnation, last_ping: out.now });
        out.emit(EventKind::BrokerRegistered { broker, node: NodeId::Controller(0) });
        if !self.elect(out) {
            self.notify(out);
        }
    }

    /// If `/controller` is free, the lowest live broker creates it. Returns true if one did.
    fn elect(&mut self, out: &mut Out) -> bool {
        if self.controller.is_some() {
            return false;
        }
        let Some((&winner, _)) = self.sessions.iter().next() else { return false };
        self.controller = Some(winner);
        self.controller_epoch += 1;
        self.confirmed = false;
        out.send(NodeId::Broker(winner), self.hand_over());
        true
    }

    fn live(&self) -> Vec<(BrokerId, u32)> {
        self.sessions.iter().map(|(&b, s)| (b, s.incarnation)).collect()
    }

    /// Fires the `/brokers/ids` child watch at the controller broker.
    fn notify(&mut self, out: &mut Out) {
        if let Some(c) = self.controller {
            out.send(NodeId::Broker(c), Message::ZkBrokersChanged { epoch: self.controller_epoch, live: self.live() });
        }
    }
}
