//! What a producer workload's records look like: the key choice, whose JSON form
//! (`{"type": "hotKey", "keys": 10, "hotPercent": 90}`) is read through a flat record (see
//! [`crate::serde_tagged`] for why; writing stays derived), and the value's size and content.

use crate::serde_tagged::{given, need, only, Given};
use serde::{Deserialize, Deserializer, Serialize};

/// Key choice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum KeySpec {
    /// Null keys: the sticky partitioner spreads them.
    #[default]
    None,
    /// Always the same key.
    Fixed { key: String },
    /// `key-0` .. `key-(keys-1)`, uniformly.
    Uniform { keys: u32 },
    /// Like uniform, but `hot_percent`% of records use `key-0`.
    HotKey { keys: u32, hot_percent: u32 },
}

/// The `type` tag.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    None,
    Fixed,
    Uniform,
    HotKey,
}

/// Every field any key choice has.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Wire {
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default, deserialize_with = "given")]
    key: Given<String>,
    #[serde(default, deserialize_with = "given")]
    keys: Given<u32>,
    #[serde(default, deserialize_with = "given")]
    hot_percent: Given<u32>,
}

impl<'de> Deserialize<'de> for KeySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let fields: &'static [&'static str] = match w.kind {
            Kind::None => &[],
            Kind::Fixed => &["key"],
            Kind::Uniform => &["keys"],
            Kind::HotKey => &["keys", "hotPercent"],
        };
        only(crate::present!(w, "key" => key, "keys" => keys, "hotPercent" => hot_percent), fields)?;
        Ok(match w.kind {
            Kind::None => KeySpec::None,
            Kind::Fixed => KeySpec::Fixed { key: need(w.key, "key")? },
            Kind::Uniform => KeySpec::Uniform { keys: need(w.keys, "keys")? },
            Kind::HotKey => KeySpec::HotKey { keys: need(w.keys, "keys")?, hot_percent: need(w.hot_percent, "hotPercent")? },
        })
    }
}

/// Value size and content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ValueSpec {
    /// Bytes per value.
    pub bytes: u32,
    /// `text` compresses well, `random` does not.
    pub content: ValueContent,
}

impl Default for ValueSpec {
    fn default() -> Self {
        ValueSpec { bytes: 100, content: ValueContent::Text }
    }
}

/// Value content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ValueContent {
    /// English-like words: compressible.
    Text,
    /// Random bytes: incompressible.
    Random,
}

#[cfg(test)]
mod tests {
    use super::KeySpec;
    use serde::Deserialize;
    use serde_json::{json, Value};

    /// The enum as it was declared, read by serde's derive: the reference the flat reader must match.
    #[derive(serde::Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
    enum Derived {
        None,
        Fixed { key: String },
        Uniform { keys: u32 },
        HotKey { keys: u32, hot_percent: u32 },
    }

    #[test]
    fn the_flat_reader_accepts_and_refuses_what_the_derive_did() {
        let fields = [("key", json!("k")), ("keys", json!(3)), ("hotPercent", json!(90)), ("hotpercent", json!(1))];
        let mut cases = vec![json!({}), json!({"type": "hot"}), json!(null), json!("none")];
        for t in ["none", "fixed", "uniform", "hotKey"] {
            // Every subset of the fields, each also with a null and a wrong type in its first field.
            for mask in 0..16u32 {
                let mut o = serde_json::Map::new();
                o.insert("type".into(), json!(t));
                for (i, (k, v)) in fields.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        o.insert((*k).into(), v.clone());
                    }
                }
                cases.push(Value::Object(o.clone()));
                if let Some(k) = o.keys().find(|k| *k != "type").cloned() {
                    let mut nulled = o.clone();
                    nulled.insert(k.clone(), Value::Null);
                    cases.push(Value::Object(nulled));
                    o.insert(k, json!(-1));
                    cases.push(Value::Object(o));
                }
            }
        }
        let mut accepted = 0;
        for v in &cases {
            // serde's derive ignores deny_unknown_fields on a unit variant, so it let `{"type": "none",
            // "keys": 3}` through; the flat reader refuses a stray field, as scenario parsing promises.
            if v["type"] == "none" && v.as_object().is_some_and(|o| o.len() > 1) {
                assert!(serde_json::from_value::<KeySpec>(v.clone()).is_err(), "{v}");
                continue;
            }
            let flat = serde_json::from_value::<KeySpec>(v.clone()).ok().map(|k| serde_json::to_value(k).unwrap());
            let derived = serde_json::from_value::<Derived>(v.clone()).ok().map(|k| serde_json::to_value(k).unwrap());
            assert_eq!(flat, derived, "{v}");
            accepted += flat.is_some() as usize;
        }
        assert_eq!(accepted, 4, "one exact field set per key choice: {} cases", cases.len());
    }

    #[test]
    fn a_key_choice_missing_a_field_is_named() {
        let err = serde_json::from_value::<KeySpec>(json!({"type": "hotKey", "keys": 3})).unwrap_err().to_string();
        assert_eq!(err, "missing field `hotPercent`");
        let err = serde_json::from_value::<KeySpec>(json!({"type": "none", "keys": 3})).unwrap_err().to_string();
        assert_eq!(err, "unknown field `keys`, there are no fields");
    }
}
