//! What the agenda holds: the entries that come due, and the boxes their messages travel in.

use crate::actor::TimerKind;
use crate::command::Command;
use crate::ids::NodeId;
use crate::net::Message;
use serde::{Deserialize, Serialize};

/// What happens when a scheduled entry comes due.
///
/// Kept small (40 bytes): most entries are timers (a producer's next record, every few
/// microseconds), and the agenda moves each entry in and out. Messages (144 bytes), commands and
/// narration are boxed; a box serializes as what it holds, so snapshots keep their form.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) enum Due {
    /// A message reaches its destination.
    Deliver { id: u64, from: NodeId, to: NodeId, msg: Box<Message> },
    /// A broker's request handler finishes a request that arrived earlier.
    Handle { broker: u32, incarnation: u32, from: NodeId, msg: Box<Message> },
    /// An actor's own timer; dropped if the actor restarted since (`incarnation`).
    Timer { node: NodeId, incarnation: u32, timer: TimerKind },
    /// A timeline command.
    Command(Box<Command>),
    /// A lesson narration step (serialized as the struct variant it was).
    Narration(Box<NarrationDue>),
}

/// The text of a [`Due::Narration`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct NarrationDue {
    pub en: String,
    pub zh_tw: String,
    pub target: Option<String>,
}

/// Spent message boxes, reused by the next send: otherwise every message (a produce request, a
/// fetch and their answers) would cost an allocation and a free. Not part of the state: a clone
/// or a restored snapshot starts with none.
#[derive(Debug, Default)]
pub(super) struct BoxPool(Vec<Box<Message>>);

/// Boxes kept for reuse; more are freed (a burst of messages in flight needs no hoard after it).
const POOL_MAX: usize = 256;

impl Clone for BoxPool {
    fn clone(&self) -> Self {
        BoxPool::default()
    }
}

impl BoxPool {
    /// `msg` in a box, a reused one when there is one.
    pub(super) fn boxed(&mut self, msg: Message) -> Box<Message> {
        match self.0.pop() {
            Some(mut b) => {
                *b = msg;
                b
            }
            None => Box::new(msg),
        }
    }

    /// The message out of its box; the box is kept for the next send.
    pub(super) fn unbox(&mut self, mut b: Box<Message>) -> Message {
        // A unit variant holds nothing, so the box left behind owns no memory of its own.
        let msg = std::mem::replace(&mut *b, Message::MetadataRequest);
        if self.0.len() < POOL_MAX {
            self.0.push(b);
        }
        msg
    }
}
