//! Control records: the transaction markers (COMMIT / ABORT) a coordinator has leaders write.

use super::{BatchBuilder, BatchError, BatchOptions, Record};
use serde::{Deserialize, Serialize};

/// Control record type from the record key (`ControlRecordType`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlType {
    /// Type 0: the transaction was aborted.
    Abort,
    /// Type 1: the transaction was committed.
    Commit,
    /// Any other type id (KRaft uses 2..6).
    Other(i16),
}

impl ControlType {
    /// The type id in the key.
    pub fn id(self) -> i16 {
        match self {
            ControlType::Abort => 0,
            ControlType::Commit => 1,
            ControlType::Other(i) => i,
        }
    }
    /// Parses a control record key: int16 version (0), int16 type.
    pub fn from_key(key: &[u8]) -> Result<ControlType, BatchError> {
        let k = key
            .get(..4)
            .ok_or_else(|| bad("controlKey", format!("{} bytes, need 4", key.len())))?;
        let version = i16::from_be_bytes([k[0], k[1]]);
        if version != 0 {
            return Err(bad("controlKey", format!("unsupported version {version}")));
        }
        Ok(match i16::from_be_bytes([k[2], k[3]]) {
            0 => ControlType::Abort,
            1 => ControlType::Commit,
            other => ControlType::Other(other),
        })
    }
}

impl std::fmt::Display for ControlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlType::Abort => f.write_str("ABORT"),
            ControlType::Commit => f.write_str("COMMIT"),
            ControlType::Other(i) => write!(f, "UNKNOWN({i})"),
        }
    }
}

fn bad(field: &'static str, reason: String) -> BatchError {
    BatchError::InvalidRecord {
        index: 0,
        field,
        at: 0,
        reason,
    }
}

/// An end-of-transaction marker (`EndTransactionMarker`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndTxnMarker {
    /// True for COMMIT, false for ABORT.
    pub commit: bool,
    /// Epoch of the transaction coordinator that wrote it.
    pub coordinator_epoch: i32,
}

impl EndTxnMarker {
    /// The record key: int16 version 0, int16 type (0 ABORT, 1 COMMIT).
    pub fn key(&self) -> [u8; 4] {
        let t: i16 = if self.commit { 1 } else { 0 };
        let t = t.to_be_bytes();
        [0, 0, t[0], t[1]]
    }
    /// The record value: int16 version 0, int32 coordinatorEpoch.
    pub fn value(&self) -> [u8; 6] {
        let e = self.coordinator_epoch.to_be_bytes();
        [0, 0, e[0], e[1], e[2], e[3]]
    }
    /// Reads a marker from a control record; other control types are an error.
    pub fn from_record(r: &Record) -> Result<EndTxnMarker, BatchError> {
        let commit = match ControlType::from_key(r.key.as_deref().unwrap_or_default())? {
            ControlType::Commit => true,
            ControlType::Abort => false,
            ControlType::Other(t) => {
                return Err(bad(
                    "controlKey",
                    format!("type {t} is not an end-transaction marker"),
                ))
            }
        };
        let v = r.value.as_deref().unwrap_or_default();
        let v = v
            .get(..6)
            .ok_or_else(|| bad("controlValue", format!("{} bytes, need 6", v.len())))?;
        let version = i16::from_be_bytes([v[0], v[1]]);
        if version != 0 {
            return Err(bad(
                "controlValue",
                format!("unsupported version {version}"),
            ));
        }
        Ok(EndTxnMarker {
            commit,
            coordinator_epoch: i32::from_be_bytes([v[2], v[3], v[4], v[5]]),
        })
    }
}

/// A one-record control batch holding `marker`; forces the transactional and control bits.
pub fn control_batch(mut opts: BatchOptions, timestamp_ms: i64, marker: EndTxnMarker) -> Vec<u8> {
    opts.is_control = true;
    opts.is_transactional = true;
    let mut b = BatchBuilder::new(opts);
    b.append(
        timestamp_ms,
        Some(&marker.key()),
        Some(&marker.value()),
        &[],
    );
    b.build()
}
