//! The controller's own settings, resolved once from the scenario's broker and topic config.

use crate::config::{Overrides, Profile, Resolver, Scope};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// Election and rebalance settings, plus what the controller must know of each topic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// `auto.leader.rebalance.enable`.
    pub auto_rebalance: bool,
    /// `leader.imbalance.check.interval.seconds`.
    pub imbalance_interval_s: u64,
    /// `leader.imbalance.per.broker.percentage` (ZooKeeper controller only).
    pub imbalance_percentage: u64,
    /// `eligible.leader.replicas.enable`, on the KRaft profile only (KIP-966 has no ZooKeeper side).
    pub elr: bool,
    /// The broker-level `unclean.leader.election.enable`, for topics created by command.
    pub default_unclean: bool,
    /// The broker-level `min.insync.replicas`, for topics created by command.
    pub default_min_isr: u32,
    /// `min.insync.replicas` per topic.
    pub min_isr: VecMap<String, u32>,
}

impl Policy {
    /// Reads the keys above from the scenario.
    pub fn from_scenario(scenario: &Scenario) -> Policy {
        let none = Overrides::default();
        let broker_cfg = &scenario.cluster.config.0;
        let b = Resolver::new(scenario.profile, Scope::Broker, broker_cfg, &none);
        let min_isr = scenario
            .topics
            .iter()
            .map(|t| {
                let tr = Resolver::new(scenario.profile, Scope::Topic, &t.config.0, broker_cfg);
                (t.name.to_string(), tr.uint("min.insync.replicas").max(1) as u32)
            })
            .collect();
        Policy {
            auto_rebalance: b.bool("auto.leader.rebalance.enable"),
            imbalance_interval_s: b.uint("leader.imbalance.check.interval.seconds").max(1),
            imbalance_percentage: b.uint("leader.imbalance.per.broker.percentage"),
            elr: scenario.profile == Profile::Kafka40 && b.bool("eligible.leader.replicas.enable"),
            default_unclean: b.bool("unclean.leader.election.enable"),
            default_min_isr: b.uint("min.insync.replicas").max(1) as u32,
            min_isr,
        }
    }

    /// `min.insync.replicas` of a topic.
    pub fn min_isr(&self, topic: &str) -> u32 {
        self.min_isr.get(topic).copied().unwrap_or(self.default_min_isr.max(1))
    }
}
