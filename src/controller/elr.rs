//! KIP-966 Eligible Leader Replicas (Kafka 4.0 KRaft, `eligible.leader.replicas.enable`).
//!
//! Since KAFKA-15583 the high watermark does not advance while the ISR is below `min.insync.replicas`,
//! so every replica that was in the ISR when the ISR fell below min ISR (or joined it afterwards, at
//! or above the frozen HW) holds every committed record. Those that leave the ISR while it is below
//! min ISR are kept in the ELR; a clean election may pick one of them when the ISR is empty. The ELR
//! is cleared once the ISR is back to min ISR, and by an unclean election.
//!
//! Not modelled: KIP-966's unclean-shutdown detection (a broker that restarts after an unclean
//! shutdown leaves the ELR), and the "last known leader" fallback.

use super::Controller;
use crate::actor::Out;
use crate::event::EventKind;
use crate::ids::{BrokerId, TopicPartition};

impl Controller {
    /// Updates the partition's ELR after its ISR changed from `old_isr` to the current one.
    pub(super) fn track_elr(&mut self, tp: &TopicPartition, old_isr: &[BrokerId], unclean: bool, out: &mut Out) {
        if !self.policy.elr {
            return;
        }
        let Some(state) = self.partitions.get(tp) else { return };
        let min_isr = (self.policy.min_isr(&tp.topic) as usize).min(state.replicas.len());
        let current = self.elr.get(tp).cloned().unwrap_or_default();
        let next: Vec<BrokerId> = if unclean || state.isr.len() >= min_isr {
            Vec::new()
        } else {
            state
                .replicas
                .iter()
                .copied()
                .filter(|b| !state.isr.contains(b) && (current.contains(b) || old_isr.contains(b)))
                .collect()
        };
        if next == current {
            return;
        }
        out.emit(EventKind::ElrChanged { topic: tp.topic.clone(), partition: tp.partition, elr: next.clone() });
        if next.is_empty() {
            self.elr.remove(tp);
        } else {
            self.elr.insert(tp.clone(), next);
        }
    }

    /// The partition's Eligible Leader Replicas (empty when ELR is off or the ISR is healthy).
    pub fn elr(&self, tp: &TopicPartition) -> Vec<BrokerId> {
        self.elr.get(tp).cloned().unwrap_or_default()
    }
}
