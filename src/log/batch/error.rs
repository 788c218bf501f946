//! Errors of the batch codec, each naming the field and byte offset at fault.

use super::{HEADER_SIZE, LOG_OVERHEAD};
use crate::log::compression::CompressionError;

/// What is wrong with a batch's bytes; `at` is a byte offset into the buffer that was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    /// The buffer ends before `field` does.
    Truncated {
        field: &'static str,
        at: usize,
        needed: usize,
        available: usize,
    },
    /// Magic byte other than 2.
    InvalidMagic { at: usize, magic: i8 },
    /// batchLength smaller than the header allows.
    InvalidLength { at: usize, batch_length: i32 },
    /// Stored CRC differs from the CRC-32C of bytes [21, end).
    CrcMismatch {
        at: usize,
        stored: u32,
        computed: u32,
    },
    /// A header field holds an impossible value.
    InvalidField {
        field: &'static str,
        at: usize,
        reason: String,
    },
    /// A record inside the (decompressed) records area is malformed; `at` counts from its start.
    InvalidRecord {
        index: usize,
        field: &'static str,
        at: usize,
        reason: String,
    },
    /// The records area would not decompress.
    Compression { at: usize, error: CompressionError },
}

impl BatchError {
    /// The same error with batch-relative byte offsets moved by `by` (the batch's position).
    pub fn shifted(self, by: usize) -> BatchError {
        use BatchError::*;
        match self {
            Truncated {
                field,
                at,
                needed,
                available,
            } => Truncated {
                field,
                at: at + by,
                needed,
                available,
            },
            InvalidMagic { at, magic } => InvalidMagic { at: at + by, magic },
            InvalidLength { at, batch_length } => InvalidLength {
                at: at + by,
                batch_length,
            },
            CrcMismatch {
                at,
                stored,
                computed,
            } => CrcMismatch {
                at: at + by,
                stored,
                computed,
            },
            InvalidField { field, at, reason } => InvalidField {
                field,
                at: at + by,
                reason,
            },
            Compression { at, error } => Compression { at: at + by, error },
            e @ InvalidRecord { .. } => e,
        }
    }
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Truncated {
                field,
                at,
                needed,
                available,
            } => {
                write!(f, "truncated batch: field {field} at byte {at} needs {needed} bytes, {available} available")
            }
            BatchError::InvalidMagic { at, magic } => {
                write!(f, "invalid magic {magic} at byte {at} (expected 2)")
            }
            BatchError::InvalidLength { at, batch_length } => {
                write!(
                    f,
                    "invalid batchLength {batch_length} at byte {at} (minimum {})",
                    HEADER_SIZE - LOG_OVERHEAD
                )
            }
            BatchError::CrcMismatch {
                at,
                stored,
                computed,
            } => {
                write!(
                    f,
                    "CRC mismatch in batch at byte {at}: stored {stored}, computed {computed}"
                )
            }
            BatchError::InvalidField { field, at, reason } => {
                write!(f, "invalid {field} at byte {at}: {reason}")
            }
            BatchError::InvalidRecord {
                index,
                field,
                at,
                reason,
            } => {
                write!(
                    f,
                    "record {index}: invalid {field} at byte {at} of the records area: {reason}"
                )
            }
            BatchError::Compression { at, error } => {
                write!(f, "records area at byte {at}: {error}")
            }
        }
    }
}

impl std::error::Error for BatchError {}
