//! A classic group's state on its coordinator: members, generation, leader, protocol, the
//! assignment and the committed-offset cache (`ClassicGroup`, `ClassicGroupState`; kafka-facts.md §7).

use crate::config::{Overrides, Resolver, Scope};
use crate::consumer::coordinator_key::coordinator_partition;
use crate::ids::{NodeId, TopicPartition};
use crate::net::JoinGroupRequest;
use crate::scenario::Scenario;
use crate::time::Micros;
use serde::{Deserialize, Serialize};
use crate::vec_map::{VecMap, VecSet};


/// ClassicGroupState.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupState {
    /// No members (offsets may remain).
    Empty,
    /// Waiting for members to (re)join.
    PreparingRebalance,
    /// Joined; waiting for the leader's SyncGroup.
    CompletingRebalance,
    /// Assignment handed out.
    Stable,
    /// The coordinator no longer owns the group.
    Dead,
}

impl GroupState {
    pub(super) fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// A member as the coordinator knows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Member {
    pub(super) client: NodeId,
    pub(super) join: JoinGroupRequest,
    /// Order of first join (the leader is the earliest).
    pub(super) seq: u64,
    /// Rejoined in the current rebalance.
    pub(super) joined: bool,
    pub(super) awaiting_sync: bool,
    pub(super) last_heartbeat: Micros,
}

/// One group on its coordinator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Group {
    /// Current state.
    pub state: GroupState,
    /// Generation id.
    pub generation: i32,
    /// The voted assignor.
    pub protocol: Option<String>,
    /// Leader member id.
    pub leader: Option<String>,
    pub(super) members: VecMap<String, Member>,
    pub(super) pending_ids: VecSet<String>,
    pub(super) join_deadline: Micros,
    pub(super) initial_delay_cap: Option<Micros>,
    pub(super) joined_during_delay: bool,
    pub(super) assignment: VecMap<String, Vec<TopicPartition>>,
    /// Committed offsets (the cache of `__consumer_offsets`).
    pub offsets: VecMap<TopicPartition, i64>,
    pub(super) next_seq: u64,
}

impl Group {
    pub(super) fn new() -> Group {
        Group {
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: VecMap::new(),
            pending_ids: VecSet::new(),
            join_deadline: 0,
            initial_delay_cap: None,
            joined_during_delay: false,
            assignment: VecMap::new(),
            offsets: VecMap::new(),
            next_seq: 0,
        }
    }

    /// Member ids, in id order.
    pub fn member_ids(&self) -> Vec<String> {
        self.members.keys().cloned().collect()
    }
}

/// The coordinator's settings and groups (volatile: rebuilt from the log after a restart).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Coordinator {
    pub(super) num_partitions: u32,
    pub(super) initial_delay_ms: u64,
    pub(super) min_session_ms: u64,
    pub(super) max_session_ms: u64,
    /// Groups this broker coordinates.
    pub groups: VecMap<String, Group>,
    /// `__consumer_offsets` partitions led and loaded.
    pub(super) loaded: VecSet<u32>,
    pub(super) pending_commits: Vec<super::group_offsets::PendingCommit>,
}

impl Coordinator {
    /// Reads the broker's group.* and offsets.topic.* keys.
    pub fn new(s: &Scenario) -> Coordinator {
        let none = Overrides::default();
        let b = Resolver::new(s.profile, Scope::Broker, &s.cluster.config.0, &none);
        Coordinator {
            num_partitions: b.uint("offsets.topic.num.partitions").max(1) as u32,
            initial_delay_ms: b.uint("group.initial.rebalance.delay.ms"),
            min_session_ms: b.uint("group.min.session.timeout.ms"),
            max_session_ms: b.uint("group.max.session.timeout.ms"),
            groups: VecMap::new(),
            loaded: VecSet::new(),
            pending_commits: Vec::new(),
        }
    }

    /// The `__consumer_offsets` partition of a group.
    pub fn partition_for(&self, group: &str) -> u32 {
        coordinator_partition(group, self.num_partitions)
    }

    pub(super) fn num_partitions(&self) -> u32 {
        self.num_partitions
    }

    pub(super) fn clear(&mut self) {
        self.groups.clear();
        self.loaded.clear();
        self.pending_commits.clear();
    }
}


/// `ClassicGroup.selectProtocol`: among protocols every member supports, each member votes for its
/// most preferred; the most votes win (ties: the earlier in the first member's list).
pub(super) fn vote(members: &VecMap<String, Member>) -> String {
    let first = members.values().min_by_key(|m| m.seq).map(|m| m.join.protocols.clone()).unwrap_or_default();
    let candidates: Vec<&String> = first.iter().filter(|p| members.values().all(|m| m.join.protocols.contains(p))).collect();
    let mut votes: Vec<usize> = vec![0; candidates.len()];
    for m in members.values() {
        if let Some(i) = m.join.protocols.iter().find_map(|p| candidates.iter().position(|c| *c == p)) {
            votes[i] += 1;
        }
    }
    let best = votes.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0))).map(|(i, _)| i);
    best.and_then(|i| candidates.get(i)).map(|s| s.to_string()).unwrap_or_default()
}
