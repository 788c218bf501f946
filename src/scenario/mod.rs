//! Scenario files: a cluster, its topics, clients with workloads, a timeline of commands and optional
//! lesson narration, in JSON with Kafka's config keys. See docs/scenarios.md.
//!
//! Parsing is strict: unknown fields, unknown config keys, out-of-range values and malformed JSON are
//! rejected with a message naming the field and the line.

use crate::command::Command;
use crate::config::{Overrides, Profile, Scope};
use crate::net::CostModel;
use crate::ids::Topic;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

mod record_spec;
pub use record_spec::{KeySpec, ValueContent, ValueSpec};

/// A bad scenario: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

/// A whole simulation setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Short title.
    #[serde(default)]
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// Which Kafka version's defaults and behaviour to follow.
    pub profile: Profile,
    /// Seed of the simulation's RNG.
    #[serde(default)]
    pub seed: u64,
    /// Brokers and broker-level config.
    pub cluster: ClusterSpec,
    /// Topics created at time zero.
    #[serde(default)]
    pub topics: Vec<TopicSpec>,
    /// Producer clients.
    #[serde(default)]
    pub producers: Vec<ProducerSpec>,
    /// Consumer clients.
    #[serde(default)]
    pub consumers: Vec<ConsumerSpec>,
    /// Commands applied at given virtual times.
    #[serde(default)]
    pub timeline: Vec<TimedCommand>,
    /// Lesson narration steps.
    #[serde(default)]
    pub narration: Vec<NarrationStep>,
}

/// The brokers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    /// Number of brokers, ids 1..=N.
    pub brokers: u32,
    /// Broker config overrides (`server.properties` keys).
    #[serde(default)]
    pub config: BrokerConfig,
    /// Link, request and disk costs.
    #[serde(default)]
    pub cost_model: CostModel,
    /// How a replica that becomes a follower finds where its log diverges (not a Kafka key: a
    /// teaching switch between today's Kafka and pre-0.11 Kafka).
    #[serde(default)]
    pub truncation: TruncationPolicy,
}

/// How followers truncate when leadership changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TruncationPolicy {
    /// KIP-101/KIP-279, and since 2.7 the diverging epoch in Fetch responses: truncate only past the
    /// point where the follower's log diverges from the leader's (Kafka 3.6 and 4.0).
    #[default]
    LeaderEpoch,
    /// Pre-0.11 Kafka: truncate to the local high watermark, then fetch (the KIP-101 failure modes).
    HighWatermark,
}

/// A topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopicSpec {
    /// Topic name (Kafka's legal characters: letters, digits, `.`, `_`, `-`); shared by every
    /// partition, request and event of the topic, so their names compare by pointer.
    pub name: Topic,
    /// Partition count.
    pub partitions: u32,
    /// Replication factor; the broker's `default.replication.factor` if absent.
    #[serde(default)]
    pub replication_factor: Option<u32>,
    /// Explicit replica assignment per partition (overrides placement).
    #[serde(default)]
    pub assignment: Option<Vec<Vec<u32>>>,
    /// Topic config overrides.
    #[serde(default)]
    pub config: TopicConfig,
}

/// A producer and its workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProducerSpec {
    /// Topic it writes to.
    pub topic: String,
    /// Producer config overrides.
    #[serde(default)]
    pub config: ProducerConfig,
    /// What it sends.
    #[serde(default)]
    pub workload: Workload,
}

/// What a producer sends, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Workload {
    /// Records per second (evenly spaced); 0 sends only hand-produced records.
    pub records_per_sec: u64,
    /// When the workload starts.
    pub start_ms: u64,
    /// Stop after this many records (none: never stop).
    pub max_records: Option<u64>,
    /// How keys are chosen.
    pub key: KeySpec,
    /// Value size and content.
    pub value: ValueSpec,
    /// With `transactional.id`: records per transaction (0 means 10).
    pub transaction_records: u64,
    /// With `transactional.id`: every n-th transaction aborts instead of committing (0: never).
    pub abort_every: u64,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            records_per_sec: 10,
            start_ms: 0,
            max_records: None,
            key: KeySpec::None,
            value: ValueSpec::default(),
            transaction_records: 0,
            abort_every: 0,
        }
    }
}

/// A consumer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsumerSpec {
    /// Topics it subscribes to.
    pub topics: Vec<String>,
    /// Consumer config overrides (`group.id`, `auto.offset.reset`, ...).
    #[serde(default)]
    pub config: ConsumerConfig,
}

/// A command at a virtual time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimedCommand {
    /// Virtual time in milliseconds.
    pub at_ms: u64,
    /// What to do.
    pub command: Command,
}

/// One narration step of a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NarrationStep {
    /// Virtual time in milliseconds.
    pub at_ms: u64,
    /// English text.
    pub en: String,
    /// Traditional Chinese text.
    #[serde(rename = "zhTW")]
    pub zh_tw: String,
    /// The element to point at (`broker-1`, `orders-0`, ...).
    #[serde(default)]
    pub target: Option<String>,
}

macro_rules! config_map {
    ($name:ident, $scope:expr, $what:literal) => {
        #[doc = concat!("Validated ", $what, " config overrides, keyed by Kafka's config keys.")]
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
        pub struct $name(pub Overrides);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_map(ConfigVisitor($scope)).map($name)
            }
        }
    };
}

config_map!(BrokerConfig, Scope::Broker, "broker");
config_map!(TopicConfig, Scope::Topic, "topic");
config_map!(ProducerConfig, Scope::Producer, "producer");
config_map!(ConsumerConfig, Scope::Consumer, "consumer");

/// Validates each key as it is read, so serde_json reports the error with its line and column.
struct ConfigVisitor(Scope);

impl<'de> Visitor<'de> for ConfigVisitor {
    type Value = Overrides;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of Kafka config keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Overrides, A::Error> {
        let mut out = Overrides::default();
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            out.set(self.0, &key, &value).map_err(de::Error::custom)?;
        }
        Ok(out)
    }
}

impl Scenario {
    /// Parses and validates a scenario.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| ScenarioError(format!("invalid scenario: {e}")))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Cross-field checks that serde cannot express; messages name the field path.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let err = |m: String| Err(ScenarioError(m));
        let n = self.cluster.brokers;
        if !(1..=32).contains(&n) {
            return err(format!("cluster.brokers = {n} must be between 1 and 32"));
        }
        self.cluster.cost_model.validate().map_err(ScenarioError)?;
        // Kafka 4.0 raised the minimum of (log.)segment.bytes from 14 bytes to 1 MiB (KIP-1030;
        // kafka-facts.md, Caveats). Found by lesson 15, whose narration says 4.0 refuses small segments.
        if self.profile == crate::config::Profile::Kafka40 {
            let small = |o: &crate::config::Overrides, k: &str| o.0.get(k).and_then(|v| v.parse::<i64>().ok()).filter(|&v| v < 1_048_576);
            if let Some(v) = small(&self.cluster.config.0, "log.segment.bytes") {
                return err(format!("cluster.config.log.segment.bytes = {v} is below kafka-4.0's minimum 1048576 (KIP-1030)"));
            }
            for (i, t) in self.topics.iter().enumerate() {
                if let Some(v) = small(&t.config.0, "segment.bytes") {
                    return err(format!("topics[{i}].config.segment.bytes = {v} is below kafka-4.0's minimum 1048576 (KIP-1030)"));
                }
            }
        }
        for (i, t) in self.topics.iter().enumerate() {
            if !crate::command::legal_topic_name(&t.name) {
                return err(format!("topics[{i}].name {:?} is not a legal topic name", t.name));
            }
            if self.topics[..i].iter().any(|o| o.name == t.name) {
                return err(format!("topics[{i}].name {:?} is declared twice", t.name));
            }
            if !(1..=1000).contains(&t.partitions) {
                return err(format!("topics[{i}].partitions = {} must be between 1 and 1000", t.partitions));
            }
            if let Some(a) = &t.assignment {
                if a.len() != t.partitions as usize {
                    return err(format!("topics[{i}].assignment has {} entries for {} partitions", a.len(), t.partitions));
                }
                for (p, replicas) in a.iter().enumerate() {
                    let mut seen = replicas.clone();
                    crate::order::sort(&mut seen);
                    seen.dedup();
                    if replicas.is_empty() || seen.len() != replicas.len() || replicas.iter().any(|&b| b < 1 || b > n) {
                        return err(format!("topics[{i}].assignment[{p}] = {replicas:?} must list distinct brokers 1..={n}"));
                    }
                }
            }
        }
        let topic_known = |name: &str| self.topics.iter().any(|t| t.name == name);
        for (i, p) in self.producers.iter().enumerate() {
            if !topic_known(&p.topic) {
                return err(format!("producers[{i}].topic: unknown topic {:?}", p.topic));
            }
            crate::producer::settings::ProducerSettings::resolve(self.profile, &p.config.0)
                .map_err(|e| ScenarioError(format!("producers[{i}].config: {e}")))?;
            let w = &p.workload;
            if w.records_per_sec > 10_000_000 {
                return err(format!("producers[{i}].workload.recordsPerSec = {} exceeds 10000000", w.records_per_sec));
            }
            if w.value.bytes > 1_000_000 {
                return err(format!("producers[{i}].workload.value.bytes = {} exceeds 1000000", w.value.bytes));
            }
            match w.key {
                KeySpec::Uniform { keys } | KeySpec::HotKey { keys, .. } if keys == 0 => {
                    return err(format!("producers[{i}].workload.key.keys must be at least 1"))
                }
                KeySpec::HotKey { hot_percent, .. } if hot_percent > 100 => {
                    return err(format!("producers[{i}].workload.key.hotPercent = {hot_percent} exceeds 100"))
                }
                _ => {}
            }
        }
        for (i, c) in self.consumers.iter().enumerate() {
            if c.topics.is_empty() {
                return err(format!("consumers[{i}].topics must name at least one topic"));
            }
            if let Some(t) = c.topics.iter().find(|t| !topic_known(t)) {
                return err(format!("consumers[{i}].topics: unknown topic {t:?}"));
            }
        }
        for (i, step) in self.timeline.iter().enumerate() {
            self.check_command(&step.command).map_err(|m| ScenarioError(format!("timeline[{i}].command: {m}")))?;
        }
        Ok(())
    }

    /// Checks that a command names things that exist.
    pub fn check_command(&self, cmd: &Command) -> Result<(), String> {
        use crate::ids::NodeId;
        let broker_ok = |b: u32| (1..=self.cluster.brokers).contains(&b);
        let node_ok = |n: &NodeId| match *n {
            NodeId::Broker(b) => broker_ok(b),
            NodeId::Producer(p) => p >= 1 && p as usize <= self.producers.len(),
            NodeId::Consumer(c) => c >= 1 && c as usize <= self.consumers.len(),
            NodeId::Controller(c) => crate::controller::quorum::node_ids(self).contains(&c),
        };
        match cmd {
            Command::CrashBroker { broker } | Command::PowerLossBroker { broker } | Command::RestartBroker { broker } => {
                broker_ok(*broker).then_some(()).ok_or(format!("no broker {broker}"))
            }
            Command::CutLink { a, b } | Command::HealLink { a, b } | Command::SlowLink { a, b, .. } => {
                if !node_ok(a) || !node_ok(b) || a == b {
                    Err(format!("link {a} <-> {b} does not join two existing nodes"))
                } else {
                    Ok(())
                }
            }
            Command::Produce { producer, .. } | Command::SetProducerRate { producer, .. } => {
                (*producer >= 1 && *producer as usize <= self.producers.len())
                    .then_some(())
                    .ok_or(format!("no producer {producer}"))
            }
            Command::CrashController { node } | Command::RestartController { node } => match self.profile {
                crate::config::Profile::Kafka36 => Err("kafka-3.6: ZooKeeper (controller-0) is modelled as always up; crash the controller broker instead".into()),
                crate::config::Profile::Kafka40 if node_ok(&NodeId::Controller(*node)) => Ok(()),
                crate::config::Profile::Kafka40 => Err(format!("no KRaft controller {node}")),
            },
            Command::CrashConsumer { consumer } | Command::RestartConsumer { consumer } => {
                (*consumer >= 1 && *consumer as usize <= self.consumers.len())
                    .then_some(())
                    .ok_or(format!("no consumer {consumer}"))
            }
            Command::CreateTopic { .. } | Command::AddPartitions { .. } | Command::ReassignPartition { .. } | Command::AlterTopicConfig { .. } => {
                cmd.check_admin(self.cluster.brokers)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"profile": "kafka-3.6", "cluster": {"brokers": 3}, "topics": [{"name": "orders", "partitions": 3}]}"#;

    #[test]
    fn minimal_scenario_parses_with_defaults() {
        let s = Scenario::from_json(MINIMAL).unwrap();
        assert_eq!(s.cluster.brokers, 3);
        assert_eq!(s.topics[0].partitions, 3);
        assert_eq!(s.cluster.cost_model, CostModel::default());
    }

    #[test]
    fn unknown_config_key_is_rejected_with_its_name_and_line() {
        let text = "{\"profile\": \"kafka-3.6\",\n \"cluster\": {\"brokers\": 3,\n  \"config\": {\"min.insync.replica\": 2}}}";
        let e = Scenario::from_json(text).unwrap_err().0;
        assert!(e.contains("min.insync.replica") && e.contains("line 3"), "{e}");
    }

    #[test]
    fn unknown_field_and_malformed_json_are_rejected() {
        let e = Scenario::from_json(r#"{"profile": "kafka-3.6", "cluster": {"brokers": 3}, "topicz": []}"#).unwrap_err().0;
        assert!(e.contains("topicz"), "{e}");
        let e = Scenario::from_json("{\"profile\": \"kafka-3.6\",\n\"cluster\": {").unwrap_err().0;
        assert!(e.contains("line 2"), "{e}");
        let e = Scenario::from_json(r#"{"profile": "kafka-9", "cluster": {"brokers": 3}}"#).unwrap_err().0;
        assert!(e.contains("kafka-9"), "{e}");
    }

    #[test]
    fn out_of_range_values_name_the_field() {
        let e = Scenario::from_json(r#"{"profile": "kafka-4.0", "cluster": {"brokers": 0}}"#).unwrap_err().0;
        assert!(e.contains("cluster.brokers"), "{e}");
        let text = r#"{"profile": "kafka-4.0", "cluster": {"brokers": 3}, "topics": [{"name": "t", "partitions": 1}],
            "producers": [{"topic": "t", "config": {"linger.ms": -1}}]}"#;
        let e = Scenario::from_json(text).unwrap_err().0;
        assert!(e.contains("linger.ms") && e.contains("line 2"), "{e}");
        let text = r#"{"profile": "kafka-4.0", "cluster": {"brokers": 3}, "topics": [{"name": "t", "partitions": 1}],
            "timeline": [{"atMs": 5, "command": {"type": "crashBroker", "broker": 7}}]}"#;
        let e = Scenario::from_json(text).unwrap_err().0;
        assert!(e.contains("timeline[0]") && e.contains("broker 7"), "{e}");
    }
    // Ref: KIP-1030 (Kafka 4.0: segment.bytes at least 1 MiB); kafka-facts.md Caveats
    #[test]
    fn kafka_4_0_refuses_segments_below_one_mib_and_3_6_accepts_them() {
        let topic = |profile: &str, bytes: u64| format!(r#"{{"profile": "{profile}", "cluster": {{"brokers": 1}},
            "topics": [{{"name": "t", "partitions": 1, "config": {{"segment.bytes": {bytes}}}}}]}}"#);
        let e = Scenario::from_json(&topic("kafka-4.0", 2000)).unwrap_err().0;
        assert!(e.contains("topics[0].config.segment.bytes") && e.contains("1048576"), "{e}");
        assert!(Scenario::from_json(&topic("kafka-4.0", 1_048_576)).is_ok());
        assert!(Scenario::from_json(&topic("kafka-3.6", 2000)).is_ok());
        let broker = r#"{"profile": "kafka-4.0", "cluster": {"brokers": 1, "config": {"log.segment.bytes": 4096}}}"#;
        assert!(Scenario::from_json(broker).unwrap_err().0.contains("log.segment.bytes"));
    }
}
