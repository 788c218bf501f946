//! `dump-log` output against the format of Kafka's DumpLogSegments.

use kafkascope::cli::dump_log::dump_log;
use kafkascope::log::batch::{control_batch, BatchBuilder, BatchOptions, EndTxnMarker};
use kafkascope::log::{Log, LogConfig};
use std::path::PathBuf;

const TS: i64 = 1_700_000_000_000;

fn vector_a() -> Vec<u8> {
    // Ref: kafka-facts.md §8 (batch test vector A)
    let mut b = BatchBuilder::new(BatchOptions::default());
    b.append(TS, Some(b"key"), Some(b"value"), &[]);
    b.build()
}

fn temp_dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kafkascope-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (Result<(), String>, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    let r = dump_log(&args, &mut out);
    (r, String::from_utf8(out).unwrap())
}

// crc 0xdb5e9cdd printed as an unsigned decimal (the brief's 3680345309 is 0xdb5d9cdd, a typo).
const BATCH_A: &str = "baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: 76 magic: 2 compresscodec: none crc: 3680410845 isvalid: true";

#[test]
fn dumps_vector_a_like_kafka() {
    let p = temp_dir("a").join("00000000000000000000.log");
    std::fs::write(&p, vector_a()).unwrap();
    let p = p.to_str().unwrap();
    let (r, out) = run(&["--print-data-log", p]);
    r.unwrap();
    let record = "| offset: 0 CreateTime: 1700000000000 keySize: 3 valueSize: 5 sequence: -1 headerKeys: [] key: key payload: value";
    assert_eq!(
        out,
        format!("Dumping {p}\nLog starting offset: 0\n{BATCH_A}\n{record}\n")
    );
    let (r, out) = run(&["--files", p]);
    r.unwrap();
    assert_eq!(
        out,
        format!("Dumping {p}\nLog starting offset: 0\n{BATCH_A}\n")
    );
}

#[test]
fn torn_tail_is_reported_and_prefix_printed() {
    let mut bytes = vector_a();
    bytes.extend_from_slice(&vector_a()[..40]);
    let p = temp_dir("torn").join("00000000000000000000.log");
    std::fs::write(&p, &bytes).unwrap();
    let (r, out) = run(&[p.to_str().unwrap()]);
    r.unwrap();
    assert!(
        out.ends_with(&format!(
            "{BATCH_A}\nFound 40 invalid bytes at the end of 00000000000000000000.log\n"
        )),
        "{out}"
    );
}

#[test]
fn crc_mismatch_prints_isvalid_false_and_bad_length_is_an_error() {
    let dir = temp_dir("corrupt");
    let mut bytes = vector_a();
    bytes[70] ^= 1;
    let p = dir.join("00000000000000000000.log");
    std::fs::write(&p, &bytes).unwrap();
    let (r, out) = run(&["--print-data-log", p.to_str().unwrap()]);
    r.unwrap();
    assert!(out.contains("isvalid: false"), "{out}");
    let mut bytes = vector_a();
    bytes.extend_from_slice(&vector_a());
    bytes[76 + 16] = 7; // second batch: bad magic
    std::fs::write(&p, &bytes).unwrap();
    let (r, out) = run(&[p.to_str().unwrap()]);
    let e = r.unwrap_err();
    assert!(
        e.contains("00000000000000000000.log") && e.contains("byte 76") && e.contains("magic"),
        "{e}"
    );
    assert!(out.contains(BATCH_A), "the valid prefix is still printed");
    let (r, _) = run(&[dir.join("00000000000000000099.log").to_str().unwrap()]);
    assert!(r.unwrap_err().contains("00000000000000000099.log"));
    assert!(run(&[]).0.is_err());
    assert!(run(&["--bogus", "x.log"]).0.is_err());
}

#[test]
fn dumps_segments_and_indexes_written_by_log() {
    let mut log = Log::new(
        "orders-0",
        LogConfig {
            segment_bytes: 50_000,
            ..LogConfig::default()
        },
    );
    for i in 0..40 {
        let mut b = BatchBuilder::new(BatchOptions {
            producer_id: 7,
            producer_epoch: 0,
            base_sequence: i * 2,
            ..BatchOptions::default()
        });
        let v = vec![b'x'; 1000];
        b.append(
            TS + i as i64,
            Some(b"k"),
            Some(&v),
            &[("h1", None), ("h2", Some(b"y"))],
        );
        b.append(TS + i as i64, None, None, &[]);
        log.append_as_leader(&b.build(), 2, TS).unwrap();
    }
    let marker = control_batch(
        BatchOptions {
            producer_id: 7,
            producer_epoch: 0,
            ..BatchOptions::default()
        },
        TS + 50,
        EndTxnMarker {
            commit: true,
            coordinator_epoch: 3,
        },
    );
    log.append_as_leader(&marker, 2, TS).unwrap();
    let dir = temp_dir("segments");
    let mut paths = Vec::new();
    for (name, bytes) in log.segment_files() {
        let p = dir.join(&name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = std::iter::once("--print-data-log")
        .chain(paths.iter().map(|s| s.as_str()))
        .collect();
    let (r, out) = run(&args);
    r.unwrap();
    assert!(out.contains("baseOffset: 2 lastOffset: 3 count: 2 baseSequence: 2 lastSequence: 3 producerId: 7 producerEpoch: 0 partitionLeaderEpoch: 2"), "{out}");
    assert!(out.contains("| offset: 2 CreateTime: 1700000000001 keySize: 1 valueSize: 1000 sequence: 2 headerKeys: [h1,h2] key: k payload: xxx"));
    assert!(out.contains("| offset: 3 CreateTime: 1700000000001 keySize: -1 valueSize: -1 sequence: 3 headerKeys: []\n"));
    assert!(out.contains("isTransactional: true isControl: true"));
    assert!(out.contains("| offset: 80 CreateTime: 1700000000050 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 3\n"));
    let first_index = log.segments()[0].index_entries;
    assert!(first_index > 0);
    assert_eq!(
        out.matches("\noffset: ").count(),
        log.segments()
            .iter()
            .map(|s| s.index_entries as usize)
            .sum::<usize>()
    );
    assert!(out.contains("\ntimestamp: 1700000000"));
}
