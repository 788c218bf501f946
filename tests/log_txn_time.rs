//! `.txnindex` entries, ListOffsets by timestamp, and LogAppendTime. Ref: kafka-facts.md §6, §8.

use kafkascope::cli::dump_log::dump_log;
use kafkascope::log::batch::{control_batch, BatchBuilder, BatchOptions, EndTxnMarker};
use kafkascope::log::txn_index::AbortedTxn;
use kafkascope::log::{Log, LogConfig};

const TS: i64 = 1_700_000_000_000;

fn txn_batch(pid: i64, seq: i32, n: usize) -> Vec<u8> {
    let opts = BatchOptions { producer_id: pid, producer_epoch: 0, base_sequence: seq, is_transactional: true, ..BatchOptions::default() };
    let mut b = BatchBuilder::new(opts);
    for _ in 0..n {
        b.append(TS, Some(b"k"), Some(b"v"), &[]);
    }
    b.build()
}

fn marker(pid: i64, commit: bool) -> Vec<u8> {
    let opts = BatchOptions { producer_id: pid, producer_epoch: 0, ..BatchOptions::default() };
    control_batch(opts, TS, EndTxnMarker { commit, coordinator_epoch: 0 })
}

fn dump(path: &std::path::Path) -> String {
    let mut out = Vec::new();
    dump_log(&[path.to_str().unwrap().to_string()], &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn temp_dir(test: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("kafkascope-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn abort_marker_writes_a_txnindex_entry() {
    let mut log = Log::new("t-0", LogConfig::default());
    log.append_as_leader(&txn_batch(1, 0, 2), 0, TS).unwrap(); // 0..1, producer 1 opens
    log.append_as_leader(&txn_batch(2, 0, 3), 0, TS).unwrap(); // 2..4, producer 2 opens
    log.append_as_leader(&txn_batch(1, 2, 1), 0, TS).unwrap(); // 5
    log.append_as_leader(&marker(1, false), 0, TS).unwrap(); // 6: ABORT producer 1
    assert_eq!(log.first_unstable_offset(), Some(2));
    log.append_as_leader(&marker(2, true), 0, TS).unwrap(); // 7: COMMIT producer 2 (no entry)
    log.append_as_leader(&txn_batch(1, 3, 1), 0, TS).unwrap(); // 8
    log.append_as_leader(&marker(1, false), 0, TS).unwrap(); // 9: ABORT, nothing else open
    assert_eq!(log.first_unstable_offset(), None);
    let expected = vec![
        AbortedTxn { version: 0, producer_id: 1, first_offset: 0, last_offset: 6, last_stable_offset: 2 },
        AbortedTxn { version: 0, producer_id: 1, first_offset: 8, last_offset: 9, last_stable_offset: 10 },
    ];
    assert_eq!(log.aborted_transactions(), expected);
    let files = log.segment_files();
    let (name, bytes) = files.iter().find(|(n, _)| n.ends_with(".txnindex")).expect(".txnindex listed");
    assert_eq!(name, "00000000000000000000.txnindex");
    assert_eq!(bytes.len(), 68);
    assert_eq!(AbortedTxn::from_bytes(bytes), Some(expected[0]));
    let p = temp_dir("txnindex").join(name);
    std::fs::write(&p, bytes).unwrap();
    assert_eq!(
        dump(&p),
        format!(
            "Dumping {}\nversion: 0 producerId: 1 firstOffset: 0 lastOffset: 6 lastStableOffset: 2\n\
             version: 0 producerId: 1 firstOffset: 8 lastOffset: 9 lastStableOffset: 10\n",
            p.display()
        )
    );
    // A torn index is an error, not a panic.
    std::fs::write(&p, &bytes[..40]).unwrap();
    let mut out = Vec::new();
    assert!(dump_log(&[p.to_str().unwrap().to_string()], &mut out).is_err());
    // Followers build the same index; truncation drops entries and reopens the transaction.
    let mut follower = Log::new("t-0", LogConfig::default());
    follower.append_as_follower(&log.read(0, i64::MAX, 1 << 20).unwrap().records, TS).unwrap();
    assert_eq!(follower.aborted_transactions(), expected);
    follower.truncate_to(9);
    assert_eq!(follower.aborted_transactions(), expected[..1].to_vec());
    assert_eq!(follower.first_unstable_offset(), Some(8));
    // No aborts: no .txnindex file.
    let plain = Log::new("p-0", LogConfig::default());
    assert!(!plain.segment_files().iter().any(|(n, _)| n.ends_with(".txnindex")));
}

fn stamped(ts: i64, n: usize) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions::default());
    for i in 0..n {
        b.append(ts + i as i64, None, Some(b"v"), &[]);
    }
    b.build()
}

#[test]
fn offset_for_timestamp_finds_the_earliest_offset_at_or_after() {
    let cfg = LogConfig { segment_bytes: 400, index_interval_bytes: 100, ..LogConfig::default() };
    let mut log = Log::new("t-0", cfg);
    // Batch i holds offsets 3i..3i+2 with timestamps TS + 10i + {0,1,2}.
    for i in 0..30 {
        log.append_as_leader(&stamped(TS + 10 * i, 3), 0, TS).unwrap();
    }
    assert!(log.segments().len() > 2);
    assert!(log.segments().iter().any(|s| s.time_index_entries > 0));
    assert_eq!(log.offset_for_timestamp(0), Some(0));
    assert_eq!(log.offset_for_timestamp(TS), Some(0));
    assert_eq!(log.offset_for_timestamp(TS + 1), Some(1));
    assert_eq!(log.offset_for_timestamp(TS + 3), Some(3)); // between batches: next batch's first
    assert_eq!(log.offset_for_timestamp(TS + 152), Some(47));
    assert_eq!(log.offset_for_timestamp(TS + 155), Some(48));
    assert_eq!(log.offset_for_timestamp(TS + 292), Some(89));
    assert_eq!(log.offset_for_timestamp(TS + 293), None);
    assert_eq!(log.offset_for_timestamp(-2), Some(0));
    assert_eq!(log.offset_for_timestamp(-1), Some(90));
    // Every answer agrees with a linear scan.
    for t in (TS - 5..TS + 300).step_by(7) {
        let linear = (0..30i64)
            .flat_map(|i| (0..3).map(move |j| (3 * i + j, TS + 10 * i + j)))
            .find(|&(_, ts)| ts >= t)
            .map(|(o, _)| o);
        assert_eq!(log.offset_for_timestamp(t), linear, "t = {t}");
    }
}

#[test]
fn log_append_time_restamps_batches() {
    let cfg = LogConfig { log_append_time: true, ..LogConfig::default() };
    let mut log = Log::new("t-0", cfg);
    let now = TS + 5_000;
    log.append_as_leader(&stamped(TS, 2), 0, now).unwrap();
    log.check_integrity().unwrap(); // the CRC was recomputed
    let data = log.read(0, i64::MAX, 1 << 20).unwrap().records;
    let (_, h, _) = data.batches().next().unwrap().unwrap();
    assert_eq!(h.attributes & 0x08, 0x08);
    assert_eq!(h.max_timestamp, now);
    assert_eq!(log.offset_for_timestamp(TS + 1), Some(0)); // both records read as `now`
    let (name, bytes) = log.segment_files().into_iter().find(|(n, _)| n.ends_with(".log")).unwrap();
    let p = temp_dir("lat").join(name);
    std::fs::write(&p, bytes).unwrap();
    let mut out = Vec::new();
    dump_log(&["--deep-iteration".to_string(), p.to_str().unwrap().to_string()], &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(&format!("LogAppendTime: {now} size:")), "{out}");
    assert!(out.contains(&format!("| offset: 1 LogAppendTime: {now} keySize")), "{out}");
    assert!(out.contains("isvalid: true"), "{out}");
    // CreateTime (the default) leaves the producer's timestamps.
    let mut ct = Log::new("t-0", LogConfig::default());
    ct.append_as_leader(&stamped(TS, 2), 0, now).unwrap();
    let data = ct.read(0, i64::MAX, 1 << 20).unwrap().records;
    let (_, h, _) = data.batches().next().unwrap().unwrap();
    assert_eq!((h.attributes & 0x08, h.max_timestamp), (0, TS + 1));
}
