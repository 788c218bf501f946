//! The consumer client and consumer groups.
pub mod assignor;
pub mod coordinator_key;

use crate::actor::{Out, TimerKind};
use crate::config::{Overrides, Resolver, Scope};
use crate::event::EventKind;
use crate::ids::{BrokerId, ConsumerIdx, NodeId, TopicPartition};
use crate::net::{ErrorCode, FetchPartition, FetchedPartition, Message, PartitionState};
use crate::scenario::Scenario;
use crate::time::ms;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Consumer timers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsumerTimer {
    /// A fetch to this broker got no answer within `request.timeout.ms`.
    FetchTimeout { broker: BrokerId, correlation: u64 },
    /// Try fetching again (after metadata or an error backoff).
    Poll,
}

/// One consumer client. Group membership and rebalancing come with the consumer-group work; until
/// then the members of a group split the partitions with the range rule, fixed at start.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Consumer {
    idx: ConsumerIdx,
    brokers: u32,
    assigned: Vec<TopicPartition>,
    positions: BTreeMap<TopicPartition, i64>,
    leaders: BTreeMap<TopicPartition, (BrokerId, i32)>,
    in_flight: BTreeMap<BrokerId, u64>,
    next_correlation: u64,
    earliest: bool,
    fetch_min_bytes: u32,
    fetch_max_wait_ms: u64,
    fetch_max_bytes: u32,
    request_timeout_ms: u64,
    bootstrap: u32,
}

/// `ListOffsets(LATEST)` folded into the first fetch: an offset past any log end makes the leader
/// answer OFFSET_OUT_OF_RANGE with its high watermark, where a `latest` consumer starts.
const LATEST_SENTINEL: i64 = i64::MAX;

impl Consumer {
    /// The scenario's consumer number `idx` (1-based).
    pub fn new(idx: ConsumerIdx, scenario: &Scenario) -> Consumer {
        let spec = &scenario.consumers[idx as usize - 1];
        let none = Overrides::default();
        let r = Resolver::new(scenario.profile, Scope::Consumer, &spec.config.0, &none);
        let group = r.text("group.id").to_string();
        // Members of the same group, in order, for a static range split.
        let members: Vec<usize> = scenario
            .consumers
            .iter()
            .enumerate()
            .filter(|(_, c)| Resolver::new(scenario.profile, Scope::Consumer, &c.config.0, &none).text("group.id") == group)
            .map(|(i, _)| i)
            .collect();
        let me = members.iter().position(|&i| i == idx as usize - 1).unwrap_or(0);
        let mut assigned = Vec::new();
        for t in &spec.topics {
            let parts = scenario.topics.iter().find(|x| &x.name == t).map_or(0, |x| x.partitions);
            let (n, c) = (parts as usize, if group.is_empty() { 1 } else { members.len().max(1) });
            let me = if group.is_empty() { 0 } else { me };
            let (per, extra) = (n / c, n % c);
            let start = me * per + me.min(extra);
            let len = per + usize::from(me < extra);
            assigned.extend((start..start + len).map(|p| TopicPartition::new(t.clone(), p as u32)));
        }
        Consumer {
            idx,
            brokers: scenario.cluster.brokers,
            assigned,
            positions: BTreeMap::new(),
            leaders: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            next_correlation: 0,
            earliest: r.text("auto.offset.reset") == "earliest",
            fetch_min_bytes: r.uint("fetch.min.bytes") as u32,
            fetch_max_wait_ms: r.uint("fetch.max.wait.ms"),
            fetch_max_bytes: r.uint("fetch.max.bytes") as u32,
            request_timeout_ms: r.uint("request.timeout.ms"),
            bootstrap: idx - 1,
        }
    }

    /// The partitions this consumer reads.
    pub fn assignment(&self) -> &[TopicPartition] {
        &self.assigned
    }

    /// Starts: bootstrap metadata.
    pub fn start(&mut self, out: &mut Out) {
        self.request_metadata(out);
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, timer: ConsumerTimer, out: &mut Out) {
        match timer {
            ConsumerTimer::FetchTimeout { broker, correlation } => {
                if self.in_flight.get(&broker) == Some(&correlation) {
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
            _ => {}
        }
    }

    fn update_metadata(&mut self, partitions: &[PartitionState]) {
        for s in partitions.iter().filter(|s| self.assigned.contains(&s.tp)) {
            match s.leader {
                Some(l) => self.leaders.insert(s.tp.clone(), (l, s.leader_epoch)),
                None => self.leaders.remove(&s.tp),
            };
        }
    }

    fn request_metadata(&mut self, out: &mut Out) {
        self.bootstrap = (self.bootstrap + 1) % self.brokers;
        out.send(NodeId::Broker(self.bootstrap + 1), Message::MetadataRequest);
        out.timer(out.now + ms(1_000), TimerKind::Consumer(ConsumerTimer::Poll));
    }

    /// One fetch per leader broker with every assigned partition it leads (the consumer's poll loop).
    fn poll(&mut self, out: &mut Out) {
        let mut per_broker: BTreeMap<BrokerId, Vec<FetchPartition>> = BTreeMap::new();
        for tp in &self.assigned {
            let Some(&(leader, epoch)) = self.leaders.get(tp) else { continue };
            let start = if self.earliest { 0 } else { LATEST_SENTINEL };
            let offset = self.positions.get(tp).copied().unwrap_or(start);
            per_broker.entry(leader).or_default().push(FetchPartition {
                tp: tp.clone(),
                fetch_offset: offset,
                current_leader_epoch: epoch,
                last_fetched_epoch: None,
            });
        }
        for (broker, partitions) in per_broker {
            if self.in_flight.contains_key(&broker) {
                continue;
            }
            self.next_correlation += 1;
            let correlation = self.next_correlation;
            self.in_flight.insert(broker, correlation);
            let msg = Message::FetchRequest {
                correlation,
                replica: None,
                max_wait_us: ms(self.fetch_max_wait_ms),
                min_bytes: self.fetch_min_bytes,
                max_bytes: self.fetch_max_bytes,
                partitions,
            };
            out.send(NodeId::Broker(broker), msg);
            let at = out.now + ms(self.request_timeout_ms);
            out.timer(at, TimerKind::Consumer(ConsumerTimer::FetchTimeout { broker, correlation }));
        }
    }

    /// Applies one partition of a fetch; true if metadata should be refreshed.
    fn apply_fetched(&mut self, p: FetchedPartition, out: &mut Out) -> bool {
        match p.error {
            ErrorCode::None => {}
            ErrorCode::OffsetOutOfRange => {
                // auto.offset.reset: earliest = log start, latest = the high watermark.
                let reset = if self.earliest { p.log_start_offset } else { p.high_watermark };
                if reset >= 0 {
                    self.positions.insert(p.tp.clone(), reset);
                }
                return false;
            }
            _ => {
                self.leaders.remove(&p.tp);
                return true;
            }
        }
        let position = self.positions.get(&p.tp).copied().unwrap_or(0);
        let mut next = position;
        for batch in crate::log::batch::batches(&p.records) {
            let Ok((_, header, _)) = batch else { break };
            next = next.max(header.last_offset() + 1);
        }
        if next > position {
            self.positions.insert(p.tp.clone(), next);
            out.emit(EventKind::RecordsConsumed {
                consumer: self.idx,
                topic: p.tp.topic.clone(),
                partition: p.tp.partition,
                from_offset: position,
                to_offset: next,
                high_watermark: p.high_watermark,
            });
        } else if !self.positions.contains_key(&p.tp) {
            self.positions.insert(p.tp.clone(), position);
        }
        false
    }
}
