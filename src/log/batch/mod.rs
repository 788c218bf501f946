//! RecordBatch v2 (magic 2): the header, validation, header patching and iteration over
//! concatenated batches. Records live in `record.rs`, building in `builder.rs`, markers in `control.rs`.
//!
//! Every reader takes untrusted bytes and returns a [`BatchError`] naming the field and byte offset
//! instead of panicking.

mod builder;
mod control;
mod error;
mod record;
#[cfg(test)]
mod tests;

pub use super::compression::Compression;
pub use builder::{rebuild_batch, set_log_append_time, BatchBuilder, BatchOptions};
pub use control::{control_batch, ControlType, EndTxnMarker};
pub use error::BatchError;
pub use record::{check_batch_records, check_validated_records, decode_records, Record};

use super::crc::crc32c;
use serde::{Deserialize, Serialize};

/// Size of the fixed batch header (`RECORD_BATCH_OVERHEAD`).
pub const HEADER_SIZE: usize = 61;
/// baseOffset + batchLength, the bytes not counted in batchLength (`LOG_OVERHEAD`).
pub const LOG_OVERHEAD: usize = 12;
/// Where the CRC-covered region starts (the attributes field).
pub const CRC_START: usize = 21;
/// The only magic value this simulator reads or writes.
pub const MAGIC_V2: i8 = 2;
/// producerId / producerEpoch / baseSequence value meaning "none".
pub const NO_PRODUCER_ID: i64 = -1;
/// Value of a timestamp field meaning "none" (`RecordBatch.NO_TIMESTAMP`).
pub const NO_TIMESTAMP: i64 = -1;

const ATTR_TIMESTAMP_TYPE: i16 = 0x08;
const ATTR_TRANSACTIONAL: i16 = 0x10;
const ATTR_CONTROL: i16 = 0x20;
const ATTR_DELETE_HORIZON: i16 = 0x40;

// (name, byte offset, size) of each header field, to name the one a short buffer cuts.
const FIELDS: [(&str, usize, usize); 13] = [
    ("baseOffset", 0, 8),
    ("batchLength", 8, 4),
    ("partitionLeaderEpoch", 12, 4),
    ("magic", 16, 1),
    ("crc", 17, 4),
    ("attributes", 21, 2),
    ("lastOffsetDelta", 23, 4),
    ("baseTimestamp", 27, 8),
    ("maxTimestamp", 35, 8),
    ("producerId", 43, 8),
    ("producerEpoch", 51, 2),
    ("baseSequence", 53, 4),
    ("recordsCount", 57, 4),
];

/// The 61-byte header of a RecordBatch v2, field by field.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Bytes after the batchLength field (total size − 12).
    pub batch_length: i32,
    /// Leader epoch stamped by the leader on append (outside the CRC).
    pub partition_leader_epoch: i32,
    /// Format version, always 2 here.
    pub magic: i8,
    /// CRC-32C over bytes [21, end).
    pub crc: u32,
    /// Codec, timestamp type, transactional, control and delete-horizon bits.
    pub attributes: i16,
    /// Offset of the last record minus baseOffset.
    pub last_offset_delta: i32,
    /// Timestamp of the first record (or the delete horizon, if that bit is set).
    pub base_timestamp: i64,
    /// Largest record timestamp (or the log-append time).
    pub max_timestamp: i64,
    /// Idempotent producer id, −1 if none.
    pub producer_id: i64,
    /// Producer epoch, −1 if none.
    pub producer_epoch: i16,
    /// Sequence of the first record, −1 if none.
    pub base_sequence: i32,
    /// Number of records in the batch.
    pub records_count: i32,
}

/// How a batch's timestamps were assigned (attributes bit 3).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampType {
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when appending.
    LogAppendTime,
}

impl std::fmt::Display for TimestampType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        })
    }
}

impl BatchHeader {
    /// The codec; `read_header` guarantees a known id, anything else reads as `None`.
    pub fn compression(&self) -> Compression {
        Compression::from_id((self.attributes & 0x07) as u8).unwrap_or(Compression::None)
    }
    /// Whether the batch belongs to a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes & ATTR_TRANSACTIONAL != 0
    }
    /// Whether the batch holds control records (transaction markers).
    pub fn is_control(&self) -> bool {
        self.attributes & ATTR_CONTROL != 0
    }
    /// CreateTime or LogAppendTime.
    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes & ATTR_TIMESTAMP_TYPE != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }
    /// The KIP-534 delete horizon, when the batch carries one.
    pub fn delete_horizon_ms(&self) -> Option<i64> {
        (self.attributes & ATTR_DELETE_HORIZON != 0).then_some(self.base_timestamp)
    }
    /// Offset of the last record.
    pub fn last_offset(&self) -> i64 {
        self.base_offset
            .saturating_add(self.last_offset_delta as i64)
    }
    /// Offset just past the batch.
    pub fn next_offset(&self) -> i64 {
        self.last_offset().saturating_add(1)
    }
    /// Total bytes of the batch on disk or on the wire (batchLength + 12).
    pub fn size_in_bytes(&self) -> usize {
        (self.batch_length.max(0) as usize).saturating_add(LOG_OVERHEAD)
    }
    /// Sequence of the last record, as Kafka computes it (wrapping past i32::MAX to 0).
    pub fn last_sequence(&self) -> i32 {
        increment_sequence(self.base_sequence, self.last_offset_delta)
    }
}

/// Kafka's `DefaultRecordBatch.incrementSequence`: −1 stays −1, otherwise wraps at i32::MAX.
pub fn increment_sequence(base: i32, delta: i32) -> i32 {
    if base < 0 {
        return -1;
    }
    let sum = base as i64 + delta as i64;
    if sum > i32::MAX as i64 {
        (sum - i32::MAX as i64 - 1) as i32
    } else {
        sum as i32
    }
}

fn be<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    if let Some(s) = buf.get(at..at + N) {
        a.copy_from_slice(s);
    }
    a
}

/// Parses the 61-byte header at the start of `buf` (checks magic, batchLength and codec, not CRC).
pub fn read_header(buf: &[u8]) -> Result<BatchHeader, BatchError> {
    // Kafka looks at the magic byte before anything else, so a wrong format is named as such.
    if buf.len() > 16 && buf[16] as i8 != MAGIC_V2 {
        return Err(BatchError::InvalidMagic {
            at: 16,
            magic: buf[16] as i8,
        });
    }
    if let Some(&(field, at, size)) = FIELDS.iter().find(|(_, at, size)| at + size > buf.len()) {
        return Err(BatchError::Truncated {
            field,
            at,
            needed: size,
            available: buf.len().saturating_sub(at),
        });
    }
    let h = BatchHeader {
        base_offset: i64::from_be_bytes(be(buf, 0)),
        batch_length: i32::from_be_bytes(be(buf, 8)),
        partition_leader_epoch: i32::from_be_bytes(be(buf, 12)),
        magic: buf[16] as i8,
        crc: u32::from_be_bytes(be(buf, 17)),
        attributes: i16::from_be_bytes(be(buf, 21)),
        last_offset_delta: i32::from_be_bytes(be(buf, 23)),
        base_timestamp: i64::from_be_bytes(be(buf, 27)),
        max_timestamp: i64::from_be_bytes(be(buf, 35)),
        producer_id: i64::from_be_bytes(be(buf, 43)),
        producer_epoch: i16::from_be_bytes(be(buf, 51)),
        base_sequence: i32::from_be_bytes(be(buf, 53)),
        records_count: i32::from_be_bytes(be(buf, 57)),
    };
    if (h.batch_length as i64) < (HEADER_SIZE - LOG_OVERHEAD) as i64 {
        return Err(BatchError::InvalidLength {
            at: 8,
            batch_length: h.batch_length,
        });
    }
    if Compression::from_id((h.attributes & 0x07) as u8).is_none() {
        let reason = format!("unknown compression codec id {}", h.attributes & 0x07);
        return Err(BatchError::InvalidField {
            field: "attributes",
            at: 21,
            reason,
        });
    }
    if h.records_count < 0 {
        return Err(BatchError::InvalidField {
            field: "recordsCount",
            at: 57,
            reason: format!("negative count {}", h.records_count),
        });
    }
    Ok(h)
}

/// Whether the stored CRC matches bytes [21, size) of a batch whose header was already read.
pub fn crc_matches(buf: &[u8], h: &BatchHeader) -> bool {
    buf.get(CRC_START..h.size_in_bytes())
        .is_some_and(|b| crc32c(b) == h.crc)
}

/// Checks the header, that the whole batch is present, and the CRC; returns the header.
pub fn validate(buf: &[u8]) -> Result<BatchHeader, BatchError> {
    let h = validate_framing(buf)?;
    let size = h.size_in_bytes();
    let computed = crc32c(&buf[CRC_START..size]);
    if computed != h.crc {
        return Err(BatchError::CrcMismatch {
            at: 0,
            stored: h.crc,
            computed,
        });
    }
    Ok(h)
}

/// The header, once the buffer is known to hold the whole batch it announces (no CRC check).
fn validate_framing(buf: &[u8]) -> Result<BatchHeader, BatchError> {
    let h = read_header(buf)?;
    let size = h.size_in_bytes();
    if buf.len() < size {
        let available = buf.len() - HEADER_SIZE;
        return Err(BatchError::Truncated {
            field: "records",
            at: HEADER_SIZE,
            needed: size - HEADER_SIZE,
            available,
        });
    }
    Ok(h)
}

/// Overwrites baseOffset in place; the CRC stays valid because it does not cover this field.
/// Does nothing on a buffer shorter than the field.
pub fn set_base_offset(buf: &mut [u8], offset: i64) {
    if let Some(s) = buf.get_mut(0..8) {
        s.copy_from_slice(&offset.to_be_bytes());
    }
}

/// Overwrites partitionLeaderEpoch in place (outside the CRC). Does nothing on a short buffer.
pub fn set_partition_leader_epoch(buf: &mut [u8], epoch: i32) {
    if let Some(s) = buf.get_mut(12..16) {
        s.copy_from_slice(&epoch.to_be_bytes());
    }
}

/// Stamps producerId, producerEpoch, baseSequence and the transactional bit into a built batch and recomputes the CRC
/// (these fields are inside the CRC). The producer assigns sequences when a batch is first drained,
/// and again after a producer-id reset. Does nothing on a buffer shorter than the header.
pub fn set_producer_state(buf: &mut [u8], producer_id: i64, producer_epoch: i16, base_sequence: i32, transactional: bool) {
    if buf.len() < HEADER_SIZE {
        return;
    }
    let mut attributes = i16::from_be_bytes([buf[21], buf[22]]);
    if transactional {
        attributes |= ATTR_TRANSACTIONAL;
    } else {
        attributes &= !ATTR_TRANSACTIONAL;
    }
    buf[21..23].copy_from_slice(&attributes.to_be_bytes());
    buf[43..51].copy_from_slice(&producer_id.to_be_bytes());
    buf[51..53].copy_from_slice(&producer_epoch.to_be_bytes());
    buf[53..57].copy_from_slice(&base_sequence.to_be_bytes());
    let crc = crc32c(&buf[CRC_START..]);
    buf[17..21].copy_from_slice(&crc.to_be_bytes());
}

/// Iterator over concatenated batches: yields (position, header, batch bytes), and after the first
/// truncated or corrupt batch one error (with positions relative to the whole buffer), then stops.
pub fn batches(buf: &[u8]) -> Batches<'_> {
    Batches {
        buf,
        pos: 0,
        failed: false,
        check_crc: true,
    }
}

/// Like [`batches`] but without the CRC check, for bytes the log itself validated when they were
/// appended (a segment's own data): every fetch and follower read walks them, and recomputing
/// each batch's CRC there was a tenth of the engine's time (BENCHMARKS.md, stop 16). Framing
/// (magic, lengths) is still checked, so a walk never runs off the buffer.
pub fn trusted_batches(buf: &[u8]) -> Batches<'_> {
    Batches { check_crc: false, ..batches(buf) }
}

/// See [`batches`].
#[derive(Clone, Debug)]
pub struct Batches<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
    check_crc: bool,
}

impl<'a> Iterator for Batches<'a> {
    type Item = Result<(usize, BatchHeader, &'a [u8]), BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self
            .buf
            .get(self.pos..)
            .filter(|r| !r.is_empty() && !self.failed)?;
        let checked = if self.check_crc { validate(rest) } else { validate_framing(rest) };
        match checked {
            Ok(h) => {
                let pos = self.pos;
                let size = h.size_in_bytes();
                self.pos += size;
                Some(Ok((pos, h, &rest[..size])))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e.shifted(self.pos)))
            }
        }
    }
}
