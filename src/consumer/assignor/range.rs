//! `RangeAssignor`: per topic, sorted partitions split into contiguous ranges over sorted members.

use super::{empty_assignment, existing_topics, sorted_members, Assignment, MemberSubscription};
use crate::vec_map::VecMap;

/// The first `P % C` members of each topic get one extra partition; imbalance accumulates per topic.
pub(super) fn assign(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
    let mut out = empty_assignment(members);
    let sorted = sorted_members(members);
    for (topic, &num_partitions) in topics {
        let consumers: Vec<&MemberSubscription> =
            sorted.iter().copied().filter(|m| existing_topics(m, topics).contains(&topic.as_str())).collect();
        if consumers.is_empty() {
            continue;
        }
        let c = consumers.len() as u32;
        let (per, extra) = (num_partitions / c, num_partitions % c);
        for (i, m) in consumers.iter().enumerate() {
            let i = i as u32;
            let start = per * i + i.min(extra);
            let len = per + u32::from(i < extra);
            if let Some(list) = out.get_mut(&m.member_id) {
                list.extend((start..start + len).map(|p| (topic.clone(), p)));
            }
        }
    }
    out
}
