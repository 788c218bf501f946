//! Leader election on broker failure and startup (kafka-facts.md §4, `PartitionChangeBuilder`), and
//! the preferred-replica election used by the auto leader rebalance.

use super::Controller;
use crate::actor::Out;
use crate::event::EventKind;
use crate::ids::{BrokerId, TopicPartition};
use crate::net::PartitionState;

/// How a leader was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Choice {
    /// A live ISR member.
    Clean,
    /// The ISR is empty: a live Eligible Leader Replica (KIP-966), also clean.
    FromElr,
    /// `unclean.leader.election.enable`: any live replica; acknowledged data may be lost.
    Unclean,
    /// Nobody: the partition is offline.
    Offline,
}

impl Controller {
    /// A broker's session expired (ZooKeeper) or it was fenced (KRaft): move its leaderships away and
    /// take it out of every ISR. Without ELR the last member stays (as Kafka does, so the partition
    /// can return with it); with ELR (KIP-966) the ISR may become empty, its members kept in the ELR.
    pub(super) fn on_broker_failure(&mut self, broker: BrokerId, out: &mut Out) {
        if let Some(r) = self.brokers.get_mut(&broker) {
            r.live = false;
        }
        self.close_channel(broker);
        let live = self.live_brokers();
        let hosted: Vec<TopicPartition> =
            self.partitions.iter().filter(|(_, s)| s.replicas.contains(&broker)).map(|(tp, _)| tp.clone()).collect();
        let mut changed = Vec::new();
        for tp in hosted {
            let state = self.partitions[&tp].clone();
            let shrunk: Vec<BrokerId> = state.isr.iter().copied().filter(|&b| b != broker).collect();
            let mut next = state.clone();
            let mut choice = None;
            if state.leader == Some(broker) {
                let (leader, how) = self.elect(&state, &shrunk, &live);
                next.leader = leader;
                next.leader_epoch += 1;
                next.isr = match (leader, how) {
                    (Some(l), Choice::Unclean | Choice::FromElr) => vec![l],
                    _ if shrunk.is_empty() && !self.policy.elr => state.isr.clone(),
                    _ => shrunk,
                };
                choice = Some(how);
            } else if state.isr.contains(&broker) && (!shrunk.is_empty() || self.policy.elr) {
                next.isr = shrunk;
            } else {
                continue;
            }
            next.partition_epoch += 1;
            self.partitions.insert(tp.clone(), next.clone());
            match choice {
                Some(how) => emit_election(&next, how == Choice::Unclean, out),
                None => out.emit(EventKind::IsrChanged { topic: tp.topic.clone(), partition: tp.partition, isr: next.isr.clone() }),
            }
            self.track_elr(&tp, &state.isr, choice == Some(Choice::Unclean), out);
            changed.push(self.partitions[&tp].clone());
        }
        self.broadcast(changed, out);
    }

    /// A broker (re)registered: tell it everything it hosts, and bring offline partitions back if it
    /// can lead them.
    pub(super) fn on_broker_startup(&mut self, broker: BrokerId, out: &mut Out) {
        let live = self.live_brokers();
        let offline: Vec<TopicPartition> = self
            .partitions
            .iter()
            .filter(|(_, s)| s.replicas.contains(&broker) && s.leader.is_none())
            .map(|(tp, _)| tp.clone())
            .collect();
        let mut elected = Vec::new();
        for tp in offline {
            let state = self.partitions[&tp].clone();
            let (leader, how) = self.elect(&state, &state.isr, &live);
            if leader.is_none() {
                continue;
            }
            let mut next = state.clone();
            next.leader = leader;
            next.leader_epoch += 1;
            if matches!(how, Choice::Unclean | Choice::FromElr) {
                next.isr = leader.into_iter().collect();
            }
            next.partition_epoch += 1;
            self.partitions.insert(tp.clone(), next.clone());
            emit_election(&next, how == Choice::Unclean, out);
            self.track_elr(&tp, &state.isr, how == Choice::Unclean, out);
            elected.push(tp);
        }
        // Partitions that just got a leader reach this broker with the broadcast below.
        let for_broker: Vec<PartitionState> =
            self.partitions.values().filter(|s| s.replicas.contains(&broker) && !elected.contains(&s.tp)).cloned().collect();
        self.push(broker, &live, for_broker, out);
        // Everyone else learns the broker is back (metadata) and any new leaders.
        let all: Vec<PartitionState> = self.partitions.values().cloned().collect();
        self.broadcast(all, out);
    }

    /// `electLeader`: the first live ISR member in assignment order; if the ISR is empty, the first
    /// live ELR member (KIP-966); else, if allowed, the first live replica at all (an unclean election
    /// that may lose acknowledged data); else offline.
    pub(super) fn elect(&self, state: &PartitionState, isr: &[BrokerId], live: &[BrokerId]) -> (Option<BrokerId>, Choice) {
        if let Some(&b) = state.replicas.iter().find(|b| isr.contains(b) && live.contains(b)) {
            return (Some(b), Choice::Clean);
        }
        if self.policy.elr && isr.is_empty() {
            let elr = self.elr.get(&state.tp).cloned().unwrap_or_default();
            if let Some(&b) = state.replicas.iter().find(|b| elr.contains(b) && live.contains(b)) {
                return (Some(b), Choice::FromElr);
            }
        }
        if self.unclean.get(state.tp.topic.as_str()).copied().unwrap_or(false) {
            if let Some(&b) = state.replicas.iter().find(|b| live.contains(b)) {
                return (Some(b), Choice::Unclean);
            }
        }
        (None, Choice::Offline)
    }

    /// Preferred replica election: replica[0] if it is live and in the ISR; otherwise the leader
    /// stays. Returns the new state when leadership moved (epoch bumped, `LeaderElected` emitted).
    pub fn preferred_election(&mut self, tp: &TopicPartition, out: &mut Out) -> Option<PartitionState> {
        let live = self.live_brokers();
        let state = self.partitions.get_mut(tp)?;
        let preferred = *state.replicas.first()?;
        if state.leader == Some(preferred) || !state.isr.contains(&preferred) || !live.contains(&preferred) {
            return None;
        }
        state.leader = Some(preferred);
        state.leader_epoch += 1;
        state.partition_epoch += 1;
        emit_election(state, false, out);
        Some(state.clone())
    }
}

/// Reports the partition's new leader, epoch and ISR.
pub(super) fn emit_election(state: &PartitionState, unclean: bool, out: &mut Out) {
    out.emit(EventKind::LeaderElected {
        topic: state.tp.topic.clone(),
        partition: state.tp.partition,
        leader: state.leader,
        leader_epoch: state.leader_epoch,
        isr: state.isr.clone(),
        unclean,
    });
}
