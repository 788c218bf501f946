//! The classic group coordinator (kafka-facts.md §6, §7): the broker that leads partition
//! `abs(hash(group.id)) % offsets.topic.num.partitions` of `__consumer_offsets` runs the group's
//! JoinGroup / SyncGroup / Heartbeat / LeaveGroup state machine
//! (Empty → PreparingRebalance → CompletingRebalance → Stable; Dead when the coordinator moves away).
//!
//! Modelled: KIP-394 member ids, first joiner as leader, protocol vote, `group.initial.rebalance.delay.ms`
//! for a new group, rebalance timeout = the largest `max.poll.interval.ms`, session expiry,
//! REBALANCE_IN_PROGRESS in heartbeats. Not modelled: static membership, KIP-848, persisting the
//! membership (a new coordinator starts with only the offsets; members learn UNKNOWN_MEMBER_ID and rejoin).

use super::group_state::{vote, Group, GroupState, Member};
use super::{Broker, BrokerTimer};
use crate::actor::{Out, TimerKind};
use crate::consumer::OFFSETS_TOPIC;
use crate::event::EventKind;
use crate::ids::{NodeId, TopicPartition};
use crate::net::{ErrorCode, JoinGroupRequest, JoinGroupResult, Message};
use crate::time::ms;

/// How often the coordinator checks member sessions.
pub(super) const GROUP_TICK_MS: u64 = 100;

impl Broker {
    /// True when this broker leads and has loaded the group's offsets partition.
    pub(super) fn coordinates(&self, group: &str) -> bool {
        let p = self.coordinator.partition_for(group);
        self.coordinator.loaded.contains(&p) && self.is_leader(&TopicPartition::new(OFFSETS_TOPIC, p))
    }

    pub(super) fn handle_find_coordinator(&mut self, from: NodeId, group: String, out: &mut Out) {
        let tp = TopicPartition::new(OFFSETS_TOPIC, self.coordinator.partition_for(&group));
        let leader = self.metadata.get(&tp).and_then(|s| s.leader).filter(|b| self.live_brokers.contains(b));
        let error = if leader.is_some() { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
        out.send(from, Message::FindCoordinatorResponse { group, error, coordinator: leader });
    }

    fn set_state(&mut self, group: &str, to: GroupState, out: &mut Out) {
        let id = self.id;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        if g.state != to {
            let from = g.state.name().to_string();
            g.state = to;
            out.emit(EventKind::GroupStateChanged { broker: id, group: group.to_string(), from, to: to.name().into(), generation: g.generation });
        }
    }

    pub(super) fn handle_join(&mut self, from: NodeId, req: JoinGroupRequest, out: &mut Out) {
        let fail = |error, member_id: String| {
            Message::JoinGroupResponse(JoinGroupResult { error, generation: -1, protocol: String::new(), leader: String::new(), member_id, members: vec![] })
        };
        if !self.coordinates(&req.group) {
            return out.send(from, fail(ErrorCode::NotCoordinator, req.member_id));
        }
        let c = &self.coordinator;
        if req.session_timeout_ms < c.min_session_ms || req.session_timeout_ms > c.max_session_ms {
            return out.send(from, fail(ErrorCode::InvalidSessionTimeout, req.member_id));
        }
        let name = req.group.clone();
        let g = self.coordinator.groups.entry(name.clone()).or_insert_with(Group::new);
        if req.member_id.is_empty() {
            // KIP-394: hand out an id and ask the client to come back with it.
            let client = match from {
                NodeId::Consumer(c) => format!("consumer-{c}"),
                other => other.to_string(),
            };
            let id = format!("{client}-{:08x}", out.rng.next_u64() as u32);
            g.pending_ids.insert(id.clone());
            return out.send(from, fail(ErrorCode::MemberIdRequired, id));
        }
        let known = g.members.contains_key(&req.member_id);
        if !known && !g.pending_ids.contains(&req.member_id) {
            return out.send(from, fail(ErrorCode::UnknownMemberId, req.member_id));
        }
        let compatible = g.members.values().filter(|m| m.join.member_id != req.member_id).all(|m| m.join.protocols.iter().any(|p| req.protocols.contains(p)));
        if !compatible {
            return out.send(from, fail(ErrorCode::InconsistentGroupProtocol, req.member_id));
        }
        let member_id = req.member_id.clone();
        if !known {
            g.pending_ids.remove(&member_id);
            g.next_seq += 1;
            let m = Member { client: from, join: req.clone(), seq: g.next_seq, joined: false, awaiting_sync: false, last_heartbeat: out.now };
            g.members.insert(member_id.clone(), m);
            if g.leader.is_none() {
                g.leader = Some(member_id.clone());
            }
            let consumer = if let NodeId::Consumer(c) = from { c } else { 0 };
            out.emit(EventKind::MemberJoined { broker: self.id, group: name.clone(), member_id: member_id.clone(), consumer });
        }
        let state = g.state;
        if state != GroupState::PreparingRebalance {
            let reason = if known { format!("member {member_id} rejoined") } else { format!("member {member_id} joined") };
            self.prepare_rebalance(&name, &reason, out);
        }
        let g = self.coordinator.groups.get_mut(&name).expect("inserted");
        if state == GroupState::PreparingRebalance && g.initial_delay_cap.is_some() && !known {
            // GroupCoordinator.addMemberAndRebalance: newMemberAdded extends the initial delay.
            g.joined_during_delay = true;
        }
        let m = g.members.get_mut(&member_id).expect("inserted");
        m.client = from;
        m.join = req;
        m.joined = true;
        m.last_heartbeat = out.now;
        self.try_complete_join(&name, out);
    }

    fn prepare_rebalance(&mut self, group: &str, reason: &str, out: &mut Out) {
        let initial = self.coordinator.initial_delay_ms;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        let timeout = ms(g.members.values().map(|m| m.join.rebalance_timeout_ms).max().unwrap_or(0));
        // Members waiting for a SyncGroup answer learn that a new rebalance began.
        for m in g.members.values_mut() {
            if m.awaiting_sync {
                out.send(m.client, Message::SyncGroupResponse { error: ErrorCode::RebalanceInProgress, generation: g.generation, assignment: vec![] });
            }
            m.awaiting_sync = false;
            m.joined = false;
        }
        if g.state == GroupState::Empty && initial > 0 {
            g.join_deadline = out.now + ms(initial);
            g.initial_delay_cap = Some(out.now + timeout);
            g.joined_during_delay = false;
        } else {
            g.join_deadline = out.now + timeout;
            g.initial_delay_cap = None;
        }
        let (at, generation) = (g.join_deadline, g.generation);
        out.emit(EventKind::RebalanceStarted { broker: self.id, group: group.to_string(), generation, reason: reason.to_string() });
        self.set_state(group, GroupState::PreparingRebalance, out);
        out.timer(at, TimerKind::Broker(BrokerTimer::GroupJoinDeadline { group: group.to_string() }));
    }

    fn try_complete_join(&mut self, group: &str, out: &mut Out) {
        let Some(g) = self.coordinator.groups.get(group) else { return };
        if g.state == GroupState::PreparingRebalance && g.initial_delay_cap.is_none() && g.members.values().all(|m| m.joined) {
            self.complete_join(group, out);
        }
    }

    pub(super) fn group_join_deadline(&mut self, group: &str, out: &mut Out) {
        let delay = self.coordinator.initial_delay_ms;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        if g.state != GroupState::PreparingRebalance || out.now < g.join_deadline {
            return;
        }
        if let Some(cap) = g.initial_delay_cap {
            // InitialDelayedJoin: new members arrived during the delay, so wait another delay (up to the cap).
            if g.joined_during_delay && out.now < cap {
                g.joined_during_delay = false;
                g.join_deadline = (out.now + ms(delay)).min(cap);
                let at = g.join_deadline;
                out.timer(at, TimerKind::Broker(BrokerTimer::GroupJoinDeadline { group: group.to_string() }));
                return;
            }
        }
        self.complete_join(group, out);
    }

    fn complete_join(&mut self, group: &str, out: &mut Out) {
        let id = self.id;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        g.initial_delay_cap = None;
        let gone: Vec<String> = g.members.iter().filter(|(_, m)| !m.joined).map(|(k, _)| k.clone()).collect();
        for m in gone {
            g.members.remove(&m);
            out.emit(EventKind::MemberLeft { broker: id, group: group.to_string(), member_id: m, reason: "notRejoined".into() });
        }
        g.generation += 1;
        if g.members.is_empty() {
            g.leader = None;
            g.protocol = None;
            g.assignment.clear();
            return self.set_state(group, GroupState::Empty, out);
        }
        if g.leader.as_ref().is_none_or(|l| !g.members.contains_key(l)) {
            g.leader = g.members.iter().min_by_key(|(_, m)| m.seq).map(|(k, _)| k.clone());
        }
        g.protocol = Some(vote(&g.members));
        let (generation, protocol, leader) = (g.generation, g.protocol.clone().unwrap_or_default(), g.leader.clone().unwrap_or_default());
        let all: Vec<JoinGroupRequest> = g.members.values().map(|m| m.join.clone()).collect();
        for (mid, m) in &g.members {
            let members = if *mid == leader { all.clone() } else { vec![] };
            let r = JoinGroupResult { error: ErrorCode::None, generation, protocol: protocol.clone(), leader: leader.clone(), member_id: mid.clone(), members };
            out.send(m.client, Message::JoinGroupResponse(r));
        }
        self.set_state(group, GroupState::CompletingRebalance, out);
    }

    pub(super) fn handle_sync(&mut self, from: NodeId, group: String, member_id: String, generation: i32, assignments: Vec<(String, Vec<TopicPartition>)>, out: &mut Out) {
        let reply = |error, generation| Message::SyncGroupResponse { error, generation, assignment: vec![] };
        if !self.coordinates(&group) {
            return out.send(from, reply(ErrorCode::NotCoordinator, generation));
        }
        let id = self.id;
        let Some(g) = self.coordinator.groups.get_mut(&group) else { return out.send(from, reply(ErrorCode::UnknownMemberId, generation)) };
        let Some(m) = g.members.get_mut(&member_id) else { return out.send(from, reply(ErrorCode::UnknownMemberId, generation)) };
        m.last_heartbeat = out.now;
        m.client = from;
        if generation != g.generation {
            return out.send(from, reply(ErrorCode::IllegalGeneration, generation));
        }
        match g.state {
            GroupState::CompletingRebalance => {
                m.awaiting_sync = true;
                if g.leader.as_deref() != Some(member_id.as_str()) {
                    return;
                }
                g.assignment = g.members.keys().map(|k| (k.clone(), Vec::new())).collect();
                for (mid, parts) in assignments {
                    if let Some(slot) = g.assignment.get_mut(&mid) {
                        *slot = parts;
                    }
                }
                for (mid, m) in g.members.iter_mut().filter(|(_, m)| m.awaiting_sync) {
                    m.awaiting_sync = false;
                    let assignment = g.assignment.get(mid).cloned().unwrap_or_default();
                    out.send(m.client, Message::SyncGroupResponse { error: ErrorCode::None, generation, assignment });
                }
                let (protocol, leader) = (g.protocol.clone().unwrap_or_default(), member_id.clone());
                out.emit(EventKind::RebalanceCompleted { broker: id, group: group.clone(), generation, protocol, leader, assignment: g.assignment.clone() });
                self.set_state(&group, GroupState::Stable, out);
            }
            GroupState::Stable => {
                let assignment = g.assignment.get(&member_id).cloned().unwrap_or_default();
                out.send(from, Message::SyncGroupResponse { error: ErrorCode::None, generation, assignment });
            }
            _ => out.send(from, reply(ErrorCode::RebalanceInProgress, generation)),
        }
    }

    pub(super) fn handle_group_heartbeat(&mut self, from: NodeId, group: String, member_id: String, generation: i32, out: &mut Out) {
        let error = if !self.coordinates(&group) {
            ErrorCode::NotCoordinator
        } else {
            match self.coordinator.groups.get_mut(&group) {
                Some(g) => match g.members.get_mut(&member_id) {
                    None => ErrorCode::UnknownMemberId,
                    Some(m) => {
                        m.last_heartbeat = out.now;
                        if g.state == GroupState::PreparingRebalance {
                            ErrorCode::RebalanceInProgress
                        } else if generation != g.generation {
                            ErrorCode::IllegalGeneration
                        } else {
                            ErrorCode::None
                        }
                    }
                },
                None => ErrorCode::UnknownMemberId,
            }
        };
        out.send(from, Message::GroupHeartbeatResponse { error });
    }

    pub(super) fn handle_leave(&mut self, group: String, member_id: String, out: &mut Out) {
        if self.coordinates(&group) {
            self.remove_member(&group, &member_id, "leaveGroup", out);
        }
    }

    fn remove_member(&mut self, group: &str, member_id: &str, reason: &str, out: &mut Out) {
        let id = self.id;
        let Some(g) = self.coordinator.groups.get_mut(group) else { return };
        if g.members.remove(member_id).is_none() {
            return;
        }
        out.emit(EventKind::MemberLeft { broker: id, group: group.to_string(), member_id: member_id.to_string(), reason: reason.to_string() });
        if g.leader.as_deref() == Some(member_id) {
            g.leader = g.members.iter().min_by_key(|(_, m)| m.seq).map(|(k, _)| k.clone());
        }
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.prepare_rebalance(group, &format!("removing member {member_id} on {reason}"), out)
            }
            GroupState::PreparingRebalance => self.try_complete_join(group, out),
            _ => {}
        }
    }

    /// Expires members whose heartbeats stopped for `session.timeout.ms`.
    pub(super) fn group_tick(&mut self, out: &mut Out) {
        let mut expired = Vec::new();
        for (name, g) in &self.coordinator.groups {
            for (mid, m) in &g.members {
                let waiting_in_join = g.state == GroupState::PreparingRebalance && m.joined;
                if !waiting_in_join && out.now.saturating_sub(m.last_heartbeat) > ms(m.join.session_timeout_ms) {
                    expired.push((name.clone(), mid.clone()));
                }
            }
        }
        for (g, m) in expired {
            self.remove_member(&g, &m, "sessionTimeout", out);
        }
        out.timer(out.now + ms(GROUP_TICK_MS), TimerKind::Broker(BrokerTimer::GroupTick));
    }

    /// After a leadership change: load the `__consumer_offsets` partitions now led, drop the others.
    pub(super) fn sync_coordinators(&mut self, out: &mut Out) {
        for p in 0..self.coordinator.num_partitions() {
            let tp = TopicPartition::new(OFFSETS_TOPIC, p);
            let leads = self.is_leader(&tp);
            let loaded = self.coordinator.loaded.contains(&p);
            if leads && !loaded {
                self.load_offsets(p, out);
            } else if !leads && loaded {
                self.unload_offsets(p, out);
            }
        }
    }

    fn unload_offsets(&mut self, p: u32, out: &mut Out) {
        self.coordinator.loaded.remove(&p);
        let names: Vec<String> = self.coordinator.groups.keys().filter(|g| self.coordinator.partition_for(g) == p).cloned().collect();
        for name in names {
            self.set_state(&name, GroupState::Dead, out);
            self.coordinator.groups.remove(&name);
        }
        self.fail_pending_commits(p, out);
    }

    pub(super) fn group_mut(&mut self, group: &str) -> &mut Group {
        self.coordinator.groups.entry(group.to_string()).or_insert_with(Group::new)
    }
}

