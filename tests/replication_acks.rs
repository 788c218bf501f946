//! acks=0 / acks=1 / acks=all under a leader failure, and duplicates from retried produces.
mod common;

use common::run;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;

fn leader_at_end(r: &common::Run) -> Option<u32> {
    r.sim.partitions()[&TopicPartition::new("t", 0)].leader
}

// Ref: kafka-facts.md §4 ("acks semantics": acks=1 replies after the local append)
#[test]
fn acks1_record_acknowledged_by_isolated_leader_is_lost_when_it_crashes() {
    let r = run(include_str!("scenarios/acks1_leader_isolated_then_crashes.json"), 20_000);
    // A clean election moved leadership to broker 2 (first ISR member in assignment order).
    let el = r.elections();
    assert!(el.iter().any(|&(_, l, e, unclean)| l == Some(2) && e == 1 && !unclean), "{el:?}");
    assert_eq!(leader_at_end(&r), Some(2));
    // The leader acknowledged records after 2 s, when no follower could fetch them any more.
    let acked_while_cut = r.find(|k| match k {
        EventKind::ProduceCompleted { base_offset, error: None, .. } => Some(*base_offset),
        _ => None,
    });
    assert!(acked_while_cut.iter().any(|&(t, _)| (2_050..4_000).contains(&t)), "no ack during the cut");
    let l = r.ledger();
    assert!(l.acked_lost > 0, "acks=1 must lose acknowledged records here: {l:?}");
}

// Ref: kafka-facts.md §4 ("acks=0: no response is awaited")
#[test]
fn acks0_records_sent_to_a_dead_leader_are_lost() {
    let r = run(include_str!("scenarios/acks0_leader_crashes.json"), 20_000);
    assert_eq!(leader_at_end(&r), Some(2));
    // Records keep "succeeding" while they are dropped at the dead broker.
    let dropped_at_dead = r.find(|k| match k {
        EventKind::MessageDropped { reason, .. } if reason == "broker-1 is down" => Some(()),
        _ => None,
    });
    assert!(!dropped_at_dead.is_empty());
    let l = r.ledger();
    assert!(l.acked_lost > 0, "{l:?}");
}

// Ref: kafka-facts.md §4 ("acks=all ... waits until HW >= requiredOffset"), §11 (durability while an ISR copy survives)
#[test]
fn acks_all_min_isr_2_loses_nothing_under_the_same_faults() {
    let r = run(include_str!("scenarios/acksall_leader_isolated_then_crashes.json"), 40_000);
    assert_eq!(leader_at_end(&r), Some(2));
    let l = r.ledger();
    // The producer kept going after the failover: this is not a vacuous zero.
    assert!(l.acknowledged > 200, "{l:?}");
    let acked_after = r.find(|k| match k {
        EventKind::ProduceCompleted { error: None, .. } => Some(()),
        _ => None,
    });
    assert!(acked_after.iter().any(|&(t, _)| t > 15_000));
    assert_eq!(l.acked_lost, 0, "{l:?}");
}

// Ref: kafka-facts.md §5 (without idempotence a retried batch is appended again), §4 (acks=all)
#[test]
fn acks_all_without_idempotence_lost_response_is_retried_into_a_duplicate() {
    let r = run(include_str!("scenarios/acksall_lost_response_retry_duplicates.json"), 10_000);
    // A response from the leader was dropped on the cut link ...
    let lost_answers = r.find(|k| match k {
        EventKind::MessageDropped { reason, .. } if reason == "link broker-1 -> producer-1 is cut" => Some(()),
        _ => None,
    });
    assert!(!lost_answers.is_empty(), "no response was lost");
    // ... so the same batch was sent again ...
    let retries = r.find(|k| match k {
        EventKind::BatchSent { attempt, .. } if *attempt > 1 => Some(()),
        _ => None,
    });
    assert!(!retries.is_empty(), "no retry");
    // ... and the leader's log holds it twice; nothing acknowledged is missing.
    let l = r.ledger();
    assert!(l.duplicates > 0, "{l:?}");
    assert_eq!(l.acked_lost, 0, "{l:?}");
}
