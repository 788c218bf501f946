//! What KRaft controller nodes send each other, and their timers.

use super::super::{ControllerTimer, MetaRecord};
use crate::event::MessageKind;
use serde::{Deserialize, Serialize};

/// One metadata log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The leader epoch that appended it.
    pub term: u32,
    /// The record.
    pub record: MetaRecord,
}

/// Raft messages between controller nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RaftMessage {
    /// A candidate asks for a vote.
    Vote { term: u32, candidate: u32, last_term: u32, log_len: u64 },
    /// A voter's answer.
    VoteResponse { term: u32, voter: u32, granted: bool },
    /// The new leader announces itself.
    BeginQuorumEpoch { term: u32, leader: u32 },
    /// A follower asks for the log from `offset`; `last_term` is its entry's term before it.
    Fetch { term: u32, voter: u32, offset: u64, last_term: u32 },
    /// Entries from `offset`, or a divergence (truncate to `diverging_end`), or `ok: false` (not leader).
    FetchResponse { term: u32, leader: Option<u32>, ok: bool, offset: u64, entries: Vec<Entry>, high_watermark: u64, diverging_end: Option<u64> },
}

impl RaftMessage {
    /// The kind drawn in the UI.
    pub fn kind(&self) -> MessageKind {
        match self {
            RaftMessage::Vote { .. } => MessageKind::Vote,
            RaftMessage::VoteResponse { .. } => MessageKind::VoteResponse,
            RaftMessage::BeginQuorumEpoch { .. } => MessageKind::BeginQuorumEpoch,
            RaftMessage::Fetch { .. } => MessageKind::QuorumFetch,
            RaftMessage::FetchResponse { .. } => MessageKind::QuorumFetchResponse,
        }
    }

    /// Approximate payload size.
    pub fn bytes(&self) -> u64 {
        match self {
            RaftMessage::FetchResponse { entries, .. } => 40 * entries.len() as u64,
            _ => 0,
        }
    }
}

/// Timers of a controller node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuorumTimer {
    /// No leader heard from (or an election not won) in time: stand for election.
    Election { token: u64 },
    /// A parked (long-polled) fetch reached its max wait: answer it empty.
    FetchParked { voter: u32, token: u64 },
    /// The leader checks that a majority still fetches.
    CheckQuorum { term: u32 },
    /// A timer of the active controller elected in `term`.
    Active { term: u32, timer: ControllerTimer },
}
