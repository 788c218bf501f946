//! The engine benchmarks: throughput on Kafka's benchmark shape, allocations per record, fast-forward
//! of an idle cluster, and the heap over an hour of retention. Each figure is printed, never asserted.
//! Run: `cargo bench --bench engine` (optimised, LTO). Rows starting `ROW|` are collected by `.ci/bench`.
//!   BENCH_SCALE=0.1  shortens every workload (quick look; figures get noisier)
//!   BENCH_ONLY=name  runs one workload: throughput, fastforward, memory

mod alloc;
mod host;
mod workloads;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter as in libtest.
    let only = std::env::var("BENCH_ONLY").ok();
    let scale: f64 = std::env::var("BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let wants = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if wants("throughput") {
        workloads::throughput(scale, "native");
    }
    if wants("fastforward") {
        workloads::fast_forward(scale);
    }
    if wants("memory") {
        workloads::memory(scale);
    }
}
