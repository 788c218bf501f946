use super::*;
use crate::event::{Event, EventKind};
use crate::ids::TopicPartition;
use crate::vec_map::VecMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// The fast writer's line, or `None` where it leaves the value to serde_json.
fn fast<T: Serialize>(v: &T) -> Option<String> {
    let mut out = Vec::new();
    write(&mut out, v).ok().map(|()| String::from_utf8(out).expect("UTF-8"))
}

fn same_as_serde_json<T: Serialize>(v: &T) {
    let expected = serde_json::to_string(v).unwrap();
    assert_eq!(fast(v).as_deref(), Some(expected.as_str()));
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Outer {
    Unit,
    Newtype(u8),
    Tuple(i32, String),
    Struct { inner_value: Option<Inner>, list: Vec<Inner> },
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Inner {
    Plain,
    Fields { a: i64, b: bool },
}

#[derive(Serialize)]
struct Wrapper(Vec<u16>);

#[derive(Serialize)]
struct Skips {
    #[serde(skip_serializing_if = "Option::is_none")]
    gone: Option<u8>,
    kept: (),
    unit: UnitStruct,
}

#[derive(Serialize)]
struct UnitStruct;

#[test]
fn strings_that_need_escaping_are_written_exactly_as_serde_json_escapes_them() {
    for s in ["", "plain", "quote \" inside", "back\\slash", "tab\tnew\nline\r", "\u{0}\u{1f}\u{7f}", "café 汉字 🦀", "\u{8}\u{c}/"] {
        same_as_serde_json(&s);
        same_as_serde_json(&s.chars().next().unwrap_or('x'));
    }
}

#[test]
fn integers_booleans_options_and_units_match_serde_json() {
    same_as_serde_json(&(i64::MIN, i64::MAX, u64::MAX, 0u8, -1i8, i16::MIN, u32::MAX));
    same_as_serde_json(&(true, false, None::<u8>, Some(7u64), (), UnitStruct));
    same_as_serde_json(&Skips { gone: None, kept: (), unit: UnitStruct });
    same_as_serde_json(&Wrapper(vec![1, 2, 3]));
}

#[test]
fn every_enum_form_and_nesting_matches_serde_json() {
    same_as_serde_json(&vec![
        Outer::Unit,
        Outer::Newtype(3),
        Outer::Tuple(-4, "x\"y".into()),
        Outer::Struct { inner_value: Some(Inner::Plain), list: vec![Inner::Fields { a: -9, b: true }, Inner::Plain] },
        Outer::Struct { inner_value: None, list: vec![] },
    ]);
}

#[test]
fn maps_keyed_by_strings_integers_and_topic_partitions_match_serde_json() {
    let by_int: BTreeMap<i32, &str> = [(-1, "a"), (20, "b")].into_iter().collect();
    same_as_serde_json(&by_int);
    let by_str: BTreeMap<&str, Vec<u8>> = [("k\"1", vec![]), ("k2", vec![1])].into_iter().collect();
    same_as_serde_json(&by_str);
    let mut lag = VecMap::new();
    lag.insert(TopicPartition { topic: "orders".into(), partition: 3 }, 12i64);
    lag.insert(TopicPartition { topic: "a\\b".into(), partition: 0 }, -1i64);
    same_as_serde_json(&lag);
    same_as_serde_json(&BTreeMap::<u8, u8>::new());
}

#[test]
fn a_flattened_internally_tagged_event_matches_serde_json() {
    let events = [
        Event { at_us: 5, kind: EventKind::ProduceCompleted { producer: 1, batch: 2, topic: "t".into(), partition: 0, base_offset: -1, records: 3, error: Some("NOT_LEADER".into()) } },
        Event { at_us: 0, kind: EventKind::ConsumerLag { consumer: 0, lag: VecMap::new() } },
        Event { at_us: 9, kind: EventKind::Narration { en: "Line one\n\"two\"".into(), zh_tw: "說明".into(), target: None } },
    ];
    for e in &events {
        same_as_serde_json(e);
    }
}

#[test]
fn floats_bytes_and_wide_integers_are_left_to_serde_json() {
    assert_eq!(fast(&1.5f64), None);
    assert_eq!(fast(&vec![0.0f32]), None);
    assert_eq!(fast(&1u128), None);
    assert_eq!(fast(&serde_bytes_like()), None);
    let by_bool: BTreeMap<bool, u8> = [(true, 1)].into_iter().collect();
    assert_eq!(fast(&by_bool), None, "a bool key is left to serde_json");
}

/// A value that serializes through `serialize_bytes`.
fn serde_bytes_like() -> impl Serialize {
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.serialize_bytes(b"ab")
        }
    }
    Bytes
}

#[test]
fn the_eight_bytes_a_step_escape_test_agrees_with_the_byte_rule_at_every_position() {
    let rule = |b: &[u8]| b.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    for len in 0..20 {
        for at in 0..len {
            for byte in 0..=255u8 {
                let mut s = vec![b'k'; len];
                s[at] = byte;
                assert_eq!(needs_escape(&s), rule(&s), "byte {byte:#04x} at {at} of {len}");
            }
        }
    }
    assert!(!needs_escape("caf\u{e9} \u{1f980}".as_bytes()), "UTF-8 bytes above 0x7f need no escape");
}

#[test]
fn an_event_is_written_as_serde_json_flattens_it_with_names_cached_or_not() {
    let mut keys = KeyCache::default();
    let event = Event { at_us: 77, kind: EventKind::SegmentRolled { broker: 2, topic: "t\u{1}".into(), partition: 1, base_offset: 9 } };
    for _ in 0..3 {
        let mut out = Vec::new();
        write_event(&mut out, &event, &mut keys).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&event).unwrap());
    }
}

#[test]
fn a_name_that_needs_escaping_is_never_cached() {
    #[derive(Serialize)]
    struct Odd {
        #[serde(rename = "a\"b")]
        odd: u8,
        #[serde(rename = "")]
        empty: u8,
    }
    let mut keys = KeyCache::default();
    for _ in 0..2 {
        let mut out = Vec::new();
        Odd { odd: 1, empty: 2 }.serialize(&mut Writer { out: &mut out, keys: &mut keys, continue_object: false }).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"a\"b":1,"":2}"#);
    }
}
