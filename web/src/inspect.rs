//! Read-only queries the driver answers for the inspector: a replica's segments, one segment's
//! bytes (hex), its batches decoded with the engine's `log::batch` decoder, its `.index` and
//! `.timeindex` entries, and an offset lookup walked through the sparse index. Every list is
//! bounded so the DOM stays small however long the run.

use kafkascope::ids::{BrokerId, TopicPartition};
use kafkascope::log::batch::{decode_records, read_header};
use kafkascope::log::{LookupSteps, SegmentInfo};
use kafkascope::sim::Sim;

/// Bytes shown in the hex view.
pub const HEX_BYTES: usize = 256;
/// Batches decoded and listed.
pub const MAX_BATCHES: usize = 40;
/// Records shown per batch.
pub const MAX_RECORDS: usize = 3;
/// Index entries listed per file.
pub const MAX_ENTRIES: usize = 40;

/// Which replica, and which of its segments, the inspector shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// The broker holding the replica.
    pub broker: BrokerId,
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: u32,
    /// Base offset of the segment shown (`None`: the active one).
    pub segment: Option<i64>,
    /// Offset to look up through the index, if asked.
    pub lookup: Option<i64>,
    /// The record clicked on the strip, if one was (its segment is then shown).
    pub record: Option<i64>,
}

/// One decoded record.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordRow {
    /// Absolute offset.
    pub offset: i64,
    /// Key as text (lossy UTF-8), if any.
    pub key: Option<String>,
    /// Value as text (lossy UTF-8, shortened), if any.
    pub value: Option<String>,
}

/// One decoded batch header with its first records.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRow {
    /// Byte position in the segment file.
    pub position: usize,
    /// First and last offsets.
    pub base_offset: i64,
    /// Last offset of the batch.
    pub last_offset: i64,
    /// Leader epoch stamped on append.
    pub epoch: i32,
    /// Total bytes.
    pub size: usize,
    /// Records in the batch.
    pub records_count: i32,
    /// CRC-32C stored in the header.
    pub crc: u32,
    /// Producer id (−1: not idempotent) and base sequence.
    pub producer: (i64, i32),
    /// The first records, decoded.
    pub records: Vec<RecordRow>,
}

/// What the inspector shows for a selection.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// The selection answered.
    pub selection: Selection,
    /// Every segment of the replica, oldest first.
    pub segments: Vec<SegmentInfo>,
    /// Base offset of the segment shown.
    pub segment: i64,
    /// File name of the segment's `.log`.
    pub file_name: String,
    /// Total bytes of the `.log` file.
    pub file_len: usize,
    /// The first bytes of the `.log` file.
    pub head: Vec<u8>,
    /// Decoded batches.
    pub batches: Vec<BatchRow>,
    /// `.index` entries: (absolute offset, position).
    pub index: Vec<(i64, u32)>,
    /// `.timeindex` entries: (timestamp, absolute offset).
    pub time_index: Vec<(i64, i64)>,
    /// The lookup walked through the index, if one was asked.
    pub lookup: Option<LookupSteps>,
    /// The clicked record, if one was clicked and the replica still has it.
    pub record: Option<crate::record_query::RecordInfo>,
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_i64(b: &[u8]) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    i64::from_be_bytes(a)
}

fn text(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s.into_owned() }
}

/// Decodes up to [`MAX_BATCHES`] batches of a `.log` file with the engine's decoder.
pub fn decode_batches(data: &[u8]) -> Vec<BatchRow> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() && out.len() < MAX_BATCHES {
        let Ok(h) = read_header(&data[pos..]) else { break };
        let size = h.size_in_bytes();
        let end = (pos + size).min(data.len());
        let records = decode_records(&data[pos..end])
            .map(|(_, rs)| {
                rs.iter()
                    .take(MAX_RECORDS)
                    .map(|r| RecordRow { offset: r.offset(&h), key: r.key.as_deref().map(text), value: r.value.as_deref().map(text) })
                    .collect()
            })
            .unwrap_or_default();
        out.push(BatchRow {
            position: pos,
            base_offset: h.base_offset,
            last_offset: h.last_offset(),
            epoch: h.partition_leader_epoch,
            size,
            records_count: h.records_count,
            crc: h.crc,
            producer: (h.producer_id, h.base_sequence),
            records,
        });
        if size == 0 {
            break;
        }
        pos += size;
    }
    out
}

/// Answers a selection from the simulation, or `None` when the replica has no log there.
pub fn inspect(sim: &Sim, sel: &Selection) -> Option<Inspection> {
    let broker = sim.brokers().get((sel.broker as usize).checked_sub(1)?)?;
    let log = broker.disk.logs.get(&TopicPartition::new(sel.topic.clone(), sel.partition))?;
    let segments = log.segments();
    let holding = |o: i64| segments.iter().rev().find(|s| s.base_offset <= o).map(|s| s.base_offset);
    let segment = sel.segment.filter(|b| segments.iter().any(|s| s.base_offset == *b));
    let segment = segment.or(sel.record.and_then(holding)).or(segments.last().map(|s| s.base_offset))?;
    let stem = format!("{segment:020}");
    let files = log.segment_files();
    let file = |ext: &str| files.iter().find(|(n, _)| *n == format!("{stem}.{ext}")).map(|(_, b)| b.as_slice()).unwrap_or(&[]);
    let data = file("log");
    let index = file("index").chunks_exact(8).take(MAX_ENTRIES).map(|c| (segment + i64::from(be_i32(c)), be_i32(&c[4..]) as u32)).collect();
    let time_index = file("timeindex").chunks_exact(12).take(MAX_ENTRIES).map(|c| (be_i64(c), segment + i64::from(be_i32(&c[8..])))).collect();
    Some(Inspection {
        selection: sel.clone(),
        segments,
        segment,
        file_name: format!("{stem}.log"),
        file_len: data.len(),
        head: data[..data.len().min(HEX_BYTES)].to_vec(),
        batches: decode_batches(data),
        index,
        time_index,
        lookup: sel.lookup.map(|o| log.lookup(o)),
        record: sel.record.and_then(|o| crate::record_query::record_at(sim, sel.broker, &sel.topic, sel.partition, o)),
    })
}

/// The named `.log` file of a replica's segment, for download.
pub fn segment_log(sim: &Sim, sel: &Selection, segment: i64) -> Option<(String, Vec<u8>)> {
    let broker = sim.brokers().get((sel.broker as usize).checked_sub(1)?)?;
    let log = broker.disk.logs.get(&TopicPartition::new(sel.topic.clone(), sel.partition))?;
    let name = format!("{segment:020}.log");
    log.segment_files().into_iter().find(|(n, _)| *n == name)
}
