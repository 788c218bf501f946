//! Classic-protocol consumer partition assignors, run by the group leader on the client.
//!
//! Ref: kafka-facts.md §7; Kafka `RangeAssignor`, `RoundRobinAssignor`, `StickyAssignor`,
//! `CooperativeStickyAssignor`, `AbstractStickyAssignor`, `AbstractPartitionAssignor`.
//! Where Kafka's result depends on `java.util.HashMap` iteration order (the sticky assignors),
//! that order is reproduced with [`java_hashmap_order`].

mod range;
mod roundrobin;
mod sticky;
mod sticky_general;

use crate::consumer::coordinator_key::{java_hashmap_order, java_string_cmp};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use crate::vec_map::VecMap;

/// A topic partition as `(topic, partition)`.
pub type TopicPartition = (String, u32);
/// Each member id's assigned partitions.
pub type Assignment = VecMap<String, Vec<TopicPartition>>;

/// Kafka's `AbstractStickyAssignor.DEFAULT_GENERATION`: a member that reports no generation.
pub const DEFAULT_GENERATION: i32 = -1;

/// One member's JoinGroup subscription as the leader's assignor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSubscription {
    /// The coordinator-given member id.
    pub member_id: String,
    /// `group.instance.id` for static members.
    pub group_instance_id: Option<String>,
    /// Subscribed topic names (topics absent from the metadata are ignored).
    pub topics: Vec<String>,
    /// Partitions it owned in its last generation (sticky assignors only).
    pub owned: Vec<TopicPartition>,
    /// The generation of `owned`; [`DEFAULT_GENERATION`] when unknown.
    pub generation: i32,
}

impl MemberSubscription {
    /// A fresh member subscribing to `topics`, owning nothing.
    pub fn new(member_id: &str, topics: &[&str]) -> Self {
        MemberSubscription {
            member_id: member_id.to_string(),
            group_instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned: Vec::new(),
            generation: DEFAULT_GENERATION,
        }
    }

    /// The same member claiming `owned` partitions from `generation`.
    pub fn owning(mut self, owned: &[(&str, u32)], generation: i32) -> Self {
        self.owned = owned.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        self.generation = generation;
        self
    }
}

/// `AbstractPartitionAssignor.MemberInfo.compareTo`: static members first by instance id, then member id.
pub fn member_order(a: &MemberSubscription, b: &MemberSubscription) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_string_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java_string_cmp(&a.member_id, &b.member_id),
    }
}

/// The members sorted by [`member_order`].
pub fn sorted_members(members: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let mut v: Vec<&MemberSubscription> = members.iter().collect();
    crate::order::sort_by(&mut v, |a, b| member_order(a, b));
    v
}

/// The members in the order Java iterates the leader's `HashMap<String, Subscription>`.
pub(crate) fn hashmap_members(members: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let ids: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
    java_hashmap_order(&ids, 16)
        .into_iter()
        .filter_map(|id| members.iter().find(|m| m.member_id == id))
        .collect()
}

/// The four classic assignors (`partition.assignment.strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AssignorKind {
    /// `range`: contiguous ranges per topic.
    Range,
    /// `roundrobin`: all partitions dealt round-robin.
    RoundRobin,
    /// `sticky`: balanced and sticky, eager.
    Sticky,
    /// `cooperative-sticky`: sticky, never moves a partition between two members in one rebalance.
    CooperativeSticky,
}

impl AssignorKind {
    /// Kafka's protocol name of the assignor.
    pub fn name(self) -> &'static str {
        match self {
            AssignorKind::Range => "range",
            AssignorKind::RoundRobin => "roundrobin",
            AssignorKind::Sticky => "sticky",
            AssignorKind::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// The assignor for a protocol name.
    pub fn from_name(name: &str) -> Result<Self, String> {
        match name {
            "range" => Ok(AssignorKind::Range),
            "roundrobin" => Ok(AssignorKind::RoundRobin),
            "sticky" => Ok(AssignorKind::Sticky),
            "cooperative-sticky" => Ok(AssignorKind::CooperativeSticky),
            other => Err(format!(
                "unknown assignor '{other}' (expected range, roundrobin, sticky or cooperative-sticky)"
            )),
        }
    }

    /// Runs the assignor; every member appears in the result, possibly with no partitions.
    pub fn assign(self, topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
        match self {
            AssignorKind::Range => range::assign(topics, members),
            AssignorKind::RoundRobin => roundrobin::assign(topics, members),
            AssignorKind::Sticky => sticky::assign(topics, members).0,
            AssignorKind::CooperativeSticky => cooperative_assign(topics, members),
        }
    }
}

/// `CooperativeStickyAssignor`: the sticky result minus partitions that change owner this round
/// (they are revoked now and handed over in the follow-up rebalance).
pub fn cooperative_assign(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
    let (mut assignment, transferring) = sticky::assign(topics, members);
    let transferring = match transferring {
        Some(t) => t,
        // The general path does not track transfers: computePartitionsTransferringOwnership.
        None => compute_transferring(members, &assignment),
    };
    for (tp, consumer) in &transferring {
        if let Some(list) = assignment.get_mut(consumer) {
            list.retain(|x| x != tp);
        }
    }
    assignment
}

/// Partitions newly given to one member and revoked from another in the same assignment.
fn compute_transferring(members: &[MemberSubscription], assignment: &Assignment) -> VecMap<TopicPartition, String> {
    let mut added = VecMap::new();
    let mut revoked = crate::vec_map::VecSet::new();
    for m in members {
        let assigned = assignment.get(&m.member_id).cloned().unwrap_or_default();
        for tp in &assigned {
            if !m.owned.contains(tp) {
                added.insert(tp.clone(), m.member_id.clone());
            }
        }
        for tp in &m.owned {
            if !assigned.contains(tp) {
                revoked.insert(tp.clone());
            }
        }
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

/// The topics (that exist) a member subscribes to, deduplicated.
pub(crate) fn existing_topics<'a>(m: &'a MemberSubscription, topics: &VecMap<String, u32>) -> Vec<&'a str> {
    let mut v: Vec<&str> = Vec::new();
    for t in &m.topics {
        if topics.contains_key(t) && !v.contains(&t.as_str()) {
            v.push(t);
        }
    }
    v
}

/// An assignment with an empty list for every member.
pub(crate) fn empty_assignment(members: &[MemberSubscription]) -> Assignment {
    members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect()
}
