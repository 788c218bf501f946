//! The transaction coordinator (kafka-facts.md §6): InitProducerId with a transactional.id (epoch
//! bump, fencing), AddPartitionsToTxn, EndTxn, and the WriteTxnMarkers it sends to partition leaders.
//!
//! Simplification: a transactional id's coordinator is the broker
//! `abs(hashCode(id)) % 50 % brokers + 1`, standing in for the leader of that `__transaction_state`
//! partition. Its state lives on that broker's [`super::Disk`] (it survives a crash and restart, and
//! unwritten markers are sent again), but it is not replicated: while the coordinator is down, its
//! transactions wait. `transaction.timeout.ms` aborts are not modelled.

use super::{Broker, BrokerTimer};
use crate::actor::{Out, TimerKind};
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{ErrorCode, Message, ProduceResult};
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// `transaction.state.log.num.partitions` default.
pub const TXN_STATE_PARTITIONS: u32 = 50;
/// Wait between marker rounds for partitions whose marker failed.
pub const MARKER_RETRY_MS: u64 = 100;
/// A marker request unanswered this long is sent again.
const MARKER_TIMEOUT_MS: u64 = 1_000;

/// The broker coordinating `transactional_id` in a cluster of `brokers` brokers.
pub fn coordinator_for(transactional_id: &str, brokers: u32) -> BrokerId {
    crate::consumer::coordinator_key::coordinator_partition(transactional_id, TXN_STATE_PARTITIONS) % brokers.max(1) + 1
}

/// `TransactionState` (the Dead and PrepareEpochFence states are not modelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnState {
    /// No transaction open.
    Empty,
    /// Partitions were added: a transaction is open.
    Ongoing,
    /// Commit decided; markers being written.
    PrepareCommit,
    /// Abort decided; markers being written.
    PrepareAbort,
    /// Every COMMIT marker is written.
    CompleteCommit,
    /// Every ABORT marker is written.
    CompleteAbort,
}

impl TxnState {
    /// True while markers are being written.
    pub fn is_prepare(self) -> bool {
        matches!(self, TxnState::PrepareCommit | TxnState::PrepareAbort)
    }
}

/// `TransactionMetadata` of one transactional id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnMetadata {
    /// The producer id bound to this transactional id.
    pub producer_id: i64,
    /// Its current epoch; older epochs are fenced.
    pub producer_epoch: i16,
    /// Where the transaction stands.
    pub state: TxnState,
    /// Partitions in the open (or completing) transaction.
    pub partitions: Vec<TopicPartition>,
    /// Markers not yet acknowledged, with when they were last sent (`None`: send now).
    pub pending: VecMap<TopicPartition, Option<Micros>>,
    /// The EndTxn to answer when the markers are written: (client, correlation).
    pub waiting: Option<(NodeId, u64)>,
}

impl Broker {
    /// InitProducerId with a transactional.id: a new id, or the same id with a bumped epoch. An open
    /// transaction is aborted first (the caller retries on CONCURRENT_TRANSACTIONS).
    pub(super) fn txn_init_producer_id(&mut self, client: NodeId, correlation: u64, id: String, out: &mut Out) {
        let reply = |out: &mut Out, error, producer_id, producer_epoch| {
            out.send(client, Message::InitProducerIdResponse { correlation, error, producer_id, producer_epoch })
        };
        let Some(meta) = self.disk.transactions.get_mut(&id) else {
            let producer_id = self.allocate_producer_id();
            let meta = TxnMetadata { producer_id, producer_epoch: 0, state: TxnState::Empty, partitions: Vec::new(), pending: VecMap::new(), waiting: None };
            self.disk.transactions.insert(id, meta);
            return reply(out, ErrorCode::None, producer_id, 0);
        };
        match meta.state {
            TxnState::Ongoing => {
                // Fence the old instance and abort what it left open, with the new epoch.
                meta.producer_epoch = meta.producer_epoch.saturating_add(1);
                meta.state = TxnState::PrepareAbort;
                meta.pending = meta.partitions.iter().map(|tp| (tp.clone(), None)).collect();
                meta.waiting = None;
                reply(out, ErrorCode::ConcurrentTransactions, -1, -1);
                self.send_pending_markers(out);
            }
            TxnState::PrepareCommit | TxnState::PrepareAbort => reply(out, ErrorCode::ConcurrentTransactions, -1, -1),
            TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort => {
                if meta.producer_epoch == i16::MAX {
                    meta.producer_id = -1; // epoch exhausted: a new id below
                } else {
                    meta.producer_epoch += 1;
                }
                meta.state = TxnState::Empty;
                meta.partitions.clear();
                if meta.producer_id < 0 {
                    let producer_id = self.allocate_producer_id();
                    let meta = self.disk.transactions.get_mut(&id).expect("present");
                    meta.producer_id = producer_id;
                    meta.producer_epoch = 0;
                }
                let meta = &self.disk.transactions[&id];
                reply(out, ErrorCode::None, meta.producer_id, meta.producer_epoch);
            }
        }
    }

    /// Checks a request's producer id and epoch against the coordinator's.
    fn txn_check(&self, id: &str, producer_id: i64, producer_epoch: i16) -> Result<TxnState, ErrorCode> {
        let Some(meta) = self.disk.transactions.get(id) else { return Err(ErrorCode::InvalidProducerEpoch) };
        if meta.producer_id != producer_id || meta.producer_epoch != producer_epoch {
            return Err(ErrorCode::InvalidProducerEpoch); // PRODUCER_FENCED in newer clients
        }
        Ok(meta.state)
    }

    /// AddPartitionsToTxn: the transaction becomes (or stays) Ongoing with these partitions.
    pub(super) fn txn_add_partitions(&mut self, id: &str, producer_id: i64, producer_epoch: i16, partitions: Vec<TopicPartition>) -> ErrorCode {
        match self.txn_check(id, producer_id, producer_epoch) {
            Err(e) => e,
            Ok(s) if s.is_prepare() => ErrorCode::ConcurrentTransactions,
            Ok(_) => {
                let meta = self.disk.transactions.get_mut(id).expect("checked");
                if meta.state != TxnState::Ongoing {
                    meta.partitions.clear();
                }
                meta.state = TxnState::Ongoing;
                for tp in partitions {
                    if !meta.partitions.contains(&tp) {
                        meta.partitions.push(tp);
                    }
                }
                crate::order::sort(&mut meta.partitions);
                ErrorCode::None
            }
        }
    }

    /// EndTxn: decide (PrepareCommit / PrepareAbort, durable), then write markers; the answer goes out
    /// once every marker is written.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn txn_end(&mut self, client: NodeId, correlation: u64, id: &str, producer_id: i64, producer_epoch: i16, commit: bool, out: &mut Out) {
        let reply = |out: &mut Out, error| out.send(client, Message::EndTxnResponse { correlation, error });
        let state = match self.txn_check(id, producer_id, producer_epoch) {
            Err(e) => return reply(out, e),
            Ok(s) => s,
        };
        let meta = self.disk.transactions.get_mut(id).expect("checked");
        let done = if commit { TxnState::CompleteCommit } else { TxnState::CompleteAbort };
        let prepare = if commit { TxnState::PrepareCommit } else { TxnState::PrepareAbort };
        match state {
            TxnState::Ongoing => {
                meta.state = prepare;
                meta.pending = meta.partitions.iter().map(|tp| (tp.clone(), None)).collect();
                meta.waiting = Some((client, correlation));
                self.send_pending_markers(out);
            }
            s if s == prepare => meta.waiting = Some((client, correlation)),
            s if s == done || s == TxnState::Empty => reply(out, ErrorCode::None),
            _ => reply(out, ErrorCode::InvalidTxnState),
        }
    }

    /// Sends WriteTxnMarkers for every marker not yet written (nor recently sent), one request per
    /// partition leader, and sets the retry timer.
    pub(super) fn send_pending_markers(&mut self, out: &mut Out) {
        let now = out.now;
        let mut requests: VecMap<(BrokerId, i64, i16, bool), Vec<TopicPartition>> = VecMap::new();
        let mut waiting_any = false;
        for meta in self.disk.transactions.values_mut().filter(|m| m.state.is_prepare()) {
            let commit = meta.state == TxnState::PrepareCommit;
            for (tp, sent) in meta.pending.iter_mut() {
                waiting_any = true;
                if sent.is_some_and(|at| now < at + ms(MARKER_TIMEOUT_MS)) {
                    continue;
                }
                let Some(leader) = self.metadata.get(tp).and_then(|s| s.leader) else { continue };
                *sent = Some(now);
                requests.entry((leader, meta.producer_id, meta.producer_epoch, commit)).or_default().push(tp.clone());
            }
        }
        for ((leader, producer_id, producer_epoch, commit), partitions) in requests {
            let correlation = self.next_id();
            out.send(NodeId::Broker(leader), Message::WriteTxnMarkersRequest { correlation, producer_id, producer_epoch, commit, partitions });
        }
        if waiting_any {
            self.arm_marker_timer(out);
        }
    }

    /// Sets the marker retry timer unless one is pending.
    pub(super) fn arm_marker_timer(&mut self, out: &mut Out) {
        let any = self.disk.transactions.values().any(|m| m.state.is_prepare());
        if any && !self.txn_marker_timer {
            self.txn_marker_timer = true;
            out.timer(out.now + ms(MARKER_RETRY_MS), TimerKind::Broker(BrokerTimer::TxnMarkers));
        }
    }

    /// A leader's answer to WriteTxnMarkers: written partitions leave `pending`; a transaction whose
    /// markers are all written completes and its EndTxn is answered.
    pub(super) fn txn_markers_written(&mut self, producer_id: i64, results: Vec<ProduceResult>, out: &mut Out) {
        let mut retry = false;
        for meta in self.disk.transactions.values_mut().filter(|m| m.state.is_prepare() && m.producer_id == producer_id) {
            for r in &results {
                if !meta.pending.contains_key(&r.tp) {
                    continue;
                }
                if r.error == ErrorCode::None {
                    meta.pending.remove(&r.tp);
                } else {
                    meta.pending.insert(r.tp.clone(), None);
                    retry = true;
                }
            }
            if meta.pending.is_empty() {
                let commit = meta.state == TxnState::PrepareCommit;
                meta.state = if commit { TxnState::CompleteCommit } else { TxnState::CompleteAbort };
                meta.partitions.clear();
                if let Some((client, correlation)) = meta.waiting.take() {
                    out.send(client, Message::EndTxnResponse { correlation, error: ErrorCode::None });
                }
            }
        }
        if retry {
            self.arm_marker_timer(out);
        }
    }
}
