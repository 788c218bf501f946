//! `RoundRobinAssignor`: every partition (topics by name, then number) dealt circularly to sorted members,
//! skipping members not subscribed to the partition's topic.

use super::{empty_assignment, existing_topics, sorted_members, Assignment, MemberSubscription};
use crate::vec_map::VecMap;

/// Deals partitions with a circular iterator over members, like Kafka's `CircularIterator`.
pub(super) fn assign(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
    let mut out = empty_assignment(members);
    let sorted = sorted_members(members);
    if sorted.is_empty() {
        return out;
    }
    let subs: Vec<Vec<&str>> = sorted.iter().map(|m| existing_topics(m, topics)).collect();
    let mut cursor = 0usize;
    for (topic, &num_partitions) in topics {
        // Only topics someone subscribes to are laid out, so the skip loop below always ends.
        if !subs.iter().any(|s| s.contains(&topic.as_str())) {
            continue;
        }
        for p in 0..num_partitions {
            while !subs[cursor].contains(&topic.as_str()) {
                cursor = (cursor + 1) % sorted.len();
            }
            if let Some(list) = out.get_mut(&sorted[cursor].member_id) {
                list.push((topic.clone(), p));
            }
            cursor = (cursor + 1) % sorted.len();
        }
    }
    out
}
