//! Log compaction (the cleaner). Ref: kafka-facts.md §9 (Log cleaner, tombstones, delete.retention.ms).

use kafkascope::log::batch::{batches, decode_records, BatchBuilder, BatchOptions};
use kafkascope::log::{Log, LogConfig};
use std::collections::BTreeMap;

const TS: i64 = 1_700_000_000_000;
const DAY: i64 = 86_400_000;

fn batch(records: &[(&str, Option<&str>)], ts: i64, opts: BatchOptions) -> Vec<u8> {
    let mut b = BatchBuilder::new(opts);
    for (k, v) in records {
        b.append(ts, Some(k.as_bytes()), v.map(str::as_bytes), &[]);
    }
    b.build()
}

fn plain(records: &[(&str, Option<&str>)], ts: i64) -> Vec<u8> {
    batch(records, ts, BatchOptions::default())
}

fn compacted(policy_delete: bool) -> Log {
    let cfg = LogConfig {
        segment_bytes: 300,
        cleanup_policy_compact: true,
        cleanup_policy_delete: policy_delete,
        ..LogConfig::default()
    };
    Log::new("users-0", cfg)
}

/// Every record as (offset, key, value), read like a consumer from the log start to the LEO.
fn consume(log: &Log) -> Vec<(i64, String, Option<String>)> {
    let mut out = Vec::new();
    let mut from = log.log_start_offset();
    while from < log.log_end_offset() {
        let r = log.read(from, i64::MAX, 1 << 20).unwrap();
        assert!(r.next_offset > from, "no progress at {from}");
        for item in r.records.batches() {
            let (_, _, bytes) = item.unwrap();
            let (h, records) = decode_records(bytes).unwrap();
            for rec in records {
                let s = |b: &Option<Vec<u8>>| b.as_ref().map(|v| String::from_utf8(v.clone()).unwrap());
                if rec.offset(&h) >= from {
                    out.push((rec.offset(&h), s(&rec.key).unwrap(), s(&rec.value)));
                }
            }
        }
        from = r.next_offset;
    }
    out
}

/// k0..k3 written three times each (values v0..v2), one batch of 4 records per round, 3 rounds per
/// segment-ish, then an active segment.
fn fill(log: &mut Log, rounds: usize, ts: i64) {
    for round in 0..rounds {
        let v = format!("v{round}");
        let recs: Vec<(String, Option<&str>)> = (0..4).map(|k| (format!("k{k}"), Some(v.as_str()))).collect();
        let recs: Vec<(&str, Option<&str>)> = recs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        log.append_as_leader(&plain(&recs, ts), 0, ts).unwrap();
    }
}

#[test]
fn keeps_latest_value_per_key_at_original_offsets() {
    let mut log = compacted(false);
    fill(&mut log, 6, TS);
    let segs = log.segments();
    assert!(segs.len() >= 3, "{segs:?}");
    let active = segs.last().unwrap().clone();
    let leo = log.log_end_offset();
    let before = consume(&log);
    let r = log.clean(leo, TS).expect("dirty ratio 1.0 > 0.5");
    assert!(r.removed_records > 0 && r.bytes_after < r.bytes_before, "{r:?}");
    assert_eq!(r.first_uncleanable_offset, active.base_offset);
    let after = consume(&log);
    // Every surviving record is unchanged and at its original offset.
    for rec in &after {
        assert!(before.contains(rec), "{rec:?}");
    }
    // In the cleaned range each key appears once, with the newest value that range held.
    let cleaned: Vec<_> = after.iter().filter(|(o, _, _)| *o < active.base_offset).collect();
    let mut newest = BTreeMap::new();
    for (o, k, v) in before.iter().filter(|(o, _, _)| *o < active.base_offset) {
        newest.insert(k.clone(), (*o, v.clone()));
    }
    assert_eq!(cleaned.len(), newest.len());
    for (o, k, v) in cleaned {
        assert_eq!(newest[k], (*o, v.clone()));
    }
    // The active segment is untouched.
    let segs = log.segments();
    let now_active = segs.last().unwrap();
    assert_eq!((now_active.base_offset, now_active.size_bytes), (active.base_offset, active.size_bytes));
    assert_eq!(log.log_end_offset(), leo);
    log.check_integrity().unwrap();
    // Nothing dirty left: a second pass does nothing.
    assert!(log.clean(leo, TS).is_none());
}

#[test]
fn consumer_from_zero_sees_every_keys_latest_value() {
    let mut log = compacted(false);
    fill(&mut log, 7, TS);
    // Roll so the last round is no longer active, then compact everything but the empty active segment.
    log.append_as_leader(&plain(&[("z", Some("last"))], TS), 0, TS).unwrap();
    let leo = log.log_end_offset();
    let expected: BTreeMap<String, Option<String>> =
        consume(&log).into_iter().map(|(_, k, v)| (k, v)).collect();
    log.clean(leo, TS).unwrap();
    let got = consume(&log);
    let latest: BTreeMap<String, Option<String>> = got.iter().map(|(_, k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(latest, expected);
    assert!(got.len() < 29, "compaction removed nothing: {}", got.len());
    // Offsets rise strictly with gaps, as Kafka leaves them.
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn tombstones_vanish_only_after_delete_retention_ms() {
    // Only other keys follow, so the tombstone stays k1's latest record.
    let mut log = compacted(false);
    fill(&mut log, 3, TS);
    log.append_as_leader(&plain(&[("k1", None)], TS), 0, TS).unwrap();
    for i in 0..12 {
        let k = format!("other{i}");
        log.append_as_leader(&plain(&[(k.as_str(), Some("y"))], TS), 0, TS).unwrap();
    }
    let leo = log.log_end_offset();
    let t1 = TS + 1_000;
    log.clean(leo, t1).unwrap();
    let has_tombstone = |log: &Log| consume(log).iter().any(|(_, k, v)| k == "k1" && v.is_none());
    assert!(has_tombstone(&log), "first clean keeps the tombstone");
    // Its batch now carries the delete horizon t1 + delete.retention.ms.
    let horizon = log.segment_files().iter().filter(|(n, _)| n.ends_with(".log")).find_map(|(_, d)| {
        batches(d).flatten().find_map(|(_, h, _)| h.delete_horizon_ms())
    });
    assert_eq!(horizon, Some(t1 + DAY));
    // Before the horizon nothing changes; after it the tombstone is gone.
    assert!(log.clean(leo, t1 + DAY - 1).is_none());
    assert!(has_tombstone(&log));
    let r = log.clean(leo, t1 + DAY).expect("horizon passed: tombstone sweep");
    assert_eq!(r.removed_records, 1);
    assert!(!has_tombstone(&log));
    assert!(!consume(&log).iter().any(|(_, k, _)| k == "k1"));
    log.check_integrity().unwrap();
}

#[test]
fn active_segment_and_data_above_hw_are_untouched() {
    let mut log = compacted(false);
    fill(&mut log, 6, TS);
    let before = log.segment_files();
    // HW at 0: nothing is below it, nothing is cleanable.
    assert!(log.clean(0, TS).is_none());
    assert_eq!(log.segment_files(), before);
    // A single (active) segment is never cleaned, however dirty.
    let mut one = Log::new("u-0", LogConfig { cleanup_policy_compact: true, ..LogConfig::default() });
    fill(&mut one, 5, TS);
    assert!(one.clean(one.log_end_offset(), TS).is_none());
}

#[test]
fn min_dirty_ratio_and_compaction_lags() {
    let mut log = compacted(false);
    log.config.min_cleanable_dirty_ratio_ppm = 1_000_000; // ratio must exceed 1.0: never
    fill(&mut log, 6, TS);
    let leo = log.log_end_offset();
    assert!(log.clean(leo, TS).is_none());
    // ... unless dirty data is older than max.compaction.lag.ms.
    log.config.max_compaction_lag_ms = 60_000;
    assert!(log.clean(leo, TS + 60_000).is_none());
    assert!(log.clean(leo, TS + 60_001).is_some());
    // min.compaction.lag.ms holds back young segments.
    let mut young = compacted(false);
    young.config.min_compaction_lag_ms = 10_000;
    fill(&mut young, 6, TS);
    let leo = young.log_end_offset();
    assert!(young.clean(leo, TS + 5_000).is_none());
    assert!(young.clean(leo, TS + 10_001).is_some());
}

#[test]
fn compact_delete_does_both() {
    let mut log = compacted(true);
    log.config.retention_ms = 10_000;
    fill(&mut log, 3, TS);
    fill(&mut log, 3, TS + 20_000);
    let leo = log.log_end_offset();
    let now = TS + 25_000;
    let deleted = log.delete_old_segments(leo, now);
    assert!(!deleted.is_empty());
    assert!(log.log_start_offset() > 0);
    let r = log.clean(leo, now).expect("the remaining closed segments are dirty");
    assert!(r.removed_records > 0);
    assert_eq!(r.first_dirty_offset, log.log_start_offset());
    // Compact-only logs never delete by time.
    let mut only = compacted(false);
    only.config.retention_ms = 10_000;
    fill(&mut only, 3, TS);
    assert!(only.delete_old_segments(only.log_end_offset(), now).is_empty());
}

#[test]
fn idempotent_producer_keeps_an_empty_last_batch() {
    let mut log = compacted(false);
    let opts = |seq| BatchOptions { producer_id: 7, producer_epoch: 0, base_sequence: seq, ..BatchOptions::default() };
    log.append_as_leader(&batch(&[("a", Some("1")), ("b", Some("1"))], TS, opts(0)), 0, TS).unwrap();
    for _ in 0..10 {
        log.append_as_leader(&plain(&[("a", Some("2")), ("b", Some("2"))], TS), 0, TS).unwrap();
    }
    let leo = log.log_end_offset();
    log.clean(leo, TS).unwrap();
    let (_, h, _) = log.segment_files().iter().filter(|(n, _)| n.ends_with(".log")).flat_map(|(_, d)| {
        batches(d).flatten().map(|(p, h, b)| (p, h, b.len())).collect::<Vec<_>>()
    }).find(|(_, h, _)| h.producer_id == 7).expect("producer 7's last batch survives");
    assert_eq!((h.records_count, h.base_offset, h.last_offset(), h.base_sequence), (0, 0, 1, 0));
    log.check_integrity().unwrap();
}

#[path = "common/mod.rs"]
mod common;

// The broker's cleaner runs every log.cleaner.backoff.ms on compacted topics and reports LogCompacted;
// every replica ends up with each key's latest value (replicas compact on their own).
#[test]
fn brokers_compact_and_report_log_compacted() {
    let scenario = r#"{
      "name": "compaction", "profile": "kafka-3.6", "seed": 3,
      "cluster": { "brokers": 2, "config": { "log.cleaner.backoff.ms": 5000 } },
      "topics": [ { "name": "users", "partitions": 1, "assignment": [[1, 2]],
        "config": { "cleanup.policy": "compact", "segment.bytes": 2000, "delete.retention.ms": 1000 } } ],
      "producers": [ { "topic": "users", "config": { "acks": "all", "linger.ms": 0 },
        "workload": { "recordsPerSec": 50, "key": { "type": "uniform", "keys": 5 }, "value": { "bytes": 20 } } } ]
    }"#;
    let run = common::run(scenario, 30_000);
    let compactions = run.find(|k| match k {
        kafkascope::event::EventKind::LogCompacted { broker, removed_records, bytes_before, bytes_after, .. } => {
            Some((*broker, *removed_records, *bytes_before, *bytes_after))
        }
        _ => None,
    });
    assert!(compactions.iter().any(|c| c.1 .0 == 1) && compactions.iter().any(|c| c.1 .0 == 2), "{compactions:?}");
    assert!(compactions.iter().all(|&(_, (_, removed, before, after))| removed > 0 && after < before));
    let logs: Vec<&Log> = run.sim.brokers().iter().filter_map(|b| b.disk.logs.iter().find(|(tp, _)| tp.topic == "users").map(|(_, l)| l)).collect();
    assert_eq!(logs.len(), 2);
    let latest = |log: &Log| -> BTreeMap<String, Option<String>> {
        consume(log).into_iter().map(|(_, k, v)| (k, v)).collect()
    };
    let (a, b) = (latest(logs[0]), latest(logs[1]));
    assert_eq!(a.len(), 5);
    // Followers may trail the leader by the last few records.
    let upto = logs[0].log_end_offset().min(logs[1].log_end_offset());
    let cut = |log: &Log| -> BTreeMap<String, Option<String>> {
        consume(log).into_iter().filter(|(o, _, _)| *o < upto).map(|(_, k, v)| (k, v)).collect()
    };
    assert_eq!(cut(logs[0]), cut(logs[1]));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for log in logs {
        log.check_integrity().unwrap();
        assert!(consume(log).len() < log.log_end_offset() as usize);
    }
}
