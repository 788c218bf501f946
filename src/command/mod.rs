//! What can be done to a running simulation: the same values serve UI buttons, lesson timelines and
//! randomized fault schedules.

use crate::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx};
use serde::Serialize;

mod wire;

/// An action applied to the simulation at the current virtual time. Written by serde's derive as
/// `{"type": "crashBroker", "broker": 1}`; read back by `wire.rs`, strictly, in the same form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Command {
    /// Kill a broker process: its written log survives in the page cache.
    CrashBroker { broker: BrokerId },
    /// Cut a broker's power: its log loses everything not yet flushed.
    PowerLossBroker { broker: BrokerId },
    /// Start a stopped broker again.
    RestartBroker { broker: BrokerId },
    /// Drop every message between two nodes, both ways.
    CutLink { a: NodeId, b: NodeId },
    /// Restore a cut or slowed link.
    HealLink { a: NodeId, b: NodeId },
    /// Add latency to a link, both ways (a slow follower, a congested switch).
    SlowLink { a: NodeId, b: NodeId, extra_latency_us: u64 },
    /// Produce one record by hand.
    Produce { producer: ProducerIdx, key: Option<String>, value: String, partition: Option<u32> },
    /// Change a producer's workload rate (records per second; 0 pauses it).
    SetProducerRate { producer: ProducerIdx, records_per_sec: u64 },
    /// Kill a consumer process: no LeaveGroup, no final commit; the coordinator notices after
    /// `session.timeout.ms`.
    CrashConsumer { consumer: ConsumerIdx },
    /// Start a crashed consumer again, as a fresh process (it rejoins and resumes from committed offsets).
    RestartConsumer { consumer: ConsumerIdx },
    /// CreateTopics: `partitions` partitions of `replication_factor` replicas, placed over the live
    /// brokers by AdminUtils with the simulation's seed (errors become an `adminRequestFailed` event).
    CreateTopic { name: String, partitions: u32, replication_factor: u32 },
    /// CreatePartitions: grow `topic` to `count` partitions in total (placement continues at
    /// `start_partition_id` = the current count).
    AddPartitions { topic: String, count: u32 },
    /// AlterPartitionReassignments (KIP-455): move a partition to `replicas` (the first is the new
    /// preferred leader); also how the replication factor is raised or lowered.
    ReassignPartition { topic: String, partition: u32, replicas: Vec<BrokerId> },
    /// Kill a KRaft controller process (kafka-4.0); its log and vote survive on disk.
    CrashController { node: u32 },
    /// Start a crashed KRaft controller again.
    RestartController { node: u32 },
    /// IncrementalAlterConfigs (KIP-339), SET one topic config on the running cluster; only the keys
    /// in [`crate::config::DYNAMIC_TOPIC_KEYS`] (errors become an `adminRequestFailed` event).
    AlterTopicConfig { topic: String, key: String, value: String },
}

impl Command {
    /// An admin command's request name (as in `adminRequestFailed`) and topic; `None` for others.
    pub fn admin_request(&self) -> Option<(&'static str, &str)> {
        match self {
            Command::CreateTopic { name, .. } => Some(("createTopic", name)),
            Command::AddPartitions { topic, .. } => Some(("addPartitions", topic)),
            Command::ReassignPartition { topic, .. } => Some(("reassignPartition", topic)),
            Command::AlterTopicConfig { topic, .. } => Some(("incrementalAlterConfigs", topic)),
            _ => None,
        }
    }

    /// Checks the parts of an admin command that do not depend on the cluster's state (names,
    /// broker ids, sizes); the rest is refused at run time with Kafka's exception names.
    pub fn check_admin(&self, brokers: u32) -> Result<(), String> {
        let name_ok = |n: &str| if legal_topic_name(n) { Ok(()) } else { Err(format!("{n:?} is not a legal topic name")) };
        match self {
            Command::CreateTopic { name, partitions, .. } => {
                name_ok(name)?;
                (*partitions <= 1000).then_some(()).ok_or(format!("partitions = {partitions} exceeds 1000"))
            }
            Command::AddPartitions { topic, count } => {
                name_ok(topic)?;
                (*count <= 1000).then_some(()).ok_or(format!("count = {count} exceeds 1000"))
            }
            Command::ReassignPartition { topic, replicas, .. } => {
                name_ok(topic)?;
                match replicas.iter().find(|&&b| !(1..=brokers).contains(&b)) {
                    Some(b) => Err(format!("no broker {b}")),
                    None => Ok(()),
                }
            }
            Command::AlterTopicConfig { topic, key, value } => {
                name_ok(topic)?;
                crate::config::check_topic_alter(key, value).map(drop)
            }
            _ => Ok(()),
        }
    }
}

/// Kafka's topic name rule: 1..=249 of letters, digits, `.`, `_`, `-`.
pub fn legal_topic_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 249 && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}
