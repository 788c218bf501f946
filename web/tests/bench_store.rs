//! IndexedDB write-behind throughput: segment bytes per second of `Store::commit` (the background
//! write the page runs about once a second, paced in transactions), on the memory benchmark's
//! cluster after 5 simulated seconds (everything new), and whether the main thread stayed free
//! meanwhile (longest gap between 0 ms timer ticks); then the steady state a second later, when
//! only the changed chunks are written. `Store::prepare` (the synchronous part, inside one frame)
//! is timed on its own; both report the bytes actually put.
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
    let segments = cp.puts.iter().filter(|(_, v)| !matches!(v, Value::Text(_))).map(|(_, v)| v.len()).sum();
    (segments, cp.puts.iter().map(|(_, v)| v.len()).sum())
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

/// What one timed checkpoint did.
struct Timed {
    /// Segment bytes put (changed chunks only).
    segment_bytes: usize,
    /// All bytes put, the command log included.
    all_bytes: usize,
    /// Entries put and deleted, and the transactions they went in.
    puts: usize,
    deletes: usize,
    transactions: usize,
    /// `Store::prepare`, ms (synchronous, inside a frame).
    prepare_ms: f64,
    /// `Store::commit`, s (wall time of the paced write).
    seconds: f64,
    /// Longest main-thread gap during the commit, ms.
    gap_ms: f64,
    /// Checkpoints it took (more than one when the changed chunks exceed `PREPARE_BYTES`).
    checkpoints: usize,
}

/// One checkpoint of `sim`, timed, and whether it left a backlog.
async fn timed_checkpoint(store: &Store, key: &RunKey, sim: &Sim) -> (Timed, bool) {
    let start = now_ms();
    let cp = store.prepare(key, sim, &[]).expect("checkpoint prepares");
    let prepare_ms = now_ms() - start;
    let backlog = cp.backlog;
    let (segment_bytes, all_bytes) = bytes_of(&cp);
    let (puts, deletes, transactions) = (cp.puts.len(), cp.deletes.len(), cp.transactions().len());
    let (running, longest) = (Rc::new(Cell::new(true)), Rc::new(Cell::new(0.0)));
    watch_main_thread(running.clone(), longest.clone());
    TimeoutFuture::new(20).await; // the watcher is ticking before the write starts
    let start = now_ms();
    store.commit(key, cp).await.expect("checkpoint commits");
    let seconds = (now_ms() - start) / 1e3;
    TimeoutFuture::new(20).await;
    running.set(false);
    let t = Timed { segment_bytes, all_bytes, puts, deletes, transactions, prepare_ms, seconds, gap_ms: longest.get(), checkpoints: 1 };
    (t, backlog)
}

/// Checkpoints of `sim` back to back until nothing changed is left (as the page does with a
/// backlog): bytes, entries, transactions and time summed, prepare and gap the worst of them.
async fn drain(store: &Store, key: &RunKey, sim: &Sim) -> Timed {
    let (mut all, mut more) = timed_checkpoint(store, key, sim).await;
    while more {
        let (t, m) = timed_checkpoint(store, key, sim).await;
        all.segment_bytes += t.segment_bytes;
        all.all_bytes += t.all_bytes;
        all.puts += t.puts;
        all.deletes += t.deletes;
        all.transactions += t.transactions;
        all.seconds += t.seconds;
        all.prepare_ms = all.prepare_ms.max(t.prepare_ms);
        all.gap_ms = all.gap_ms.max(t.gap_ms);
        all.checkpoints += 1;
        more = m;
    }
    all
}

fn print(what: &str, t: &Timed) {
    console_log!(
        "store: {what}: {} segment bytes ({} with the command log) in {} checkpoints, {} puts, {} deletes, {} transactions, committed in {:.3} s; longest prepare {:.1} ms; longest main-thread gap during the commits {:.1} ms",
        t.segment_bytes,
        t.all_bytes, t.checkpoints, t.puts, t.deletes, t.transactions, t.seconds, t.prepare_ms, t.gap_ms
    );
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
    let first = drain(&store, &key, &sim).await;
    print("first checkpoint (5 s simulated, everything new)", &first);
    let rate = first.segment_bytes as f64 / 1e6 / first.seconds;
    let (gap, prepare_ms) = (first.gap_ms, first.prepare_ms);
    console_log!("ROW|IndexedDB write-behind, segment bytes|>= 20 MB/s|{rate:.1} MB/s ({:.1} MB in {} checkpoints, {} transactions)|{:.2}", first.segment_bytes as f64 / 1e6, first.checkpoints, first.transactions, rate / 20.0);
    console_log!("ROW|IndexedDB commit: longest main-thread gap|<= {FRAME_MS} ms|{gap:.1} ms|{:.2}", FRAME_MS / gap.max(0.1));
    console_log!("ROW|IndexedDB prepare (synchronous, in a frame)|<= {FRAME_MS} ms|{prepare_ms:.1} ms|{:.2}", FRAME_MS / prepare_ms.max(0.1));
    assert!(first.segment_bytes > 0, "the run wrote segments to checkpoint");
    // The write-behind's steady state: a second later only the chunks that changed are written.
    run_to(&mut sim, 6_000_000);
    let next = drain(&store, &key, &sim).await;
    print("next checkpoint (1 s later)", &next);
    let worst = next.prepare_ms.max(next.gap_ms);
    console_log!(
        "ROW|IndexedDB next checkpoint (1 s later): prepare / longest gap|<= {FRAME_MS} ms|{:.1} ms / {:.1} ms ({:.2} MB of changed chunks in {} transactions, {:.3} s)|{:.2}",
        next.prepare_ms, next.gap_ms, next.segment_bytes as f64 / 1e6, next.transactions, next.seconds, FRAME_MS / worst.max(0.1)
    );
    let stored = store.raw_keys(&key.prefix()).await.expect("keys read back");
    assert!(stored.iter().any(|k| k.contains("/seg/")), "the segments are in IndexedDB: {stored:?}");
}
