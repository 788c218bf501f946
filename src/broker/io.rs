//! Why Kafka is fast, counted: what each broker's produce and fetch traffic cost it.
//!
//! - Produce: requests, batches and records per request (batching amortises the per-request cost
//!   of the cost model), and appends, every one at the end of the active segment (sequential IO).
//! - Fetch: the request handler only locates the bytes; a network thread (`num.network.threads`)
//!   then hands them to the socket. On a PLAINTEXT connection that is `sendfile` (zero-copy: page
//!   cache → socket, no CPU copy); on an SSL one the bytes are read into user space and encrypted
//!   first, at `costModel.userSpaceCopyBytesPerSec` of network-thread time (Kafka docs, design
//!   "Efficiency", KAFKA-13799). Bytes not in the page cache block that thread on a disk read
//!   (`diskReadLatencyUs` + bytes / `diskReadBytesPerSec`), delaying every response it serves
//!   (KAFKA-7504). Page-cache hits add nothing beyond the wire.

use super::page_cache::PageCache;
use super::Broker;
use crate::actor::Out;
use crate::ids::{NodeId, TopicPartition};
use crate::log::batch::read_header;
use crate::log::AppendInfo;
use crate::net::{Message, ProduceBatch};
use crate::time::Micros;
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// Where a fetch's bytes for one partition lie in a segment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRange {
    /// The partition.
    pub tp: TopicPartition,
    /// Base offset of the segment read.
    pub segment: i64,
    /// Byte position in the segment.
    pub position: u64,
    /// Bytes read.
    pub len: u64,
}

/// IO counters of a broker, or of one client's traffic to the brokers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IoCounters {
    /// Produce requests handled.
    pub produce_requests: u64,
    /// Batches in those requests (one per partition).
    pub produce_batches: u64,
    /// Records in those batches.
    pub produce_records: u64,
    /// Appends to a log (as leader or follower), each at the end of its active segment.
    pub sequential_appends: u64,
    /// Bytes appended.
    pub appended_bytes: u64,
    /// Fetch responses written to sockets.
    pub fetch_responses: u64,
    /// Log bytes in those responses.
    pub fetched_bytes: u64,
    /// Fetched bytes sent with `sendfile`, page cache → socket (PLAINTEXT connections).
    pub zero_copy_bytes: u64,
    /// Fetched bytes copied through user space to be encrypted (SSL connections).
    pub user_space_copy_bytes: u64,
    /// Partition reads served wholly from the page cache.
    pub page_cache_hits: u64,
    /// Bytes served from the page cache.
    pub page_cache_hit_bytes: u64,
    /// Partition reads that had to go to the disk for some of their bytes.
    pub disk_reads: u64,
    /// Bytes read from the disk.
    pub disk_read_bytes: u64,
    /// Network-thread time spent on disk reads and user-space copies.
    pub network_thread_busy_us: u64,
}

impl IoCounters {
    /// Adds another set of counters to this one.
    pub fn add(&mut self, o: &IoCounters) {
        let IoCounters {
            produce_requests,
            produce_batches,
            produce_records,
            sequential_appends,
            appended_bytes,
            fetch_responses,
            fetched_bytes,
            zero_copy_bytes,
            user_space_copy_bytes,
            page_cache_hits,
            page_cache_hit_bytes,
            disk_reads,
            disk_read_bytes,
            network_thread_busy_us,
        } = *o;
        self.produce_requests += produce_requests;
        self.produce_batches += produce_batches;
        self.produce_records += produce_records;
        self.sequential_appends += sequential_appends;
        self.appended_bytes += appended_bytes;
        self.fetch_responses += fetch_responses;
        self.fetched_bytes += fetched_bytes;
        self.zero_copy_bytes += zero_copy_bytes;
        self.user_space_copy_bytes += user_space_copy_bytes;
        self.page_cache_hits += page_cache_hits;
        self.page_cache_hit_bytes += page_cache_hit_bytes;
        self.disk_reads += disk_reads;
        self.disk_read_bytes += disk_read_bytes;
        self.network_thread_busy_us += network_thread_busy_us;
    }
}

/// A broker's counters in total and per client (producer, consumer, or follower broker).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IoStats {
    /// Everything this broker did.
    pub total: IoCounters,
    /// The part each client caused.
    #[serde(with = "crate::vec_map::pairs")]
    pub by_client: VecMap<NodeId, IoCounters>,
}

impl IoStats {
    fn record(&mut self, client: Option<NodeId>, f: impl Fn(&mut IoCounters)) {
        f(&mut self.total);
        if let Some(c) = client {
            f(self.by_client.entry(c).or_default());
        }
    }
}

/// The broker's network threads (processors): each connection is pinned to one, assigned
/// round-robin as connections arrive, and a thread serves its responses one after another.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NetworkThreads {
    busy_until: Vec<Micros>,
    #[serde(with = "crate::vec_map::pairs")]
    pinned: VecMap<NodeId, usize>,
}

impl NetworkThreads {
    /// `n` idle threads and no connections (a process start).
    pub fn new(n: usize) -> NetworkThreads {
        NetworkThreads { busy_until: vec![0; n.max(1)], pinned: VecMap::new() }
    }

    /// The thread of `client`'s connection takes `work` µs after what it already has queued;
    /// returns when the response is on the socket.
    fn reserve(&mut self, client: NodeId, now: Micros, work: Micros) -> Micros {
        let next = self.pinned.len() % self.busy_until.len();
        let thread = *self.pinned.entry(client).or_insert(next);
        let slot = &mut self.busy_until[thread];
        *slot = (*slot).max(now) + work;
        *slot
    }
}

/// One broker's counters in the run summary (`brokerIo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerIo {
    /// The broker.
    pub broker: crate::ids::BrokerId,
    /// Its counters.
    #[serde(flatten)]
    pub io: IoCounters,
}

/// One client's counters over all brokers in the run summary (`clientIo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientIo {
    /// The client: `producer-1`, `consumer-2`, or `broker-3` for a follower's replica fetches.
    pub client: String,
    /// Its counters.
    #[serde(flatten)]
    pub io: IoCounters,
}

/// Per-broker and per-client counters of a cluster, in broker and client order.
pub fn summarize(brokers: &[Broker]) -> (Vec<BrokerIo>, Vec<ClientIo>) {
    let per_broker = brokers.iter().map(|b| BrokerIo { broker: b.id(), io: b.io.total }).collect();
    let mut per_client: VecMap<NodeId, IoCounters> = VecMap::new();
    for b in brokers {
        for (client, c) in &b.io.by_client {
            per_client.entry(*client).or_default().add(c);
        }
    }
    let per_client = per_client.into_iter().map(|(client, io)| ClientIo { client: client.to_string(), io }).collect();
    (per_broker, per_client)
}

impl Broker {
    /// This broker's IO counters.
    pub fn io(&self) -> &IoStats {
        &self.io
    }

    /// The OS page cache over this broker's logs.
    pub fn page_cache(&self) -> &PageCache {
        &self.page_cache
    }

    /// Counts a produce request: one request carrying a batch per partition.
    pub(super) fn note_produce(&mut self, client: NodeId, batches: &[ProduceBatch]) {
        let records: u64 = batches.iter().filter_map(|b| read_header(&b.bytes).ok()).map(|h| h.records_count.max(0) as u64).sum();
        self.io.record(Some(client), |c| {
            c.produce_requests += 1;
            c.produce_batches += batches.len() as u64;
            c.produce_records += records;
        });
    }

    /// An append went to the end of `tp`'s active segment: through the page cache, sequentially.
    pub(super) fn note_append(&mut self, tp: &TopicPartition, info: &AppendInfo) {
        if info.bytes == 0 {
            return;
        }
        self.page_cache.write(tp, info.segment_base_offset, info.position, info.bytes);
        self.io.record(None, |c| {
            c.sequential_appends += 1;
            c.appended_bytes += info.bytes;
        });
    }

    /// Sends a fetch response once the client's network thread has put its bytes on the socket:
    /// disk reads for the pages not cached, then `sendfile` or a copy through user space.
    pub(super) fn serve_fetch(&mut self, client: NodeId, follower: bool, files: &[FileRange], msg: Message, out: &mut Out) {
        let tls = match client {
            NodeId::Consumer(c) if !follower => self.settings.tls_consumers.contains(&c),
            _ => follower && self.settings.inter_broker_tls,
        };
        let mut served = IoCounters { fetch_responses: 1, ..IoCounters::default() };
        let mut work = 0;
        for f in files {
            let read = self.page_cache.read(&f.tp, f.segment, f.position, f.len);
            served.fetched_bytes += f.len;
            served.page_cache_hit_bytes += read.hit_bytes;
            served.disk_read_bytes += read.miss_bytes;
            if read.miss_bytes == 0 {
                served.page_cache_hits += 1;
            } else {
                served.disk_reads += 1;
            }
            work += out.cost.disk_read_us(read.miss_bytes);
            if tls {
                served.user_space_copy_bytes += f.len;
                work += out.cost.user_space_copy_us(f.len);
            } else {
                served.zero_copy_bytes += f.len;
            }
        }
        served.network_thread_busy_us = work;
        self.io.record(Some(client), |c| c.add(&served));
        let at = self.network_threads.reserve(client, out.now, work);
        out.send_at(at, client, msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_pinned_round_robin_and_a_busy_thread_delays_its_next_response() {
        let mut threads = NetworkThreads::new(2);
        let (a, b, c) = (NodeId::Consumer(1), NodeId::Consumer(2), NodeId::Consumer(3));
        assert_eq!(threads.reserve(a, 100, 50), 150, "thread 0 works 50 µs");
        assert_eq!(threads.reserve(b, 100, 0), 100, "thread 1 is idle: at once");
        // consumer 3 lands on thread 0 again and waits behind consumer 1's disk read.
        assert_eq!(threads.reserve(c, 120, 0), 150);
        assert_eq!(threads.reserve(b, 200, 10), 210);
    }

    #[test]
    fn counters_add_field_by_field() {
        let one = IoCounters { produce_requests: 1, produce_records: 7, disk_read_bytes: 9, network_thread_busy_us: 3, ..IoCounters::default() };
        let mut sum = one;
        sum.add(&one);
        assert_eq!((sum.produce_requests, sum.produce_records, sum.disk_read_bytes, sum.network_thread_busy_us), (2, 14, 18, 6));
    }
}
