//! The flat reader accepts and refuses exactly what serde's derive for the internally tagged enum
//! did (kept here as `Derived`, the enum as it was declared), and names the field in its errors.

use super::super::Command;
use crate::ids::{BrokerId, ConsumerIdx, NodeId, ProducerIdx};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
enum Derived {
    CrashBroker { broker: BrokerId },
    PowerLossBroker { broker: BrokerId },
    RestartBroker { broker: BrokerId },
    CutLink { a: NodeId, b: NodeId },
    HealLink { a: NodeId, b: NodeId },
    SlowLink { a: NodeId, b: NodeId, extra_latency_us: u64 },
    Produce { producer: ProducerIdx, key: Option<String>, value: String, partition: Option<u32> },
    SetProducerRate { producer: ProducerIdx, records_per_sec: u64 },
    CrashConsumer { consumer: ConsumerIdx },
    RestartConsumer { consumer: ConsumerIdx },
    CreateTopic { name: String, partitions: u32, replication_factor: u32 },
    AddPartitions { topic: String, count: u32 },
    ReassignPartition { topic: String, partition: u32, replicas: Vec<BrokerId> },
    CrashController { node: u32 },
    RestartController { node: u32 },
    AlterTopicConfig { topic: String, key: String, value: String },
}

/// One valid object of every command, every field given.
fn every_command() -> Vec<Value> {
    let link = |t: &str| json!({"type": t, "a": {"broker": 1}, "b": {"controller": 3000}});
    vec![
        json!({"type": "crashBroker", "broker": 1}),
        json!({"type": "powerLossBroker", "broker": 2}),
        json!({"type": "restartBroker", "broker": 3}),
        link("cutLink"),
        link("healLink"),
        json!({"type": "slowLink", "a": {"producer": 1}, "b": {"broker": 2}, "extraLatencyUs": 5000}),
        json!({"type": "produce", "producer": 1, "key": "k", "value": "v", "partition": 2}),
        json!({"type": "setProducerRate", "producer": 1, "recordsPerSec": 500}),
        json!({"type": "crashConsumer", "consumer": 1}),
        json!({"type": "restartConsumer", "consumer": 2}),
        json!({"type": "createTopic", "name": "t", "partitions": 3, "replicationFactor": 2}),
        json!({"type": "addPartitions", "topic": "t", "count": 6}),
        json!({"type": "reassignPartition", "topic": "t", "partition": 0, "replicas": [2, 3]}),
        json!({"type": "crashController", "node": 3000}),
        json!({"type": "restartController", "node": 3001}),
        json!({"type": "alterTopicConfig", "topic": "t", "key": "retention.ms", "value": "1000"}),
    ]
}

/// What each reader makes of `v`: the command written back as JSON, or refused.
fn both(v: &Value) -> (Option<Value>, Option<Value>) {
    let flat = serde_json::from_value::<Command>(v.clone()).ok().map(|c| serde_json::to_value(c).unwrap());
    let derived = serde_json::from_value::<Derived>(v.clone()).ok().map(|c| serde_json::to_value(c).unwrap());
    (flat, derived)
}

#[test]
fn every_command_reads_back_what_it_writes() {
    for v in every_command() {
        let c: Command = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(serde_json::to_value(&c).unwrap(), v);
        assert_eq!(serde_json::from_str::<Command>(&v.to_string()).unwrap(), c, "from text as from a value");
    }
}

#[test]
fn the_flat_reader_accepts_and_refuses_what_the_derive_did() {
    let all = every_command();
    let mut cases = vec![json!({}), json!({"type": "nope", "broker": 1}), json!([]), json!("crashBroker"), json!(null)];
    for v in &all {
        let obj = v.as_object().unwrap();
        cases.push(v.clone());
        for k in obj.keys() {
            let mut dropped = obj.clone();
            dropped.remove(k);
            cases.push(Value::Object(dropped));
            let mut nulled = obj.clone();
            nulled.insert(k.clone(), Value::Null);
            cases.push(Value::Object(nulled));
            let mut wrong = obj.clone();
            wrong.insert(k.clone(), json!([true]));
            cases.push(Value::Object(wrong));
        }
        // Every field of every other command, and one of none.
        for other in &all {
            for (k, x) in other.as_object().unwrap() {
                let mut added = obj.clone();
                added.entry(k.clone()).or_insert_with(|| x.clone());
                cases.push(Value::Object(added));
                let mut added_null = obj.clone();
                added_null.entry(k.clone()).or_insert(Value::Null);
                cases.push(Value::Object(added_null));
            }
        }
        let mut unknown = obj.clone();
        unknown.insert("brokr".into(), json!(1));
        cases.push(Value::Object(unknown));
    }
    assert!(cases.len() > 1500, "{} cases", cases.len());
    let mut accepted = 0;
    for v in &cases {
        let (flat, derived) = both(v);
        assert_eq!(flat, derived, "{v}");
        accepted += flat.is_some() as usize;
    }
    assert!(accepted > 32 && accepted < cases.len() / 2, "both kinds of case ran: {accepted} of {}", cases.len());
}

#[test]
fn errors_name_the_missing_or_foreign_field() {
    let err = |v: Value| serde_json::from_value::<Command>(v).unwrap_err().to_string();
    assert_eq!(err(json!({"type": "crashBroker"})), "missing field `broker`");
    assert_eq!(err(json!({"type": "crashBroker", "broker": 1, "a": {"broker": 2}})), "unknown field `a`, expected `broker`");
    assert_eq!(err(json!({"type": "cutLink", "a": {"broker": 1}, "b": {"broker": 2}, "node": 1})), "unknown field `node`, expected `a` or `b`");
    assert!(err(json!({"type": "crashBrokers", "broker": 1})).starts_with("unknown variant `crashBrokers`, expected one of `crashBroker`"));
    assert!(err(json!({"broker": 1})).contains("missing field `type`"));
}
