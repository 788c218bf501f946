//! What can be done to a running simulation: the same values serve UI buttons, lesson timelines and
//! randomized fault schedules.

use crate::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx};
use serde::{Deserialize, Serialize};

/// An action applied to the simulation at the current virtual time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
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
    /// Kill a KRaft controller process (kafka-4.0); its log and vote survive on disk.
    CrashController { node: u32 },
    /// Start a crashed KRaft controller again.
    RestartController { node: u32 },
}
