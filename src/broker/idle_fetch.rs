//! Idle long-polls, coalesced (the leader's side).
//!
//! In Kafka a fetch that finds nothing waits `fetch.max.wait.ms` (500 ms) in purgatory, is answered
//! empty, and the client sends the same fetch again at once: an idle cluster trades empty round trips
//! forever, and simulating each of them is most of what fast-forwarding a quiet week costs. After a
//! client has had [`IDLE_FETCHES_BEFORE_COALESCING`] empty answers in a row, the simulation stops
//! playing that fixed point out: the leader keeps the fetch parked (an [`IdleFetch`]), with no timer,
//! standing for every empty answer and identical re-fetch that would have followed. The simulation
//! lets it park only when that round trip would have gone through unchanged (both nodes up, the link
//! neither cut nor slowed, and the client would send the very same fetch again: see `Sim::offer_idle`).
//!
//! It ends the moment anything could change the answer: data, a new high watermark, log start or
//! leadership (the leader answers at once, as Kafka's purgatory does on new data), a change on the
//! client's side (it sends a new fetch, which replaces the parked one), or a fault (a stopped node or
//! an impaired link ends it on both sides, and the client's request timeout runs again from then).

use super::fetch::DelayedFetch;
use super::Broker;
use crate::actor::Out;
use crate::ids::{NodeId, TopicPartition};
use crate::net::FetchedPartition;
use crate::time::Micros;
use serde::{Deserialize, Serialize};

/// Empty answers in a row after which a client's long-poll may park (5 s of quiet at the defaults):
/// a student watching an idle cluster at 1x still sees the long-poll cycle before it goes quiet.
pub const IDLE_FETCHES_BEFORE_COALESCING: u32 = 10;

/// A fetch parked while nothing changes, and the empty answer it stands for.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdleFetch {
    fetch: DelayedFetch,
    /// The answer offered (no records): any other answer ends the idle period.
    offered: Vec<FetchedPartition>,
}

impl Broker {
    /// A long-poll expired with nothing to return: park it and offer its empty answer to the simulation,
    /// which either lets it stay parked or calls [`Broker::answer_idle`].
    pub(super) fn offer_idle(&mut self, fetch: DelayedFetch, offered: Vec<FetchedPartition>, out: &mut Out) {
        let id = self.next_id();
        let msg = fetch.response(offered.clone());
        out.offer_idle(fetch.client(), id, msg);
        self.idle_fetches.insert(id, IdleFetch { fetch, offered });
    }

    /// The simulation refused to coalesce (or a fault ended the idle period): answer normally now.
    pub fn answer_idle(&mut self, id: u64, out: &mut Out) {
        if let Some(idle) = self.idle_fetches.remove(&id) {
            self.touch_idle_follower(&idle.fetch, out.now);
            let read = self.read_for(&idle.fetch);
            self.answer(&idle.fetch, read, out);
        }
    }

    /// Ends the idle periods of fetches from `client` by answering them now (its link was cut or slowed:
    /// the answer then meets the link as the next empty answer would have).
    pub fn answer_idle_to(&mut self, client: NodeId, out: &mut Out) {
        for id in self.idle_ids(|f| f.client() == client) {
            self.answer_idle(id, out);
        }
    }

    /// `client` stopped: its last (virtual) fetch was just now; nothing more will come from it.
    pub fn drop_idle_from(&mut self, client: NodeId, now: Micros) {
        for id in self.idle_ids(|f| f.client() == client) {
            if let Some(idle) = self.idle_fetches.remove(&id) {
                self.touch_idle_follower(&idle.fetch, now);
            }
        }
    }

    /// A new fetch from `client` replaces the one it had parked here.
    pub(super) fn supersede_idle(&mut self, client: NodeId, now: Micros) {
        self.drop_idle_from(client, now);
    }

    /// Something changed on `tp`: answer the parked fetches whose answer is no longer the empty one
    /// they were parked with.
    pub(super) fn wake_idle(&mut self, tp: &TopicPartition, out: &mut Out) {
        for id in self.idle_ids(|f| f.covers(tp)) {
            let Some(idle) = self.idle_fetches.get(&id) else { continue };
            let read = self.read_for(&idle.fetch);
            if read.bytes > 0 || read.errors || read.response != idle.offered {
                self.answer_idle(id, out);
            }
        }
    }

    /// Followers parked here fetched (virtually) just now, at the log end: the ISR check must see that.
    pub(super) fn touch_idle_followers(&mut self, now: Micros) {
        let fetches: Vec<DelayedFetch> = self.idle_fetches.values().map(|i| i.fetch.clone()).collect();
        for f in &fetches {
            self.touch_idle_follower(f, now);
        }
    }

    fn touch_idle_follower(&mut self, fetch: &DelayedFetch, now: Micros) {
        let Some(follower) = fetch.replica() else { return };
        for tp in fetch.topic_partitions() {
            let Some(f) = self.replicas.get_mut(tp).and_then(|r| r.followers.get_mut(&follower)) else { continue };
            // The parked fetch stood at the leader's end offset as of its last fetch, as every
            // re-fetch it stands for did.
            if f.leo >= f.leader_leo_at_last_fetch {
                f.last_caught_up = f.last_caught_up.max(now);
            }
            f.last_fetch = f.last_fetch.max(now);
        }
    }

    fn idle_ids(&self, keep: impl Fn(&DelayedFetch) -> bool) -> Vec<u64> {
        self.idle_fetches.iter().filter(|(_, i)| keep(&i.fetch)).map(|(&id, _)| id).collect()
    }

    /// Fetches parked idle here now, for views and tests.
    pub fn idle_fetch_count(&self) -> usize {
        self.idle_fetches.len()
    }
}
