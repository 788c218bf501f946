//! Idle long-polls, coalesced (the consumer's side; the leader's side and the why are in
//! [`crate::broker::idle_fetch`]).

use super::{Consumer, ConsumerTimer};
use crate::actor::{Out, TimerKind};
use crate::broker::idle_fetch::IDLE_FETCHES_BEFORE_COALESCING;
use crate::ids::BrokerId;
use crate::net::{ErrorCode, FetchPartition, FetchedPartition, Message};
use crate::time::ms;
use serde::{Deserialize, Serialize};
use crate::vec_map::{VecMap, VecSet};

/// Per leader: is the fetch parked idle, what it asked for, and how many empty answers came in a row.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct IdleFetches {
    pub(super) parked: VecSet<BrokerId>,
    sent: VecMap<BrokerId, Vec<FetchPartition>>,
    empty_streak: VecMap<BrokerId, u32>,
    /// After an idle period ended by a fault, the fetch times out from then, not from when it left.
    #[serde(default)]
    timeout_not_before: VecMap<BrokerId, u64>,
}

impl IdleFetches {
    /// True if a fetch timeout for `broker` firing at `now` counts (not parked, not re-armed later).
    pub(super) fn times_out(&self, broker: BrokerId, now: u64) -> bool {
        !self.parked.contains(&broker) && self.timeout_not_before.get(&broker).is_none_or(|&t| now >= t)
    }

    /// A fetch to `broker` left with these partitions.
    pub(super) fn sent(&mut self, broker: BrokerId, partitions: &[FetchPartition]) {
        self.parked.remove(&broker);
        self.sent.insert(broker, partitions.to_vec());
    }

    /// `broker` answered: the fetch is no longer parked; count an empty answer.
    pub(super) fn answered(&mut self, broker: BrokerId, partitions: &[FetchedPartition]) {
        self.parked.remove(&broker);
        let streak = self.empty_streak.entry(broker).or_default();
        *streak = if partitions.iter().all(|p| p.records.is_empty()) { streak.saturating_add(1) } else { 0 };
    }

    /// The poll loop's fetches now: a parked fetch that no longer matches (the assignment, a position
    /// or a leader changed) is given up, so the poll loop sends the new one, which replaces it.
    pub(super) fn supersede(&mut self, wanted: &VecMap<BrokerId, Vec<FetchPartition>>, in_flight: &mut VecMap<BrokerId, u64>) {
        let stale: Vec<BrokerId> = self.parked.iter().copied().filter(|b| wanted.get(b) != self.sent.get(b)).collect();
        for b in stale {
            self.parked.remove(&b);
            in_flight.remove(&b);
        }
    }
}

impl Consumer {
    /// The simulation offers to coalesce `broker`'s empty answer: accepted only if it is the answer
    /// awaited, after enough empty ones, and handling it would change nothing and send the same fetch.
    pub fn accept_idle_fetch(&mut self, broker: BrokerId, msg: &Message) -> bool {
        let Message::FetchResponse { correlation, partitions } = msg else { return false };
        let streak = self.idle.empty_streak.get(&broker).copied().unwrap_or(0);
        if self.in_flight.get(&broker) != Some(correlation) || self.idle.parked.contains(&broker) || streak < IDLE_FETCHES_BEFORE_COALESCING {
            return false;
        }
        let no_op = partitions.iter().all(|p| {
            p.error == ErrorCode::None
                && p.records.is_empty()
                && self.assigned.contains(&p.tp)
                && !self.awaiting_offsets.contains(&p.tp)
                && self.positions.contains_key(&p.tp)
                && (p.high_watermark < 0 || self.high_watermarks.get(&p.tp) == Some(&p.high_watermark))
        });
        if !no_op || self.fetch_requests().get(&broker) != self.idle.sent.get(&broker) {
            return false;
        }
        self.idle.parked.insert(broker);
        true
    }

    /// The idle period with `broker` ended by a fault: the fetch is outstanding again and times out
    /// `request.timeout.ms` from now.
    pub fn end_idle_fetch(&mut self, broker: BrokerId, out: &mut Out) {
        if !self.idle.parked.remove(&broker) {
            return;
        }
        if let Some(&correlation) = self.in_flight.get(&broker) {
            let at = out.now + ms(self.settings.request_timeout_ms);
            self.idle.timeout_not_before.insert(broker, at);
            out.timer(at, TimerKind::Consumer(ConsumerTimer::FetchTimeout { broker, correlation }));
        }
    }
}
