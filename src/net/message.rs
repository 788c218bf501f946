//! The requests and responses of Kafka's protocol that the simulation carries, reduced to the fields
//! the algorithms use. Record data travels as real RecordBatch v2 bytes.

use crate::ids::{BrokerId, TopicPartition};
use crate::time::Micros;
use serde::{Deserialize, Serialize};

/// Kafka's error codes, named as Kafka names them on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ErrorCode {
    /// NONE.
    None,
    /// The broker is not the leader (or a follower) of this partition.
    NotLeaderOrFollower,
    /// acks=all and the ISR is smaller than min.insync.replicas: nothing was written.
    NotEnoughReplicas,
    /// acks=all: written, but the ISR shrank below min.insync.replicas before it was acknowledged.
    NotEnoughReplicasAfterAppend,
    /// The request waited longer than its timeout.
    RequestTimedOut,
    /// The request named an older leader epoch than the broker's.
    FencedLeaderEpoch,
    /// The request named a newer leader epoch than the broker knows.
    UnknownLeaderEpoch,
    /// The fetch offset is outside [log start, LEO].
    OffsetOutOfRange,
    /// The broker does not host the partition.
    UnknownTopicOrPartition,
    /// A batch failed validation (CRC, lengths).
    CorruptMessage,
    /// The producer's sequence number is not the next expected one.
    OutOfOrderSequenceNumber,
    /// The producer's epoch is older than the broker's.
    InvalidProducerEpoch,
    /// The controller rejected an ISR change from a stale leader epoch.
    InvalidUpdateVersion,
    /// The broker is not the coordinator of this group.
    NotCoordinator,
    /// The group's coordinator partition has no leader.
    CoordinatorNotAvailable,
    /// First JoinGroup with an empty member id: rejoin with the id given (KIP-394).
    MemberIdRequired,
    /// The coordinator does not know this member.
    UnknownMemberId,
    /// The member's generation is not the group's.
    IllegalGeneration,
    /// The group is rebalancing: rejoin.
    RebalanceInProgress,
    /// No protocol is supported by every member.
    InconsistentGroupProtocol,
    /// session.timeout.ms outside the broker's group.min/max.session.timeout.ms.
    InvalidSessionTimeout,
    /// The transaction coordinator is still completing the previous transaction.
    ConcurrentTransactions,
    /// The request does not fit the transaction's state (e.g. EndTxn with nothing to end).
    InvalidTxnState,
}

impl ErrorCode {
    /// Kafka's name for the error (`NOT_LEADER_OR_FOLLOWER`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::None => "NONE",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::CorruptMessage => "CORRUPT_MESSAGE",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            ErrorCode::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::MemberIdRequired => "MEMBER_ID_REQUIRED",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            ErrorCode::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            ErrorCode::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            ErrorCode::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            ErrorCode::InvalidTxnState => "INVALID_TXN_STATE",
        }
    }

    /// Retriable errors make the producer resend after a metadata refresh and backoff.
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::NotEnoughReplicas
                | ErrorCode::NotEnoughReplicasAfterAppend
                | ErrorCode::RequestTimedOut
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::CorruptMessage
        )
    }
}

/// `acks` as the producer sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acks {
    /// acks=0: fire and forget; the broker sends no response.
    None,
    /// acks=1: the leader answers after its own append.
    Leader,
    /// acks=all (-1): the leader answers once the HW passes the batch.
    All,
}

/// The controller's view of one partition, as sent in LeaderAndIsr / UpdateMetadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionState {
    /// Which partition.
    pub tp: TopicPartition,
    /// Current leader, `None` when offline.
    pub leader: Option<BrokerId>,
    /// Bumped on every leader change.
    pub leader_epoch: i32,
    /// In-sync replicas.
    pub isr: Vec<BrokerId>,
    /// All assigned replicas; the first is the preferred leader.
    pub replicas: Vec<BrokerId>,
    /// Bumped on every change (KRaft's partition epoch; ZooKeeper's zkVersion).
    pub partition_epoch: i32,
}

/// One partition's batch in a Produce request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceBatch {
    /// Destination partition.
    pub tp: TopicPartition,
    /// Producer-local batch id (for events and the ledger; not on Kafka's wire).
    pub batch_id: u64,
    /// RecordBatch v2 bytes.
    pub bytes: Vec<u8>,
}

/// One partition's answer in a Produce response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceResult {
    /// Which partition.
    pub tp: TopicPartition,
    /// Which batch.
    pub batch_id: u64,
    /// NONE or the error.
    pub error: ErrorCode,
    /// Offset of the batch's first record, -1 on error.
    pub base_offset: i64,
}

/// One partition in a Fetch request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchPartition {
    /// Which partition.
    pub tp: TopicPartition,
    /// First offset wanted (a follower's LEO).
    pub fetch_offset: i64,
    /// The leader epoch the fetcher believes is current (KIP-320).
    pub current_leader_epoch: i32,
    /// The epoch of the last batch the follower has (KIP-595-style truncation, Kafka 2.7+).
    pub last_fetched_epoch: Option<i32>,
}

/// One partition in a Fetch response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedPartition {
    /// Which partition.
    pub tp: TopicPartition,
    /// NONE or the error.
    pub error: ErrorCode,
    /// The leader's high watermark.
    pub high_watermark: i64,
    /// The leader's log start offset.
    pub log_start_offset: i64,
    /// Whole batches starting at the fetch offset (sharing the leader's segment bytes).
    pub records: crate::log::Records,
    /// Where the follower's log diverges from the leader's: (epoch, end offset).
    pub diverging_epoch: Option<(i32, i64)>,
    /// The leader's last stable offset (min of the first open transaction's offset and the HW).
    #[serde(default)]
    pub last_stable_offset: i64,
    /// read_committed only: aborted transactions in the returned range, as (producerId, firstOffset).
    #[serde(default)]
    pub aborted_transactions: Vec<(i64, i64)>,
    /// The leader's log end offset (-1 if unknown). Stands in for the ListOffsets(LATEST) request a
    /// Kafka follower sends after OFFSET_OUT_OF_RANGE (`AbstractFetcherThread.fetchOffsetAndTruncate`).
    #[serde(default = "unknown_offset")]
    pub log_end_offset: i64,
}

fn unknown_offset() -> i64 {
    -1
}

/// Everything that travels on the simulated network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// Which brokers lead which partitions.
    MetadataRequest,
    /// The broker's metadata cache.
    MetadataResponse { brokers: Vec<BrokerId>, partitions: Vec<PartitionState> },
    /// Record batches for partitions led by the receiving broker.
    ProduceRequest { correlation: u64, acks: Acks, timeout_us: Micros, batches: Vec<ProduceBatch> },
    /// Per-partition results of a Produce.
    ProduceResponse { correlation: u64, results: Vec<ProduceResult> },
    /// A pull from a consumer (`replica: None`) or a follower.
    FetchRequest {
        correlation: u64,
        replica: Option<BrokerId>,
        max_wait_us: Micros,
        min_bytes: u32,
        max_bytes: u32,
        partitions: Vec<FetchPartition>,
        /// `isolation.level=read_committed`: read only up to the last stable offset.
        #[serde(default)]
        read_committed: bool,
    },
    /// Records for each requested partition.
    FetchResponse { correlation: u64, partitions: Vec<FetchedPartition> },
    /// The controller's decisions: brokers lead, follow, and update their metadata cache.
    LeaderAndIsr { controller_epoch: u32, live_brokers: Vec<BrokerId>, partitions: Vec<PartitionState> },
    /// A broker has applied these partition states (the controller stops resending them).
    LeaderAndIsrResponse { controller_epoch: u32, acked: Vec<crate::controller::PartitionAck> },
    /// A leader asks to change a partition's ISR (KIP-497).
    AlterPartition { broker: BrokerId, tp: TopicPartition, leader_epoch: i32, partition_epoch: i32, new_isr: Vec<BrokerId> },
    /// The controller's answer to AlterPartition, with the partition's current state.
    AlterPartitionResponse { error: ErrorCode, state: PartitionState },
    /// Broker liveness (KRaft BrokerHeartbeat / ZooKeeper session ping); `incarnation` changes on restart.
    Heartbeat { broker: BrokerId, incarnation: u32 },
    /// Which broker coordinates this group (FindCoordinator, key type GROUP).
    FindCoordinator { group: String },
    /// The coordinator's id, or COORDINATOR_NOT_AVAILABLE.
    FindCoordinatorResponse { group: String, error: ErrorCode, coordinator: Option<BrokerId> },
    /// JoinGroup: protocols in preference order, each with the same subscription metadata.
    JoinGroup(JoinGroupRequest),
    /// The JoinGroup answer; the leader also gets every member's subscription.
    JoinGroupResponse(JoinGroupResult),
    /// SyncGroup: the leader carries every member's assignment, followers send none.
    SyncGroup { group: String, member_id: String, generation: i32, assignments: Vec<(String, Vec<TopicPartition>)> },
    /// This member's assignment.
    SyncGroupResponse { error: ErrorCode, generation: i32, assignment: Vec<TopicPartition> },
    /// A group member's liveness (the classic Heartbeat API; `Heartbeat` above is the broker's).
    GroupHeartbeat { group: String, member_id: String, generation: i32 },
    /// NONE, REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, NOT_COORDINATOR.
    GroupHeartbeatResponse { error: ErrorCode },
    /// A member leaves on close.
    LeaveGroup { group: String, member_id: String },
    /// Committed offsets (the next offset to read) for a group.
    OffsetCommit { correlation: u64, group: String, member_id: String, generation: i32, offsets: Vec<(TopicPartition, i64)> },
    /// The commit's outcome.
    OffsetCommitResponse { correlation: u64, error: ErrorCode, offsets: Vec<(TopicPartition, i64)> },
    /// The group's committed offsets for these partitions.
    OffsetFetch { correlation: u64, group: String, partitions: Vec<TopicPartition> },
    /// Committed offsets, -1 where none.
    OffsetFetchResponse { correlation: u64, error: ErrorCode, offsets: Vec<(TopicPartition, i64)> },
    /// A producer asks for a producer id: any broker without a transactional.id; with one, its
    /// transaction coordinator, which bumps the epoch (fencing older instances).
    InitProducerIdRequest { correlation: u64, transactional_id: Option<String> },
    /// The producer id and epoch to stamp on every batch.
    InitProducerIdResponse { correlation: u64, error: ErrorCode, producer_id: i64, producer_epoch: i16 },
    /// A transactional producer registers partitions in its open transaction with the coordinator.
    AddPartitionsToTxnRequest { correlation: u64, transactional_id: String, producer_id: i64, producer_epoch: i16, partitions: Vec<TopicPartition> },
    /// The coordinator's answer to AddPartitionsToTxn.
    AddPartitionsToTxnResponse { correlation: u64, error: ErrorCode },
    /// Commit (or abort) the open transaction.
    EndTxnRequest { correlation: u64, transactional_id: String, producer_id: i64, producer_epoch: i16, commit: bool },
    /// The coordinator's answer to EndTxn, once every marker is written.
    EndTxnResponse { correlation: u64, error: ErrorCode },
    /// The coordinator asks a partition leader to append COMMIT or ABORT markers.
    WriteTxnMarkersRequest { correlation: u64, producer_id: i64, producer_epoch: i16, commit: bool, partitions: Vec<TopicPartition> },
    /// Per-partition results of WriteTxnMarkers (`batch_id` unused).
    WriteTxnMarkersResponse { correlation: u64, producer_id: i64, results: Vec<ProduceResult> },
    /// The active controller accepted a heartbeat (`ok`), or NOT_CONTROLLER with the leader if known.
    HeartbeatResponse { ok: bool, leader: Option<u32> },
    /// ZooKeeper to the broker that won `/controller`: the epoch and everything it must read.
    ZkBecomeController { epoch: u32, znodes: Box<crate::controller::Controller> },
    /// ZooKeeper watch: the registered brokers (id, incarnation) changed.
    ZkBrokersChanged { epoch: u32, live: Vec<(BrokerId, u32)> },
    /// The controller broker writes partition states (rejected unless `epoch` is current) and, when
    /// it changed, the rest of its state (topic settings, reassignments: `/admin/...`, `/config/...`).
    ZkWrite { epoch: u32, seq: u64, partitions: Vec<PartitionState>, #[serde(default)] state: Option<Box<crate::controller::ControllerExtras>> },
    /// ZooKeeper's answer to a write; `ok: false` means another controller took over.
    ZkWriteResponse { seq: u64, ok: bool },
    /// KRaft messages between controller nodes.
    Raft(crate::controller::kraft::RaftMessage),
}

/// A JoinGroup request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupRequest {
    /// `group.id`.
    pub group: String,
    /// Empty on the very first join.
    pub member_id: String,
    /// Assignor names, most preferred first.
    pub protocols: Vec<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Partitions owned now (cooperative) or last generation (sticky's user data).
    pub owned: Vec<TopicPartition>,
    /// The generation of `owned`, -1 if none.
    pub owned_generation: i32,
    /// `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `max.poll.interval.ms`.
    pub rebalance_timeout_ms: u64,
}

/// A JoinGroup response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupResult {
    /// NONE, MEMBER_ID_REQUIRED, NOT_COORDINATOR, ...
    pub error: ErrorCode,
    /// The new generation.
    pub generation: i32,
    /// The chosen assignor.
    pub protocol: String,
    /// The leader's member id.
    pub leader: String,
    /// This member's id (also set with MEMBER_ID_REQUIRED).
    pub member_id: String,
    /// Leader only: every member's subscription.
    pub members: Vec<JoinGroupRequest>,
}

impl Message {
    /// Approximate wire size: a small header plus record bytes, so bandwidth is spent on data.
    pub fn wire_bytes(&self) -> u64 {
        const HEADER: u64 = 40;
        HEADER
            + match self {
                Message::ProduceRequest { batches, .. } => batches.iter().map(|b| 30 + b.bytes.len() as u64).sum(),
                Message::FetchResponse { partitions, .. } => partitions.iter().map(|p| 40 + p.records.len() as u64).sum(),
                Message::FetchRequest { partitions, .. } => 30 * partitions.len() as u64,
                Message::ProduceResponse { results, .. } => 30 * results.len() as u64,
                Message::LeaderAndIsrResponse { acked, .. } => 12 * acked.len() as u64,
                Message::ZkBecomeController { znodes, .. } => 40 * znodes.partitions().len() as u64,
                Message::Raft(m) => m.bytes(),
                Message::MetadataResponse { partitions, .. } | Message::LeaderAndIsr { partitions, .. } | Message::ZkWrite { partitions, .. } => {
                    40 * partitions.len() as u64
                }
                _ => 0,
            }
    }

    /// The kind drawn in the UI.
    pub fn kind(&self) -> crate::event::MessageKind {
        use crate::event::MessageKind as K;
        match self {
            Message::MetadataRequest => K::Metadata,
            Message::MetadataResponse { .. } => K::MetadataResponse,
            Message::ProduceRequest { .. } => K::Produce,
            Message::ProduceResponse { .. } => K::ProduceResponse,
            Message::FetchRequest { .. } => K::Fetch,
            Message::FetchResponse { .. } => K::FetchResponse,
            Message::LeaderAndIsr { .. } => K::LeaderAndIsr,
            Message::LeaderAndIsrResponse { .. } => K::LeaderAndIsrResponse,
            Message::AlterPartition { .. } => K::AlterPartition,
            Message::AlterPartitionResponse { .. } => K::AlterPartitionResponse,
            Message::Heartbeat { .. } => K::Heartbeat,
            Message::FindCoordinator { .. } => K::FindCoordinator,
            Message::FindCoordinatorResponse { .. } => K::FindCoordinatorResponse,
            Message::JoinGroup(_) => K::JoinGroup,
            Message::JoinGroupResponse(_) => K::JoinGroupResponse,
            Message::SyncGroup { .. } => K::SyncGroup,
            Message::SyncGroupResponse { .. } => K::SyncGroupResponse,
            Message::GroupHeartbeat { .. } => K::GroupHeartbeat,
            Message::GroupHeartbeatResponse { .. } => K::GroupHeartbeatResponse,
            Message::LeaveGroup { .. } => K::LeaveGroup,
            Message::OffsetCommit { .. } => K::OffsetCommit,
            Message::OffsetCommitResponse { .. } => K::OffsetCommitResponse,
            Message::OffsetFetch { .. } => K::OffsetFetch,
            Message::OffsetFetchResponse { .. } => K::OffsetFetchResponse,
            Message::InitProducerIdRequest { .. } => K::InitProducerId,
            Message::InitProducerIdResponse { .. } => K::InitProducerIdResponse,
            Message::AddPartitionsToTxnRequest { .. } => K::AddPartitionsToTxn,
            Message::AddPartitionsToTxnResponse { .. } => K::AddPartitionsToTxnResponse,
            Message::EndTxnRequest { .. } => K::EndTxn,
            Message::EndTxnResponse { .. } => K::EndTxnResponse,
            Message::WriteTxnMarkersRequest { .. } => K::WriteTxnMarkers,
            Message::WriteTxnMarkersResponse { .. } => K::WriteTxnMarkersResponse,
            Message::HeartbeatResponse { .. } => K::HeartbeatResponse,
            Message::ZkBecomeController { .. } | Message::ZkBrokersChanged { .. } => K::ZkNotification,
            Message::ZkWrite { .. } | Message::ZkWriteResponse { .. } => K::ZkWrite,
            Message::Raft(m) => m.kind(),
        }
    }
}
