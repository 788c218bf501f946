//! Consumer groups under failure: a crashed member is expired after session.timeout.ms, committed
//! offsets survive a restart (at-least-once), the coordinator moves with its partition's leader,
//! auto.offset.reset=none fails, and consumers never read past the high watermark.
// Ref: kafka-facts.md §6, §7 (heartbeats, offsets and fetching)

mod group_support;

use group_support::*;
use kafkascope::command::Command;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use serde_json::json;
use std::collections::BTreeMap;

#[test]
fn a_crashed_consumer_is_removed_after_session_timeout_and_its_partitions_move() {
    // Ref: kafka-facts.md §7 "Heartbeats"
    let extra = json!({"session.timeout.ms": 10000, "heartbeat.interval.ms": 1000});
    let mut s = scenario("kafka-3.6", 3, 4, json!([consumer("g", extra.clone()), consumer("g", extra)]), json!({}));
    s.timeline = serde_json::from_value(json!([{"atMs": 15000, "command": {"type": "crashConsumer", "consumer": 2}}])).unwrap();
    let (_, events) = run(&s, 35_000);
    let left = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::MemberLeft { member_id, reason, .. } => Some((e.at_us, member_id.clone(), reason.clone())),
            _ => None,
        })
        .expect("the crashed member is removed");
    assert_eq!(consumer_of(&left.1), 2);
    assert_eq!(left.2, "sessionTimeout");
    // Its last heartbeat was at most heartbeat.interval.ms before the crash.
    assert!(left.0 > ms(25_000) - ms(1_000) && left.0 <= ms(25_000) + ms(200), "removed at {}", left.0);
    let (at, _, _, _, _, assignment) = rebalances(&events).last().cloned().unwrap();
    assert!(at > left.0);
    assert_eq!(assignment.len(), 1);
    let (member, parts) = assignment.iter().next().unwrap();
    assert_eq!(consumer_of(member), 1);
    assert_eq!(parts.len(), 4, "all partitions moved to the survivor");
    let after: std::collections::BTreeSet<TopicPartition> =
        consumed(&events).into_iter().filter(|c| c.0 > at && c.1 == 1).map(|c| c.2).collect();
    assert_eq!(after.len(), 4, "the survivor reads every partition");
}

#[test]
fn committed_offsets_survive_a_consumer_restart_and_uncommitted_records_are_read_again() {
    // Ref: kafka-facts.md §7 "Offsets and fetching" (the committed value is the next offset to read)
    let extra = json!({"session.timeout.ms": 10000, "auto.commit.interval.ms": 5000});
    let mut s = scenario("kafka-3.6", 3, 2, json!([consumer("g", extra)]), json!({}));
    s.timeline = serde_json::from_value(json!([
        {"atMs": 17000, "command": {"type": "crashConsumer", "consumer": 1}},
        {"atMs": 20000, "command": {"type": "restartConsumer", "consumer": 1}}
    ]))
    .unwrap();
    let (_, events) = run(&s, 45_000);
    let crash = ms(17_000);
    let mut committed: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    for e in events.iter().filter(|e| e.at_us < crash) {
        if let EventKind::OffsetsCommitted { offsets, .. } = &e.kind {
            committed.extend(offsets.clone());
        }
    }
    assert_eq!(committed.len(), 2, "both partitions committed before the crash");
    let consumed = consumed(&events);
    for (tp, &offset) in &committed {
        let reached = consumed.iter().filter(|c| c.0 < crash && &c.2 == tp).map(|c| c.4).max().unwrap();
        let resumed = consumed.iter().find(|c| c.0 > crash && &c.2 == tp).expect("reads again after restart");
        assert_eq!(resumed.3, offset, "{tp}: resumes from the committed offset");
        assert!(offset > 0 && offset <= reached, "{tp}: committed {offset}, had read to {reached}");
    }
    // At least once: something read before the crash was not committed and is read again.
    let reread: i64 = committed
        .iter()
        .map(|(tp, &o)| consumed.iter().filter(|c| c.0 < crash && &c.2 == tp).map(|c| c.4).max().unwrap() - o)
        .sum();
    assert!(reread > 0, "records after the last commit are delivered twice");
    // Offsets are records in __consumer_offsets, appended by the coordinator's log.
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::RecordsAppended { topic, as_leader: true, .. } if topic == "__consumer_offsets")));
}

#[test]
fn the_coordinator_moves_when_its_broker_crashes_and_the_group_recovers() {
    // Ref: kafka-facts.md §6 (the coordinator is the leader of the group's __consumer_offsets partition)
    let extra = json!({"session.timeout.ms": 10000, "heartbeat.interval.ms": 1000, "request.timeout.ms": 5000, "auto.commit.interval.ms": 2000});
    let s = scenario("kafka-4.0", 3, 3, json!([consumer("billing", extra.clone()), consumer("billing", extra)]), json!({}));
    let mut sim = Sim::new(&s).unwrap();
    let mut events = sim.advance_to(ms(12_000));
    let old = rebalances(&events).last().expect("stable before the crash").1;
    sim.apply(Command::CrashBroker { broker: old }).unwrap();
    events.extend(sim.advance_to(ms(60_000)));
    let crash = ms(12_000);
    let found: Vec<u32> = events
        .iter()
        .filter(|e| e.at_us > crash)
        .filter_map(|e| match &e.kind {
            EventKind::CoordinatorFound { broker, .. } => Some(*broker),
            _ => None,
        })
        .collect();
    assert!(!found.is_empty() && found.iter().all(|&b| b != old), "rediscovered a new coordinator: {found:?}");
    let (at, broker, _, _, _, assignment) = rebalances(&events).last().cloned().unwrap();
    assert!(at > crash && broker != old, "the group rebalanced on the new coordinator");
    assert_eq!(owner_counts(&assignment).len(), 3);
    let group = &sim.brokers()[broker as usize - 1].groups()["billing"];
    assert_eq!(group.state, kafkascope::broker::GroupState::Stable);
    // The new coordinator loaded the committed offsets from its replica of __consumer_offsets.
    assert!(!group.offsets.is_empty());
    for tp in assignment.values().flatten() {
        let first = consumed(&events).into_iter().find(|c| c.0 > at && &c.2 == tp).expect("reads after recovery");
        assert!(first.3 > 0, "{tp} resumes from a committed offset, not from the start");
    }
}

#[test]
fn auto_offset_reset_none_without_a_committed_offset_is_an_error() {
    // Ref: kafka-facts.md §7 "auto.offset.reset"
    let s = scenario("kafka-3.6", 3, 2, json!([consumer("g", json!({"auto.offset.reset": "none"}))]), json!({}));
    let (_, events) = run(&s, 8_000);
    let errors: Vec<(String, u32)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ConsumerError { error, partition, .. } => Some((error.clone(), *partition)),
            _ => None,
        })
        .collect();
    assert_eq!(errors, vec![("NoOffsetForPartitionException".to_string(), 0), ("NoOffsetForPartitionException".to_string(), 1)]);
    assert!(consumed(&events).is_empty());
}

#[test]
fn consumers_never_read_past_the_high_watermark_even_through_failures() {
    // Ref: kafka-facts.md §7 "Visibility"
    let extra = json!({"session.timeout.ms": 10000, "heartbeat.interval.ms": 1000});
    let mut s = scenario("kafka-3.6", 3, 3, json!([consumer("g", extra.clone()), consumer("g", extra)]), json!({"min.insync.replicas": 2}));
    s.timeline = serde_json::from_value(json!([
        {"atMs": 8000, "command": {"type": "crashBroker", "broker": 1}},
        {"atMs": 12000, "command": {"type": "crashConsumer", "consumer": 1}},
        {"atMs": 20000, "command": {"type": "restartBroker", "broker": 1}},
        {"atMs": 22000, "command": {"type": "restartConsumer", "consumer": 1}}
    ]))
    .unwrap();
    let (_, events) = run(&s, 40_000);
    let mut hw: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    let mut n = 0;
    for e in &events {
        match &e.kind {
            EventKind::HighWatermarkUpdated { topic, partition, high_watermark, .. } => {
                let v = hw.entry(TopicPartition::new(topic.clone(), *partition)).or_insert(0);
                *v = (*v).max(*high_watermark);
            }
            EventKind::RecordsConsumed { topic, partition, to_offset, high_watermark, .. } => {
                n += 1;
                let tp = TopicPartition::new(topic.clone(), *partition);
                assert!(to_offset <= high_watermark, "{tp}: read to {to_offset} past the hw {high_watermark}");
                assert!(*to_offset <= hw.get(&tp).copied().unwrap_or(0), "{tp}: read to {to_offset} past any hw");
            }
            _ => {}
        }
    }
    assert!(n > 10);
}
