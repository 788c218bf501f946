//! The controller's channel to a broker: a LeaderAndIsr that a cut link swallowed is resent until
//! the broker acknowledges it, so a broker that re-registered while cut off from the other brokers
//! still learns, once its links heal, that it lost leadership: it truncates to the new leader and
//! rejoins the ISR instead of leading a stale log forever.
//! Ref: kafka-facts.md §10 (the controller tells brokers to lead or follow); Kafka's
//! ControllerChannelManager (3.6: requests to a live broker are retried until answered) and the
//! KRaft broker's metadata fetch (4.0: a reconnected broker catches up from the metadata log).
mod common;

use common::Run;
use kafkascope::event::EventKind;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;

/// Broker 2 leads partition 1; it is cut from its peers at 5 s and from the metadata nodes at 6 s
/// (so its session expires and partition 1 moves), re-registers at 20 s while still cut from its
/// peers, and gets its peer links back at 30 s.
fn scenario(profile: &str) -> Scenario {
    let (session, metadata) = if profile == "kafka-3.6" { ("zookeeper.session.timeout.ms", vec![0]) } else { ("broker.session.timeout.ms", vec![1, 2, 3]) };
    let mut timeline = vec![
        r#"{ "atMs": 5000, "command": { "type": "cutLink", "a": { "broker": 2 }, "b": { "broker": 1 } } }"#.to_string(),
        r#"{ "atMs": 5000, "command": { "type": "cutLink", "a": { "broker": 2 }, "b": { "broker": 3 } } }"#.to_string(),
        r#"{ "atMs": 30000, "command": { "type": "healLink", "a": { "broker": 2 }, "b": { "broker": 1 } } }"#.to_string(),
        r#"{ "atMs": 30000, "command": { "type": "healLink", "a": { "broker": 2 }, "b": { "broker": 3 } } }"#.to_string(),
    ];
    for c in metadata {
        timeline.push(format!(r#"{{ "atMs": 6000, "command": {{ "type": "cutLink", "a": {{ "broker": 2 }}, "b": {{ "controller": {c} }} }} }}"#));
        timeline.push(format!(r#"{{ "atMs": 20000, "command": {{ "type": "healLink", "a": {{ "broker": 2 }}, "b": {{ "controller": {c} }} }} }}"#));
    }
    let text = format!(
        r#"{{ "profile": "{profile}", "seed": 5,
  "cluster": {{ "brokers": 3, "config": {{ "{session}": 6000, "replica.lag.time.max.ms": 10000, "min.insync.replicas": 2 }} }},
  "topics": [ {{ "name": "t", "partitions": 3, "assignment": [[1, 2, 3], [2, 3, 1], [3, 1, 2]] }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "linger.ms": 5 }}, "workload": {{ "recordsPerSec": 50, "value": {{ "bytes": 20, "content": "random" }} }} }} ],
  "timeline": [ {} ] }}"#,
        timeline.join(",\n")
    );
    Scenario::from_json(&text).expect("scenario parses")
}

fn run(s: &Scenario, until_ms: u64) -> Run {
    let mut sim = Sim::new(s).expect("sim builds");
    let events = sim.advance_to(ms(until_ms));
    Run { sim, events }
}

fn stale_leader_is_told_once_its_links_heal(profile: &str) {
    let r = run(&scenario(profile), 90_000);
    let moved: Vec<_> = r
        .find(|k| match k {
            EventKind::LeaderElected { topic, partition: 1, leader, leader_epoch, .. } if topic == "t" && *leader_epoch > 0 => Some(*leader),
            _ => None,
        })
        .into_iter()
        .filter(|(_, leader)| *leader != Some(2))
        .collect();
    assert!(!moved.is_empty(), "{profile}: partition 1 moved away from the cut-off broker 2");
    // Broker 2 appended records it could not commit while it thought it still led: it cuts them.
    let cut = r.truncations().into_iter().filter(|(t, b, _, _)| *b == 2 && *t >= 30_000).count();
    assert!(cut > 0, "{profile}: broker 2 truncated to the new leader after its links healed");
    let rejoined = r.find(|k| match k {
        EventKind::IsrChanged { topic, partition: 1, isr } if topic == "t" && isr.contains(&2) => Some(()),
        _ => None,
    });
    assert!(rejoined.iter().any(|(t, _)| *t >= 30_000), "{profile}: broker 2 rejoined partition 1's ISR");
    let ledger = r.ledger();
    assert_eq!(ledger.divergent_replicas, 0, "{profile}: no replica is left diverged: {ledger:?}");
    assert_eq!(ledger.acked_lost, 0, "{profile}: nothing acknowledged was lost: {ledger:?}");
}

#[test]
fn zookeeper_a_broker_that_re_registered_while_cut_off_learns_it_lost_leadership_when_its_links_heal() {
    stale_leader_is_told_once_its_links_heal("kafka-3.6");
}

#[test]
fn kraft_a_broker_that_re_registered_while_cut_off_learns_it_lost_leadership_when_its_links_heal() {
    stale_leader_is_told_once_its_links_heal("kafka-4.0");
}
