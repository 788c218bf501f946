//! Read-only views of a [`Log`] for the UI and the CLI: segment stats, files, lookups.

use super::batch::decode_records;
use super::records::Records;
use super::log::Log;
use super::types::*;

impl Log {
    /// Per-segment statistics, oldest first.
    pub fn segments(&self) -> Vec<SegmentInfo> {
        let n = self.segments.len();
        self.segments
            .iter()
            .enumerate()
            .map(|(i, s)| SegmentInfo {
                base_offset: s.base_offset,
                next_offset: if i + 1 == n {
                    self.log_end_offset
                } else {
                    s.next_offset()
                },
                size_bytes: s.size(),
                largest_timestamp: s.largest_timestamp(),
                index_entries: s.offset_index.entries.len() as u32,
                time_index_entries: s.time_index.entries.len() as u32,
                active: i + 1 == n,
            })
            .collect()
    }

    /// Each segment's base offset and `.log` bytes, borrowed (a checkpoint copies only what changed).
    pub fn segment_logs(&self) -> impl Iterator<Item = (i64, &Records)> + '_ {
        self.segments.iter().map(|s| (s.base_offset, &s.data))
    }

    /// The segment files as Kafka names and writes them (indexes trimmed, as after a roll).
    pub fn segment_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for s in &self.segments {
            let stem = format!("{:020}", s.base_offset);
            out.push((format!("{stem}.log"), s.data.to_vec()));
            out.push((format!("{stem}.index"), s.offset_index.to_bytes()));
            out.push((format!("{stem}.timeindex"), s.time_index.to_bytes()));
            if !s.txn_index.is_empty() {
                let bytes = super::txn_index::txn_index_bytes(&s.txn_index);
                out.push((format!("{stem}.txnindex"), bytes));
            }
        }
        out
    }

    /// How `offset` is found: pick the segment, binary-search its index, scan batches forward.
    pub fn lookup(&self, offset: i64) -> LookupSteps {
        let mut steps = LookupSteps {
            target: offset,
            segment_base_offset: None,
            index_probes: Vec::new(),
            index_hit: None,
            scanned: Vec::new(),
            found: None,
        };
        if offset < self.log_start_offset || offset >= self.log_end_offset {
            return steps;
        }
        let Some(seg) = self.segments.iter().rev().find(|s| s.base_offset <= offset) else {
            return steps;
        };
        steps.segment_base_offset = Some(seg.base_offset);
        let (hit, probes) = seg.offset_index.lookup(offset);
        steps.index_probes = probes;
        steps.index_hit = hit;
        for (pos, h, b) in seg.batches_from(hit.map_or(0, |(_, p)| p as usize)) {
            let sb = ScannedBatch {
                position: pos as u32,
                base_offset: h.base_offset,
                last_offset: h.last_offset(),
                size: b.len() as u32,
            };
            steps.scanned.push(sb);
            if h.last_offset() >= offset {
                steps.found = Some(sb);
                break;
            }
        }
        steps
    }

    /// ListOffsets by timestamp (`UnifiedLog.fetchOffsetByTimestamp`): the earliest offset whose
    /// timestamp is ≥ `ts`, or None when no record is that new. −2 (EARLIEST) gives the log start
    /// and −1 (LATEST) the LEO. Picks the first segment whose largest timestamp is ≥ `ts`, takes the
    /// greatest time-index entry ≤ `ts`, turns its offset into a position through the offset index,
    /// then scans batches (`LogSegment.findOffsetByTimestamp`).
    pub fn offset_for_timestamp(&self, ts: i64) -> Option<i64> {
        match ts {
            -2 => return Some(self.log_start_offset),
            -1 => return Some(self.log_end_offset),
            t if t < 0 => return None,
            _ => {}
        }
        for seg in self.segments.iter().filter(|s| !s.is_empty() && s.largest_timestamp() >= ts) {
            let entries = &seg.time_index.entries;
            let i = entries.partition_point(|&(t, _)| t <= ts);
            let from = i
                .checked_sub(1)
                .map_or(seg.base_offset, |i| seg.base_offset + entries[i].1 as i64);
            let position = seg.offset_index.find(from).map_or(0, |(_, p)| p as usize);
            for (_, h, bytes) in seg.batches_from(position) {
                if h.max_timestamp < ts || h.last_offset() < self.log_start_offset {
                    continue;
                }
                let Ok((_, records)) = decode_records(bytes) else { continue };
                let hit = records
                    .iter()
                    .find(|r| r.timestamp(&h) >= ts && r.offset(&h) >= self.log_start_offset);
                if let Some(r) = hit {
                    return Some(r.offset(&h));
                }
            }
        }
        None
    }

    /// Re-validates every stored batch (the recovery scan); returns the first problem, if any.
    pub fn check_integrity(&self) -> Result<(), LogError> {
        for s in &self.segments {
            let mut pos = 0;
            for item in s.data.batches() {
                let (at, _, bytes) = item.map_err(|error| LogError::CorruptBatch { position: pos, error })?;
                pos = at + bytes.len();
            }
        }
        Ok(())
    }
}
