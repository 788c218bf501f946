//! The idempotent producer: ordering under retries with several requests in flight, and duplicates
//! from retries whose response was lost.
// Ref: kafka-facts.md §5

use kafkascope::event::{Event, EventKind};
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use std::collections::BTreeMap;

/// One broker, one partition, one key, 200 records/s with linger 0 and 5 requests in flight; the
/// link between producer and broker is cut from `cut_ms` to `heal_ms`.
fn scenario(idempotence: bool, latency_us: u64, cut_ms: u64, heal_ms: u64) -> Scenario {
    let json = format!(
        r#"{{
  "profile": "kafka-3.6", "seed": 7,
  "cluster": {{ "brokers": 1, "costModel": {{ "linkLatencyUs": {latency_us} }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "replicationFactor": 1 }} ],
  "producers": [ {{ "topic": "t",
    "config": {{ "enable.idempotence": {idempotence}, "acks": "all", "linger.ms": 0,
                 "max.in.flight.requests.per.connection": 5, "request.timeout.ms": 300,
                 "retry.backoff.ms": 10, "retry.backoff.max.ms": 10 }},
    "workload": {{ "recordsPerSec": 200, "maxRecords": 400, "key": {{ "type": "fixed", "key": "k" }},
                  "value": {{ "bytes": 20, "content": "text" }} }} }} ],
  "timeline": [
    {{ "atMs": {cut_ms}, "command": {{ "type": "cutLink", "a": {{ "producer": 1 }}, "b": {{ "broker": 1 }} }} }},
    {{ "atMs": {heal_ms}, "command": {{ "type": "healLink", "a": {{ "producer": 1 }}, "b": {{ "broker": 1 }} }} }}
  ]
}}"#
    );
    Scenario::from_json(&json).expect("valid scenario")
}

/// Successful batches: batch id (creation order) -> base offset in the log.
fn acked_offsets(events: &[Event]) -> BTreeMap<u64, i64> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ProduceCompleted { batch, base_offset, error: None, .. } => Some((*batch, *base_offset)),
            _ => None,
        })
        .collect()
}

/// Pairs of batches created in one order but written in the other.
fn inversions(offsets: &BTreeMap<u64, i64>) -> usize {
    let v: Vec<i64> = offsets.values().copied().collect();
    v.windows(2).filter(|w| w[1] < w[0]).count()
}

fn run(s: &Scenario) -> (Vec<Event>, Sim) {
    let mut sim = Sim::new(s).unwrap();
    let events = sim.advance_to(ms(5_000));
    (events, sim)
}

#[test]
fn without_idempotence_a_retried_batch_lands_after_a_later_one() {
    // Requests sent while the link is cut are lost and time out; the batch sent right after the heal
    // is written first, and the timed-out ones are retried behind it: per-key order is broken.
    let (events, sim) = run(&scenario(false, 500, 500, 520));
    let offsets = acked_offsets(&events);
    assert!(inversions(&offsets) > 0, "expected a retried batch after a later one: {offsets:?}");
    let s = sim.summary();
    assert_eq!(s.acknowledged, 400, "everything is eventually written");
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::MessageSent { kind: kafkascope::event::MessageKind::InitProducerId, .. })));
}

#[test]
fn with_idempotence_retries_keep_per_partition_order() {
    // The batch after the gap is rejected with OUT_OF_ORDER_SEQUENCE_NUMBER and retried after the
    // lost ones, in sequence order.
    let (events, sim) = run(&scenario(true, 500, 500, 520));
    let offsets = acked_offsets(&events);
    assert_eq!(inversions(&offsets), 0, "order kept: {offsets:?}");
    let out_of_order = events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::ProduceCompleted { error: Some(e), .. } if e.contains("OUT_OF_ORDER")))
        .count();
    assert_eq!(out_of_order, 0, "OUT_OF_ORDER_SEQUENCE_NUMBER is retried, never surfaced");
    let s = sim.summary();
    assert_eq!(s.acknowledged, 400);
    assert_eq!(s.ledger.duplicates, 0);
    // The rejected batch really was sent (and rejected) before the lost ones were retried.
    let retried_after_rejection = events.iter().any(|e| matches!(e.kind, EventKind::BatchSent { attempt: 2.., .. }));
    assert!(retried_after_rejection);
}

#[test]
fn lost_response_retry_duplicates_without_idempotence_and_is_deduplicated_with_it() {
    // 5 ms links: the request sent at 500 ms is in transit when the link is cut at 501 ms, so it is
    // written but its response is lost; the retry after request.timeout.ms is the same batch again.
    let (_, plain) = run(&scenario(false, 5_000, 501, 530));
    let plain = plain.summary();
    assert!(plain.ledger.duplicates > 0, "the retry was appended twice: {plain:?}");

    let (events, idem) = run(&scenario(true, 5_000, 501, 530));
    let idem = idem.summary();
    assert_eq!(idem.ledger.duplicates, 0, "{idem:?}");
    assert_eq!(idem.ledger.acked_lost, 0);
    assert_eq!(idem.acknowledged, 400);
    assert_eq!(inversions(&acked_offsets(&events)), 0);
}

#[test]
fn producer_ids_come_from_init_producer_id() {
    let s = scenario(true, 500, 10_000, 10_001);
    let mut sim = Sim::new(&s).unwrap();
    sim.advance_to(ms(1_000));
    let log = &sim.brokers()[0].disk.logs.values().next().unwrap();
    let read = log.read(0, i64::MAX, usize::MAX).unwrap();
    let headers: Vec<_> = read.records.batches().map(|b| b.unwrap().1).collect();
    assert!(!headers.is_empty());
    // Broker 1 hands out 1_000_000 + n; sequences continue from batch to batch.
    assert!(headers.iter().all(|h| h.producer_id == 1_000_000 && h.producer_epoch == 0));
    for w in headers.windows(2) {
        assert_eq!(w[1].base_sequence, w[0].last_sequence() + 1);
    }
    assert_eq!(headers[0].base_sequence, 0);
}

/// Three brokers, partition led by broker 1; the producer's request at 500 ms is written and
/// replicated, but its response is lost (link cut at 501 ms), then broker 1 crashes.
fn failover_scenario(idempotence: bool) -> Scenario {
    let json = format!(
        r#"{{
  "profile": "kafka-3.6", "seed": 5,
  "cluster": {{ "brokers": 3, "config": {{ "min.insync.replicas": 2, "zookeeper.session.timeout.ms": 1000 }},
               "costModel": {{ "linkLatencyUs": 5000 }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "assignment": [[1, 2, 3]] }} ],
  "producers": [ {{ "topic": "t",
    "config": {{ "enable.idempotence": {idempotence}, "acks": "all", "linger.ms": 0, "request.timeout.ms": 300 }},
    "workload": {{ "recordsPerSec": 0 }} }} ],
  "timeline": [
    {{ "atMs": 200, "command": {{ "type": "produce", "producer": 1, "key": "k", "value": "first", "partition": null }} }},
    {{ "atMs": 500, "command": {{ "type": "produce", "producer": 1, "key": "k", "value": "second", "partition": null }} }},
    {{ "atMs": 501, "command": {{ "type": "cutLink", "a": {{ "producer": 1 }}, "b": {{ "broker": 1 }} }} }},
    {{ "atMs": 700, "command": {{ "type": "crashBroker", "broker": 1 }} }}
  ]
}}"#
    );
    Scenario::from_json(&json).expect("valid scenario")
}

#[test]
fn a_new_leader_deduplicates_a_retry_of_a_batch_it_only_replicated() {
    // Followers build producer state from the batches they fetch, so after failover the retry of the
    // already-written batch is answered with its original offset instead of being appended again.
    let count_in_new_leader = |sim: &Sim| {
        let leader = sim.partitions().values().next().unwrap().leader.expect("a leader");
        assert_ne!(leader, 1);
        let log = sim.brokers()[leader as usize - 1].disk.logs.values().next().unwrap();
        log.log_end_offset()
    };
    let mut plain = Sim::new(&failover_scenario(false)).unwrap();
    let plain_events = plain.advance_to(ms(10_000));
    assert_eq!(count_in_new_leader(&plain), 3, "without idempotence the retry is written twice");
    assert!(plain.summary().ledger.duplicates > 0);
    assert!(plain_events.iter().any(|e| matches!(e.kind, EventKind::BatchSent { attempt: 2.., .. })));

    let mut idem = Sim::new(&failover_scenario(true)).unwrap();
    let events = idem.advance_to(ms(10_000));
    assert_eq!(count_in_new_leader(&idem), 2, "the retry was recognised as a duplicate");
    let s = idem.summary();
    assert_eq!((s.acknowledged, s.ledger.duplicates, s.ledger.acked_lost), (2, 0, 0), "{s:?}");
    // The duplicate was acknowledged with the original offset (1).
    let second = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ProduceCompleted { batch: 2, base_offset, error: None, .. } => Some(*base_offset),
            _ => None,
        })
        .expect("batch 2 acknowledged");
    assert_eq!(second, 1);
}

#[test]
fn producer_state_survives_a_restart_and_a_power_loss_rebuild() {
    // After a crash and restart the broker still recognises the producer's sequences: a batch that
    // skips a sequence is rejected rather than accepted as from an unknown producer.
    use kafkascope::broker::producer_state::{ProducerStateMap, Verdict};
    let mut sim = Sim::new(&scenario(true, 500, 10_000, 10_001)).unwrap();
    sim.advance_to(ms(1_000));
    sim.apply(kafkascope::command::Command::CrashBroker { broker: 1 }).unwrap();
    sim.apply(kafkascope::command::Command::RestartBroker { broker: 1 }).unwrap();
    let log = sim.brokers()[0].disk.logs.values().next().unwrap();
    let rebuilt = ProducerStateMap::rebuild(log);
    let kept = sim.brokers()[0].disk.producer_states.values().next().unwrap();
    assert_eq!(&rebuilt, kept, "the kept state equals a rebuild from the log");
    let entry = &rebuilt.producers[&1_000_000];
    let last = entry.batches.back().unwrap();
    let read = log.read(last.first_offset, i64::MAX, usize::MAX).unwrap();
    let (_, h, _) = read.records.batches().next().unwrap().unwrap();
    assert!(matches!(rebuilt.validate(&h), Verdict::Duplicate(_)));
    let gap = kafkascope::log::batch::BatchHeader { base_sequence: last.last_seq + 2, ..h };
    assert_eq!(rebuilt.validate(&gap), Verdict::Reject(kafkascope::net::ErrorCode::OutOfOrderSequenceNumber));
}
