//! The sequence diagram's data: the most recent messages between nodes (sent, arrived or dropped),
//! folded from `messageSent` / `messageDropped` into the view state and bounded in length, so the
//! diagram's DOM stays small however long the run.

use crate::view_model::Flight;
use kafkascope::event::{EventKind, MessageKind};
use std::collections::VecDeque;

/// Messages kept for the diagram.
pub const MAX_MESSAGES: usize = 60;

/// The recent messages, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SequenceLog {
    /// Messages in the order they were sent.
    pub messages: VecDeque<Flight>,
    /// Whether heartbeats (group, broker, KRaft fetch) are kept: off by default, they drown the rest.
    pub with_heartbeats: bool,
}

/// Whether a message kind is periodic liveness traffic.
pub fn is_heartbeat(kind: MessageKind) -> bool {
    use MessageKind::*;
    matches!(kind, Heartbeat | HeartbeatResponse | GroupHeartbeat | GroupHeartbeatResponse | QuorumFetch | QuorumFetchResponse)
}

impl SequenceLog {
    /// Folds one event (only messages matter here).
    pub fn fold(&mut self, at_us: u64, kind: &EventKind) {
        match kind {
            EventKind::MessageSent { msg, from, to, kind, arrive_at_us, .. } if self.with_heartbeats || !is_heartbeat(*kind) => {
                if self.messages.len() == MAX_MESSAGES {
                    self.messages.pop_front();
                }
                self.messages.push_back(Flight { msg: *msg, from: *from, to: *to, kind: *kind, sent_us: at_us, arrive_us: *arrive_at_us, dropped_us: None });
            }
            EventKind::MessageDropped { msg, .. } => {
                if let Some(f) = self.messages.iter_mut().rev().find(|f| f.msg == *msg) {
                    f.dropped_us = Some(at_us);
                }
            }
            _ => {}
        }
    }
}
