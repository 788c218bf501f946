//! Transactions: markers written to every partition of a transaction, the last stable offset, and
//! read_committed consumers; a second instance with the same transactional.id fences the first.
// Ref: kafka-facts.md §6

use kafkascope::event::{Event, EventKind};
use kafkascope::ids::TopicPartition;
use kafkascope::log::batch::{decode_records, EndTxnMarker};
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use std::collections::{BTreeMap, BTreeSet};

const SCENARIO: &str = include_str!("scenarios/producer_transactions.json");

/// Per partition of the current leader's log: offsets of committed data, aborted data, and markers.
#[derive(Debug, Default)]
struct Classified {
    committed: BTreeSet<i64>,
    aborted: BTreeSet<i64>,
    markers: Vec<(i64, bool)>,
    open: BTreeSet<i64>,
}

fn classify(sim: &Sim) -> BTreeMap<TopicPartition, Classified> {
    let mut out = BTreeMap::new();
    for (tp, state) in sim.partitions() {
        let leader = state.leader.expect("online");
        let Some(log) = sim.brokers()[leader as usize - 1].disk.logs.get(tp) else { continue };
        let read = log.read(0, i64::MAX, usize::MAX).unwrap();
        let mut c = Classified::default();
        let mut open: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (_, h, bytes) in read.records.batches().map(Result::unwrap) {
            assert!(h.is_transactional(), "every batch of a transactional producer is transactional");
            if h.is_control() {
                let (_, records) = decode_records(bytes).unwrap();
                let marker = EndTxnMarker::from_record(&records[0]).unwrap();
                c.markers.push((h.base_offset, marker.commit));
                let offsets = open.remove(&h.producer_id).unwrap_or_default();
                if marker.commit { &mut c.committed } else { &mut c.aborted }.extend(offsets);
            } else {
                open.entry(h.producer_id).or_default().extend(h.base_offset..=h.last_offset());
            }
        }
        c.open = open.into_values().flatten().collect();
        out.insert(tp.clone(), c);
    }
    out
}

/// Offsets each consumer received, per partition.
fn consumed(events: &[Event], consumer: u32) -> BTreeMap<TopicPartition, BTreeSet<i64>> {
    let mut out: BTreeMap<TopicPartition, BTreeSet<i64>> = BTreeMap::new();
    for e in events {
        if let EventKind::RecordsConsumed { consumer: c, topic, partition, from_offset, to_offset, .. } = &e.kind {
            if *c == consumer {
                out.entry(TopicPartition::new(topic.clone(), *partition)).or_default().extend(*from_offset..*to_offset);
            }
        }
    }
    out
}

fn outcomes(events: &[Event]) -> Vec<(u32, bool, Option<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TransactionCompleted { producer, commit, error, .. } => Some((*producer, *commit, error.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn committed_and_aborted_transactions_write_markers_to_every_partition() {
    let mut sim = Sim::new(&Scenario::from_json(SCENARIO).unwrap()).unwrap();
    let events = sim.advance_to(ms(5_000));
    let done = outcomes(&events);
    assert_eq!(done.len(), 9, "{done:?}");
    assert!(done.iter().all(|(_, _, e)| e.is_none()));
    let commits: Vec<bool> = done.iter().map(|d| d.1).collect();
    assert_eq!(commits, [true, true, false, true, true, false, true, true, false], "every third aborts");
    let logs = classify(&sim);
    let committed: usize = logs.values().map(|c| c.committed.len()).sum();
    let aborted: usize = logs.values().map(|c| c.aborted.len()).sum();
    assert_eq!((committed, aborted), (60, 30));
    assert!(logs.values().all(|c| c.open.is_empty()), "no transaction left open");
    // A transaction touching a partition ends with exactly one marker there; each marker takes an offset.
    let markers: usize = logs.values().map(|c| c.markers.len()).sum();
    assert!((9..=27).contains(&markers), "{markers} markers");
    // Followers hold the same markers (they are replicated like data).
    for (tp, state) in sim.partitions() {
        let leader = &sim.brokers()[state.leader.unwrap() as usize - 1].disk.logs[tp];
        let leader_bytes = leader.read(0, i64::MAX, usize::MAX).unwrap().records;
        for b in &state.isr {
            let log = &sim.brokers()[*b as usize - 1].disk.logs[tp];
            assert_eq!(log.read(0, i64::MAX, usize::MAX).unwrap().records, leader_bytes, "{tp} on broker {b}");
        }
    }
}

#[test]
fn read_committed_consumers_see_only_committed_records_and_never_past_the_lso() {
    let mut sim = Sim::new(&Scenario::from_json(SCENARIO).unwrap()).unwrap();
    let mut events = Vec::new();
    // Step through the run: at every step, what a read_committed consumer has is committed data only.
    for t in (0..=5_000).step_by(50) {
        events.extend(sim.advance_to(ms(t)));
        let logs = classify(&sim);
        for (tp, offsets) in consumed(&events, 1) {
            let c = &logs[&tp];
            let bad: Vec<&i64> = offsets.iter().filter(|o| !c.committed.contains(o)).collect();
            assert!(bad.is_empty(), "at {t} ms consumer 1 read uncommitted/aborted/marker offsets {bad:?} of {tp}");
        }
    }
    let logs = classify(&sim);
    let rc = consumed(&events, 1);
    let ru = consumed(&events, 2);
    for (tp, c) in &logs {
        assert_eq!(rc.get(tp).cloned().unwrap_or_default(), c.committed, "{tp}: all committed records delivered");
        // read_uncommitted delivers aborted records too (only the markers' offsets are not records).
        let everything = ru.get(tp).cloned().unwrap_or_default();
        assert!(c.aborted.is_subset(&everything) && c.committed.is_subset(&everything), "{tp}");
    }
}

#[test]
fn the_lso_holds_back_read_committed_while_a_transaction_is_open() {
    // While a transaction is open its records are below the HW (read_uncommitted reads them) but at or
    // above the LSO (read_committed does not); after the COMMIT marker both have them.
    let mut sim = Sim::new(&Scenario::from_json(SCENARIO).unwrap()).unwrap();
    let mut events = Vec::new();
    let mut seen_open_by_uncommitted = 0;
    for t in (0..=5_000).step_by(10) {
        events.extend(sim.advance_to(ms(t)));
        let logs = classify(&sim);
        let rc = consumed(&events, 1);
        for (tp, offsets) in consumed(&events, 2) {
            let open = &logs[&tp].open;
            if offsets.iter().any(|o| open.contains(o)) {
                seen_open_by_uncommitted += 1;
                let committed_view = rc.get(&tp).cloned().unwrap_or_default();
                assert!(committed_view.iter().all(|o| !open.contains(o)), "at {t} ms read_committed read an open transaction");
                let first_open = *open.iter().next().unwrap();
                assert!(committed_view.iter().all(|&o| o < first_open), "read_committed stops at the LSO");
            }
        }
    }
    assert!(seen_open_by_uncommitted > 10, "open transactions were visible to read_uncommitted ({seen_open_by_uncommitted} times)");
}

#[test]
fn a_new_instance_with_the_same_transactional_id_fences_the_old_one() {
    // Producer 2 shares producer 1's transactional.id and starts at 1950 ms: its InitProducerId aborts
    // producer 1's open transaction and bumps the epoch; producer 1 is fenced.
    let mut s = Scenario::from_json(SCENARIO).unwrap();
    s.producers[0].workload.max_records = None;
    s.producers[0].workload.abort_every = 0;
    let mut second = s.producers[0].clone();
    second.workload.start_ms = 1950;
    second.workload.max_records = Some(30);
    s.producers.push(second);
    let mut sim = Sim::new(&s).unwrap();
    let events = sim.advance_to(ms(5_000));
    let done = outcomes(&events);
    let fenced: Vec<_> = done.iter().filter(|d| d.2.is_some()).collect();
    assert_eq!(fenced.len(), 1, "{done:?}");
    assert_eq!(fenced[0].0, 1, "the old instance is fenced");
    assert_eq!(fenced[0].2.as_deref(), Some("PRODUCER_FENCED"));
    let p2: Vec<_> = done.iter().filter(|d| d.0 == 2).collect();
    assert_eq!(p2.len(), 3, "{done:?}");
    assert!(p2.iter().all(|d| d.1 && d.2.is_none()));
    // Producer 1 stops after being fenced; the epoch used by producer 2 is higher.
    let epochs: BTreeMap<u32, i16> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TransactionCompleted { producer, producer_epoch, error: None, .. } => Some((*producer, *producer_epoch)),
            _ => None,
        })
        .collect();
    assert!(epochs[&2] > epochs[&1], "{epochs:?}");
    let logs = classify(&sim);
    assert!(logs.values().all(|c| c.open.is_empty()), "the fenced transaction was aborted, not left open");
    let rc: usize = consumed(&events, 1).values().map(|s| s.len()).sum();
    let committed: usize = logs.values().map(|c| c.committed.len()).sum();
    assert_eq!(rc, committed);
}

#[test]
fn a_json_snapshot_mid_transaction_continues_identically() {
    // Ref: shared/style.md (snapshot/restore); the coordinator, producer state and client state serialize.
    let mut sim = Sim::new(&Scenario::from_json(SCENARIO).unwrap()).unwrap();
    sim.advance_to(ms(1_655));
    let frozen = serde_json::to_string(&sim.snapshot()).expect("snapshot serializes");
    let mut restored: Sim = serde_json::from_str(&frozen).expect("snapshot deserializes");
    let a = sim.advance_to(ms(4_000));
    let b = restored.advance_to(ms(4_000));
    assert_eq!(a, b);
    assert_eq!(sim.trace_hash(), restored.trace_hash());
    assert_eq!(outcomes(&a).len(), 9 - 1, "the first transaction had already completed");
}
