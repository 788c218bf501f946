//! The engine throughput benchmark under wasm in headless Chromium: the same workloads and code as
//! `cargo bench --bench engine` (benches/engine/), timed with `performance.now()`. Opt-in (not part of
//! `cargo test` nor of .ci/test): `bash .ci/bench` runs it with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture`.
#![cfg(target_arch = "wasm32")]

#[path = "../benches/engine/alloc.rs"]
mod alloc;
#[path = "../benches/engine/host.rs"]
mod host;
#[path = "../benches/engine/workloads.rs"]
#[allow(dead_code)] // the fast-forward and memory workloads run natively only
mod workloads;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

#[wasm_bindgen_test]
fn engine_throughput_under_wasm_prints_its_rows() {
    let scale = option_env!("BENCH_SCALE").and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let before = alloc::allocations();
    workloads::throughput(scale, "wasm");
    assert!(alloc::allocations() > before, "the workloads ran (and the counting allocator saw them)");
}
