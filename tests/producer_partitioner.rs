//! KIP-794's built-in partitioner inside the running producer: unkeyed records avoid a slow leader
//! when adaptive partitioning is on, and keyed records always land on murmur2's partition.

use kafkascope::event::EventKind;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use std::collections::BTreeMap;

/// Acknowledged records per partition after 10 s, and how many records were produced in all.
fn records_per_partition(adaptive: bool, key: &str) -> (BTreeMap<u32, u64>, u64) {
    let text = format!(
        r#"{{"profile": "kafka-3.6", "seed": 5,
        "cluster": {{"brokers": 3}},
        "topics": [{{"name": "t", "partitions": 3, "replicationFactor": 1, "assignment": [[1], [2], [3]]}}],
        "producers": [{{"topic": "t",
            "config": {{"acks": "1", "linger.ms": 5, "batch.size": 2000, "max.in.flight.requests.per.connection": 1,
                        "partitioner.adaptive.partitioning.enable": {adaptive}}},
            "workload": {{"recordsPerSec": 2000, "key": {key}, "value": {{"bytes": 100}}}}}}],
        "timeline": [{{"atMs": 100, "command": {{"type": "slowLink", "a": {{"producer": 1}}, "b": {{"broker": 1}}, "extraLatencyUs": 40000}}}}]}}"#
    );
    let mut sim = Sim::new(&Scenario::from_json(&text).unwrap()).unwrap();
    let mut per = BTreeMap::new();
    for e in sim.advance_to(ms(10_000)) {
        if let EventKind::ProduceCompleted { partition, records, error: None, .. } = e.kind {
            *per.entry(partition).or_insert(0) += records as u64;
        }
    }
    (per, sim.summary().produced)
}

// Ref: kafka-facts.md §2 (KIP-794 adaptive mode: weights maxPlus1 - queueLen over the partitions' deques)
#[test]
fn adaptive_partitioning_sends_fewer_unkeyed_records_to_a_slow_leader() {
    // Partitions 1 and 2 have fast leaders, so what was assigned to them was acknowledged; the rest
    // of what was produced was assigned to the slow partition 0 (acknowledged or still queued there).
    let slow_share = |(m, produced): &(BTreeMap<u32, u64>, u64)| {
        let fast: u64 = m.iter().filter(|(p, _)| **p != 0).map(|(_, n)| n).sum();
        (produced - fast) as f64 / *produced as f64
    };
    let adaptive = records_per_partition(true, r#"{"type": "none"}"#);
    let uniform = records_per_partition(false, r#"{"type": "none"}"#);
    let (a, u) = (slow_share(&adaptive), slow_share(&uniform));
    assert!(u > 0.25, "without adaptivity the slow partition still gets about a third: {u:.2} {uniform:?}");
    assert!(a < u * 0.6, "adaptive gives the slow leader less: {a:.2} vs {u:.2} ({adaptive:?} / {uniform:?})");
}

// Ref: kafka-facts.md §1 ("foobar" % 3 = 0)
#[test]
fn a_fixed_key_always_lands_on_its_murmur2_partition() {
    let (per, _) = records_per_partition(true, r#"{"type": "fixed", "key": "foobar"}"#);
    assert_eq!(per.keys().copied().collect::<Vec<_>>(), vec![0], "{per:?}");
}
