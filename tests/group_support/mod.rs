//! Shared helpers for the consumer-group tests: build a scenario, run it, pick events apart.
#![allow(dead_code)]

use kafkascope::event::{Event, EventKind};
use kafkascope::ids::TopicPartition;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use serde_json::{json, Value};
use kafkascope::vec_map::VecMap;

/// A scenario: `brokers` brokers, topic `orders` with `partitions` partitions (RF 3 capped), one
/// producer at 50 records/s, and the given consumers (`[topics, config]` objects).
pub fn scenario(profile: &str, brokers: u32, partitions: u32, consumers: Value, broker_config: Value) -> Scenario {
    let rf = brokers.min(3);
    let s = json!({
        "profile": profile,
        "seed": 7,
        "cluster": {"brokers": brokers, "config": broker_config},
        "topics": [{"name": "orders", "partitions": partitions, "replicationFactor": rf}],
        "producers": [{"topic": "orders", "config": {"acks": "all", "linger.ms": 5},
                       "workload": {"recordsPerSec": 50, "key": {"type": "uniform", "keys": 20}}}],
        "consumers": consumers,
    });
    Scenario::from_json(&s.to_string()).expect("valid scenario")
}

/// A consumer of `orders` in `group` with extra config.
pub fn consumer(group: &str, extra: Value) -> Value {
    let mut config = json!({"group.id": group, "auto.offset.reset": "earliest"});
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    json!({"topics": ["orders"], "config": config})
}

/// Runs to `until_ms`, returning the simulation and every event.
pub fn run(s: &Scenario, until_ms: u64) -> (Sim, Vec<Event>) {
    let mut sim = Sim::new(s).expect("sim");
    let events = sim.advance_to(ms(until_ms));
    (sim, events)
}

/// One RebalanceCompleted: (time, broker, group, generation, protocol, assignment).
pub type Rebalance = (u64, u32, String, i32, String, VecMap<String, Vec<TopicPartition>>);

/// Every RebalanceCompleted.
pub fn rebalances(events: &[Event]) -> Vec<Rebalance> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RebalanceCompleted { broker, group, generation, protocol, assignment, .. } => {
                Some((e.at_us, *broker, group.clone(), *generation, protocol.clone(), assignment.clone()))
            }
            _ => None,
        })
        .collect()
}

/// RecordsConsumed as (time, consumer, partition, from, to, hw).
pub fn consumed(events: &[Event]) -> Vec<(u64, u32, TopicPartition, i64, i64, i64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RecordsConsumed { consumer, topic, partition, from_offset, to_offset, high_watermark } => Some((
                e.at_us,
                *consumer,
                TopicPartition::new(topic.clone(), *partition),
                *from_offset,
                *to_offset,
                *high_watermark,
            )),
            _ => None,
        })
        .collect()
}

/// The consumer index of a member id (`consumer-<idx>-<hex>`).
pub fn consumer_of(member_id: &str) -> u32 {
    member_id.split('-').nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// The partitions a partition set covers exactly once? Returns each partition's owner count.
pub fn owner_counts(assignment: &VecMap<String, Vec<TopicPartition>>) -> VecMap<TopicPartition, usize> {
    let mut counts = VecMap::new();
    for parts in assignment.values() {
        for tp in parts {
            *counts.entry(tp.clone()).or_insert(0) += 1;
        }
    }
    counts
}
