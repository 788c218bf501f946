//! Leader failure: a clean election from the ISR with a bumped epoch, followers truncating to the
//! new leader, and consumers bounded by the high watermark.
mod common;

use common::run;
use kafkascope::event::EventKind;
use std::collections::BTreeMap;

// Ref: kafka-facts.md §4 ("Leader election": first live ISR member in assignment order, epoch + 1;
// "Truncation on becoming a follower"; "Definitions": consumers only see offsets below the HW)
#[test]
fn leader_crash_elects_from_isr_with_bumped_epoch_and_followers_truncate_to_it() {
    let r = run(include_str!("scenarios/leader_crash_failover.json"), 45_000);
    let el = r.elections();
    // Initial leader 1 at epoch 0, then broker 2 at epoch 1, cleanly, after the 6 s session timeout.
    assert_eq!((el[0].1, el[0].2), (Some(1), 0), "{el:?}");
    let (at, leader, epoch, unclean) = el[1];
    assert_eq!((leader, epoch, unclean), (Some(2), 1, false), "{el:?}");
    assert!((11_000..=12_100).contains(&at), "elected at {at}");
    // Broker 3 was ahead of broker 2 (uncommitted records); it cut them to follow broker 2.
    let cuts: Vec<_> = r.truncations().into_iter().filter(|(t, b, ..)| *b == 3 && *t >= at).collect();
    assert!(!cuts.is_empty(), "broker 3 did not truncate: {:?}", r.truncations());
    assert!(cuts.iter().all(|c| c.3.contains("diverging epoch")), "{cuts:?}");
    // The old leader, back at 30 s, truncates its unreplicated tail too and everyone agrees.
    assert!(r.truncations().iter().any(|(t, b, ..)| *b == 1 && *t >= 30_000), "{:?}", r.truncations());
    let l = r.ledger();
    assert!(l.acknowledged > 500, "{l:?}");
    assert_eq!((l.acked_lost, l.divergent_replicas), (0, 0), "{l:?}");
}

// Ref: kafka-facts.md §4 ("Definitions": HW), §7 (read_uncommitted consumers fetch up to the HW)
#[test]
fn consumers_never_read_past_the_high_watermark_of_the_leader_they_fetched_from() {
    let r = run(include_str!("scenarios/leader_crash_failover.json"), 45_000);
    // The highest HW each broker has reported, as of each moment.
    let mut hw: BTreeMap<u32, i64> = BTreeMap::new();
    let mut consumed = 0;
    for e in &r.events {
        match &e.kind {
            EventKind::HighWatermarkUpdated { broker, high_watermark, .. } => {
                let h = hw.entry(*broker).or_insert(0);
                *h = (*h).max(*high_watermark);
            }
            EventKind::RecordsConsumed { from_offset, to_offset, high_watermark, .. } => {
                consumed += to_offset - from_offset;
                assert!(to_offset <= high_watermark, "consumed to {to_offset} past HW {high_watermark}");
                // And that HW is one a broker really had (no consumer saw offsets no leader had committed).
                let max_hw = hw.values().copied().max().unwrap_or(0);
                assert!(*to_offset <= max_hw, "consumed to {to_offset} but no broker's HW reached it ({hw:?})");
            }
            _ => {}
        }
    }
    assert!(consumed > 300, "the consumer read only {consumed} records");
}
