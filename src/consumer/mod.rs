//! The consumer client: group membership through the classic protocol (`group`), committed offsets
//! and lag (`offsets`), and the fetch loop (`fetcher`). A consumer without `group.id` reads every partition
//! of its topics and commits nothing.
pub mod assignor;
pub mod coordinator_key;
mod fetcher;
mod group;
mod idle;
mod offsets;

use crate::actor::{Out, TimerKind};
use crate::config::{Overrides, Resolver, Scope};
use crate::event::EventKind;
use crate::ids::{BrokerId, ConsumerIdx, NodeId, TopicPartition};
use crate::net::{Message, PartitionState};
use crate::scenario::Scenario;
use crate::time::ms;
use assignor::AssignorKind;
use group::Membership;
use serde::{Deserialize, Serialize};
use crate::vec_map::{VecMap, VecSet};

/// The internal topic holding committed offsets (kafka-facts.md §6, §7).
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// Consumer timers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsumerTimer {
    /// A fetch to this broker got no answer within `request.timeout.ms`.
    FetchTimeout { broker: BrokerId, correlation: u64 },
    /// Try fetching again (after metadata or an error backoff).
    Poll,
    /// Send the next group heartbeat (`heartbeat.interval.ms`).
    Heartbeat,
    /// Commit positions (`auto.commit.interval.ms`).
    AutoCommit,
    /// A coordinator request (`attempt`) got no answer in time, or a retry backoff ended.
    GroupRetry { attempt: u64 },
    /// Report lag.
    LagReport,
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reset {
    /// Start at the log start.
    Earliest,
    /// Start at the high watermark.
    Latest,
    /// Fail (a `ConsumerError` event) when there is no committed offset.
    None,
}

/// What a consumer reads from its config keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConsumerSettings {
    /// `group.id` (empty: no group).
    pub group: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// `partition.assignment.strategy`.
    pub strategy: AssignorKind,
    /// `auto.offset.reset`.
    pub reset: Reset,
    /// `enable.auto.commit`.
    pub auto_commit: bool,
    /// `auto.commit.interval.ms`.
    pub auto_commit_interval_ms: u64,
    /// `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval_ms: u64,
    /// `max.poll.interval.ms` (the rebalance timeout).
    pub max_poll_interval_ms: u64,
    fetch_min_bytes: u32,
    fetch_max_wait_ms: u64,
    fetch_max_bytes: u32,
    request_timeout_ms: u64,
}

/// One consumer client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Consumer {
    idx: ConsumerIdx,
    alive: bool,
    incarnation: u32,
    brokers: u32,
    settings: ConsumerSettings,
    /// Partition count of each subscribed topic (for the leader's assignor).
    topic_partitions: VecMap<String, u32>,
    assigned: Vec<TopicPartition>,
    positions: VecMap<TopicPartition, i64>,
    high_watermarks: VecMap<TopicPartition, i64>,
    leaders: VecMap<TopicPartition, (BrokerId, i32)>,
    in_flight: VecMap<BrokerId, u64>,
    next_correlation: u64,
    bootstrap: u32,
    membership: Membership,
    /// Assigned partitions whose committed offset is being fetched.
    awaiting_offsets: VecSet<TopicPartition>,
    /// Partitions stopped by `auto.offset.reset=none`.
    failed: VecSet<TopicPartition>,
    committed: VecMap<TopicPartition, i64>,
    last_lag: VecMap<TopicPartition, i64>,
    /// `isolation.level=read_committed`.
    #[serde(default)]
    read_committed: bool,
    /// Fetches parked idle on a leader, the partitions each asked for, empty answers in a row (see
    /// [`crate::broker::idle_fetch`]).
    #[serde(default)]
    idle: idle::IdleFetches,
}

/// `ListOffsets(LATEST)` folded into the first fetch: an offset past any log end makes the leader
/// answer OFFSET_OUT_OF_RANGE with its high watermark, where a `latest` consumer starts.
const LATEST_SENTINEL: i64 = i64::MAX;

impl Consumer {
    /// The scenario's consumer number `idx` (1-based), not yet started.
    pub fn new(idx: ConsumerIdx, scenario: &Scenario) -> Consumer {
        let spec = &scenario.consumers[idx as usize - 1];
        let none = Overrides::default();
        let r = Resolver::new(scenario.profile, Scope::Consumer, &spec.config.0, &none);
        let topic_partitions: VecMap<String, u32> = spec
            .topics
            .iter()
            .filter_map(|t| scenario.topics.iter().find(|x| &x.name == t).map(|x| (t.clone(), x.partitions)))
            .collect();
        let settings = ConsumerSettings {
            group: r.text("group.id").to_string(),
            topics: spec.topics.clone(),
            strategy: AssignorKind::from_name(r.text("partition.assignment.strategy")).unwrap_or(AssignorKind::Range),
            reset: match r.text("auto.offset.reset") {
                "earliest" => Reset::Earliest,
                "none" => Reset::None,
                _ => Reset::Latest,
            },
            auto_commit: r.bool("enable.auto.commit"),
            auto_commit_interval_ms: r.uint("auto.commit.interval.ms").max(1),
            session_timeout_ms: r.uint("session.timeout.ms"),
            heartbeat_interval_ms: r.uint("heartbeat.interval.ms").max(1),
            max_poll_interval_ms: r.uint("max.poll.interval.ms"),
            fetch_min_bytes: r.uint("fetch.min.bytes") as u32,
            fetch_max_wait_ms: r.uint("fetch.max.wait.ms"),
            fetch_max_bytes: r.uint("fetch.max.bytes") as u32,
            request_timeout_ms: r.uint("request.timeout.ms").max(1),
        };
        // Without a group the consumer reads every partition of its topics (manual assignment).
        let assigned = if settings.group.is_empty() {
            topic_partitions.iter().flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t.clone(), p))).collect()
        } else {
            Vec::new()
        };
        Consumer {
            idx,
            alive: false,
            incarnation: 0,
            brokers: scenario.cluster.brokers,
            settings,
            topic_partitions,
            assigned,
            positions: VecMap::new(),
            high_watermarks: VecMap::new(),
            leaders: VecMap::new(),
            in_flight: VecMap::new(),
            idle: idle::IdleFetches::default(),
            next_correlation: 0,
            bootstrap: idx - 1,
            membership: Membership::default(),
            awaiting_offsets: VecSet::new(),
            failed: VecSet::new(),
            committed: VecMap::new(),
            last_lag: VecMap::new(),
            read_committed: r.text("isolation.level") == "read_committed",
        }
    }

    /// The partitions this consumer reads now.
    pub fn assignment(&self) -> &[TopicPartition] {
        &self.assigned
    }

    /// The next offset to read per partition.
    pub fn positions(&self) -> &VecMap<TopicPartition, i64> {
        &self.positions
    }

    /// The member id the coordinator gave (empty before the first join).
    pub fn member_id(&self) -> &str {
        &self.membership.member_id
    }

    /// True while the process runs.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// Bumped on every start, so timers of a previous life are ignored.
    pub fn incarnation(&self) -> u32 {
        self.incarnation
    }

    /// Starts the process (again, after `restart`): bootstrap metadata and find the coordinator.
    pub fn start(&mut self, out: &mut Out) {
        self.alive = true;
        self.incarnation += 1;
        if self.incarnation > 1 {
            out.emit(EventKind::ConsumerStarted { consumer: self.idx });
        }
        self.request_metadata(out);
        out.timer(out.now + ms(1_000), TimerKind::Consumer(ConsumerTimer::LagReport));
        if !self.settings.group.is_empty() {
            self.find_coordinator(out);
            if self.settings.auto_commit {
                out.timer(out.now + ms(self.settings.auto_commit_interval_ms), TimerKind::Consumer(ConsumerTimer::AutoCommit));
            }
        }
    }

    /// Kills the process: all state is lost; nothing is sent (no LeaveGroup, no commit).
    pub fn crash(&mut self, out: &mut Out) {
        self.alive = false;
        out.emit(EventKind::ConsumerStopped { consumer: self.idx });
    }

    /// A fresh process for the same scenario slot, with a newer incarnation.
    pub fn restarted(&self, scenario: &Scenario) -> Consumer {
        let mut c = Consumer::new(self.idx, scenario);
        c.incarnation = self.incarnation;
        c
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, timer: ConsumerTimer, out: &mut Out) {
        match timer {
            ConsumerTimer::FetchTimeout { broker, correlation } => {
                if self.in_flight.get(&broker) == Some(&correlation) && self.idle.times_out(broker, out.now) {
                    self.in_flight.remove(&broker);
                    self.request_metadata(out);
                }
            }
            ConsumerTimer::Poll => {
                if self.leaders.is_empty() {
                    self.request_metadata(out);
                }
                self.poll(out);
            }
            ConsumerTimer::Heartbeat => self.heartbeat(out),
            ConsumerTimer::AutoCommit => {
                self.commit_positions(None, out);
                out.timer(out.now + ms(self.settings.auto_commit_interval_ms), TimerKind::Consumer(ConsumerTimer::AutoCommit));
            }
            ConsumerTimer::GroupRetry { attempt } => self.group_retry(attempt, out),
            ConsumerTimer::LagReport => {
                self.report_lag(out);
                out.timer(out.now + ms(1_000), TimerKind::Consumer(ConsumerTimer::LagReport));
            }
        }
    }

    /// Handles a response.
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Out) {
        match msg {
            Message::MetadataResponse { partitions, .. } => {
                self.update_metadata(&partitions);
                self.poll(out);
            }
            Message::FetchResponse { correlation, partitions } => {
                let NodeId::Broker(broker) = from else { return };
                if self.in_flight.get(&broker) != Some(&correlation) {
                    return;
                }
                self.in_flight.remove(&broker);
                self.idle.answered(broker, &partitions);
                let mut refresh = false;
                for p in partitions {
                    refresh |= self.apply_fetched(p, out);
                }
                if refresh {
                    self.request_metadata(out);
                    out.timer(out.now + ms(100), TimerKind::Consumer(ConsumerTimer::Poll));
                }
                self.poll(out);
            }
            other => self.on_group_message(from, other, out),
        }
    }

    fn update_metadata(&mut self, partitions: &[PartitionState]) {
        for s in partitions.iter().filter(|s| self.settings.topics.iter().any(|t| *t == s.tp.topic)) {
            match s.leader {
                Some(l) => self.leaders.insert(s.tp.clone(), (l, s.leader_epoch)),
                None => self.leaders.remove(&s.tp),
            };
        }
    }

    fn request_metadata(&mut self, out: &mut Out) {
        self.bootstrap = (self.bootstrap + 1) % self.brokers.max(1);
        out.send(NodeId::Broker(self.bootstrap + 1), Message::MetadataRequest);
        out.timer(out.now + ms(1_000), TimerKind::Consumer(ConsumerTimer::Poll));
    }

}
