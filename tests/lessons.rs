//! The lessons in `static/scenarios/lessons/`: every file is a valid scenario with bilingual narration
//! pointing at elements that exist, and each lesson's teaching point really happens when it runs to
//! its end (`endMs` in `index.json`). Lessons 10-19 are in `lessons/later.rs`, lesson 20 in `lessons/fast.rs`.
mod common;
#[path = "lessons/later.rs"]
mod later;
#[path = "lessons/fast.rs"]
mod fast;

use common::Run;
use kafkascope::event::{Event, EventKind};
use kafkascope::ids::TopicPartition;
use kafkascope::scenario::{Scenario, TruncationPolicy};
use std::collections::{BTreeMap, BTreeSet};

use common::lesson_files::{INDEX, LESSON_FILES as LESSONS};

fn index() -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(INDEX).expect("index.json parses");
    v["lessons"].as_array().expect("index.json has a lessons array").clone()
}

pub fn text(id: &str) -> &'static str {
    LESSONS.iter().find(|l| l.0 == id).unwrap_or_else(|| panic!("no lesson {id}")).1
}

pub fn end_ms(id: &str) -> u64 {
    index().iter().find(|l| l["id"] == id).and_then(|l| l["endMs"].as_u64()).unwrap_or_else(|| panic!("{id}: no endMs"))
}

/// Runs a lesson to its end (or to `until_ms`), optionally with another truncation policy.
pub fn lesson(id: &str) -> Run {
    common::run(text(id), end_ms(id))
}
pub fn lesson_until(id: &str, until_ms: u64, truncation: Option<TruncationPolicy>) -> Run {
    common::run_with(text(id), truncation, until_ms)
}

/// `(ms, consumer, partition, from, to)` of every RecordsConsumed of a user topic.
pub fn consumed(events: &[Event]) -> Vec<(u64, u32, u32, i64, i64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RecordsConsumed { consumer, topic, partition, from_offset, to_offset, .. } if !common::internal(topic) => {
                Some((e.at_us / 1000, *consumer, *partition, *from_offset, *to_offset))
            }
            _ => None,
        })
        .collect()
}

/// `(ms, producer, partition, records, bytes, attempt)` of every BatchSent.
pub fn sent(events: &[Event]) -> Vec<(u64, u32, u32, u32, u32, u32)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::BatchSent { producer, partition, records, bytes, attempt, .. } => Some((e.at_us / 1000, *producer, *partition, *records, *bytes, *attempt)),
            _ => None,
        })
        .collect()
}

/// Does `target` name an element of the scenario (`broker-N`, `producer-N`, `consumer-N`, `topic-P`)?
fn target_exists(s: &Scenario, target: &str) -> bool {
    let Some((kind, n)) = target.rsplit_once('-') else { return false };
    let Ok(n) = n.parse::<u32>() else { return false };
    match kind {
        "broker" => (1..=s.cluster.brokers).contains(&n),
        "producer" => n >= 1 && n as usize <= s.producers.len(),
        "consumer" => n >= 1 && n as usize <= s.consumers.len(),
        topic => s.topics.iter().any(|t| t.name == topic && n < t.partitions),
    }
}

// Ref: docs/scenarios.md (`narration[]`), shared/design.md (lesson narration panel)
#[test]
fn every_lesson_parses_and_its_narration_is_bilingual_ordered_and_points_at_real_elements() {
    let idx = index();
    assert_eq!(idx.len(), LESSONS.len(), "index.json lists every lesson once");
    let on_disk: BTreeSet<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios/lessons"))
        .expect("lessons dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n != "index.json")
        .collect();
    let listed: BTreeSet<String> = idx.iter().map(|l| l["file"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(on_disk, listed, "index.json and the directory agree");
    for (l, (id, text)) in idx.iter().zip(LESSONS) {
        assert_eq!(l["id"], *id, "index order");
        assert_eq!(l["file"], format!("{id}.json"));
        for field in ["title", "goal"] {
            for lang in ["en", "zhTW"] {
                assert!(l[field][lang].as_str().is_some_and(|s| !s.trim().is_empty()), "{id}: {field}.{lang}");
            }
        }
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
        s.validate().unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(s.narration.len() >= 3, "{id}: a lesson has at least three steps");
        let end = end_ms(id);
        assert!(end <= 60_000, "{id}: lessons stay short ({end} ms)");
        let mut last = None;
        for (i, step) in s.narration.iter().enumerate() {
            assert!(!step.en.trim().is_empty() && !step.zh_tw.trim().is_empty(), "{id}: step {i} needs en and zhTW");
            assert!(step.zh_tw.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{id}: step {i} zhTW is Chinese");
            assert!(last.is_none_or(|t| step.at_ms > t), "{id}: step {i} at {} ms is not after the previous one", step.at_ms);
            assert!(step.at_ms < end, "{id}: step {i} after the lesson's end");
            last = Some(step.at_ms);
            let target = step.target.as_deref().unwrap_or_else(|| panic!("{id}: step {i} has no target"));
            assert!(target_exists(&s, target), "{id}: step {i} target {target:?} is not an element of the scenario");
        }
        assert!(s.timeline.iter().all(|c| c.at_ms < end), "{id}: a command after the end");
    }
}

// Ref: kafka-facts.md §7 (one group: each partition to one member; every group reads everything)
#[test]
fn l01_one_group_is_a_queue_and_a_second_group_gets_every_record() {
    let r = lesson("01-queue-vs-pubsub");
    let settled = r
        .find(|k| match k {
            EventKind::RebalanceCompleted { group, assignment, .. } if group == "billing" && assignment.len() == 2 => Some(()),
            _ => None,
        })
        .last()
        .expect("billing settles with two members")
        .0;
    let mut readers: BTreeMap<(bool, u32), BTreeSet<u32>> = BTreeMap::new();
    for (t, c, p, ..) in consumed(&r.events) {
        if t > settled {
            readers.entry((c == 3, p)).or_default().insert(c);
        }
    }
    let billing: Vec<_> = (0..4).map(|p| readers.get(&(false, p)).cloned().unwrap_or_default()).collect();
    assert!(billing.iter().all(|s| s.len() == 1), "each partition read by one billing member: {billing:?}");
    assert_eq!(billing.iter().flatten().collect::<BTreeSet<_>>().len(), 2, "both members share the work");
    assert!((0..4).all(|p| readers.get(&(true, p)).is_some()), "audit's only member reads all 4 partitions");
}

// Ref: kafka-facts.md §3 (AdminUtils: leaders round-robin), §1 (keys spread over partitions)
#[test]
fn l02_partitions_spread_leaders_writes_and_reads_over_brokers_and_consumers() {
    let r = lesson("02-partitions-spread-load");
    let mut led: BTreeMap<u32, u32> = BTreeMap::new();
    for (tp, s) in r.sim.partitions() {
        if tp.topic == "orders" {
            *led.entry(s.leader.expect("a leader")).or_default() += 1;
        }
    }
    assert_eq!(led, BTreeMap::from([(1, 2), (2, 2), (3, 2)]), "two leaders per broker");
    let writers: BTreeSet<u32> = r
        .find(|k| match k {
            EventKind::RecordsAppended { broker, as_leader: true, topic, .. } if topic == "orders" => Some(*broker),
            _ => None,
        })
        .into_iter()
        .map(|x| x.1)
        .collect();
    assert_eq!(writers, BTreeSet::from([1, 2, 3]), "every broker takes writes");
    let per_consumer: BTreeMap<u32, BTreeSet<u32>> = consumed(&r.events).into_iter().filter(|c| c.0 > 6_000).fold(BTreeMap::new(), |mut m, c| {
        m.entry(c.1).or_insert_with(BTreeSet::new).insert(c.2);
        m
    });
    assert_eq!(per_consumer.values().map(|s| s.len()).collect::<Vec<_>>(), vec![3, 3], "{per_consumer:?}");
}

// Ref: kafka-facts.md §1 (explicit partition, toPositive(murmur2) % n), §2 (KIP-794 sticky)
#[test]
fn l03_explicit_partition_key_hash_and_sticky_switching() {
    let r = lesson("03-choosing-a-partition");
    let by = |p: u32| sent(&r.events).into_iter().filter(|s| s.1 == p).map(|s| s.2).collect::<Vec<_>>();
    let explicit = by(1);
    assert!(explicit.len() == 3 && explicit.iter().all(|&p| p == 2), "{explicit:?}");
    assert_eq!(kafkascope::producer::partitioner::partition_for_key(b"user-42", 3), 1);
    let keyed = by(2);
    assert!(!keyed.is_empty() && keyed.iter().all(|&p| p == 1), "{keyed:?}");
    let sticky = by(3);
    let distinct: BTreeSet<u32> = sticky.iter().copied().collect();
    let switches = sticky.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(distinct.len() >= 2, "unkeyed records move between partitions: {sticky:?}");
    assert!(switches * 2 < sticky.len(), "but stick to one for several batches: {switches} switches in {} batches", sticky.len());
}

// Ref: kafka-facts.md §2 (linger.ms and batch.size ready conditions), §8 (compression covers the records)
#[test]
fn l04_linger_makes_bigger_slower_batches_and_compression_makes_them_smaller() {
    let r = lesson("04-the-train");
    let mut created: BTreeMap<(u32, u64), u64> = BTreeMap::new();
    let mut latency: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for e in &r.events {
        match &e.kind {
            EventKind::BatchCreated { producer, batch, .. } => {
                created.insert((*producer, *batch), e.at_us);
            }
            EventKind::ProduceCompleted { producer, batch, error: None, .. } => {
                let c = created.get(&(*producer, *batch)).copied().unwrap_or(e.at_us);
                latency.entry(*producer).or_default().push(e.at_us - c);
            }
            _ => {}
        }
    }
    let mean = |p: u32| latency[&p].iter().sum::<u64>() / latency[&p].len() as u64;
    let s = sent(&r.events);
    let per_batch = |p: u32| {
        let b: Vec<_> = s.iter().filter(|x| x.1 == p && x.5 == 1).collect();
        let recs: u64 = b.iter().map(|x| x.3 as u64).sum();
        (recs / b.len() as u64, b.iter().map(|x| x.4 as u64).sum::<u64>() / recs.max(1))
    };
    let ((eager_n, _), (linger_n, linger_bytes), (lz4_n, lz4_bytes)) = (per_batch(1), per_batch(2), per_batch(3));
    assert!(linger_n >= 5 * eager_n.max(1), "records per request: {eager_n} eager vs {linger_n} lingering");
    assert!(mean(2) > mean(1) + 50_000, "lingering costs latency: {} µs vs {} µs", mean(2), mean(1));
    assert!(lz4_n >= eager_n && lz4_bytes * 2 < linger_bytes, "lz4: {lz4_bytes} B/record vs {linger_bytes}");
}

// Ref: kafka-facts.md §4 (acks=0: no response, the producer counts the send)
#[test]
fn l05_acks0_records_sent_to_a_dead_leader_are_acked_then_lost() {
    let r = lesson("05-acks0-loses-data");
    let l = r.ledger();
    assert!(l.acked_lost > 0, "{l:?}");
    assert_eq!(r.sim.partitions()[&TopicPartition::new("orders", 0)].leader, Some(2));
}

// Ref: kafka-facts.md §4 (acks=1: the leader answers after its own append)
#[test]
fn l06_acks1_world_acknowledged_by_the_leader_alone_is_lost_in_the_failover() {
    let r = lesson("06-acks1-acked-then-lost");
    let acks = r.find(|k| match k {
        EventKind::ProduceCompleted { error: None, base_offset, .. } => Some(*base_offset),
        _ => None,
    });
    assert_eq!(acks.iter().map(|a| a.1).collect::<Vec<_>>(), vec![0, 1], "hello and world both acknowledged");
    assert!((2_500..4_000).contains(&acks[1].0), "world acked while the leader was cut off: {acks:?}");
    assert!(r.elections().iter().any(|e| e.1 == Some(2) && !e.3), "{:?}", r.elections());
    let l = r.ledger();
    assert_eq!((l.acknowledged, l.acked_lost), (2, 1), "{l:?}");
}

// Ref: kafka-facts.md §4 (ISR shrink after replica.lag.time.max.ms; NOT_ENOUGH_REPLICAS before append), §5
#[test]
fn l07_acks_all_isr_shrinks_min_isr_refuses_and_a_lost_ack_retry_duplicates() {
    let r = lesson("07-acks-all-isr");
    let isr = r.isr_changes();
    let two = isr.iter().find(|c| c.1 == vec![1, 2]).unwrap_or_else(|| panic!("{isr:?}"));
    assert!((7_000..=9_100).contains(&two.0), "broker 3 dropped after the 4 s lag time: {isr:?}");
    let one = isr.iter().find(|c| c.1 == vec![1]).unwrap_or_else(|| panic!("{isr:?}"));
    assert!(one.0 > two.0);
    assert!(isr.iter().any(|c| c.0 > 16_000 && c.1 == vec![1, 2, 3]), "both rejoin: {isr:?}");
    let refused = r.find(|k| match k {
        EventKind::ProduceCompleted { producer: 2, error: Some(e), .. } => Some(e.clone()),
        _ => None,
    });
    assert_eq!(refused.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(), vec!["NOT_ENOUGH_REPLICAS"]);
    let l = r.ledger();
    assert!(l.duplicates > 0 && l.acked_lost == 0, "{l:?}");
}

// Ref: kafka-facts.md §5 (the broker deduplicates by producer id and sequence)
#[test]
fn l08_idempotence_the_same_lost_ack_retry_writes_no_duplicate_where_lesson_7_did() {
    let plain = lesson_until("07-acks-all-isr", 6_000, None);
    assert!(plain.ledger().duplicates > 0, "lesson 7's lost answer duplicated: {:?}", plain.ledger());
    let r = lesson("08-idempotence");
    assert!(sent(&r.events).iter().any(|s| s.5 > 1), "the batch was retried");
    let l = r.ledger();
    assert_eq!((l.duplicates, l.acked_lost), (0, 0), "{l:?}");
    assert!(l.acknowledged > 100);
}

// Ref: kafka-facts.md §6 (transaction markers; read_committed reads to the LSO, skips aborted)
#[test]
fn l09_read_committed_never_sees_aborted_transactions() {
    let r = lesson("09-transactions");
    let done = r.find(|k| match k {
        EventKind::TransactionCompleted { commit, error: None, .. } => Some(*commit),
        _ => None,
    });
    assert_eq!(done.iter().filter(|d| !d.1).count(), 3, "{done:?}");
    let total = |c: u32| consumed(&r.events).iter().filter(|x| x.1 == c).map(|x| x.4 - x.3).sum::<i64>();
    assert_eq!(total(1), 60, "read_committed: only the 6 committed transactions");
    assert!(total(2) >= 90, "read_uncommitted: aborted records too ({})", total(2));
}
