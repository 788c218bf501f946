//! Committed offsets: OffsetCommit appends records to the group's `__consumer_offsets` partition
//! (acks=all through the same log and replication as any produce), and the coordinator's cache is
//! updated once the high watermark passes them. A broker that becomes the partition's leader loads the
//! offsets back from its log (kafka-facts.md §7 "Offsets and fetching").
//!
//! Record format: Kafka's own. Key = OffsetCommitKey v1 (int16 version=1, string group, string topic,
//! int32 partition); value = OffsetCommitValue v3 (int16 version=3, int64 offset, int32 leaderEpoch=-1,
//! string metadata="", int64 commitTimestamp). Strings are int16 length + UTF-8.

use super::Broker;
use crate::actor::Out;
use crate::consumer::OFFSETS_TOPIC;
use crate::event::EventKind;
use crate::ids::{NodeId, TopicPartition};
use crate::log::batch::{BatchBuilder, BatchOptions};
use crate::net::{Acks, ErrorCode, Message, ProduceBatch};
use crate::time::timestamp_ms;
use serde::{Deserialize, Serialize};

/// An OffsetCommit appended and waiting for the high watermark.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingCommit {
    client: NodeId,
    correlation: u64,
    group: String,
    member_id: String,
    partition: u32,
    required: i64,
    offsets: Vec<(TopicPartition, i64)>,
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let n = b.len().min(i16::MAX as usize);
    buf.extend_from_slice(&(n as i16).to_be_bytes());
    buf.extend_from_slice(&b[..n]);
}

/// OffsetCommitKey v1.
pub fn encode_key(group: &str, tp: &TopicPartition) -> Vec<u8> {
    let mut k = 1i16.to_be_bytes().to_vec();
    put_str(&mut k, group);
    put_str(&mut k, &tp.topic);
    k.extend_from_slice(&(tp.partition as i32).to_be_bytes());
    k
}

/// OffsetCommitValue v3.
pub fn encode_value(offset: i64, commit_ms: i64) -> Vec<u8> {
    let mut v = 3i16.to_be_bytes().to_vec();
    v.extend_from_slice(&offset.to_be_bytes());
    v.extend_from_slice(&(-1i32).to_be_bytes());
    put_str(&mut v, "");
    v.extend_from_slice(&commit_ms.to_be_bytes());
    v
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn i16(&mut self) -> Option<i16> {
        Some(i16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.i16()?;
        String::from_utf8(self.take(usize::try_from(n).ok()?)?.to_vec()).ok()
    }
}

/// Decodes an offset commit key: (group, partition); `None` for other record types or bad bytes.
pub fn decode_key(key: &[u8]) -> Option<(String, TopicPartition)> {
    let mut r = Reader(key);
    if !matches!(r.i16()?, 0 | 1) {
        return None;
    }
    let group = r.string()?;
    let topic = r.string()?;
    let partition = u32::try_from(r.i32()?).ok()?;
    Some((group, TopicPartition::new(topic, partition)))
}

/// Decodes an offset commit value's offset.
pub fn decode_value(value: &[u8]) -> Option<i64> {
    let mut r = Reader(value);
    r.i16()?;
    r.i64()
}

impl Broker {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_offset_commit(
        &mut self,
        from: NodeId,
        correlation: u64,
        group: String,
        member_id: String,
        generation: i32,
        offsets: Vec<(TopicPartition, i64)>,
        out: &mut Out,
    ) {
        let reply = |error, offsets| Message::OffsetCommitResponse { correlation, error, offsets };
        if !self.coordinates(&group) {
            return out.send(from, reply(ErrorCode::NotCoordinator, offsets));
        }
        if generation >= 0 {
            let g = self.group_mut(&group);
            let error = if !g.member_ids().contains(&member_id) {
                ErrorCode::UnknownMemberId
            } else if g.generation != generation {
                ErrorCode::IllegalGeneration
            } else {
                ErrorCode::None
            };
            if error != ErrorCode::None {
                return out.send(from, reply(error, offsets));
            }
        }
        let now_ms = timestamp_ms(out.now);
        let mut builder = BatchBuilder::new(BatchOptions::default());
        for (tp, offset) in &offsets {
            builder.append(now_ms, Some(&encode_key(&group, tp)), Some(&encode_value(*offset, now_ms)), &[]);
        }
        let partition = self.coordinator.partition_for(&group);
        let batch = ProduceBatch { tp: TopicPartition::new(OFFSETS_TOPIC, partition), batch_id: 0, bytes: builder.build() };
        let (result, required) = self.append_to_leader(batch, Acks::All, out);
        if result.error != ErrorCode::None {
            let error = if result.error == ErrorCode::NotLeaderOrFollower { ErrorCode::NotCoordinator } else { result.error };
            return out.send(from, reply(error, offsets));
        }
        self.coordinator.pending_commits.push(PendingCommit { client: from, correlation, group, member_id, partition, required, offsets });
        self.complete_offset_commits(out);
    }

    /// Answers the commits whose records the high watermark has passed (called when a HW moves).
    pub(super) fn complete_offset_commits(&mut self, out: &mut Out) {
        if self.coordinator.pending_commits.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.coordinator.pending_commits);
        for c in pending {
            let hw = self.replicas.get(&TopicPartition::new(OFFSETS_TOPIC, c.partition)).filter(|r| r.state.leader == Some(self.id)).map(|r| r.hw);
            match hw {
                Some(hw) if hw >= c.required => {
                    let id = self.id;
                    let g = self.group_mut(&c.group);
                    g.offsets.extend(c.offsets.iter().cloned());
                    let committed = c.offsets.iter().cloned().collect();
                    out.emit(EventKind::OffsetsCommitted { broker: id, group: c.group.clone(), member_id: c.member_id.clone(), offsets: committed });
                    out.send(c.client, Message::OffsetCommitResponse { correlation: c.correlation, error: ErrorCode::None, offsets: c.offsets });
                }
                Some(_) => self.coordinator.pending_commits.push(c),
                None => out.send(c.client, Message::OffsetCommitResponse { correlation: c.correlation, error: ErrorCode::NotCoordinator, offsets: c.offsets }),
            }
        }
    }

    pub(super) fn fail_pending_commits(&mut self, partition: u32, out: &mut Out) {
        let (failed, kept): (Vec<PendingCommit>, Vec<PendingCommit>) =
            std::mem::take(&mut self.coordinator.pending_commits).into_iter().partition(|c| c.partition == partition);
        self.coordinator.pending_commits = kept;
        for c in failed {
            out.send(c.client, Message::OffsetCommitResponse { correlation: c.correlation, error: ErrorCode::NotCoordinator, offsets: c.offsets });
        }
    }

    pub(super) fn handle_offset_fetch(&mut self, from: NodeId, correlation: u64, group: String, partitions: Vec<TopicPartition>, out: &mut Out) {
        if !self.coordinates(&group) {
            return out.send(from, Message::OffsetFetchResponse { correlation, error: ErrorCode::NotCoordinator, offsets: vec![] });
        }
        let g = self.group_mut(&group);
        let offsets = partitions.into_iter().map(|tp| {
            let o = g.offsets.get(&tp).copied().unwrap_or(-1);
            (tp, o)
        });
        out.send(from, Message::OffsetFetchResponse { correlation, error: ErrorCode::None, offsets: offsets.collect() });
    }

    /// Rebuilds the offset cache of the groups of `__consumer_offsets-p` from this broker's log.
    pub(super) fn load_offsets(&mut self, p: u32, _out: &mut Out) {
        self.coordinator.loaded.insert(p);
        let tp = TopicPartition::new(OFFSETS_TOPIC, p);
        let Some(log) = self.disk.logs.get(&tp) else { return };
        let mut loaded: Vec<(String, TopicPartition, i64)> = Vec::new();
        let mut offset = log.log_start_offset();
        let end = log.log_end_offset();
        while offset < end {
            let Ok(read) = log.read(offset, end, usize::MAX) else { break };
            if read.records.is_empty() || read.next_offset <= offset {
                break;
            }
            for item in read.records.batches() {
                let Ok((_, _, bytes)) = item else { break };
                let Ok((_, records)) = crate::log::batch::decode_records(bytes) else { continue };
                for r in records {
                    let key = r.key.as_deref().and_then(decode_key);
                    if let (Some((group, part)), Some(v)) = (key, r.value.as_deref().and_then(decode_value)) {
                        loaded.push((group, part, v));
                    }
                }
            }
            offset = read.next_offset;
        }
        for (group, part, v) in loaded {
            self.group_mut(&group).offsets.insert(part, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_commit_key_and_value_round_trip() {
        let tp = TopicPartition::new("orders", 7);
        let k = encode_key("billing", &tp);
        assert_eq!(&k[..4], &[0, 1, 0, 7]);
        assert_eq!(decode_key(&k), Some(("billing".to_string(), tp)));
        assert_eq!(decode_value(&encode_value(42, 1000)), Some(42));
        assert_eq!(decode_key(&[0, 1, 0]), None);
    }
}
