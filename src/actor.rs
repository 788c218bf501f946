//! How actors talk to the simulation: they return effects instead of performing them.
//!
//! A broker, producer, consumer or controller handler gets an [`Out`] holding the current virtual time,
//! the simulation's RNG and an effect buffer. It pushes sends, timers and events; the simulation carries
//! them out in order. Nothing else is reachable from a handler, which keeps every actor a pure state
//! machine that can be tested on its own.

use crate::event::EventKind;
use crate::ids::NodeId;
use crate::net::{CostModel, Message};
use crate::rng::SimRng;
use crate::time::Micros;
use serde::{Deserialize, Serialize};

/// A timer an actor asked for; it comes back to the same actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimerKind {
    /// Producer timers: next record, linger expiry, retries, request timeouts.
    Producer(crate::producer::ProducerTimer),
    /// Consumer timers: poll, backoff.
    Consumer(crate::consumer::ConsumerTimer),
    /// Broker timers: ISR expiry, delayed fetch and produce expiry, heartbeats.
    Broker(crate::broker::BrokerTimer),
    /// Controller timers: liveness checks.
    Controller(crate::controller::ControllerTimer),
    /// KRaft controller node timers: elections, fetches, the active controller's own timers.
    Quorum(crate::controller::kraft::QuorumTimer),
}

/// Something an actor wants done.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Put a message on the network.
    Send { to: NodeId, msg: Message },
    /// Put a message on the network at `at`, once the sender has finished writing it (a broker's
    /// network thread busy with disk reads or copies).
    SendAt { at: Micros, to: NodeId, msg: Message },
    /// Call the actor back at `at`.
    Timer { at: Micros, timer: TimerKind },
    /// Report an event.
    Emit(EventKind),
    /// An empty long-poll answer to `to` that the simulation may coalesce (see
    /// [`crate::broker::idle_fetch`]); if it does not, it has the broker answer parked fetch `id`.
    OfferIdle { to: NodeId, id: u64, msg: Message },
}

/// The handle an actor's handler writes its effects to.
pub struct Out<'a> {
    /// Current virtual time.
    pub now: Micros,
    /// The simulation's seeded RNG (drawn in event order, so runs reproduce).
    pub rng: &'a mut SimRng,
    /// The cost model (for timeouts that depend on it).
    pub cost: &'a CostModel,
    effects: &'a mut Vec<Effect>,
}

impl<'a> Out<'a> {
    /// A handle over an effect buffer.
    pub fn new(now: Micros, rng: &'a mut SimRng, cost: &'a CostModel, effects: &'a mut Vec<Effect>) -> Self {
        Out { now, rng, cost, effects }
    }

    /// Sends a message.
    pub fn send(&mut self, to: NodeId, msg: Message) {
        self.effects.push(Effect::Send { to, msg });
    }

    /// Sends a message that leaves at `at` (now, if `at` is not later).
    pub fn send_at(&mut self, at: Micros, to: NodeId, msg: Message) {
        if at <= self.now {
            self.send(to, msg);
        } else {
            self.effects.push(Effect::SendAt { at, to, msg });
        }
    }

    /// Sets a timer.
    pub fn timer(&mut self, at: Micros, timer: TimerKind) {
        self.effects.push(Effect::Timer { at: at.max(self.now), timer });
    }

    /// Emits an event.
    pub fn emit(&mut self, kind: EventKind) {
        self.effects.push(Effect::Emit(kind));
    }

    /// Offers an empty long-poll answer for coalescing (see [`Effect::OfferIdle`]).
    pub fn offer_idle(&mut self, to: NodeId, id: u64, msg: Message) {
        self.effects.push(Effect::OfferIdle { to, id, msg });
    }
}
