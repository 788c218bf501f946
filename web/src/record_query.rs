//! A read-only query the driver answers for the record inspector: one record of one replica — its
//! key and value, why it landed in its partition, its batch, which replicas hold the same batch at
//! that offset, whether it is committed (below the leader's high watermark) and what the safety
//! ledger says of it (acknowledged, lost, written twice). Batches are matched by CRC-32C, as the
//! engine's ledger does (`src/ledger.rs`): the CRC covers keys, values and timestamps, not the
//! offset or epoch a broker stamps.

use kafkascope::ids::{BrokerId, TopicPartition};
use kafkascope::log::batch::{decode_records, BatchHeader};
use kafkascope::log::Log;
use kafkascope::producer::partitioner::{murmur2, partition_for_key, to_positive};
use kafkascope::sim::Sim;

/// Why a record is in its partition, as far as the log can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The default partitioner: `toPositive(murmur2(key)) % partitions` gives this partition.
    Murmur2 {
        /// The key's murmur2 hash.
        hash: i32,
        /// The topic's partition count.
        partitions: u32,
    },
    /// Keyed, but murmur2 would pick `expected`: an explicit partition (or `partitioner.ignore.keys`).
    NotKeyHash {
        /// The partition murmur2 picks.
        expected: u32,
    },
    /// No key: sticky partitioning (KIP-480/794) or an explicit partition; the log cannot say which.
    NullKey,
}

/// What a replica has at the record's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// The same batch (same CRC).
    Same,
    /// A different batch: the replica diverged there.
    Other,
    /// Nothing: the replica's log ends before (or starts after) the offset.
    Missing,
}

/// What the safety ledger says of the record's batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerStatus {
    /// Acknowledged to its producer and present in the leader's log.
    Acked,
    /// Acknowledged, and missing from the partition's current leader: acked-then-lost.
    AckedThenLost,
    /// Never acknowledged (yet): the producer may still retry or has given up.
    NotAcked,
}

/// One record, as the inspector shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordInfo {
    /// Absolute offset.
    pub offset: i64,
    /// Key as text (lossy UTF-8), if any.
    pub key: Option<String>,
    /// Value as text (lossy UTF-8, shortened), if any.
    pub value: Option<String>,
    /// Why it is in this partition.
    pub why: Why,
    /// Its batch's offsets `[base, last]`, leader epoch, record count and CRC.
    pub batch: (i64, i64, i32, i32, u32),
    /// Producer id (−1: not idempotent) and the record's sequence number.
    pub producer: (i64, i32),
    /// Each assigned replica and what it holds at this offset.
    pub holders: Vec<(BrokerId, Holding)>,
    /// The partition's leader and its high watermark.
    pub leader: Option<(BrokerId, i64)>,
    /// Below the leader's high watermark (readable by consumers, survives a clean election).
    pub committed: bool,
    /// The ledger's word on the batch.
    pub ledger: LedgerStatus,
    /// Times the batch appears in the leader's log (more than 1: a duplicate from a retry).
    pub copies_in_leader: usize,
}

/// The batch of `log` holding `offset`: its header and bytes.
fn batch_at(log: &Log, offset: i64) -> Option<(BatchHeader, Vec<u8>)> {
    let read = log.read(offset, i64::MAX, 1).ok()?;
    read.records.batches().filter_map(Result::ok).find(|(_, h, _)| h.base_offset <= offset && offset <= h.last_offset()).map(|(_, h, b)| (h, b.to_vec()))
}

/// How many batches of `log` carry `crc` (one read per segment, as Kafka reads).
fn copies(log: &Log, crc: u32) -> usize {
    let (mut n, mut offset) = (0, log.log_start_offset());
    while offset < log.log_end_offset() {
        let Ok(read) = log.read(offset, i64::MAX, usize::MAX) else { break };
        if read.next_offset <= offset {
            break;
        }
        n += read.records.batches().filter_map(Result::ok).filter(|(_, h, _)| h.crc == crc).count();
        offset = read.next_offset;
    }
    n
}

fn text(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s.into_owned() }
}

/// Answers "what is record `offset` of `topic`-`partition` on `broker`?", or `None` when that
/// replica has no such record.
pub fn record_at(sim: &Sim, broker: BrokerId, topic: &str, partition: u32, offset: i64) -> Option<RecordInfo> {
    let tp = TopicPartition::new(topic.to_owned(), partition);
    let log_of = |b: BrokerId| sim.brokers().get((b as usize).checked_sub(1)?)?.disk.logs.get(&tp);
    let (h, bytes) = batch_at(log_of(broker)?, offset)?;
    let (_, records) = decode_records(&bytes).ok()?;
    let rec = records.iter().find(|r| r.offset(&h) == offset)?;
    let partitions = sim.partitions().keys().filter(|k| k.topic == topic).count() as u32;
    let why = match rec.key.as_deref() {
        None => Why::NullKey,
        Some(k) if partition_for_key(k, partitions.max(1)) == partition => Why::Murmur2 { hash: murmur2(k), partitions },
        Some(k) => Why::NotKeyHash { expected: to_positive(murmur2(k)) as u32 % partitions.max(1) },
    };
    let state = sim.partitions().get(&tp);
    let holders = state.map(|s| s.replicas.clone()).unwrap_or_default().into_iter().map(|b| {
        let held = log_of(b).and_then(|l| batch_at(l, offset));
        (b, match held { Some((o, _)) if o.crc == h.crc => Holding::Same, Some(_) => Holding::Other, None => Holding::Missing })
    });
    let holders: Vec<(BrokerId, Holding)> = holders.collect();
    let leader = state.and_then(|s| s.leader).and_then(|l| Some((l, sim.brokers().get(l as usize - 1)?.replica(&tp)?.hw)));
    let copies_in_leader = leader.and_then(|(l, _)| log_of(l)).map_or(0, |log| copies(log, h.crc));
    let acked = sim.producers().iter().flat_map(|p| p.acked()).any(|a| a.tp == tp && a.crc == h.crc);
    let ledger = match (acked, leader.is_some() && copies_in_leader == 0) {
        (false, _) => LedgerStatus::NotAcked,
        (true, true) => LedgerStatus::AckedThenLost,
        (true, false) => LedgerStatus::Acked,
    };
    let sequence = if h.base_sequence < 0 { -1 } else { h.base_sequence.wrapping_add(rec.offset_delta) };
    Some(RecordInfo {
        offset,
        key: rec.key.as_deref().map(text),
        value: rec.value.as_deref().map(text),
        why,
        batch: (h.base_offset, h.last_offset(), h.partition_leader_epoch, h.records_count, h.crc),
        producer: (h.producer_id, sequence),
        holders,
        leader,
        committed: leader.is_some_and(|(_, hw)| offset < hw),
        ledger,
        copies_in_leader,
    })
}
