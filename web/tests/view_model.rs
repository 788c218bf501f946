//! The reducer folds a known event sequence into the expected view state.
//! Runs in a headless browser (`wasm-pack test --headless --chrome`) and natively (`cargo test`).

use kafkascope::event::{Event, EventKind, MessageKind, StopCause};
use kafkascope::ids::NodeId;
use kafkascope_web::view_model::{Action, EpochRange, ViewState};
use std::rc::Rc;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;
use yew::Reducible;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

fn ev(at_us: u64, kind: EventKind) -> Event {
    Event { at_us, kind }
}

fn t() -> kafkascope::ids::Topic {
    "orders".into()
}

/// Three brokers, one partition led by broker 1; two batches land on the leader, one reaches a follower,
/// the HW moves, the consumer reads, then the leader crashes and broker 2 takes over in epoch 1.
fn story() -> Vec<Event> {
    vec![
        ev(0, EventKind::BrokerStarted { broker: 1 }),
        ev(0, EventKind::BrokerStarted { broker: 2 }),
        ev(0, EventKind::BrokerStarted { broker: 3 }),
        ev(0, EventKind::ControllerElected { node: NodeId::Broker(1), epoch: 1 }),
        ev(0, EventKind::TopicCreated { topic: t(), replication_factor: 3, assignment: vec![vec![1, 2, 3]] }),
        ev(10, EventKind::LeaderElected { topic: t(), partition: 0, leader: Some(1), leader_epoch: 0, isr: vec![1, 2, 3], unclean: false }),
        ev(100, EventKind::BatchCreated { producer: 1, batch: 7, topic: t(), partition: 0 }),
        ev(200, EventKind::BatchSent { producer: 1, batch: 7, topic: t(), partition: 0, broker: 1, records: 5, bytes: 500, attempt: 1 }),
        ev(200, EventKind::MessageSent { msg: 1, from: NodeId::Producer(1), to: NodeId::Broker(1), kind: MessageKind::Produce, bytes: 500, arrive_at_us: 1_200 }),
        ev(1_200, EventKind::RecordsAppended { broker: 1, topic: t(), partition: 0, base_offset: 0, last_offset: 4, leader_epoch: 0, log_end_offset: 5, as_leader: true }),
        ev(1_300, EventKind::RecordsAppended { broker: 1, topic: t(), partition: 0, base_offset: 5, last_offset: 7, leader_epoch: 0, log_end_offset: 8, as_leader: true }),
        ev(2_000, EventKind::RecordsAppended { broker: 2, topic: t(), partition: 0, base_offset: 0, last_offset: 4, leader_epoch: 0, log_end_offset: 5, as_leader: false }),
        ev(2_100, EventKind::HighWatermarkUpdated { broker: 1, topic: t(), partition: 0, high_watermark: 5 }),
        ev(2_100, EventKind::ProduceCompleted { producer: 1, batch: 7, topic: t(), partition: 0, base_offset: 0, records: 5, error: None }),
        ev(2_500, EventKind::RecordsConsumed { consumer: 1, topic: t(), partition: 0, from_offset: 0, to_offset: 5, high_watermark: 5 }),
        ev(3_000, EventKind::BrokerStopped { broker: 1, cause: StopCause::Crash }),
        ev(3_100, EventKind::LeaderElected { topic: t(), partition: 0, leader: Some(2), leader_epoch: 1, isr: vec![2, 3], unclean: false }),
        ev(3_200, EventKind::RecordsAppended { broker: 2, topic: t(), partition: 0, base_offset: 5, last_offset: 5, leader_epoch: 1, log_end_offset: 6, as_leader: true }),
    ]
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reducer_folds_a_produce_replicate_consume_and_failover_story() {
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 3_500, events: story(), summary: None, flight_min_us: 0 });
    assert_eq!(s.now_us, 3_500);
    assert_eq!(s.brokers.len(), 3);
    assert!(!s.brokers[&1].up, "broker 1 crashed");
    assert!(s.brokers[&2].up && s.brokers[&3].up);
    assert!(s.brokers[&1].controller, "controller marker on broker 1");
    let p = &s.partitions[&(t(), 0)];
    assert_eq!(p.replicas, vec![1, 2, 3]);
    assert_eq!((p.leader, p.leader_epoch), (Some(2), 1), "broker 2 leads in epoch 1");
    assert_eq!(p.isr, vec![2, 3]);
    let l1 = &p.logs[&1];
    assert_eq!((l1.leo, l1.hw), (8, 5));
    assert_eq!(l1.ranges, vec![EpochRange { start: 0, end: 8, epoch: 0 }], "contiguous same-epoch appends merge");
    let l2 = &p.logs[&2];
    assert_eq!(l2.leo, 6);
    assert_eq!(l2.ranges, vec![EpochRange { start: 0, end: 5, epoch: 0 }, EpochRange { start: 5, end: 6, epoch: 1 }]);
    assert_eq!(p.logs[&3].leo, 0, "broker 3 has fetched nothing yet");
    let prod = &s.producers[&1];
    assert!(prod.open.is_empty() && prod.in_flight.is_empty(), "batch 7 left and was acknowledged");
    assert_eq!(prod.acked[&(t(), 0)], 5);
    assert_eq!(s.consumers[&1].position[&(t(), 0)], 5);
    assert_eq!((s.ledger.produced, s.ledger.acked, s.ledger.consumed), (5, 5, 5));
    assert_eq!(s.ledger.events, story().len() as u64);
    assert!(s.flights.is_empty(), "the produce request arrived at 1.2 ms and is no longer drawn");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn message_in_flight_is_drawn_until_it_arrives() {
    let sent = vec![ev(100, EventKind::MessageSent { msg: 9, from: NodeId::Broker(1), to: NodeId::Broker(2), kind: MessageKind::FetchResponse, bytes: 10, arrive_at_us: 1_000 })];
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 500, events: sent, summary: None, flight_min_us: 0 });
    assert_eq!(s.flights.len(), 1);
    assert_eq!(s.flights[&9].arrive_us, 1_000);
    let s = s.reduce(Action::Frame { now_us: 1_000, events: vec![], summary: None, flight_min_us: 0 });
    assert!(s.flights.is_empty());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn truncation_cuts_the_log_and_caps_the_high_watermark() {
    // Ref: KIP-101 (a follower truncates to the leader epoch's end offset before fetching again).
    let mut evs = story();
    evs.push(ev(4_000, EventKind::LogTruncated { broker: 1, topic: t(), partition: 0, offset: 5, removed: 3, reason: "KIP-101".into() }));
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 4_000, events: evs, summary: None, flight_min_us: 0 });
    let l1 = &s.partitions[&(t(), 0)].logs[&1];
    assert_eq!(l1.leo, 5);
    assert_eq!(l1.ranges, vec![EpochRange { start: 0, end: 5, epoch: 0 }]);
    assert!(l1.hw <= 5);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reset_forgets_everything() {
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 3_500, events: story(), summary: None, flight_min_us: 0 });
    let s = s.reduce(Action::Reset);
    assert_eq!(*s, ViewState::default());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn retention_moves_the_log_start() {
    let mut evs = story();
    evs.push(ev(5_000, EventKind::SegmentDeleted { broker: 1, topic: t(), partition: 0, base_offset: 0, next_offset: 3, size_bytes: 300, reason: "retention.ms".into(), log_start_offset: 3 }));
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 5_000, events: evs, summary: None, flight_min_us: 0 });
    let l1 = &s.partitions[&(t(), 0)].logs[&1];
    assert_eq!(l1.log_start, 3);
    assert_eq!(l1.ranges, vec![EpochRange { start: 3, end: 8, epoch: 0 }]);
    assert_eq!(l1.leo, 8);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn internal_topics_are_counted_not_drawn() {
    let off = || kafkascope::ids::Topic::from("__consumer_offsets");
    let evs = vec![
        ev(0, EventKind::TopicCreated { topic: off(), replication_factor: 3, assignment: vec![vec![1, 2, 3]; 50] }),
        ev(1, EventKind::LeaderElected { topic: off(), partition: 7, leader: Some(2), leader_epoch: 0, isr: vec![2, 3, 1], unclean: false }),
        ev(2, EventKind::RecordsAppended { broker: 2, topic: off(), partition: 7, base_offset: 0, last_offset: 0, leader_epoch: 0, log_end_offset: 1, as_leader: true }),
    ];
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 2, events: evs, summary: None, flight_min_us: 0 });
    assert!(s.partitions.is_empty());
    assert_eq!(s.hidden_topics.get("__consumer_offsets"), Some(&50));
    assert_eq!(s.ledger.events, 3);
}
