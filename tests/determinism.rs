//! The same seed and commands give the same event trace; snapshots continue identically.
// Ref: shared/style.md "Build the determinism check in from day one".

use kafkascope::command::Command;
use kafkascope::event::Event;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

const DEFAULT: &str = include_str!("../static/scenarios/default.json");

fn run(scenario: &Scenario, until_ms: u64) -> (Vec<Event>, String) {
    let mut sim = Sim::new(scenario).expect("valid scenario");
    let events = sim.advance_to(ms(until_ms));
    (events, sim.trace_hash())
}

#[test]
fn same_seed_twice_gives_the_same_trace() {
    let s = Scenario::from_json(DEFAULT).unwrap();
    let (a, ha) = run(&s, 5_000);
    let (b, hb) = run(&s, 5_000);
    assert!(a.len() > 100, "the default scenario does something ({} events)", a.len());
    assert_eq!(ha, hb);
    assert_eq!(a, b);
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    let s = Scenario::from_json(DEFAULT).unwrap();
    let mut other = s.clone();
    other.seed = s.seed + 1;
    assert_ne!(run(&s, 3_000).1, run(&other, 3_000).1);
}

#[test]
fn advancing_in_small_steps_equals_one_big_step() {
    let s = Scenario::from_json(DEFAULT).unwrap();
    let (whole, h1) = run(&s, 4_000);
    let mut sim = Sim::new(&s).unwrap();
    let mut pieces = Vec::new();
    for t in (0..=4_000).step_by(17) {
        pieces.extend(sim.advance_to(ms(t)));
    }
    pieces.extend(sim.advance_to(ms(4_000)));
    assert_eq!(whole, pieces);
    assert_eq!(h1, sim.trace_hash());
}

#[test]
fn a_snapshot_restored_from_json_continues_identically() {
    let s = Scenario::from_json(DEFAULT).unwrap();
    let mut sim = Sim::new(&s).unwrap();
    sim.advance_to(ms(2_345));
    sim.apply(Command::CrashBroker { broker: 2 }).unwrap();
    let frozen = serde_json::to_string(&sim.snapshot()).expect("snapshot serializes");
    let after_original = sim.advance_to(ms(6_000));
    let mut restored: Sim = serde_json::from_str(&frozen).expect("snapshot deserializes");
    let after_restored = restored.advance_to(ms(6_000));
    assert_eq!(after_original, after_restored);
    assert_eq!(sim.trace_hash(), restored.trace_hash());
    assert_eq!(sim.summary(), restored.summary());
}

#[test]
fn the_default_scenario_matches_its_golden_trace_hash() {
    // The wasm test (tests/wasm_engine.rs) checks the same file, so native and wasm agree.
    let s = Scenario::from_json(DEFAULT).unwrap();
    let (_, hash) = run(&s, 10_000);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/default.trace-hash");
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(path, format!("{hash}\n")).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("tests/golden/default.trace-hash exists");
    assert_eq!(
        golden.trim(),
        hash,
        "the default scenario's trace changed; if intended, rerun with UPDATE_GOLDEN=1 and commit the file"
    );
}

#[test]
fn the_printed_trace_hash_can_be_recomputed_from_the_json_lines() {
    // Each event's compact JSON line plus "\n" is hashed with XXH64 seeded by the hash so far (src/trace.rs).
    let s = Scenario::from_json(DEFAULT).unwrap();
    let (events, hash) = run(&s, 1_000);
    let mut h = kafkascope::trace::TraceHash::default();
    for e in &events {
        h.add_bytes(format!("{}\n", serde_json::to_string(e).unwrap()).as_bytes());
    }
    assert_eq!(h.hex(), hash);
}
