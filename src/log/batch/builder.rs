//! Building a batch the way the producer's `MemoryRecordsBuilder` does: records are encoded into
//! one buffer as they are appended, then compressed and framed with the header once.

use super::record::write_record;
use super::{
    BatchHeader, Compression, Record, TimestampType, ATTR_CONTROL, ATTR_DELETE_HORIZON,
    ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, CRC_START, HEADER_SIZE, LOG_OVERHEAD, MAGIC_V2,
    NO_TIMESTAMP,
};
use crate::log::compression::compress;
use crate::log::crc::crc32c;
use serde::{Deserialize, Serialize};

/// Header settings of a batch about to be built.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BatchOptions {
    /// Offset of the first record (the leader overwrites it on append).
    pub base_offset: i64,
    /// Codec for the records area.
    pub compression: Compression,
    /// Idempotent producer id, −1 if none.
    pub producer_id: i64,
    /// Producer epoch, −1 if none.
    pub producer_epoch: i16,
    /// Sequence of the first record, −1 if none.
    pub base_sequence: i32,
    /// Sets attributes bit 4.
    pub is_transactional: bool,
    /// Sets attributes bit 5.
    pub is_control: bool,
    /// Leader epoch to stamp (the leader overwrites it on append).
    pub partition_leader_epoch: i32,
    /// Sets attributes bit 3 (LogAppendTime).
    pub timestamp_type_log_append: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            base_offset: 0,
            compression: Compression::None,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            is_transactional: false,
            is_control: false,
            partition_leader_epoch: 0,
            timestamp_type_log_append: false,
        }
    }
}

/// Accumulates records into one uncompressed buffer and builds a RecordBatch v2 from it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct BatchBuilder {
    opts: BatchOptions,
    /// The header's 61 bytes (zeros until `build`), then the records area. An uncompressed batch
    /// is framed in place, with no copy; snapshots hold the records area alone, as they always did.
    #[serde(with = "after_header")]
    records: Vec<u8>,
    count: i32,
    base_timestamp: i64,
    max_timestamp: i64,
}

impl BatchBuilder {
    /// An empty builder with the given header settings.
    pub fn new(opts: BatchOptions) -> BatchBuilder {
        BatchBuilder::with_capacity(opts, 0)
    }

    /// A builder whose records buffer holds `bytes` before growing: the producer's batches take
    /// `batch.size` up front, as Kafka's `BufferPool` hands out a `batch.size` buffer per batch.
    pub fn with_capacity(opts: BatchOptions, bytes: usize) -> BatchBuilder {
        BatchBuilder {
            opts,
            records: header_space(bytes),
            count: 0,
            base_timestamp: NO_TIMESTAMP,
            max_timestamp: NO_TIMESTAMP,
        }
    }

    /// Appends a record; returns its offset delta. The first record's timestamp is the base.
    pub fn append(
        &mut self,
        timestamp_ms: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&str, Option<&[u8]>)],
    ) -> i32 {
        if self.count == 0 {
            self.base_timestamp = timestamp_ms;
        }
        self.max_timestamp = self.max_timestamp.max(timestamp_ms);
        let delta = self.count;
        write_record(
            &mut self.records,
            delta,
            timestamp_ms.wrapping_sub(self.base_timestamp),
            key,
            value,
            headers,
        );
        self.count += 1;
        delta
    }

    /// Records appended so far.
    pub fn record_count(&self) -> i32 {
        self.count
    }

    /// Uncompressed size so far including the 61-byte header: what `batch.size` is compared with.
    pub fn estimated_size(&self) -> usize {
        self.records.len()
    }

    /// Header settings this builder was created with.
    pub fn options(&self) -> &BatchOptions {
        &self.opts
    }

    /// Compresses the records area, writes the header and the CRC over [21, end).
    pub fn build(self) -> Vec<u8> {
        let o = &self.opts;
        let mut attributes = o.compression.id() as i16;
        if o.timestamp_type_log_append {
            attributes |= ATTR_TIMESTAMP_TYPE;
        }
        if o.is_transactional {
            attributes |= ATTR_TRANSACTIONAL;
        }
        if o.is_control {
            attributes |= ATTR_CONTROL;
        }
        let mut b = match o.compression {
            Compression::None => {
                // The buffer took `batch.size` up front; the batch lives on in the logs, so it
                // keeps only what it uses (a shrink in place, not a copy).
                let mut b = self.records;
                b.shrink_to_fit();
                b
            }
            codec => {
                let area = compress(codec, &self.records[HEADER_SIZE..]);
                let mut b = Vec::with_capacity(HEADER_SIZE + area.len());
                b.resize(HEADER_SIZE, 0);
                b.extend_from_slice(&area);
                b
            }
        };
        let length = (b.len() - LOG_OVERHEAD) as i32;
        let h = &mut b[..HEADER_SIZE];
        h[0..8].copy_from_slice(&o.base_offset.to_be_bytes());
        h[8..12].copy_from_slice(&length.to_be_bytes());
        h[12..16].copy_from_slice(&o.partition_leader_epoch.to_be_bytes());
        h[16] = MAGIC_V2 as u8;
        h[21..23].copy_from_slice(&attributes.to_be_bytes());
        h[23..27].copy_from_slice(&(self.count - 1).to_be_bytes());
        h[27..35].copy_from_slice(&self.base_timestamp.to_be_bytes());
        h[35..43].copy_from_slice(&self.max_timestamp.to_be_bytes());
        h[43..51].copy_from_slice(&o.producer_id.to_be_bytes());
        h[51..53].copy_from_slice(&o.producer_epoch.to_be_bytes());
        h[53..57].copy_from_slice(&o.base_sequence.to_be_bytes());
        h[57..61].copy_from_slice(&self.count.to_be_bytes());
        let crc = crc32c(&b[CRC_START..]);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        b
    }
}

/// A records buffer with room for `bytes` in all, starting with the header's (zeroed) space.
fn header_space(bytes: usize) -> Vec<u8> {
    let mut b = Vec::with_capacity(bytes.max(HEADER_SIZE));
    b.resize(HEADER_SIZE, 0);
    b
}

/// Serializes a builder's buffer without the header space it starts with (the snapshot form).
mod after_header {
    use super::{header_space, HEADER_SIZE};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(records: &[u8], s: S) -> Result<S::Ok, S::Error> {
        records[HEADER_SIZE..].serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let area = Vec::<u8>::deserialize(d)?;
        let mut b = header_space(HEADER_SIZE + area.len());
        b.extend_from_slice(&area);
        Ok(b)
    }
}

/// Re-encodes the kept `records` of batch `h` the way the cleaner's `MemoryRecordsBuilder` does with
/// `overrideLastOffset`: base offset, lastOffsetDelta, producer fields, leader epoch and codec stay;
/// record offset deltas stay (gaps remain); timestamps are re-based. With `delete_horizon` the
/// KIP-534 bit is set and baseTimestamp holds the horizon; without it the bit is cleared. An empty
/// `records` gives an empty batch (kept so producer sequence state survives).
pub fn rebuild_batch(h: &BatchHeader, records: &[Record], delete_horizon: Option<i64>) -> Vec<u8> {
    let abs = |r: &Record| h.base_timestamp.saturating_add(r.timestamp_delta);
    let base_ts = delete_horizon
        .or_else(|| records.first().map(abs))
        .unwrap_or(h.base_timestamp);
    let max_ts = if h.timestamp_type() == TimestampType::LogAppendTime || records.is_empty() {
        h.max_timestamp
    } else {
        records.iter().map(abs).max().unwrap_or(h.max_timestamp)
    };
    let mut plain = Vec::new();
    for r in records {
        let headers: Vec<(&str, Option<&[u8]>)> =
            r.headers.iter().map(|(k, v)| (k.as_str(), v.as_deref())).collect();
        let delta = abs(r).wrapping_sub(base_ts);
        write_record(&mut plain, r.offset_delta, delta, r.key.as_deref(), r.value.as_deref(), &headers);
    }
    let area = if records.is_empty() { Vec::new() } else { compress(h.compression(), &plain) };
    let mut attributes = h.attributes & !ATTR_DELETE_HORIZON;
    if records.is_empty() {
        attributes &= !0x07; // `writeEmptyHeader` writes an uncompressed empty batch
    }
    if delete_horizon.is_some() {
        attributes |= ATTR_DELETE_HORIZON;
    }
    let mut b = Vec::with_capacity(HEADER_SIZE + area.len());
    b.extend_from_slice(&h.base_offset.to_be_bytes());
    b.extend_from_slice(&((HEADER_SIZE - LOG_OVERHEAD + area.len()) as i32).to_be_bytes());
    b.extend_from_slice(&h.partition_leader_epoch.to_be_bytes());
    b.push(MAGIC_V2 as u8);
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&attributes.to_be_bytes());
    b.extend_from_slice(&h.last_offset_delta.to_be_bytes());
    b.extend_from_slice(&base_ts.to_be_bytes());
    b.extend_from_slice(&max_ts.to_be_bytes());
    b.extend_from_slice(&h.producer_id.to_be_bytes());
    b.extend_from_slice(&h.producer_epoch.to_be_bytes());
    b.extend_from_slice(&h.base_sequence.to_be_bytes());
    b.extend_from_slice(&(records.len() as i32).to_be_bytes());
    b.extend_from_slice(&area);
    let crc = crc32c(&b[CRC_START..]);
    b[17..21].copy_from_slice(&crc.to_be_bytes());
    b
}

/// `LogValidator` with `message.timestamp.type=LogAppendTime`: sets attributes bit 3 and
/// maxTimestamp to the broker's time in place (baseTimestamp is left as is, as
/// `DefaultRecordBatch.setMaxTimestamp` does), then recomputes the CRC. Short buffers are left alone.
pub fn set_log_append_time(buf: &mut [u8], now_ms: i64) {
    if buf.len() < HEADER_SIZE {
        return;
    }
    let attributes = i16::from_be_bytes([buf[21], buf[22]]) | ATTR_TIMESTAMP_TYPE;
    buf[21..23].copy_from_slice(&attributes.to_be_bytes());
    buf[35..43].copy_from_slice(&now_ms.to_be_bytes());
    let crc = crc32c(&buf[CRC_START..]);
    buf[17..21].copy_from_slice(&crc.to_be_bytes());
}
