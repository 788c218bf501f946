//! What the simulation reports. Events are per batch and carry offset ranges, never one per record,
//! so a run of millions of records stays cheap; the UI derives per-record pictures from the ranges.
//!
//! Every event serializes as one JSON object with `type` and `atUs` (camelCase keys, no floats), which
//! is also the canonical form the trace hash is computed over.

use crate::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx};
use crate::time::Micros;
use serde::{Deserialize, Serialize};

/// One thing that happened at a virtual time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Virtual time in microseconds.
    pub at_us: Micros,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Why a broker stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StopCause {
    /// The process died; the OS page cache (every written byte) survives.
    Crash,
    /// The machine lost power; bytes not yet flushed to disk are gone.
    PowerLoss,
}

/// Kinds of request drawn in flight between nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MessageKind {
    /// Client asks a broker which broker leads each partition.
    Metadata,
    /// The broker's answer to a Metadata request.
    MetadataResponse,
    /// A producer's batches for one broker.
    Produce,
    /// The acknowledgement (or error) for a Produce.
    ProduceResponse,
    /// A consumer's or follower's pull.
    Fetch,
    /// Records (possibly none) returned to a Fetch.
    FetchResponse,
    /// The controller tells a broker to lead or follow (ZooKeeper mode), or the metadata it must apply.
    LeaderAndIsr,
    /// A broker acknowledges the partition states it applied.
    LeaderAndIsrResponse,
    /// A leader asks the controller to change a partition's ISR (KIP-497).
    AlterPartition,
    /// The controller's answer to AlterPartition.
    AlterPartitionResponse,
    /// Broker liveness towards the controller (KRaft) or ZooKeeper session ping.
    Heartbeat,
    /// A consumer asks which broker coordinates its group.
    FindCoordinator,
    /// The coordinator's id.
    FindCoordinatorResponse,
    /// A consumer joins (or rejoins) its group.
    JoinGroup,
    /// Generation, leader and (for the leader) the members.
    JoinGroupResponse,
    /// A member asks for its assignment (the leader brings everyone's).
    SyncGroup,
    /// A member's assignment.
    SyncGroupResponse,
    /// A group member's liveness.
    GroupHeartbeat,
    /// The coordinator's answer to a member's heartbeat.
    GroupHeartbeatResponse,
    /// A member leaves its group.
    LeaveGroup,
    /// A consumer commits offsets.
    OffsetCommit,
    /// The commit's outcome.
    OffsetCommitResponse,
    /// A consumer asks for its group's committed offsets.
    OffsetFetch,
    /// Committed offsets.
    OffsetFetchResponse,
    /// An idempotent producer asks for a producer id and epoch.
    InitProducerId,
    /// The broker's answer to InitProducerId.
    InitProducerIdResponse,
    /// A transactional producer adds partitions to its transaction.
    AddPartitionsToTxn,
    /// The coordinator's answer to AddPartitionsToTxn.
    AddPartitionsToTxnResponse,
    /// A transactional producer commits or aborts.
    EndTxn,
    /// The coordinator's answer to EndTxn.
    EndTxnResponse,
    /// The coordinator asks a leader to write transaction markers.
    WriteTxnMarkers,
    /// The leader's answer to WriteTxnMarkers.
    WriteTxnMarkersResponse,
    /// The active controller's answer to a broker heartbeat (or NOT_CONTROLLER from another node).
    HeartbeatResponse,
    /// ZooKeeper tells the controller broker about registrations and its election (watches, reads).
    ZkNotification,
    /// The controller broker writes partition state to ZooKeeper (or ZooKeeper answers).
    ZkWrite,
    /// A KRaft candidate asks for a vote (KIP-595 Vote).
    Vote,
    /// A KRaft voter's answer to Vote.
    VoteResponse,
    /// A new KRaft leader announces its epoch (BeginQuorumEpoch).
    BeginQuorumEpoch,
    /// A KRaft follower fetches the metadata log.
    QuorumFetch,
    /// Metadata records (possibly none) and the leader's high watermark.
    QuorumFetchResponse,
}

/// Everything the engine can report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum EventKind {
    /// A broker process is up and serving.
    BrokerStarted { broker: BrokerId },
    /// A broker went down.
    BrokerStopped { broker: BrokerId, cause: StopCause },
    /// The controller became active on this node.
    ControllerElected { node: NodeId, epoch: u32 },
    /// A topic exists with this replica assignment (`assignment[p]` lists partition p's replicas,
    /// the first being the preferred leader).
    TopicCreated { topic: crate::ids::Topic, replication_factor: u32, assignment: Vec<Vec<BrokerId>> },
    /// The controller chose a partition leader (`None`: offline) and bumped the leader epoch.
    LeaderElected { topic: crate::ids::Topic, partition: u32, leader: Option<BrokerId>, leader_epoch: i32, isr: Vec<BrokerId>, unclean: bool },
    /// The in-sync replica set changed.
    IsrChanged { topic: crate::ids::Topic, partition: u32, isr: Vec<BrokerId> },
    /// A message left `from` for `to` and will arrive at `arrive_at_us` unless dropped.
    MessageSent { msg: u64, from: NodeId, to: NodeId, kind: MessageKind, bytes: u32, arrive_at_us: Micros },
    /// A client's long-poll on `broker` found nothing for a while and is parked until something
    /// changes: the empty answer and identical re-fetch every `fetch.max.wait.ms` are not drawn one by
    /// one any more (Kafka sends them; the simulation coalesces them, see `broker::idle_fetch`).
    IdleFetchParked { client: NodeId, broker: BrokerId },
    /// A message was lost on the way (cut link, dead receiver).
    MessageDropped { msg: u64, reason: String },
    /// A producer's RecordAccumulator opened a new batch for a partition.
    BatchCreated { producer: ProducerIdx, batch: u64, topic: crate::ids::Topic, partition: u32 },
    /// A batch left the accumulator in a Produce request.
    BatchSent { producer: ProducerIdx, batch: u64, topic: crate::ids::Topic, partition: u32, broker: BrokerId, records: u32, bytes: u32, attempt: u32 },
    /// A replica appended batches to its log: the leader for a produce, a follower from a fetch.
    RecordsAppended { broker: BrokerId, topic: crate::ids::Topic, partition: u32, base_offset: i64, last_offset: i64, leader_epoch: i32, log_end_offset: i64, as_leader: bool },
    /// A replica's high watermark moved.
    HighWatermarkUpdated { broker: BrokerId, topic: crate::ids::Topic, partition: u32, high_watermark: i64 },
    /// A replica cut its log back to `offset` (records at and above it are gone from this replica).
    LogTruncated { broker: BrokerId, topic: crate::ids::Topic, partition: u32, offset: i64, removed: u64, reason: String },
    /// The producer got the answer for a batch: `error` is Kafka's error name, or `None` on success.
    ProduceCompleted { producer: ProducerIdx, batch: u64, topic: crate::ids::Topic, partition: u32, base_offset: i64, records: u32, error: Option<String> },
    /// A consumer received records `[from_offset, to_offset)` of a partition.
    RecordsConsumed { consumer: ConsumerIdx, topic: crate::ids::Topic, partition: u32, from_offset: i64, to_offset: i64, high_watermark: i64 },
    /// The command at this time was applied (echoes timeline and UI actions into the trace).
    CommandApplied { command: crate::command::Command },
    /// Narration for a lesson step.
    Narration { en: String, zh_tw: String, target: Option<String> },
    /// A replica's log started a new segment (`segment.bytes` or `segment.ms` reached).
    SegmentRolled { broker: BrokerId, topic: crate::ids::Topic, partition: u32, base_offset: i64 },
    /// Retention deleted a segment; the log now starts at `log_start_offset`.
    SegmentDeleted { broker: BrokerId, topic: crate::ids::Topic, partition: u32, base_offset: i64, next_offset: i64, size_bytes: u64, reason: String, log_start_offset: i64 },
    // ---- Consumer groups (kafka-facts.md §7) ----
    /// A consumer learnt which broker coordinates its group.
    CoordinatorFound { consumer: ConsumerIdx, group: String, broker: BrokerId },
    /// A group on its coordinator changed state (`Empty`, `PreparingRebalance`, `CompletingRebalance`,
    /// `Stable`, `Dead`).
    GroupStateChanged { broker: BrokerId, group: String, from: String, to: String, generation: i32 },
    /// A member entered the group (its first JoinGroup with the id the coordinator gave it).
    MemberJoined { broker: BrokerId, group: String, member_id: String, consumer: ConsumerIdx },
    /// A member left: `leaveGroup`, `sessionTimeout`, or `notRejoined` (missed the rebalance).
    MemberLeft { broker: BrokerId, group: String, member_id: String, reason: String },
    /// The coordinator began a rebalance of generation `generation` + 1.
    RebalanceStarted { broker: BrokerId, group: String, generation: i32, reason: String },
    /// The leader's assignment for `generation` reached the coordinator; the group is Stable.
    RebalanceCompleted {
        broker: BrokerId,
        group: String,
        generation: i32,
        protocol: String,
        leader: String,
        assignment: crate::vec_map::VecMap<String, Vec<crate::ids::TopicPartition>>,
    },
    /// A consumer's owned partitions changed after a SyncGroup.
    PartitionsAssigned { consumer: ConsumerIdx, group: String, generation: i32, assigned: Vec<crate::ids::TopicPartition>, revoked: Vec<crate::ids::TopicPartition> },
    /// The coordinator made an offset commit durable (replicated in `__consumer_offsets`).
    OffsetsCommitted { broker: BrokerId, group: String, member_id: String, offsets: crate::vec_map::VecMap<crate::ids::TopicPartition, i64> },
    /// A consumer's lag per partition: high watermark − position.
    ConsumerLag { consumer: ConsumerIdx, lag: crate::vec_map::VecMap<crate::ids::TopicPartition, i64> },
    /// A consumer hit an error it cannot retry (`auto.offset.reset=none` without a committed offset).
    ConsumerError { consumer: ConsumerIdx, error: String, topic: crate::ids::Topic, partition: u32 },
    /// A consumer process was killed (no LeaveGroup) or started again.
    ConsumerStopped { consumer: ConsumerIdx },
    /// A consumer process started.
    ConsumerStarted { consumer: ConsumerIdx },
    /// A transactional producer's transaction ended: committed, aborted, or failed with `error`.
    TransactionCompleted { producer: ProducerIdx, transactional_id: String, producer_id: i64, producer_epoch: i16, commit: bool, error: Option<String> },
    /// The log cleaner compacted a replica's log: `removed_records` superseded values, expired
    /// tombstones (and keyless or aborted records) are gone; the cleaned segments went from
    /// `bytes_before` to `bytes_after` bytes.
    LogCompacted { broker: BrokerId, topic: crate::ids::Topic, partition: u32, removed_records: u64, bytes_before: u64, bytes_after: u64 },
    // ---- Elections and topic administration (kafka-facts.md §3, §4; KIP-455, KIP-966) ----
    /// The partition's Eligible Leader Replicas changed (KIP-966): replicas outside the ISR that
    /// hold every committed record, electable when the ISR is empty.
    ElrChanged { topic: crate::ids::Topic, partition: u32, elr: Vec<BrokerId> },
    /// An admin request was refused; `error` starts with Kafka's exception name
    /// (`InvalidReplicationFactorException: ...`).
    AdminRequestFailed { request: String, topic: crate::ids::Topic, error: String },
    /// IncrementalAlterConfigs set a topic config on the running cluster (canonical value).
    TopicConfigAltered { topic: crate::ids::Topic, key: String, value: String },
    /// CreatePartitions added partitions `first_partition..` with this assignment.
    PartitionsAdded { topic: crate::ids::Topic, first_partition: u32, assignment: Vec<Vec<BrokerId>> },
    /// A reassignment began: the partition is replicated to `replicas` (target plus old replicas)
    /// until the `adding` ones join the ISR; then the `removing` ones are dropped.
    ReassignmentStarted { topic: crate::ids::Topic, partition: u32, replicas: Vec<BrokerId>, adding: Vec<BrokerId>, removing: Vec<BrokerId> },
    /// Every target replica is in the ISR: the partition now has exactly `replicas`.
    ReassignmentCompleted { topic: crate::ids::Topic, partition: u32, replicas: Vec<BrokerId>, leader: Option<BrokerId> },
    /// A broker that is no longer a replica stopped it and deleted its log (StopReplica, delete).
    ReplicaDeleted { broker: BrokerId, topic: crate::ids::Topic, partition: u32 },
    /// A producer's last second (or less) of virtual time: acknowledged records/s, bytes/s on the wire,
    /// batches, mean batch fill (per mille of `batch.size`), compressed/uncompressed (per mille) and
    /// the send-to-acknowledgement latency of its batches (p50, p99).
    ProducerMetrics { producer: ProducerIdx, records_per_sec: u64, bytes_per_sec: u64, batches_sent: u64, batch_fill_permille: u64, compression_permille: u64, latency_p50_us: u64, latency_p99_us: u64 },
    /// A KRaft controller node won an election for `term` (its Raft leader epoch).
    QuorumLeaderElected { node: NodeId, term: u32 },
    /// The metadata layer (ZooKeeper `controller-0` or the KRaft leader) registered a broker.
    BrokerRegistered { broker: BrokerId, node: NodeId },
    /// The active KRaft controller fenced a broker that missed `broker.session.timeout.ms`.
    BrokerFenced { broker: BrokerId, node: NodeId },
    /// A broker's ZooKeeper session expired (no ping for `zookeeper.session.timeout.ms`).
    ZkSessionExpired { broker: BrokerId },
    /// A KRaft controller process stopped.
    ControllerStopped { node: NodeId },
    /// A KRaft controller process started (again).
    ControllerStarted { node: NodeId },
}

