//! IncrementalAlterConfigs on a running cluster (`alterTopicConfig`): dynamic topic keys take effect
//! at once, static ones and bad values are refused with the key named, unknown topics fail as Kafka's
//! admin client would.
mod common;

use common::run;
use kafkascope::command::Command;
use kafkascope::event::EventKind;
use kafkascope::scenario::Scenario;

/// RF 3, min ISR 2, lag time 4 s. At 1 s broker 3 loses its link to leader 1; "w" (2 s) leaves it
/// behind, so it leaves the ISR around 6-8 s; "a" is produced at 9 s, `min.insync.replicas` is raised to 3 at 10 s, "b" is
/// produced at 11 s, the key is set back to 2 at 12 s and "c" is produced at 13 s.
fn scenario(profile: &str, extra: &str) -> String {
    format!(
        r#"{{
  "profile": "{profile}", "seed": 339,
  "cluster": {{ "brokers": 3, "config": {{ "replica.lag.time.max.ms": 4000, "zookeeper.session.timeout.ms": 60000, "broker.session.timeout.ms": 60000 }} }},
  "topics": [ {{ "name": "t", "partitions": 1, "assignment": [[1, 2, 3]], "config": {{ "min.insync.replicas": 2 }} }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all", "enable.idempotence": false, "retries": 0, "linger.ms": 0 }},
      "workload": {{ "recordsPerSec": 0 }} }} ],
  "timeline": [
    {{ "atMs": 1000, "command": {{ "type": "cutLink", "a": {{ "broker": 1 }}, "b": {{ "broker": 3 }} }} }},
    {{ "atMs": 2000, "command": {{ "type": "produce", "producer": 1, "value": "w", "partition": 0 }} }},
    {{ "atMs": 9000, "command": {{ "type": "produce", "producer": 1, "value": "a", "partition": 0 }} }},
    {{ "atMs": 10000, "command": {{ "type": "alterTopicConfig", "topic": "t", "key": "min.insync.replicas", "value": "3" }} }},
    {{ "atMs": 11000, "command": {{ "type": "produce", "producer": 1, "value": "b", "partition": 0 }} }},
    {{ "atMs": 12000, "command": {{ "type": "alterTopicConfig", "topic": "t", "key": "min.insync.replicas", "value": "2" }} }},
    {{ "atMs": 13000, "command": {{ "type": "produce", "producer": 1, "value": "c", "partition": 0 }} }} {extra} ]
}}"#
    )
}

fn outcomes(r: &common::Run) -> Vec<(u64, Option<String>)> {
    r.find(|k| match k {
        EventKind::ProduceCompleted { error, topic, .. } if topic == "t" => Some(error.clone()),
        _ => None,
    })
}

// Ref: kafka-facts.md §4 (ISR size < min.insync.replicas rejects acks=all before append); KIP-339
#[test]
fn raising_min_insync_replicas_to_3_makes_acks_all_produce_fail_with_not_enough_replicas() {
    for profile in ["kafka-3.6", "kafka-4.0"] {
        let r = run(&scenario(profile, ""), 20_000);
        assert!(r.isr_changes().iter().any(|(t, i)| *t < 9_000 && i == &vec![1, 2]), "{profile}: {:?}", r.isr_changes());
        let altered = r.find(|k| match k {
            EventKind::TopicConfigAltered { topic, key, value } if topic == "t" && key == "min.insync.replicas" => Some(value.clone()),
            _ => None,
        });
        assert_eq!(altered.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>(), ["3", "2"], "{profile}");
        let got: Vec<Option<String>> = outcomes(&r).into_iter().map(|(_, e)| e).collect();
        assert_eq!(got, [None, None, Some("NOT_ENOUGH_REPLICAS".to_string()), None], "{profile}: w, a ok, b refused, c ok");
    }
}

// Ref: kafka-facts.md §9 (segment.bytes decides when the active segment rolls)
#[test]
fn lowering_segment_bytes_rolls_the_active_segment_on_the_next_appends() {
    let roll = r#", { "atMs": 14000, "command": { "type": "alterTopicConfig", "topic": "t", "key": "segment.bytes", "value": "100" } },
    { "atMs": 15000, "command": { "type": "produce", "producer": 1, "value": "d", "partition": 0 } },
    { "atMs": 16000, "command": { "type": "produce", "producer": 1, "value": "e", "partition": 0 } }"#;
    let before = run(&scenario("kafka-3.6", ""), 20_000);
    let after = run(&scenario("kafka-3.6", roll), 20_000);
    let rolls = |r: &common::Run| r.find(|k| matches!(k, EventKind::SegmentRolled { broker: 1, .. }).then_some(())).len();
    assert_eq!(rolls(&before), 0);
    assert!(rolls(&after) >= 1, "a 100-byte segment rolls after a batch or two");
}

#[test]
fn static_keys_bad_values_and_unknown_keys_are_refused_naming_the_key() {
    let s = Scenario::from_json(&scenario("kafka-3.6", "")).unwrap();
    let alter = |key: &str, value: &str| Command::AlterTopicConfig { topic: "t".into(), key: key.into(), value: value.into() };
    let e = s.check_command(&alter("cleanup.policy", "compact")).unwrap_err();
    assert!(e.contains("cleanup.policy") && e.contains("restart the run"), "{e}");
    let e = s.check_command(&alter("min.insync.replicas", "0")).unwrap_err();
    assert!(e.contains("min.insync.replicas") && e.contains("out of range"), "{e}");
    let e = s.check_command(&alter("min.insync.replica", "2")).unwrap_err();
    assert!(e.contains("min.insync.replica"), "{e}");
    let e = s.check_command(&alter("unclean.leader.election.enable", "yes")).unwrap_err();
    assert!(e.contains("unclean.leader.election.enable"), "{e}");
    assert!(s.check_command(&alter("retention.ms", " 60000 ")).is_ok());
}

#[test]
fn altering_an_unknown_topic_fails_as_an_admin_request() {
    let extra = r#", { "atMs": 2000, "command": { "type": "alterTopicConfig", "topic": "nope", "key": "retention.ms", "value": "1000" } }"#;
    let r = run(&scenario("kafka-4.0", extra), 3_000);
    let failed = r.find(|k| match k {
        EventKind::AdminRequestFailed { request, topic, error } if request == "incrementalAlterConfigs" && topic == "nope" => Some(error.clone()),
        _ => None,
    });
    assert_eq!(failed.len(), 1);
    assert!(failed[0].1.starts_with("UnknownTopicOrPartitionException"), "{}", failed[0].1);
}
