use super::Records;
use crate::log::batch::{BatchBuilder, BatchOptions};
use crate::log::batch::batches;

/// A batch of `n` records at `base`, as bytes.
fn batch(base: i64, n: usize) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions { base_offset: base, ..BatchOptions::default() });
    for i in 0..n {
        b.append(1_000 + i as i64, None, Some(&[i as u8; 10]), &[]);
    }
    b.build()
}

/// Three pieces: batches at 0 (2 records), 2 (3 records) + 5 (1 record) in one piece, 6 (4 records).
fn three_pieces() -> (Records, Vec<u8>) {
    let (a, b, c, d) = (batch(0, 2), batch(2, 3), batch(5, 1), batch(6, 4));
    let mut r = Records::new();
    r.push_vec(a.clone());
    r.push_vec([b.clone(), c.clone()].concat());
    r.push_vec(d.clone());
    (r, [a, b, c, d].concat())
}

#[test]
fn pieces_read_back_as_the_concatenated_bytes() {
    let (r, flat) = three_pieces();
    assert_eq!(r.len(), flat.len());
    assert_eq!(r.to_vec(), flat);
    assert_eq!(r.chunks().count(), 3);
    assert_eq!(r.contiguous().into_owned(), flat);
    assert_eq!(r, Records::from_vec(flat.clone()));
}

#[test]
fn a_walk_across_pieces_gives_the_positions_of_the_flat_buffer() {
    let (r, flat) = three_pieces();
    let want: Vec<(usize, i64, usize)> =
        batches(&flat).map(|b| b.unwrap()).map(|(p, h, bytes)| (p, h.base_offset, bytes.len())).collect();
    let got: Vec<(usize, i64, usize)> =
        r.batches().map(|b| b.unwrap()).map(|(p, h, bytes)| (p, h.base_offset, bytes.len())).collect();
    assert_eq!(got, want);
    assert_eq!(want.iter().map(|w| w.1).collect::<Vec<_>>(), [0, 2, 5, 6]);
    // From a boundary inside the middle piece (the batch at offset 5).
    let from = want[2].0;
    let tail: Vec<i64> = r.trusted_batches_from(from).map(|b| b.unwrap().1.base_offset).collect();
    assert_eq!(tail, [5, 6]);
    assert_eq!(r.trusted_batches_from(r.len()).count(), 0);
}

#[test]
fn slices_and_truncation_share_buffers_and_keep_whole_batches() {
    let (r, flat) = three_pieces();
    let pos: Vec<usize> = batches(&flat).map(|b| b.unwrap().0).collect();
    let s = r.slice(pos[1]..pos[3]);
    assert_eq!(s.to_vec(), flat[pos[1]..pos[3]]);
    assert_eq!(s.batches().map(|b| b.unwrap().1.base_offset).collect::<Vec<_>>(), [2, 5]);
    assert_eq!(r.copy_range(pos[2]..flat.len() + 50), flat[pos[2]..]);
    assert!(matches!(r.get(pos[1] + 3..pos[1] + 9), Some(std::borrow::Cow::Borrowed(b)) if b == &flat[pos[1] + 3..pos[1] + 9]));
    assert_eq!(r.get(5..flat.len()).unwrap().into_owned(), flat[5..]);
    assert_eq!(r.get(flat.len()..flat.len()).unwrap().len(), 0);
    assert!(r.get(5..flat.len() + 1).is_none());
    let mut t = r.clone();
    t.truncate(pos[2]);
    assert_eq!(t.to_vec(), flat[..pos[2]]);
    assert_eq!(t.batches().map(|b| b.unwrap().1.base_offset).collect::<Vec<_>>(), [0, 2]);
    // The original is untouched by its clone's truncation, and appending shares the pieces.
    assert_eq!(r.to_vec(), flat);
    t.extend_shared(&r.slice(pos[2]..flat.len()));
    assert_eq!(t, r);
}

#[test]
fn a_corrupt_batch_in_a_later_piece_ends_the_walk_with_its_flat_position() {
    let (a, mut b) = (batch(0, 2), batch(2, 3));
    let last = b.len() - 1;
    b[last] ^= 0xff; // breaks the CRC
    let mut r = Records::new();
    r.push_vec(a.clone());
    r.push_vec(b.clone());
    r.push_vec(batch(5, 1));
    let items: Vec<_> = r.batches().collect();
    assert_eq!(items.len(), 2, "one good batch, then one error, then nothing");
    let flat_err = batches(&[a, b].concat()).nth(1).unwrap().unwrap_err();
    assert_eq!(items[1].clone().unwrap_err(), flat_err);
    // Without the CRC check the framing is intact, so the walk goes on.
    assert_eq!(r.trusted_batches_from(0).count(), 3);
}

#[test]
fn records_serialize_exactly_as_a_byte_vector() {
    let (r, flat) = three_pieces();
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(json, serde_json::to_string(&flat).unwrap());
    let back: Records = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    assert_eq!(serde_json::to_string(&Records::new()).unwrap(), "[]");
}

#[test]
fn pieces_checked_on_entering_a_log_are_not_checked_again_but_restored_bytes_are() {
    let mut bad = batch(2, 3);
    let last = bad.len() - 1;
    bad[last] ^= 0xff; // a CRC that no longer matches
    let mut incoming = Records::new();
    incoming.push_vec(batch(0, 2));
    incoming.push_vec(bad);
    assert!(incoming.batches().any(|b| b.is_err()), "bytes from outside a log are checked");
    // A log marks what it appended as checked (it validated it first); its readers, and slices
    // of it, then walk those pieces without recomputing the CRC.
    let mut segment = Records::new();
    segment.extend_checked(&incoming);
    assert!(segment.batches().all(|b| b.is_ok()), "the mark is what skips the check");
    let fetched = segment.slice(0..segment.len());
    let mut follower = Records::new();
    follower.extend_shared(&fetched);
    assert!(follower.batches().all(|b| b.is_ok()), "slices and shared copies keep the mark");
    // A snapshot or storage round trip gives fresh bytes: checked in full again.
    let restored: Records = serde_json::from_str(&serde_json::to_string(&segment).unwrap()).unwrap();
    assert!(restored.batches().any(|b| b.is_err()));
}
