//! The config panel's and scenario file's logic, pure Rust: the config rows of a running scenario
//! (profile defaults, the scenario's overrides, topic keys altered by command since), an edit turned
//! into an engine command (dynamic topic keys) or a rebuilt scenario (everything else), and the
//! scenario with the commands issued so far appended to its timeline (for save and rebuild).

use kafkascope::command::Command;
use kafkascope::config::{check_topic_alter, Kind, Overrides, Profile, Scope, DYNAMIC_TOPIC_KEYS, KEYS};
use kafkascope::scenario::{Scenario, TimedCommand};

/// What a config row configures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The brokers (`server.properties`).
    Broker,
    /// One topic, by name.
    Topic(String),
    /// A producer, by index in the scenario (0-based).
    Producer(usize),
    /// A consumer, by index in the scenario (0-based).
    Consumer(usize),
}

impl Target {
    /// The config scope of the target.
    pub fn scope(&self) -> Scope {
        match self {
            Target::Broker => Scope::Broker,
            Target::Topic(_) => Scope::Topic,
            Target::Producer(_) => Scope::Producer,
            Target::Consumer(_) => Scope::Consumer,
        }
    }

    /// A short label: `brokers`, `topic orders`, `producer 1`, `consumer 2`.
    pub fn label(&self) -> String {
        match self {
            Target::Broker => "brokers".to_owned(),
            Target::Topic(t) => format!("topic {t}"),
            Target::Producer(i) => format!("producer {}", i + 1),
            Target::Consumer(i) => format!("consumer {}", i + 1),
        }
    }
}

/// One key of one target as the panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigRow {
    /// What it configures.
    pub target: Target,
    /// Kafka's key.
    pub key: &'static str,
    /// The value in force (override or default).
    pub value: String,
    /// The profile's default.
    pub default: String,
    /// Whether the scenario or a command set it.
    pub overridden: bool,
    /// Whether a running cluster takes a change (else the run is rebuilt).
    pub dynamic: bool,
    /// The allowed values for a choice or boolean key (empty: free text or number).
    pub choices: Vec<&'static str>,
}

/// An edit asked for in the panel: target, key, new value (as typed).
pub type ConfigEdit = (Target, String, String);

/// What an edit becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum EditPlan {
    /// A command for the running cluster (IncrementalAlterConfigs).
    Command(Command),
    /// The scenario rebuilt with the new value (the run restarts, commands so far replayed).
    Rebuild(Box<Scenario>),
}

fn overrides<'a>(s: &'a Scenario, t: &Target) -> Option<&'a Overrides> {
    match t {
        Target::Broker => Some(&s.cluster.config.0),
        Target::Topic(name) => s.topics.iter().find(|x| &x.name == name).map(|x| &x.config.0),
        Target::Producer(i) => s.producers.get(*i).map(|p| &p.config.0),
        Target::Consumer(i) => s.consumers.get(*i).map(|c| &c.config.0),
    }
}

fn overrides_mut<'a>(s: &'a mut Scenario, t: &Target) -> Option<&'a mut Overrides> {
    match t {
        Target::Broker => Some(&mut s.cluster.config.0),
        Target::Topic(name) => s.topics.iter_mut().find(|x| &x.name == name).map(|x| &mut x.config.0),
        Target::Producer(i) => s.producers.get_mut(*i).map(|p| &mut p.config.0),
        Target::Consumer(i) => s.consumers.get_mut(*i).map(|c| &mut c.config.0),
    }
}

/// Every target of a scenario, brokers first.
pub fn targets(s: &Scenario) -> Vec<Target> {
    let mut out = vec![Target::Broker];
    out.extend(s.topics.iter().map(|t| Target::Topic(t.name.to_string())));
    out.extend((0..s.producers.len()).map(Target::Producer));
    out.extend((0..s.consumers.len()).map(Target::Consumer));
    out
}

/// The broker key a topic key falls back to (`segment.bytes` → `log.segment.bytes`, ...).
pub fn broker_key(topic_key: &str) -> Option<&'static str> {
    Some(match topic_key {
        "min.insync.replicas" => "min.insync.replicas",
        "unclean.leader.election.enable" => "unclean.leader.election.enable",
        "segment.bytes" => "log.segment.bytes",
        "retention.ms" => "log.retention.ms",
        "retention.bytes" => "log.retention.bytes",
        "flush.messages" => "log.flush.interval.messages",
        "flush.ms" => "log.flush.interval.ms",
        _ => return None,
    })
}

/// The rows of one target: every key of its scope (a topic's unset keys showing the brokers' value),
/// with topic keys altered by `commands` applied.
pub fn rows(s: &Scenario, target: &Target, commands: &[(u64, Command)]) -> Vec<ConfigRow> {
    let none = Overrides::default();
    let set = overrides(s, target).unwrap_or(&none);
    KEYS.iter()
        .filter(|k| k.scope == target.scope())
        .map(|k| {
            let default = match s.profile {
                Profile::Kafka36 => k.default_36,
                Profile::Kafka40 => k.default_40,
            };
            let altered = commands.iter().rev().find_map(|(_, c)| match (c, target) {
                (Command::AlterTopicConfig { topic, key, value }, Target::Topic(t)) if topic == t && key == k.name => check_topic_alter(key, value).ok(),
                _ => None,
            });
            let inherited = || match target {
                Target::Topic(_) => broker_key(k.name).and_then(|b| s.cluster.config.0 .0.get(b).cloned()),
                _ => None,
            };
            let own = altered.or_else(|| set.0.get(k.name).cloned()).or_else(inherited);
            let choices = match k.kind {
                Kind::Bool => vec!["true", "false"],
                Kind::Choice(options) => options.to_vec(),
                Kind::Int(..) => Vec::new(),
            };
            ConfigRow {
                target: target.clone(),
                key: k.name,
                overridden: own.is_some(),
                value: own.unwrap_or_else(|| default.to_owned()),
                default: default.to_owned(),
                dynamic: matches!(target, Target::Topic(_)) && DYNAMIC_TOPIC_KEYS.contains(&k.name),
                choices,
            }
        })
        .collect()
}

/// Turns an edit into a command (dynamic topic key) or a rebuilt scenario, validated by the
/// engine's own rules; the error names the key.
pub fn plan(s: &Scenario, edit: &ConfigEdit, commands: &[(u64, Command)], now_us: u64) -> Result<EditPlan, String> {
    let (target, key, value) = edit;
    if let Target::Topic(topic) = target {
        if DYNAMIC_TOPIC_KEYS.contains(&key.as_str()) {
            let cmd = Command::AlterTopicConfig { topic: topic.clone(), key: key.clone(), value: value.trim().to_owned() };
            s.check_command(&cmd)?;
            return Ok(EditPlan::Command(cmd));
        }
    }
    let mut next = with_commands(s, commands, now_us);
    let o = overrides_mut(&mut next, target).ok_or_else(|| format!("{} is not in the scenario", target.label()))?;
    o.set(target.scope(), key, &serde_json::Value::String(value.trim().to_owned()))?;
    next.validate().map_err(|e| e.to_string())?;
    Ok(EditPlan::Rebuild(Box::new(next)))
}

/// The file "save" writes: the scenario with the commands issued so far, as pretty JSON.
pub fn saved(s: &Scenario, commands: &[(u64, Command)], now_us: u64) -> Result<String, String> {
    serde_json::to_string_pretty(&with_commands(s, commands, now_us)).map_err(|e| e.to_string())
}

/// "Try it yourself": the run so far (scripted commands up to now and those issued), without the rest
/// of the lesson's script and without its narration, as scenario JSON.
pub fn free_play(s: &Scenario, commands: &[(u64, Command)], now_us: u64) -> Result<String, String> {
    let mut out = with_commands(s, commands, now_us);
    out.timeline.retain(|t| t.at_ms.saturating_mul(1000) <= now_us);
    out.narration.clear();
    serde_json::to_string(&out).map_err(|e| e.to_string())
}

/// The scenario with the commands issued up to `now_us` added to its timeline (at whole ms).
pub fn with_commands(s: &Scenario, commands: &[(u64, Command)], now_us: u64) -> Scenario {
    let mut out = s.clone();
    out.timeline.extend(commands.iter().filter(|(at, _)| *at <= now_us).map(|(at, c)| TimedCommand { at_ms: at / 1000, command: c.clone() }));
    kafkascope::order::sort_by_key(&mut out.timeline, |t| t.at_ms);
    out
}
