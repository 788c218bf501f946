//! Records inside a batch: varint-framed, written straight into the builder's buffer and parsed
//! back with bounds checks on every length.

use super::{validate, BatchError, BatchHeader, TimestampType, HEADER_SIZE};
use crate::log::compression::decompress;
use crate::log::varint::{put_varint, put_varlong, read_varint, read_varlong, size_of_varint, size_of_varlong};
use serde::{Deserialize, Serialize};

/// One record of a batch, with offset and timestamp relative to the batch header.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// offset − baseOffset.
    pub offset_delta: i32,
    /// timestamp − baseTimestamp.
    pub timestamp_delta: i64,
    /// Key bytes; None is a null key.
    pub key: Option<Vec<u8>>,
    /// Value bytes; None is a tombstone.
    pub value: Option<Vec<u8>>,
    /// Headers in order: UTF-8 key, nullable value.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

impl Record {
    /// Absolute offset of the record in the batch described by `h`.
    pub fn offset(&self, h: &BatchHeader) -> i64 {
        h.base_offset.saturating_add(self.offset_delta as i64)
    }
    /// Absolute timestamp; for LogAppendTime batches Kafka reports the batch's maxTimestamp.
    pub fn timestamp(&self, h: &BatchHeader) -> i64 {
        match h.timestamp_type() {
            TimestampType::LogAppendTime => h.max_timestamp,
            TimestampType::CreateTime => h.base_timestamp.saturating_add(self.timestamp_delta),
        }
    }
    /// Producer sequence of the record (−1 when the batch has none).
    pub fn sequence(&self, h: &BatchHeader) -> i32 {
        super::increment_sequence(h.base_sequence, self.offset_delta)
    }
}

#[inline(always)]
fn bytes_size(b: Option<&[u8]>) -> usize {
    match b {
        None => size_of_varint(-1),
        Some(b) => size_of_varint(b.len() as i32) + b.len(),
    }
}

/// Appends one encoded record to `out` (the body size is computed first, as `DefaultRecord` does).
/// The small fields are written into a stack buffer and appended with the key and value bytes in a
/// few copies: pushed field by field, each varint was a call in the page's size-optimised build.
pub(super) fn write_record(
    out: &mut Vec<u8>,
    offset_delta: i32,
    timestamp_delta: i64,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[(&str, Option<&[u8]>)],
) {
    let mut body = 1 + size_of_varlong(timestamp_delta) + size_of_varint(offset_delta);
    body += bytes_size(key) + bytes_size(value) + size_of_varint(headers.len() as i32);
    for (k, v) in headers {
        body += bytes_size(Some(k.as_bytes())) + bytes_size(*v);
    }
    out.reserve(size_of_varint(body as i32) + body);
    // At most 5 (length) + 1 + 10 + 5 + 5 bytes before the first flush, 5 + 5 after one.
    let mut head = [0u8; 32];
    let mut at = put_varint(&mut head, 0, body as i32);
    at += 1; // record attributes: unused (zero)
    at = put_varlong(&mut head, at, timestamp_delta);
    at = put_varint(&mut head, at, offset_delta);
    for field in [key, value] {
        at = put_varint(&mut head, at, field.map_or(-1, |b| b.len() as i32));
        if let Some(bytes) = field {
            out.extend_from_slice(&head[..at]);
            out.extend_from_slice(bytes);
            at = 0;
        }
    }
    at = put_varint(&mut head, at, headers.len() as i32);
    out.extend_from_slice(&head[..at]);
    for (k, v) in headers {
        write_bytes(out, Some(k.as_bytes()));
        write_bytes(out, *v);
    }
}

fn write_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    let mut len = [0u8; 5];
    let n = put_varint(&mut len, 0, b.map_or(-1, |b| b.len() as i32));
    out.extend_from_slice(&len[..n]);
    if let Some(b) = b {
        out.extend_from_slice(b);
    }
}

/// A record's fields borrowed from the batch bytes (headers are handed out separately).
struct RecordRef<'a> {
    offset_delta: i32,
    timestamp_delta: i64,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
}

/// A cursor over untrusted record bytes that reports the record index, field and position.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    index: usize,
}

impl<'a> Reader<'a> {
    fn fail(&self, field: &'static str, reason: impl Into<String>) -> BatchError {
        BatchError::InvalidRecord {
            index: self.index,
            field,
            at: self.pos,
            reason: reason.into(),
        }
    }
    // Matches, not `map_err` / `ok_or_else`: in the page's size-optimised build those stay calls,
    // several per record on every produce.
    #[inline(always)]
    fn varint(&mut self, field: &'static str) -> Result<i32, BatchError> {
        match read_varint(self.data.get(self.pos..).unwrap_or_default()) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(e) => Err(self.fail(field, format!("{e:?} varint"))),
        }
    }
    #[inline(always)]
    fn varlong(&mut self, field: &'static str) -> Result<i64, BatchError> {
        match read_varlong(self.data.get(self.pos..).unwrap_or_default()) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(e) => Err(self.fail(field, format!("{e:?} varlong"))),
        }
    }
    #[inline(always)]
    fn take(&mut self, field: &'static str, len: usize) -> Result<&'a [u8], BatchError> {
        match self.data.get(self.pos..self.pos.saturating_add(len)) {
            Some(s) => {
                self.pos += len;
                Ok(s)
            }
            None => Err(self.fail(field, format!("{len} bytes run past the end of the record"))),
        }
    }
    #[inline(always)]
    fn nullable(&mut self, field: &'static str) -> Result<Option<&'a [u8]>, BatchError> {
        match self.varint(field)? {
            -1 => Ok(None),
            n if n < 0 => Err(self.fail(field, format!("negative length {n}"))),
            n => Ok(Some(self.take(field, n as usize)?)),
        }
    }
}

/// Reads the record at `pos`, handing each header to `header`; returns the record's fields borrowed
/// from `data` and where the next record starts. Nothing is copied, so a check can walk a batch
/// without allocating.
fn read_record<'a>(
    data: &'a [u8],
    pos: usize,
    index: usize,
    mut header: impl FnMut(&'a str, Option<&'a [u8]>),
) -> Result<(RecordRef<'a>, usize), BatchError> {
    let mut outer = Reader { data, pos, index };
    let len = outer.varint("length")?;
    if len < 0 {
        return Err(outer.fail("length", format!("negative record length {len}")));
    }
    let body_start = outer.pos;
    let body = outer.take("length", len as usize)?;
    // Read the body on its own so no field can run into the next record.
    let mut r = Reader {
        data: body,
        pos: 0,
        index,
    };
    let shift = |e: BatchError| match e {
        BatchError::InvalidRecord {
            index,
            field,
            at,
            reason,
        } => BatchError::InvalidRecord {
            index,
            field,
            at: at + body_start,
            reason,
        },
        other => other,
    };
    let rec = (|| {
        r.take("attributes", 1)?;
        let timestamp_delta = r.varlong("timestampDelta")?;
        let offset_delta = r.varint("offsetDelta")?;
        let key = r.nullable("key")?;
        let value = r.nullable("value")?;
        let count = r.varint("headersCount")?;
        if count < 0 {
            return Err(r.fail("headersCount", format!("negative count {count}")));
        }
        for _ in 0..count {
            let k = r
                .nullable("headerKey")?
                .ok_or_else(|| r.fail("headerKey", "null header key"))?;
            let k = std::str::from_utf8(k).map_err(|_| r.fail("headerKey", "header key is not UTF-8"))?;
            header(k, r.nullable("headerValue")?);
        }
        if r.pos != body.len() {
            return Err(r.fail(
                "length",
                format!(
                    "record declares {} bytes but its fields use {}",
                    body.len(),
                    r.pos
                ),
            ));
        }
        Ok(RecordRef { offset_delta, timestamp_delta, key, value })
    })();
    // A match, not `map_err`: that is a call per record in the page's size-optimised build.
    match rec {
        Ok(rec) => Ok((rec, outer.pos)),
        Err(e) => Err(shift(e)),
    }
}

/// Parses `count` records from an uncompressed records area; trailing bytes are an error.
pub(crate) fn parse_records(data: &[u8], count: i32) -> Result<Vec<Record>, BatchError> {
    let mut out = Vec::with_capacity((count.max(0) as usize).min(data.len()));
    walk_records(data, count, |rec, headers| {
        out.push(Record {
            offset_delta: rec.offset_delta,
            timestamp_delta: rec.timestamp_delta,
            key: rec.key.map(<[u8]>::to_vec),
            value: rec.value.map(<[u8]>::to_vec),
            headers: headers.iter().map(|&(k, v)| (k.to_owned(), v.map(<[u8]>::to_vec))).collect(),
        })
    })?;
    Ok(out)
}

/// Checks that `count` records parse from an uncompressed records area, copying nothing (the
/// broker's `LogValidator` pass over every produced batch).
pub(crate) fn check_records(data: &[u8], count: i32) -> Result<(), BatchError> {
    walk_records(data, count, |_, _| {})
}

/// Hands each of `count` records (with its headers) to `each`; trailing bytes are an error.
fn walk_records<'a>(
    data: &'a [u8],
    count: i32,
    mut each: impl FnMut(RecordRef<'a>, &[(&'a str, Option<&'a [u8]>)]),
) -> Result<(), BatchError> {
    let mut pos = 0;
    let mut headers = Vec::new();
    for index in 0..count.max(0) as usize {
        headers.clear();
        let (rec, next) = read_record(data, pos, index, |k, v| headers.push((k, v)))?;
        each(rec, &headers);
        pos = next;
    }
    if pos != data.len() {
        let reason = format!("{} bytes left after {count} records", data.len() - pos);
        return Err(BatchError::InvalidRecord {
            index: count.max(0) as usize,
            field: "recordsCount",
            at: pos,
            reason,
        });
    }
    Ok(())
}

/// Validates a batch (magic, lengths, CRC), decompresses its records area and parses every record.
pub fn decode_records(buf: &[u8]) -> Result<(BatchHeader, Vec<Record>), BatchError> {
    let h = validate(buf)?;
    let area = &buf[HEADER_SIZE..h.size_in_bytes()];
    let plain = decompress(h.compression(), area).map_err(|error| BatchError::Compression {
        at: HEADER_SIZE,
        error,
    })?;
    Ok((h, parse_records(&plain, h.records_count)?))
}

/// [`decode_records`] without keeping the records: validates the batch and checks that every
/// record parses. An uncompressed batch is checked in place, with no allocation.
pub fn check_batch_records(buf: &[u8]) -> Result<BatchHeader, BatchError> {
    let h = validate(buf)?;
    check_validated_records(buf, &h)?;
    Ok(h)
}

/// The record pass of [`check_batch_records`] for a batch whose framing and CRC `validate` has
/// already checked (the leader's append validates first; a second CRC would only repeat it).
pub fn check_validated_records(buf: &[u8], h: &BatchHeader) -> Result<(), BatchError> {
    let area = &buf[HEADER_SIZE..h.size_in_bytes()];
    if h.compression() == crate::log::compression::Compression::None {
        check_records(area, h.records_count)?;
    } else {
        let plain = decompress(h.compression(), area).map_err(|error| BatchError::Compression { at: HEADER_SIZE, error })?;
        check_records(&plain, h.records_count)?;
    }
    Ok(())
}
