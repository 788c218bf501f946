//! Batch codec tests against the kafka-python / kafkajs vectors and hostile inputs.

use super::*;

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// Ref: kafka-facts.md §8 (batch test vector A)
pub(crate) const VECTOR_A: &str =
    "0000000000000000 00000040 00000000 02 db5e9cdd 0000 00000000 0000018bcfe56800 0000018bcfe56800
ffffffffffffffff ffff ffffffff 00000001
1c 00 00 00 06 6b6579 0a 76616c7565 00";

// Ref: kafka-facts.md §8 (batch test vector B)
const VECTOR_B: &str = "00000000000000000000004900000000023537ecc10000000000010000018bcfe568000000018bcfe568050000000000
0003e80000000000000000000214000000046b310476310018000a02010476320202680278";

const TS: i64 = 1_700_000_000_000;

fn build_a(compression: Compression) -> Vec<u8> {
    let mut b = BatchBuilder::new(BatchOptions {
        compression,
        ..BatchOptions::default()
    });
    b.append(TS, Some(b"key"), Some(b"value"), &[]);
    b.build()
}

fn build_b() -> Vec<u8> {
    let opts = BatchOptions {
        producer_id: 1000,
        producer_epoch: 0,
        base_sequence: 0,
        ..BatchOptions::default()
    };
    let mut b = BatchBuilder::new(opts);
    b.append(TS, Some(b"k1"), Some(b"v1"), &[]);
    b.append(TS + 5, None, Some(b"v2"), &[("h", Some(b"x"))]);
    b.build()
}

#[test]
fn vector_a_builds_byte_for_byte() {
    let a = build_a(Compression::None);
    assert_eq!(hex(&a), hex(&unhex(VECTOR_A)));
    assert_eq!(a.len(), 76);
}

#[test]
fn vector_a_decodes_field_by_field() {
    let (h, recs) = decode_records(&unhex(VECTOR_A)).unwrap();
    assert_eq!(
        (
            h.base_offset,
            h.batch_length,
            h.partition_leader_epoch,
            h.magic
        ),
        (0, 64, 0, 2)
    );
    assert_eq!(
        (h.crc, h.attributes, h.last_offset_delta),
        (0xdb5e9cdd, 0, 0)
    );
    assert_eq!((h.base_timestamp, h.max_timestamp), (TS, TS));
    assert_eq!(
        (
            h.producer_id,
            h.producer_epoch,
            h.base_sequence,
            h.records_count
        ),
        (-1, -1, -1, 1)
    );
    assert_eq!(
        (
            h.compression(),
            h.timestamp_type(),
            h.is_transactional(),
            h.is_control()
        ),
        (Compression::None, TimestampType::CreateTime, false, false)
    );
    assert_eq!(
        (h.last_offset(), h.next_offset(), h.size_in_bytes()),
        (0, 1, 76)
    );
    let r = &recs[0];
    assert_eq!(
        (
            r.offset(&h),
            r.timestamp(&h),
            r.key.as_deref(),
            r.value.as_deref()
        ),
        (0, TS, Some(&b"key"[..]), Some(&b"value"[..]))
    );
    assert!(r.headers.is_empty());
}

#[test]
fn vector_b_builds_and_decodes() {
    let b = build_b();
    assert_eq!(hex(&b), hex(&unhex(VECTOR_B)));
    assert_eq!(b.len(), 85);
    let (h, recs) = decode_records(&b).unwrap();
    assert_eq!(
        (h.batch_length, h.last_offset_delta, h.max_timestamp, h.crc),
        (73, 1, TS + 5, 0x3537ecc1)
    );
    assert_eq!(
        (
            h.producer_id,
            h.producer_epoch,
            h.base_sequence,
            h.last_sequence()
        ),
        (1000, 0, 0, 1)
    );
    assert_eq!(recs[1].key, None);
    assert_eq!(recs[1].timestamp(&h), TS + 5);
    assert_eq!(
        recs[1].headers,
        vec![("h".to_string(), Some(b"x".to_vec()))]
    );
    assert_eq!(recs[1].sequence(&h), 1);
}

#[test]
fn every_codec_round_trips_and_estimated_size_counts_header() {
    for c in [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ] {
        let mut b = BatchBuilder::new(BatchOptions {
            compression: c,
            base_offset: 7,
            ..BatchOptions::default()
        });
        assert_eq!(b.estimated_size(), 61);
        for i in 0..50 {
            let v = format!("value-{i}-{}", "x".repeat(i));
            b.append(
                TS + i as i64,
                Some(format!("k{i}").as_bytes()),
                Some(v.as_bytes()),
                &[("n", None)],
            );
        }
        assert_eq!(b.record_count(), 50);
        let bytes = b.build();
        let (h, recs) = decode_records(&bytes).unwrap();
        assert_eq!(
            (h.compression(), h.base_offset, h.last_offset(), recs.len()),
            (c, 7, 56, 50)
        );
        assert_eq!(
            recs[49].value.as_deref(),
            Some(format!("value-49-{}", "x".repeat(49)).as_bytes())
        );
        assert_eq!(recs[49].headers, vec![("n".to_string(), None)]);
    }
}

#[test]
fn header_patching_keeps_the_crc_valid() {
    let mut a = build_a(Compression::None);
    set_base_offset(&mut a, 4242);
    set_partition_leader_epoch(&mut a, 7);
    let h = validate(&a).unwrap();
    assert_eq!((h.base_offset, h.partition_leader_epoch), (4242, 7));
    set_base_offset(&mut [0u8; 3], 1); // too short: no panic, no effect
}

#[test]
fn flipping_any_byte_never_panics() {
    let a = unhex(VECTOR_A);
    for i in 0..a.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut c = a.clone();
            c[i] ^= mask;
            match decode_records(&c) {
                Ok((h, _)) => assert!(
                    i < 8 || (12..16).contains(&i),
                    "byte {i} outside the CRC changed yet decoded: {h:?}"
                ),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

#[test]
fn truncations_name_the_field() {
    let a = unhex(VECTOR_A);
    for n in 0..a.len() {
        assert!(decode_records(&a[..n]).is_err(), "prefix {n}");
    }
    assert_eq!(
        read_header(&a[..10]),
        Err(BatchError::Truncated {
            field: "batchLength",
            at: 8,
            needed: 4,
            available: 2
        })
    );
    assert!(matches!(
        validate(&a[..70]),
        Err(BatchError::Truncated {
            field: "records",
            ..
        })
    ));
}

#[test]
fn specific_corruptions_are_named() {
    let mut a = unhex(VECTOR_A);
    a[16] = 1;
    assert_eq!(
        read_header(&a),
        Err(BatchError::InvalidMagic { at: 16, magic: 1 })
    );
    let mut a = unhex(VECTOR_A);
    a[70] ^= 1;
    assert!(matches!(
        validate(&a),
        Err(BatchError::CrcMismatch {
            stored: 0xdb5e9cdd,
            ..
        })
    ));
    let mut a = unhex(VECTOR_A);
    a[8..12].copy_from_slice(&10i32.to_be_bytes());
    assert_eq!(
        read_header(&a),
        Err(BatchError::InvalidLength {
            at: 8,
            batch_length: 10
        })
    );
}

/// `batch` with each byte of its records area set to a few hostile values, re-signed so every variant
/// passes the CRC and reaches the record parser.
fn resigned_variants(batch: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 61..batch.len() {
        for v in [0x00u8, 0x7f, 0x80, 0xff, 0x01] {
            let mut c = batch.to_vec();
            c[i] = v;
            let crc = crate::log::crc::crc32c(&c[21..]);
            c[17..21].copy_from_slice(&crc.to_be_bytes());
            out.push(c);
        }
    }
    out
}

#[test]
fn hostile_records_area_with_valid_crc_is_rejected() {
    // Re-sign garbage so it passes the CRC and reaches the record parser.
    let a = unhex(VECTOR_A);
    for c in resigned_variants(&a) {
        let _ = decode_records(&c);
    }
    let mut c = a.clone();
    c[57..61].copy_from_slice(&i32::MAX.to_be_bytes()); // huge count must not allocate or panic
    let crc = crate::log::crc::crc32c(&c[21..]);
    c[17..21].copy_from_slice(&crc.to_be_bytes());
    assert!(matches!(
        decode_records(&c),
        Err(BatchError::InvalidRecord { index: 1, .. })
    ));
}

#[test]
fn batches_iterates_and_stops_at_a_torn_tail() {
    let mut buf = build_a(Compression::None);
    let mut second = build_b();
    set_base_offset(&mut second, 1);
    buf.extend_from_slice(&second);
    buf.extend_from_slice(&build_a(Compression::None)[..30]);
    let items: Vec<_> = batches(&buf).collect();
    assert_eq!(items.len(), 3);
    let (pos, h, bytes) = items[1].as_ref().unwrap();
    assert_eq!((*pos, h.base_offset, bytes.len()), (76, 1, 85));
    let want = BatchError::Truncated {
        field: "baseTimestamp",
        at: 161 + 27,
        needed: 8,
        available: 3,
    };
    assert_eq!(items[2].as_ref().err(), Some(&want));
    assert_eq!(
        want.to_string(),
        "truncated batch: field baseTimestamp at byte 188 needs 8 bytes, 3 available"
    );
}

#[test]
fn end_txn_marker_round_trips_in_a_control_batch() {
    let opts = BatchOptions {
        producer_id: 9,
        producer_epoch: 2,
        ..BatchOptions::default()
    };
    let m = EndTxnMarker {
        commit: true,
        coordinator_epoch: 5,
    };
    let bytes = control_batch(opts, TS, m);
    let (h, recs) = decode_records(&bytes).unwrap();
    assert!(h.is_control() && h.is_transactional());
    assert_eq!(recs[0].key.as_deref(), Some(&[0u8, 0, 0, 1][..]));
    assert_eq!(recs[0].value.as_deref(), Some(&[0u8, 0, 0, 0, 0, 5][..]));
    assert_eq!(EndTxnMarker::from_record(&recs[0]), Ok(m));
    assert_eq!(
        ControlType::from_key(
            &EndTxnMarker {
                commit: false,
                coordinator_epoch: 0
            }
            .key()
        ),
        Ok(ControlType::Abort)
    );
    assert!(ControlType::from_key(&[0, 0]).is_err());
}

#[test]
fn the_in_place_record_check_agrees_with_decoding_on_every_hostile_byte() {
    // The broker validates produced batches with `check_batch_records` (no copies); it must accept
    // and reject exactly what `decode_records` does, with the same error.
    let mut inputs = vec![unhex(VECTOR_A), build_b(), build_a(Compression::Gzip), build_a(Compression::Lz4)];
    inputs.extend(resigned_variants(&unhex(VECTOR_A)));
    let mut rejected = 0;
    for c in &inputs {
        let decoded = decode_records(c).map(|(h, _)| h);
        rejected += decoded.is_err() as usize;
        assert_eq!(check_batch_records(c), decoded);
    }
    assert!(rejected > 0 && rejected < inputs.len(), "both outcomes exercised ({rejected} of {})", inputs.len());
}
