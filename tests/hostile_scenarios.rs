//! Bad scenario input gets an error, never a panic: seeded byte mutations of the default scenario,
//! and hand-picked edge values that pass the parser must still run.

use kafkascope::rng::SimRng;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

const DEFAULT: &str = include_str!("../static/scenarios/default.json");

#[test]
fn mutated_scenarios_are_rejected_or_run_without_panicking() {
    let mut rng = SimRng::new(2024);
    let (mut rejected, mut ran) = (0, 0);
    for _ in 0..400 {
        let mut bytes = DEFAULT.as_bytes().to_vec();
        for _ in 0..=rng.below(3) {
            let i = rng.below(bytes.len() as u64) as usize;
            match rng.below(3) {
                0 => bytes[i] = b"0123456789-\"{}[],:aZ \n"[rng.below(22) as usize],
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, b"9-\",}"[rng.below(5) as usize]),
            }
        }
        let Ok(text) = String::from_utf8(bytes) else { continue };
        match Scenario::from_json(&text) {
            Err(e) => {
                assert!(!e.0.is_empty());
                rejected += 1;
            }
            Ok(s) => {
                if let Ok(mut sim) = Sim::new(&s) {
                    sim.advance_to(ms(500));
                    ran += 1;
                }
            }
        }
    }
    assert!(rejected > 50, "mutations mostly break the file ({rejected} rejected)");
    assert!(ran > 10, "some mutations stay valid and run ({ran} ran)");
}

#[test]
fn edge_values_that_parse_also_run() {
    let cases = [
        // One broker, RF 1, zero-byte values, acks=0.
        r#"{"profile":"kafka-4.0","cluster":{"brokers":1},"topics":[{"name":"t","partitions":1}],
            "producers":[{"topic":"t","config":{"acks":"0","batch.size":0},"workload":{"recordsPerSec":1000,"value":{"bytes":0}}}],
            "consumers":[{"topics":["t"]}]}"#,
        // Replication factor larger than the cluster: rejected with Kafka's exception name.
        r#"{"profile":"kafka-3.6","cluster":{"brokers":2},"topics":[{"name":"t","partitions":2,"replicationFactor":3}]}"#,
        // A timeline command for a broker that does not exist.
        r#"{"profile":"kafka-3.6","cluster":{"brokers":2},"timeline":[{"atMs":1,"command":{"type":"restartBroker","broker":9}}]}"#,
        // delivery.timeout.ms set below linger.ms + request.timeout.ms: Kafka's ConfigException.
        r#"{"profile":"kafka-3.6","cluster":{"brokers":1},"topics":[{"name":"t","partitions":1}],
            "producers":[{"topic":"t","config":{"delivery.timeout.ms":100}}]}"#,
    ];
    let expectations = [None, Some("InvalidReplicationFactor"), Some("broker 9"), Some("delivery.timeout.ms")];
    for (text, expected) in cases.iter().zip(expectations) {
        let result = Scenario::from_json(text).and_then(|s| Sim::new(&s));
        match (result, expected) {
            (Ok(mut sim), None) => {
                sim.advance_to(ms(2_000));
                assert!(sim.summary().produced > 0);
            }
            (Err(e), Some(needle)) => assert!(e.0.contains(needle), "{needle:?} not in {e}"),
            (Ok(_), Some(needle)) => panic!("expected an error mentioning {needle}"),
            (Err(e), None) => panic!("unexpected error: {e}"),
        }
    }
}
