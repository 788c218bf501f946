//! Fetch handling on the leader, for consumers (up to the HW) and followers (up to the LEO, with the
//! diverging-epoch check of Kafka 2.7+), and the fetch purgatory that long-polls until data arrives.

use super::producer_state::ProducerStateMap;
use super::io::FileRange;
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

/// What reading a fetch's partitions gave: the response, its record bytes, whether a partition
/// failed, and where in the segment files the bytes came from.
pub(super) struct FetchRead {
    pub(super) response: Vec<FetchedPartition>,
    pub(super) bytes: usize,
    pub(super) errors: bool,
    files: Vec<FileRange>,
}

impl DelayedFetch {
    /// Who sent it.
    pub(super) fn client(&self) -> NodeId {
        self.client
    }

    /// The follower it is from, if it is a replica fetch.
    pub(super) fn replica(&self) -> Option<BrokerId> {
        self.replica
    }

    /// True if it asks for `tp`.
    pub(super) fn covers(&self, tp: &TopicPartition) -> bool {
        self.partitions.iter().any(|p| &p.tp == tp)
    }

    /// The partitions it asks for.
    pub(super) fn topic_partitions(&self) -> impl Iterator<Item = &TopicPartition> {
        self.partitions.iter().map(|p| &p.tp)
    }

    /// Its answer with these partitions.
    pub(super) fn response(&self, partitions: Vec<FetchedPartition>) -> Message {
        Message::FetchResponse { correlation: self.correlation, partitions }
    }
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
        self.supersede_idle(client, out.now);
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
                if !self.in_range(&p.tp, p.fetch_offset) {
                    continue; // OFFSET_OUT_OF_RANGE: the read fails, so the follower's state is not updated.
                }
                self.update_follower(&p.tp, follower, p.fetch_offset, out);
            }
        }
        let fetch = DelayedFetch { client, correlation, replica, min_bytes, max_bytes, partitions, read_committed };
        let read = self.read_for(&fetch);
        if max_wait_us == 0 || read.bytes >= min_bytes as usize || read.errors || diverged {
            self.answer(&fetch, read, out);
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

    /// True if `offset` lies in [log start, LEO] of the local log.
    fn in_range(&self, tp: &TopicPartition, offset: i64) -> bool {
        self.disk.logs.get(tp).is_some_and(|log| offset >= log.log_start_offset() && offset <= log.log_end_offset())
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
    pub(super) fn read_for(&self, fetch: &DelayedFetch) -> FetchRead {
        let mut budget = fetch.max_bytes as usize;
        let mut read = FetchRead { response: Vec::new(), bytes: 0, errors: false, files: Vec::new() };
        for p in &fetch.partitions {
            let (part, file) = self.read_partition(p, fetch.replica, fetch.read_committed, budget);
            budget = budget.saturating_sub(part.records.len());
            read.bytes += part.records.len();
            read.errors |= part.error != ErrorCode::None || part.diverging_epoch.is_some();
            read.files.extend(file);
            read.response.push(part);
        }
        read
    }

    /// Answers a fetch: the network thread hands the bytes to the socket (see `io.rs`).
    pub(super) fn answer(&mut self, fetch: &DelayedFetch, read: FetchRead, out: &mut Out) {
        let msg = Message::FetchResponse { correlation: fetch.correlation, partitions: read.response };
        self.serve_fetch(fetch.client, fetch.replica.is_some(), &read.files, msg, out);
    }

    fn read_partition(
        &self,
        p: &FetchPartition,
        replica: Option<BrokerId>,
        read_committed: bool,
        max_bytes: usize,
    ) -> (FetchedPartition, Option<FileRange>) {
        let mut part = FetchedPartition {
            tp: p.tp.clone(),
            error: ErrorCode::None,
            high_watermark: -1,
            log_start_offset: -1,
            records: crate::log::Records::new(),
            diverging_epoch: None,
            last_stable_offset: -1,
            aborted_transactions: Vec::new(),
            log_end_offset: -1,
        };
        if let Some(e) = self.fetch_error(&p.tp, p.current_leader_epoch) {
            part.error = e;
            return (part, None);
        }
        let (Some(r), Some(log)) = (self.replicas.get(&p.tp), self.disk.logs.get(&p.tp)) else {
            part.error = ErrorCode::NotLeaderOrFollower;
            return (part, None);
        };
        part.high_watermark = r.hw;
        part.log_start_offset = log.log_start_offset();
        part.log_end_offset = log.log_end_offset();
        if replica.is_some() {
            part.diverging_epoch = self.diverging_epoch(p);
            if part.diverging_epoch.is_some() {
                return (part, None);
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
        let mut file = None;
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
                    let len = read.records.len() as u64;
                    file = Some(FileRange { tp: p.tp.clone(), segment: read.segment_base_offset, position: read.position, len });
                    part.records = read.records;
                }
                Err(_) => part.error = ErrorCode::OffsetOutOfRange,
            }
        }
        (part, file.filter(|f| f.len > 0))
    }

    /// New data or a new HW on `tp`: complete parked fetches that can now be answered.
    pub(super) fn wake_fetches(&mut self, tp: &TopicPartition, out: &mut Out) {
        let ids: Vec<u64> =
            self.delayed_fetches.iter().filter(|(_, f)| f.partitions.iter().any(|p| &p.tp == tp)).map(|(&id, _)| id).collect();
        for id in ids {
            let Some(fetch) = self.delayed_fetches.get(&id) else { continue };
            let read = self.read_for(fetch);
            if read.bytes >= fetch.min_bytes as usize || read.errors {
                let fetch = self.delayed_fetches.remove(&id).expect("present");
                self.answer(&fetch, read, out);
            }
        }
        self.wake_idle(tp, out);
    }

    pub(super) fn expire_fetch(&mut self, id: u64, out: &mut Out) {
        if let Some(fetch) = self.delayed_fetches.remove(&id) {
            let read = self.read_for(&fetch);
            if read.bytes == 0 && !read.errors {
                // Empty: maybe an idle long-poll the simulation may coalesce (see idle_fetch.rs).
                self.offer_idle(fetch, read.response, out);
                return;
            }
            self.answer(&fetch, read, out);
        }
    }
}
