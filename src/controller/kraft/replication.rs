//! The leader's side of the metadata log: answering fetches (long-polled), committing at a
//! majority, and holding the active controller's effects until their records commit.

use super::{Held, QuorumNode, QuorumTimer, RaftMessage, Role};
use super::super::{Controller, MetaRecord};
use super::Entry;
use crate::actor::{Effect, Out, TimerKind};
use crate::event::EventKind;
use crate::ids::NodeId;
use crate::net::Message;
use crate::time::ms;

/// How long the leader holds a fetch with nothing new (KRaft's fetch max wait).
const FETCH_MAX_WAIT_MS: u64 = 500;
/// Most entries per fetch response.
const MAX_ENTRIES: usize = 200;

impl QuorumNode {
    pub(super) fn send_fetch(&mut self, leader: u32, out: &mut Out) {
        let fetch = RaftMessage::Fetch { term: self.term, voter: self.id, offset: self.log.len() as u64, last_term: self.last_term() };
        out.send(NodeId::Controller(leader), Message::Raft(fetch));
    }

    pub(super) fn on_fetch(&mut self, term: u32, voter: u32, offset: u64, last_term: u32, out: &mut Out) {
        if term > self.term {
            self.observe_term(term, None, out);
        }
        if self.role != Role::Leader || term < self.term {
            let reply = RaftMessage::FetchResponse { term: self.term, leader: self.leader, ok: false, offset, entries: vec![], high_watermark: 0, diverging_end: None };
            return out.send(NodeId::Controller(voter), Message::Raft(reply));
        }
        self.last_fetch.insert(voter, out.now);
        let len = self.log.len() as u64;
        let consistent = offset <= len && (offset == 0 || self.log[offset as usize - 1].term == last_term);
        if !consistent {
            // KIP-595 divergingEpoch: the end of the largest epoch <= the follower's, strictly before its offset.
            let end = (self.log.iter().filter(|e| e.term <= last_term).count() as u64).min(offset.saturating_sub(1)).min(len);
            let reply = RaftMessage::FetchResponse { term: self.term, leader: Some(self.id), ok: true, offset, entries: vec![], high_watermark: self.commit, diverging_end: Some(end) };
            return out.send(NodeId::Controller(voter), Message::Raft(reply));
        }
        self.matched.insert(voter, offset);
        self.advance_commit(out);
        if offset < len {
            self.respond_fetch(voter, offset, out);
        } else {
            self.token += 1;
            self.parked.insert(voter, self.token);
            out.timer(out.now + ms(FETCH_MAX_WAIT_MS), TimerKind::Quorum(QuorumTimer::FetchParked { voter, token: self.token }));
        }
    }

    pub(super) fn respond_fetch(&mut self, voter: u32, offset: u64, out: &mut Out) {
        let from = (offset as usize).min(self.log.len());
        let to = (from + MAX_ENTRIES).min(self.log.len());
        let entries = self.log[from..to].to_vec();
        let reply = RaftMessage::FetchResponse { term: self.term, leader: Some(self.id), ok: true, offset, entries, high_watermark: self.commit, diverging_end: None };
        out.send(NodeId::Controller(voter), Message::Raft(reply));
    }

    /// Answers every parked fetch now (new entries, or a new high watermark to tell).
    pub(super) fn wake_parked(&mut self, out: &mut Out) {
        for (voter, _) in std::mem::take(&mut self.parked) {
            let offset = self.matched.get(&voter).copied().unwrap_or(0);
            self.respond_fetch(voter, offset, out);
        }
    }

    pub(super) fn append(&mut self, records: Vec<MetaRecord>, out: &mut Out) {
        if records.is_empty() {
            return;
        }
        let term = self.term;
        self.log.extend(records.into_iter().map(|record| Entry { term, record }));
        self.wake_parked(out);
        self.advance_commit(out);
    }

    /// The leader's high watermark: the largest offset a majority has, once it includes this epoch.
    pub(super) fn advance_commit(&mut self, out: &mut Out) {
        let mut lens: Vec<u64> = self.matched.values().copied().collect();
        lens.push(self.log.len() as u64);
        crate::order::sort_by(&mut lens, |a, b| b.cmp(a));
        let n = lens.get(self.majority() - 1).copied().unwrap_or(0);
        if n > self.commit && self.log[n as usize - 1].term == self.term {
            self.commit = n;
            self.apply_committed();
            self.release(out);
            self.wake_parked(out);
        }
    }

    pub(super) fn apply_committed(&mut self) {
        while self.applied < self.commit {
            self.image.apply(&self.log[self.applied as usize].record);
            self.applied += 1;
        }
    }

    pub(super) fn release(&mut self, out: &mut Out) {
        let commit = self.commit;
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held).into_iter().partition(|(at, _)| *at <= commit);
        self.held = waiting;
        for (_, h) in ready {
            h.release(out);
        }
    }

    /// Runs `f` on the active controller if this node is the leader (admin requests); false if not.
    pub fn run_active(&mut self, f: impl FnOnce(&mut Controller, &mut Out), out: &mut Out) -> bool {
        if !self.is_leader() || self.active.is_none() {
            return false;
        }
        self.drive(out, f);
        true
    }

    /// Runs the active controller; its decisions become records, its pushes and events wait for them.
    pub(super) fn drive(&mut self, out: &mut Out, f: impl FnOnce(&mut Controller, &mut Out)) {
        let Some(mut c) = self.active.take() else { return };
        let before = (*c).clone();
        let mut effects = Vec::new();
        f(&mut c, &mut Out::new(out.now, &mut *out.rng, out.cost, &mut effects));
        let records = c.records_since(&before);
        self.active = Some(c);
        let node = NodeId::Controller(self.id);
        let mut held = Vec::new();
        for r in &records {
            match r {
                MetaRecord::RegisterBroker { broker, .. } => held.push(Held::Emit(EventKind::BrokerRegistered { broker: *broker, node })),
                MetaRecord::FenceBroker { broker } => held.push(Held::Emit(EventKind::BrokerFenced { broker: *broker, node })),
                _ => {}
            }
        }
        for e in effects {
            match e {
                Effect::Send { to, msg } | Effect::SendAt { to, msg, .. } => held.push(Held::Send { to, msg }),
                Effect::Emit(kind) => held.push(Held::Emit(kind)),
                Effect::Timer { at, timer: TimerKind::Controller(timer) } => {
                    out.timer(at, TimerKind::Quorum(QuorumTimer::Active { term: self.term, timer }))
                }
                // Controllers never park fetches.
                Effect::Timer { .. } | Effect::OfferIdle { .. } => {}
            }
        }
        let at = self.log.len() as u64 + records.len() as u64;
        self.held.extend(held.into_iter().map(|h| (at, h)));
        self.append(records, out);
        self.release(out);
    }
}
