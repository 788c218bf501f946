//! The safety ledger: the simulation knows ground truth, so it can say which acknowledged records
//! were lost, which were written twice, and which replicas disagree below the high watermark.
//!
//! Batches are identified by their CRC-32C (it covers timestamps, keys and values, not the offset or
//! leader epoch a broker stamps), so a batch found at any offset in a log is the batch the producer
//! sent, and the same CRC twice in one log is a duplicate written by a retry.

use crate::broker::Broker;
use crate::ids::TopicPartition;
use crate::log::{Log, Records};
use crate::net::PartitionState;
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// A batch the producer was told was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckedBatch {
    /// Where it went.
    pub tp: TopicPartition,
    /// Its CRC-32C.
    pub crc: u32,
    /// Records in it.
    pub records: u32,
    /// Offset the leader gave it (a retention or compaction check: see [`audit`]).
    #[serde(default)]
    pub base_offset: i64,
}

/// The ledger's counts, as `kafkascope run` prints them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerCounts {
    /// Records created by producers.
    pub produced: u64,
    /// Records whose produce succeeded.
    pub acknowledged: u64,
    /// Acknowledged records missing from their partition's current leader (or, for an offline
    /// partition, from every replica).
    pub acked_lost: u64,
    /// Records present more than once in a leader's log.
    pub duplicates: u64,
    /// Replicas whose log differs from the leader's below the leader's high watermark.
    pub divergent_replicas: u64,
}

/// Every batch of a log, in offset order: (base offset, CRC, records, bytes). The bytes share the
/// log's buffers (the audit runs a few times a second in the page; copying every batch was most
/// of its cost).
fn scan(log: &Log, upto: i64) -> Vec<(i64, u32, u32, Records)> {
    let mut out = Vec::new();
    let mut offset = log.log_start_offset();
    while offset < upto.min(log.log_end_offset()) {
        let Ok(read) = log.read(offset, upto, usize::MAX) else { break };
        if read.records.is_empty() || read.next_offset <= offset {
            break;
        }
        for item in read.records.batches() {
            let Ok((pos, h, bytes)) = item else { break };
            let shared = read.records.slice(pos..pos + bytes.len());
            out.push((h.base_offset, h.crc, h.records_count.max(0) as u32, shared));
        }
        offset = read.next_offset;
    }
    out
}

/// Audits the cluster against what producers were told.
pub fn audit(
    brokers: &[Broker],
    partitions: &std::collections::BTreeMap<TopicPartition, PartitionState>,
    acked: &[AckedBatch],
    produced: u64,
) -> LedgerCounts {
    let mut counts = LedgerCounts { produced, ..Default::default() };
    let broker = |id: u32| brokers.get(id as usize - 1);
    // CRCs present per partition in the authoritative copy, sorted (a log holds many thousands of
    // batches: one sort, not an ordered insert per batch).
    let mut present: VecMap<&TopicPartition, Vec<u32>> = VecMap::new();
    for (tp, state) in partitions {
        let mut crcs: Vec<u32> = Vec::new();
        let holders: Vec<u32> = match state.leader {
            Some(l) => vec![l],
            None => state.replicas.clone(),
        };
        for b in holders {
            let Some(log) = broker(b).and_then(|br| br.disk.logs.get(tp)) else { continue };
            let seen = scan(log, log.log_end_offset());
            if state.leader.is_some() {
                // Log order within equal CRCs (a stable sort): every copy after the first is a duplicate.
                let mut by_crc: Vec<(u32, u32)> = seen.iter().map(|(_, crc, n, _)| (*crc, *n)).collect();
                crate::order::sort_by_key(&mut by_crc, |&(crc, _)| crc);
                for (i, &(crc, n)) in by_crc.iter().enumerate() {
                    if i > 0 && by_crc[i - 1].0 == crc {
                        counts.duplicates += n as u64;
                    }
                }
                crcs.extend(by_crc.iter().map(|&(crc, _)| crc));
            } else {
                crcs.extend(seen.iter().map(|(_, crc, _, _)| *crc));
            }
        }
        if state.leader.is_none() {
            crate::order::sort(&mut crcs); // several holders' CRCs; the leader's are sorted above
        }
        crcs.dedup();
        present.insert(tp, crcs);
        counts.divergent_replicas += divergent_replicas(brokers, tp, state).len() as u64;
    }
    for a in acked {
        counts.acknowledged += a.records as u64;
        let found = present.get(&a.tp).is_some_and(|m| m.binary_search(&a.crc).is_ok());
        if !found && !removed_by_cleanup(brokers, partitions, a) {
            counts.acked_lost += a.records as u64;
        }
    }
    counts
}

/// Followers whose committed prefix (below min(leader HW, follower LEO)) differs from the leader's,
/// each with the base offset of the first batch that differs.
pub fn divergent_replicas(brokers: &[Broker], tp: &TopicPartition, state: &PartitionState) -> Vec<(u32, i64)> {
    let Some(leader) = state.leader else { return vec![] };
    let Some(lb) = brokers.get((leader as usize).wrapping_sub(1)) else { return vec![] };
    let (Some(llog), Some(replica)) = (lb.disk.logs.get(tp), lb.replica(tp)) else { return vec![] };
    let hw = replica.hw;
    let reference = scan(llog, hw);
    let mut found = vec![];
    for &b in state.replicas.iter().filter(|&&b| b != leader) {
        let Some(flog) = brokers.get((b as usize).wrapping_sub(1)).and_then(|br| br.disk.logs.get(tp)) else { continue };
        let upto = hw.min(flog.log_end_offset());
        let theirs = scan(flog, upto);
        let mine: Vec<_> = reference.iter().filter(|(base, ..)| *base < upto).collect();
        let first = theirs.iter().zip(&mine).find(|(a, b)| a.0 != b.0 || a.3 != b.3).map(|(a, _)| a.0);
        let first = first.or_else(|| (theirs.len() != mine.len()).then(|| theirs.len().min(mine.len())).map(|i| {
            theirs.get(i).or(mine.get(i).copied()).map_or(upto, |x| x.0)
        }));
        if let Some(offset) = first {
            found.push((b, offset));
        }
    }
    found
}

/// Whether a batch missing from the leader was removed on purpose: retention moved the log start
/// past it, or the log cleaner rewrote the (non-active) segments of a compacted log that held it.
/// Found by lesson 16 (retention and compaction), where the ledger counted every deleted record as
/// "acked-then-lost".
fn removed_by_cleanup(brokers: &[Broker], partitions: &std::collections::BTreeMap<TopicPartition, PartitionState>, a: &AckedBatch) -> bool {
    let Some(leader) = partitions.get(&a.tp).and_then(|s| s.leader) else { return false };
    let Some(log) = brokers.get(leader as usize - 1).and_then(|b| b.disk.logs.get(&a.tp)) else { return false };
    // acks=0 batches have no offset (-1): nothing to compare, so they are audited as usual.
    if a.base_offset < 0 {
        return false;
    }
    if a.base_offset < log.log_start_offset() {
        return true;
    }
    let active_base = log.segments().last().map_or(0, |s| s.base_offset);
    log.config.cleanup_policy_compact && a.base_offset < active_base
}
