//! The cargo-fuzz targets (fuzz/targets.rs) on stable: a seeded stream of random and mutated inputs
//! per target, none of which may panic. `cargo +nightly fuzz run <target>` explores further.
// Ref: issue "Reliability and security" item 4 (hostile input); shared/style.md "nothing panics".

#[allow(dead_code)]
mod targets {
    include!("../fuzz/targets.rs");
}

use kafkascope::log::batch::{BatchBuilder, BatchOptions};
use kafkascope::log::compression::Compression;
use kafkascope::rng::SimRng;

const DEFAULT: &str = include_str!("../static/scenarios/default.json");

/// Valid starting points: batches in every codec, with and without keys, headers and producer ids.
fn batch_seeds() -> Vec<Vec<u8>> {
    let codecs = [Compression::None, Compression::Gzip, Compression::Snappy, Compression::Lz4, Compression::Zstd];
    let mut out = Vec::new();
    for (i, compression) in codecs.into_iter().enumerate() {
        let opts = BatchOptions { compression, producer_id: i as i64 - 1, base_sequence: i as i32 - 1, ..Default::default() };
        let mut b = BatchBuilder::new(opts);
        for r in 0..(1 + i * 2) {
            let key = format!("key-{r}");
            b.append(1_700_000_000_000 + r as i64, (r % 2 == 0).then_some(key.as_bytes()), Some(b"value value value"), &[("h", Some(b"x"))]);
        }
        out.push(b.build());
    }
    let two = [out[0].clone(), out[1].clone()].concat();
    out.push(two);
    out
}

/// Mutates `seed` the way a fuzzer would: flip, overwrite with an interesting value, insert, delete,
/// truncate, or splice in random bytes. Deterministic for a given RNG state.
fn mutate(rng: &mut SimRng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = b.len().max(1) as u64;
        let i = rng.below(len) as usize;
        match rng.below(6) {
            0 if !b.is_empty() => b[i] ^= 1 << rng.below(8),
            1 if !b.is_empty() => b[i] = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe][rng.below(6) as usize],
            2 => b.insert(i.min(b.len()), rng.below(256) as u8),
            3 if !b.is_empty() => {
                b.remove(i);
            }
            4 => b.truncate(i),
            _ => {
                let mut junk = vec![0u8; rng.below(16) as usize];
                rng.fill(&mut junk);
                let at = i.min(b.len());
                b.splice(at..at, junk);
            }
        }
    }
    b
}

fn random_bytes(rng: &mut SimRng, max: u64) -> Vec<u8> {
    let mut v = vec![0u8; rng.below(max) as usize];
    rng.fill(&mut v);
    v
}

#[test]
fn record_batch_decoding_survives_random_and_mutated_bytes() {
    let seeds = batch_seeds();
    let mut rng = SimRng::new(0xBA7C4);
    for s in &seeds {
        targets::record_batch(s);
        assert!(kafkascope::log::batch::validate(s).is_ok(), "every seed batch is valid");
    }
    let (mut valid, mut rejected) = (0, 0);
    for n in 0..20_000 {
        let input = if n % 5 == 0 { random_bytes(&mut rng, 128) } else { mutate(&mut rng, &seeds[n % seeds.len()]) };
        targets::record_batch(&input);
        match kafkascope::log::batch::validate(&input) {
            Ok(_) => valid += 1,
            Err(_) => rejected += 1,
        }
    }
    // The stream reaches both paths: mutations the decoder accepts and ones it refuses with an error.
    assert!(valid > 0 && rejected > 0, "valid {valid}, rejected {rejected}");
}

#[test]
fn dump_log_survives_random_and_mutated_segment_files() {
    let seeds = batch_seeds();
    let mut rng = SimRng::new(0xD0C);
    for n in 0..20_000 {
        // The first byte picks .log / .index / .timeindex / .txnindex.
        let body = if n % 4 == 0 { random_bytes(&mut rng, 96) } else { mutate(&mut rng, &seeds[n % seeds.len()]) };
        let input = [&[n as u8][..], &body].concat();
        targets::segment_dump(&input);
    }
}

#[test]
fn scenario_json_survives_mutated_scenarios_and_runs_what_parses() {
    let mut rng = SimRng::new(0x5CE7);
    targets::scenario_json(DEFAULT.as_bytes());
    // Each parse that succeeds also simulates 200 ms, so fewer inputs than the byte-level targets.
    let mut parsed = 0;
    for n in 0..3_000 {
        let input = if n % 10 == 0 { random_bytes(&mut rng, 64) } else { mutate(&mut rng, DEFAULT.as_bytes()) };
        targets::scenario_json(&input);
        let text = std::str::from_utf8(&input).unwrap_or("");
        parsed += kafkascope::scenario::Scenario::from_json(text).is_ok() as u32;
    }
    // Some mutations still parse (and were run), most are refused: both paths were exercised.
    assert!(parsed > 0 && parsed < 3_000, "{parsed} of 3000 mutated scenarios parsed");
}
