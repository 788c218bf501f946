//! The consumer's side of the classic group protocol (kafka-facts.md §7): FindCoordinator, JoinGroup
//! (KIP-394 member id first), SyncGroup with the leader running the assignor, heartbeats, and eager vs
//! cooperative revocation. The simulated application polls continuously, so `max.poll.interval.ms` is
//! only the rebalance timeout here and a consumer never leaves for a slow poll.

use super::assignor::{AssignorKind, MemberSubscription};
use super::{Consumer, ConsumerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{ErrorCode, JoinGroupRequest, JoinGroupResult, Message};
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};

/// Where the consumer is in the group protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Looking for the coordinator.
    #[default]
    FindingCoordinator,
    /// JoinGroup sent.
    Joining,
    /// SyncGroup sent.
    Syncing,
    /// Member of the current generation.
    Stable,
    /// Gave up (a fatal group error).
    Failed,
}

/// Group membership state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Membership {
    pub(super) coordinator: Option<BrokerId>,
    pub(super) phase: Phase,
    pub(super) member_id: String,
    pub(super) generation: i32,
    /// Bumped for every coordinator request; a retry timer for an older attempt is ignored.
    attempt: u64,
    /// The previous generation's partitions (StickyAssignor's user data under eager rebalancing).
    previous: Vec<TopicPartition>,
    previous_generation: i32,
    heartbeat_sent_at: Option<Micros>,
    heartbeat_scheduled: bool,
}

fn pair(tp: &TopicPartition) -> (String, u32) {
    (tp.topic.to_string(), tp.partition)
}

impl Consumer {
    fn coordinator_unknown(&mut self, out: &mut Out) {
        self.membership.coordinator = None;
        self.find_coordinator(out);
    }

    pub(super) fn find_coordinator(&mut self, out: &mut Out) {
        self.membership.phase = Phase::FindingCoordinator;
        self.bootstrap = (self.bootstrap + 1) % self.brokers.max(1);
        out.send(NodeId::Broker(self.bootstrap + 1), Message::FindCoordinator { group: self.settings.group.clone() });
        self.arm_retry(ms(self.settings.request_timeout_ms), out);
    }

    fn arm_retry(&mut self, after: Micros, out: &mut Out) {
        self.membership.attempt += 1;
        out.timer(out.now + after, TimerKind::Consumer(ConsumerTimer::GroupRetry { attempt: self.membership.attempt }));
    }

    /// A coordinator request timed out (or a backoff ended): find the coordinator again.
    pub(super) fn group_retry(&mut self, attempt: u64, out: &mut Out) {
        if attempt == self.membership.attempt && self.membership.phase != Phase::Stable && self.membership.phase != Phase::Failed {
            self.coordinator_unknown(out);
        }
    }

    /// Eager: commit and give up every partition before rejoining (onJoinPrepare).
    fn prepare_rejoin(&mut self, out: &mut Out) {
        if self.settings.strategy != AssignorKind::CooperativeSticky && !self.assigned.is_empty() {
            self.commit_positions(None, out);
            let revoked = std::mem::take(&mut self.assigned);
            self.membership.previous = revoked.clone();
            self.membership.previous_generation = self.membership.generation;
            let (group, generation) = (self.settings.group.clone(), self.membership.generation);
            out.emit(EventKind::PartitionsAssigned { consumer: self.idx, group, generation, assigned: vec![], revoked });
        }
        self.join(out);
    }

    /// Partitions lost without a commit (the coordinator forgot us): cooperative consumers drop them too.
    fn lose_membership(&mut self, out: &mut Out) {
        self.membership.member_id.clear();
        self.membership.generation = -1;
        if !self.assigned.is_empty() {
            let revoked = std::mem::take(&mut self.assigned);
            let group = self.settings.group.clone();
            out.emit(EventKind::PartitionsAssigned { consumer: self.idx, group, generation: -1, assigned: vec![], revoked });
        }
        self.join(out);
    }

    fn join(&mut self, out: &mut Out) {
        let Some(coordinator) = self.membership.coordinator else { return self.find_coordinator(out) };
        self.membership.phase = Phase::Joining;
        let cooperative = self.settings.strategy == AssignorKind::CooperativeSticky;
        let (owned, owned_generation) = if cooperative {
            (self.assigned.clone(), self.membership.generation)
        } else {
            (self.membership.previous.clone(), self.membership.previous_generation)
        };
        let req = JoinGroupRequest {
            group: self.settings.group.clone(),
            member_id: self.membership.member_id.clone(),
            protocols: vec![self.settings.strategy.name().to_string()],
            topics: self.settings.topics.clone(),
            owned,
            owned_generation,
            session_timeout_ms: self.settings.session_timeout_ms,
            rebalance_timeout_ms: self.settings.max_poll_interval_ms,
        };
        out.send(NodeId::Broker(coordinator), Message::JoinGroup(req));
        // Kafka waits rebalance timeout + 5 s for a JoinGroup answer.
        self.arm_retry(ms(self.settings.max_poll_interval_ms + 5_000), out);
    }

    pub(super) fn heartbeat(&mut self, out: &mut Out) {
        self.membership.heartbeat_scheduled = false;
        if !self.alive || self.settings.group.is_empty() || self.membership.phase != Phase::Stable {
            return;
        }
        let Some(coordinator) = self.membership.coordinator else { return };
        if let Some(sent) = self.membership.heartbeat_sent_at {
            if out.now.saturating_sub(sent) >= ms(self.settings.request_timeout_ms) {
                // No answer within request.timeout.ms: the coordinator is gone.
                self.membership.heartbeat_sent_at = None;
                return self.coordinator_unknown(out);
            }
        } else {
            self.membership.heartbeat_sent_at = Some(out.now);
            let m = &self.membership;
            out.send(NodeId::Broker(coordinator), Message::GroupHeartbeat { group: self.settings.group.clone(), member_id: m.member_id.clone(), generation: m.generation });
        }
        self.schedule_heartbeat(out);
    }

    fn schedule_heartbeat(&mut self, out: &mut Out) {
        if !self.membership.heartbeat_scheduled {
            self.membership.heartbeat_scheduled = true;
            out.timer(out.now + ms(self.settings.heartbeat_interval_ms), TimerKind::Consumer(ConsumerTimer::Heartbeat));
        }
    }

    pub(super) fn on_group_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::FindCoordinatorResponse { error, coordinator, .. } => {
                if self.membership.phase != Phase::FindingCoordinator {
                    return;
                }
                match (error, coordinator) {
                    (ErrorCode::None, Some(b)) => {
                        self.membership.coordinator = Some(b);
                        out.emit(EventKind::CoordinatorFound { consumer: self.idx, group: self.settings.group.clone(), broker: b });
                        self.join(out);
                        self.resend_offset_fetch(out);
                    }
                    _ => self.arm_retry(ms(100), out),
                }
            }
            Message::JoinGroupResponse(r) if self.membership.phase == Phase::Joining => self.on_join_response(r, out),
            Message::SyncGroupResponse { error, generation, assignment } if self.membership.phase == Phase::Syncing => {
                self.on_sync_response(error, generation, assignment, out)
            }
            Message::GroupHeartbeatResponse { error } => {
                self.membership.heartbeat_sent_at = None;
                if self.membership.phase != Phase::Stable {
                    return;
                }
                match error {
                    ErrorCode::RebalanceInProgress => self.prepare_rejoin(out),
                    ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => self.lose_membership(out),
                    ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => self.coordinator_unknown(out),
                    _ => {}
                }
            }
            Message::OffsetCommitResponse { error, offsets, .. } => self.on_commit_response(error, offsets, out),
            Message::OffsetFetchResponse { correlation, error, offsets } => self.on_offset_fetch_response(from, correlation, error, offsets, out),
            _ => {}
        }
    }

    fn on_join_response(&mut self, r: JoinGroupResult, out: &mut Out) {
        match r.error {
            ErrorCode::None => {}
            ErrorCode::MemberIdRequired => {
                self.membership.member_id = r.member_id;
                return self.join(out);
            }
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => return self.lose_membership(out),
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => return self.coordinator_unknown(out),
            ErrorCode::RebalanceInProgress => return self.join(out),
            other => {
                self.membership.phase = Phase::Failed;
                let error = other.name().to_string();
                return out.emit(EventKind::ConsumerError { consumer: self.idx, error, topic: String::new().into(), partition: 0 });
            }
        }
        self.membership.member_id = r.member_id.clone();
        self.membership.generation = r.generation;
        let mut assignments = Vec::new();
        if r.leader == r.member_id {
            // The leader runs the assignor on the client (kafka-facts §7 SyncGroup).
            let kind = AssignorKind::from_name(&r.protocol).unwrap_or(self.settings.strategy);
            let members: Vec<MemberSubscription> = r
                .members
                .iter()
                .map(|m| MemberSubscription {
                    member_id: m.member_id.clone(),
                    group_instance_id: None,
                    topics: m.topics.clone(),
                    owned: m.owned.iter().map(pair).collect(),
                    generation: m.owned_generation,
                })
                .collect();
            let result = kind.assign(&self.topic_partitions, &members);
            assignments = result
                .into_iter()
                .map(|(m, parts)| (m, parts.into_iter().map(|(t, p)| TopicPartition::new(t, p)).collect()))
                .collect();
        }
        let Some(coordinator) = self.membership.coordinator else { return self.find_coordinator(out) };
        self.membership.phase = Phase::Syncing;
        let msg = Message::SyncGroup { group: self.settings.group.clone(), member_id: r.member_id, generation: r.generation, assignments };
        out.send(NodeId::Broker(coordinator), msg);
        self.arm_retry(ms(self.settings.request_timeout_ms), out);
    }

    fn on_sync_response(&mut self, error: ErrorCode, generation: i32, assignment: Vec<TopicPartition>, out: &mut Out) {
        match error {
            ErrorCode::None => {}
            ErrorCode::RebalanceInProgress => return self.join(out),
            ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration => return self.lose_membership(out),
            _ => return self.coordinator_unknown(out),
        }
        self.membership.phase = Phase::Stable;
        self.membership.attempt += 1;
        let old = std::mem::take(&mut self.assigned);
        let added: Vec<TopicPartition> = assignment.iter().filter(|tp| !old.contains(tp)).cloned().collect();
        let revoked: Vec<TopicPartition> = old.iter().filter(|tp| !assignment.contains(tp)).cloned().collect();
        // Cooperative: give up only what moved, committing it first; eager consumers own nothing here.
        self.assigned = old.iter().filter(|tp| assignment.contains(tp)).cloned().collect();
        if !revoked.is_empty() {
            self.assigned.extend(revoked.iter().cloned());
            self.commit_positions(Some(&revoked), out);
            self.assigned.retain(|tp| !revoked.contains(tp));
        }
        self.assigned.extend(added.iter().cloned());
        crate::order::sort(&mut self.assigned);
        for tp in &revoked {
            self.positions.remove(tp);
        }
        let group = self.settings.group.clone();
        out.emit(EventKind::PartitionsAssigned { consumer: self.idx, group, generation, assigned: added.clone(), revoked: revoked.clone() });
        self.fetch_committed(added, out);
        self.membership.heartbeat_sent_at = None;
        self.schedule_heartbeat(out);
        if !revoked.is_empty() && self.settings.strategy == AssignorKind::CooperativeSticky {
            // The follow-up rebalance hands the revoked partitions to their new owners.
            self.join(out);
        }
    }
}
