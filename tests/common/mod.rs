//! Shared helpers for the replication scenario tests: run a scenario file, collect its events.
#![allow(dead_code)]

pub mod lesson_files;

use kafkascope::event::{Event, EventKind};
use kafkascope::ledger::LedgerCounts;
use kafkascope::scenario::{Scenario, TruncationPolicy};
use kafkascope::sim::Sim;

/// A finished run: the simulation (for its ledger and state) and every event it emitted.
pub struct Run {
    pub sim: Sim,
    pub events: Vec<Event>,
}

impl Run {
    pub fn ledger(&self) -> LedgerCounts {
        self.sim.ledger()
    }

    /// Events of one kind, with their time in ms.
    pub fn find<'a, T>(&'a self, f: impl Fn(&'a EventKind) -> Option<T> + 'a) -> Vec<(u64, T)> {
        self.events.iter().filter_map(|e| f(&e.kind).map(|t| (e.at_us / 1000, t))).collect()
    }

    /// `(ms, isr)` of every ISR change, from the controller's `isrChanged` events.
    pub fn isr_changes(&self) -> Vec<(u64, Vec<u32>)> {
        self.find(|k| match k {
            EventKind::IsrChanged { isr, topic, .. } if !internal(topic) => Some(isr.clone()),
            _ => None,
        })
    }

    /// `(ms, leader, epoch, unclean)` of every election of a user topic.
    pub fn elections(&self) -> Vec<(u64, Option<u32>, i32, bool)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::LeaderElected { leader, leader_epoch, unclean, topic, .. } if !internal(topic) => Some((e.at_us / 1000, *leader, *leader_epoch, *unclean)),
                _ => None,
            })
            .collect()
    }

    /// `(ms, broker, offset, reason)` of every truncation.
    pub fn truncations(&self) -> Vec<(u64, u32, i64, String)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::LogTruncated { broker, offset, reason, topic, .. } if !internal(topic) => Some((e.at_us / 1000, *broker, *offset, reason.clone())),
                _ => None,
            })
            .collect()
    }

    /// Records whose produce completed without error.
    pub fn acked_records(&self) -> u64 {
        self.events
            .iter()
            .map(|e| match &e.kind {
                EventKind::ProduceCompleted { records, error: None, .. } => *records as u64,
                _ => 0,
            })
            .sum()
    }
}

/// Parses a scenario, optionally overriding its truncation policy, and runs it to `until_ms`.
pub fn run_with(text: &str, truncation: Option<TruncationPolicy>, until_ms: u64) -> Run {
    let mut scenario = Scenario::from_json(text).expect("scenario parses");
    if let Some(t) = truncation {
        scenario.cluster.truncation = t;
    }
    let mut sim = Sim::new(&scenario).expect("sim builds");
    let events = sim.advance_to(until_ms * 1000);
    Run { sim, events }
}

pub fn run(text: &str, until_ms: u64) -> Run {
    run_with(text, None, until_ms)
}

/// Kafka's internal topics (`__consumer_offsets`) are left out of the helpers above: the tests are
/// about the scenario's own topic.
pub fn internal(topic: &str) -> bool {
    topic.starts_with("__")
}
