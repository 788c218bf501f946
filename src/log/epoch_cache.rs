//! Leader-epoch cache: (epoch, start offset) pairs, the content of `leader-epoch-checkpoint`.
//! Ref: KIP-101, KIP-279; kafka-facts.md §4. Mirrors `LeaderEpochFileCache`.

use serde::{Deserialize, Serialize};

/// One leader epoch and the first offset written in it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochEntry {
    /// Leader epoch.
    pub epoch: i32,
    /// First offset appended under that epoch.
    pub start_offset: i64,
}

/// Epoch entries with strictly increasing epochs and start offsets.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochCache {
    /// Entries, oldest first.
    pub entries: Vec<EpochEntry>,
}

impl EpochCache {
    /// Records that `epoch` starts at `start_offset`, dropping entries it contradicts.
    pub fn assign(&mut self, epoch: i32, start_offset: i64) {
        if epoch < 0 || start_offset < 0 {
            return;
        }
        let needed = self
            .entries
            .last()
            .is_none_or(|l| epoch != l.epoch || start_offset < l.start_offset);
        if !needed {
            return;
        }
        // Keep the cache monotonic: later or equal epochs/offsets are superseded.
        while self
            .entries
            .last()
            .is_some_and(|l| l.epoch >= epoch || l.start_offset >= start_offset)
        {
            self.entries.pop();
        }
        self.entries.push(EpochEntry {
            epoch,
            start_offset,
        });
    }

    /// The newest epoch, if any.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.epoch)
    }

    /// KIP-101/279: (largest epoch ≤ requested, the offset where the next epoch starts, or LEO).
    pub fn end_offset_for(&self, epoch: i32, log_end_offset: i64) -> Option<(i32, i64)> {
        let latest = self.entries.last()?;
        if epoch == latest.epoch {
            return Some((epoch, log_end_offset));
        }
        let higher = self.entries.iter().find(|e| e.epoch > epoch)?;
        match self.entries.iter().rev().find(|e| e.epoch <= epoch) {
            Some(floor) => Some((floor.epoch, higher.start_offset)),
            // Requested epoch older than anything we know: Kafka answers with the requested epoch.
            None => Some((epoch, higher.start_offset)),
        }
    }

    /// After truncating the log to `end_offset`: drop entries starting at or after it.
    pub fn truncate_from_end(&mut self, end_offset: i64) {
        self.entries.retain(|e| e.start_offset < end_offset);
    }

    /// After the log start moves to `start_offset`: drop older entries, keeping the epoch in force.
    pub fn truncate_from_start(&mut self, start_offset: i64) {
        let removed = self
            .entries
            .iter()
            .take_while(|e| e.start_offset <= start_offset)
            .count();
        if removed > 0 {
            let epoch = self.entries[removed - 1].epoch;
            self.entries.drain(..removed);
            self.entries.insert(
                0,
                EpochEntry {
                    epoch,
                    start_offset,
                },
            );
        }
    }

    /// The `leader-epoch-checkpoint` file: version 0, entry count, then "epoch offset" lines.
    pub fn checkpoint_file(&self) -> String {
        let mut s = format!("0\n{}\n", self.entries.len());
        for e in &self.entries {
            s.push_str(&format!("{} {}\n", e.epoch, e.start_offset));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(pairs: &[(i32, i64)]) -> EpochCache {
        let mut c = EpochCache::default();
        for &(e, o) in pairs {
            c.assign(e, o);
        }
        c
    }

    // Ref: KIP-101 / KIP-279 (LeaderEpochFileCache.endOffsetFor)
    #[test]
    fn end_offset_for_epoch_semantics() {
        let c = cache(&[(1, 0), (3, 100), (5, 250)]);
        assert_eq!(c.end_offset_for(5, 300), Some((5, 300)));
        assert_eq!(c.end_offset_for(3, 300), Some((3, 250)));
        assert_eq!(c.end_offset_for(4, 300), Some((3, 250)));
        assert_eq!(c.end_offset_for(0, 300), Some((0, 0)));
        assert_eq!(c.end_offset_for(6, 300), None);
        assert_eq!(EpochCache::default().end_offset_for(0, 0), None);
    }

    #[test]
    fn assign_keeps_monotonic_and_truncations() {
        let mut c = cache(&[(1, 0), (3, 100), (5, 250)]);
        c.assign(5, 260); // same epoch, later offset: no change
        assert_eq!(c.entries.len(), 3);
        c.assign(4, 200); // an older epoch at a lower offset supersedes epoch 5
        assert_eq!(c.latest_epoch(), Some(4));
        c.truncate_from_end(100);
        assert_eq!(
            c.entries,
            vec![EpochEntry {
                epoch: 1,
                start_offset: 0
            }]
        );
        let mut c = cache(&[(1, 0), (3, 100), (5, 250)]);
        c.truncate_from_start(150);
        assert_eq!(
            c.entries[0],
            EpochEntry {
                epoch: 3,
                start_offset: 150
            }
        );
        assert_eq!(c.checkpoint_file(), "0\n2\n3 150\n5 250\n");
    }
}
