//! Topic administration as commands: createTopic, addPartitions (AdminUtils placement, kafka-facts
//! §3) and reassignPartition (KIP-455), including raising the replication factor.
mod common;

use common::run;
use kafkascope::event::EventKind;
use kafkascope::ids::TopicPartition;

fn cluster(brokers: u32, topic_assignment: &str, producer: &str, timeline: &str) -> String {
    format!(
        r#"{{
  "profile": "kafka-3.6", "seed": 455,
  "cluster": {{ "brokers": {brokers}, "config": {{ "zookeeper.session.timeout.ms": 6000 }} }},
  "topics": [ {{ "name": "t", "partitions": {n}, "assignment": {topic_assignment}, "config": {{ "min.insync.replicas": 1 }} }} ],
  "producers": [ {producer} ],
  "timeline": {timeline}
}}"#,
        n = topic_assignment.matches('[').count() - 1
    )
}

const IDLE: &str = r#"{ "topic": "t", "workload": { "recordsPerSec": 0 } }"#;

// Ref: kafka-facts.md §3 (AdminUtils: leaders round-robin over the brokers, followers shifted, no
// broker twice in a partition)
#[test]
fn create_topic_places_replicas_round_robin_and_elects_each_preferred_replica() {
    let tl = r#"[ { "atMs": 1000, "command": { "type": "createTopic", "name": "new", "partitions": 6, "replicationFactor": 3 } } ]"#;
    let r = run(&cluster(3, "[[1, 2, 3]]", IDLE, tl), 3_000);
    let created = r.find(|k| match k {
        EventKind::TopicCreated { topic, assignment, replication_factor: 3 } if topic == "new" => Some(assignment.clone()),
        _ => None,
    });
    let (at, assignment) = created.first().cloned().unwrap_or_else(|| panic!("no topicCreated"));
    // The controller broker's events wait for ZooKeeper to acknowledge its write (one round trip).
    assert!((1_000..=1_010).contains(&at), "{at}");
    assert_eq!(assignment.len(), 6);
    for (p, replicas) in assignment.iter().enumerate() {
        let mut d = replicas.clone();
        d.sort_unstable();
        assert_eq!(d, vec![1, 2, 3], "partition {p}: {replicas:?}");
        // Round-robin leaders: consecutive partitions start one broker further on.
        if p > 0 {
            assert_eq!(replicas[0], assignment[p - 1][0] % 3 + 1, "{assignment:?}");
        }
        let state = &r.sim.partitions()[&TopicPartition::new("new", p as u32)];
        assert_eq!(state.leader, Some(replicas[0]));
        assert_eq!(&state.isr, replicas);
    }
    // Every replica exists on its broker once the LeaderAndIsr arrived.
    for b in r.sim.brokers() {
        let hosted = (0..6).filter(|&p| b.replica(&TopicPartition::new("new", p)).is_some()).count();
        assert_eq!(hosted, 6, "broker {}", b.id());
    }
}

// Ref: kafka-facts.md §3 ("RF > N raises InvalidReplicationFactorException")
#[test]
fn create_topic_with_more_replicas_than_live_brokers_fails_with_invalid_replication_factor() {
    let tl = r#"[ { "atMs": 1000, "command": { "type": "createTopic", "name": "big", "partitions": 1, "replicationFactor": 4 } },
      { "atMs": 2000, "command": { "type": "crashBroker", "broker": 3 } },
      { "atMs": 12000, "command": { "type": "createTopic", "name": "three", "partitions": 2, "replicationFactor": 3 } },
      { "atMs": 12000, "command": { "type": "createTopic", "name": "zero", "partitions": 0, "replicationFactor": 1 } },
      { "atMs": 12000, "command": { "type": "createTopic", "name": "t", "partitions": 1, "replicationFactor": 1 } } ]"#;
    let r = run(&cluster(3, "[[1, 2, 3]]", IDLE, tl), 13_000);
    let failed = r.find(|k| match k {
        EventKind::AdminRequestFailed { topic, error, .. } => Some((topic.clone(), error.clone())),
        _ => None,
    });
    let names: Vec<(&str, &str)> = failed.iter().map(|(_, (t, e))| (t.as_str(), e.split(':').next().unwrap_or(""))).collect();
    assert_eq!(
        names,
        vec![
            ("big", "InvalidReplicationFactorException"),
            // Broker 3 is fenced: only two live brokers remain for placement.
            ("three", "InvalidReplicationFactorException"),
            ("zero", "InvalidPartitionsException"),
            ("t", "TopicExistsException"),
        ]
    );
    assert!(!r.sim.partitions().keys().any(|tp| tp.topic != "t"));
}

// Ref: kafka-facts.md §3 (`startPartitionId`: new partitions continue the placement)
#[test]
fn add_partitions_grows_the_topic_and_places_the_new_partitions_from_the_current_count() {
    let tl = r#"[ { "atMs": 1000, "command": { "type": "addPartitions", "topic": "t", "count": 5 } },
      { "atMs": 2000, "command": { "type": "addPartitions", "topic": "t", "count": 3 } },
      { "atMs": 2000, "command": { "type": "addPartitions", "topic": "nope", "count": 3 } } ]"#;
    let r = run(&cluster(3, "[[1, 2], [2, 3]]", IDLE, tl), 3_000);
    let added = r.find(|k| match k {
        EventKind::PartitionsAdded { first_partition, assignment, .. } => Some((*first_partition, assignment.clone())),
        _ => None,
    });
    assert_eq!(added.len(), 1, "{added:?}");
    let (first, assignment) = &added[0].1;
    assert_eq!((*first, assignment.len()), (2, 3));
    assert!(assignment.iter().all(|r| r.len() == 2 && r[0] != r[1]), "RF of the topic: {assignment:?}");
    for p in 0..5 {
        assert!(r.sim.partitions()[&TopicPartition::new("t", p)].leader.is_some(), "t-{p}");
    }
    let errors: Vec<String> = r
        .find(|k| match k {
            EventKind::AdminRequestFailed { error, .. } => Some(error.clone()),
            _ => None,
        })
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert!(errors[0].starts_with("InvalidPartitionsException"), "{errors:?}");
    assert!(errors[1].starts_with("UnknownTopicOrPartitionException"), "{errors:?}");
}

fn produced_by(r: &common::Run, broker: u32, as_leader: bool) -> Vec<(u64, i64)> {
    r.find(move |k| match k {
        EventKind::RecordsAppended { broker: b, log_end_offset, as_leader: l, topic, .. } if *b == broker && *l == as_leader && topic == "t" => {
            Some(*log_end_offset)
        }
        _ => None,
    })
}

// Ref: KIP-455 (adding replicas fetch and catch up, join the ISR, then the reassignment completes);
// kafka-facts.md §4 ("ISR expand": LEO >= HW)
#[test]
fn raising_replication_factor_1_to_3_new_replicas_catch_up_then_join_the_isr() {
    let producer = r#"{ "topic": "t", "config": { "acks": "1", "linger.ms": 0 }, "workload": { "recordsPerSec": 50 } }"#;
    let tl = r#"[ { "atMs": 5000, "command": { "type": "reassignPartition", "topic": "t", "partition": 0, "replicas": [1, 2, 3] } } ]"#;
    let r = run(&cluster(3, "[[1]]", producer, tl), 10_000);
    let started = r.find(|k| match k {
        EventKind::ReassignmentStarted { adding, removing, .. } => Some((adding.clone(), removing.clone())),
        _ => None,
    });
    // Emitted once ZooKeeper acknowledged the controller broker's write (one round trip after 5 s).
    assert_eq!(started.len(), 1, "{started:?}");
    assert!((5_000..=5_010).contains(&started[0].0), "{started:?}");
    assert_eq!(started[0].1, (vec![2, 3], vec![]));
    let isr = r.isr_changes();
    for b in [2, 3] {
        // The new replica copies the leader's history as a follower (as_leader = false) ...
        let first_copy = produced_by(&r, b, false).first().copied().unwrap_or_else(|| panic!("broker {b} never fetched"));
        assert!(first_copy.0 >= 5_000 && first_copy.1 > 200, "broker {b} fetched the backlog first: {first_copy:?}");
        // ... and joins the ISR only afterwards.
        let joined = isr.iter().find(|(_, i)| i.contains(&b)).unwrap_or_else(|| panic!("{isr:?}"));
        assert!(joined.0 >= first_copy.0, "{isr:?}");
    }
    let done = r.find(|k| match k {
        EventKind::ReassignmentCompleted { replicas, leader, .. } => Some((replicas.clone(), *leader)),
        _ => None,
    });
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].1, (vec![1, 2, 3], Some(1)));
    let state = &r.sim.partitions()[&TopicPartition::new("t", 0)];
    assert_eq!((state.replicas.clone(), state.isr.clone()), (vec![1, 2, 3], vec![1, 2, 3]));
    let l = r.ledger();
    assert!(l.acknowledged > 400 && l.acked_lost == 0 && l.divergent_replicas == 0, "{l:?}");
}

// Ref: KIP-455 (leadership moves to a target replica, old replicas are removed and delete their logs)
#[test]
fn reassignment_moves_a_partition_to_other_brokers_without_losing_acknowledged_records() {
    let producer = r#"{ "topic": "t", "config": { "acks": "all", "linger.ms": 0 }, "workload": { "recordsPerSec": 50 } }"#;
    let tl = r#"[ { "atMs": 5000, "command": { "type": "reassignPartition", "topic": "t", "partition": 0, "replicas": [4, 5, 3] } } ]"#;
    let r = run(&cluster(5, "[[1, 2, 3]]", producer, tl), 15_000);
    let done = r.find(|k| match k {
        EventKind::ReassignmentCompleted { replicas, leader, .. } => Some((replicas.clone(), *leader)),
        _ => None,
    });
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].1, (vec![4, 5, 3], Some(4)), "leadership moved to the new preferred replica");
    let deleted = r.find(|k| match k {
        EventKind::ReplicaDeleted { broker, .. } => Some(*broker),
        _ => None,
    });
    assert_eq!(deleted.iter().map(|d| d.1).collect::<Vec<_>>(), vec![1, 2]);
    assert!(deleted.iter().all(|d| d.0 == done[0].0));
    for b in [1, 2] {
        let br = &r.sim.brokers()[b - 1];
        assert!(!br.disk.logs.contains_key(&TopicPartition::new("t", 0)), "broker {b} deleted its log");
        assert!(br.replica(&TopicPartition::new("t", 0)).is_none());
    }
    // The producer followed the new leader and kept getting acknowledgements.
    assert!(produced_by(&r, 4, true).iter().any(|(t, _)| *t > done[0].0 + 1_000));
    let l = r.ledger();
    assert!(l.acknowledged > 500, "{l:?}");
    assert_eq!((l.acked_lost, l.divergent_replicas), (0, 0), "{l:?}");
}

// Ref: docs/scenarios.md (bad commands are rejected, never panicked on)
#[test]
fn malformed_admin_commands_are_rejected_without_panicking() {
    use kafkascope::command::Command;
    let mut sim = kafkascope::sim::Sim::new(&kafkascope::scenario::Scenario::from_json(&cluster(3, "[[1, 2, 3]]", IDLE, "[]")).unwrap()).unwrap();
    let bad = [
        Command::CreateTopic { name: "no spaces".into(), partitions: 1, replication_factor: 1 },
        Command::CreateTopic { name: "huge".into(), partitions: u32::MAX, replication_factor: 1 },
        Command::AddPartitions { topic: "".into(), count: 2 },
        Command::ReassignPartition { topic: "t".into(), partition: 0, replicas: vec![1, 9] },
    ];
    for c in bad {
        assert!(sim.apply(c.clone()).is_err(), "{c:?}");
    }
    // Accepted by the check, refused at run time with Kafka's exception names.
    let refused = [
        Command::CreateTopic { name: "x".into(), partitions: 1, replication_factor: u32::MAX },
        Command::ReassignPartition { topic: "t".into(), partition: 7, replicas: vec![1] },
        Command::ReassignPartition { topic: "t".into(), partition: 0, replicas: vec![1, 1] },
        Command::ReassignPartition { topic: "t".into(), partition: 0, replicas: vec![] },
    ];
    for c in refused {
        sim.apply(c).unwrap();
    }
    let events = sim.advance_to(1_000_000);
    let errors: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AdminRequestFailed { error, .. } => Some(error.split(':').next().unwrap_or("").to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        ["InvalidReplicationFactorException", "UnknownTopicOrPartitionException", "InvalidReplicaAssignmentException", "InvalidReplicaAssignmentException"]
    );
}

// Ref: KIP-455 (removed replicas delete their logs; one that was down does so when it returns)
#[test]
fn a_removed_replica_that_was_down_deletes_its_stray_log_when_it_returns() {
    let producer = r#"{ "topic": "t", "config": { "acks": "all", "linger.ms": 0 }, "workload": { "recordsPerSec": 50 } }"#;
    let tl = r#"[ { "atMs": 3000, "command": { "type": "crashBroker", "broker": 2 } },
      { "atMs": 5000, "command": { "type": "reassignPartition", "topic": "t", "partition": 0, "replicas": [4, 5, 3] } },
      { "atMs": 20000, "command": { "type": "restartBroker", "broker": 2 } } ]"#;
    let r = run(&cluster(5, "[[1, 2, 3]]", producer, tl), 25_000);
    let deleted = r.find(|k| match k {
        EventKind::ReplicaDeleted { broker, .. } => Some(*broker),
        _ => None,
    });
    let two = deleted.iter().find(|d| d.1 == 2).unwrap_or_else(|| panic!("{deleted:?}"));
    assert!(two.0 >= 20_000, "{deleted:?}");
    assert!(!r.sim.brokers()[1].disk.logs.contains_key(&TopicPartition::new("t", 0)));
    assert_eq!(r.sim.partitions()[&TopicPartition::new("t", 0)].replicas, vec![4, 5, 3]);
    assert_eq!(r.ledger().acked_lost, 0);
}

// Ref: shared/style.md (a JSON snapshot continues identically), here mid-reassignment (KIP-455)
#[test]
fn a_json_snapshot_taken_mid_reassignment_continues_identically() {
    use kafkascope::command::Command;
    let producer = r#"{ "topic": "t", "config": { "acks": "all", "linger.ms": 0 }, "workload": { "recordsPerSec": 50 } }"#;
    let text = cluster(5, "[[1, 2, 3]]", producer, "[]").replace("\"kafka-3.6\"", "\"kafka-4.0\"").replace(
        "\"zookeeper.session.timeout.ms\": 6000",
        "\"eligible.leader.replicas.enable\": true, \"leader.imbalance.check.interval.seconds\": 5",
    );
    let mut sim = kafkascope::sim::Sim::new(&kafkascope::scenario::Scenario::from_json(&text).unwrap()).unwrap();
    sim.advance_to(3_000_000);
    sim.apply(Command::ReassignPartition { topic: "t".into(), partition: 0, replicas: vec![4, 5, 3] }).unwrap();
    sim.advance_to(3_001_000);
    assert_eq!(sim_reassigning(&sim), 1);
    let frozen = serde_json::to_string(&sim.snapshot()).expect("snapshot serializes");
    let mut restored: kafkascope::sim::Sim = serde_json::from_str(&frozen).expect("snapshot deserializes");
    assert_eq!(sim.advance_to(20_000_000), restored.advance_to(20_000_000));
    assert_eq!(sim.summary(), restored.summary());
    assert_eq!(sim_reassigning(&restored), 0);
}

fn sim_reassigning(sim: &kafkascope::sim::Sim) -> usize {
    let t = &sim.partitions()[&TopicPartition::new("t", 0)];
    usize::from(t.replicas.len() > 3)
}
