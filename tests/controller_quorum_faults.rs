//! Randomized faults on the KRaft quorum: controllers crash and restart, links between controllers
//! and between brokers and controllers are cut, while brokers fail too. After everything heals the
//! quorum has one leader, every voter holds the same committed metadata, every partition has a
//! leader, and no acknowledged record was lost.
// Ref: kafka-facts.md §10 (KRaft: Raft over the metadata log, the active controller is the leader)

use kafkascope::command::Command;
use kafkascope::ids::NodeId;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

fn scenario(seed: u64) -> Scenario {
    let text = format!(
        r#"{{ "profile": "kafka-4.0", "seed": {seed},
  "cluster": {{ "brokers": 3, "config": {{ "broker.session.timeout.ms": 6000, "replica.lag.time.max.ms": 10000, "min.insync.replicas": 2 }} }},
  "topics": [ {{ "name": "t", "partitions": 3, "replicationFactor": 3 }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "linger.ms": 5, "request.timeout.ms": 5000, "delivery.timeout.ms": 120000 }},
    "workload": {{ "recordsPerSec": 50, "value": {{ "bytes": 20, "content": "random" }} }} }} ] }}"#
    );
    Scenario::from_json(&text).expect("scenario parses")
}

/// splitmix64, independent of the engine's RNG.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn faults(seed: u64) -> Vec<(u64, Command)> {
    let mut g = seed ^ 0xC0_47_20_11;
    let mut v: Vec<(u64, Command)> = (0..10)
        .map(|_| {
            let at = 2_000 + next(&mut g) % 40_000;
            let c = 1 + (next(&mut g) % 3) as u32;
            let cmd = match next(&mut g) % 6 {
                0 | 1 => Command::CrashController { node: c },
                2 => Command::RestartController { node: c },
                3 => Command::CutLink { a: NodeId::Controller(c), b: NodeId::Controller(c % 3 + 1) },
                4 => Command::CutLink { a: NodeId::Broker(1 + (next(&mut g) % 3) as u32), b: NodeId::Controller(c) },
                _ => Command::CrashBroker { broker: 1 + (next(&mut g) % 3) as u32 },
            };
            (at, cmd)
        })
        .collect();
    v.sort_by_key(|(t, _)| *t);
    v
}

// Ref: kafka-facts.md §10
#[test]
fn kraft_quorum_recovers_one_leader_and_identical_metadata_after_random_controller_faults() {
    let mut reelections = 0;
    let count = |events: Vec<kafkascope::event::Event>| {
        events.iter().filter(|e| matches!(e.kind, kafkascope::event::EventKind::QuorumLeaderElected { term, .. } if term > 1)).count()
    };
    for seed in 1..=10 {
        let mut sim = Sim::new(&scenario(seed)).expect("sim builds");
        for (at, cmd) in faults(seed) {
            reelections += count(sim.advance_to(ms(at)));
            sim.apply(cmd).expect("valid command");
        }
        reelections += count(sim.advance_to(ms(45_000)));
        sim.apply(Command::SetProducerRate { producer: 1, records_per_sec: 0 }).unwrap();
        for c in 1..=3 {
            sim.apply(Command::RestartController { node: c }).unwrap();
            sim.apply(Command::HealLink { a: NodeId::Controller(c), b: NodeId::Controller(c % 3 + 1) }).unwrap();
            for b in 1..=3 {
                sim.apply(Command::HealLink { a: NodeId::Broker(b), b: NodeId::Controller(c) }).unwrap();
            }
        }
        for b in 1..=3 {
            sim.apply(Command::RestartBroker { broker: b }).unwrap();
        }
        for step in 1..=12 {
            reelections += count(sim.advance_to(ms(45_000 + step * 5_000)));
        }
        let quorum = sim.metadata().quorum();
        let leaders: Vec<u32> = quorum.iter().filter(|n| n.is_leader()).map(|n| n.id()).collect();
        assert_eq!(leaders.len(), 1, "seed {seed}: leaders {leaders:?}");
        let first = &quorum[0];
        for n in quorum {
            assert_eq!(n.applied(), first.applied(), "seed {seed}: controller-{} lags", n.id());
            assert!(n.image() == first.image(), "seed {seed}: controller-{} has other metadata", n.id());
        }
        let offline = sim.partitions().values().filter(|p| p.leader.is_none()).count();
        assert_eq!(offline, 0, "seed {seed}: offline partitions {:?}", sim.partitions());
        let l = sim.ledger();
        assert_eq!((l.acked_lost, l.divergent_replicas), (0, 0), "seed {seed}: {l:?}");
    }
    assert!(reelections >= 10, "the faults hardly moved the quorum: {reelections} elections");
}
