//! Links between nodes and the cost model that makes throughput real.

use crate::ids::NodeId;
use crate::time::{Micros, US_PER_SEC};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What moving and handling bytes costs. With a fixed cost per request and finite bandwidth, batching
/// and compression change what the cluster can carry, as they do in Kafka.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct CostModel {
    /// One-way latency of every link.
    pub link_latency_us: u64,
    /// Link bandwidth, bytes per second (125 MB/s = 1 Gbit/s).
    pub link_bandwidth_bytes_per_sec: u64,
    /// CPU time a broker request handler spends on any request.
    pub request_cost_us: u64,
    /// Disk write rate of a broker, bytes per second (appends cost bytes / rate of handler time).
    pub disk_bytes_per_sec: u64,
    /// Size of each broker's OS page cache over its log segments (see `broker::page_cache`).
    pub page_cache_bytes: u64,
    /// Disk read rate for fetched bytes that are not in the page cache, bytes per second.
    pub disk_read_bytes_per_sec: u64,
    /// Fixed cost of one fetch read that misses the page cache (seek and first byte).
    pub disk_read_latency_us: u64,
    /// Rate at which a network thread copies fetched bytes into user space and encrypts them, when
    /// zero-copy (`sendfile`) cannot be used (an SSL listener).
    pub user_space_copy_bytes_per_sec: u64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            link_latency_us: 500,
            link_bandwidth_bytes_per_sec: 125_000_000,
            request_cost_us: 50,
            disk_bytes_per_sec: 500_000_000,
            page_cache_bytes: 1 << 30,
            disk_read_bytes_per_sec: 200_000_000,
            disk_read_latency_us: 100,
            user_space_copy_bytes_per_sec: 400_000_000,
        }
    }
}

impl CostModel {
    /// Rejects values that would make time stand still or overflow.
    pub fn validate(&self) -> Result<(), String> {
        if self.link_bandwidth_bytes_per_sec == 0 {
            return Err("costModel.linkBandwidthBytesPerSec must be > 0".into());
        }
        if self.disk_bytes_per_sec == 0 {
            return Err("costModel.diskBytesPerSec must be > 0".into());
        }
        if self.disk_read_bytes_per_sec == 0 {
            return Err("costModel.diskReadBytesPerSec must be > 0".into());
        }
        if self.user_space_copy_bytes_per_sec == 0 {
            return Err("costModel.userSpaceCopyBytesPerSec must be > 0".into());
        }
        let latencies = [self.link_latency_us, self.request_cost_us, self.disk_read_latency_us];
        if latencies.iter().any(|&l| l > 60 * US_PER_SEC) {
            return Err("costModel latencies must be at most 60 s".into());
        }
        Ok(())
    }

    /// Time to push `bytes` through a link.
    pub fn transmit_us(&self, bytes: u64) -> Micros {
        bytes.saturating_mul(US_PER_SEC) / self.link_bandwidth_bytes_per_sec
    }

    /// Time to write `bytes` to a broker's log.
    pub fn disk_us(&self, bytes: u64) -> Micros {
        bytes.saturating_mul(US_PER_SEC) / self.disk_bytes_per_sec
    }

    /// Time to read `bytes` that missed the page cache from the disk (0 when nothing missed).
    pub fn disk_read_us(&self, bytes: u64) -> Micros {
        if bytes == 0 {
            return 0;
        }
        self.disk_read_latency_us + bytes.saturating_mul(US_PER_SEC) / self.disk_read_bytes_per_sec
    }

    /// CPU time of a network thread copying `bytes` through user space (read, encrypt, write).
    pub fn user_space_copy_us(&self, bytes: u64) -> Micros {
        bytes.saturating_mul(US_PER_SEC) / self.user_space_copy_bytes_per_sec
    }
}

/// The state of one direction of a link.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct LinkState {
    /// When the link finishes sending what is already queued on it.
    busy_until: Micros,
    cut: bool,
    extra_latency_us: u64,
}

/// All links, created lazily: every pair of nodes is connected until cut.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Network {
    #[serde(with = "pairs")]
    links: BTreeMap<(NodeId, NodeId), LinkState>,
}

/// Serializes a map with tuple keys as a list of pairs (JSON object keys must be strings).
pub(crate) mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(map: &BTreeMap<K, V>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

/// Where a message goes once put on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transit {
    /// Arrives at this time.
    Arrives(Micros),
    /// Dropped: the link is cut.
    Cut,
}

impl Network {
    /// Puts `bytes` on the link `from -> to` at `now`, returning when it arrives.
    pub fn send(&mut self, cost: &CostModel, from: NodeId, to: NodeId, bytes: u64, now: Micros) -> Transit {
        let link = self.links.entry((from, to)).or_default();
        if link.cut {
            return Transit::Cut;
        }
        // Serialisation delay queues behind earlier messages on the same link (bandwidth).
        let start = link.busy_until.max(now);
        link.busy_until = start + cost.transmit_us(bytes);
        Transit::Arrives(link.busy_until + cost.link_latency_us + link.extra_latency_us)
    }

    /// True if messages from `from` to `to` are currently dropped.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.links.get(&(from, to)).is_some_and(|l| l.cut)
    }

    /// True if both directions between two nodes are neither cut nor slowed.
    pub fn is_clean(&self, a: NodeId, b: NodeId) -> bool {
        [(a, b), (b, a)].iter().all(|k| self.links.get(k).is_none_or(|l| !l.cut && l.extra_latency_us == 0))
    }

    /// Cuts both directions between two nodes.
    pub fn cut(&mut self, a: NodeId, b: NodeId) {
        for key in [(a, b), (b, a)] {
            self.links.entry(key).or_default().cut = true;
        }
    }

    /// Restores both directions to normal.
    pub fn heal(&mut self, a: NodeId, b: NodeId) {
        for key in [(a, b), (b, a)] {
            let l = self.links.entry(key).or_default();
            l.cut = false;
            l.extra_latency_us = 0;
        }
    }

    /// Adds latency to both directions.
    pub fn slow(&mut self, a: NodeId, b: NodeId, extra_latency_us: u64) {
        for key in [(a, b), (b, a)] {
            self.links.entry(key).or_default().extra_latency_us = extra_latency_us;
        }
    }

    /// The cut or slowed links, for views and summaries.
    pub fn impaired(&self) -> Vec<(NodeId, NodeId, bool, u64)> {
        self.links
            .iter()
            .filter(|(_, l)| l.cut || l.extra_latency_us > 0)
            .map(|(&(a, b), l)| (a, b, l.cut, l.extra_latency_us))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_queues_messages_behind_each_other() {
        let cost = CostModel { link_latency_us: 100, link_bandwidth_bytes_per_sec: 1_000_000, ..CostModel::default() };
        let mut net = Network::default();
        let (a, b) = (NodeId::Producer(1), NodeId::Broker(1));
        // 1000 bytes at 1 MB/s take 1 ms on the wire, then 100 us of latency.
        assert_eq!(net.send(&cost, a, b, 1000, 0), Transit::Arrives(1100));
        // The second message waits for the first to leave the link.
        assert_eq!(net.send(&cost, a, b, 1000, 0), Transit::Arrives(2100));
        // The other direction is an independent link.
        assert_eq!(net.send(&cost, b, a, 1000, 0), Transit::Arrives(1100));
    }

    #[test]
    fn disk_reads_cost_latency_plus_bytes_over_rate_and_cache_hits_cost_nothing_here() {
        let cost = CostModel { disk_read_bytes_per_sec: 1_000_000, disk_read_latency_us: 100, ..CostModel::default() };
        assert_eq!(cost.disk_read_us(0), 0, "nothing missed the cache, nothing to wait for");
        assert_eq!(cost.disk_read_us(1_000), 100 + 1_000);
        let copy = CostModel { user_space_copy_bytes_per_sec: 2_000_000, ..CostModel::default() };
        assert_eq!(copy.user_space_copy_us(1_000), 500);
        assert!(CostModel { user_space_copy_bytes_per_sec: 0, ..CostModel::default() }.validate().is_err());
        assert!(CostModel { disk_read_latency_us: 61_000_000, ..CostModel::default() }.validate().is_err());
    }

    #[test]
    fn a_cut_link_drops_both_ways_until_healed() {
        let cost = CostModel::default();
        let mut net = Network::default();
        let (a, b) = (NodeId::Broker(1), NodeId::Broker(2));
        net.cut(a, b);
        assert_eq!(net.send(&cost, a, b, 10, 0), Transit::Cut);
        assert_eq!(net.send(&cost, b, a, 10, 0), Transit::Cut);
        net.heal(a, b);
        assert!(matches!(net.send(&cost, a, b, 10, 0), Transit::Arrives(_)));
    }
}
