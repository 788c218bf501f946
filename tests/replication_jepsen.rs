//! Jepsen 2013 (Kafka 0.8 beta): an ISR of one keeps acknowledging acks=all writes; when that
//! leader dies, an unclean election loses them, a clean one keeps the partition offline instead.
mod common;

use common::run;
use kafkascope::ids::TopicPartition;

// Ref: aphyr, "Jepsen: Kafka" (2013); kafka-facts.md §4 ("Leader election": UNCLEAN picks the first
// alive replica even outside the ISR; min.insync.replicas defaults to 1)
#[test]
fn jepsen2013_unclean_election_after_isr_of_one_loses_acknowledged_writes() {
    let r = run(include_str!("scenarios/jepsen2013_unclean_on.json"), 60_000);
    let changes = r.isr_changes();
    let (shrunk_at, _) = changes.iter().find(|c| c.1 == vec![1]).cloned().unwrap_or_else(|| panic!("{changes:?}"));
    // The leader alone kept acknowledging acks=all writes between the shrink and its death at 25 s.
    let acked_alone = r
        .find(|k| match k {
            kafkascope::event::EventKind::ProduceCompleted { error: None, records, .. } => Some(*records),
            _ => None,
        })
        .into_iter()
        .filter(|(t, _)| *t > shrunk_at && *t < 25_000)
        .count();
    assert!(acked_alone > 100, "{acked_alone}");
    let unclean: Vec<_> = r.elections().into_iter().filter(|e| e.3).collect();
    assert_eq!(unclean.len(), 1);
    assert_eq!(unclean[0].1, Some(2));
    let l = r.ledger();
    assert!(l.acked_lost > 0, "{l:?}");
}

// Ref: aphyr, "Jepsen: Kafka" (2013); KIP-106 (unclean.leader.election.enable defaults to false since 0.11)
#[test]
fn jepsen2013_without_unclean_election_partition_stays_offline_and_loses_nothing() {
    let r = run(include_str!("scenarios/jepsen2013_unclean_off.json"), 60_000);
    let el = r.elections();
    // Offline (no leader) from the session expiry until the only ISR member returns at 40 s.
    let offline = el.iter().find(|e| e.1.is_none()).unwrap_or_else(|| panic!("{el:?}"));
    assert!((30_000..32_000).contains(&offline.0), "{el:?}");
    let back = el.iter().find(|e| e.0 > offline.0 && e.1.is_some()).unwrap_or_else(|| panic!("{el:?}"));
    assert_eq!(back.1, Some(1));
    assert!(back.0 >= 40_000);
    assert!(el.iter().all(|e| !e.3), "no unclean election: {el:?}");
    // While offline, the audit checks every replica (broker 1's disk included): nothing acked is lost.
    let mid = common::run(include_str!("scenarios/jepsen2013_unclean_off.json"), 35_000);
    assert_eq!(mid.sim.partitions()[&TopicPartition::new("t", 0)].leader, None);
    let lm = mid.ledger();
    assert!(lm.acknowledged > 400 && lm.acked_lost == 0, "{lm:?}");
    let l = r.ledger();
    assert!(l.acknowledged > 1000, "{l:?}");
    assert_eq!((l.acked_lost, l.divergent_replicas), (0, 0), "{l:?}");
}
