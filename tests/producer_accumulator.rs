//! The RecordAccumulator and the sender: linger, batch.size, batching under max.in.flight, delivery
//! timeout, retries=0.
// Ref: kafka-facts.md §2 (accumulator and sender interaction, producer defaults)

use kafkascope::event::{Event, EventKind};
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

/// One broker, one partition; `producer_config` and `workload` are JSON object bodies, `extra` adds
/// top-level fields (timeline, costModel override via `cluster`).
fn scenario(cluster: &str, producer_config: &str, workload: &str, timeline: &str) -> Scenario {
    let json = format!(
        r#"{{
  "profile": "kafka-3.6", "seed": 3,
  "cluster": {{ "brokers": 1 {cluster} }},
  "topics": [ {{ "name": "t", "partitions": 1, "replicationFactor": 1 }} ],
  "producers": [ {{ "topic": "t", "config": {{ {producer_config} }}, "workload": {{ {workload} }} }} ],
  "timeline": [ {timeline} ]
}}"#
    );
    Scenario::from_json(&json).expect("valid scenario")
}

fn run(s: &Scenario, until_ms: u64) -> Vec<Event> {
    Sim::new(s).unwrap().advance_to(ms(until_ms))
}

/// (at, batch, records, attempt) of every BatchSent.
fn sends(events: &[Event]) -> Vec<(u64, u64, u32, u32)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::BatchSent { batch, records, attempt, .. } => Some((e.at_us, batch, records, attempt)),
            _ => None,
        })
        .collect()
}

fn created_at(events: &[Event], id: u64) -> u64 {
    events.iter().find(|e| matches!(e.kind, EventKind::BatchCreated { batch, .. } if batch == id)).expect("created").at_us
}

/// (batch, error) of every failed ProduceCompleted.
fn failures(events: &[Event]) -> Vec<(u64, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ProduceCompleted { batch, error: Some(err), .. } => Some((*batch, err.clone())),
            _ => None,
        })
        .collect()
}

const PRODUCE: &str = r#"{ "type": "produce", "producer": 1, "key": "k", "value": "v", "partition": null }"#;
const CUT: &str = r#"{ "type": "cutLink", "a": { "producer": 1 }, "b": { "broker": 1 } }"#;
const HEAL: &str = r#"{ "type": "healLink", "a": { "producer": 1 }, "b": { "broker": 1 } }"#;

#[test]
fn linger_ms_holds_a_batch_until_it_expires() {
    let timeline = format!(r#"{{ "atMs": 1000, "command": {PRODUCE} }}, {{ "atMs": 1050, "command": {PRODUCE} }}, {{ "atMs": 1150, "command": {PRODUCE} }}"#);
    let s = scenario("", r#""linger.ms": 200"#, r#""recordsPerSec": 0"#, &timeline);
    let events = run(&s, 2_000);
    let sent = sends(&events);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (at, batch, records, _) = sent[0];
    assert_eq!(records, 3, "records arriving during linger.ms join the batch");
    assert_eq!(created_at(&events, batch), ms(1_000));
    assert_eq!(at, ms(1_200), "sent when linger.ms expires, not before");
}

#[test]
fn a_full_batch_is_sent_before_linger_expires() {
    // 100-byte values, batch.size 1000: about 7 records fill a batch, long before 10 s of linger.
    let s = scenario(
        "",
        r#""linger.ms": 10000, "batch.size": 1000"#,
        r#""recordsPerSec": 1000, "maxRecords": 100, "key": { "type": "fixed", "key": "k" }, "value": { "bytes": 100, "content": "random" }"#,
        "",
    );
    let events = run(&s, 1_000);
    let sent = sends(&events);
    assert!(sent.len() >= 10, "{sent:?}");
    for &(at, batch, records, _) in &sent {
        assert!(at < created_at(&events, batch) + ms(100), "batch {batch} left early because it was full");
        assert!((5..=9).contains(&records), "batch {batch}: {records} records");
    }
}

#[test]
fn with_linger_zero_batches_form_while_in_flight_is_saturated() {
    // 20 ms links and one request in flight: records arriving meanwhile queue into bigger batches.
    let s = scenario(
        r#", "costModel": { "linkLatencyUs": 20000 }"#,
        r#""linger.ms": 0, "max.in.flight.requests.per.connection": 1"#,
        r#""recordsPerSec": 1000, "maxRecords": 500, "key": { "type": "fixed", "key": "k" }"#,
        "",
    );
    let events = run(&s, 2_000);
    let sent = sends(&events);
    let total: u32 = sent.iter().map(|s| s.2).sum();
    assert_eq!(total, 500);
    let max = sent.iter().map(|s| s.2).max().unwrap();
    assert!(max >= 30, "batches grew while the connection was busy: {sent:?}");
    assert!(sent.len() < 30, "{} requests for 500 records", sent.len());
}

#[test]
fn delivery_timeout_fails_a_batch_with_a_timeout_error() {
    // The link is cut for good: attempts time out after request.timeout.ms and are retried until
    // delivery.timeout.ms since the batch was created has passed.
    let timeline = format!(r#"{{ "atMs": 500, "command": {CUT} }}, {{ "atMs": 1000, "command": {PRODUCE} }}"#);
    let config = r#""request.timeout.ms": 1000, "delivery.timeout.ms": 2500, "retry.backoff.ms": 100"#;
    let events = run(&scenario("", config, r#""recordsPerSec": 0"#, &timeline), 10_000);
    let failed = failures(&events);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].1.contains("TimeoutException"), "{failed:?}");
    let at = events.iter().find(|e| matches!(e.kind, EventKind::ProduceCompleted { .. })).unwrap().at_us;
    assert!(at >= ms(1_000 + 2_500) && at < ms(1_000 + 3_500), "failed at {at}");
    assert!(sends(&events).len() >= 2, "it was retried before the deadline");
}

#[test]
fn a_batch_that_never_leaves_the_accumulator_expires_too() {
    // max.in.flight=1 and the only request is lost: the second batch never leaves, yet fails on time.
    let timeline = format!(
        r#"{{ "atMs": 500, "command": {CUT} }}, {{ "atMs": 1000, "command": {PRODUCE} }}, {{ "atMs": 1001, "command": {PRODUCE} }}"#
    );
    let config = r#""request.timeout.ms": 30000, "delivery.timeout.ms": 30000, "linger.ms": 0, "max.in.flight.requests.per.connection": 1"#;
    let events = run(&scenario("", config, r#""recordsPerSec": 0"#, &timeline), 40_000);
    let failed = failures(&events);
    assert_eq!(failed.len(), 2, "{failed:?}");
    let second = failed.iter().find(|(b, _)| *b == 2).expect("second batch failed");
    assert!(second.1.contains("TimeoutException"));
    assert_eq!(sends(&events).iter().filter(|s| s.1 == 2).count(), 0, "batch 2 was never sent");
}

#[test]
fn retries_zero_fails_on_the_first_retriable_error() {
    // retries=0 (idempotence, only defaulted, is silently disabled): one lost request is final.
    let timeline = format!(
        r#"{{ "atMs": 500, "command": {CUT} }}, {{ "atMs": 1000, "command": {PRODUCE} }}, {{ "atMs": 1100, "command": {HEAL} }}"#
    );
    let config = r#""retries": 0, "request.timeout.ms": 1000"#;
    let events = run(&scenario("", config, r#""recordsPerSec": 0"#, &timeline), 5_000);
    let failed = failures(&events);
    assert_eq!(failed, vec![(1, "REQUEST_TIMED_OUT".to_string())]);
    assert_eq!(sends(&events).len(), 1, "no second attempt");
}
