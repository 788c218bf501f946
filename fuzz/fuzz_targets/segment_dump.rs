//! cargo-fuzz target `segment_dump`: see fuzz/targets.rs.
#![no_main]

#[allow(dead_code)]
#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::segment_dump(data));
