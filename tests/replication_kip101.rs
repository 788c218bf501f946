//! The two KIP-101 failure modes of truncating to the high watermark, and their absence with
//! leader-epoch truncation.
mod common;

use common::run_with;
use kafkascope::scenario::TruncationPolicy::{HighWatermark, LeaderEpoch};

const A: &str = include_str!("scenarios/kip101_a_truncate_to_hw_then_lead.json");
const B: &str = include_str!("scenarios/kip101_b_double_power_loss.json");

// Ref: KIP-101 ("Scenario 1: High Watermark Truncation followed by Immediate Leader Election"),
// kafka-facts.md §4 ("Truncation on becoming a follower")
#[test]
fn kip101_a_truncating_to_a_stale_hw_then_leading_loses_a_committed_record() {
    let r = run_with(A, Some(HighWatermark), 30_000);
    // m2 (offset 1) was acknowledged with acks=all: both followers had it.
    assert_eq!(r.acked_records(), 2);
    // Broker 2 cut it when it became broker 3's follower, at its stale HW 1 ...
    let cut: Vec<_> = r.truncations().into_iter().filter(|t| t.1 == 2).collect();
    assert_eq!(cut.len(), 1, "{cut:?}");
    assert_eq!(cut[0].2, 1);
    assert!(cut[0].3.contains("high watermark"));
    // ... and was then cleanly elected (it was in the ISR).
    let el = r.elections();
    assert_eq!(el.last().map(|e| (e.1, e.2, e.3)), Some((Some(2), 2, false)), "{el:?}");
    let l = r.ledger();
    assert_eq!(l.acked_lost, 1, "{l:?}");
}

// Ref: KIP-101 (the leader epoch replaces the HW as the truncation point)
#[test]
fn kip101_a_does_not_happen_with_leader_epoch_truncation() {
    let r = run_with(A, Some(LeaderEpoch), 30_000);
    assert_eq!(r.acked_records(), 2);
    assert!(r.truncations().is_empty(), "{:?}", r.truncations());
    let el = r.elections();
    assert_eq!(el.last().map(|e| (e.1, e.2, e.3)), Some((Some(2), 2, false)), "{el:?}");
    let l = r.ledger();
    assert_eq!(l.acked_lost, 0, "{l:?}");
}

// Ref: KIP-101 ("Scenario 2: Replica Divergence on Restart after Multiple Hard Failures"), kafka-facts.md §11
#[test]
fn kip101_b_double_power_loss_leaves_replicas_diverged_below_the_hw() {
    let r = run_with(B, Some(HighWatermark), 45_000);
    let el = r.elections();
    assert_eq!(el.last().map(|e| (e.1, e.3)), Some((Some(2), false)), "{el:?}");
    // Broker 1 kept m2 at offset 1 (flushed by the roll) and never cut it: its HW checkpoint said 2.
    assert!(r.truncations().iter().all(|t| t.3.starts_with("power loss")), "{:?}", r.truncations());
    // Both are in the ISR again, yet disagree about offset 1.
    assert_eq!(r.isr_changes().last().map(|c| c.1.clone()), Some(vec![1, 2]));
    let l = r.ledger();
    assert_eq!(l.divergent_replicas, 1, "{l:?}");
}

// Ref: KIP-101, KIP-279; kafka-facts.md §11 (a double power loss may lose acknowledged data, but
// replicas must not diverge)
#[test]
fn kip101_b_does_not_diverge_with_leader_epoch_truncation() {
    let r = run_with(B, Some(LeaderEpoch), 45_000);
    let fixed: Vec<_> = r.truncations().into_iter().filter(|t| t.1 == 1 && t.3.contains("diverging epoch")).collect();
    assert_eq!(fixed.len(), 1, "{:?}", r.truncations());
    assert_eq!(fixed[0].2, 1, "truncated to the end of epoch 0 on the new leader");
    assert_eq!(r.isr_changes().last().map(|c| c.1.clone()), Some(vec![1, 2]));
    let l = r.ledger();
    assert_eq!(l.divergent_replicas, 0, "{l:?}");
    // m2 was only in two page caches that both lost power: that loss is allowed (and expected) here.
    assert_eq!(l.acked_lost, 1, "{l:?}");
}
