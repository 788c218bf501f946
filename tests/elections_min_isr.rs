//! acks=all and min.insync.replicas: NOT_ENOUGH_REPLICAS before append, NOT_ENOUGH_REPLICAS_AFTER_APPEND
//! when the ISR shrinks while a request waits, and the 3.7+ HW freeze that turns the latter into a
//! timeout (kafka-facts.md §4 worked example, step 4).
mod common;

use common::run;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;

/// RF 3, min ISR 2, lag time 4 s. At 1 s both followers lose their link to leader 1; "a" is produced
/// at 1.5 s and waits; the ISR shrinks to {1} around 5-7 s; "b" is produced at 10 s.
fn scenario(profile: &str) -> String {
    format!(
        r#"{{
  "profile": "{profile}", "seed": 15583,
  "cluster": {{ "brokers": 3, "config": {{ "replica.lag.time.max.ms": 4000, "zookeeper.session.timeout.ms": 60000, "broker.session.timeout.ms": 60000 }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "assignment": [[1, 2, 3]], "config": {{ "min.insync.replicas": 2 }} }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "enable.idempotence": false, "retries": 0, "linger.ms": 0,
      "request.timeout.ms": 20000, "delivery.timeout.ms": 120000 }}, "workload": {{ "recordsPerSec": 0 }} }} ],
  "timeline": [
    {{ "atMs": 1000, "command": {{ "type": "cutLink", "a": {{ "broker": 1 }}, "b": {{ "broker": 2 }} }} }},
    {{ "atMs": 1000, "command": {{ "type": "cutLink", "a": {{ "broker": 1 }}, "b": {{ "broker": 3 }} }} }},
    {{ "atMs": 1500, "command": {{ "type": "produce", "producer": 1, "value": "a", "partition": 0 }} }},
    {{ "atMs": 10000, "command": {{ "type": "produce", "producer": 1, "value": "b", "partition": 0 }} }} ]
}}"#
    )
}

/// `(ms, error)` of each produce outcome, in order.
fn outcomes(r: &common::Run) -> Vec<(u64, Option<String>)> {
    r.find(|k| match k {
        EventKind::ProduceCompleted { error, topic, .. } if topic == "t" => Some(error.clone()),
        _ => None,
    })
}

fn leader_appends(r: &common::Run) -> usize {
    r.find(|k| match k {
        EventKind::RecordsAppended { broker: 1, as_leader: true, topic, .. } if topic == "t" => Some(()),
        _ => None,
    })
    .len()
}

// Ref: kafka-facts.md §4 ("acks semantics": ISR size < effectiveMinIsr rejects before append)
#[test]
fn acks_all_with_isr_below_min_isr_is_rejected_before_append_and_nothing_is_written() {
    for profile in ["kafka-3.6", "kafka-4.0"] {
        let r = run(&scenario(profile), 30_000);
        let isr = r.isr_changes();
        assert!(isr.iter().any(|(t, i)| *t < 10_000 && i == &vec![1]), "{profile}: {isr:?}");
        let b = outcomes(&r).into_iter().find(|(t, _)| *t >= 10_000 && *t < 11_000);
        assert_eq!(b.map(|o| o.1), Some(Some("NOT_ENOUGH_REPLICAS".to_string())), "{profile}");
        // Only "a" ever reached the leader's log.
        assert_eq!(leader_appends(&r), 1, "{profile}");
        let log = &r.sim.brokers()[0].disk.logs[&TopicPartition::new("t", 0)];
        assert_eq!(log.log_end_offset(), 1, "{profile}");
    }
}

// Ref: kafka-facts.md §4 worked example step 4 (before 3.7 the HW advances with the ISR = {leader} and
// the waiting request gets NOT_ENOUGH_REPLICAS_AFTER_APPEND; on 3.7+ (KAFKA-15583) the HW is frozen
// under min ISR and it ends with REQUEST_TIMED_OUT)
#[test]
fn acks_all_waiting_when_the_isr_shrinks_gets_after_append_on_3_6_but_times_out_on_4_0() {
    let hw_of_leader = |r: &common::Run| r.sim.brokers()[0].replica(&TopicPartition::new("t", 0)).map(|x| x.hw);
    let old = run(&scenario("kafka-3.6"), 30_000);
    let shrink = old.isr_changes().into_iter().find(|(_, i)| i == &vec![1]).map(|c| c.0).expect("ISR shrank");
    let a = outcomes(&old).into_iter().next().expect("a answered");
    assert_eq!(a.1.as_deref(), Some("NOT_ENOUGH_REPLICAS_AFTER_APPEND"));
    assert!(a.0 >= shrink && a.0 < shrink + 100, "answered when the ISR shrank: {} vs {shrink}", a.0);
    assert_eq!(hw_of_leader(&old), Some(1), "3.6: the HW advanced past \"a\" (written, visible)");

    let new = run(&scenario("kafka-4.0"), 30_000);
    // "b" (rejected at 10 s) is answered before "a".
    let a = outcomes(&new).into_iter().find(|(t, _)| !(10_000..11_000).contains(t)).expect("a answered");
    assert_eq!(a.1.as_deref(), Some("REQUEST_TIMED_OUT"));
    assert!((21_500..22_000).contains(&a.0), "after request.timeout.ms: {}", a.0);
    assert_eq!(hw_of_leader(&new), Some(0), "4.0: the HW stays frozen under min ISR");
    // Written either way: the leader's log holds "a".
    assert_eq!(leader_appends(&new), 1);
}
