//! The invariant checker catches each violation it claims to: states fabricated by editing a JSON
//! snapshot, a real KIP-101 divergence, and small fabricated event streams; and it stays quiet on a
//! healthy run.
// Ref: kafka-facts.md §4 (LEO, HW, ISR, leader epochs, truncation), §7 (consumers read below the HW).

use kafkascope::event::{Event, EventKind};
use kafkascope::ids::TopicPartition;
use kafkascope::invariants::{check, InvariantKind, InvariantTracker};
use kafkascope::scenario::{Scenario, TruncationPolicy};
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use serde_json::Value;
use kafkascope::vec_map::VecMap;

const DEFAULT: &str = include_str!("../static/scenarios/default.json");
const KIP101_B: &str = include_str!("scenarios/kip101_b_double_power_loss.json");

fn running_default(until_ms: u64) -> Sim {
    let mut sim = Sim::new(&Scenario::from_json(DEFAULT).unwrap()).unwrap();
    sim.advance_to(ms(until_ms));
    sim
}

/// Round-trips the simulation through its JSON snapshot with `edit` applied. The RNG's 128-bit
/// state does not fit a `serde_json::Value` number, so its text is carried over verbatim.
fn edited(sim: &Sim, edit: impl FnOnce(&mut Value)) -> Sim {
    let text = serde_json::to_string(sim).unwrap();
    let start = text.find("\"rng\":").unwrap() + 6;
    let mut depth = 0;
    let end = start + text[start..].char_indices().find(|&(_, c)| {
        depth += (c == '{') as i32 - (c == '}') as i32;
        depth == 0
    }).unwrap().0 + 1;
    let rng = &text[start..end];
    let mut v: Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    v["rng"] = Value::from("RNG");
    let back = serde_json::to_string(&v).unwrap().replacen("\"rng\":\"RNG\"", &format!("\"rng\":{rng}"), 1);
    serde_json::from_str(&back).unwrap()
}

/// (broker index, partition name) of some partition led by a live broker with known follower LEOs.
fn a_led_partition(v: &Value) -> (usize, String) {
    for (i, b) in v["brokers"].as_array().unwrap().iter().enumerate() {
        for (tp, r) in b["replicas"].as_object().unwrap() {
            let leads = r["state"]["leader"].as_u64() == Some(i as u64 + 1);
            let known = r["followers"].as_object().is_some_and(|f| !f.is_empty() && f.values().all(|s| s["leo"].as_i64() > Some(0)));
            if leads && known && r["state"]["isr"].as_array().unwrap().len() > 1 {
                return (i, tp.clone());
            }
        }
    }
    panic!("no led partition with known followers");
}

fn kinds(v: &[kafkascope::invariants::Violation]) -> Vec<InvariantKind> {
    v.iter().map(|v| v.kind).collect()
}

#[test]
fn a_healthy_run_breaks_no_invariant() {
    let mut sim = Sim::new(&Scenario::from_json(DEFAULT).unwrap()).unwrap();
    let mut tracker = InvariantTracker::new();
    let (events, violations) = sim.advance_to_checked(ms(8_000), ms(250), &mut tracker);
    assert!(events.len() > 100);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn a_high_watermark_above_the_log_end_offset_is_reported() {
    let sim = running_default(5_000);
    let bad = edited(&sim, |v| {
        let (i, tp) = a_led_partition(v);
        v["brokers"][i]["replicas"][&tp]["hw"] = Value::from(1_000_000);
    });
    let found = check(&bad);
    assert!(check(&sim).is_empty(), "{:?}", check(&sim));
    let v = found.iter().find(|v| v.kind == InvariantKind::HwAboveLeo).expect("reported");
    assert!(v.message.contains("high watermark 1000000 is above log end offset"), "{}", v.message);
}

#[test]
fn a_leader_advancing_its_hw_past_an_isr_members_known_leo_is_reported() {
    let sim = running_default(5_000);
    let mut tracker = InvariantTracker::new();
    assert!(tracker.check_sim(&sim).is_empty());
    let bad = edited(&sim, |v| {
        let (i, tp) = a_led_partition(v);
        let r = &mut v["brokers"][i]["replicas"][&tp];
        let slowest = r["followers"].as_object().unwrap().values().filter_map(|f| f["leo"].as_i64()).min().unwrap();
        r["hw"] = Value::from(slowest + 1);
    });
    let found = tracker.check_sim(&bad);
    assert!(kinds(&found).contains(&InvariantKind::HwAboveIsrLeo), "{found:?}");
}

#[test]
fn two_live_brokers_leading_one_epoch_are_reported() {
    let sim = running_default(5_000);
    let bad = edited(&sim, |v| {
        let (i, tp) = a_led_partition(v);
        let state = v["brokers"][i]["replicas"][&tp]["state"].clone();
        let other = (i + 1) % 3;
        v["brokers"][other]["replicas"][&tp]["state"] = state;
        v["brokers"][other]["replicas"][&tp]["state"]["leader"] = Value::from(other as u64 + 1);
        v["brokers"][i]["replicas"][&tp]["state"]["leader"] = Value::from(i as u64 + 1);
    });
    assert!(kinds(&check(&bad)).contains(&InvariantKind::TwoLeadersInEpoch), "{:?}", check(&bad));
}

fn elected(at_us: u64, leader: u32, epoch: i32) -> Event {
    Event { at_us, kind: EventKind::LeaderElected { topic: "t".into(), partition: 0, leader: Some(leader), leader_epoch: epoch, isr: vec![1, 2], unclean: false } }
}

#[test]
fn two_elections_of_different_leaders_in_one_epoch_are_reported() {
    let mut t = InvariantTracker::new();
    assert!(t.observe(&[elected(1, 1, 0), elected(2, 2, 1), elected(3, 2, 1)]).is_empty());
    let found = t.observe(&[elected(4, 3, 1)]);
    assert_eq!(kinds(&found), vec![InvariantKind::TwoLeadersInEpoch]);
    assert!(found[0].message.contains("t-0: leader epoch 1"), "{}", found[0].message);
}

// Ref: KIP-101 scenario 2; the same run with leader-epoch truncation stays consistent.
#[test]
fn replicas_diverging_below_the_high_watermark_are_reported() {
    let mut s = Scenario::from_json(KIP101_B).unwrap();
    assert_eq!(s.cluster.truncation, TruncationPolicy::HighWatermark);
    let mut sim = Sim::new(&s).unwrap();
    let (_, violations) = sim.advance_to_checked(ms(45_000), ms(1_000), &mut InvariantTracker::new());
    let v = violations.iter().find(|v| v.kind == InvariantKind::CommittedPrefixDiverged).expect("divergence found");
    assert!(v.message.contains("t-0: broker") && v.message.contains("at offset 1"), "{}", v.message);

    s.cluster.truncation = TruncationPolicy::LeaderEpoch;
    let mut sim = Sim::new(&s).unwrap();
    let (_, violations) = sim.advance_to_checked(ms(45_000), ms(1_000), &mut InvariantTracker::new());
    assert!(!kinds(&violations).contains(&InvariantKind::CommittedPrefixDiverged), "{violations:?}");
}

fn consumed(to_offset: i64, high_watermark: i64) -> Event {
    Event { at_us: 7, kind: EventKind::RecordsConsumed { consumer: 1, topic: "t".into(), partition: 2, from_offset: 10, to_offset, high_watermark } }
}

#[test]
fn a_consumer_reading_past_the_high_watermark_is_reported() {
    let mut t = InvariantTracker::new();
    assert!(t.observe(&[consumed(20, 20)]).is_empty());
    let found = t.observe(&[consumed(21, 20)]);
    assert_eq!(kinds(&found), vec![InvariantKind::ConsumedPastHw]);
    assert!(found[0].message.contains("consumer 1 read t-2 offsets [10, 21) past high watermark 20"), "{}", found[0].message);
}

fn assigned(consumer: u32, generation: i32, assigned: &[u32], revoked: &[u32]) -> Event {
    let tps = |ps: &[u32]| ps.iter().map(|&p| TopicPartition { topic: "t".into(), partition: p }).collect();
    Event { at_us: 9, kind: EventKind::PartitionsAssigned { consumer, group: "g".into(), generation, assigned: tps(assigned), revoked: tps(revoked) } }
}

#[test]
fn two_members_owning_a_partition_in_one_generation_are_reported() {
    let mut t = InvariantTracker::new();
    // Generation 1: consumer 1 owns 0 and 1. Generation 2: 1 gives up 1, consumer 2 takes it.
    let ok = [assigned(1, 1, &[0, 1], &[]), assigned(1, 2, &[], &[1]), assigned(2, 2, &[1], &[])];
    assert!(t.observe(&ok).is_empty());
    let found = t.observe(&[assigned(2, 2, &[0], &[])]);
    assert_eq!(kinds(&found), vec![InvariantKind::PartitionOwnedTwice]);
    assert!(found[0].message.contains("generation 2: t-0 owned by consumers 1 and 2"), "{}", found[0].message);
    // A stopped consumer owns nothing.
    assert!(t.observe(&[Event { at_us: 10, kind: EventKind::ConsumerStopped { consumer: 1 } }, assigned(2, 2, &[], &[])]).is_empty());
}

#[test]
fn a_coordinator_assigning_one_partition_twice_is_reported() {
    let tp = TopicPartition { topic: "t".into(), partition: 0 };
    let assignment = VecMap::from([("m-1".to_string(), vec![tp.clone()]), ("m-2".to_string(), vec![tp])]);
    let e = Event { at_us: 3, kind: EventKind::RebalanceCompleted { broker: 1, group: "g".into(), generation: 4, protocol: "range".into(), leader: "m-1".into(), assignment } };
    let found = InvariantTracker::new().observe(&[e]);
    assert_eq!(kinds(&found), vec![InvariantKind::PartitionOwnedTwice]);
    assert!(found[0].message.contains("t-0 assigned to both m-1 and m-2"), "{}", found[0].message);
}
