//! A broker's replica of one partition: becoming leader or follower, the leader's view of its
//! followers, high-watermark advance and ISR changes (kafka-facts.md §4).

use super::Broker;
use crate::actor::Out;
use crate::config::Profile;
use crate::event::EventKind;
use crate::ids::{BrokerId, TopicPartition};
use crate::net::{Message, PartitionState};
use crate::scenario::TruncationPolicy;
use crate::time::{ms, Micros};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the leader knows about one follower (Kafka's `Replica` state).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FollowerState {
    /// The follower's LEO, learnt from its last fetch offset (-1: unknown).
    pub leo: i64,
    /// Last time the follower was caught up (`lastCaughtUpTimeMs`).
    pub last_caught_up: Micros,
    /// Time of the follower's previous fetch.
    pub last_fetch: Micros,
    /// The leader's LEO at that previous fetch.
    pub leader_leo_at_last_fetch: i64,
}

/// How long an AlterPartition may go unanswered before the leader proposes again: the broker's
/// channel to the controller times requests out after `controller.socket.timeout.ms` (30 s).
const ALTER_PARTITION_TIMEOUT_MS: u64 = 30_000;

/// This broker's replica of a partition.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Replica {
    /// The controller's latest word on the partition.
    pub state: PartitionState,
    /// High watermark as this replica knows it.
    pub hw: i64,
    /// Leader only: its followers.
    pub followers: BTreeMap<BrokerId, FollowerState>,
    /// Leader only: an ISR change sent to the controller and not yet answered.
    pub pending_isr: Option<Vec<BrokerId>>,
    /// Leader only: when that ISR change was sent.
    #[serde(default)]
    pub pending_isr_at: Micros,
    /// Leader only: the LEO when this epoch began (a follower must reach it to join the ISR).
    pub epoch_start_offset: i64,
}

impl Broker {
    /// True if this broker currently leads `tp`.
    pub(super) fn is_leader(&self, tp: &TopicPartition) -> bool {
        self.replicas.get(tp).is_some_and(|r| r.state.leader == Some(self.id))
    }

    /// Applies the controller's state for a partition: lead, follow, or just cache the metadata.
    pub(super) fn apply_partition_state(&mut self, state: PartitionState, out: &mut Out) {
        let tp = state.tp.clone();
        let newer = self.metadata.get(&tp).is_none_or(|m| {
            (state.leader_epoch, state.partition_epoch) >= (m.leader_epoch, m.partition_epoch)
        });
        if !newer {
            return;
        }
        self.metadata.insert(tp.clone(), state.clone());
        if !state.replicas.contains(&self.id) {
            // Also a log left from before a restart: the replica was removed while this broker was down.
            if self.replicas.remove(&tp).is_some() || self.disk.logs.contains_key(&tp) {
                self.delete_replica(&tp, out);
            }
            return;
        }
        let previous = self.replicas.get(&tp).map(|r| (r.state.leader, r.state.leader_epoch));
        let leadership_changed = previous.is_none_or(|(l, e)| l != state.leader || e != state.leader_epoch);
        if !leadership_changed {
            // Same epoch: only the ISR (or, during a reassignment, the replica set) changed.
            let id = self.id;
            if let Some(r) = self.replicas.get_mut(&tp) {
                if state.leader == Some(id) {
                    // Replicas being added start unknown and not caught up; removed ones are forgotten.
                    r.followers.retain(|b, _| state.replicas.contains(b));
                    for &b in state.replicas.iter().filter(|&&b| b != id) {
                        r.followers.entry(b).or_insert(FollowerState { leo: -1, last_caught_up: 0, last_fetch: 0, leader_leo_at_last_fetch: -1 });
                    }
                }
                r.state = state;
            }
            self.maybe_increment_hw(&tp, out);
            return;
        }
        let leo = self.log_mut(&tp).log_end_offset();
        let checkpoint = self.disk.hw_checkpoint.get(&tp).copied().unwrap_or(0);
        let hw = self.replicas.get(&tp).map_or(checkpoint, |r| r.hw).min(leo);
        if state.leader == Some(self.id) {
            // makeLeader: followers in the ISR count as caught up now.
            let followers = state
                .replicas
                .iter()
                .filter(|&&b| b != self.id)
                .map(|&b| {
                    let caught_up = if state.isr.contains(&b) { out.now } else { 0 };
                    (b, FollowerState { leo: -1, last_caught_up: caught_up, last_fetch: 0, leader_leo_at_last_fetch: -1 })
                })
                .collect();
            let replica = Replica { state, hw, followers, pending_isr: None, pending_isr_at: 0, epoch_start_offset: leo };
            self.replicas.insert(tp.clone(), replica);
            self.fail_delayed_for(&tp, out);
            self.maybe_increment_hw(&tp, out);
        } else {
            let replica = Replica { state, hw, followers: BTreeMap::new(), pending_isr: None, pending_isr_at: 0, epoch_start_offset: leo };
            self.replicas.insert(tp.clone(), replica);
            self.fail_delayed_for(&tp, out);
            if self.settings.truncation == TruncationPolicy::HighWatermark {
                // Pre-0.11 Kafka: cut everything above the local high watermark before fetching.
                self.truncate(&tp, hw, "becoming follower: truncate to high watermark", out);
            }
        }
    }

    /// StopReplica with delete: this broker is no longer a replica (a reassignment removed it).
    fn delete_replica(&mut self, tp: &TopicPartition, out: &mut Out) {
        self.fail_delayed_for(tp, out);
        self.disk.logs.remove(tp);
        self.page_cache.forget(tp, None);
        self.disk.hw_checkpoint.remove(tp);
        self.disk.producer_states.remove(tp);
        out.emit(EventKind::ReplicaDeleted { broker: self.id, topic: tp.topic.clone(), partition: tp.partition });
    }

    /// Cuts a replica's log back to `offset`, reporting what was removed.
    pub(super) fn truncate(&mut self, tp: &TopicPartition, offset: i64, reason: &str, out: &mut Out) {
        let id = self.id;
        let log = self.log_mut(tp);
        if offset >= log.log_end_offset() {
            return;
        }
        let removed = log.truncate_to(offset);
        let leo = log.log_end_offset();
        if let Some(r) = self.replicas.get_mut(tp) {
            r.hw = r.hw.min(leo);
        }
        out.emit(EventKind::LogTruncated {
            broker: id,
            topic: tp.topic.clone(),
            partition: tp.partition,
            offset: leo,
            removed,
            reason: reason.to_string(),
        });
        self.wake_idle(tp, out);
    }

    /// The leader's high-watermark rule: the minimum LEO over the (maximal) ISR, never moving back,
    /// and (since Kafka 3.7) frozen while the ISR is smaller than `min.insync.replicas`.
    pub(super) fn maybe_increment_hw(&mut self, tp: &TopicPartition, out: &mut Out) {
        if !self.is_leader(tp) {
            return;
        }
        let leader_leo = self.log_mut(tp).log_end_offset();
        let min_isr = self.settings.topic(&tp.topic).min_insync_replicas;
        let profile = self.settings.profile;
        let lag = ms(self.settings.replica_lag_time_max_ms);
        let Some(r) = self.replicas.get_mut(tp) else { return };
        // The maximal ISR: the committed one plus any pending AlterPartition (checked in place, as
        // this runs on every produce and fetch).
        let in_maximal_isr = |b: &BrokerId| r.state.isr.contains(b) || r.pending_isr.as_ref().is_some_and(|p| p.contains(b));
        if profile == Profile::Kafka40 && r.state.isr.len() < min_isr.min(r.state.replicas.len()) {
            return; // KAFKA-15583 (3.7+): no HW advance under min ISR.
        }
        let mut candidate = leader_leo;
        for (b, f) in &r.followers {
            let caught_up = f.leo == leader_leo || out.now.saturating_sub(f.last_caught_up) <= lag;
            // A caught-up follower outside the ISR counts only if it could join it: its broker is
            // alive/unfenced (`isReplicaIsrEligible`).
            let eligible = caught_up && f.leo >= 0 && self.live_brokers.contains(b);
            let counts = in_maximal_isr(b) || eligible;
            if counts && f.leo < candidate {
                candidate = f.leo.max(0);
            }
        }
        if candidate > r.hw {
            r.hw = candidate;
            out.emit(EventKind::HighWatermarkUpdated { broker: self.id, topic: tp.topic.clone(), partition: tp.partition, high_watermark: candidate });
            self.on_hw_advanced(tp, out);
        }
    }

    /// Records a follower's fetch position (`updateFollowerFetchState`) and tries to grow the ISR.
    pub(super) fn update_follower(&mut self, tp: &TopicPartition, follower: BrokerId, fetch_offset: i64, out: &mut Out) {
        let leader_leo = self.log_mut(tp).log_end_offset();
        let Some(r) = self.replicas.get_mut(tp) else { return };
        let Some(f) = r.followers.get_mut(&follower) else { return };
        if fetch_offset >= leader_leo {
            f.last_caught_up = f.last_caught_up.max(out.now);
        } else if fetch_offset >= f.leader_leo_at_last_fetch {
            f.last_caught_up = f.last_caught_up.max(f.last_fetch);
        }
        f.leo = fetch_offset;
        f.last_fetch = out.now;
        f.leader_leo_at_last_fetch = leader_leo;
        // maybeExpandIsr: caught up to the HW and to the start of the leader's epoch.
        let joins = !r.state.isr.contains(&follower)
            && r.pending_isr.is_none()
            && fetch_offset >= r.hw
            && fetch_offset >= r.epoch_start_offset
            && self.live_brokers.contains(&follower);
        if joins {
            let mut isr = r.state.isr.clone();
            isr.push(follower);
            crate::order::sort(&mut isr);
            self.request_isr_change(tp, isr, out);
        }
        self.maybe_increment_hw(tp, out);
    }

    /// The isr-expiration task: drop followers that have not caught up for `replica.lag.time.max.ms`.
    pub(super) fn maybe_shrink_isr(&mut self, out: &mut Out) {
        let lag = ms(self.settings.replica_lag_time_max_ms);
        let led: Vec<TopicPartition> = self.replicas.keys().filter(|tp| self.is_leader(tp)).cloned().collect();
        for tp in led {
            let leader_leo = self.log_mut(&tp).log_end_offset();
            let Some(r) = self.replicas.get_mut(&tp) else { continue };
            if r.pending_isr.is_some() && out.now.saturating_sub(r.pending_isr_at) >= ms(ALTER_PARTITION_TIMEOUT_MS) {
                // The request or its answer was lost (a cut link): AlterPartitionManager gives up on
                // it and proposes again; a stale proposal then gets the controller's current state.
                r.pending_isr = None;
            }
            let r = &*r;
            if r.pending_isr.is_some() {
                continue;
            }
            let out_of_sync: Vec<BrokerId> = r
                .state
                .isr
                .iter()
                .copied()
                .filter(|b| *b != self.id)
                .filter(|b| {
                    r.followers.get(b).is_some_and(|f| f.leo != leader_leo && out.now.saturating_sub(f.last_caught_up) > lag)
                })
                .collect();
            if !out_of_sync.is_empty() {
                let isr = r.state.isr.iter().copied().filter(|b| !out_of_sync.contains(b)).collect();
                self.request_isr_change(&tp, isr, out);
            }
        }
    }

    fn request_isr_change(&mut self, tp: &TopicPartition, new_isr: Vec<BrokerId>, out: &mut Out) {
        // AlterPartition goes to the active controller (KIP-497); none known yet, try again later.
        let Some(controller) = self.ctl.active() else { return };
        let Some(r) = self.replicas.get_mut(tp) else { return };
        r.pending_isr = Some(new_isr.clone());
        r.pending_isr_at = out.now;
        let msg = Message::AlterPartition {
            broker: self.id,
            tp: tp.clone(),
            leader_epoch: r.state.leader_epoch,
            partition_epoch: r.state.partition_epoch,
            new_isr,
        };
        out.send(controller, msg);
    }
}
