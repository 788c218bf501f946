//! Admin commands and controller timers follow the ACTIVE controller (merge of `quorum` with the
//! admin/ELR/reassignment controller): the broker holding `/controller` on kafka-3.6, the KRaft
//! leader on kafka-4.0; a new controller resumes the state main's controller added (reassignments).
mod common;

use common::run;
use kafkascope::event::EventKind;

fn scenario(profile: &str, timeline: &str) -> String {
    format!(
        r#"{{
  "profile": "{profile}", "seed": 7,
  "cluster": {{ "brokers": 4, "config": {{ "zookeeper.session.timeout.ms": 6000 }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "assignment": [[2, 3]], "config": {{ "min.insync.replicas": 1 }} }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "1", "linger.ms": 0 }}, "workload": {{ "recordsPerSec": 20 }} }} ],
  "timeline": {timeline}
}}"#
    )
}

// A reassignment waiting for a down broker survives the loss of the controller that started it: the
// next active controller (broker 2 on 3.6 after ZooKeeper expires broker 1's session; a new KRaft
// leader on 4.0) completes it once the broker is back.
#[test]
fn reassignment_in_progress_survives_controller_failover() {
    for (profile, kill) in [
        ("kafka-3.6", r#"{ "type": "crashBroker", "broker": 1 }"#),
        ("kafka-4.0", r#"{ "type": "crashController", "node": 1 }"#),
    ] {
        let tl = format!(
            r#"[ {{ "atMs": 1000, "command": {{ "type": "crashBroker", "broker": 4 }} }},
              {{ "atMs": 2000, "command": {{ "type": "reassignPartition", "topic": "t", "partition": 0, "replicas": [2, 3, 4] }} }},
              {{ "atMs": 3000, "command": {kill} }},
              {{ "atMs": 25000, "command": {{ "type": "restartBroker", "broker": 4 }} }} ]"#
        );
        let r = run(&scenario(profile, &tl), 60_000);
        let started = r.find(|k| matches!(k, EventKind::ReassignmentStarted { .. }).then_some(()));
        assert_eq!(started.len(), 1, "{profile}");
        let elected = r.find(|k| match k {
            EventKind::ControllerElected { node, .. } => Some(*node),
            _ => None,
        });
        assert!(elected.iter().any(|(t, _)| *t > 3_000), "{profile}: a new controller took over: {elected:?}");
        let done = r.find(|k| match k {
            EventKind::ReassignmentCompleted { replicas, .. } => Some(replicas.clone()),
            _ => None,
        });
        assert_eq!(done.len(), 1, "{profile}: {done:?}");
        assert!(done[0].0 > 25_000, "{profile}: {done:?}");
        assert_eq!(done[0].1, vec![2, 3, 4], "{profile}");
    }
}

// With no active controller (KRaft without a majority) an admin request fails with a clear reason.
#[test]
fn admin_request_without_an_active_controller_fails() {
    let tl = r#"[ { "atMs": 1000, "command": { "type": "crashController", "node": 1 } },
      { "atMs": 1000, "command": { "type": "crashController", "node": 2 } },
      { "atMs": 10000, "command": { "type": "createTopic", "name": "new", "partitions": 1, "replicationFactor": 1 } } ]"#;
    let r = run(&scenario("kafka-4.0", tl), 15_000);
    let failed = r.find(|k| match k {
        EventKind::AdminRequestFailed { request, topic, error } => Some((request.clone(), topic.clone(), error.clone())),
        _ => None,
    });
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!((failed[0].1 .0.as_str(), failed[0].1 .1.as_str()), ("createTopic", "new"));
    assert!(failed[0].1 .2.contains("NOT_CONTROLLER"), "{failed:?}");
    assert!(r.find(|k| matches!(k, EventKind::TopicCreated { topic, .. } if topic == "new").then_some(())).is_empty());
}

// createTopic after a failover is executed by the new active controller in both modes.
#[test]
fn create_topic_goes_to_the_new_active_controller() {
    for (profile, kill) in [
        ("kafka-3.6", r#"{ "type": "crashBroker", "broker": 1 }"#),
        ("kafka-4.0", r#"{ "type": "crashController", "node": 1 }"#),
    ] {
        let tl = format!(
            r#"[ {{ "atMs": 1000, "command": {kill} }},
              {{ "atMs": 20000, "command": {{ "type": "createTopic", "name": "new", "partitions": 2, "replicationFactor": 2 }} }} ]"#
        );
        let r = run(&scenario(profile, &tl), 25_000);
        let created = r.find(|k| matches!(k, EventKind::TopicCreated { topic, .. } if topic == "new").then_some(()));
        assert_eq!(created.len(), 1, "{profile}");
        assert!(r.sim.partitions().keys().any(|tp| tp.topic == "new"), "{profile}: committed metadata has the topic");
    }
}
