//! `compression.type`: text values compress, so fewer bytes cross the network, a tight link carries
//! more records, and the broker stores the batch as the producer compressed it.
// Ref: kafka-facts.md §2 (accumulator and sender), §8 (attributes bits 0–2: the codec)

use kafkascope::cli::dump_log::dump_log;
use kafkascope::event::{Event, EventKind};
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

const CODECS: [&str; 4] = ["gzip", "lz4", "zstd", "snappy"];

/// 2000 records/s of 100-byte text values into one partition; `bandwidth` bytes/s on every link.
fn scenario(codec: &str, bandwidth: u64) -> Scenario {
    let json = format!(
        r#"{{
  "profile": "kafka-3.6", "seed": 11,
  "cluster": {{ "brokers": 1, "costModel": {{ "linkBandwidthBytesPerSec": {bandwidth} }} }},
  "topics": [ {{ "name": "logs", "partitions": 1, "replicationFactor": 1 }} ],
  "producers": [ {{ "topic": "logs",
    "config": {{ "compression.type": "{codec}", "linger.ms": 10, "batch.size": 16384 }},
    "workload": {{ "recordsPerSec": 2000, "maxRecords": 4000, "key": {{ "type": "none" }},
                  "value": {{ "bytes": 100, "content": "text" }} }} }} ]
}}"#
    );
    Scenario::from_json(&json).expect("valid scenario")
}

fn run(codec: &str, bandwidth: u64, until_ms: u64) -> (Vec<Event>, Sim) {
    let mut sim = Sim::new(&scenario(codec, bandwidth)).unwrap();
    let events = sim.advance_to(ms(until_ms));
    (events, sim)
}

/// (records, bytes) over first attempts of every batch sent.
fn sent(events: &[Event]) -> (u64, u64) {
    events.iter().fold((0, 0), |(r, b), e| match e.kind {
        EventKind::BatchSent { records, bytes, attempt: 1, .. } => (r + records as u64, b + bytes as u64),
        _ => (r, b),
    })
}

#[test]
fn compressed_batches_send_fewer_bytes_for_the_same_records() {
    let (none_events, _) = run("none", 125_000_000, 3_000);
    let (none_records, none_bytes) = sent(&none_events);
    assert_eq!(none_records, 4_000);
    for codec in CODECS {
        let (events, _) = run(codec, 125_000_000, 3_000);
        let (records, bytes) = sent(&events);
        assert_eq!(records, 4_000, "{codec}");
        assert!(bytes * 2 < none_bytes, "{codec}: {bytes} bytes vs {none_bytes} uncompressed");
    }
}

#[test]
fn on_a_tight_link_compression_carries_more_records() {
    // 100 KB/s cannot carry 200 KB/s of raw values: uncompressed, the producer falls behind.
    let acked = |codec| run(codec, 100_000, 1_500).1.summary().acknowledged;
    let none = acked("none");
    assert!(none < 2_000, "the link is the bottleneck: {none}");
    for codec in CODECS {
        let n = acked(codec);
        assert!(n > none * 3 / 2, "{codec}: {n} acknowledged vs {none} uncompressed");
    }
}

#[test]
fn the_broker_stores_the_batch_compressed() {
    let (_, sim) = run("gzip", 125_000_000, 1_000);
    let log = sim.brokers()[0].disk.logs.values().next().expect("a log");
    let dir = std::env::temp_dir().join(format!("kafkascope-{}-producer-gzip", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (name, bytes) = log.segment_files().into_iter().find(|(n, _)| n.ends_with(".log")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut out = Vec::new();
    dump_log(&[path.to_string_lossy().into_owned()], &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let batches: Vec<&str> = out.lines().filter(|l| l.starts_with("baseOffset:")).collect();
    assert!(!batches.is_empty(), "{out}");
    assert!(batches.iter().all(|l| l.contains("compresscodec: gzip") && l.contains("isvalid: true")), "{out}");
}
