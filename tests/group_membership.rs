//! Consumer groups: queue and pub/sub semantics, the join protocol, and assignments that match the
//! leader's assignor after a member joins.
// Ref: kafka-facts.md §6 (coordinator mapping), §7 (classic join/sync protocol, assignors)

mod group_support;

use group_support::*;
use kafkascope::consumer::assignor::{AssignorKind, MemberSubscription};
use kafkascope::consumer::coordinator_key::coordinator_partition;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;
use serde_json::json;
use kafkascope::vec_map::{VecMap, VecSet};

#[test]
fn one_group_is_a_queue_each_partition_is_read_by_exactly_one_member() {
    // Ref: kafka-facts.md §7
    let cs = json!([consumer("billing", json!({})), consumer("billing", json!({})), consumer("billing", json!({}))]);
    let s = scenario("kafka-3.6", 3, 6, cs, json!({}));
    let (sim, events) = run(&s, 20_000);
    let rebalances = rebalances(&events);
    let (at, _, _, generation, protocol, assignment) = rebalances.last().expect("a rebalance completed").clone();
    assert_eq!(protocol, "range");
    assert!(generation >= 1);
    assert_eq!(assignment.len(), 3, "three members: {assignment:?}");
    let counts = owner_counts(&assignment);
    assert_eq!(counts.len(), 6);
    assert!(counts.values().all(|&n| n == 1), "each partition to one member: {assignment:?}");
    // After the final rebalance, each partition's records reach only its owner.
    let mut readers: VecMap<TopicPartition, VecSet<u32>> = VecMap::new();
    for (t, c, tp, ..) in consumed(&events) {
        if t > at {
            readers.entry(tp).or_default().insert(c);
        }
    }
    for (member, parts) in &assignment {
        for tp in parts {
            assert_eq!(readers.get(tp), Some(&VecSet::from([consumer_of(member)])), "{tp}");
        }
    }
    assert!(sim.summary().consumed > 0);
}

#[test]
fn two_groups_are_publish_subscribe_both_read_every_record() {
    // Ref: kafka-facts.md §7
    let cs = json!([consumer("billing", json!({})), consumer("audit", json!({})), consumer("audit", json!({}))]);
    let s = scenario("kafka-3.6", 3, 4, cs, json!({}));
    let (sim, events) = run(&s, 15_000);
    let mut reached: VecMap<(bool, TopicPartition), i64> = VecMap::new();
    for (_, c, tp, _, to, _) in consumed(&events) {
        let e = reached.entry((c == 1, tp)).or_insert(0);
        *e = (*e).max(to);
    }
    for p in 0..4 {
        let tp = TopicPartition::new("orders", p);
        let hw = sim.brokers().iter().filter_map(|b| b.replica(&tp)).map(|r| r.hw).max().unwrap_or(0);
        let billing = reached.get(&(true, tp.clone())).copied().unwrap_or(0);
        let audit = reached.get(&(false, tp.clone())).copied().unwrap_or(0);
        // Both groups are close to the end of every partition (a fetch may be in flight).
        assert!(billing > 0 && audit > 0 && hw - billing < 40 && hw - audit < 40, "{tp}: hw {hw}, billing {billing}, audit {audit}");
    }
    let groups: VecSet<String> = rebalances(&events).into_iter().map(|r| r.2).collect();
    assert_eq!(groups, VecSet::from(["audit".to_string(), "billing".to_string()]));
}

#[test]
fn the_coordinator_is_the_leader_of_the_groups_offsets_partition() {
    // Ref: kafka-facts.md §6 "Coordinator partition mapping"
    let s = scenario("kafka-3.6", 3, 3, json!([consumer("my-group", json!({}))]), json!({}));
    let (sim, events) = run(&s, 5_000);
    let p = coordinator_partition("my-group", 50);
    assert_eq!(p, 12);
    let leader = sim.partitions()[&TopicPartition::new("__consumer_offsets", p)].leader;
    let found: Vec<u32> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CoordinatorFound { broker, .. } => Some(*broker),
            _ => None,
        })
        .collect();
    assert_eq!(found.first().copied(), leader);
    assert_eq!(sim.partitions().keys().filter(|tp| tp.topic == "__consumer_offsets").count(), 50);
}

#[test]
fn a_new_member_needs_a_member_id_and_a_new_group_waits_the_initial_rebalance_delay() {
    // Ref: kafka-facts.md §7 (KIP-394 MEMBER_ID_REQUIRED; group.initial.rebalance.delay.ms = 3000)
    let s = scenario("kafka-3.6", 3, 3, json!([consumer("billing", json!({}))]), json!({}));
    let (_, events) = run(&s, 8_000);
    let joins = events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::MessageSent { kind: kafkascope::event::MessageKind::JoinGroup, .. }))
        .count();
    assert_eq!(joins, 2, "first join without an id, then with the id the coordinator gave");
    let joined = events.iter().find(|e| matches!(e.kind, EventKind::MemberJoined { .. })).expect("joined").at_us;
    let (done, _, _, generation, _, _) = rebalances(&events)[0].clone();
    assert_eq!(generation, 1);
    assert!(done - joined >= 3_000_000 && done - joined < 3_100_000, "joined {joined} stable {done}");
}

/// Crash consumer 2 at once and start it at 10 s: it joins a Stable group of consumer 1.
fn late_joiner(strategy: &str) -> Vec<Rebalance> {
    let extra = json!({"partition.assignment.strategy": strategy});
    let mut s = scenario("kafka-3.6", 3, 5, json!([consumer("g", extra.clone()), consumer("g", extra)]), json!({}));
    let timeline = json!([{"atMs": 0, "command": {"type": "crashConsumer", "consumer": 2}},
                          {"atMs": 10000, "command": {"type": "restartConsumer", "consumer": 2}}]);
    s.timeline = serde_json::from_value(timeline).unwrap();
    let (_, events) = run(&s, 25_000);
    rebalances(&events)
}

fn subscriptions(assignment: &VecMap<String, Vec<TopicPartition>>, owned: Option<&VecMap<String, Vec<TopicPartition>>>, generation: i32) -> Vec<MemberSubscription> {
    assignment
        .keys()
        .map(|m| {
            let mut sub = MemberSubscription::new(m, &["orders"]);
            if let Some(parts) = owned.and_then(|o| o.get(m)) {
                sub.owned = parts.iter().map(|tp| (tp.topic.to_string(), tp.partition)).collect();
                sub.generation = generation;
            }
            sub
        })
        .collect()
}

fn as_pairs(a: &VecMap<String, Vec<TopicPartition>>) -> VecMap<String, Vec<(String, u32)>> {
    a.iter().map(|(m, v)| (m.clone(), v.iter().map(|tp| (tp.topic.to_string(), tp.partition)).collect())).collect()
}

#[test]
fn a_joining_consumer_triggers_a_rebalance_whose_result_matches_the_assignor() {
    // Ref: kafka-facts.md §7 (RangeAssignor, RoundRobinAssignor, StickyAssignor)
    let topics = VecMap::from([("orders".to_string(), 5u32)]);
    for (strategy, kind) in [("range", AssignorKind::Range), ("roundrobin", AssignorKind::RoundRobin), ("sticky", AssignorKind::Sticky)] {
        let r = late_joiner(strategy);
        assert_eq!(r.len(), 2, "{strategy}: initial rebalance plus one for the joiner: {r:?}");
        let (first, second) = (&r[0].5, &r[1].5);
        assert_eq!(first.len(), 1);
        assert_eq!(second.len(), 2);
        assert_eq!(r[1].3, 2, "generation 2");
        assert_eq!(r[1].4, strategy);
        let owned = (kind == AssignorKind::Sticky).then_some(first);
        let expected = kind.assign(&topics, &subscriptions(second, owned, 1));
        assert_eq!(as_pairs(second), expected, "{strategy}");
        let sizes: Vec<usize> = second.values().map(|v| v.len()).collect();
        assert!(sizes.contains(&3) && sizes.contains(&2), "{strategy}: balanced {second:?}");
    }
}

#[test]
fn cooperative_sticky_revokes_first_and_hands_over_in_a_follow_up_rebalance() {
    // Ref: kafka-facts.md §7 "Cooperative example"
    let r = late_joiner("cooperative-sticky");
    assert!(r.len() >= 3, "two-step rebalance: {r:?}");
    let (gen2, gen3) = (&r[1].5, &r[2].5);
    let joiner = gen2.keys().find(|m| consumer_of(m) == 2).expect("joiner").clone();
    let old = gen2.keys().find(|m| consumer_of(m) == 1).expect("old member").clone();
    assert!(gen2[&joiner].is_empty(), "nothing moves directly in the first rebalance: {gen2:?}");
    assert_eq!(gen2[&old].len(), 3, "the old member keeps its first maxQuota partitions");
    assert_eq!(gen3[&joiner].len(), 2, "the follow-up gives the revoked partitions to the joiner: {gen3:?}");
    assert_eq!(gen3[&old], gen2[&old]);
    // No partition is ever owned by two members in the same generation.
    for (.., a) in &r {
        assert!(owner_counts(a).values().all(|&n| n == 1));
    }
}
