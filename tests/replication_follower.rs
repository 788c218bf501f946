//! Follower failure: ISR shrink after replica.lag.time.max.ms, catch-up and ISR expansion, and how a
//! restarted follower truncates under each truncation policy.
mod common;

use common::{run, run_with};
use kafkascope::event::EventKind;
use kafkascope::scenario::TruncationPolicy;

const STOPS_FETCHING: &str = include_str!("scenarios/follower_stops_fetching.json");
const CRASH_RESTART: &str = include_str!("scenarios/follower_crash_restart.json");

// Ref: kafka-facts.md §4 ("ISR shrink": not caught up for replica.lag.time.max.ms, checked every lag/2;
// "ISR expand": LEO >= HW and >= the leader epoch's start offset)
#[test]
fn follower_that_stops_fetching_leaves_isr_after_lag_time_and_rejoins_after_catching_up() {
    let r = run(STOPS_FETCHING, 40_000);
    let changes = r.isr_changes();
    let (shrunk_at, _) = *changes.iter().find(|(_, isr)| *isr == vec![1, 2]).unwrap_or_else(|| panic!("no shrink: {changes:?}"));
    // Last caught up at about 2 s; out of sync once 10 s pass; noticed by the next lag/2 (5 s) check.
    assert!((12_000..=17_100).contains(&shrunk_at), "shrunk at {shrunk_at} ms");
    // Broker 3 stayed alive, so this is the leader's lag rule, not the controller's failure handling.
    assert!(r.elections().iter().all(|&(_, l, e, _)| l == Some(1) && e == 0));
    let (grown_at, _) = *changes
        .iter()
        .find(|(t, isr)| *t > shrunk_at && *isr == vec![1, 2, 3])
        .unwrap_or_else(|| panic!("no rejoin: {changes:?}"));
    // The fetch in flight at the cut was lost; the fetcher resends it after replica.socket.timeout.ms
    // (30 s, at about 32 s), which is after the heal at 25 s: it then catches up and rejoins at once.
    assert!((25_000..34_000).contains(&grown_at), "rejoined at {grown_at} ms");
    let l = r.ledger();
    assert!(l.acknowledged > 500 && l.acked_lost == 0 && l.divergent_replicas == 0, "{l:?}");
}

// Ref: kafka-facts.md §4 ("Truncation on becoming a follower": before 0.11, truncate to the HW)
#[test]
fn restarted_follower_truncates_to_its_hw_under_high_watermark_truncation() {
    let r = run_with(CRASH_RESTART, Some(TruncationPolicy::HighWatermark), 50_000);
    let cuts: Vec<_> = r.truncations().into_iter().filter(|(t, b, ..)| *b == 3 && *t >= 35_000).collect();
    assert_eq!(cuts.len(), 1, "{cuts:?}");
    assert!(cuts[0].3.contains("high watermark"), "{cuts:?}");
    // It cut to its checkpointed HW (written every 5 s): at most the last HW it learnt before the
    // crash at 7 s (above zero: a checkpoint was written at 5 s), and below the log end it had then.
    let before_crash = |f: fn(&EventKind) -> Option<i64>| {
        r.events.iter().filter(|e| e.at_us < 7_000_000).filter_map(|e| f(&e.kind)).last().expect("some")
    };
    let hw = before_crash(|k| match k {
        EventKind::HighWatermarkUpdated { broker: 3, high_watermark, .. } => Some(*high_watermark),
        _ => None,
    });
    let leo = before_crash(|k| match k {
        EventKind::RecordsAppended { broker: 3, log_end_offset, .. } => Some(*log_end_offset),
        _ => None,
    });
    assert!(cuts[0].2 > 0 && cuts[0].2 <= hw && cuts[0].2 < leo, "cut to {} with HW {hw}, LEO {leo}", cuts[0].2);
    rejoins_without_loss(&r);
}

// Ref: kafka-facts.md §4 (KIP-101/279, 2.7+ diverging epoch: truncate only where the logs diverge)
#[test]
fn restarted_follower_keeps_its_log_under_leader_epoch_truncation() {
    let r = run_with(CRASH_RESTART, Some(TruncationPolicy::LeaderEpoch), 50_000);
    // A follower's log is a prefix of the leader's: no divergence, so nothing to cut.
    let cuts: Vec<_> = r.truncations().into_iter().filter(|(_, b, ..)| *b == 3).collect();
    assert!(cuts.is_empty(), "{cuts:?}");
    rejoins_without_loss(&r);
}

fn rejoins_without_loss(r: &common::Run) {
    let changes = r.isr_changes();
    let left = changes.iter().position(|(_, isr)| *isr == vec![1, 2]).unwrap_or_else(|| panic!("{changes:?}"));
    assert!(changes[left..].iter().any(|(t, isr)| *t >= 35_000 && *isr == vec![1, 2, 3]), "{changes:?}");
    let l = r.ledger();
    assert!(l.acked_lost == 0 && l.divergent_replicas == 0, "{l:?}");
}
