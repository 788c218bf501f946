//! `AbstractStickyAssignor`: the owned-partition validation shared by both sticky assignors and the
//! constrained fast path used when every member has the same subscription (`ConstrainedAssignmentBuilder`).

use super::sticky_general;
use super::{hashmap_members, Assignment, MemberSubscription, TopicPartition, DEFAULT_GENERATION};
use crate::consumer::coordinator_key::java_string_cmp;
use std::collections::VecDeque;
use crate::vec_map::{VecMap, VecSet};

/// Partitions handed to a new owner this round (`partitionsTransferringOwnership`); `None` on the general path.
pub(super) type Transfers = Option<VecMap<TopicPartition, String>>;

/// `assignPartitions`: validates owned partitions, then runs the fast or the general path.
pub(super) fn assign(all_topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> (Assignment, Transfers) {
    // partitionsPerTopic only holds topics somebody subscribes to.
    let topics: VecMap<String, u32> = all_topics
        .iter()
        .filter(|(t, _)| members.iter().any(|m| m.topics.contains(t)))
        .map(|(t, n)| (t.clone(), *n))
        .collect();
    let order = hashmap_members(members);
    let (equal, owned, multiple, max_generation) = validate_owned(&topics, &order);
    if equal {
        let (a, t) = constrained(&topics, &owned, &multiple);
        (a, Some(t))
    } else {
        (sticky_general::assign(&topics, &order, owned, max_generation), None)
    }
}

/// `allSubscriptionsEqual`: whether all subscriptions match, each member's valid owned partitions
/// (in `HashMap` order), the partitions claimed twice in one generation, and the max generation.
#[allow(clippy::type_complexity)]
fn validate_owned(
    topics: &VecMap<String, u32>,
    order: &[&MemberSubscription],
) -> (bool, Vec<(String, Vec<TopicPartition>)>, VecSet<TopicPartition>, i32) {
    let mut equal = true;
    let mut subscribed: VecSet<&str> = VecSet::new();
    let mut owned: Vec<(String, Vec<TopicPartition>)> = Vec::new();
    let mut owner_of: VecMap<TopicPartition, usize> = VecMap::new();
    let mut multiple = VecSet::new();
    let mut max_generation = DEFAULT_GENERATION;
    for (i, m) in order.iter().enumerate() {
        let set: VecSet<&str> = m.topics.iter().map(String::as_str).collect();
        if subscribed.is_empty() {
            subscribed = set;
        } else if equal && set != subscribed {
            equal = false;
        }
        max_generation = max_generation.max(m.generation);
        owned.push((m.member_id.clone(), Vec::new()));
        for tp in &m.owned {
            // A partition number beyond the topic's size is invalid input; Kafka never sends one.
            if topics.get(&tp.0).is_none_or(|&n| tp.1 >= n) {
                continue;
            }
            match owner_of.get(tp).copied() {
                None => {
                    owned[i].1.push(tp.clone());
                    owner_of.insert(tp.clone(), i);
                }
                Some(other) => {
                    let other_gen = order[other].generation;
                    if m.generation == other_gen {
                        // Two owners in one generation: nobody keeps it.
                        multiple.insert(tp.clone());
                        owned[other].1.retain(|x| x != tp);
                        owner_of.insert(tp.clone(), i);
                    } else if m.generation > other_gen {
                        owned[i].1.push(tp.clone());
                        owned[other].1.retain(|x| x != tp);
                        owner_of.insert(tp.clone(), i);
                    }
                }
            }
        }
    }
    (equal, owned, multiple, max_generation)
}

/// `ConstrainedAssignmentBuilder.build` (no racks): keep owned partitions up to quota, then deal the rest.
fn constrained(
    topics: &VecMap<String, u32>,
    owned: &[(String, Vec<TopicPartition>)],
    multiple: &VecSet<TopicPartition>,
) -> (Assignment, VecMap<TopicPartition, String>) {
    let mut assignment: Assignment = owned.iter().map(|(c, _)| (c.clone(), Vec::new())).collect();
    let mut transferring = VecMap::new();
    let n = owned.len();
    if n == 0 {
        return (assignment, transferring);
    }
    let total: usize = topics.values().map(|&p| p as usize).sum();
    let (min_quota, max_quota) = (total / n, total.div_ceil(n));
    let expected_over = total % n;
    let mut current_over = 0usize;
    let mut maybe_revoked: VecMap<TopicPartition, String> = VecMap::new();
    let mut under: Vec<String> = Vec::new();
    let mut exactly: VecDeque<String> = VecDeque::new();
    let mut assigned: VecSet<TopicPartition> = VecSet::new();

    for (consumer, list) in owned {
        let mut mine: Vec<TopicPartition> = list.iter().filter(|tp| !multiple.contains(*tp)).cloned().collect();
        // Kafka keeps the lowest partition numbers first (then by topic), not the owned list order.
        crate::order::sort_by(&mut mine, |a, b| a.1.cmp(&b.1).then_with(|| java_string_cmp(&a.0, &b.0)));
        let keep = if mine.len() < min_quota {
            under.push(consumer.clone());
            mine.len()
        } else if mine.len() >= max_quota && current_over < expected_over {
            current_over += 1;
            if current_over == expected_over {
                exactly.clear();
            }
            max_quota
        } else {
            if current_over < expected_over {
                exactly.push_back(consumer.clone());
            }
            min_quota
        };
        for tp in &mine[keep..] {
            maybe_revoked.insert(tp.clone(), consumer.clone());
        }
        assigned.extend(mine[..keep].iter().cloned());
        if let Some(a) = assignment.get_mut(consumer) {
            a.extend(mine[..keep].iter().cloned());
        }
    }

    let unassigned: Vec<TopicPartition> = topics
        .iter()
        .flat_map(|(t, &n)| (0..n).map(move |p| (t.clone(), p)))
        .filter(|tp| !assigned.contains(tp))
        .collect();
    crate::order::sort_by(&mut under, |a, b| java_string_cmp(a, b));
    crate::order::sort_by(exactly.make_contiguous(), |a, b| java_string_cmp(a, b));

    // assignRoundRobin, replaying Java's LinkedList iterator over `under` with a cursor.
    let mut cursor = 0usize;
    for tp in unassigned {
        let (consumer, from_iter) = if cursor < under.len() {
            cursor += 1;
            (under[cursor - 1].clone(), true)
        } else if under.is_empty() {
            match exactly.pop_front() {
                Some(c) => (c, false),
                None => break, // Kafka: IllegalStateException("No more unfilled consumers to be assigned.")
            }
        } else {
            cursor = 1;
            (under[0].clone(), true)
        };
        let count = match assignment.get_mut(&consumer) {
            Some(a) => {
                a.push(tp.clone());
                a.len()
            }
            None => continue,
        };
        if maybe_revoked.get(&tp).is_some_and(|c| *c != consumer) || multiple.contains(&tp) {
            transferring.insert(tp.clone(), consumer.clone());
        }
        if count == min_quota {
            if from_iter {
                cursor -= 1;
                under.remove(cursor);
            }
            exactly.push_back(consumer);
        }
        // Kafka also counts members reaching maxQuota here, but only to log/verify afterwards.
    }
    (assignment, transferring)
}
