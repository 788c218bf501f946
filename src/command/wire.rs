//! [`Command`]'s JSON form (`{"type": "cutLink", "a": {"broker": 1}, "b": {"broker": 2}}`), read
//! through one flat record of every command's fields, then checked against the named command (see
//! [`crate::serde_tagged`] for why). Writing stays derived.

use super::Command;
use crate::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx};
use crate::serde_tagged::{given, need, only, opt, Given};
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
    #[serde(default, deserialize_with = "given")]
    broker: Given<BrokerId>,
    #[serde(default, deserialize_with = "given")]
    a: Given<NodeId>,
    #[serde(default, deserialize_with = "given")]
    b: Given<NodeId>,
    #[serde(default, deserialize_with = "given")]
    extra_latency_us: Given<u64>,
    #[serde(default, deserialize_with = "given")]
    producer: Given<ProducerIdx>,
    #[serde(default, deserialize_with = "given")]
    key: Given<String>,
    #[serde(default, deserialize_with = "given")]
    value: Given<String>,
    #[serde(default, deserialize_with = "given")]
    partition: Given<u32>,
    #[serde(default, deserialize_with = "given")]
    records_per_sec: Given<u64>,
    #[serde(default, deserialize_with = "given")]
    consumer: Given<ConsumerIdx>,
    #[serde(default, deserialize_with = "given")]
    name: Given<String>,
    #[serde(default, deserialize_with = "given")]
    partitions: Given<u32>,
    #[serde(default, deserialize_with = "given")]
    replication_factor: Given<u32>,
    #[serde(default, deserialize_with = "given")]
    topic: Given<String>,
    #[serde(default, deserialize_with = "given")]
    count: Given<u32>,
    #[serde(default, deserialize_with = "given")]
    replicas: Given<Vec<BrokerId>>,
    #[serde(default, deserialize_with = "given")]
    node: Given<u32>,
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
        let present = crate::present!(w,
            "broker" => broker, "a" => a, "b" => b, "extraLatencyUs" => extra_latency_us, "producer" => producer,
            "key" => key, "value" => value, "partition" => partition, "recordsPerSec" => records_per_sec,
            "consumer" => consumer, "name" => name, "partitions" => partitions, "replicationFactor" => replication_factor,
            "topic" => topic, "count" => count, "replicas" => replicas, "node" => node);
        only(present, fields)?;
        Ok(match w.kind {
            Kind::CrashBroker => Command::CrashBroker { broker: need(w.broker, "broker")? },
            Kind::PowerLossBroker => Command::PowerLossBroker { broker: need(w.broker, "broker")? },
            Kind::RestartBroker => Command::RestartBroker { broker: need(w.broker, "broker")? },
            Kind::CutLink => Command::CutLink { a: need(w.a, "a")?, b: need(w.b, "b")? },
            Kind::HealLink => Command::HealLink { a: need(w.a, "a")?, b: need(w.b, "b")? },
            Kind::SlowLink => Command::SlowLink { a: need(w.a, "a")?, b: need(w.b, "b")?, extra_latency_us: need(w.extra_latency_us, "extraLatencyUs")? },
            Kind::Produce => Command::Produce { producer: need(w.producer, "producer")?, key: opt(w.key), value: need(w.value, "value")?, partition: opt(w.partition) },
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
