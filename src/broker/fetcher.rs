//! The replica fetcher: a follower pulls from each leader it follows, one request carrying all the
//! partitions led by that broker, appends what comes back and learns the HW one round trip late.

use super::{Broker, BrokerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{ErrorCode, FetchPartition, FetchedPartition, Message};
use crate::scenario::TruncationPolicy;
use crate::time::{ms, timestamp_ms};
use serde::{Deserialize, Serialize};

/// Backoff after a fetch that returned only errors (`replica.fetch.backoff.ms`).
const FETCH_BACKOFF_MS: u64 = 1_000;
/// How long a fetch may go unanswered before it is sent again (`replica.socket.timeout.ms`).
const FETCH_TIMEOUT_MS: u64 = 30_000;

/// One fetcher per leader broker.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Fetcher {
    /// The correlation id of the request (or backoff) in progress.
    in_flight: Option<u64>,
    /// The request is parked idle on the leader (see [`super::idle_fetch`]): no answer is due.
    #[serde(default)]
    idle: bool,
    /// Empty answers in a row.
    #[serde(default)]
    empty_streak: u32,
    /// The partitions of the request in flight, to tell whether the next would be the same.
    #[serde(default)]
    sent: Vec<FetchPartition>,
    /// After an idle period ended by a fault, the request times out from then, not from when it left.
    #[serde(default)]
    timeout_not_before: u64,
}

impl Broker {
    /// Starts a fetcher towards every leader this broker follows and is not already fetching from.
    pub(super) fn ensure_fetching(&mut self, out: &mut Out) {
        let leaders: Vec<BrokerId> = self
            .replicas
            .values()
            .filter_map(|r| r.state.leader)
            .filter(|&l| l != self.id)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for leader in leaders {
            if self.fetchers.get(&leader).is_none_or(|f| f.in_flight.is_none()) {
                self.send_replica_fetch(leader, out);
            }
        }
        // A fetch parked idle on a leader stands for re-sending the same request: if the request
        // would now differ (partitions moved, an epoch changed), send it, which replaces the parked one.
        let idle: Vec<BrokerId> = self.fetchers.iter().filter(|(_, f)| f.idle).map(|(&l, _)| l).collect();
        for leader in idle {
            if self.replica_fetch_partitions(leader) != self.fetchers[&leader].sent {
                self.send_replica_fetch(leader, out);
            }
        }
    }

    /// What a fetch to `leader` asks for now: every partition it leads that we follow, from our LEO.
    fn replica_fetch_partitions(&mut self, leader: BrokerId) -> Vec<FetchPartition> {
        let followed: Vec<TopicPartition> =
            self.replicas.iter().filter(|(_, r)| r.state.leader == Some(leader)).map(|(tp, _)| tp.clone()).collect();
        let use_epochs = self.settings.truncation == TruncationPolicy::LeaderEpoch;
        followed
            .into_iter()
            .map(|tp| {
                let epoch = self.replicas[&tp].state.leader_epoch;
                let log = self.log_mut(&tp);
                let (fetch_offset, last_fetched_epoch) = (log.log_end_offset(), if use_epochs { log.latest_epoch() } else { None });
                FetchPartition { tp, fetch_offset, current_leader_epoch: epoch, last_fetched_epoch }
            })
            .collect()
    }

    fn send_replica_fetch(&mut self, leader: BrokerId, out: &mut Out) {
        let partitions = self.replica_fetch_partitions(leader);
        if partitions.is_empty() {
            self.fetchers.remove(&leader);
            return;
        }
        let correlation = self.next_id();
        let fetcher = self.fetchers.entry(leader).or_default();
        fetcher.in_flight = Some(correlation);
        fetcher.idle = false;
        fetcher.sent = partitions.clone();
        let msg = Message::FetchRequest {
            correlation,
            replica: Some(self.id),
            max_wait_us: ms(self.settings.replica_fetch_wait_max_ms),
            min_bytes: 1,
            max_bytes: self.settings.replica_fetch_max_bytes,
            partitions,
            read_committed: false,
        };
        out.send(NodeId::Broker(leader), msg);
        out.timer(out.now + ms(FETCH_TIMEOUT_MS), TimerKind::Broker(BrokerTimer::FetcherTimeout { leader, correlation }));
    }

    pub(super) fn fetcher_timed_out(&mut self, leader: BrokerId, correlation: u64, out: &mut Out) {
        if self.fetchers.get(&leader).is_some_and(|f| f.in_flight == Some(correlation) && !f.idle && out.now >= f.timeout_not_before) {
            self.fetchers.entry(leader).or_default().in_flight = None;
            self.send_replica_fetch(leader, out);
        }
    }

    pub(super) fn handle_fetch_response(&mut self, leader: BrokerId, correlation: u64, parts: Vec<FetchedPartition>, out: &mut Out) {
        if self.fetchers.get(&leader).is_none_or(|f| f.in_flight != Some(correlation)) {
            return; // An answer to a request we gave up on.
        }
        let empty = parts.iter().all(|p| p.records.is_empty());
        let fetcher = self.fetchers.entry(leader).or_default();
        fetcher.idle = false;
        fetcher.empty_streak = if empty { fetcher.empty_streak.saturating_add(1) } else { 0 };
        let mut progressed = false;
        for part in parts {
            progressed |= self.apply_fetched(leader, part, out);
        }
        if progressed {
            self.fetchers.entry(leader).or_default().in_flight = None;
            self.send_replica_fetch(leader, out);
        } else {
            // Only errors: back off before asking again (new metadata may move us elsewhere first).
            let marker = self.next_id();
            self.fetchers.entry(leader).or_default().in_flight = Some(marker);
            out.timer(out.now + ms(FETCH_BACKOFF_MS), TimerKind::Broker(BrokerTimer::FetcherTimeout { leader, correlation: marker }));
        }
    }

    /// Applies one partition of a fetch response; false if it carried an error.
    fn apply_fetched(&mut self, leader: BrokerId, part: FetchedPartition, out: &mut Out) -> bool {
        let tp = part.tp.clone();
        if self.replicas.get(&tp).is_none_or(|r| r.state.leader != Some(leader)) {
            return true; // Leadership moved while the fetch was in flight; nothing to apply.
        }
        if part.error == ErrorCode::OffsetOutOfRange && part.log_end_offset >= 0 {
            return self.handle_out_of_range(&tp, part.log_end_offset, out);
        }
        if part.error != ErrorCode::None {
            return false;
        }
        if let Some((epoch, end)) = part.diverging_epoch {
            // KIP-101/279: truncate to the end of the largest common epoch, never past our own LEO.
            let log = self.log_mut(&tp);
            let mine = log.end_offset_for_epoch(epoch);
            let target = match mine {
                Some((e, my_end)) if e == epoch => my_end.min(end),
                Some((_, my_end)) => my_end,
                None => end.min(log.log_start_offset()),
            }
            .min(log.log_end_offset())
            .max(0);
            self.truncate(&tp, target, "diverging epoch from the leader", out);
            return true;
        }
        let id = self.id;
        let epoch = self.replicas[&tp].state.leader_epoch;
        let now_ms = timestamp_ms(out.now);
        let (log, producers) = self.log_and_producer_state(&tp);
        let mut appended = None;
        if !part.records.is_empty() {
            let before = log.log_end_offset();
            if let Ok(info) = log.append_as_follower(&part.records, now_ms) {
                // Followers keep producer state too, so a new leader deduplicates (kafka-facts.md §5).
                // The append above has just checked these batches' CRCs.
                for (_, h, bytes) in part.records.trusted_batches_from(0).flatten() {
                    producers.apply(&h, bytes);
                }
                log.maybe_flush(now_ms);
                if info.rolled {
                    out.emit(EventKind::SegmentRolled { broker: id, topic: tp.topic.clone(), partition: tp.partition, base_offset: before });
                }
                out.emit(EventKind::RecordsAppended {
                    broker: id,
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    base_offset: before,
                    last_offset: info.last_offset,
                    leader_epoch: epoch,
                    log_end_offset: log.log_end_offset(),
                    as_leader: false,
                });
                appended = Some(info);
            }
        }
        let leo = log.log_end_offset();
        if let Some(info) = appended {
            self.note_append(&tp, &info);
        }
        let r = self.replicas.get_mut(&tp).expect("checked above");
        // The follower's HW is the leader's, capped by its own LEO: one round trip behind.
        let hw = part.high_watermark.min(leo);
        if hw > r.hw {
            r.hw = hw;
            out.emit(EventKind::HighWatermarkUpdated { broker: id, topic: tp.topic.clone(), partition: tp.partition, high_watermark: hw });
        }
        true
    }

    /// `AbstractFetcherThread.handleOutOfRangeError` / `fetchOffsetAndTruncate`: the follower's LEO is
    /// past the leader's log end (e.g. it kept records the new leader never had, under
    /// truncate-to-HW), so it truncates to the leader's end offset and fetches from there. A follower
    /// below the leader's log start would restart its log there (`truncateFullyAndStartAt`); not
    /// modelled: it keeps getting OFFSET_OUT_OF_RANGE. Returns true if it truncated.
    fn handle_out_of_range(&mut self, tp: &TopicPartition, leader_end: i64, out: &mut Out) -> bool {
        let leo = self.log_mut(tp).log_end_offset();
        if leader_end < leo {
            self.truncate(tp, leader_end.max(0), "offset out of range: truncate to the leader's log end offset", out);
            return true;
        }
        false
    }

    /// The simulation offers to coalesce `leader`'s empty answer (see [`super::idle_fetch`]): accepted
    /// only if it is the answer awaited, after enough empty ones, and handling it would change nothing
    /// here and lead to the very same request again.
    pub fn accept_idle_fetch(&mut self, leader: BrokerId, msg: &Message) -> bool {
        let Message::FetchResponse { correlation, partitions } = msg else { return false };
        let Some(f) = self.fetchers.get(&leader) else { return false };
        if f.in_flight != Some(*correlation) || f.idle || f.empty_streak < super::idle_fetch::IDLE_FETCHES_BEFORE_COALESCING {
            return false;
        }
        let no_op = partitions.iter().all(|p| {
            let (Some(r), Some(log)) = (self.replicas.get(&p.tp), self.disk.logs.get(&p.tp)) else { return false };
            p.error == ErrorCode::None
                && p.records.is_empty()
                && p.diverging_epoch.is_none()
                && r.state.leader == Some(leader)
                && p.high_watermark.min(log.log_end_offset()) <= r.hw
        });
        if !no_op || self.replica_fetch_partitions(leader) != self.fetchers[&leader].sent {
            return false;
        }
        self.fetchers.entry(leader).or_default().idle = true;
        true
    }

    /// The idle period with `leader` ended by a fault (it stopped, or the link was impaired): the
    /// request is outstanding again, and times out `replica.socket.timeout.ms` from now.
    pub fn end_idle_fetch(&mut self, leader: BrokerId, out: &mut Out) {
        let Some(f) = self.fetchers.get_mut(&leader).filter(|f| f.idle) else { return };
        f.idle = false;
        f.timeout_not_before = out.now + ms(FETCH_TIMEOUT_MS);
        if let Some(correlation) = f.in_flight {
            out.timer(out.now + ms(FETCH_TIMEOUT_MS), TimerKind::Broker(BrokerTimer::FetcherTimeout { leader, correlation }));
        }
    }
}
