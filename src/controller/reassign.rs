//! Partition reassignment, KIP-455 style (`AlterPartitionReassignments`), which is also how the
//! replication factor changes.
//!
//! 1. The replica set becomes target + (old replicas not in target); the adding replicas learn it
//!    from LeaderAndIsr, start fetching from the leader and catch up.
//! 2. The leader adds each one to the ISR once it reaches the HW (ordinary `maybeExpandIsr`).
//! 3. When every target replica is in the ISR, the controller makes the replica set the target,
//!    moves leadership to a target replica if the leader is not one, bumps the leader epoch, and the
//!    removed replicas stop and delete their logs.

use super::admin::admin_failed;
use super::election::emit_election;
use super::Controller;
use crate::actor::Out;
use crate::event::EventKind;
use crate::ids::{BrokerId, TopicPartition};
use serde::{Deserialize, Serialize};

/// A reassignment in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reassignment {
    /// The replica set wanted, the first being the new preferred leader.
    pub target: Vec<BrokerId>,
    /// Replicas to drop once the target is in sync.
    pub removing: Vec<BrokerId>,
}

impl Controller {
    /// Starts moving `topic`-`partition` to `target` (replacing any reassignment in progress).
    pub fn reassign_partition(&mut self, topic: &str, partition: u32, target: Vec<BrokerId>, out: &mut Out) {
        let tp = TopicPartition::new(topic, partition);
        let Some(state) = self.partitions.get(&tp).cloned() else {
            let error = format!("UnknownTopicOrPartitionException: Partition {tp} does not exist.");
            return admin_failed("reassignPartition", topic, error, out);
        };
        let mut distinct = target.clone();
        crate::order::sort(&mut distinct);
        distinct.dedup();
        if target.is_empty() || distinct.len() != target.len() || target.iter().any(|b| !self.brokers.contains_key(b)) {
            let error = format!("InvalidReplicaAssignmentException: The proposed assignment {target:?} for {tp} is empty, repeats a broker or names an unknown broker.");
            return admin_failed("reassignPartition", topic, error, out);
        }
        if state.replicas == target {
            self.reassignments.remove(&tp);
            return;
        }
        let adding: Vec<BrokerId> = target.iter().copied().filter(|b| !state.replicas.contains(b)).collect();
        let removing: Vec<BrokerId> = state.replicas.iter().copied().filter(|b| !target.contains(b)).collect();
        let mut next = state.clone();
        next.replicas = target.iter().copied().chain(removing.iter().copied()).collect();
        next.partition_epoch += 1;
        out.emit(EventKind::ReassignmentStarted {
            topic: topic.into(),
            partition,
            replicas: next.replicas.clone(),
            adding,
            removing: removing.clone(),
        });
        self.partitions.insert(tp.clone(), next.clone());
        self.reassignments.insert(tp.clone(), Reassignment { target, removing });
        self.broadcast(vec![next], out);
        self.maybe_complete_reassignment(&tp, out);
    }

    /// Finishes a reassignment whose target replicas are all in the ISR (and a target replica can lead).
    pub(super) fn maybe_complete_reassignment(&mut self, tp: &TopicPartition, out: &mut Out) {
        let Some(r) = self.reassignments.get(tp).cloned() else { return };
        let Some(state) = self.partitions.get(tp).cloned() else { return };
        if !r.target.iter().all(|b| state.isr.contains(b)) {
            return;
        }
        let live = self.live_brokers();
        let leader = match state.leader {
            Some(l) if r.target.contains(&l) && live.contains(&l) => Some(l),
            _ => r.target.iter().copied().find(|b| state.isr.contains(b) && live.contains(b)),
        };
        if leader.is_none() {
            return;
        }
        self.reassignments.remove(tp);
        let mut next = state.clone();
        next.replicas = r.target.clone();
        next.isr = state.isr.iter().copied().filter(|b| r.target.contains(b)).collect();
        next.leader = leader;
        // Removing replicas bumps the leader epoch (ZooKeeper controller; KRaft's
        // `triggerLeaderEpochBumpForReplicaReassignmentIfNeeded`), so fetches from them are fenced.
        next.leader_epoch += 1;
        next.partition_epoch += 1;
        self.partitions.insert(tp.clone(), next.clone());
        emit_election(&next, false, out);
        if next.isr != state.isr {
            out.emit(EventKind::IsrChanged { topic: tp.topic.clone(), partition: tp.partition, isr: next.isr.clone() });
        }
        out.emit(EventKind::ReassignmentCompleted { topic: tp.topic.clone(), partition: tp.partition, replicas: next.replicas.clone(), leader });
        self.track_elr(tp, &state.isr, false, out);
        self.broadcast(vec![next], out);
    }

    /// Reassignments in progress.
    pub fn reassignments(&self) -> &crate::vec_map::VecMap<TopicPartition, Reassignment> {
        &self.reassignments
    }
}
