//! Where the controller runs: on a broker elected through ZooKeeper (kafka-3.6), or on the leader of
//! the KRaft quorum (kafka-4.0); losing it moves it, and partition failover keeps working.
mod common;

use common::Run;
use kafkascope::command::Command;
use kafkascope::event::EventKind;
use kafkascope::ids::NodeId;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

/// Three brokers, one topic whose partition p is led by broker p+1, a steady producer.
fn scenario(profile: &str, seed: u64, timeline: &str) -> Scenario {
    let session = if profile == "kafka-3.6" { "zookeeper.session.timeout.ms" } else { "broker.session.timeout.ms" };
    let text = format!(
        r#"{{ "profile": "{profile}", "seed": {seed},
  "cluster": {{ "brokers": 3, "config": {{ "{session}": 6000 }} }},
  "topics": [ {{ "name": "t", "partitions": 3, "assignment": [[1, 2, 3], [2, 3, 1], [3, 1, 2]], "config": {{ "min.insync.replicas": 2 }} }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "linger.ms": 5 }}, "workload": {{ "recordsPerSec": 50, "value": {{ "bytes": 20, "content": "random" }} }} }} ],
  "timeline": [ {timeline} ] }}"#
    );
    Scenario::from_json(&text).expect("scenario parses")
}

fn run(s: &Scenario, until_ms: u64) -> Run {
    let mut sim = Sim::new(s).expect("sim builds");
    let events = sim.advance_to(ms(until_ms));
    Run { sim, events }
}

/// `(ms, node, epoch)` of every ControllerElected.
fn controllers(r: &Run) -> Vec<(u64, NodeId, u32)> {
    r.find(|k| match k {
        EventKind::ControllerElected { node, epoch } => Some((*node, *epoch)),
        _ => None,
    })
    .into_iter()
    .map(|(t, (n, e))| (t, n, e))
    .collect()
}

/// `(ms, partition, leader)` of every election of topic `t` after `from_ms`.
fn elections_after(r: &Run, from_ms: u64) -> Vec<(u64, u32, Option<u32>)> {
    r.find(|k| match k {
        EventKind::LeaderElected { topic, partition, leader, .. } if topic == "t" => Some((*partition, *leader)),
        _ => None,
    })
    .into_iter()
    .filter(|(t, _)| *t >= from_ms)
    .map(|(t, (p, l))| (t, p, l))
    .collect()
}

// Ref: kafka-facts.md §10 (ZooKeeper mode: one broker wins `/controller`; failures learned from sessions)
#[test]
fn zookeeper_killing_the_controller_broker_moves_the_controller_with_a_bumped_epoch_and_failover_still_works() {
    let s = scenario("kafka-3.6", 3, r#"{ "atMs": 5000, "command": { "type": "crashBroker", "broker": 1 } },
        { "atMs": 25000, "command": { "type": "crashBroker", "broker": 2 } }"#);
    let r = run(&s, 45_000);
    let c = controllers(&r);
    // The lowest broker wins at start; after its session expires the next live broker wins, epoch + 1.
    assert_eq!((c[0].1, c[0].2), (NodeId::Broker(1), 1), "{c:?}");
    let second = c.iter().find(|(t, ..)| *t > 5_000).copied().expect("a new controller after broker 1 died");
    assert_eq!((second.1, second.2), (NodeId::Broker(2), 2), "{c:?}");
    assert!((11_000..=13_000).contains(&second.0), "{c:?}");
    assert!(r.find(|k| matches!(k, EventKind::ZkSessionExpired { broker: 1 }).then_some(())).len() == 1);
    // Partition 0 (led by broker 1) fails over to broker 2.
    assert!(elections_after(&r, 5_000).iter().any(|&(_, p, l)| p == 0 && l == Some(2)), "{:?}", r.elections());
    // Killing the new controller too: broker 3 becomes controller (epoch 3) and leads everything.
    let third = c.iter().find(|(t, ..)| *t > 25_000).copied().expect("a third controller");
    assert_eq!((third.1, third.2), (NodeId::Broker(3), 3), "{c:?}");
    let leaders: Vec<Option<u32>> = r.sim.partitions().values().filter(|p| p.tp.topic == "t").map(|p| p.leader).collect();
    assert_eq!(leaders, vec![Some(3); 3], "ZooKeeper's partition state");
    assert_eq!(r.sim.metadata().active_controller(), Some(NodeId::Broker(3)));
    // Decisions came from the controller broker, not from ZooKeeper.
    let from_zk = r.find(|k| match k {
        EventKind::MessageSent { from: NodeId::Controller(0), kind, .. } => Some(*kind),
        _ => None,
    });
    assert!(from_zk.iter().all(|(_, k)| !matches!(k, kafkascope::event::MessageKind::LeaderAndIsr)));
    let l = r.ledger();
    assert_eq!((l.acked_lost, l.divergent_replicas), (0, 0), "{l:?}");
}

// Ref: kafka-facts.md §10 (KRaft: the active controller is the Raft leader; brokers fenced after
// broker.session.timeout.ms get their partitions moved)
#[test]
fn kraft_killing_the_active_controller_elects_another_and_broker_failover_still_works() {
    let s = scenario("kafka-4.0", 3, r#"{ "atMs": 3000, "command": { "type": "crashController", "node": 1 } },
        { "atMs": 15000, "command": { "type": "crashBroker", "broker": 1 } }"#);
    let r = run(&s, 40_000);
    let quorum = r.find(|k| match k {
        EventKind::QuorumLeaderElected { node, term } => Some((*node, *term)),
        _ => None,
    });
    assert_eq!(quorum[0], (0, (NodeId::Controller(1), 1)), "{quorum:?}");
    let (at, (node, term)) = *quorum.iter().find(|(t, _)| *t > 3_000).expect("a new quorum leader");
    assert_ne!(node, NodeId::Controller(1));
    assert!(term >= 2 && at <= 3_000 + 3 * 2_000, "elected {node} term {term} at {at}");
    // The new leader is the active controller, with its epoch.
    assert!(controllers(&r).iter().any(|&(t, n, e)| t >= at && n == node && e == term), "{:?}", controllers(&r));
    // Broker 1 is fenced by the new controller and partition 0 gets a new leader.
    let fenced = r.find(|k| match k {
        EventKind::BrokerFenced { broker: 1, node } => Some(*node),
        _ => None,
    });
    assert_eq!(fenced.len(), 1, "{fenced:?}");
    assert!((20_000..=23_000).contains(&fenced[0].0) && fenced[0].1 == node, "{fenced:?}");
    assert!(elections_after(&r, 15_000).iter().any(|&(_, p, l)| p == 0 && l == Some(2)), "{:?}", r.elections());
    assert_eq!(r.sim.partitions().values().find(|p| p.tp.topic == "t").and_then(|p| p.leader), Some(2));
    let l = r.ledger();
    assert_eq!((l.acked_lost, l.divergent_replicas), (0, 0), "{l:?}");
}

// Ref: kafka-facts.md §10 (the quorum commits at a majority: without one, no metadata changes)
#[test]
fn kraft_without_a_majority_a_broker_failure_leaves_its_partitions_leaderless_until_a_controller_returns() {
    let s = scenario("kafka-4.0", 4, r#"{ "atMs": 3000, "command": { "type": "crashController", "node": 1 } },
        { "atMs": 3000, "command": { "type": "crashController", "node": 2 } },
        { "atMs": 5000, "command": { "type": "crashBroker", "broker": 1 } }"#);
    let mut sim = Sim::new(&s).expect("sim builds");
    let before = sim.advance_to(ms(40_000));
    let moved = |events: &[kafkascope::event::Event]| {
        events.iter().any(|e| matches!(&e.kind, EventKind::LeaderElected { topic, partition: 0, leader, .. } if topic == "t" && *leader != Some(1)))
    };
    assert!(!moved(&before), "partition 0 moved without a quorum");
    assert_eq!(sim.metadata().active_controller(), None, "controller-3 alone cannot win an election");
    assert_eq!(sim.partitions().values().next().and_then(|p| p.leader), Some(1), "the dead broker still leads partition 0");
    sim.apply(Command::RestartController { node: 2 }).expect("valid");
    let after = sim.advance_to(ms(60_000));
    assert!(moved(&after), "no election after the quorum came back");
    assert!(sim.metadata().active_controller().is_some());
    assert_ne!(sim.partitions().values().next().and_then(|p| p.leader), Some(1));
}

// Ref: kafka-facts.md §10 (ZooKeeper is modelled as always up; KRaft nodes exist per voters count)
#[test]
fn controller_commands_name_only_existing_metadata_nodes() {
    let zk = scenario("kafka-3.6", 1, "");
    assert!(zk.check_command(&Command::CrashController { node: 0 }).is_err());
    assert!(zk.check_command(&Command::CutLink { a: NodeId::Broker(1), b: NodeId::Controller(0) }).is_ok());
    let kraft = scenario("kafka-4.0", 1, "");
    assert!(kraft.check_command(&Command::CrashController { node: 3 }).is_ok());
    assert!(kraft.check_command(&Command::CrashController { node: 4 }).is_err());
    assert!(kraft.check_command(&Command::CutLink { a: NodeId::Broker(1), b: NodeId::Controller(0) }).is_err());
    let mut sim = Sim::new(&kraft).expect("sim builds");
    assert!(sim.apply(Command::RestartController { node: 9 }).is_err());
}

// Ref: kafka-facts.md §10; style.md (determinism: the same seed twice agrees, snapshots continue)
#[test]
fn controller_elections_are_deterministic_and_survive_a_json_snapshot() {
    for profile in ["kafka-3.6", "kafka-4.0"] {
        let timeline = if profile == "kafka-3.6" {
            r#"{ "atMs": 2000, "command": { "type": "crashBroker", "broker": 1 } }"#
        } else {
            r#"{ "atMs": 2000, "command": { "type": "crashController", "node": 1 } },
               { "atMs": 9000, "command": { "type": "restartController", "node": 1 } }"#
        };
        let s = scenario(profile, 11, timeline);
        let a = run(&s, 20_000);
        let b = run(&s, 20_000);
        assert_eq!(a.sim.trace_hash(), b.sim.trace_hash(), "{profile}");
        let mut sim = Sim::new(&s).expect("sim builds");
        sim.advance_to(ms(4_000));
        let frozen = serde_json::to_string(&sim.snapshot()).expect("snapshot serializes");
        let mut restored: Sim = serde_json::from_str(&frozen).expect("snapshot deserializes");
        assert_eq!(sim.advance_to(ms(20_000)), restored.advance_to(ms(20_000)), "{profile}");
        assert_eq!(sim.trace_hash(), a.sim.trace_hash(), "{profile}");
    }
}

// Ref: kafka-facts.md §10 (ZooKeeper mode: a new controller bumps the controller epoch; brokers
// ignore LeaderAndIsr from a zombie controller of an older epoch)
#[test]
fn brokers_ignore_leader_and_isr_from_an_older_controller_epoch() {
    use kafkascope::broker::Broker;
    use kafkascope::ids::TopicPartition;
    use kafkascope::net::{CostModel, Message, PartitionState};
    let s = scenario("kafka-3.6", 1, "");
    let (mut rng, cost, mut effects) = (kafkascope::rng::SimRng::new(1), CostModel::default(), Vec::new());
    let mut out = kafkascope::actor::Out::new(0, &mut rng, &cost, &mut effects);
    let mut b = Broker::new(2, &s);
    b.start(&mut out);
    let tp = TopicPartition::new("t", 0);
    let state = |leader: u32, leader_epoch: i32| PartitionState { tp: tp.clone(), leader: Some(leader), leader_epoch, isr: vec![1, 2, 3], replicas: vec![1, 2, 3], partition_epoch: leader_epoch };
    let lai = |controller_epoch: u32, st: PartitionState| Message::LeaderAndIsr { controller_epoch, live_brokers: vec![1, 2, 3], partitions: vec![st] };
    b.on_message(NodeId::Broker(3), lai(2, state(1, 1)), &mut out);
    assert_eq!(b.replica(&tp).map(|r| r.state.leader_epoch), Some(1));
    // The old controller (epoch 1) still believes broker 3 should lead: ignored.
    b.on_message(NodeId::Broker(1), lai(1, state(3, 7)), &mut out);
    assert_eq!(b.replica(&tp).map(|r| (r.state.leader, r.state.leader_epoch)), Some((Some(1), 1)));
    // The same decision from the current epoch is applied.
    b.on_message(NodeId::Broker(3), lai(2, state(3, 7)), &mut out);
    assert_eq!(b.replica(&tp).map(|r| (r.state.leader, r.state.leader_epoch)), Some((Some(3), 7)));
}
