//! Building a batch the way the producer's `MemoryRecordsBuilder` does: records are encoded into
//! one buffer as they are appended, then compressed and framed with the header once.

use super::record::write_record;
use super::{
    Compression, ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, CRC_START, HEADER_SIZE,
    LOG_OVERHEAD, MAGIC_V2, NO_TIMESTAMP,
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
    records: Vec<u8>,
    count: i32,
    base_timestamp: i64,
    max_timestamp: i64,
}

impl BatchBuilder {
    /// An empty builder with the given header settings.
    pub fn new(opts: BatchOptions) -> BatchBuilder {
        BatchBuilder {
            opts,
            records: Vec::new(),
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
        HEADER_SIZE + self.records.len()
    }

    /// Header settings this builder was created with.
    pub fn options(&self) -> &BatchOptions {
        &self.opts
    }

    /// Compresses the records area, writes the header and the CRC over [21, end).
    pub fn build(self) -> Vec<u8> {
        let area = compress(self.opts.compression, &self.records);
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
        let mut b = Vec::with_capacity(HEADER_SIZE + area.len());
        b.extend_from_slice(&o.base_offset.to_be_bytes());
        b.extend_from_slice(&((HEADER_SIZE - LOG_OVERHEAD + area.len()) as i32).to_be_bytes());
        b.extend_from_slice(&o.partition_leader_epoch.to_be_bytes());
        b.push(MAGIC_V2 as u8);
        b.extend_from_slice(&[0; 4]); // CRC, filled in below
        b.extend_from_slice(&attributes.to_be_bytes());
        b.extend_from_slice(&(self.count - 1).to_be_bytes());
        b.extend_from_slice(&self.base_timestamp.to_be_bytes());
        b.extend_from_slice(&self.max_timestamp.to_be_bytes());
        b.extend_from_slice(&o.producer_id.to_be_bytes());
        b.extend_from_slice(&o.producer_epoch.to_be_bytes());
        b.extend_from_slice(&o.base_sequence.to_be_bytes());
        b.extend_from_slice(&self.count.to_be_bytes());
        b.extend_from_slice(&area);
        let crc = crc32c(&b[CRC_START..]);
        b[17..21].copy_from_slice(&crc.to_be_bytes());
        b
    }
}
