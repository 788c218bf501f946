//! Kafka's log: RecordBatch v2 bytes, segments, indexes, retention and compaction.

pub mod batch;
pub mod compression;
pub mod crc;
pub mod epoch_cache;
pub mod index;
mod cleaner;
mod inspect;
#[allow(clippy::module_inception)]
pub mod log;
mod retention;
pub mod records;
pub mod segment;
pub mod txn_index;
pub mod types;
pub mod varint;

pub use self::log::Log;
pub use records::Records;
pub use types::{
    AppendInfo, CleanReport, DeleteReason, DeletedSegment, LogConfig, LogError, LookupSteps, ReadResult,
    ScannedBatch, SegmentInfo,
};
