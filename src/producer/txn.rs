//! The transactional producer (`TransactionManager`, kafka-facts.md §6): partitions are added to the
//! transaction before their first batch leaves, and after `workload.transactionRecords` records the
//! transaction ends: once every batch is acknowledged, EndTxn asks the coordinator to commit (or, every
//! `workload.abortEvery`-th time or after a failed batch, to abort). The workload pauses meanwhile.

use super::{Producer, ProducerTimer};
use crate::actor::{Out, TimerKind};
use crate::event::EventKind;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{ErrorCode, Message};
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where the client's transaction stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// No transaction open.
    #[default]
    Idle,
    /// Records are being added.
    Open,
    /// Waiting for in-flight batches, then EndTxn.
    Ending { commit: bool },
    /// Fenced by a newer instance with the same transactional.id: nothing more is sent.
    Fenced,
}

/// A request to the coordinator awaiting its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Pending {
    Add { partitions: Vec<u32> },
    End { commit: bool },
}

/// Client-side transaction state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Txn {
    /// `transactional.id`.
    pub id: String,
    /// The coordinator broker.
    pub coordinator: BrokerId,
    /// Current phase.
    pub phase: Phase,
    added: BTreeSet<u32>,
    request: Option<(u64, Micros, Pending)>,
    records: u64,
    completed: u64,
    failed: bool,
    workload_waiting: bool,
}

impl Txn {
    /// A transactional producer's state before InitProducerId.
    pub fn new(id: String, brokers: u32) -> Txn {
        let coordinator = crate::broker::txn_coordinator::coordinator_for(&id, brokers);
        Txn { id, coordinator, phase: Phase::Idle, added: BTreeSet::new(), request: None, records: 0, completed: 0, failed: false, workload_waiting: false }
    }
}

impl Producer {
    /// True if the workload must wait (a transaction is completing, or the producer is fenced).
    pub(super) fn txn_blocks_workload(&mut self) -> bool {
        let Some(t) = self.txn.as_mut() else { return false };
        let blocked = matches!(t.phase, Phase::Ending { .. } | Phase::Fenced);
        if blocked {
            t.workload_waiting = true;
        }
        blocked
    }

    /// A record joined the accumulator: open a transaction, and end it after enough records.
    /// Returns true when this record ends the transaction (commitTransaction() wakes the sender).
    pub(super) fn txn_on_record(&mut self) -> bool {
        let per_txn = match self.workload.transaction_records {
            0 => 10,
            n => n,
        };
        let abort_every = self.workload.abort_every;
        // The workload's last record ends its transaction even if it is not full.
        let last = self.workload.max_records.is_some_and(|m| self.records_sent_by_workload >= m);
        let Some(t) = self.txn.as_mut() else { return false };
        if t.phase == Phase::Idle {
            t.phase = Phase::Open;
        }
        t.records += 1;
        if t.phase == Phase::Open && (t.records >= per_txn || last) {
            let scheduled_abort = abort_every > 0 && (t.completed + 1) % abort_every == 0;
            t.phase = Phase::Ending { commit: !scheduled_abort };
            return true;
        }
        false
    }

    /// A batch of the transaction failed for good: the transaction can only abort.
    pub(super) fn txn_on_batch_failed(&mut self) {
        if let Some(t) = self.txn.as_mut() {
            t.failed = true;
        }
    }

    /// True if `partition` may be drained (it is in the transaction, or there is no transaction).
    pub(super) fn txn_allows(&self, partition: u32) -> bool {
        self.txn.as_ref().is_none_or(|t| t.added.contains(&partition))
    }

    /// Before draining: add new partitions to the transaction, or end it once everything is acked.
    pub(super) fn txn_before_drain(&mut self, out: &mut Out) {
        // Only a transactional producer looks further (the drain runs per record).
        let Some(t) = self.txn.as_ref() else { return };
        let queued = self.accumulator.partitions();
        let idle = self.in_flight.is_empty() && queued.is_empty();
        let (pid, epoch) = (self.idem.producer_id, self.idem.epoch);
        if t.phase == Phase::Fenced || pid < 0 {
            return;
        }
        if t.request.as_ref().is_some_and(|(_, sent, _)| out.now < *sent + ms(1_000)) {
            return; // one coordinator request at a time; resent if unanswered for a second
        }
        let correlation = self.next_correlation + 1;
        let transactional_id = t.id.clone();
        let missing: Vec<u32> = queued.into_iter().filter(|p| !t.added.contains(p)).collect();
        let (pending, msg) = if !missing.is_empty() {
            let partitions = missing.iter().map(|&p| TopicPartition::new(self.topic.clone(), p)).collect();
            let msg = Message::AddPartitionsToTxnRequest { correlation, transactional_id, producer_id: pid, producer_epoch: epoch, partitions };
            (Pending::Add { partitions: missing }, msg)
        } else if let (Phase::Ending { commit }, true) = (t.phase, idle) {
            let commit = commit && !t.failed;
            let msg = Message::EndTxnRequest { correlation, transactional_id, producer_id: pid, producer_epoch: epoch, commit };
            (Pending::End { commit }, msg)
        } else {
            return;
        };
        let coordinator = t.coordinator;
        self.next_correlation = correlation;
        if let Some(t) = self.txn.as_mut() {
            t.request = Some((correlation, out.now, pending));
        }
        out.send(NodeId::Broker(coordinator), msg);
        out.timer(out.now + ms(1_000), TimerKind::Producer(ProducerTimer::Drain));
    }

    /// The coordinator answered AddPartitionsToTxn or EndTxn.
    pub(super) fn txn_on_response(&mut self, correlation: u64, error: ErrorCode, out: &mut Out) {
        let (pid, epoch) = (self.idem.producer_id, self.idem.epoch);
        let idx = self.idx;
        let Some(t) = self.txn.as_mut() else { return };
        let Some((c, _, pending)) = t.request.clone() else { return };
        if c != correlation {
            return;
        }
        t.request = None;
        match (error, pending) {
            (ErrorCode::None, Pending::Add { partitions }) => t.added.extend(partitions),
            (ErrorCode::None, Pending::End { commit }) => {
                out.emit(EventKind::TransactionCompleted { producer: idx, transactional_id: t.id.clone(), producer_id: pid, producer_epoch: epoch, commit, error: None });
                let bump = t.failed;
                // Records added while it was ending start the next transaction.
                t.phase = if self.accumulator.partitions().is_empty() { Phase::Idle } else { Phase::Open };
                t.added.clear();
                t.records = 0;
                t.completed += 1;
                t.failed = false;
                if bump {
                    // After a failed batch the sequences have a gap: a new epoch starts them over.
                    self.idem = super::Idempotence::default();
                }
                self.txn_resume_workload(out);
            }
            (ErrorCode::InvalidProducerEpoch, pending) => {
                let commit = matches!(pending, Pending::End { commit: true });
                out.emit(EventKind::TransactionCompleted {
                    producer: idx,
                    transactional_id: t.id.clone(),
                    producer_id: pid,
                    producer_epoch: epoch,
                    commit,
                    error: Some("PRODUCER_FENCED".into()),
                });
                t.phase = Phase::Fenced;
            }
            _ => {
                // CONCURRENT_TRANSACTIONS and the like: ask again shortly.
                out.timer(out.now + ms(100), TimerKind::Producer(ProducerTimer::Drain));
            }
        }
        self.drain(out);
    }

    fn txn_resume_workload(&mut self, out: &mut Out) {
        let Some(t) = self.txn.as_mut() else { return };
        if std::mem::take(&mut t.workload_waiting) && self.rate > 0 {
            self.rate_epoch = (out.now, self.records_sent_by_workload);
            out.timer(out.now, TimerKind::Producer(ProducerTimer::NextRecord));
        }
    }
}
