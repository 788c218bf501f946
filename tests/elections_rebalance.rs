//! Automatic preferred-leader rebalance: after a failover, leadership goes back to replica[0] once it
//! is in the ISR again, at the next `leader.imbalance.check.interval.seconds` tick.
mod common;

use common::run;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;

/// Broker 1 (preferred leader of t-0) crashes at 2 s and returns at 20 s; checks every 10 s.
fn scenario(profile: &str, broker_config: &str) -> String {
    format!(
        r#"{{
  "profile": "{profile}", "seed": 3,
  "cluster": {{ "brokers": 3, "config": {{ "zookeeper.session.timeout.ms": 6000, "leader.imbalance.check.interval.seconds": 10 {broker_config} }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "assignment": [[1, 2, 3]], "config": {{ "min.insync.replicas": 2 }} }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "linger.ms": 0 }}, "workload": {{ "recordsPerSec": 20 }} }} ],
  "timeline": [ {{ "atMs": 2000, "command": {{ "type": "crashBroker", "broker": 1 }} }},
    {{ "atMs": 20000, "command": {{ "type": "restartBroker", "broker": 1 }} }} ]
}}"#
    )
}

fn leader(r: &common::Run) -> Option<u32> {
    r.sim.partitions()[&TopicPartition::new("t", 0)].leader
}

// Ref: kafka-facts.md §4 ("Auto leader rebalance"; "Preferred election: choose replica[0] if valid")
#[test]
fn preferred_leader_takes_leadership_back_after_the_imbalance_check_interval() {
    for profile in ["kafka-3.6", "kafka-4.0"] {
        let r = run(&scenario(profile, ""), 60_000);
        let el = r.elections();
        let failover = el.iter().find(|e| e.1 == Some(2)).unwrap_or_else(|| panic!("{profile}: {el:?}"));
        assert!(failover.0 < 20_000, "{profile}: {el:?}");
        // Broker 1 rejoins the ISR after catching up, then the next check moves leadership back.
        let rejoined = r.isr_changes().into_iter().find(|(t, isr)| *t > 20_000 && isr.contains(&1)).unwrap_or_else(|| panic!("{profile}"));
        let back = el.iter().find(|e| e.0 > 20_000 && e.1 == Some(1)).unwrap_or_else(|| panic!("{profile}: {el:?}"));
        assert!(back.0 >= rejoined.0, "{profile}: leadership moved before broker 1 was in the ISR");
        // The election is decided at the tick; its event waits for the metadata write to be durable
        // (ZooKeeper's acknowledgement on 3.6, the KRaft commit on 4.0), a few ms later.
        // The check runs every interval from the active controller's activation (Kafka schedules it in
        // onControllerFailover): on 3.6 broker 1 hosted the controller and crashed, so broker 2's
        // controller, elected after the ZooKeeper session expired, ticks from its own activation.
        let elected = r.find(|k| matches!(k, EventKind::ControllerElected { .. }).then_some(()));
        let since = elected.iter().map(|e| e.0).filter(|&t| t <= back.0).max().unwrap_or(0);
        let phase = (back.0 - since) % 10_000;
        assert!(!(100..9_900).contains(&phase), "{profile}: moved at the interval tick, got {} (controller since {since})", back.0);
        assert!(back.0 - rejoined.0 <= 10_000, "{profile}");
        assert_eq!(back.2, failover.2 + 1, "{profile}: the epoch is bumped");
        assert!(!back.3);
        assert_eq!(leader(&r), Some(1), "{profile}");
        let l = r.ledger();
        assert!(l.acknowledged > 500 && l.acked_lost == 0, "{profile}: {l:?}");
    }
}

// Ref: kafka-facts.md §4 (`auto.leader.rebalance.enable`)
#[test]
fn without_auto_rebalance_leadership_stays_with_the_failover_leader() {
    for profile in ["kafka-3.6", "kafka-4.0"] {
        let r = run(&scenario(profile, r#", "auto.leader.rebalance.enable": false"#), 60_000);
        assert_eq!(leader(&r), Some(2), "{profile}");
        assert!(r.isr_changes().iter().any(|(t, isr)| *t > 20_000 && isr.contains(&1)), "{profile}: broker 1 did rejoin");
    }
}

// Ref: kafka-facts.md §4 (ZooKeeper: per-broker ratio > leader.imbalance.per.broker.percentage / 100;
// KRaft: any imbalanced partition, the percentage is not used)
#[test]
fn per_broker_imbalance_percentage_gates_the_zookeeper_controller_only() {
    // A ratio can never exceed 100 %: the ZooKeeper controller never rebalances, KRaft still does.
    let zk = run(&scenario("kafka-3.6", r#", "leader.imbalance.per.broker.percentage": 100"#), 60_000);
    assert_eq!(leader(&zk), Some(2));
    let kraft = run(&scenario("kafka-4.0", r#", "leader.imbalance.per.broker.percentage": 100"#), 60_000);
    assert_eq!(leader(&kraft), Some(1));
    // The rebalance announces itself as an ordinary clean election.
    let moved = kraft.find(|k| match k {
        EventKind::LeaderElected { leader: Some(1), unclean: false, topic, .. } if topic == "t" => Some(()),
        _ => None,
    });
    assert!(moved.iter().any(|(t, _)| *t > 20_000));
}
