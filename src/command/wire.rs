//! [`Command`]'s JSON form (`{"type": "cutLink", "a": {"broker": 1}, "b": {"broker": 2}}`), read
//! through one flat record of every command's fields, then checked against the named command.
//!
//! serde's derive for an internally tagged enum buffers each object and then deserializes every
//! variant from that buffer: 36 KB of the page's wasm for this one enum. The flat record reads the
//! same format with the same strictness (an unknown field, or one that belongs to another command,
//! is refused; a missing one is named) in a fraction of the code. Writing stays derived.

use super::Command;
use crate::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx};
use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// The `type` tag.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    CrashBroker,
    PowerLossBroker,
    RestartBroker,
    CutLink,
    HealLink,
    SlowLink,
    Produce,
    SetProducerRate,
    CrashConsumer,
    RestartConsumer,
    CreateTopic,
    AddPartitions,
    ReassignPartition,
    CrashController,
    RestartController,
    AlterTopicConfig,
}

/// Every field any command has, by its JSON name.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Wire {
    #[serde(rename = "type")]
    kind: Kind,
    broker: Option<BrokerId>,
    a: Option<NodeId>,
    b: Option<NodeId>,
    extra_latency_us: Option<u64>,
    producer: Option<ProducerIdx>,
    key: Option<String>,
    value: Option<String>,
    partition: Option<u32>,
    records_per_sec: Option<u64>,
    consumer: Option<ConsumerIdx>,
    name: Option<String>,
    partitions: Option<u32>,
    replication_factor: Option<u32>,
    topic: Option<String>,
    count: Option<u32>,
    replicas: Option<Vec<BrokerId>>,
    node: Option<u32>,
}

impl Wire {
    /// The JSON names of the fields the object carried.
    fn present(&self) -> impl Iterator<Item = &'static str> {
        [
            ("broker", self.broker.is_some()),
            ("a", self.a.is_some()),
            ("b", self.b.is_some()),
            ("extraLatencyUs", self.extra_latency_us.is_some()),
            ("producer", self.producer.is_some()),
            ("key", self.key.is_some()),
            ("value", self.value.is_some()),
            ("partition", self.partition.is_some()),
            ("recordsPerSec", self.records_per_sec.is_some()),
            ("consumer", self.consumer.is_some()),
            ("name", self.name.is_some()),
            ("partitions", self.partitions.is_some()),
            ("replicationFactor", self.replication_factor.is_some()),
            ("topic", self.topic.is_some()),
            ("count", self.count.is_some()),
            ("replicas", self.replicas.is_some()),
            ("node", self.node.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, here)| here.then_some(name))
    }
}

/// A field the command requires, or serde's "missing field" error.
fn need<T, E: Error>(v: Option<T>, name: &'static str) -> Result<T, E> {
    v.ok_or_else(|| E::missing_field(name))
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let fields: &'static [&'static str] = match w.kind {
            Kind::CrashBroker | Kind::PowerLossBroker | Kind::RestartBroker => &["broker"],
            Kind::CutLink | Kind::HealLink => &["a", "b"],
            Kind::SlowLink => &["a", "b", "extraLatencyUs"],
            Kind::Produce => &["producer", "key", "value", "partition"],
            Kind::SetProducerRate => &["producer", "recordsPerSec"],
            Kind::CrashConsumer | Kind::RestartConsumer => &["consumer"],
            Kind::CreateTopic => &["name", "partitions", "replicationFactor"],
            Kind::AddPartitions => &["topic", "count"],
            Kind::ReassignPartition => &["topic", "partition", "replicas"],
            Kind::CrashController | Kind::RestartController => &["node"],
            Kind::AlterTopicConfig => &["topic", "key", "value"],
        };
        if let Some(foreign) = w.present().find(|f| !fields.contains(f)) {
            return Err(D::Error::unknown_field(foreign, fields));
        }
        Ok(match w.kind {
            Kind::CrashBroker => Command::CrashBroker { broker: need(w.broker, "broker")? },
            Kind::PowerLossBroker => Command::PowerLossBroker { broker: need(w.broker, "broker")? },
            Kind::RestartBroker => Command::RestartBroker { broker: need(w.broker, "broker")? },
            Kind::CutLink => Command::CutLink { a: need(w.a, "a")?, b: need(w.b, "b")? },
            Kind::HealLink => Command::HealLink { a: need(w.a, "a")?, b: need(w.b, "b")? },
            Kind::SlowLink => Command::SlowLink { a: need(w.a, "a")?, b: need(w.b, "b")?, extra_latency_us: need(w.extra_latency_us, "extraLatencyUs")? },
            Kind::Produce => Command::Produce { producer: need(w.producer, "producer")?, key: w.key, value: need(w.value, "value")?, partition: w.partition },
            Kind::SetProducerRate => Command::SetProducerRate { producer: need(w.producer, "producer")?, records_per_sec: need(w.records_per_sec, "recordsPerSec")? },
            Kind::CrashConsumer => Command::CrashConsumer { consumer: need(w.consumer, "consumer")? },
            Kind::RestartConsumer => Command::RestartConsumer { consumer: need(w.consumer, "consumer")? },
            Kind::CreateTopic => Command::CreateTopic {
                name: need(w.name, "name")?,
                partitions: need(w.partitions, "partitions")?,
                replication_factor: need(w.replication_factor, "replicationFactor")?,
            },
            Kind::AddPartitions => Command::AddPartitions { topic: need(w.topic, "topic")?, count: need(w.count, "count")? },
            Kind::ReassignPartition => Command::ReassignPartition { topic: need(w.topic, "topic")?, partition: need(w.partition, "partition")?, replicas: need(w.replicas, "replicas")? },
            Kind::CrashController => Command::CrashController { node: need(w.node, "node")? },
            Kind::RestartController => Command::RestartController { node: need(w.node, "node")? },
            Kind::AlterTopicConfig => Command::AlterTopicConfig { topic: need(w.topic, "topic")?, key: need(w.key, "key")?, value: need(w.value, "value")? },
        })
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
