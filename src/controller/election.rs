//! Leader election on broker failure and startup (kafka-facts.md §4, `PartitionChangeBuilder`).

use super::Controller;
use crate::actor::Out;
use crate::event::EventKind;
use crate::ids::BrokerId;
use crate::net::PartitionState;

impl Controller {
    /// A broker's session expired (ZooKeeper) or it was fenced (KRaft): move its leaderships away and
    /// take it out of every ISR (keeping the last member, as Kafka does, so the partition can return).
    pub(super) fn on_broker_failure(&mut self, broker: BrokerId, out: &mut Out) {
        if let Some(r) = self.brokers.get_mut(&broker) {
            r.live = false;
        }
        let live = self.live_brokers();
        let mut changed = Vec::new();
        for state in self.partitions.values_mut() {
            if !state.replicas.contains(&broker) {
                continue;
            }
            let was_leader = state.leader == Some(broker);
            let shrunk: Vec<BrokerId> = state.isr.iter().copied().filter(|&b| b != broker).collect();
            if was_leader {
                let unclean_ok = self.unclean.get(&state.tp.topic).copied().unwrap_or(false);
                let (leader, unclean) = elect(state, &shrunk, &live, unclean_ok);
                state.leader = leader;
                state.leader_epoch += 1;
                state.isr = match (leader, unclean) {
                    (Some(l), true) => vec![l],
                    _ if shrunk.is_empty() => state.isr.clone(),
                    _ => shrunk,
                };
                state.partition_epoch += 1;
                emit_election(state, unclean, out);
                changed.push(state.clone());
            } else if state.isr.contains(&broker) && !shrunk.is_empty() {
                state.isr = shrunk;
                state.partition_epoch += 1;
                out.emit(EventKind::IsrChanged { topic: state.tp.topic.clone(), partition: state.tp.partition, isr: state.isr.clone() });
                changed.push(state.clone());
            }
        }
        self.broadcast(changed, out);
    }

    /// A broker (re)registered: tell it everything it hosts, and bring offline partitions back if it
    /// can lead them.
    pub(super) fn on_broker_startup(&mut self, broker: BrokerId, out: &mut Out) {
        let live = self.live_brokers();
        let mut changed = Vec::new();
        let mut for_broker = Vec::new();
        for state in self.partitions.values_mut() {
            if !state.replicas.contains(&broker) {
                continue;
            }
            if state.leader.is_none() {
                let unclean_ok = self.unclean.get(&state.tp.topic).copied().unwrap_or(false);
                let isr = state.isr.clone();
                let (leader, unclean) = elect(state, &isr, &live, unclean_ok);
                if leader.is_some() {
                    state.leader = leader;
                    state.leader_epoch += 1;
                    if unclean {
                        state.isr = leader.into_iter().collect();
                    }
                    state.partition_epoch += 1;
                    emit_election(state, unclean, out);
                    changed.push(state.clone());
                    continue;
                }
            }
            for_broker.push(state.clone());
        }
        let live_now = self.live_brokers();
        let msg = crate::net::Message::LeaderAndIsr { controller_epoch: self.epoch, live_brokers: live_now, partitions: for_broker };
        out.send(crate::ids::NodeId::Broker(broker), msg);
        // Everyone else learns the broker is back (metadata) and any new leaders.
        let all: Vec<PartitionState> = self.partitions.values().cloned().collect();
        let _ = changed;
        self.broadcast(all, out);
    }
}

/// `electLeader`: the first live ISR member in assignment order; else, if allowed, the first live
/// replica at all (an unclean election that may lose acknowledged data); else offline.
fn elect(state: &PartitionState, isr: &[BrokerId], live: &[BrokerId], unclean_ok: bool) -> (Option<BrokerId>, bool) {
    if let Some(&b) = state.replicas.iter().find(|b| isr.contains(b) && live.contains(b)) {
        return (Some(b), false);
    }
    if unclean_ok {
        if let Some(&b) = state.replicas.iter().find(|b| live.contains(b)) {
            return (Some(b), true);
        }
    }
    (None, false)
}

fn emit_election(state: &PartitionState, unclean: bool, out: &mut Out) {
    out.emit(EventKind::LeaderElected {
        topic: state.tp.topic.clone(),
        partition: state.tp.partition,
        leader: state.leader,
        leader_epoch: state.leader_epoch,
        isr: state.isr.clone(),
        unclean,
    });
}
