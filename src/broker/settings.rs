//! Broker and topic settings resolved once from the scenario's config keys.

use crate::config::{is_tls, Overrides, Profile, Resolver, Scope};
use crate::log::LogConfig;
use crate::scenario::{Scenario, TruncationPolicy};
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;
use std::sync::OnceLock;

/// Per-topic settings (topic config over broker config over defaults).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TopicSettings {
    /// `min.insync.replicas`.
    pub min_insync_replicas: usize,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election: bool,
    /// The log's settings.
    pub log: LogConfig,
}

/// What a broker needs to know, resolved from config keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BrokerSettings {
    /// Kafka version followed.
    pub profile: Profile,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms`.
    pub replica_fetch_wait_max_ms: u64,
    /// `replica.fetch.max.bytes`.
    pub replica_fetch_max_bytes: u32,
    /// `num.io.threads`: request handlers.
    pub num_io_threads: usize,
    /// `num.network.threads`: the processors that write responses to sockets.
    #[serde(default = "network_threads_default")]
    pub num_network_threads: usize,
    /// `security.inter.broker.protocol` is SSL or SASL_SSL: replica fetches are encrypted.
    #[serde(default)]
    pub inter_broker_tls: bool,
    /// Consumers whose `security.protocol` is SSL or SASL_SSL (they connect to a TLS listener).
    #[serde(default)]
    pub tls_consumers: crate::vec_map::VecSet<u32>,
    /// Heartbeat interval towards the metadata quorum.
    pub heartbeat_interval_ms: u64,
    /// How followers truncate.
    pub truncation: TruncationPolicy,
    /// `log.retention.check.interval.ms`.
    pub retention_check_interval_ms: u64,
    /// `log.cleaner.backoff.ms`: how often the log cleaner looks for work.
    #[serde(default = "cleaner_backoff_default")]
    pub cleaner_backoff_ms: u64,
    /// Settings of each topic.
    pub topics: VecMap<String, TopicSettings>,
}

impl BrokerSettings {
    /// Resolves the scenario's broker and topic overrides against the profile's defaults.
    pub fn from_scenario(s: &Scenario) -> BrokerSettings {
        let none = Overrides::default();
        let broker = &s.cluster.config.0;
        let b = Resolver::new(s.profile, Scope::Broker, broker, &none);
        let topics = s
            .topics
            .iter()
            .map(|t| (t.name.to_string(), topic_settings(s.profile, &t.config.0, broker)))
            .collect();
        BrokerSettings {
            profile: s.profile,
            replica_lag_time_max_ms: b.uint("replica.lag.time.max.ms"),
            replica_fetch_wait_max_ms: b.uint("replica.fetch.wait.max.ms"),
            replica_fetch_max_bytes: b.uint("replica.fetch.max.bytes") as u32,
            num_io_threads: b.uint("num.io.threads").max(1) as usize,
            num_network_threads: b.uint("num.network.threads").max(1) as usize,
            inter_broker_tls: is_tls(b.text("security.inter.broker.protocol")),
            tls_consumers: (1..=s.consumers.len() as u32)
                .filter(|&c| {
                    let spec = &s.consumers[c as usize - 1];
                    is_tls(Resolver::new(s.profile, Scope::Consumer, &spec.config.0, &none).text("security.protocol"))
                })
                .collect(),
            heartbeat_interval_ms: match s.profile {
                // ZooKeeper's client pings at a third of the session timeout.
                Profile::Kafka36 => (b.uint("zookeeper.session.timeout.ms") / 3).max(1),
                Profile::Kafka40 => b.uint("broker.heartbeat.interval.ms"),
            },
            truncation: s.cluster.truncation,
            retention_check_interval_ms: b.uint("log.retention.check.interval.ms").max(1),
            cleaner_backoff_ms: b.uint("log.cleaner.backoff.ms").max(1),
            topics,
        }
    }

    /// A topic's settings (defaults for a topic the scenario did not declare).
    pub fn topic(&self, topic: &str) -> TopicSettings {
        self.topics.get(topic).cloned().unwrap_or_else(|| undeclared_topic(self.profile).clone())
    }

    /// The log settings of a topic.
    pub fn log_config(&self, topic: &str) -> LogConfig {
        self.topic(topic).log
    }
}

/// The settings of a topic the scenario did not declare (`__consumer_offsets`, created topics): the
/// profile's defaults, resolved once per profile. Fetches ask for them per partition, and resolving the
/// keys each time was two thirds of an idle cluster's run time (BENCHMARKS.md).
fn undeclared_topic(profile: Profile) -> &'static TopicSettings {
    static KAFKA_36: OnceLock<TopicSettings> = OnceLock::new();
    static KAFKA_40: OnceLock<TopicSettings> = OnceLock::new();
    let cell = match profile {
        Profile::Kafka36 => &KAFKA_36,
        Profile::Kafka40 => &KAFKA_40,
    };
    cell.get_or_init(|| topic_settings(profile, &Overrides::default(), &Overrides::default()))
}

fn topic_settings(profile: Profile, topic: &Overrides, broker: &Overrides) -> TopicSettings {
    let none = Overrides::default();
    let t = Resolver::new(profile, Scope::Topic, topic, &none);
    let b = Resolver::new(profile, Scope::Broker, broker, &none);
    // A topic key overrides the broker's `log.`-prefixed (or identical) key.
    let pick_int = |topic_key: &str, broker_key: &str| {
        if topic.0.contains_key(topic_key) {
            t.int(topic_key)
        } else {
            b.int(broker_key)
        }
    };
    let policy = t.text("cleanup.policy");
    let mut log = LogConfig::default();
    log.segment_bytes = pick_int("segment.bytes", "log.segment.bytes") as u64;
    log.segment_ms = t.uint("segment.ms");
    log.retention_ms = pick_int("retention.ms", "log.retention.ms");
    log.retention_bytes = pick_int("retention.bytes", "log.retention.bytes");
    log.index_interval_bytes = t.uint("index.interval.bytes") as u32;
    log.cleanup_policy_delete = policy.contains("delete");
    log.cleanup_policy_compact = policy.contains("compact");
    log.delete_retention_ms = t.uint("delete.retention.ms");
    log.min_cleanable_dirty_ratio_ppm = ratio_ppm(t.text("min.cleanable.dirty.ratio"));
    log.min_compaction_lag_ms = t.uint("min.compaction.lag.ms");
    log.max_compaction_lag_ms = t.uint("max.compaction.lag.ms");
    log.log_append_time = t.text("message.timestamp.type") == "LogAppendTime";
    log.flush_messages = pick_int("flush.messages", "log.flush.interval.messages") as u64;
    log.flush_ms = pick_int("flush.ms", "log.flush.interval.ms") as u64;
    TopicSettings {
        min_insync_replicas: pick_int("min.insync.replicas", "min.insync.replicas").max(1) as usize,
        unclean_leader_election: if topic.0.contains_key("unclean.leader.election.enable") {
            t.bool("unclean.leader.election.enable")
        } else {
            b.bool("unclean.leader.election.enable")
        },
        log,
    }
}

fn network_threads_default() -> usize {
    3
}

fn cleaner_backoff_default() -> u64 {
    15_000
}

/// "0.25" -> 250000 parts per million, without floats (the key only takes a few decimal choices).
fn ratio_ppm(text: &str) -> u32 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let int: u32 = int.parse().unwrap_or(0);
    let mut frac: String = frac.chars().take(6).collect();
    while frac.len() < 6 {
        frac.push('0');
    }
    (int.saturating_mul(1_000_000)).saturating_add(frac.parse().unwrap_or(0)).min(1_000_000)
}

impl BrokerSettings {
    /// Applies an altered dynamic topic key (canonical text from [`crate::config::check_topic_alter`]).
    pub fn alter_topic(&mut self, topic: &str, key: &str, value: &str) {
        let mut t = self.topic(topic);
        let n: i64 = value.parse().unwrap_or(0);
        match key {
            "min.insync.replicas" => t.min_insync_replicas = n.max(1) as usize,
            "unclean.leader.election.enable" => t.unclean_leader_election = value == "true",
            "retention.ms" => t.log.retention_ms = n,
            "retention.bytes" => t.log.retention_bytes = n,
            "segment.bytes" => t.log.segment_bytes = n.max(0) as u64,
            "segment.ms" => t.log.segment_ms = n.max(0) as u64,
            "flush.messages" => t.log.flush_messages = n.max(0) as u64,
            "flush.ms" => t.log.flush_ms = n.max(0) as u64,
            _ => return,
        }
        self.topics.insert(topic.to_string(), t);
    }

    /// Whether any declared topic compacts (only then does the broker run its log cleaner).
    pub fn any_compacted_topic(&self) -> bool {
        self.topics.values().any(|t| t.log.cleanup_policy_compact)
    }
}
