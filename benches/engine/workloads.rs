//! The workloads, read from the same scenario files the wasm runner uses (`static/scenarios/bench/`).

use crate::{alloc, host};
use kafkascope::event::{Event, EventKind};
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::{Micros, US_PER_SEC};

const ACKS_1: &str = include_str!("../../static/scenarios/bench/throughput-acks1.json");
const ACKS_ALL: &str = include_str!("../../static/scenarios/bench/throughput-acksall.json");
const IDLE: &str = include_str!("../../static/scenarios/bench/idle.json");
const MEMORY: &str = include_str!("../../static/scenarios/bench/memory.json");

/// The browser's frame step: the bench advances in the same slices the page does.
const FRAME_US: Micros = 16_667;

/// One row of the final table: figure | target | measured | ratio (measured over target, >= 1 is met).
fn row(figure: &str, target: &str, measured: String, ratio: f64) {
    host::print_line(&format!("ROW|{figure}|{target}|{measured}|{ratio:.2}"));
}

fn sim(json: &str) -> Sim {
    let scenario = Scenario::from_json(json).expect("bench scenario parses");
    Sim::new(&scenario).expect("bench scenario builds")
}

/// Records acknowledged without error in a batch of events.
fn acked(events: &[Event]) -> u64 {
    events
        .iter()
        .map(|e| match &e.kind {
            EventKind::ProduceCompleted { records, error: None, .. } => *records as u64,
            _ => 0,
        })
        .sum()
}

/// Advances `sim` by `span` in frame slices; returns (records acked, events) on the way.
fn run_for(sim: &mut Sim, span: Micros) -> (u64, u64) {
    let end = sim.now_us() + span;
    let (mut records, mut events) = (0, 0);
    while sim.now_us() < end {
        let out = sim.advance_to((sim.now_us() + FRAME_US).min(end));
        records += acked(&out);
        events += out.len() as u64;
    }
    (records, events)
}

/// Simulated records per wall second and allocations per record, acks=1 and acks=all; `host_name`
/// is `native` or `wasm` (the wasm rows' ratio against native is filled in by `.ci/bench`).
pub fn throughput(scale: f64, host_name: &str) {
    for (name, json) in [("acks=1", ACKS_1), ("acks=all", ACKS_ALL)] {
        let mut sim = sim(json);
        run_for(&mut sim, US_PER_SEC / 2); // warm up: metadata, producer id, first batches
        let span = ((2.0 * scale).max(0.2) * US_PER_SEC as f64) as Micros;
        let allocs = alloc::allocations();
        let t = host::now_seconds();
        let (records, events) = run_for(&mut sim, span);
        let wall = host::now_seconds() - t;
        let per_record = (alloc::allocations() - allocs) as f64 / records.max(1) as f64;
        let rate = records as f64 / wall;
        host::print_line(&format!("throughput {name} ({host_name}): {records} records, {events} events in {wall:.2} s wall ({:.1} simulated s)", span as f64 / 1e6));
        if host_name == "wasm" {
            row(&format!("engine throughput {name} (wasm)"), ">= 0.5 x native", format!("{rate:.0} records/s"), f64::NAN);
            continue;
        }
        row(&format!("engine throughput {name} (native)"), ">= 2,000,000 records/s", format!("{rate:.0} records/s"), rate / 2e6);
        // Per-batch allocations are expected; one per record would show as >= 1.
        row(&format!("allocations per record {name}"), "< 1 (none per record)", format!("{per_record:.3}"), 1.0 / per_record.max(1e-9));
    }
}

/// Simulated seconds per wall second on an idle cluster.
pub fn fast_forward(scale: f64) {
    let mut sim = sim(IDLE);
    run_for(&mut sim, 10 * US_PER_SEC); // the group forms, fetchers settle
    let span = ((86_400.0 * scale).max(600.0) * US_PER_SEC as f64) as Micros;
    let t = host::now_seconds();
    let end = sim.now_us() + span;
    let mut events = 0u64;
    // Fast-forward as the page's seek does: big steps, events dropped.
    while sim.now_us() < end {
        events += sim.advance_to((sim.now_us() + 60 * US_PER_SEC).min(end)).len() as u64;
    }
    let wall = host::now_seconds() - t;
    let rate = span as f64 / 1e6 / wall;
    host::print_line(&format!("fast-forward: {:.0} simulated s, {events} events in {wall:.2} s wall", span as f64 / 1e6));
    row("fast-forward, idle cluster", ">= 100,000 simulated s/s", format!("{rate:.0} simulated s/s"), rate / 1e5);
}

/// The live heap over an hour at 10,000 records/s with retention, sampled every 5 simulated minutes.
pub fn memory(scale: f64) {
    let mut sim = sim(MEMORY);
    let total = ((3_600.0 * scale).max(300.0) * US_PER_SEC as f64) as Micros;
    let step = total / 12;
    let mut samples = Vec::new();
    let t = host::now_seconds();
    while sim.now_us() < total {
        run_for(&mut sim, step);
        samples.push((sim.now_us() / US_PER_SEC, alloc::live_bytes()));
        let (at, mb, wall) = (sim.now_us() / US_PER_SEC, alloc::live_bytes() as f64 / 1e6, host::now_seconds() - t);
        host::print_line(&format!("memory: at {at:>5} simulated s live heap {mb:>7.1} MB ({wall:.0} s wall)"));
    }
    // Retention reaches steady state after retention.ms plus a segment; compare the first sample after
    // that with the last one.
    let (t0, first) = samples[1];
    let (t1, last) = *samples.last().expect("samples");
    let growth = last as f64 / first.max(1) as f64;
    let mb = |b: u64| b as f64 / 1e6;
    row(
        "memory, 1 h at 10,000 records/s with retention",
        "flat (end <= 1.1 x start)",
        format!("{:.1} MB at {t0} s -> {:.1} MB at {t1} s", mb(first), mb(last)),
        1.1 / growth,
    );
}
