//! A KRaft controller node (kafka-4.0, kafka-facts.md §10): Raft over the metadata log (KIP-595).
//!
//! Voters elect a leader per epoch (term) with randomized election timeouts; followers pull the log
//! with Fetch (long-polled by the leader) and start an election when no fetch succeeds within
//! `controller.quorum.fetch.timeout.ms`; the leader commits at a majority and resigns when a majority
//! stops fetching (check-quorum). The leader is the active controller: it runs [`Controller`] on its
//! log, turns each decision into records, and holds that decision's LeaderAndIsr pushes and events
//! until the records commit (KRaft brokers would read the committed log; pushing after commit is the
//! delivery mechanism kept here). The quorum starts from a bootstrap snapshot with the scenario's
//! topics and brokers, controller-1 leading epoch 1.

use super::{Controller, Held, MetaRecord};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::NodeId;
use crate::net::Message;
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use crate::vec_map::{VecMap, VecSet};

mod messages;
mod replication;

pub use messages::{Entry, QuorumTimer, RaftMessage};


#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Role {
    Follower,
    Candidate,
    Leader,
}

/// One controller node (`process.roles=controller`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QuorumNode {
    id: u32,
    voters: u32,
    election_timeout_ms: u64,
    fetch_timeout_ms: u64,
    alive: bool,
    incarnation: u32,
    // Durable: quorum-state (epoch, vote, leader), the log, and the snapshot of its committed prefix.
    term: u32,
    voted_for: Option<u32>,
    leader_hint: Option<u32>,
    log: Vec<Entry>,
    image: Controller,
    applied: u64,
    // Volatile.
    role: Role,
    leader: Option<u32>,
    commit: u64,
    votes: VecSet<u32>,
    token: u64,
    matched: VecMap<u32, u64>,
    last_fetch: VecMap<u32, Micros>,
    parked: VecMap<u32, u64>,
    active: Option<Box<Controller>>,
    held: Vec<(u64, Held)>,
}

impl QuorumNode {
    /// A voter of a freshly formatted quorum whose epoch 1 is led by controller-1.
    pub fn new(id: u32, voters: u32, image: Controller, election_timeout_ms: u64, fetch_timeout_ms: u64) -> QuorumNode {
        QuorumNode {
            id,
            voters,
            election_timeout_ms,
            fetch_timeout_ms,
            alive: false,
            incarnation: 0,
            term: 1,
            voted_for: Some(1),
            leader_hint: Some(1),
            log: Vec::new(),
            image,
            applied: 0,
            role: Role::Follower,
            leader: None,
            commit: 0,
            votes: VecSet::new(),
            token: 0,
            matched: VecMap::new(),
            last_fetch: VecMap::new(),
            parked: VecMap::new(),
            active: None,
            held: Vec::new(),
        }
    }

    /// This node's id (`controller-<id>`).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// True while the process runs.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// Bumped on every start, so timers of a previous life are ignored.
    pub fn incarnation(&self) -> u32 {
        self.incarnation
    }

    /// True if this node is the Raft leader (the active controller).
    pub fn is_leader(&self) -> bool {
        self.alive && self.role == Role::Leader
    }

    /// The current epoch (term).
    pub fn term(&self) -> u32 {
        self.term
    }

    /// The committed metadata image (the snapshot plus committed records).
    pub fn image(&self) -> &Controller {
        &self.image
    }

    /// How many log entries are committed and applied to the image.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// Starts the process: it follows the leader it last knew, or waits out an election timeout.
    pub fn start(&mut self, out: &mut Out) {
        self.alive = true;
        self.incarnation += 1;
        self.stop_volatile();
        self.commit = self.applied;
        self.leader = self.leader_hint.filter(|&l| l != self.id);
        if self.incarnation == 1 && self.leader_hint == Some(self.id) {
            self.become_leader(out);
        } else if let Some(l) = self.leader {
            self.send_fetch(l, out);
            self.arm_election(self.fetch_timeout_ms, out);
        } else {
            self.arm_random_election(out);
        }
    }

    /// Stops the process; the durable part stays.
    pub fn stop(&mut self) {
        self.alive = false;
        self.stop_volatile();
    }

    fn stop_volatile(&mut self) {
        self.role = Role::Follower;
        self.leader = None;
        self.votes.clear();
        self.matched.clear();
        self.last_fetch.clear();
        self.parked.clear();
        self.active = None;
        self.held.clear();
        self.token += 1;
    }

    fn majority(&self) -> usize {
        self.voters as usize / 2 + 1
    }

    fn others(&self) -> Vec<u32> {
        (1..=self.voters).filter(|&v| v != self.id).collect()
    }

    fn last_term(&self) -> u32 {
        self.log.last().map_or(0, |e| e.term)
    }

    fn arm_election(&mut self, after_ms: u64, out: &mut Out) {
        self.token += 1;
        out.timer(out.now + ms(after_ms), TimerKind::Quorum(QuorumTimer::Election { token: self.token }));
    }

    fn arm_random_election(&mut self, out: &mut Out) {
        let jitter = out.rng.below(self.election_timeout_ms.max(1));
        self.arm_election(self.election_timeout_ms + jitter, out);
    }

    /// Handles one of this node's timers.
    pub fn on_timer(&mut self, timer: QuorumTimer, out: &mut Out) {
        match timer {
            QuorumTimer::Election { token } if token == self.token && self.role != Role::Leader => self.stand_for_election(out),
            QuorumTimer::FetchParked { voter, token } if self.role == Role::Leader && self.parked.get(&voter) == Some(&token) => {
                self.parked.remove(&voter);
                self.respond_fetch(voter, self.log.len() as u64, out);
            }
            QuorumTimer::CheckQuorum { term } if self.role == Role::Leader && term == self.term => {
                let window = ms(self.fetch_timeout_ms * 3 / 2);
                let fetching = self.last_fetch.values().filter(|&&t| out.now.saturating_sub(t) <= window).count() + 1;
                if fetching < self.majority() {
                    // A leader cut off from a majority resigns (KIP-595 check-quorum).
                    self.stop_volatile();
                    self.arm_random_election(out);
                } else {
                    out.timer(out.now + ms(self.fetch_timeout_ms), TimerKind::Quorum(QuorumTimer::CheckQuorum { term }));
                }
            }
            QuorumTimer::Active { term, timer } if self.role == Role::Leader && term == self.term => {
                self.drive(out, |c, o| c.on_timer(timer, o))
            }
            _ => {}
        }
    }

    fn stand_for_election(&mut self, out: &mut Out) {
        self.stop_volatile();
        self.term += 1;
        self.voted_for = Some(self.id);
        self.role = Role::Candidate;
        self.votes.insert(self.id);
        if self.votes.len() >= self.majority() {
            return self.become_leader(out);
        }
        let vote = RaftMessage::Vote { term: self.term, candidate: self.id, last_term: self.last_term(), log_len: self.log.len() as u64 };
        for v in self.others() {
            out.send(NodeId::Controller(v), Message::Raft(vote.clone()));
        }
        self.arm_random_election(out);
    }

    fn become_leader(&mut self, out: &mut Out) {
        self.stop_volatile();
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.leader_hint = Some(self.id);
        for v in self.others() {
            self.matched.insert(v, 0);
            self.last_fetch.insert(v, out.now);
            out.send(NodeId::Controller(v), Message::Raft(RaftMessage::BeginQuorumEpoch { term: self.term, leader: self.id }));
        }
        out.emit(EventKind::QuorumLeaderElected { node: NodeId::Controller(self.id), term: self.term });
        if self.incarnation > 1 || self.term > 1 {
            // (The bootstrap leader of epoch 1 is named by the bootstrap snapshot itself.)
            self.append(vec![MetaRecord::LeaderChange { leader: self.id }], out);
        }
        // The active controller starts from the whole local log, committed or not (Raft: the leader's log wins).
        let mut c = self.image.clone();
        for e in &self.log[self.applied as usize..] {
            c.apply(&e.record);
        }
        self.active = Some(Box::new(c));
        let (id, term) = (self.id, self.term);
        self.drive(out, |c, o| c.activate(NodeId::Controller(id), term, true, o));
        out.timer(out.now + ms(self.fetch_timeout_ms), TimerKind::Quorum(QuorumTimer::CheckQuorum { term }));
    }

    /// Steps down to follower of `term` (a higher epoch was seen).
    fn observe_term(&mut self, term: u32, leader: Option<u32>, out: &mut Out) {
        self.stop_volatile();
        self.term = term;
        self.voted_for = None;
        self.leader = leader;
        self.leader_hint = leader;
        match leader {
            Some(_) => self.arm_election(self.fetch_timeout_ms, out),
            None => self.arm_random_election(out),
        }
    }

    /// Raft messages, broker heartbeats and AlterPartition.
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::Raft(m) => self.on_raft(m, out),
            Message::Heartbeat { broker, incarnation } => {
                let Some(c) = self.active.as_mut() else {
                    out.send(from, Message::HeartbeatResponse { ok: false, leader: self.leader });
                    return;
                };
                out.send(from, Message::HeartbeatResponse { ok: true, leader: Some(self.id) });
                if c.registrations().contains(&(broker, incarnation, true)) {
                    // Only the session clock moves: no decision, no records.
                    return c.on_message(from, Message::Heartbeat { broker, incarnation }, out);
                }
                self.drive(out, |c, o| c.on_message(from, Message::Heartbeat { broker, incarnation }, o));
            }
            m @ (Message::AlterPartition { .. } | Message::LeaderAndIsrResponse { .. }) => self.drive(out, |c, o| c.on_message(from, m, o)),
            _ => {}
        }
    }

    fn on_raft(&mut self, m: RaftMessage, out: &mut Out) {
        match m {
            RaftMessage::Vote { term, candidate, last_term, log_len } => {
                if term > self.term {
                    self.observe_term(term, None, out);
                }
                let up_to_date = (last_term, log_len) >= (self.last_term(), self.log.len() as u64);
                let granted = term == self.term
                    && self.role == Role::Follower
                    && self.voted_for.is_none_or(|v| v == candidate)
                    && up_to_date;
                if granted {
                    self.voted_for = Some(candidate);
                    self.arm_random_election(out);
                }
                out.send(NodeId::Controller(candidate), Message::Raft(RaftMessage::VoteResponse { term: self.term, voter: self.id, granted }));
            }
            RaftMessage::VoteResponse { term, voter, granted } => {
                if term > self.term {
                    self.observe_term(term, None, out);
                } else if self.role == Role::Candidate && term == self.term && granted {
                    self.votes.insert(voter);
                    if self.votes.len() >= self.majority() {
                        self.become_leader(out);
                    }
                }
            }
            RaftMessage::BeginQuorumEpoch { term, leader } => {
                if term > self.term || (term == self.term && self.role != Role::Leader && self.leader.is_none()) {
                    self.observe_term(term, Some(leader), out);
                    self.voted_for = Some(leader);
                    self.send_fetch(leader, out);
                }
            }
            RaftMessage::Fetch { term, voter, offset, last_term } => self.on_fetch(term, voter, offset, last_term, out),
            RaftMessage::FetchResponse { term, leader, ok, offset, entries, high_watermark, diverging_end } => {
                if term > self.term {
                    self.observe_term(term, leader, out);
                }
                if !ok || term != self.term || self.role == Role::Leader || leader.is_none() {
                    return;
                }
                let l = leader.unwrap_or(0);
                self.role = Role::Follower;
                self.leader = Some(l);
                self.leader_hint = Some(l);
                self.arm_election(self.fetch_timeout_ms, out);
                if let Some(end) = diverging_end {
                    self.log.truncate(end.max(self.applied) as usize);
                } else if offset == self.log.len() as u64 {
                    self.log.extend(entries);
                    self.commit = self.commit.max(high_watermark.min(self.log.len() as u64));
                    self.apply_committed();
                }
                self.send_fetch(l, out);
            }
        }
    }

}
