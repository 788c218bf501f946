//! Automatic preferred-leader rebalance (kafka-facts.md §4, "Auto leader rebalance").
//!
//! Every `leader.imbalance.check.interval.seconds` the controller looks for partitions not led by
//! their preferred replica (replica[0]). The ZooKeeper controller (kafka-3.6,
//! `KafkaController.checkAndTriggerAutoLeaderRebalance`) acts per broker, only when the share of that
//! broker's preferred partitions led by someone else exceeds `leader.imbalance.per.broker.percentage`;
//! the KRaft controller (kafka-4.0, `QuorumController.maybeBalancePartitionLeaders`) acts on every
//! imbalanced partition. Either way the election itself is [`Controller::preferred_election`].

use super::{Controller, ControllerTimer};
use crate::actor::{Out, TimerKind};
use crate::config::Profile;
use crate::ids::{BrokerId, TopicPartition};
use crate::time::ms;
use crate::vec_map::VecMap;

impl Controller {
    /// Arms the next imbalance check, if `auto.leader.rebalance.enable`.
    pub(super) fn arm_rebalance(&self, out: &mut Out) {
        if self.policy.auto_rebalance {
            let at = out.now + ms(self.policy.imbalance_interval_s.saturating_mul(1_000));
            out.timer(at, TimerKind::Controller(ControllerTimer::LeaderRebalance));
        }
    }

    /// The imbalance check: preferred elections where the profile's rule asks for them.
    pub fn check_leader_imbalance(&mut self, out: &mut Out) {
        let candidates = self.rebalance_candidates();
        let mut changed = Vec::new();
        for tp in candidates {
            if let Some(state) = self.preferred_election(&tp, out) {
                changed.push(state);
            }
        }
        self.broadcast(changed, out);
    }

    /// Partitions whose preferred replica should take leadership back now.
    fn rebalance_candidates(&self) -> Vec<TopicPartition> {
        // Partitions under reassignment are left alone (their replica list is in flux).
        let imbalanced = |tp: &TopicPartition| {
            let s = &self.partitions[tp];
            !self.reassignments.contains_key(tp) && s.leader.is_some() && s.replicas.first().copied() != s.leader
        };
        match self.profile {
            Profile::Kafka40 => self.partitions.keys().filter(|tp| imbalanced(tp)).cloned().collect(),
            Profile::Kafka36 => {
                let mut by_preferred: VecMap<BrokerId, Vec<&TopicPartition>> = VecMap::new();
                for (tp, s) in &self.partitions {
                    if let Some(&p) = s.replicas.first() {
                        by_preferred.entry(p).or_default().push(tp);
                    }
                }
                let pct = self.policy.imbalance_percentage;
                let mut out = Vec::new();
                for tps in by_preferred.values() {
                    let not_led: Vec<&TopicPartition> = tps.iter().copied().filter(|tp| imbalanced(tp)).collect();
                    // imbalanceRatio = notLed / total > percentage / 100, in integers.
                    if (not_led.len() as u64) * 100 > pct * tps.len() as u64 {
                        out.extend(not_led.into_iter().cloned());
                    }
                }
                crate::order::sort(&mut out);
                out
            }
        }
    }
}
