//! IndexedDB write-behind throughput: segment bytes per second of `Store::commit` (the background
//! write the page runs about once a second), on the memory benchmark's cluster after 5 simulated
//! seconds, and whether the main thread stayed free meanwhile (longest gap between 0 ms timer ticks).
//! `Store::prepare` (the synchronous part, inside one frame) is timed on its own.
//! A benchmark, not a test of behaviour: opt-in (`test = false`), run by `.ci/bench` with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown -p kafkascope-web --test bench_store -- --nocapture`.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope_web::store::{Checkpoint, RunKey, Store, Value};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MEMORY: &str = include_str!("../../static/scenarios/bench/memory.json");

/// A frame at 60 Hz, in ms: a main-thread stall longer than this drops a frame.
const FRAME_MS: f64 = 16.7;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn bytes_of(cp: &Checkpoint) -> (usize, usize) {
    let segments = cp.puts.iter().map(|(_, v)| if let Value::Bytes(b) = v { b.len() } else { 0 }).sum();
    let all = cp.puts.iter().map(|(_, v)| match v { Value::Bytes(b) => b.len(), Value::Text(s) => s.len() }).sum();
    (segments, all)
}

/// Ticks a 0 ms timer until `running` clears; the longest gap (ms) between ticks lands in `longest`.
fn watch_main_thread(running: Rc<Cell<bool>>, longest: Rc<Cell<f64>>) {
    wasm_bindgen_futures::spawn_local(async move {
        let mut last = now_ms();
        while running.get() {
            TimeoutFuture::new(0).await;
            let t = now_ms();
            longest.set(longest.get().max(t - last));
            last = t;
        }
    });
}

/// One checkpoint of `sim`, timed: (segment bytes, all bytes, prepare ms, commit s, longest main-thread gap ms).
async fn timed_checkpoint(store: &Store, key: &RunKey, sim: &Sim) -> (usize, usize, f64, f64, f64) {
    let start = now_ms();
    let cp = store.prepare(key, sim, &[]).expect("checkpoint prepares");
    let prepare_ms = now_ms() - start;
    let (segment_bytes, all_bytes) = bytes_of(&cp);
    let (running, longest) = (Rc::new(Cell::new(true)), Rc::new(Cell::new(0.0)));
    watch_main_thread(running.clone(), longest.clone());
    TimeoutFuture::new(20).await; // the watcher is ticking before the write starts
    let start = now_ms();
    store.commit(key, cp).await.expect("checkpoint commits");
    let seconds = (now_ms() - start) / 1e3;
    TimeoutFuture::new(20).await;
    running.set(false);
    (segment_bytes, all_bytes, prepare_ms, seconds, longest.get())
}

/// Runs `sim` in 60 Hz frames up to `until_us`.
fn run_to(sim: &mut Sim, until_us: u64) {
    while sim.now_us() < until_us {
        let t = (sim.now_us() + 16_667).min(until_us);
        sim.advance_to(t);
    }
}

#[wasm_bindgen_test]
async fn indexeddb_write_behind_prints_its_rate() {
    let scenario = Scenario::from_json(MEMORY).expect("bench scenario parses");
    let mut sim = Sim::new(&scenario).expect("bench scenario builds");
    run_to(&mut sim, 5_000_000);
    let store = Store::new("kafkascope-bench-store");
    let key = RunKey::of(&scenario);
    let (segment_bytes, all_bytes, prepare_ms, seconds, gap) = timed_checkpoint(&store, &key, &sim).await;

    let rate = segment_bytes as f64 / 1e6 / seconds;
    console_log!("store: {segment_bytes} segment bytes ({all_bytes} with the command log) committed in {seconds:.3} s; prepare {prepare_ms:.1} ms; longest main-thread gap during the commit {gap:.1} ms");
    console_log!("ROW|IndexedDB write-behind, segment bytes|>= 20 MB/s|{rate:.1} MB/s ({:.1} MB in one commit)|{:.2}", segment_bytes as f64 / 1e6, rate / 20.0);
    console_log!("ROW|IndexedDB commit: longest main-thread gap|<= {FRAME_MS} ms|{gap:.1} ms|{:.2}", FRAME_MS / gap.max(0.1));
    console_log!("ROW|IndexedDB prepare (synchronous, in a frame)|<= {FRAME_MS} ms|{prepare_ms:.1} ms|{:.2}", FRAME_MS / prepare_ms.max(0.1));
    assert!(segment_bytes > 0, "the run wrote segments to checkpoint");
    // The write-behind's steady state: a second later only the segments that changed are written.
    run_to(&mut sim, 6_000_000);
    let (next_bytes, _, next_prepare_ms, next_seconds, next_gap) = timed_checkpoint(&store, &key, &sim).await;
    console_log!("store: next checkpoint 1 s later: {next_bytes} segment bytes in {next_seconds:.3} s; prepare {next_prepare_ms:.1} ms; longest main-thread gap {next_gap:.1} ms");
    console_log!("ROW|IndexedDB next checkpoint (1 s later): prepare / longest gap|<= {FRAME_MS} ms|{next_prepare_ms:.1} ms / {next_gap:.1} ms ({:.1} MB of changed segments)|{:.2}", next_bytes as f64 / 1e6, FRAME_MS / next_prepare_ms.max(next_gap).max(0.1));
    let stored = store.raw_keys(&key.prefix()).await.expect("keys read back");
    assert!(stored.iter().any(|k| k.contains("/seg/")), "the segments are in IndexedDB: {stored:?}");
}
