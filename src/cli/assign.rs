//! `kafkascope assign --assignor NAME --topic T=N... --member ID[=T,T...]...`: one assignor run as JSON.

use crate::consumer::assignor::{AssignorKind, MemberSubscription};
use crate::vec_map::VecMap;
use std::io::Write;

/// Prints one JSON object mapping each member id to its sorted `[topic, partition]` pairs.
/// A member without `=TOPICS` subscribes to every topic given.
pub fn assign(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let mut kind = None;
    let mut topics: VecMap<String, u32> = VecMap::new();
    let mut raw_members: Vec<(String, Option<Vec<String>>)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let value = args.get(i + 1).ok_or_else(|| format!("{flag} needs a value"));
        match flag {
            "--assignor" => kind = Some(AssignorKind::from_name(value?)?),
            "--topic" => {
                let v = value?;
                let (name, n) = v.split_once('=').ok_or_else(|| format!("invalid --topic '{v}': expected NAME=PARTITIONS"))?;
                let n: u32 = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=i32::MAX as u32).contains(n))
                    .ok_or_else(|| format!("invalid --topic '{v}': partitions must be an integer in 1..=2147483647"))?;
                if name.is_empty() {
                    return Err(format!("invalid --topic '{v}': empty topic name"));
                }
                topics.insert(name.to_string(), n);
            }
            "--member" => {
                let v = value?;
                let (id, subs) = match v.split_once('=') {
                    Some((id, t)) => (id, Some(t.split(',').filter(|s| !s.is_empty()).map(String::from).collect())),
                    None => (v.as_str(), None),
                };
                if id.is_empty() {
                    return Err(format!("invalid --member '{v}': empty member id"));
                }
                if raw_members.iter().any(|(m, _)| m == id) {
                    return Err(format!("duplicate member '{id}'"));
                }
                raw_members.push((id.to_string(), subs));
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
        i += 2;
    }
    let kind = kind.ok_or("missing --assignor range|roundrobin|sticky|cooperative-sticky")?;
    if topics.is_empty() {
        return Err("no topics: give at least one --topic NAME=PARTITIONS".into());
    }
    if raw_members.is_empty() {
        return Err("no members: give at least one --member ID[=TOPIC,...]".into());
    }
    let mut members = Vec::new();
    for (id, subs) in raw_members {
        let subs = subs.unwrap_or_else(|| topics.keys().cloned().collect());
        if let Some(t) = subs.iter().find(|t| !topics.contains_key(*t)) {
            return Err(format!("member '{id}' subscribes to unknown topic '{t}'"));
        }
        let topic_refs: Vec<&str> = subs.iter().map(String::as_str).collect();
        members.push(MemberSubscription::new(&id, &topic_refs));
    }
    let mut result = kind.assign(&topics, &members);
    for list in result.values_mut() {
        crate::order::sort(list);
    }
    let json = serde_json::to_string(&result).map_err(|e| e.to_string())?;
    writeln!(out, "{json}").map_err(|e| e.to_string())
}
