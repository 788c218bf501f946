//! Native tests of the chunk layout: keys (and the old whole-segment keys) parse, a segment splits
//! into chunks and reassembles, an append changes only the tail chunks' fingerprints, a diff puts
//! only those and deletes what is past the end, and a missing chunk cuts the segment there.
use super::*;
use kafkascope::log::batch::{BatchBuilder, BatchOptions};

const SEG: &str = "broker-1/orders-0/00000000000000000000.log";

/// Batches of `value_len`-byte records, one per epoch given, stamped with that leader epoch.
fn segment(epochs: &[i32], value_len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, &epoch) in epochs.iter().enumerate() {
        let mut b = BatchBuilder::new(BatchOptions::default());
        b.append(1_000 + i as i64, None, Some(&vec![b'v'; value_len][..]), &[]);
        let mut bytes = b.build();
        bytes[12..16].copy_from_slice(&epoch.to_be_bytes()); // partitionLeaderEpoch, outside the CRC
        out.extend(bytes);
    }
    out
}

fn parts_of(bytes: &[u8]) -> Parts {
    let chunks = (0..chunk_count(bytes.len())).map(|i| (i, chunk(bytes, i).to_vec())).collect();
    Parts { chunks, whole: None }
}

#[test]
fn chunk_and_whole_keys_parse_and_anything_else_does_not() {
    let key = chunk_key("run#7/", SEG, 12);
    assert_eq!(key, format!("run#7/seg/{SEG}/000012"));
    let rest = key.strip_prefix("run#7/seg/").expect("prefix");
    assert_eq!(parse_seg_key(rest), Some(SegKey::Chunk { segment: SEG, index: 12 }));
    assert_eq!(parse_seg_key(&whole_key("", SEG)["seg/".len()..]), Some(SegKey::Whole(SEG)));
    assert_eq!(parse_seg_key(&format!("{SEG}/12")), None, "a chunk index has six digits");
    assert_eq!(parse_seg_key(&format!("{SEG}/00001x")), None);
    assert_eq!(parse_seg_key("broker-1/orders-0/00000000000000000000.index/000000"), None);
    assert_eq!(parse_seg_key("commands"), None);
}

#[test]
fn a_segment_splits_into_fixed_chunks_and_reassembles() {
    let bytes = segment(&[1; 300], 700); // ~230 KB: three full chunks and a short one
    assert_eq!(chunk_count(bytes.len()), bytes.len().div_ceil(CHUNK_BYTES));
    assert!(chunk_count(bytes.len()) >= 3);
    assert_eq!(chunk_count(0), 1, "an empty segment is one empty chunk");
    let a = reassemble(parts_of(&bytes));
    assert_eq!((a.bytes == bytes, a.used, a.cut.clone()), (true, chunk_count(bytes.len()), None));
    assert!(trust(&a, None).chunks.iter().all(Option::is_some));
    let empty = reassemble(parts_of(&[]));
    assert_eq!((empty.bytes.len(), empty.used, empty.cut), (0, 1, None));
}

#[test]
fn an_old_whole_segment_entry_loads_as_one_chunk_and_is_replaced() {
    let bytes = segment(&[1; 200], 700);
    let a = reassemble(Parts { chunks: VecMap::new(), whole: Some(bytes.clone()) });
    assert_eq!((a.bytes == bytes, a.used, a.cut.clone()), (true, 0, None));
    let stored = VecMap::from([(SEG.to_owned(), trust(&a, None))]);
    let d = diff("p/", &[(SEG.to_owned(), &bytes[..], &chunk_fingerprints(&bytes)[..])], &stored);
    assert_eq!(d.puts.len(), chunk_count(bytes.len()), "every chunk is written");
    assert_eq!(d.deletes, vec![whole_key("p/", SEG)]);
    assert_eq!(d.trims, vec![(SEG.to_owned(), chunk_count(bytes.len()))]);
}

#[test]
fn a_missing_or_short_middle_chunk_cuts_the_segment_there() {
    let bytes = segment(&[1; 300], 700);
    let mut parts = parts_of(&bytes);
    parts.chunks.remove(&2);
    let a = reassemble(parts);
    assert_eq!((a.bytes.len(), a.used), (2 * CHUNK_BYTES, 2));
    assert!(a.cut.as_deref().is_some_and(|c| c.contains("chunk 2 of") && c.contains("missing")), "{:?}", a.cut);
    assert_eq!(a.stored.chunks.len(), chunk_count(bytes.len()), "the chunks after the gap are still known to be there");
    let t = trust(&a, Some(2 * CHUNK_BYTES - 100));
    assert_eq!(t.chunks.iter().map(Option::is_some).collect::<Vec<_>>()[..3], [true, false, false]);
    let mut parts = parts_of(&bytes);
    parts.chunks.get_mut(&1).expect("chunk 1").truncate(10);
    let a = reassemble(parts);
    assert_eq!(a.bytes.len(), CHUNK_BYTES);
    assert!(a.cut.is_some_and(|c| c.contains("has 10 bytes")));
}

#[test]
fn an_append_changes_only_the_fingerprints_from_the_old_end_on() {
    let old = segment(&[1; 150], 700);
    let mut new = old.clone();
    new.extend(segment(&[1; 150], 700));
    let (a, b) = (chunk_fingerprints(&old), chunk_fingerprints(&new));
    let first_changed = old.len() / CHUNK_BYTES;
    assert_eq!(a[..first_changed], b[..first_changed], "chunks before the old end are untouched");
    assert_ne!(a[first_changed], b[first_changed], "the tail chunk grew");
}

#[test]
fn a_walk_resumed_after_an_append_matches_a_full_walk_and_skips_the_old_chunks() {
    let old = segment(&[1; 200], 700);
    let first = walk(&old, None);
    assert_eq!(first.fingerprints, chunk_fingerprints(&old));
    let mut grown = old.clone();
    grown.extend(segment(&[1; 120], 700));
    let resumed = walk(&grown, Some(&first));
    assert_eq!(resumed, walk(&grown, None), "same fingerprints and chain as walking from byte 0");
    // Bytes before the old end are not looked at again: a (never happening) rewrite of the first
    // batch's header goes unseen by a resumed walk, and is seen by a full one.
    let mut rewritten = grown.clone();
    rewritten[12] ^= 1;
    assert_eq!(walk(&rewritten, Some(&first)).fingerprints[0], first.fingerprints[0]);
    assert_ne!(walk(&rewritten, None).fingerprints[0], first.fingerprints[0]);
}

#[test]
fn a_walk_starts_over_after_a_cut_a_new_last_batch_or_a_torn_tail() {
    let old = segment(&[1; 200], 700);
    let first = walk(&old, None);
    let batch = segment(&[1], 700).len();
    let shorter = &old[..old.len() - batch];
    assert_eq!(walk(shorter, Some(&first)), walk(shorter, None), "a truncation");
    let mut epochs = vec![1; 199];
    epochs.extend([2, 2, 2]); // the old last batch re-appended under a new leader epoch, then more
    let diverged = segment(&epochs, 700);
    assert_eq!(walk(&diverged, Some(&first)), walk(&diverged, None));
    let mut torn = old.clone();
    torn.extend_from_slice(&[0, 0, 0, 9]);
    let torn_walk = walk(&torn, None);
    let mut mended = old.clone();
    mended.extend(segment(&[1; 3], 700));
    assert_eq!(walk(&mended, Some(&torn_walk)), walk(&mended, None), "a torn tail is walked again");
}

#[test]
fn a_chunk_fingerprint_changes_with_any_batch_header_or_a_torn_tail() {
    let a = segment(&[1, 1, 1], 60);
    assert_eq!(chunk_fingerprints(&a), chunk_fingerprints(&a.clone()));
    // A truncation re-appended under a new leader epoch: same size and records, other header.
    assert_ne!(chunk_fingerprints(&a), chunk_fingerprints(&segment(&[1, 1, 2], 60)));
    assert_ne!(chunk_fingerprints(&a), chunk_fingerprints(&segment(&[1, 1], 60)), "a batch fewer");
    let mut torn = a.clone();
    torn.extend_from_slice(&[0, 0, 0]);
    assert_ne!(chunk_fingerprints(&a), chunk_fingerprints(&torn), "a torn tail");
    let mut value = a.clone();
    let last = value.len() - 1;
    value[last] ^= 1;
    // A flipped record byte under an unchanged header: in memory a batch is always rebuilt with a
    // new CRC; a stored entry like this fails the CRC check at load and is cut and rewritten.
    assert_eq!(chunk_fingerprints(&a), chunk_fingerprints(&value), "records count through their header's CRC");
}

#[test]
fn a_diff_puts_the_tail_after_an_append_and_deletes_past_a_truncated_end() {
    let old = segment(&[1; 300], 700);
    let stored = VecMap::from([(SEG.to_owned(), trust(&reassemble(parts_of(&old)), None))]);
    let mut grown = old.clone();
    grown.extend(segment(&[1; 10], 700));
    let d = diff("p/", &[(SEG.to_owned(), &grown[..], &chunk_fingerprints(&grown)[..])], &stored);
    let put: Vec<usize> = d.puts.iter().map(|(p, _)| p.index).collect();
    assert_eq!(put, (old.len() / CHUNK_BYTES..chunk_count(grown.len())).collect::<Vec<_>>());
    assert!(d.deletes.is_empty() && d.trims.is_empty());
    assert_eq!(d.puts[0].1.bytes(), chunk(&grown, put[0]));

    let batch = segment(&[1], 700).len();
    let cut = &old[..(CHUNK_BYTES / batch + 2) * batch]; // a truncation at a batch boundary in chunk 1
    let d = diff("p/", &[(SEG.to_owned(), cut, &chunk_fingerprints(cut)[..])], &stored);
    assert_eq!(d.puts.iter().map(|(p, _)| p.index).collect::<Vec<_>>(), vec![1]);
    assert_eq!(d.deletes, (2..chunk_count(old.len())).map(|i| chunk_key("p/", SEG, i)).collect::<Vec<_>>());
    let mut after = stored.clone();
    apply_trim(&mut after, SEG, 2);
    apply_put(&mut after, &d.puts[0].0);
    let d = diff("p/", &[(SEG.to_owned(), cut, &chunk_fingerprints(cut)[..])], &after);
    assert!(d.puts.is_empty() && d.deletes.is_empty() && d.trims.is_empty(), "nothing left to write");

    let d = diff::<[u8]>("p/", &[], &stored);
    assert_eq!(d.deletes.len(), chunk_count(old.len()), "a deleted segment loses every chunk");
    apply_trim(&mut after, SEG, 0);
    assert!(after.is_empty());
}

/// Wall time of fingerprinting every chunk of the memory benchmark's cluster once retention holds
/// it steady (what each checkpoint's `diff` walks), engine at the test profile's opt-level 2:
/// `cargo test --release -p kafkascope-web --lib fingerprint_time -- --ignored --nocapture`.
#[test]
#[ignore]
fn fingerprint_time_at_steady_state() {
    use kafkascope::scenario::Scenario;
    use kafkascope::sim::Sim;
    let scenario = Scenario::from_json(include_str!("../../../static/scenarios/bench/memory.json")).expect("bench scenario");
    let mut sim = Sim::new(&scenario).expect("builds");
    sim.advance_to(75_000_000);
    let segments = crate::store::segment_slices(&sim);
    let bytes: usize = segments.iter().map(|(_, b)| b.len()).sum();
    let start = std::time::Instant::now();
    let walks: Vec<Walked> = segments.iter().map(|(_, b)| walk(*b, None)).collect();
    let full = start.elapsed();
    let chunks: usize = walks.iter().map(|w| w.fingerprints.len()).sum();
    let (count, names): (usize, Vec<String>) = (segments.len(), segments.into_iter().map(|(k, _)| k).collect());
    sim.advance_to(76_000_000);
    let later = crate::store::segment_slices(&sim);
    let start = std::time::Instant::now();
    let again: Vec<Walked> = later.iter().map(|(k, b)| walk(*b, names.iter().position(|s| s == k).map(|i| &walks[i]))).collect();
    let resumed = start.elapsed();
    assert!(later.iter().zip(&again).all(|((_, b), w)| w.fingerprints == chunk_fingerprints(*b)));
    println!(
        "{} segments, {:.1} MB, {chunks} chunks: every chunk fingerprinted in {:.2} ms; 1 s later, resumed from the old ends, {:.2} ms",
        count,
        bytes as f64 / 1e6,
        full.as_secs_f64() * 1e3,
        resumed.as_secs_f64() * 1e3
    );
}
