//! The producer's per-second metrics show the batching trade-off as numbers: a longer linger.ms makes
//! fewer, fuller batches and costs latency; compression shrinks what goes on the wire.

use kafkascope::event::EventKind;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

#[derive(Debug, Default)]
struct Totals {
    batches: u64,
    fill: u64,
    compression: u64,
    p50: u64,
    windows: u64,
}

fn run(linger_ms: u64, compression: &str) -> Totals {
    let text = format!(
        r#"{{"profile": "kafka-3.6", "seed": 3, "cluster": {{"brokers": 3}},
        "topics": [{{"name": "t", "partitions": 1, "replicationFactor": 3}}],
        "producers": [{{"topic": "t", "config": {{"acks": "all", "linger.ms": {linger_ms}, "compression.type": "{compression}"}},
            "workload": {{"recordsPerSec": 1000, "value": {{"bytes": 200, "content": "text"}}}}}}]}}"#
    );
    let mut sim = Sim::new(&Scenario::from_json(&text).unwrap()).unwrap();
    let mut t = Totals::default();
    // Skip the first two seconds (metadata and producer-id warm-up).
    for e in sim.advance_to(ms(8_000)).into_iter().filter(|e| e.at_us > 2_000_000) {
        if let EventKind::ProducerMetrics { batches_sent, batch_fill_permille, compression_permille, latency_p50_us, .. } = e.kind {
            t.batches += batches_sent;
            t.fill += batch_fill_permille;
            t.compression += compression_permille;
            t.p50 += latency_p50_us;
            t.windows += 1;
        }
    }
    assert!(t.windows >= 4, "a metrics event per second of activity: {t:?}");
    t.fill /= t.windows;
    t.compression /= t.windows;
    t.p50 /= t.windows;
    t
}

// Ref: kafka-facts.md §2 (ready when full or after linger.ms)
#[test]
fn longer_linger_makes_fewer_fuller_batches_at_a_latency_cost() {
    let eager = run(0, "none");
    let patient = run(50, "none");
    assert!(patient.batches * 3 < eager.batches, "fewer batches: {patient:?} vs {eager:?}");
    assert!(patient.fill > eager.fill * 3, "fuller batches: {patient:?} vs {eager:?}");
    assert!(patient.p50 > eager.p50 + 20_000, "higher latency: {patient:?} vs {eager:?}");
}

// Ref: kafka-facts.md §8 (compression covers the records array; the CRC is over the compressed bytes)
#[test]
fn compression_rate_is_reported_and_text_compresses() {
    let plain = run(20, "none");
    let gzip = run(20, "gzip");
    assert_eq!(plain.compression, 1000, "{plain:?}");
    assert!(gzip.compression < 600, "text values compress: {gzip:?}");
}
