//! Read-only views of a [`Log`] for the UI and the CLI: segment stats, files, lookups.

use super::batch::validate;
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

    /// The segment files as Kafka names and writes them (indexes trimmed, as after a roll).
    pub fn segment_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for s in &self.segments {
            let stem = format!("{:020}", s.base_offset);
            out.push((format!("{stem}.log"), s.data.clone()));
            out.push((format!("{stem}.index"), s.offset_index.to_bytes()));
            out.push((format!("{stem}.timeindex"), s.time_index.to_bytes()));
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

    /// Re-validates every stored batch (the recovery scan); returns the first problem, if any.
    pub fn check_integrity(&self) -> Result<(), LogError> {
        for s in &self.segments {
            let mut pos = 0;
            while pos < s.data.len() {
                let h = validate(&s.data[pos..]).map_err(|error| LogError::CorruptBatch {
                    position: pos,
                    error: error.shifted(pos),
                })?;
                pos += h.size_in_bytes();
            }
        }
        Ok(())
    }
}
