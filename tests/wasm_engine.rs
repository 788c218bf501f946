//! The engine under wasm: the default scenario run to 10 s in a browser gives the same trace hash as the
//! native run committed in `tests/golden/default.trace-hash` (determinism across targets).
//! Run: `wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver -- --test wasm_engine`.
#![cfg(target_arch = "wasm32")]

use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEFAULT: &str = include_str!("../static/scenarios/default.json");
const GOLDEN: &str = include_str!("golden/default.trace-hash");

/// The hash in the golden file: a bare hex line, or a JSON summary with a `traceHash`/`trace_hash` field.
fn golden_hash() -> String {
    let text = GOLDEN.trim();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).expect("golden file is JSON");
        let h = v.get("traceHash").or_else(|| v.get("trace_hash")).and_then(|h| h.as_str());
        return h.expect("golden JSON has a trace hash").to_owned();
    }
    text.lines().last().unwrap_or_default().trim().to_owned()
}

#[wasm_bindgen_test]
fn default_scenario_to_10s_matches_the_native_trace_hash() {
    let scenario = Scenario::from_json(DEFAULT).expect("default scenario parses");
    let mut sim = Sim::new(&scenario).expect("default scenario builds");
    let mut events = 0usize;
    // Advance in 16 ms steps, as the browser's frame loop does: slicing must not change the trace.
    let mut t = 0;
    while t < 10_000_000 {
        t = (t + 16_667).min(10_000_000);
        events += sim.advance_to(t).len();
    }
    assert!(events > 0, "the default scenario produces events");
    assert_eq!(sim.trace_hash(), golden_hash(), "wasm trace differs from the native golden run");
}

#[wasm_bindgen_test]
fn same_seed_twice_gives_the_same_trace_under_wasm() {
    let scenario = Scenario::from_json(DEFAULT).expect("default scenario parses");
    let run = || {
        let mut sim = Sim::new(&scenario).expect("builds");
        sim.advance_to(2_000_000);
        sim.trace_hash()
    };
    assert_eq!(run(), run());
}
