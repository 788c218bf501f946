//! The safety ledger's view of the run: the audit, and keeping what it remembers bounded.

use super::Sim;
use crate::ledger::{audit, AckedBatch, LedgerCounts};

impl Sim {
    /// Audits acknowledged records against the brokers' logs (see [`crate::ledger`]).
    pub fn ledger(&self) -> LedgerCounts {
        let acked: Vec<AckedBatch> = self.producers.iter().flat_map(|p| p.acked().iter().cloned()).collect();
        let produced = self.producers.iter().map(|p| p.produced()).sum();
        let mut counts = audit(&self.brokers, self.metadata.partitions(), &acked, produced);
        counts.acknowledged += self.producers.iter().map(|p| p.acked_forgotten()).sum::<u64>();
        counts
    }

    /// Forgets acknowledged batches that retention removed from every replica: no replica can hold
    /// them again (a log start offset only grows, and a new replica starts at the leader's), so the
    /// audit would always find them "removed by cleanup". Without this the ledger grows with every
    /// batch of a long run, which is the whole memory growth of an hour at 10,000 records/s.
    pub(super) fn forget_deleted_acks(&mut self) {
        let partitions = self.metadata.partitions();
        let brokers = &self.brokers;
        // Per partition, the smallest log start offset over its replicas (None if one has no log),
        // computed once per partition rather than per remembered batch.
        let floors: std::collections::BTreeMap<_, Option<i64>> = partitions
            .iter()
            .map(|(tp, state)| {
                let mut starts = state.replicas.iter().map(|&b| brokers.get(b as usize - 1).and_then(|br| br.disk.logs.get(tp)).map(|l| l.log_start_offset()));
                (tp, starts.try_fold(i64::MAX, |m, s| s.map(|s| m.min(s))))
            })
            .collect();
        let floor = |a: &AckedBatch| floors.get(&a.tp).copied().flatten();
        for p in &mut self.producers {
            // acks=0 batches have no offset (-1) and are kept, as the audit keeps checking them.
            p.forget_acked(|a| a.base_offset >= 0 && floor(a).is_some_and(|f| a.base_offset + a.records as i64 <= f));
        }
    }
}
