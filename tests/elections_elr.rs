//! KIP-966 Eligible Leader Replicas: the "last replica standing" case. RF 3, min ISR 2, acks=all.
//! Brokers 3, 2 and 1 die in turn; broker 2 comes back first, broker 1 later.
mod common;

use common::run;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;

fn scenario(elr: bool) -> String {
    format!(
        r#"{{
  "profile": "kafka-4.0", "seed": 966,
  "cluster": {{ "brokers": 3, "config": {{ "eligible.leader.replicas.enable": {elr} }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "assignment": [[1, 2, 3]], "config": {{ "min.insync.replicas": 2 }} }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "enable.idempotence": false, "linger.ms": 0 }},
    "workload": {{ "recordsPerSec": 20 }} }} ],
  "timeline": [ {{ "atMs": 2000, "command": {{ "type": "crashBroker", "broker": 3 }} }},
    {{ "atMs": 20000, "command": {{ "type": "crashBroker", "broker": 2 }} }},
    {{ "atMs": 32000, "command": {{ "type": "crashBroker", "broker": 1 }} }},
    {{ "atMs": 50000, "command": {{ "type": "restartBroker", "broker": 2 }} }},
    {{ "atMs": 70000, "command": {{ "type": "restartBroker", "broker": 1 }} }} ]
}}"#
    )
}

fn leader(r: &common::Run) -> Option<u32> {
    r.sim.partitions()[&TopicPartition::new("t", 0)].leader
}

fn elr_changes(r: &common::Run) -> Vec<(u64, Vec<u32>)> {
    r.find(|k| match k {
        EventKind::ElrChanged { elr, .. } => Some(elr.clone()),
        _ => None,
    })
}

// Ref: KIP-966 (ELR: a clean election from the ELR when the ISR is empty); kafka-facts.md §4 (HW frozen
// under min ISR since 3.7, so the ELR members hold every committed record)
#[test]
fn with_elr_the_last_replica_standing_is_not_needed_a_safe_elr_member_leads_and_nothing_is_lost() {
    let r = run(&scenario(true), 65_000);
    // Broker 2 entered the ELR when the ISR fell below min ISR; broker 1 joined it when fenced.
    let changes = elr_changes(&r);
    assert!(changes.iter().any(|(_, e)| e == &vec![2]), "{changes:?}");
    assert!(changes.iter().any(|(_, e)| e == &vec![1, 2]), "{changes:?}");
    let el = r.elections();
    let offline = el.iter().find(|e| e.1.is_none()).unwrap_or_else(|| panic!("{el:?}"));
    // Broker 2, the first to return, is elected cleanly from the ELR, without waiting for broker 1.
    let back = el.iter().find(|e| e.0 > offline.0 && e.1.is_some()).unwrap_or_else(|| panic!("{el:?}"));
    assert_eq!(back.1, Some(2), "{el:?}");
    assert!((50_000..55_000).contains(&back.0), "{el:?}");
    assert!(!back.3, "a clean election");
    assert_eq!(leader(&r), Some(2));
    assert_eq!(r.sim.partitions()[&TopicPartition::new("t", 0)].isr, vec![2]);
    let l = r.ledger();
    assert!(l.acknowledged > 300, "{l:?}");
    assert_eq!(l.acked_lost, 0, "{l:?}");
}

// Ref: KIP-966 (default off in 4.0: `eligible.leader.replicas.version=0`); kafka-facts.md §4 (no unclean
// election: offline until an ISR member returns)
#[test]
fn without_elr_the_partition_stays_offline_until_the_last_isr_member_returns() {
    let r = run(&scenario(false), 90_000);
    assert!(elr_changes(&r).is_empty());
    let el = r.elections();
    let offline = el.iter().find(|e| e.1.is_none()).unwrap_or_else(|| panic!("{el:?}"));
    let back = el.iter().find(|e| e.0 > offline.0 && e.1.is_some()).unwrap_or_else(|| panic!("{el:?}"));
    // Broker 2's return at 50 s changes nothing; broker 1, the last ISR member, brings it back.
    assert_eq!(back.1, Some(1), "{el:?}");
    assert!(back.0 >= 70_000, "{el:?}");
    assert!(el.iter().all(|e| !e.3));
    let mid = run(&scenario(false), 65_000);
    assert_eq!(leader(&mid), None);
    let l = r.ledger();
    assert!(l.acknowledged > 300, "{l:?}");
    assert_eq!(l.acked_lost, 0, "{l:?}");
}

