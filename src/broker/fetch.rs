//! Fetch handling on the leader, for consumers (up to the HW) and followers (up to the LEO, with the
//! diverging-epoch check of Kafka 2.7+), and the fetch purgatory that long-polls until data arrives.

use super::producer_state::ProducerStateMap;
use super::{Broker, BrokerTimer};
use crate::actor::{Out, TimerKind};
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{ErrorCode, FetchPartition, FetchedPartition, Message};
use crate::scenario::TruncationPolicy;
use crate::time::Micros;
use serde::{Deserialize, Serialize};

/// A fetch parked until `min_bytes` are available or `max_wait` passes (Kafka's DelayedFetch).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DelayedFetch {
    client: NodeId,
    correlation: u64,
    replica: Option<BrokerId>,
    min_bytes: u32,
    max_bytes: u32,
    partitions: Vec<FetchPartition>,
    #[serde(default)]
    read_committed: bool,
}

/// A fetch request's wait, size and isolation settings.
pub struct FetchLimits {
    /// `fetch.max.wait.ms` / `replica.fetch.wait.max.ms`.
    pub max_wait_us: Micros,
    /// `fetch.min.bytes`.
    pub min_bytes: u32,
    /// `fetch.max.bytes`.
    pub max_bytes: u32,
    /// `isolation.level=read_committed`.
    pub read_committed: bool,
}

impl Broker {
    pub(super) fn handle_fetch(
        &mut self,
        client: NodeId,
        correlation: u64,
        replica: Option<BrokerId>,
        limits: FetchLimits,
        partitions: Vec<FetchPartition>,
        out: &mut Out,
    ) {
        let FetchLimits { max_wait_us, min_bytes, max_bytes, read_committed } = limits;
        let mut diverged = false;
        if let Some(follower) = replica {
            for p in &partitions {
                if self.fetch_error(&p.tp, p.current_leader_epoch).is_some() {
                    continue;
                }
                if self.diverging_epoch(p).is_some() {
                    diverged = true;
                    continue;
                }
                self.update_follower(&p.tp, follower, p.fetch_offset, out);
            }
        }
        let fetch = DelayedFetch { client, correlation, replica, min_bytes, max_bytes, partitions, read_committed };
        let (response, bytes, errors) = self.read_for(&fetch);
        if max_wait_us == 0 || bytes >= min_bytes as usize || errors || diverged {
            out.send(client, Message::FetchResponse { correlation, partitions: response });
        } else {
            let id = self.next_id();
            self.delayed_fetches.insert(id, fetch);
            out.timer(out.now + max_wait_us, TimerKind::Broker(BrokerTimer::FetchExpired { id }));
        }
    }

    /// Leadership and epoch checks (KIP-320) for one partition of a fetch.
    fn fetch_error(&self, tp: &TopicPartition, current_leader_epoch: i32) -> Option<ErrorCode> {
        let Some(r) = self.replicas.get(tp) else { return Some(ErrorCode::NotLeaderOrFollower) };
        if r.state.leader != Some(self.id) {
            return Some(ErrorCode::NotLeaderOrFollower);
        }
        if current_leader_epoch >= 0 && current_leader_epoch < r.state.leader_epoch {
            return Some(ErrorCode::FencedLeaderEpoch);
        }
        if current_leader_epoch > r.state.leader_epoch {
            return Some(ErrorCode::UnknownLeaderEpoch);
        }
        None
    }

    /// Since Kafka 2.7 the follower sends the epoch of its last batch; if the leader's log ends that
    /// epoch earlier (or never had it), the answer carries where the logs diverge.
    fn diverging_epoch(&self, p: &FetchPartition) -> Option<(i32, i64)> {
        if self.settings.truncation != TruncationPolicy::LeaderEpoch {
            return None;
        }
        let epoch = p.last_fetched_epoch?;
        let log = self.disk.logs.get(&p.tp)?;
        match log.end_offset_for_epoch(epoch) {
            Some((e, end)) if e < epoch || end < p.fetch_offset => Some((e, end)),
            Some(_) => None,
            None => Some((-1, log.log_start_offset())),
        }
    }

    /// Reads every partition of a fetch; returns the response, its record bytes, and whether any
    /// partition failed (errors are answered at once).
    fn read_for(&self, fetch: &DelayedFetch) -> (Vec<FetchedPartition>, usize, bool) {
        let mut budget = fetch.max_bytes as usize;
        let mut total = 0;
        let mut errors = false;
        let response = fetch
            .partitions
            .iter()
            .map(|p| {
                let part = self.read_partition(p, fetch.replica, fetch.read_committed, budget);
                budget = budget.saturating_sub(part.records.len());
                total += part.records.len();
                errors |= part.error != ErrorCode::None || part.diverging_epoch.is_some();
                part
            })
            .collect();
        (response, total, errors)
    }

    fn read_partition(&self, p: &FetchPartition, replica: Option<BrokerId>, read_committed: bool, max_bytes: usize) -> FetchedPartition {
        let mut part = FetchedPartition {
            tp: p.tp.clone(),
            error: ErrorCode::None,
            high_watermark: -1,
            log_start_offset: -1,
            records: Vec::new(),
            diverging_epoch: None,
            last_stable_offset: -1,
            aborted_transactions: Vec::new(),
        };
        if let Some(e) = self.fetch_error(&p.tp, p.current_leader_epoch) {
            part.error = e;
            return part;
        }
        let (Some(r), Some(log)) = (self.replicas.get(&p.tp), self.disk.logs.get(&p.tp)) else {
            part.error = ErrorCode::NotLeaderOrFollower;
            return part;
        };
        part.high_watermark = r.hw;
        part.log_start_offset = log.log_start_offset();
        if replica.is_some() {
            part.diverging_epoch = self.diverging_epoch(p);
            if part.diverging_epoch.is_some() {
                return part;
            }
        }
        // kafka-facts.md §6: LSO = min(first unstable offset, HW).
        let rebuilt;
        let producers = match self.disk.producer_states.get(&p.tp) {
            Some(s) if s.end_offset == log.log_end_offset() => s,
            _ => {
                rebuilt = ProducerStateMap::rebuild(log);
                &rebuilt
            }
        };
        let lso = producers.first_unstable_offset().map_or(r.hw, |f| f.min(r.hw));
        part.last_stable_offset = lso;
        // Followers read to the LEO; read_uncommitted consumers up to the HW, read_committed to the LSO.
        let bound = match (replica, read_committed) {
            (Some(_), _) => log.log_end_offset(),
            (None, false) => r.hw,
            (None, true) => lso,
        };
        if p.fetch_offset < log.log_start_offset() || p.fetch_offset > log.log_end_offset() {
            part.error = ErrorCode::OffsetOutOfRange;
        } else if p.fetch_offset < bound {
            match log.read(p.fetch_offset, bound, max_bytes.max(1)) {
                Ok(read) => {
                    if read_committed && replica.is_none() {
                        part.aborted_transactions = producers
                            .aborted_in(p.fetch_offset, read.next_offset)
                            .into_iter()
                            .map(|a| (a.producer_id, a.first_offset))
                            .collect();
                    }
                    part.records = read.records;
                }
                Err(_) => part.error = ErrorCode::OffsetOutOfRange,
            }
        }
        part
    }

    /// New data or a new HW on `tp`: complete parked fetches that can now be answered.
    pub(super) fn wake_fetches(&mut self, tp: &TopicPartition, out: &mut Out) {
        let ids: Vec<u64> =
            self.delayed_fetches.iter().filter(|(_, f)| f.partitions.iter().any(|p| &p.tp == tp)).map(|(&id, _)| id).collect();
        for id in ids {
            let Some(fetch) = self.delayed_fetches.get(&id) else { continue };
            let (response, bytes, errors) = self.read_for(fetch);
            if bytes >= fetch.min_bytes as usize || errors {
                let fetch = self.delayed_fetches.remove(&id).expect("present");
                out.send(fetch.client, Message::FetchResponse { correlation: fetch.correlation, partitions: response });
            }
        }
    }

    pub(super) fn expire_fetch(&mut self, id: u64, out: &mut Out) {
        if let Some(fetch) = self.delayed_fetches.remove(&id) {
            let (response, _, _) = self.read_for(&fetch);
            out.send(fetch.client, Message::FetchResponse { correlation: fetch.correlation, partitions: response });
        }
    }
}
