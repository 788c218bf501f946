//! A Kafka broker: request handlers, partition replicas (leader and follower), and the replica fetcher.
//!
//! State is split the way a crash splits it: [`Broker::disk`] (the logs and the HW checkpoint) survives
//! a process crash; everything else is rebuilt from the controller after a restart. A power loss also
//! takes each log's unflushed tail (kafka-facts.md §11).

mod controller_role;
mod fetch;
mod fetcher;
mod group;
pub mod idle_fetch;
mod group_state;
mod group_offsets;
pub mod io;
mod log_cleaner;
mod log_retention;
pub mod page_cache;
mod partition;
mod produce;
pub mod producer_state;
mod settings;
pub mod txn_coordinator;

pub use group_state::{Coordinator, Group, GroupState};
pub use partition::Replica;
pub use settings::{BrokerSettings, TopicSettings};

use crate::actor::{Out, TimerKind};
use crate::event::{EventKind, StopCause};
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::log::Log;
use crate::net::{CostModel, ErrorCode, Message, PartitionState};
use crate::scenario::Scenario;
use crate::time::{ms, timestamp_ms, Micros};
use fetch::DelayedFetch;
use fetcher::Fetcher;
use produce::DelayedProduce;
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// Timers a broker sets for itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrokerTimer {
    /// Send the next heartbeat to the metadata quorum.
    Heartbeat,
    /// The `isr-expiration` task (every `replica.lag.time.max.ms / 2`).
    IsrExpiration,
    /// Write the HW checkpoint (`replication-offset-checkpoint`, every 5 s).
    CheckpointHighWatermarks,
    /// A parked fetch reached `max.wait`.
    FetchExpired { id: u64 },
    /// A parked acks=all produce reached its timeout.
    ProduceExpired { id: u64 },
    /// The replica fetcher's request to a leader got no answer in time.
    FetcherTimeout { leader: BrokerId, correlation: u64 },
    /// Flush logs whose `flush.ms` has passed.
    FlushCheck,
    /// Apply retention (`log.retention.check.interval.ms`).
    RetentionCheck,
    /// The group coordinator's session check.
    GroupTick,
    /// A group's join phase may be over (rebalance timeout or initial delay).
    GroupJoinDeadline { group: String },
    /// Transaction coordinator: (re)send markers still unwritten.
    TxnMarkers,
    /// The log cleaner looks for logs to compact (every `log.cleaner.backoff.ms`).
    LogCleaner,
    /// kafka-3.6: a timer of the controller this broker hosts, for controller epoch `epoch`.
    HostedController { epoch: u32, timer: crate::controller::ControllerTimer },
}

/// What survives a process crash.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Disk {
    /// One log per hosted partition.
    pub logs: VecMap<TopicPartition, Log>,
    /// Last checkpointed high watermark per partition.
    pub hw_checkpoint: VecMap<TopicPartition, i64>,
    /// Idempotent-producer state per partition, derived from (and re-derivable from) the log.
    #[serde(default)]
    pub producer_states: VecMap<TopicPartition, producer_state::ProducerStateMap>,
    /// Producer ids this broker has handed out (InitProducerId); see [`Broker::allocate_producer_id`].
    #[serde(default)]
    pub producer_ids_allocated: u64,
    /// Transaction coordinator state for the transactional ids this broker coordinates (stands in for
    /// its `__transaction_state` partitions; see [`txn_coordinator`]).
    #[serde(default)]
    pub transactions: VecMap<String, txn_coordinator::TxnMetadata>,
}

/// A broker process and its disk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Broker {
    id: BrokerId,
    alive: bool,
    incarnation: u32,
    settings: BrokerSettings,
    /// Durable state.
    pub disk: Disk,
    replicas: VecMap<TopicPartition, Replica>,
    metadata: VecMap<TopicPartition, PartitionState>,
    live_brokers: Vec<BrokerId>,
    handlers_busy_until: Vec<Micros>,
    fetchers: VecMap<BrokerId, Fetcher>,
    delayed_fetches: VecMap<u64, DelayedFetch>,
    /// Long-polls parked while nothing changes (see [`idle_fetch`]).
    #[serde(default)]
    idle_fetches: VecMap<u64, idle_fetch::IdleFetch>,
    delayed_produces: VecMap<u64, DelayedProduce>,
    next_id: u64,
    /// The group coordinator (volatile; offsets are reloaded from `__consumer_offsets`).
    coordinator: Coordinator,
    /// A TxnMarkers timer is pending (one retry loop at a time).
    #[serde(default)]
    txn_marker_timer: bool,
    /// Which controller this broker listens to (and, on kafka-3.6, the one it may host).
    #[serde(default)]
    ctl: controller_role::ControllerLink,
    /// The OS page cache over the logs: survives a process crash, not a power loss.
    #[serde(default)]
    page_cache: page_cache::PageCache,
    /// Produce and fetch IO counters (kept across restarts: they describe the run).
    #[serde(default)]
    io: io::IoStats,
    /// The network threads writing fetch responses (volatile).
    #[serde(default)]
    network_threads: io::NetworkThreads,
}

impl Broker {
    /// A broker of the scenario's cluster, not yet started.
    pub fn new(id: BrokerId, scenario: &Scenario) -> Broker {
        let settings = BrokerSettings::from_scenario(scenario);
        let handlers = settings.num_io_threads;
        let settings_threads = settings.num_network_threads;
        Broker {
            id,
            alive: false,
            incarnation: 0,
            settings,
            disk: Disk::default(),
            replicas: VecMap::new(),
            metadata: VecMap::new(),
            live_brokers: Vec::new(),
            handlers_busy_until: vec![0; handlers],
            fetchers: VecMap::new(),
            delayed_fetches: VecMap::new(),
            idle_fetches: VecMap::new(),
            delayed_produces: VecMap::new(),
            next_id: 0,
            coordinator: Coordinator::new(scenario),
            txn_marker_timer: false,
            ctl: controller_role::ControllerLink::new(scenario),
            page_cache: page_cache::PageCache::new(scenario.cluster.cost_model.page_cache_bytes),
            io: io::IoStats::default(),
            network_threads: io::NetworkThreads::new(settings_threads),
        }
    }

    /// `broker.id`.
    pub fn id(&self) -> BrokerId {
        self.id
    }

    /// True while the process runs.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// Bumped on every start, so timers and requests of a previous life are ignored.
    pub fn incarnation(&self) -> u32 {
        self.incarnation
    }

    /// This broker's replica of a partition, if it hosts one.
    pub fn replica(&self, tp: &TopicPartition) -> Option<&Replica> {
        self.replicas.get(tp)
    }

    /// The groups this broker coordinates now.
    pub fn groups(&self) -> &VecMap<String, Group> {
        &self.coordinator.groups
    }

    /// Starts (or restarts) the process: volatile state is fresh, the disk is what survived.
    pub fn start(&mut self, out: &mut Out) {
        self.alive = true;
        self.incarnation += 1;
        self.replicas.clear();
        self.metadata.clear();
        self.fetchers.clear();
        self.delayed_fetches.clear();
        self.idle_fetches.clear();
        self.delayed_produces.clear();
        self.coordinator.clear();
        self.ctl.reset();
        self.handlers_busy_until.iter_mut().for_each(|t| *t = out.now);
        self.network_threads = io::NetworkThreads::new(self.settings.num_network_threads);
        out.emit(EventKind::BrokerStarted { broker: self.id });
        self.send_heartbeat(out);
        out.timer(out.now + ms(self.settings.replica_lag_time_max_ms / 2).max(1), TimerKind::Broker(BrokerTimer::IsrExpiration));
        out.timer(out.now + ms(5_000), TimerKind::Broker(BrokerTimer::CheckpointHighWatermarks));
        out.timer(out.now + ms(1_000), TimerKind::Broker(BrokerTimer::FlushCheck));
        out.timer(out.now + ms(self.settings.retention_check_interval_ms), TimerKind::Broker(BrokerTimer::RetentionCheck));
        out.timer(out.now + ms(group::GROUP_TICK_MS), TimerKind::Broker(BrokerTimer::GroupTick));
        self.arm_cleaner_timer(out);
        self.txn_marker_timer = false;
        for meta in self.disk.transactions.values_mut() {
            // Decisions survive on disk; markers not yet written are sent again.
            meta.pending.values_mut().for_each(|sent| *sent = None);
        }
        self.arm_marker_timer(out);
    }

    /// Stops the process. A power loss also drops each log's unflushed tail.
    pub fn stop(&mut self, cause: StopCause, out: &mut Out) {
        self.alive = false;
        if cause == StopCause::PowerLoss {
            self.page_cache.clear();
            for (tp, log) in self.disk.logs.iter_mut() {
                let before = log.log_end_offset();
                let removed = log.lose_unflushed();
                if removed > 0 {
                    out.emit(EventKind::LogTruncated {
                        broker: self.id,
                        topic: tp.topic.clone(),
                        partition: tp.partition,
                        offset: before.min(log.log_end_offset()),
                        removed,
                        reason: "power loss: unflushed tail lost".into(),
                    });
                }
            }
        }
    }

    /// Reserves a request handler and returns when it finishes this request (the cost model).
    pub fn reserve_handler(&mut self, now: Micros, msg: &Message, cost: &CostModel) -> Micros {
        let work = match msg {
            Message::ProduceRequest { batches, .. } => {
                cost.request_cost_us + cost.disk_us(batches.iter().map(|b| b.bytes.len() as u64).sum())
            }
            Message::FetchRequest { .. } | Message::MetadataRequest | Message::LeaderAndIsr { .. } => cost.request_cost_us,
            Message::OffsetCommit { .. } => cost.request_cost_us + cost.disk_us(100),
            Message::FindCoordinator { .. }
            | Message::JoinGroup(_)
            | Message::SyncGroup { .. }
            | Message::GroupHeartbeat { .. }
            | Message::LeaveGroup { .. }
            | Message::OffsetFetch { .. } => cost.request_cost_us,
            _ => 0,
        };
        // The earliest-free handler takes it (num.io.threads handlers share one request queue).
        let slot = self.handlers_busy_until.iter_mut().min_by_key(|t| **t);
        match slot {
            Some(t) => {
                *t = (*t).max(now) + work;
                *t
            }
            None => now + work,
        }
    }

    /// Handles a request or response that a handler picked up.
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::MetadataRequest => {
                let partitions = self.metadata.values().cloned().collect();
                out.send(from, Message::MetadataResponse { brokers: self.live_brokers.clone(), partitions });
            }
            Message::ProduceRequest { correlation, acks, timeout_us, batches } => {
                self.note_produce(from, &batches);
                self.handle_produce(from, correlation, acks, timeout_us, batches, out)
            }
            Message::FetchRequest { correlation, replica, max_wait_us, min_bytes, max_bytes, partitions, read_committed } => {
                let limits = fetch::FetchLimits { max_wait_us, min_bytes, max_bytes, read_committed };
                self.handle_fetch(from, correlation, replica, limits, partitions, out)
            }
            Message::FetchResponse { correlation, partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.handle_fetch_response(leader, correlation, partitions, out)
                }
            }
            Message::LeaderAndIsr { controller_epoch, live_brokers, partitions } => {
                if !self.accept_controller(from, controller_epoch) {
                    return;
                }
                self.live_brokers = live_brokers;
                let acked = partitions.iter().map(|s| (s.tp.clone(), s.leader_epoch, s.partition_epoch)).collect();
                for state in partitions {
                    self.apply_partition_state(state, out);
                }
                out.send(from, Message::LeaderAndIsrResponse { controller_epoch, acked });
                self.ensure_fetching(out);
                self.sync_coordinators(out);
            }
            Message::InitProducerIdRequest { correlation, transactional_id: None } => {
                let producer_id = self.allocate_producer_id();
                out.send(from, Message::InitProducerIdResponse { correlation, error: ErrorCode::None, producer_id, producer_epoch: 0 });
            }
            Message::InitProducerIdRequest { correlation, transactional_id: Some(id) } => self.txn_init_producer_id(from, correlation, id, out),
            Message::AddPartitionsToTxnRequest { correlation, transactional_id, producer_id, producer_epoch, partitions } => {
                let error = self.txn_add_partitions(&transactional_id, producer_id, producer_epoch, partitions);
                out.send(from, Message::AddPartitionsToTxnResponse { correlation, error });
            }
            Message::EndTxnRequest { correlation, transactional_id, producer_id, producer_epoch, commit } => {
                self.txn_end(from, correlation, &transactional_id, producer_id, producer_epoch, commit, out)
            }
            Message::WriteTxnMarkersRequest { correlation, producer_id, producer_epoch, commit, partitions } => {
                self.handle_write_markers(from, correlation, producer_id, producer_epoch, commit, partitions, out)
            }
            Message::WriteTxnMarkersResponse { producer_id, results, .. } => self.txn_markers_written(producer_id, results, out),
            Message::AlterPartitionResponse { state, .. } => {
                if let Some(r) = self.replicas.get_mut(&state.tp) {
                    r.pending_isr = None;
                }
                self.apply_partition_state(state, out);
                self.sync_coordinators(out);
            }
            Message::FindCoordinator { group } => self.handle_find_coordinator(from, group, out),
            Message::JoinGroup(req) => self.handle_join(from, req, out),
            Message::SyncGroup { group, member_id, generation, assignments } => {
                self.handle_sync(from, group, member_id, generation, assignments, out)
            }
            Message::GroupHeartbeat { group, member_id, generation } => {
                self.handle_group_heartbeat(from, group, member_id, generation, out)
            }
            Message::LeaveGroup { group, member_id } => self.handle_leave(group, member_id, out),
            Message::OffsetCommit { correlation, group, member_id, generation, offsets } => {
                self.handle_offset_commit(from, correlation, group, member_id, generation, offsets, out)
            }
            Message::OffsetFetch { correlation, group, partitions } => {
                self.handle_offset_fetch(from, correlation, group, partitions, out)
            }
            other => self.on_controller_message(from, other, out),
        }
    }

    /// Handles one of this broker's timers.
    pub fn on_timer(&mut self, timer: BrokerTimer, out: &mut Out) {
        match timer {
            BrokerTimer::Heartbeat => self.send_heartbeat(out),
            BrokerTimer::HostedController { epoch, timer } => self.on_hosted_timer(epoch, timer, out),
            BrokerTimer::IsrExpiration => {
                self.touch_idle_followers(out.now);
                self.maybe_shrink_isr(out);
                out.timer(out.now + ms(self.settings.replica_lag_time_max_ms / 2).max(1), TimerKind::Broker(BrokerTimer::IsrExpiration));
            }
            BrokerTimer::CheckpointHighWatermarks => {
                for (tp, r) in &self.replicas {
                    // Rewritten only where the HW moved: an idle broker's checkpoint costs no allocation.
                    if self.disk.hw_checkpoint.get(tp) != Some(&r.hw) {
                        self.disk.hw_checkpoint.insert(tp.clone(), r.hw);
                    }
                }
                out.timer(out.now + ms(5_000), TimerKind::Broker(BrokerTimer::CheckpointHighWatermarks));
            }
            BrokerTimer::FetchExpired { id } => self.expire_fetch(id, out),
            BrokerTimer::ProduceExpired { id } => self.expire_produce(id, out),
            BrokerTimer::FetcherTimeout { leader, correlation } => self.fetcher_timed_out(leader, correlation, out),
            BrokerTimer::RetentionCheck => {
                self.apply_retention(out);
                out.timer(out.now + ms(self.settings.retention_check_interval_ms), TimerKind::Broker(BrokerTimer::RetentionCheck));
            }
            BrokerTimer::TxnMarkers => {
                self.txn_marker_timer = false;
                self.send_pending_markers(out)
            }
            BrokerTimer::FlushCheck => {
                let now_ms = timestamp_ms(out.now);
                for log in self.disk.logs.values_mut() {
                    log.maybe_flush(now_ms);
                }
                out.timer(out.now + ms(1_000), TimerKind::Broker(BrokerTimer::FlushCheck));
            }
            BrokerTimer::GroupTick => self.group_tick(out),
            BrokerTimer::GroupJoinDeadline { group } => self.group_join_deadline(&group, out),
            BrokerTimer::LogCleaner => self.run_log_cleaner(out),
        }
    }

    fn send_heartbeat(&mut self, out: &mut Out) {
        let to = self.heartbeat_target();
        self.resend_zk_writes(out);
        out.send(to, Message::Heartbeat { broker: self.id, incarnation: self.incarnation });
        out.timer(out.now + ms(self.settings.heartbeat_interval_ms), TimerKind::Broker(BrokerTimer::Heartbeat));
    }

    /// InitProducerId without a transactional.id: any broker answers. Ids are made unique across the
    /// cluster without a controller round trip as `broker_id * 1_000_000 + n`, where n counts the ids
    /// this broker has handed out; the counter lives on disk so a restart never reuses an id.
    /// (Kafka allocates blocks of ids from the controller; the simulation only needs uniqueness.)
    pub(super) fn allocate_producer_id(&mut self) -> i64 {
        let n = self.disk.producer_ids_allocated;
        self.disk.producer_ids_allocated += 1;
        self.id as i64 * 1_000_000 + n as i64
    }

    /// The partition's log and its producer state, synced with the log's current end.
    fn log_and_producer_state(&mut self, tp: &TopicPartition) -> (&mut Log, &mut producer_state::ProducerStateMap) {
        self.log_mut(tp);
        let Disk { logs, producer_states, .. } = &mut self.disk;
        let log = logs.get_mut(tp).expect("created by log_mut");
        // Looked up before inserting: `entry` would clone the key (a String) on every append.
        if !producer_states.contains_key(tp) {
            producer_states.insert(tp.clone(), Default::default());
        }
        let state = producer_states.get_mut(tp).expect("just inserted");
        state.sync(log);
        (log, state)
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Takes an altered topic config (as from ZooKeeper's config change or a KRaft ConfigRecord):
    /// the topic's settings and every hosted log of the topic (LogManager.updateTopicConfig).
    pub fn alter_topic_config(&mut self, topic: &str, key: &str, value: &str) {
        self.settings.alter_topic(topic, key, value);
        let config = self.settings.log_config(topic);
        for (_, log) in self.disk.logs.iter_mut().filter(|(tp, _)| tp.topic == topic) {
            log.config = config.clone();
        }
    }

    /// The log of a partition, created on first use with the topic's settings.
    fn log_mut(&mut self, tp: &TopicPartition) -> &mut Log {
        // Looked up first: `entry` would clone the key (a String) on every append and fetch.
        if !self.disk.logs.contains_key(tp) {
            let config = self.settings.log_config(&tp.topic);
            self.disk.logs.insert(tp.clone(), Log::new(&tp.to_string(), config));
        }
        self.disk.logs.get_mut(tp).expect("just inserted")
    }
}
