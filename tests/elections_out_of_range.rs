//! A follower whose log end is past the new leader's log end gets OFFSET_OUT_OF_RANGE; like Kafka's
//! fetcher it asks for the leader's end offset and truncates to it (`handleOutOfRangeError`).
mod common;

use common::run_with;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;
use kafkascope::scenario::TruncationPolicy;

// Ref: kafka-facts.md §4 ("Truncation on becoming a follower": pre-0.11 truncate to the HW);
// Kafka `AbstractFetcherThread.handleOutOfRangeError` / `fetchOffsetAndTruncate`
#[test]
fn follower_past_the_unclean_leaders_log_end_truncates_to_it_and_rejoins_the_isr() {
    // Jepsen 2013 with unclean election: broker 1 led alone for 20 s, died, broker 2 (far behind)
    // was elected uncleanly; broker 1 returns at 40 s with a log longer than broker 2's.
    let text = include_str!("scenarios/jepsen2013_unclean_on.json");
    let r = run_with(text, Some(TruncationPolicy::HighWatermark), 70_000);
    let tp = TopicPartition::new("t", 0);
    let out_of_range: Vec<_> = r.truncations().into_iter().filter(|t| t.1 == 1 && t.3.contains("out of range")).collect();
    assert_eq!(out_of_range.len(), 1, "{:?}", r.truncations());
    let (at, _, offset, _) = out_of_range[0].clone();
    assert!(at >= 40_000, "{at}");
    // The truncation point is broker 2's log end at that moment, which is below broker 1's HW-truncated end.
    let hw_truncation = r.truncations().into_iter().find(|t| t.1 == 1 && t.0 >= 40_000 && t.3.contains("high watermark"));
    if let Some(h) = hw_truncation {
        assert!(offset < h.2, "{offset} < {}", h.2);
    }
    // Broker 1 then fetches normally, catches up and rejoins the ISR.
    let appended_after = r.find(|k| match k {
        EventKind::RecordsAppended { broker: 1, as_leader: false, .. } => Some(()),
        _ => None,
    });
    assert!(appended_after.iter().any(|(t, _)| *t >= at));
    assert!(r.isr_changes().iter().any(|(t, isr)| *t >= at && isr.contains(&1)), "{:?}", r.isr_changes());
    let leader = &r.sim.brokers()[1];
    let follower = &r.sim.brokers()[0];
    let leo = |b: &kafkascope::broker::Broker| b.disk.logs[&tp].log_end_offset();
    assert!(leo(leader) - leo(follower) <= 2, "caught up: {} vs {}", leo(follower), leo(leader));
    // Truncating to an end offset is not truncating to a common prefix: without leader epochs broker
    // 1's records below that offset are its own, not broker 2's (the KIP-101 divergence).
    assert_eq!(r.ledger().divergent_replicas, 1);
    let with_epochs = run_with(text, Some(TruncationPolicy::LeaderEpoch), 70_000);
    assert!(with_epochs.truncations().iter().all(|t| !t.3.contains("out of range")));
    assert_eq!(with_epochs.ledger().divergent_replicas, 0);
}
