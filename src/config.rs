//! Kafka's configuration keys, their types, ranges and per-version defaults.
//!
//! A scenario overrides keys by Kafka's own names (`acks`, `linger.ms`, `min.insync.replicas`, ...).
//! Every key the simulator knows is declared once in [`KEYS`]; an unknown key or an out-of-range value
//! is an error naming the key. Defaults follow the profile: `kafka-3.6` (ZooKeeper mode) or
//! `kafka-4.0` (KRaft), per kafka-facts.md §2, §4, §7, §9.

use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// The Kafka version whose defaults and behaviour a scenario follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// Kafka 3.6: ZooKeeper mode, `linger.ms=0`, HW advances even under min ISR.
    #[serde(rename = "kafka-3.6")]
    Kafka36,
    /// Kafka 4.0: KRaft only, `linger.ms=5`, HW frozen under min ISR (KAFKA-15583).
    #[serde(rename = "kafka-4.0")]
    Kafka40,
}

/// Which client or server a key configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Broker (`server.properties`); topic-level overrides use the topic scope.
    Broker,
    /// Topic-level config.
    Topic,
    /// Producer client.
    Producer,
    /// Consumer client.
    Consumer,
}

/// A key's type and valid range.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// Integer in `[min, max]`.
    Int(i64, i64),
    /// `true` or `false`.
    Bool,
    /// One of these strings.
    Choice(&'static [&'static str]),
}

/// One known configuration key.
#[derive(Clone, Copy, Debug)]
pub struct KeyDef {
    /// Kafka's key.
    pub name: &'static str,
    /// Where it applies.
    pub scope: Scope,
    /// Type and range.
    pub kind: Kind,
    /// Default on kafka-3.6.
    pub default_36: &'static str,
    /// Default on kafka-4.0.
    pub default_40: &'static str,
}

const I32: i64 = i32::MAX as i64;
const I64: i64 = i64::MAX;

macro_rules! key {
    ($name:literal, $scope:ident, $kind:expr, $d:literal) => {
        KeyDef { name: $name, scope: Scope::$scope, kind: $kind, default_36: $d, default_40: $d }
    };
    ($name:literal, $scope:ident, $kind:expr, $d36:literal, $d40:literal) => {
        KeyDef { name: $name, scope: Scope::$scope, kind: $kind, default_36: $d36, default_40: $d40 }
    };
}

/// Every key the simulator understands, with Kafka's defaults.
pub const KEYS: &[KeyDef] = &[
    // Broker (kafka-facts §4, §9, §10, §11)
    key!("min.insync.replicas", Broker, Kind::Int(1, I32), "1"),
    key!("default.replication.factor", Broker, Kind::Int(1, I32), "1"),
    key!("num.partitions", Broker, Kind::Int(1, I32), "1"),
    key!("replica.lag.time.max.ms", Broker, Kind::Int(0, I64), "30000"),
    key!("replica.fetch.wait.max.ms", Broker, Kind::Int(0, I32), "500"),
    key!("replica.fetch.min.bytes", Broker, Kind::Int(1, I32), "1"),
    key!("replica.fetch.max.bytes", Broker, Kind::Int(0, I32), "1048576"),
    key!("unclean.leader.election.enable", Broker, Kind::Bool, "false"),
    key!("eligible.leader.replicas.enable", Broker, Kind::Bool, "false"),
    key!("auto.leader.rebalance.enable", Broker, Kind::Bool, "true"),
    key!("leader.imbalance.check.interval.seconds", Broker, Kind::Int(1, I64), "300"),
    key!("leader.imbalance.per.broker.percentage", Broker, Kind::Int(0, 100), "10"),
    key!("zookeeper.session.timeout.ms", Broker, Kind::Int(1, I32), "18000"),
    key!("broker.session.timeout.ms", Broker, Kind::Int(1, I32), "9000"),
    key!("broker.heartbeat.interval.ms", Broker, Kind::Int(1, I32), "2000"),
    key!("controller.quorum.voters.count", Broker, Kind::Int(1, 9), "3"),
    key!("controller.quorum.election.timeout.ms", Broker, Kind::Int(1, I32), "1000"),
    key!("controller.quorum.fetch.timeout.ms", Broker, Kind::Int(1, I32), "2000"),
    key!("num.io.threads", Broker, Kind::Int(1, 256), "8"),
    key!("num.network.threads", Broker, Kind::Int(1, 256), "3"),
    key!("security.inter.broker.protocol", Broker, Kind::Choice(SECURITY_PROTOCOLS), "PLAINTEXT"),
    key!("log.segment.bytes", Broker, Kind::Int(14, I32), "1073741824"),
    key!("log.retention.ms", Broker, Kind::Int(-1, I64), "604800000"),
    key!("log.retention.bytes", Broker, Kind::Int(-1, I64), "-1"),
    key!("log.retention.check.interval.ms", Broker, Kind::Int(1, I64), "300000"),
    key!("log.flush.interval.messages", Broker, Kind::Int(1, I64), "9223372036854775807"),
    key!("log.flush.interval.ms", Broker, Kind::Int(0, I64), "9223372036854775807"),
    key!("log.cleaner.backoff.ms", Broker, Kind::Int(0, I64), "15000"),
    // Group coordinator (kafka-facts §6, §7)
    key!("offsets.topic.num.partitions", Broker, Kind::Int(1, 1000), "50"),
    key!("offsets.topic.replication.factor", Broker, Kind::Int(1, 32767), "3"),
    key!("group.initial.rebalance.delay.ms", Broker, Kind::Int(0, I32), "3000"),
    key!("group.min.session.timeout.ms", Broker, Kind::Int(0, I32), "6000"),
    key!("group.max.session.timeout.ms", Broker, Kind::Int(0, I32), "1800000"),
    // Topic-level overrides (kafka-facts §9, §11)
    key!("segment.bytes", Topic, Kind::Int(14, I32), "1073741824"),
    key!("segment.ms", Topic, Kind::Int(1, I64), "604800000"),
    key!("retention.ms", Topic, Kind::Int(-1, I64), "604800000"),
    key!("retention.bytes", Topic, Kind::Int(-1, I64), "-1"),
    key!("cleanup.policy", Topic, Kind::Choice(&["delete", "compact", "compact,delete", "delete,compact"]), "delete"),
    key!("min.insync.replicas", Topic, Kind::Int(1, I32), "1"),
    key!("unclean.leader.election.enable", Topic, Kind::Bool, "false"),
    key!("flush.messages", Topic, Kind::Int(1, I64), "9223372036854775807"),
    key!("flush.ms", Topic, Kind::Int(0, I64), "9223372036854775807"),
    key!("index.interval.bytes", Topic, Kind::Int(0, I32), "4096"),
    key!("delete.retention.ms", Topic, Kind::Int(0, I64), "86400000"),
    key!("min.cleanable.dirty.ratio", Topic, Kind::Choice(&["0.0", "0.1", "0.25", "0.5", "0.75", "0.9", "1.0"]), "0.5"),
    key!("min.compaction.lag.ms", Topic, Kind::Int(0, I64), "0"),
    key!("max.compaction.lag.ms", Topic, Kind::Int(1, I64), "9223372036854775807"),
    key!("message.timestamp.type", Topic, Kind::Choice(&["CreateTime", "LogAppendTime"]), "CreateTime"),
    // Producer (kafka-facts §2, §5)
    key!("acks", Producer, Kind::Choice(&["all", "-1", "0", "1"]), "all"),
    key!("batch.size", Producer, Kind::Int(0, I32), "16384"),
    key!("linger.ms", Producer, Kind::Int(0, I64), "0", "5"),
    key!("buffer.memory", Producer, Kind::Int(0, I64), "33554432"),
    key!("max.block.ms", Producer, Kind::Int(0, I64), "60000"),
    key!("max.request.size", Producer, Kind::Int(1, I32), "1048576"),
    key!("compression.type", Producer, Kind::Choice(&["none", "gzip", "snappy", "lz4", "zstd"]), "none"),
    key!("retries", Producer, Kind::Int(0, I32), "2147483647"),
    key!("retry.backoff.ms", Producer, Kind::Int(0, I64), "100"),
    key!("retry.backoff.max.ms", Producer, Kind::Int(0, I64), "1000"),
    key!("request.timeout.ms", Producer, Kind::Int(0, I32), "30000"),
    key!("delivery.timeout.ms", Producer, Kind::Int(0, I32), "120000"),
    key!("max.in.flight.requests.per.connection", Producer, Kind::Int(1, I32), "5"),
    key!("enable.idempotence", Producer, Kind::Bool, "true"),
    key!("transactional.id", Producer, Kind::Choice(&[]), ""),
    key!("metadata.max.age.ms", Producer, Kind::Int(0, I64), "300000"),
    key!("partitioner.class", Producer, Kind::Choice(&["", "DefaultPartitioner", "UniformStickyPartitioner"]), ""),
    key!("partitioner.ignore.keys", Producer, Kind::Bool, "false"),
    key!("partitioner.adaptive.partitioning.enable", Producer, Kind::Bool, "true"),
    key!("partitioner.availability.timeout.ms", Producer, Kind::Int(0, I64), "0"),
    // Consumer (kafka-facts §7)
    key!("group.id", Consumer, Kind::Choice(&[]), ""),
    key!("auto.offset.reset", Consumer, Kind::Choice(&["latest", "earliest", "none"]), "latest"),
    key!("enable.auto.commit", Consumer, Kind::Bool, "true"),
    key!("auto.commit.interval.ms", Consumer, Kind::Int(0, I32), "5000"),
    key!("fetch.min.bytes", Consumer, Kind::Int(0, I32), "1"),
    key!("fetch.max.wait.ms", Consumer, Kind::Int(0, I32), "500"),
    key!("fetch.max.bytes", Consumer, Kind::Int(0, I32), "52428800"),
    key!("max.partition.fetch.bytes", Consumer, Kind::Int(0, I32), "1048576"),
    key!("max.poll.records", Consumer, Kind::Int(1, I32), "500"),
    key!("isolation.level", Consumer, Kind::Choice(&["read_uncommitted", "read_committed"]), "read_uncommitted"),
    key!("session.timeout.ms", Consumer, Kind::Int(1, I32), "45000"),
    key!("heartbeat.interval.ms", Consumer, Kind::Int(1, I32), "3000"),
    key!("max.poll.interval.ms", Consumer, Kind::Int(1, I32), "300000"),
    key!("partition.assignment.strategy", Consumer, Kind::Choice(&["range", "roundrobin", "sticky", "cooperative-sticky"]), "range"),
    key!("metadata.max.age.ms", Consumer, Kind::Int(0, I64), "300000"),
    key!("request.timeout.ms", Consumer, Kind::Int(0, I32), "30000"),
    key!("security.protocol", Consumer, Kind::Choice(SECURITY_PROTOCOLS), "PLAINTEXT"),
];

/// Kafka's `SecurityProtocol` names (a listener's or a client's `security.protocol`).
const SECURITY_PROTOCOLS: &[&str] = &["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/// True for the protocols that encrypt with TLS, where the broker cannot hand log bytes to the
/// socket with `sendfile` and copies them through user space instead (KAFKA-13799).
pub fn is_tls(security_protocol: &str) -> bool {
    security_protocol.ends_with("SSL")
}

/// Topic keys a running cluster takes through IncrementalAlterConfigs, applied at once by the
/// simulator (brokers read them on their next produce, retention check or segment roll; the
/// controller on its next election). Other keys need the run rebuilt.
pub const DYNAMIC_TOPIC_KEYS: &[&str] = &[
    "min.insync.replicas",
    "unclean.leader.election.enable",
    "retention.ms",
    "retention.bytes",
    "segment.bytes",
    "segment.ms",
    "flush.messages",
    "flush.ms",
];

/// Checks an altered topic key: declared, dynamic here, and a valid value; returns the value's canonical text.
pub fn check_topic_alter(key: &str, value: &str) -> Result<String, String> {
    let def = find(Scope::Topic, key).ok_or_else(|| format!("unknown topic config key `{key}`"))?;
    if !DYNAMIC_TOPIC_KEYS.contains(&key) {
        return Err(format!("`{key}` is not altered on a running cluster here: change it in the scenario and restart the run"));
    }
    canonical_value(def, &serde_json::Value::String(value.to_string()))
}

/// Validated overrides for one scope; unset keys read as the profile's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides(pub VecMap<String, String>);

impl Overrides {
    /// Checks and records one key=value; `value` is the JSON scalar as text.
    pub fn set(&mut self, scope: Scope, key: &str, value: &serde_json::Value) -> Result<(), String> {
        let def = find(scope, key).ok_or_else(|| {
            format!("unknown {} config key `{key}`", scope_name(scope))
        })?;
        let text = canonical_value(def, value)?;
        self.0.insert(key.to_string(), text);
        Ok(())
    }
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Broker => "broker",
        Scope::Topic => "topic",
        Scope::Producer => "producer",
        Scope::Consumer => "consumer",
    }
}

/// The definition of `key` in `scope`, if the simulator knows it.
pub fn find(scope: Scope, key: &str) -> Option<&'static KeyDef> {
    KEYS.iter().find(|k| k.scope == scope && k.name == key)
}

fn canonical_value(def: &KeyDef, value: &serde_json::Value) -> Result<String, String> {
    use serde_json::Value;
    let name = def.name;
    match def.kind {
        Kind::Int(min, max) => {
            let n = match value {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(|| format!("`{name}` must be an integer, got {value}"))?;
            if n < min || n > max {
                return Err(format!("`{name}` = {n} is out of range [{min}, {max}]"));
            }
            Ok(n.to_string())
        }
        Kind::Bool => match value {
            Value::Bool(b) => Ok(b.to_string()),
            Value::String(s) if s == "true" || s == "false" => Ok(s.clone()),
            _ => Err(format!("`{name}` must be true or false, got {value}")),
        },
        Kind::Choice(options) => {
            let s = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(format!("`{name}` must be a string, got {value}")),
            };
            // An empty option list means free text (e.g. group.id).
            if options.is_empty() || options.contains(&s.as_str()) {
                Ok(s)
            } else {
                Err(format!("`{name}` = {s:?} is not one of {options:?}"))
            }
        }
    }
}

/// Reads typed values: overrides first, then the profile's default.
#[derive(Clone, Copy, Debug)]
pub struct Resolver<'a> {
    profile: Profile,
    scope: Scope,
    layers: [&'a Overrides; 2],
}

impl<'a> Resolver<'a> {
    /// Reads `scope` keys from `primary`, then `fallback` (e.g. topic, then broker), then defaults.
    pub fn new(profile: Profile, scope: Scope, primary: &'a Overrides, fallback: &'a Overrides) -> Self {
        Resolver { profile, scope, layers: [primary, fallback] }
    }

    /// The raw text of a key.
    pub fn text(&self, key: &str) -> &'a str {
        for layer in self.layers {
            if let Some(v) = layer.0.get(key) {
                return v.as_str();
            }
        }
        let def = find(self.scope, key)
            .or_else(|| find(Scope::Broker, key))
            .unwrap_or_else(|| panic!("config key `{key}` is not declared in KEYS"));
        match self.profile {
            Profile::Kafka36 => def.default_36,
            Profile::Kafka40 => def.default_40,
        }
    }

    /// An integer key (validated on entry, so this cannot fail for declared keys).
    pub fn int(&self, key: &str) -> i64 {
        self.text(key).parse().unwrap_or(0)
    }

    /// A non-negative integer key.
    pub fn uint(&self, key: &str) -> u64 {
        self.int(key).max(0) as u64
    }

    /// A boolean key.
    pub fn bool(&self, key: &str) -> bool {
        self.text(key) == "true"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn linger_ms_default_differs_by_profile() {
        // Ref: kafka-facts.md §2 (KIP-1030: linger.ms 0 -> 5 in 4.0)
        let none = Overrides::default();
        assert_eq!(Resolver::new(Profile::Kafka36, Scope::Producer, &none, &none).int("linger.ms"), 0);
        assert_eq!(Resolver::new(Profile::Kafka40, Scope::Producer, &none, &none).int("linger.ms"), 5);
    }

    #[test]
    fn unknown_key_and_out_of_range_value_name_the_key() {
        let mut o = Overrides::default();
        let e = o.set(Scope::Producer, "lingr.ms", &json!(5)).unwrap_err();
        assert!(e.contains("lingr.ms"), "{e}");
        let e = o.set(Scope::Broker, "min.insync.replicas", &json!(0)).unwrap_err();
        assert!(e.contains("min.insync.replicas") && e.contains("out of range"), "{e}");
        let e = o.set(Scope::Producer, "acks", &json!("2")).unwrap_err();
        assert!(e.contains("acks"), "{e}");
        o.set(Scope::Producer, "acks", &json!(-1)).unwrap();
        assert_eq!(o.0["acks"], "-1");
    }

    #[test]
    fn overrides_win_over_fallback_layer_and_defaults() {
        let mut topic = Overrides::default();
        let mut broker = Overrides::default();
        broker.set(Scope::Broker, "min.insync.replicas", &json!(2)).unwrap();
        let r = Resolver::new(Profile::Kafka36, Scope::Topic, &topic, &broker);
        assert_eq!(r.int("min.insync.replicas"), 2);
        topic.set(Scope::Topic, "min.insync.replicas", &json!(3)).unwrap();
        let r = Resolver::new(Profile::Kafka36, Scope::Topic, &topic, &broker);
        assert_eq!(r.int("min.insync.replicas"), 3);
        assert_eq!(r.int("retention.ms"), 604_800_000);
    }
}
