//! Configuration, results and errors of the partition [`Log`](super::Log).

use super::batch::BatchError;
use super::index::IndexProbe;
use serde::{Deserialize, Serialize};

/// Per-partition log settings (topic-level names in the comments). Ref: kafka-facts.md §9, §11.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LogConfig {
    /// `segment.bytes`.
    pub segment_bytes: u64,
    /// `segment.ms`.
    pub segment_ms: u64,
    /// `index.interval.bytes`.
    pub index_interval_bytes: u32,
    /// `retention.ms`; negative is unlimited.
    pub retention_ms: i64,
    /// `retention.bytes`; negative is unlimited.
    pub retention_bytes: i64,
    /// `cleanup.policy` contains `delete`.
    pub cleanup_policy_delete: bool,
    /// `cleanup.policy` contains `compact`.
    pub cleanup_policy_compact: bool,
    /// `min.cleanable.dirty.ratio` in parts per million (floats would risk cross-target drift).
    pub min_cleanable_dirty_ratio_ppm: u32,
    /// `delete.retention.ms`.
    pub delete_retention_ms: u64,
    /// `flush.messages`.
    pub flush_messages: u64,
    /// `flush.ms`.
    pub flush_ms: u64,
    /// `min.compaction.lag.ms`: dirty data younger than this is not compacted.
    #[serde(default)]
    pub min_compaction_lag_ms: u64,
    /// `max.compaction.lag.ms`: dirty data older than this makes the log a candidate whatever its ratio.
    #[serde(default = "max_lag_default")]
    pub max_compaction_lag_ms: u64,
    /// `message.timestamp.type` is LogAppendTime: the leader restamps batches with its clock.
    #[serde(default)]
    pub log_append_time: bool,
}

fn max_lag_default() -> u64 {
    i64::MAX as u64
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3_600_000,
            index_interval_bytes: 4096,
            retention_ms: 7 * 24 * 3_600_000,
            retention_bytes: -1,
            cleanup_policy_delete: true,
            cleanup_policy_compact: false,
            min_cleanable_dirty_ratio_ppm: 500_000,
            delete_retention_ms: 86_400_000,
            // Long.MAX_VALUE in Kafka: never force a flush.
            flush_messages: i64::MAX as u64,
            flush_ms: i64::MAX as u64,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX as u64,
            log_append_time: false,
        }
    }
}

/// What an append did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the first appended record.
    pub first_offset: i64,
    /// Offset of the last appended record.
    pub last_offset: i64,
    /// Records appended.
    pub record_count: u64,
    /// Batches appended.
    pub batch_count: u32,
    /// Bytes appended.
    pub bytes: u64,
    /// Largest timestamp appended.
    pub max_timestamp: i64,
    /// Whether a new segment was rolled first.
    pub rolled: bool,
    /// Log start offset after the append.
    pub log_start_offset: i64,
    /// Base offset of the segment written to (the active one, after any roll).
    #[serde(default)]
    pub segment_base_offset: i64,
    /// Byte position in that segment where the bytes went: always its end (appends are sequential).
    #[serde(default)]
    pub position: u64,
}

/// Bytes returned by a read.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReadResult {
    /// Whole batches, concatenated, exactly as stored (sharing the segment's bytes).
    pub records: super::records::Records,
    /// Batches in `records`.
    pub batch_count: u32,
    /// Offset just past the last returned batch (or the requested offset when empty).
    pub next_offset: i64,
    /// Log start offset at the time of the read.
    pub log_start_offset: i64,
    /// Log end offset at the time of the read.
    pub log_end_offset: i64,
    /// Base offset of the segment the bytes were read from.
    #[serde(default)]
    pub segment_base_offset: i64,
    /// Byte position of `records` in that segment.
    #[serde(default)]
    pub position: u64,
}

/// A segment's vital statistics, for the UI.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Base offset (the file name).
    pub base_offset: i64,
    /// Offset after its last batch.
    pub next_offset: i64,
    /// `.log` size in bytes.
    pub size_bytes: u64,
    /// Largest record timestamp (or last-modified time).
    pub largest_timestamp: i64,
    /// Offset-index entries.
    pub index_entries: u32,
    /// Time-index entries.
    pub time_index_entries: u32,
    /// Whether this is the active (last) segment.
    pub active: bool,
}

/// One batch looked at while scanning forward from the index hit.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScannedBatch {
    /// Byte position in the `.log`.
    pub position: u32,
    /// First offset.
    pub base_offset: i64,
    /// Last offset.
    pub last_offset: i64,
    /// Size in bytes.
    pub size: u32,
}

/// How an offset was located: segment choice, index binary search, then forward scan.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LookupSteps {
    /// Offset looked for.
    pub target: i64,
    /// Segment chosen (greatest base offset ≤ target), None if out of range.
    pub segment_base_offset: Option<i64>,
    /// Binary-search probes in that segment's offset index.
    pub index_probes: Vec<IndexProbe>,
    /// Greatest index entry ≤ target as (offset, position); None means scan from position 0.
    pub index_hit: Option<(i64, u32)>,
    /// Batches read while scanning forward.
    pub scanned: Vec<ScannedBatch>,
    /// The batch containing the target, if any.
    pub found: Option<ScannedBatch>,
}

/// Why a segment was deleted.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteReason {
    /// `retention.bytes` breached.
    RetentionSize,
    /// `retention.ms` breached.
    RetentionTime,
}

/// A segment removed by retention.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DeletedSegment {
    /// Base offset.
    pub base_offset: i64,
    /// Offset after its last batch.
    pub next_offset: i64,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Largest timestamp.
    pub largest_timestamp: i64,
    /// Rule that deleted it.
    pub reason: DeleteReason,
}

/// What one log-cleaner pass over a log did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CleanReport {
    /// First offset that was dirty before the pass (the old cleaner checkpoint).
    pub first_dirty_offset: i64,
    /// End of the cleaned range (the new checkpoint): the first uncleanable offset.
    pub first_uncleanable_offset: i64,
    /// Segments rewritten (before merging).
    pub segments_cleaned: u32,
    /// Records removed: superseded values, expired tombstones, keyless and aborted records.
    pub removed_records: u64,
    /// Bytes of the rewritten segments before the pass.
    pub bytes_before: u64,
    /// Their bytes after it.
    pub bytes_after: u64,
}

/// Errors of log operations, named like Kafka's error codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogError {
    /// OFFSET_OUT_OF_RANGE.
    OffsetOutOfRange {
        offset: i64,
        log_start_offset: i64,
        log_end_offset: i64,
    },
    /// CORRUPT_MESSAGE: a batch failed validation; `position` is its byte offset in the input.
    CorruptBatch { position: usize, error: BatchError },
    /// INVALID_RECORD: well-formed bytes that break an append rule.
    InvalidRecord(String),
    /// RECORD_LIST_TOO_LARGE / MESSAGE_TOO_LARGE: the batch cannot fit in a segment.
    RecordBatchTooLarge { size: u64, max: u64 },
    /// A follower append that does not start at the log end offset.
    UnexpectedAppendOffset { expected: i64, found: i64 },
}

impl std::fmt::Display for LogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogError::OffsetOutOfRange {
                offset,
                log_start_offset,
                log_end_offset,
            } => {
                write!(f, "OFFSET_OUT_OF_RANGE: offset {offset} is outside [{log_start_offset}, {log_end_offset}]")
            }
            LogError::CorruptBatch { position, error } => {
                write!(f, "CORRUPT_MESSAGE at byte {position}: {error}")
            }
            LogError::InvalidRecord(m) => write!(f, "INVALID_RECORD: {m}"),
            LogError::RecordBatchTooLarge { size, max } => write!(
                f,
                "RECORD_BATCH_TOO_LARGE: {size} bytes > segment.bytes {max}"
            ),
            LogError::UnexpectedAppendOffset { expected, found } => {
                write!(
                    f,
                    "unexpected append offset: first offset {found}, log end offset {expected}"
                )
            }
        }
    }
}

impl std::error::Error for LogError {}
