//! Identifiers of the simulated actors and of what they exchange.

use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A broker's `broker.id` (`node.id` in KRaft).
pub type BrokerId = u32;
/// Index of a producer in the scenario (producer-1 is index 1).
pub type ProducerIdx = u32;
/// Index of a consumer in the scenario.
pub type ConsumerIdx = u32;

/// Any node that can send or receive a message on the simulated network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeId {
    /// A Kafka broker.
    Broker(BrokerId),
    /// A producer client.
    Producer(ProducerIdx),
    /// A consumer client.
    Consumer(ConsumerIdx),
    /// The metadata quorum: ZooKeeper with the active controller (kafka-3.6), or the KRaft
    /// controller quorum (kafka-4.0). It detects dead brokers and elects partition leaders.
    Controller(u32),
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Broker(b) => write!(f, "broker-{b}"),
            NodeId::Producer(p) => write!(f, "producer-{p}"),
            NodeId::Consumer(c) => write!(f, "consumer-{c}"),
            NodeId::Controller(c) => write!(f, "controller-{c}"),
        }
    }
}

/// A topic's name. Shared, not copied: events, requests and partitions all carry it, and a clone is
/// a reference count instead of a heap allocation (43 % of the bench's allocations were these
/// copies). It compares, hashes, prints and serializes exactly as the `str` it holds.
#[derive(Clone, Default, Eq, Hash)]
pub struct Topic(Arc<str>);

// Most comparisons are of one topic's name with itself (map lookups by partition), which the
// shared pointer answers without reading the bytes.
impl PartialEq for Topic {
    fn eq(&self, other: &Topic) -> bool {
        self.shares(other) || self.0 == other.0
    }
}

impl Ord for Topic {
    fn cmp(&self, other: &Topic) -> std::cmp::Ordering {
        if self.shares(other) {
            return std::cmp::Ordering::Equal;
        }
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Topic {
    fn partial_cmp(&self, other: &Topic) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Topic {
    /// Whether both hold the very same shared name (not only equal bytes).
    pub fn shares(&self, other: &Topic) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Topic {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Topic {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Topic {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Topic {
    fn from(name: &str) -> Self {
        Topic(name.into())
    }
}

impl From<String> for Topic {
    fn from(name: String) -> Self {
        Topic(name.into())
    }
}

impl From<&String> for Topic {
    fn from(name: &String) -> Self {
        Topic(name.as_str().into())
    }
}

impl From<&Topic> for Topic {
    fn from(name: &Topic) -> Self {
        name.clone()
    }
}

impl From<Topic> for String {
    fn from(name: Topic) -> Self {
        name.0.as_ref().to_owned()
    }
}

impl PartialEq<str> for Topic {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Topic {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Topic {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Topic> for str {
    fn eq(&self, other: &Topic) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Topic> for String {
    fn eq(&self, other: &Topic) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Topic::from)
    }
}

/// A topic's partition, named as Kafka names its log directory (`orders-0`). It serializes as that
/// string, so it can key a JSON object in snapshots.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: Topic,
    /// Partition number within the topic.
    pub partition: u32,
}

impl TopicPartition {
    /// Builds a topic-partition.
    pub fn new(topic: impl Into<Topic>, partition: u32) -> Self {
        Self { topic: topic.into(), partition }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

impl Serialize for TopicPartition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TopicPartition {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        // Topic names may contain '-', so the partition is what follows the last one.
        let (topic, partition) = text
            .rsplit_once('-')
            .and_then(|(t, p)| Some((t, p.parse::<u32>().ok()?)))
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a topic-partition like \"orders-0\"")))?;
        Ok(TopicPartition::new(topic, partition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_compares_orders_prints_and_serializes_as_its_name() {
        let a = Topic::from("orders");
        let shared = a.clone();
        let copied = Topic::from(String::from("orders"));
        assert_eq!(a, shared);
        assert_eq!(a, copied, "equal by name, not only by pointer");
        assert_eq!(a.cmp(&copied), std::cmp::Ordering::Equal);
        assert!(Topic::from("a") < Topic::from("b") && Topic::from("orders") > Topic::from("order"));
        assert_eq!(a, "orders");
        assert_eq!(format!("{a} {a:?}"), format!("{} {:?}", "orders", "orders"));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"orders\"");
        assert_eq!(serde_json::from_str::<Topic>("\"orders\"").unwrap(), a);
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let h = BuildHasherDefault::<DefaultHasher>::default();
        assert_eq!(h.hash_one(&a), h.hash_one("orders"), "hashes as its str, so Borrow<str> lookups work");
    }

    #[test]
    fn topic_partition_round_trips_as_its_directory_name() {
        let tp = TopicPartition::new("my-topic", 12);
        let json = serde_json::to_string(&tp).unwrap();
        assert_eq!(json, "\"my-topic-12\"");
        assert_eq!(serde_json::from_str::<TopicPartition>(&json).unwrap(), tp);
        assert!(serde_json::from_str::<TopicPartition>("\"nopartition\"").is_err());
    }
}
