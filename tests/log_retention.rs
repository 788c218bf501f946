//! Retention worked examples. Ref: kafka-facts.md §9.

mod common;

use kafkascope::log::batch::{BatchBuilder, BatchOptions};
use kafkascope::log::{DeleteReason, Log, LogConfig};

fn batch(n: usize, value_len: usize, ts: i64) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    let v = vec![b'v'; value_len];
    for _ in 0..n {
        b.append(ts, None, Some(&v), &[]);
    }
    b.build()
}

const R: i64 = 10_000;
const T: [i64; 4] = [1_000, 2_000, 3_000, 4_000];

/// Segments at 0, 100, 200 and 300 (active, 50 records) with largest timestamps T0 < T1 < T2 < T3.
fn worked_example_log() -> Log {
    let cfg = LogConfig {
        segment_bytes: 1000,
        retention_ms: R,
        ..LogConfig::default()
    };
    let mut log = Log::new("orders-0", cfg);
    for (i, &t) in T.iter().enumerate() {
        let n = if i == 3 { 50 } else { 100 };
        log.append_as_leader(&batch(n, 1, t), 0, t).unwrap();
    }
    assert_eq!(
        log.segments()
            .iter()
            .map(|s| s.base_offset)
            .collect::<Vec<_>>(),
        vec![0, 100, 200, 300]
    );
    assert_eq!(log.log_end_offset(), 350);
    log
}

// Ref: kafka-facts.md §9 (Worked retention example: delete oldest first while now − Ti > R)
#[test]
fn time_retention_deletes_a_prefix() {
    let mut log = worked_example_log();
    let gone = log.delete_old_segments(350, T[1] + R + 1);
    assert_eq!(
        gone.iter()
            .map(|d| (d.base_offset, d.reason))
            .collect::<Vec<_>>(),
        vec![
            (0, DeleteReason::RetentionTime),
            (100, DeleteReason::RetentionTime)
        ]
    );
    assert_eq!(log.log_start_offset(), 200);
    assert!(log.delete_old_segments(350, T[1] + R + 1).is_empty());
}

// Ref: kafka-facts.md §9 (every segment expired: roll an empty active segment at 350 first)
#[test]
fn time_retention_of_the_active_segment_rolls_first() {
    let mut log = worked_example_log();
    let gone = log.delete_old_segments(350, T[3] + R + 1);
    assert_eq!(gone.len(), 4);
    assert_eq!(log.log_start_offset(), 350);
    let segs = log.segments();
    assert_eq!(
        (segs.len(), segs[0].base_offset, segs[0].size_bytes),
        (1, 350, 0)
    );
    assert_eq!(
        log.append_as_leader(&batch(1, 1, T[3]), 0, T[3])
            .unwrap()
            .first_offset,
        350
    );
}

// Ref: kafka-facts.md §9 (Segment eligibility: HW ≥ upper bound)
#[test]
fn retention_never_deletes_at_or_above_the_high_watermark() {
    let mut log = worked_example_log();
    let gone = log.delete_old_segments(150, T[3] + R + 1);
    assert_eq!(
        gone.iter().map(|d| d.base_offset).collect::<Vec<_>>(),
        vec![0]
    );
    assert_eq!(log.log_start_offset(), 100);
}

// Ref: kafka-facts.md §9 (Size retention example: 100+100+100+50 with retention 180 deletes one)
#[test]
fn size_retention_worked_example() {
    // Scaled: one 1000-byte batch per segment (500 for the active one), retention.bytes = 1800.
    let cfg = LogConfig {
        segment_bytes: 1000,
        retention_bytes: 1800,
        retention_ms: -1,
        ..LogConfig::default()
    };
    let mut log = Log::new("orders-0", cfg);
    for len in [930, 930, 930, 430] {
        let b = batch(1, len, 1_000);
        log.append_as_leader(&b, 0, 1_000).unwrap();
    }
    assert_eq!(
        log.segments()
            .iter()
            .map(|s| s.size_bytes)
            .collect::<Vec<_>>(),
        vec![1000, 1000, 1000, 500]
    );
    let gone = log.delete_old_segments(i64::MAX, 1_000);
    assert_eq!(
        gone.iter()
            .map(|d| (d.base_offset, d.reason))
            .collect::<Vec<_>>(),
        vec![(0, DeleteReason::RetentionSize)]
    );
    assert_eq!(log.log_start_offset(), 1);
}

#[test]
fn no_delete_policy_means_no_retention_and_epoch_cache_follows_log_start() {
    let mut log = worked_example_log();
    log.config.cleanup_policy_delete = false;
    assert!(log.delete_old_segments(350, i64::MAX).is_empty());
    log.config.cleanup_policy_delete = true;
    log.delete_old_segments(350, T[1] + R + 1);
    assert_eq!(log.epoch_cache.entries[0].start_offset, 200);
    assert!(log.read(100, 350, 1000).is_err());
}

// The ledger forgets batches retention removed from every replica (memory stays flat over a long
// run) and its counts are those it would give had it remembered them.
#[test]
fn ledger_forgets_retained_away_batches_and_keeps_its_counts() {
    let scenario = r#"{
      "name": "retention ledger", "profile": "kafka-3.6", "seed": 9,
      "cluster": { "brokers": 3, "config": { "log.retention.check.interval.ms": 1000 } },
      "topics": [ { "name": "events", "partitions": 2, "replicationFactor": 3,
        "config": { "segment.bytes": 4096, "retention.ms": 2000 } } ],
      "producers": [ { "topic": "events", "config": { "acks": "all", "linger.ms": 5 },
        "workload": { "recordsPerSec": 400, "key": { "type": "none" }, "value": { "bytes": 100 } } } ]
    }"#;
    let run = common::run(scenario, 20_000);
    let producer = &run.sim.producers()[0];
    let deleted = run.find(|k| matches!(k, kafkascope::event::EventKind::SegmentDeleted { .. }).then_some(()));
    assert!(!deleted.is_empty(), "retention deleted segments");
    assert!(producer.acked_forgotten() > 0, "the ledger forgot batches retention removed");
    // What is still remembered is at or above some replica's log start.
    for a in producer.acked() {
        let start = run.sim.brokers().iter().filter_map(|b| b.disk.logs.get(&a.tp)).map(|l| l.log_start_offset()).min().unwrap();
        assert!(a.base_offset + a.records as i64 > start, "{a:?} below every log start {start}");
    }
    let ledger = run.ledger();
    assert_eq!(ledger.acknowledged, run.acked_records(), "forgotten batches still count as acknowledged");
    assert_eq!((ledger.acked_lost, ledger.duplicates, ledger.divergent_replicas), (0, 0, 0));
}
