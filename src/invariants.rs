//! Safety invariants of replication and consumer groups, checked against a running [`Sim`].
//!
//! [`check`] looks at one state: every live replica's HW ≤ its LEO, at most one live broker leading a
//! partition in a leader epoch, and identical committed prefixes across the leader and its ISR (the
//! ledger's rule: below min(leader HW, follower LEO)). [`InvariantTracker`] remembers what happened across a run:
//! one leader per (partition, leader epoch) in the controller's elections, consumers never reading
//! past the HW they were served, no partition owned by two members of a group in one generation, and
//! the leader's HW rule checked each time the HW advanced between two observations.
//!
//! Checking is opt-in ([`Sim::advance_to_checked`]); nothing here runs in the engine's hot path.
//! Ref: kafka-facts.md §4 (LEO, HW, ISR, epochs), §7 (consumers see offsets below the HW).

use crate::event::{Event, EventKind};
use crate::ids::{BrokerId, ConsumerIdx, TopicPartition};
use crate::sim::Sim;
use crate::time::Micros;
use crate::vec_map::{VecMap, VecSet};

/// Which invariant a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InvariantKind {
    /// A replica's high watermark is above its own log end offset.
    HwAboveLeo,
    /// A leader advanced its HW above the LEO it knew for an ISR member.
    HwAboveIsrLeo,
    /// Two leaders for one partition in one leader epoch.
    TwoLeadersInEpoch,
    /// Two replicas disagree below the committed offset.
    CommittedPrefixDiverged,
    /// A consumer received records at or above the high watermark.
    ConsumedPastHw,
    /// Two members of a group own one partition in the same generation.
    PartitionOwnedTwice,
}

/// One broken invariant, with a message naming the broker, partition and offset involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant.
    pub kind: InvariantKind,
    /// Virtual time it was seen at.
    pub at_us: Micros,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{:?} at {} us] {}", self.kind, self.at_us, self.message)
    }
}

fn violation(kind: InvariantKind, at_us: Micros, message: String) -> Violation {
    Violation { kind, at_us, message }
}

/// Checks the invariants that hold in every single state of the cluster.
///
/// The leader-HW-versus-ISR rule is not here on purpose: Kafka guarantees it only when the HW
/// *advances* (`maybeIncrementLeaderHW` takes the minimum over the maximal ISR's LEOs). Afterwards a
/// follower's known LEO may fall below the HW (it restarted after a power loss, or a new leader does
/// not know its followers yet) while the HW never moves back; [`InvariantTracker::check_sim`] checks
/// each advance instead.
pub fn check(sim: &Sim) -> Vec<Violation> {
    let now = sim.now_us();
    let mut out = Vec::new();
    let mut leaders: VecMap<(&TopicPartition, i32), Vec<BrokerId>> = VecMap::new();
    for b in sim.brokers().iter().filter(|b| b.is_alive()) {
        for (tp, log) in &b.disk.logs {
            let Some(r) = b.replica(tp) else { continue };
            let leo = log.log_end_offset();
            if r.hw > leo {
                let msg = format!("broker {} {tp}: high watermark {} is above log end offset {leo}", b.id(), r.hw);
                out.push(violation(InvariantKind::HwAboveLeo, now, msg));
            }
            if r.state.leader == Some(b.id()) {
                leaders.entry((tp, r.state.leader_epoch)).or_default().push(b.id());
            }
        }
    }
    for ((tp, epoch), ids) in leaders.into_iter().filter(|(_, ids)| ids.len() > 1) {
        let msg = format!("{tp}: brokers {ids:?} all lead leader epoch {epoch}");
        out.push(violation(InvariantKind::TwoLeadersInEpoch, now, msg));
    }
    for (tp, state) in sim.partitions() {
        // Only ISR members must agree now: a replica outside the ISR (a deposed leader that has not
        // heard of the new epoch yet) may hold an uncommitted suffix until it truncates.
        for (b, offset) in crate::ledger::divergent_replicas(sim.brokers(), tp, state).into_iter().filter(|(b, _)| state.isr.contains(b)) {
            let leader = state.leader.unwrap_or_default();
            let msg = format!("{tp}: broker {b} differs from leader {leader} at offset {offset}, below the committed offset");
            out.push(violation(InvariantKind::CommittedPrefixDiverged, now, msg));
        }
    }
    out
}

/// A leader's HW and its followers' known LEOs at the previous observation.
#[derive(Clone, Debug)]
struct LeaderView {
    epoch: i32,
    hw: i64,
    leos: VecMap<BrokerId, i64>,
}

/// Invariants over a whole run: feed it every event ([`InvariantTracker::observe`]) and, when you
/// have the simulation, each state ([`InvariantTracker::check_sim`]).
#[derive(Clone, Debug, Default)]
pub struct InvariantTracker {
    /// (partition, leader epoch) -> the leader the controller elected.
    elected: VecMap<(TopicPartition, i32), Option<BrokerId>>,
    /// consumer -> (group, generation, owned partitions).
    owned: VecMap<ConsumerIdx, (String, i32, VecSet<TopicPartition>)>,
    /// (leader broker, partition) -> what it looked like last time.
    views: VecMap<(BrokerId, TopicPartition), LeaderView>,
}

impl InvariantTracker {
    /// A tracker that has seen nothing.
    pub fn new() -> InvariantTracker {
        InvariantTracker::default()
    }

    /// Feeds events in order; returns the violations they show.
    pub fn observe(&mut self, events: &[Event]) -> Vec<Violation> {
        let mut out = Vec::new();
        for e in events {
            self.observe_one(e, &mut out);
        }
        out
    }

    fn observe_one(&mut self, e: &Event, out: &mut Vec<Violation>) {
        let at = e.at_us;
        match &e.kind {
            EventKind::LeaderElected { topic, partition, leader, leader_epoch, .. } => {
                let tp = TopicPartition { topic: topic.clone(), partition: *partition };
                let key = (tp.clone(), *leader_epoch);
                match self.elected.get(&key) {
                    Some(prev) if prev != leader => {
                        let msg = format!("{tp}: leader epoch {leader_epoch} elected both {prev:?} and {leader:?}");
                        out.push(violation(InvariantKind::TwoLeadersInEpoch, at, msg));
                    }
                    _ => {
                        self.elected.insert(key, *leader);
                    }
                }
            }
            EventKind::RecordsConsumed { consumer, topic, partition, from_offset, to_offset, high_watermark } => {
                if to_offset > high_watermark {
                    let msg = format!(
                        "consumer {consumer} read {topic}-{partition} offsets [{from_offset}, {to_offset}) past high watermark {high_watermark}"
                    );
                    out.push(violation(InvariantKind::ConsumedPastHw, at, msg));
                }
            }
            EventKind::RebalanceCompleted { broker, group, generation, assignment, .. } => {
                let mut seen: VecMap<&TopicPartition, &String> = VecMap::new();
                for (member, tps) in assignment {
                    for tp in tps {
                        if let Some(other) = seen.insert(tp, member) {
                            let msg = format!(
                                "group {group} generation {generation} (coordinator broker {broker}): {tp} assigned to both {other} and {member}"
                            );
                            out.push(violation(InvariantKind::PartitionOwnedTwice, at, msg));
                        }
                    }
                }
            }
            EventKind::PartitionsAssigned { consumer, group, generation, assigned, revoked } => {
                let entry = self.owned.entry(*consumer).or_insert_with(|| (group.clone(), *generation, VecSet::new()));
                entry.0 = group.clone();
                entry.1 = *generation;
                for tp in revoked {
                    entry.2.remove(tp);
                }
                entry.2.extend(assigned.iter().cloned());
                self.check_ownership(*consumer, at, out);
            }
            EventKind::ConsumerStopped { consumer } => {
                self.owned.remove(consumer);
            }
            _ => {}
        }
    }

    fn check_ownership(&self, consumer: ConsumerIdx, at: Micros, out: &mut Vec<Violation>) {
        let Some((group, generation, mine)) = self.owned.get(&consumer) else { return };
        if *generation < 0 {
            return;
        }
        for (other, (g, gen, theirs)) in &self.owned {
            if *other == consumer || g != group || gen != generation {
                continue;
            }
            for tp in mine.intersection(theirs) {
                let msg = format!("group {group} generation {generation}: {tp} owned by consumers {other} and {consumer}");
                out.push(violation(InvariantKind::PartitionOwnedTwice, at, msg));
            }
        }
    }

    /// Runs [`check`] and the leader's HW rule: if a live leader's HW advanced since the previous
    /// call, the new HW must be ≤ the LEO it knows for each ISR follower (followers whose known LEO is
    /// unknown or moved back in the meantime are skipped: Kafka never lowers the HW for them).
    pub fn check_sim(&mut self, sim: &Sim) -> Vec<Violation> {
        let now = sim.now_us();
        let mut out = check(sim);
        let mut views = VecMap::new();
        for b in sim.brokers().iter().filter(|b| b.is_alive()) {
            for tp in b.disk.logs.keys() {
                let Some(r) = b.replica(tp) else { continue };
                if r.state.leader != Some(b.id()) {
                    continue;
                }
                let leos: VecMap<BrokerId, i64> = r.followers.iter().map(|(f, s)| (*f, s.leo)).collect();
                let key = (b.id(), tp.clone());
                if let Some(prev) = self.views.get(&key).filter(|p| p.epoch == r.state.leader_epoch && r.hw > p.hw) {
                    for f in r.state.isr.iter().filter(|&&f| f != b.id()) {
                        let Some(&leo) = leos.get(f) else { continue };
                        let regressed = prev.leos.get(f).is_some_and(|&old| leo < old);
                        if leo >= 0 && !regressed && r.hw > leo {
                            let msg = format!(
                                "broker {} {tp} epoch {}: HW advanced to {} above ISR member {f}'s known LEO {leo}",
                                b.id(),
                                r.state.leader_epoch,
                                r.hw
                            );
                            out.push(violation(InvariantKind::HwAboveIsrLeo, now, msg));
                        }
                    }
                }
                views.insert(key, LeaderView { epoch: r.state.leader_epoch, hw: r.hw, leos });
            }
        }
        self.views = views;
        out
    }
}

impl Sim {
    /// Test hook: advances to `until` in steps of `step` microseconds, feeding every event to
    /// `tracker` and checking the state after each step. Returns the events and the violations.
    pub fn advance_to_checked(&mut self, until: Micros, step: Micros, tracker: &mut InvariantTracker) -> (Vec<Event>, Vec<Violation>) {
        let (mut events, mut violations) = (Vec::new(), Vec::new());
        let step = step.max(1);
        let mut t = self.now_us();
        loop {
            t = t.saturating_add(step).min(until.max(self.now_us()));
            let batch = self.advance_to(t);
            violations.extend(tracker.observe(&batch));
            violations.extend(tracker.check_sim(self));
            events.extend(batch);
            if t >= until {
                break;
            }
        }
        (events, violations)
    }
}
