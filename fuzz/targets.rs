// The fuzz targets' bodies, shared by the cargo-fuzz binaries (fuzz/fuzz_targets/) and the stable
// test `tests/fuzz_corpus.rs` (both `include!` this file). Each takes arbitrary bytes and must return
// without panicking: errors are fine, panics are bugs.

/// Record batch decoding (`log::batch`): header, CRC, validation, records (any codec), iteration.
pub fn record_batch(data: &[u8]) {
    use kafkascope::log::batch::{batches, crc_matches, decode_records, read_header, validate};
    if let Ok(h) = read_header(data) {
        let _ = crc_matches(data, &h);
        let _ = (h.last_offset(), h.next_offset(), h.compression(), h.delete_horizon_ms());
    }
    let _ = validate(data);
    if let Ok((h, records)) = decode_records(data) {
        for r in &records {
            let _ = (r.offset(&h), r.timestamp(&h), r.sequence(&h));
        }
    }
    for item in batches(data).take(1_000) {
        if item.is_err() {
            break;
        }
    }
}

/// `kafkascope dump-log --print-data-log` over the bytes as a `.log`, `.index`, `.timeindex` or
/// `.txnindex` file (the first byte picks which; the rest is the file).
pub fn segment_dump(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else { return };
    let suffix = ["log", "index", "timeindex", "txnindex"][kind as usize % 4];
    let dir = std::env::temp_dir().join(format!("kafkascope-fuzz-{}-{:?}", std::process::id(), std::thread::current().id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let path = dir.join(format!("00000000000000000000.{suffix}"));
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let args = ["--print-data-log".to_string(), path.to_string_lossy().into_owned()];
    let _ = kafkascope::cli::dump_log::dump_log(&args, &mut std::io::sink());
}

/// Scenario JSON parsing, and when it parses and builds, a short run.
pub fn scenario_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = kafkascope::scenario::Scenario::from_json(text) else { return };
    if let Ok(mut sim) = kafkascope::sim::Sim::new(&scenario) {
        sim.advance_to(kafkascope::time::ms(200));
    }
}
