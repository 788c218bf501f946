//! Behaviour of the partition log: rolling, indexing, lookup, reads, truncation, flushing.

use kafkascope::log::batch::{decode_records, BatchBuilder, BatchOptions};
use kafkascope::log::{Log, LogConfig, LogError};

const TS: i64 = 1_700_000_000_000;

/// One batch of `n` records whose values are `value_len` bytes, all at `ts`.
fn batch(n: usize, value_len: usize, ts: i64) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    let v = vec![b'v'; value_len];
    for _ in 0..n {
        b.append(ts, None, Some(&v), &[]);
    }
    b.build()
}

fn cfg(segment_bytes: u64) -> LogConfig {
    LogConfig {
        segment_bytes,
        ..LogConfig::default()
    }
}

// Ref: kafka-facts.md §8 (Rolling a new segment: size > segment.bytes − incomingBatchSize)
#[test]
fn segment_rolls_by_size() {
    let mut log = Log::new("orders-0", cfg(1000));
    let b = batch(1, 400, TS); // 470 bytes
    assert_eq!(b.len(), 470);
    for i in 0..5 {
        let info = log.append_as_leader(&b, 0, TS).unwrap();
        assert_eq!(info.first_offset, i);
        assert_eq!(info.rolled, i == 2 || i == 4, "append {i}");
    }
    let segs = log.segments();
    assert_eq!(
        segs.iter().map(|s| s.base_offset).collect::<Vec<_>>(),
        vec![0, 2, 4]
    );
    assert!(segs.iter().all(|s| s.size_bytes <= 1000));
    assert_eq!(
        log.recovery_point(),
        4,
        "a roll flushes the segments before the new one"
    );
    assert!(matches!(
        log.append_as_leader(&batch(1, 2000, TS), 0, TS),
        Err(LogError::RecordBatchTooLarge { .. })
    ));
}

// Ref: kafka-facts.md §8 (Rolling: segment.ms measured from the first batch's timestamp)
#[test]
fn segment_rolls_by_time() {
    let mut log = Log::new(
        "t-0",
        LogConfig {
            segment_ms: 1000,
            ..LogConfig::default()
        },
    );
    log.append_as_leader(&batch(1, 10, TS), 0, TS).unwrap();
    assert!(
        !log.append_as_leader(&batch(1, 10, TS + 1000), 0, TS)
            .unwrap()
            .rolled
    );
    assert!(
        log.append_as_leader(&batch(1, 10, TS + 1001), 0, TS)
            .unwrap()
            .rolled
    );
}

// Ref: kafka-facts.md §8 (Indexes: entry once bytes since the last entry exceed index.interval.bytes)
#[test]
fn index_entries_are_spaced_by_interval_bytes() {
    let mut log = Log::new("orders-0", LogConfig::default());
    let b = batch(2, 930, TS); // 2 records per batch
    let size = b.len() as u32;
    for _ in 0..20 {
        log.append_as_leader(&b, 0, TS).unwrap();
    }
    let files = log.segment_files();
    let index = &files[1].1;
    // Appends 1..=k accumulate k*size bytes; the check runs before counting the current append,
    // so the first entry is written by the first append that starts past 4096 bytes.
    let per_entry = 4096 / size + 1;
    let entries: Vec<(i32, u32)> = index
        .chunks(8)
        .map(|c| {
            (
                i32::from_be_bytes(c[..4].try_into().unwrap()),
                u32::from_be_bytes(c[4..].try_into().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        entries[0],
        ((per_entry * 2 + 1) as i32, per_entry * size),
        "offset = last offset of that append"
    );
    for w in entries.windows(2) {
        assert_eq!(w[1].1 - w[0].1, per_entry * size);
    }
    assert_eq!(log.segments()[0].index_entries as usize, entries.len());
    assert_eq!(files[2].1.len() % 12, 0);
}

// Ref: kafka-facts.md §8 (lookup: greatest entry ≤ target, then scan forward)
#[test]
fn lookup_finds_the_batch_holding_every_offset() {
    let mut log = Log::new("orders-0", cfg(20_000));
    for i in 0..60 {
        log.append_as_leader(&batch(1 + i % 3, 500, TS + i as i64), 0, TS)
            .unwrap();
    }
    for off in 0..log.log_end_offset() {
        let s = log.lookup(off);
        let found = s.found.expect("found");
        assert!(
            found.base_offset <= off && off <= found.last_offset,
            "offset {off}: {s:?}"
        );
        if let Some((o, _)) = s.index_hit {
            assert!(o <= off);
        }
        let r = log.read(off, i64::MAX, 1).unwrap();
        let (_, h, _) = r.records.batches().next().unwrap().unwrap();
        assert_eq!(h.base_offset, found.base_offset);
    }
    assert!(log
        .lookup(log.log_end_offset())
        .segment_base_offset
        .is_none());
    assert!(log.segments().iter().any(|s| s.index_entries > 0));
}

#[test]
fn read_respects_max_offset_max_bytes_and_range() {
    let mut log = Log::new("orders-0", LogConfig::default());
    for _ in 0..4 {
        log.append_as_leader(&batch(5, 100, TS), 3, TS).unwrap();
    }
    let r = log.read(7, 15, usize::MAX).unwrap();
    assert_eq!(
        (r.batch_count, r.next_offset),
        (2, 15),
        "whole batches from the one holding 7, below the HW"
    );
    let r = log.read(0, i64::MAX, 10).unwrap();
    assert_eq!(
        r.batch_count, 1,
        "the first batch is returned even when larger than max_bytes"
    );
    assert_eq!(log.read(20, i64::MAX, 1000).unwrap().batch_count, 0);
    assert!(matches!(
        log.read(21, i64::MAX, 1000),
        Err(LogError::OffsetOutOfRange { offset: 21, .. })
    ));
    let (h, recs) = decode_records(&log.read(0, 5, 1000).unwrap().records.to_vec()).unwrap();
    assert_eq!(
        (h.partition_leader_epoch, h.base_offset, recs.len()),
        (3, 0, 5)
    );
}

// Ref: KIP-101 (truncation by leader epoch); kafka-facts.md §4
#[test]
fn truncate_to_restores_leo_and_cuts_the_epoch_cache() {
    let mut log = Log::new("orders-0", cfg(1500));
    for (epoch, n) in [(1, 2), (2, 2), (3, 1)] {
        for _ in 0..n {
            log.append_as_leader(&batch(5, 100, TS), epoch, TS).unwrap();
        }
    }
    assert_eq!(log.end_offset_for_epoch(1), Some((1, 10)));
    assert_eq!(log.end_offset_for_epoch(3), Some((3, 25)));
    assert_eq!(log.truncate_to(15), 10);
    assert_eq!((log.log_end_offset(), log.latest_epoch()), (15, Some(2)));
    assert_eq!(log.end_offset_for_epoch(2), Some((2, 15)));
    assert_eq!(log.end_offset_for_epoch(3), None);
    assert_eq!(log.read(10, i64::MAX, usize::MAX).unwrap().next_offset, 15);
    assert_eq!(
        log.append_as_leader(&batch(1, 1, TS), 4, TS)
            .unwrap()
            .first_offset,
        15
    );
    assert_eq!(log.end_offset_for_epoch(3), Some((2, 15)));
    log.check_integrity().unwrap();
    assert_eq!(log.truncate_to(0), 16);
    assert_eq!(
        (
            log.log_end_offset(),
            log.latest_epoch(),
            log.segments().len()
        ),
        (0, None, 1)
    );
}

// Ref: kafka-facts.md §11 (power loss loses the tail past the recovery point)
#[test]
fn power_loss_loses_only_the_unflushed_tail() {
    let mut log = Log::new("orders-0", LogConfig::default());
    for _ in 0..3 {
        log.append_as_leader(&batch(2, 10, TS), 0, TS).unwrap();
    }
    log.flush(TS);
    for _ in 0..2 {
        log.append_as_leader(&batch(2, 10, TS), 0, TS).unwrap();
    }
    assert_eq!(log.recovery_point(), 6);
    assert_eq!(log.lose_unflushed(), 4);
    assert_eq!(log.log_end_offset(), 6);
    log.check_integrity().unwrap();
}

// Ref: kafka-facts.md §11 (flush.messages / flush.ms)
#[test]
fn flush_messages_and_flush_ms_trigger_flushes() {
    let mut log = Log::new(
        "orders-0",
        LogConfig {
            flush_messages: 4,
            ..LogConfig::default()
        },
    );
    log.append_as_leader(&batch(2, 10, TS), 0, TS).unwrap();
    assert_eq!(log.recovery_point(), 0);
    log.append_as_leader(&batch(2, 10, TS), 0, TS).unwrap();
    assert_eq!(log.recovery_point(), 4, "flushed during the append");
    let mut log = Log::new(
        "orders-0",
        LogConfig {
            flush_ms: 1000,
            ..LogConfig::default()
        },
    );
    log.flush(TS);
    log.append_as_leader(&batch(2, 10, TS), 0, TS).unwrap();
    assert!(!log.maybe_flush(TS + 999));
    assert!(log.maybe_flush(TS + 1000));
    assert_eq!(log.recovery_point(), 2);
}

#[test]
fn follower_replicates_the_leader_byte_for_byte() {
    let mut leader = Log::new("orders-0", cfg(2000));
    for e in 0..8 {
        leader
            .append_as_leader(&batch(3, 200, TS + e), e as i32 / 3, TS)
            .unwrap();
    }
    let mut follower = Log::new("orders-0", cfg(2000));
    while follower.log_end_offset() < leader.log_end_offset() {
        let r = leader
            .read(follower.log_end_offset(), i64::MAX, 1000)
            .unwrap();
        follower.append_as_follower(&r.records, TS).unwrap();
    }
    assert_eq!(follower.segment_files(), leader.segment_files());
    assert_eq!(follower.epoch_cache, leader.epoch_cache);
    let r = leader.read(3, i64::MAX, 1000).unwrap();
    assert!(matches!(
        follower.append_as_follower(&r.records, TS),
        Err(LogError::UnexpectedAppendOffset {
            expected: 24,
            found: 3
        })
    ));
}

#[test]
fn leader_rejects_corrupt_and_multi_batch_payloads() {
    let mut log = Log::new("orders-0", LogConfig::default());
    let mut b = batch(1, 10, TS);
    let last = b.len() - 1;
    b[last] ^= 1;
    assert!(matches!(
        log.append_as_leader(&b, 0, TS),
        Err(LogError::CorruptBatch { .. })
    ));
    let mut two = batch(1, 10, TS);
    two.extend(batch(1, 10, TS));
    assert!(matches!(
        log.append_as_leader(&two, 0, TS),
        Err(LogError::InvalidRecord(_))
    ));
    assert!(log.append_as_leader(&[], 0, TS).is_err());
    assert_eq!(log.log_end_offset(), 0);
}

#[test]
fn log_snapshots_through_serde() {
    let mut log = Log::new("orders-0", cfg(1000));
    for _ in 0..5 {
        log.append_as_leader(&batch(1, 400, TS), 0, TS).unwrap();
    }
    let back: Log = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    assert_eq!(back.segment_files(), log.segment_files());
    assert_eq!(back.log_end_offset(), 5);
    assert_eq!(log.segment_files()[3].0, "00000000000000000002.log");
}
