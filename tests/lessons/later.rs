//! Lessons 10-19 (helpers in `tests/lessons.rs`).
use super::{consumed, lesson, lesson_until, text};
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;
use kafkascope::scenario::{Scenario, TruncationPolicy};
use std::collections::{BTreeMap, BTreeSet};

// Ref: kafka-facts.md §2 (max.in.flight.requests.per.connection, retries), §5 (sequences keep order)
#[test]
fn l10_retries_reorder_without_idempotence_and_idempotence_keeps_order() {
    let r = lesson("10-ordering");
    let offsets = |p: u32| -> Vec<i64> {
        let by_batch: BTreeMap<u64, i64> = r
            .find(|k| match k {
                EventKind::ProduceCompleted { producer, batch, base_offset, error: None, .. } if *producer == p => Some((*batch, *base_offset)),
                _ => None,
            })
            .into_iter()
            .map(|x| x.1)
            .collect();
        by_batch.into_values().collect()
    };
    let inversions = |v: Vec<i64>| v.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(inversions(offsets(1)) > 0, "without idempotence a retried batch lands after a later one");
    assert_eq!(inversions(offsets(2)), 0, "idempotence keeps the order");
    assert_eq!(r.sim.summary().acknowledged, 800);
}

// Ref: kafka-facts.md §4 (ISR shrink, truncate to HW before 0.11, ISR expand when caught up), §10 (ZooKeeper session)
#[test]
fn l11_follower_failure_truncates_to_hw_catches_up_and_rejoins() {
    let r = lesson("11-follower-failure");
    let isr = r.isr_changes();
    let left = isr.iter().find(|c| c.1 == vec![1, 2]).unwrap_or_else(|| panic!("{isr:?}"));
    // A dead follower leaves when its ZooKeeper session (6 s) expires, before replica.lag.time.max.ms.
    assert!((13_000..=13_200).contains(&left.0), "left when its session expired: {isr:?}");
    let cut: Vec<_> = r.truncations().into_iter().filter(|t| t.1 == 3).collect();
    assert!(cut.len() == 1 && cut[0].0 >= 35_000 && cut[0].3.contains("high watermark"), "{cut:?}");
    assert!(isr.iter().any(|c| c.0 > 35_000 && c.1 == vec![1, 2, 3]), "rejoined: {isr:?}");
    let l = r.ledger();
    assert!(l.acked_lost == 0 && l.divergent_replicas == 0, "{l:?}");
}

// Ref: kafka-facts.md §4 (election from the ISR in assignment order, epoch bump, diverging-epoch truncation)
#[test]
fn l12_leader_failure_elects_from_the_isr_and_followers_truncate() {
    let r = lesson("12-leader-failure");
    let el = r.elections();
    assert_eq!((el[1].1, el[1].2, el[1].3), (Some(2), 1, false), "{el:?}");
    assert!(r.truncations().iter().any(|t| t.1 == 3 && t.3.contains("diverging epoch")), "{:?}", r.truncations());
    let l = r.ledger();
    assert!(l.acknowledged > 500 && l.acked_lost == 0 && l.divergent_replicas == 0, "{l:?}");
}

// Ref: KIP-101 scenario 1; kafka-facts.md §4 (truncation before 0.11 vs leader epochs)
#[test]
fn l13a_truncating_to_a_stale_hw_loses_a_committed_record_and_leader_epochs_do_not() {
    let r = lesson("13a-leader-epochs-lost-commit");
    assert_eq!(r.sim.scenario().cluster.truncation, TruncationPolicy::HighWatermark);
    assert_eq!((r.ledger().acknowledged, r.ledger().acked_lost), (2, 1), "{:?}", r.ledger());
    let fixed = lesson_until("13a-leader-epochs-lost-commit", super::end_ms("13a-leader-epochs-lost-commit"), Some(TruncationPolicy::LeaderEpoch));
    assert_eq!(fixed.ledger().acked_lost, 0, "{:?}", fixed.ledger());
}

// Ref: KIP-101 scenario 2; kafka-facts.md §11 (power loss takes the unflushed tail)
#[test]
fn l13b_double_power_loss_diverges_replicas_under_hw_truncation_only() {
    let end = super::end_ms("13b-leader-epochs-divergence");
    let r = lesson("13b-leader-epochs-divergence");
    assert_eq!(r.ledger().divergent_replicas, 1, "{:?}", r.ledger());
    let fixed = lesson_until("13b-leader-epochs-divergence", end, Some(TruncationPolicy::LeaderEpoch));
    assert_eq!(fixed.ledger().divergent_replicas, 0, "{:?}", fixed.ledger());
}

// Ref: kafka-facts.md §4 (unclean.leader.election.enable: first alive replica, data loss possible); Jepsen 2013
#[test]
fn l14a_unclean_election_after_an_isr_of_one_loses_acknowledged_writes() {
    let r = lesson("14a-unclean-election-jepsen");
    let unclean: Vec<_> = r.elections().into_iter().filter(|e| e.3).collect();
    assert_eq!(unclean.len(), 1);
    assert_eq!(unclean[0].1, Some(2));
    assert!(r.ledger().acked_lost > 0, "{:?}", r.ledger());
}

// Ref: KIP-966 (ELR: a clean election when the ISR is empty)
#[test]
fn l14b_elr_elects_the_first_returning_eligible_replica_cleanly_and_loses_nothing() {
    let r = lesson("14b-last-replica-standing-elr");
    assert!(r.find(|k| matches!(k, EventKind::ElrChanged { elr, .. } if elr == &vec![2]).then_some(())).len() > 0);
    let el = r.elections();
    let back = el.iter().find(|e| e.0 >= 50_000 && e.1.is_some()).unwrap_or_else(|| panic!("{el:?}"));
    assert_eq!((back.1, back.3), (Some(2), false), "{el:?}");
    assert!(back.0 < 55_000);
    assert_eq!(r.ledger().acked_lost, 0, "{:?}", r.ledger());
}

// Ref: kafka-facts.md §8 (segment roll at segment.bytes; sparse index every index.interval.bytes); KIP-1030
#[test]
fn l15_segments_roll_at_segment_bytes_and_the_offset_index_is_sparse() {
    let r = lesson("15-segments-and-index");
    let rolls = r.find(|k| matches!(k, EventKind::SegmentRolled { topic, .. } if topic == "orders").then_some(())).len();
    assert!(rolls >= 5, "{rolls} rolls");
    let log = &r.sim.brokers()[0].disk.logs[&TopicPartition::new("orders", 0)];
    let segs = log.segments();
    assert_eq!(segs.len(), rolls + 1);
    for s in &segs[..segs.len() - 1] {
        let records = (s.next_offset - s.base_offset) as u32;
        assert!(s.size_bytes <= 4_000 + 200, "{s:?}");
        assert!(s.index_entries >= 1 && s.index_entries < records / 2, "sparse: {} entries for {records} records", s.index_entries);
    }
    // Kafka 4.0 refuses segment.bytes below 1 MiB.
    let on_40 = text("15-segments-and-index").replace("\"kafka-3.6\"", "\"kafka-4.0\"");
    let err = Scenario::from_json(&on_40).and_then(|s| s.validate().map(|_| s)).expect_err("4.0 refuses");
    assert!(err.to_string().contains("1048576"), "{err}");
}

// Ref: kafka-facts.md §9 (time and size retention delete a prefix of segments; compaction keeps the latest per key)
#[test]
fn l16_retention_deletes_by_time_and_size_and_compaction_keeps_the_latest_value_per_key() {
    let r = lesson("16-retention-and-compaction");
    let deleted: BTreeSet<(String, String)> = r
        .find(|k| match k {
            EventKind::SegmentDeleted { topic, reason, .. } => Some((topic.to_string(), reason.clone())),
            _ => None,
        })
        .into_iter()
        .map(|x| x.1)
        .collect();
    assert!(deleted.contains(&("clicks".into(), "retention.ms".into())), "{deleted:?}");
    assert!(deleted.contains(&("views".into(), "retention.bytes".into())), "{deleted:?}");
    assert!(deleted.iter().all(|d| d.0 != "users"), "a compacted topic deletes nothing by retention");
    let logs = &r.sim.brokers()[0].disk.logs;
    let views: u64 = logs[&TopicPartition::new("views", 0)].segments().iter().map(|s| s.size_bytes).sum();
    assert!(views <= 6_000 + 2_000, "views stays near retention.bytes: {views}");
    assert!(logs[&TopicPartition::new("clicks", 0)].log_start_offset() > 0);
    let compacted: u64 = r
        .find(|k| match k {
            EventKind::LogCompacted { topic, removed_records, .. } if topic == "users" => Some(*removed_records),
            _ => None,
        })
        .iter()
        .map(|x| x.1)
        .sum();
    assert!(compacted > 100, "{compacted} superseded values removed");
    let l = r.ledger();
    assert_eq!(l.acked_lost, 0, "records removed by retention or compaction are not lost: {l:?}");
}

// Ref: kafka-facts.md §7 (rebalance on join and on session timeout; RangeAssignor, RoundRobinAssignor, StickyAssignor)
#[test]
fn l17_rebalances_on_join_and_death_and_each_assignor_divides_differently() {
    let r = lesson("17-consumer-groups");
    type Assignment = kafkascope::vec_map::VecMap<String, Vec<TopicPartition>>;
    let groups: BTreeMap<String, Vec<(u64, Assignment)>> = r
        .find(|k| match k {
            EventKind::RebalanceCompleted { group, assignment, .. } => Some((group.clone(), assignment.clone())),
            _ => None,
        })
        .into_iter()
        .fold(BTreeMap::new(), |mut m, (t, (g, a))| {
            m.entry(g).or_insert_with(Vec::new).push((t, a));
            m
        });
    let parts = |v: &Vec<TopicPartition>| v.iter().map(|tp| tp.partition).collect::<Vec<_>>();
    let shapes = |g: &str| -> BTreeSet<Vec<u32>> {
        let two = groups[g].iter().find(|(_, a)| a.len() == 2).unwrap_or_else(|| panic!("{g}: {:?}", groups[g]));
        two.1.values().map(parts).collect()
    };
    assert_eq!(shapes("g-range"), BTreeSet::from([vec![0, 1, 2], vec![3, 4]]));
    assert_eq!(shapes("g-roundrobin"), BTreeSet::from([vec![0, 2, 4], vec![1, 3]]));
    assert_eq!(shapes("g-sticky").iter().map(Vec::len).collect::<BTreeSet<_>>(), BTreeSet::from([2, 3]));
    for (g, survivor) in [("g-range", "consumer-2-"), ("g-roundrobin", "consumer-4-"), ("g-sticky", "consumer-6-")] {
        let (t, last) = groups[g].last().unwrap();
        assert!(*t > 29_000, "{g}: rebalanced after the session timeout");
        assert_eq!(last.len(), 1, "{g}: {last:?}");
        let (member, owned) = last.iter().next().unwrap();
        assert!(member.starts_with(survivor) && owned.len() == 5, "{g}: {last:?}");
    }
}

// Ref: kafka-facts.md §7 "Offsets and fetching" (commit after processing: at-least-once; before: at-most-once)
#[test]
fn l18_committing_after_reading_rereads_and_not_committing_skips_after_a_crash() {
    let r = lesson("18-delivery-semantics");
    let c = consumed(&r.events);
    for p in 0..2 {
        let before = |who: u32| c.iter().filter(|x| x.0 < 17_000 && x.1 == who && x.2 == p).map(|x| x.4).max().unwrap_or(0);
        let resumed = |who: u32| c.iter().find(|x| x.0 > 17_000 && x.1 == who && x.2 == p).map(|x| x.3).expect("reads again");
        assert!(resumed(1) < before(1), "p{p}: at-least-once re-reads from the last commit");
        assert!(resumed(2) > before(2), "p{p}: at-most-once skips what arrived while down");
    }
}

// Ref: kafka-facts.md §4 (auto leader rebalance, preferred election); KIP-455 (reassignment raises RF)
#[test]
fn l19_preferred_leader_returns_and_reassignment_raises_the_replication_factor() {
    let r = lesson("19-rebalance-and-reassignment");
    let orders = r.find(|k| match k {
        EventKind::LeaderElected { topic, leader, .. } if topic == "orders" => Some(*leader),
        _ => None,
    });
    let back = orders.iter().find(|e| e.0 > 20_000 && e.1 == Some(1)).unwrap_or_else(|| panic!("{orders:?}"));
    // The periodic imbalance check (every 10 s here, counted from the controller's election) moves
    // leadership back, so it happens at a check tick after the restart, not at once; ZooKeeper's write
    // acknowledgement adds about a millisecond.
    let elected = r.find(|k| match k {
        EventKind::ControllerElected { .. } => Some(()),
        _ => None,
    });
    let since = elected.iter().map(|e| e.0).filter(|&t| t <= back.0).max().unwrap_or(0);
    assert!((back.0 - since) % 10_000 < 100, "at an imbalance check tick: {orders:?}, controller since {since}");
    let done = r.find(|k| match k {
        EventKind::ReassignmentCompleted { topic, replicas, .. } if topic == "audit" => Some(replicas.clone()),
        _ => None,
    });
    assert_eq!(done.iter().map(|d| d.1.clone()).collect::<Vec<_>>(), vec![vec![1, 2, 3]]);
    let audit = &r.sim.partitions()[&TopicPartition::new("audit", 0)];
    assert_eq!((audit.replicas.clone(), audit.isr.clone()), (vec![1, 2, 3], vec![1, 2, 3]));
    assert_eq!(r.ledger().acked_lost, 0);
}
