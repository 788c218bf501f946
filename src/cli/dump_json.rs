//! `kafkascope dump-log --json`: the same files as JSON Lines, one object per batch (`.log`) or per
//! entry (`.index`, `.timeindex`), for tools and tests that would rather not parse Kafka's text.

use crate::log::batch::{crc_matches, read_header, BatchHeader, Record, LOG_OVERHEAD};
use base64::Engine;
use serde_json::{json, Value};
use std::io::Write;

fn emit(out: &mut dyn Write, v: &Value) -> Result<(), String> {
    serde_json::to_writer(&mut *out, v).map_err(|e| format!("write failed: {e}"))?;
    out.write_all(b"\n").map_err(|e| format!("write failed: {e}"))
}

/// Key or value as UTF-8 text, or base64 (with `<field>Encoding: "base64"`) when not UTF-8.
fn bytes_field(obj: &mut serde_json::Map<String, Value>, field: &str, bytes: &Option<Vec<u8>>) {
    match bytes {
        None => {
            obj.insert(field.into(), Value::Null);
        }
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => {
                obj.insert(field.into(), s.into());
            }
            Err(_) => {
                obj.insert(field.into(), base64::engine::general_purpose::STANDARD.encode(b).into());
                obj.insert(format!("{field}Encoding"), "base64".into());
            }
        },
    }
}

fn record_json(h: &BatchHeader, r: &Record) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("offset".into(), r.offset(h).into());
    obj.insert("timestamp".into(), r.timestamp(h).into());
    bytes_field(&mut obj, "key", &r.key);
    bytes_field(&mut obj, "value", &r.value);
    let headers: Vec<Value> = r
        .headers
        .iter()
        .map(|(k, v)| json!([k, v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned())]))
        .collect();
    obj.insert("headers".into(), headers.into());
    Value::Object(obj)
}

/// Dumps a `.log` segment: one object per whole batch, then `{"truncatedAt", "invalidBytes"}` if the
/// file ends mid-batch.
pub fn dump_segment(path: &str, data: &[u8], out: &mut dyn Write) -> Result<(), String> {
    let mut pos = 0usize;
    while data.len() - pos >= 17 {
        let rest = &data[pos..];
        let len = i32::from_be_bytes([rest[8], rest[9], rest[10], rest[11]]);
        if len < 14 {
            return Err(format!("{path}: batch length {len} below the minimum (14) at byte {pos}"));
        }
        let size = len as usize + LOG_OVERHEAD;
        if rest.len() < size {
            break;
        }
        let h = read_header(rest).map_err(|e| format!("{path}: corrupt batch at byte {pos}: {}", e.shifted(pos)))?;
        let valid = crc_matches(rest, &h);
        // A batch with a bad CRC still shows its records if they decode.
        let records: Vec<Value> = super::dump_log::decode_records_unchecked(&rest[..size])
            .map(|rs| rs.iter().map(|r| record_json(&h, r)).collect())
            .unwrap_or_default();
        emit(
            out,
            &json!({
                "baseOffset": h.base_offset, "lastOffset": h.last_offset(), "count": h.records_count,
                "position": pos, "size": h.size_in_bytes(), "magic": h.magic, "crc": h.crc, "crcValid": valid,
                "compression": h.compression().name(), "partitionLeaderEpoch": h.partition_leader_epoch,
                "producerId": h.producer_id, "producerEpoch": h.producer_epoch, "baseSequence": h.base_sequence,
                "isTransactional": h.is_transactional(), "isControl": h.is_control(),
                "baseTimestamp": h.base_timestamp, "maxTimestamp": h.max_timestamp, "records": records,
            }),
        )?;
        pos += size;
    }
    if pos < data.len() {
        emit(out, &json!({"truncatedAt": pos, "invalidBytes": data.len() - pos}))?;
    }
    Ok(())
}

/// Dumps a `.index` (`{offset, position}`) or `.timeindex` (`{timestamp, offset}`) file.
pub fn dump_index(base: i64, data: &[u8], time: bool, out: &mut dyn Write) -> Result<(), String> {
    let width = if time { 12 } else { 8 };
    for (i, e) in data.chunks_exact(width).enumerate() {
        let (v, rel) = if time {
            (i64::from_be_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]), i32::from_be_bytes([e[8], e[9], e[10], e[11]]))
        } else {
            (i32::from_be_bytes([e[4], e[5], e[6], e[7]]) as i64, i32::from_be_bytes([e[0], e[1], e[2], e[3]]))
        };
        let offset = base + rel as i64;
        // Preallocated indexes are zero-filled past the last entry.
        if offset == base && i > 0 {
            break;
        }
        let line = if time { json!({"timestamp": v, "offset": offset}) } else { json!({"offset": offset, "position": v}) };
        emit(out, &line)?;
    }
    Ok(())
}
