//! Kafka's log: RecordBatch v2 bytes, segments, indexes, retention and compaction.

pub mod batch;
pub mod compression;
pub mod crc;
pub mod varint;
