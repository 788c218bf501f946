//! Log recovery for a stored checkpoint, pure (no IndexedDB): check each stored segment's batches
//! the way Kafka's `LogLoader` does (cut at the first bad batch), and rebuild the [`Sim`] from the
//! snapshot, or, when the snapshot is unreadable, by replaying the command log from the start.

use kafkascope::command::Command;
use kafkascope::log::batch::batches;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use serde::{Deserialize, Serialize};

/// The command log as stored: every command the page applied, and the virtual time checkpointed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandLog {
    /// Virtual time (µs) of the checkpoint.
    pub at_us: u64,
    /// `(virtual µs, command)` in the order applied.
    pub commands: Vec<(u64, Command)>,
}

/// What checking one stored `.log` entry found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentCheck {
    /// The entry's key, `broker-N/topic-p/<base>.log`.
    pub key: String,
    /// Valid batches kept.
    pub batches: usize,
    /// Bytes of those batches.
    pub kept_bytes: usize,
    /// Bytes cut after the first bad batch (0 when the entry is clean).
    pub cut_bytes: usize,
    /// Why the tail was cut, if it was.
    pub error: Option<String>,
}

/// A rebuilt run and what recovery had to do.
#[derive(Clone, Debug)]
pub struct Restored {
    /// The simulation at the checkpoint's virtual time.
    pub sim: Sim,
    /// The command log, to keep appending to.
    pub commands: Vec<(u64, Command)>,
    /// True when the snapshot was unusable and the run was replayed from the scenario start.
    pub from_replay: bool,
    /// One entry per stored segment.
    pub segments: Vec<SegmentCheck>,
    /// Human-readable findings (corruption, fallbacks), empty when all was clean.
    pub report: Vec<String>,
}

/// Checks one stored segment: keeps every batch up to the first truncated or corrupt one.
pub fn check_segment(key: &str, bytes: &[u8]) -> (SegmentCheck, Vec<u8>) {
    let mut kept = 0usize;
    let mut count = 0usize;
    let mut error = None;
    for item in batches(bytes) {
        match item {
            Ok((pos, _h, b)) => {
                count += 1;
                kept = pos + b.len();
            }
            Err(e) => {
                error = Some(format!("{e:?}"));
                break;
            }
        }
    }
    let check = SegmentCheck { key: key.to_owned(), batches: count, kept_bytes: kept, cut_bytes: bytes.len() - kept, error };
    (check, bytes[..kept].to_vec())
}

/// Replays `log` from the scenario's start; deterministic, so it reaches the checkpointed state.
pub fn replay(scenario: &Scenario, log: &CommandLog) -> Result<Sim, String> {
    let mut sim = Sim::new(scenario).map_err(|e| e.to_string())?;
    for (at, cmd) in &log.commands {
        sim.advance_to(*at);
        sim.apply(cmd.clone())?;
    }
    sim.advance_to(log.at_us);
    Ok(sim)
}

/// Rebuilds a run from its stored entries; `Err` only when neither the snapshot nor the command log
/// can be used (the caller then starts fresh).
pub fn restore(scenario: &Scenario, snapshot: Option<&str>, commands: Option<&str>, segments: &[(String, Vec<u8>)]) -> Result<Restored, String> {
    let mut report = Vec::new();
    let mut checks = Vec::new();
    for (key, bytes) in segments {
        let (check, _) = check_segment(key, bytes);
        if let Some(err) = &check.error {
            report.push(format!(
                "{key}: bad batch at byte {} ({err}); kept {} batches ({} bytes), cut {} bytes",
                check.kept_bytes, check.batches, check.kept_bytes, check.cut_bytes
            ));
        }
        checks.push(check);
    }
    let log = match commands.map(serde_json::from_str::<CommandLog>) {
        Some(Ok(log)) => Some(log),
        Some(Err(e)) => {
            report.push(format!("command log unreadable ({e})"));
            None
        }
        None => None,
    };
    let parsed = match snapshot.map(serde_json::from_str::<Sim>) {
        Some(Ok(sim)) if sim.scenario().name == scenario.name && sim.scenario().seed == scenario.seed => Some(sim),
        Some(Ok(_)) => {
            report.push("snapshot belongs to another scenario".to_owned());
            None
        }
        Some(Err(e)) => {
            report.push(format!("snapshot corrupt ({e}); replaying the command log"));
            None
        }
        None => {
            report.push("snapshot missing; replaying the command log".to_owned());
            None
        }
    };
    let (sim, from_replay) = match (parsed, &log) {
        (Some(sim), _) => (sim, false),
        (None, Some(log)) => (replay(scenario, log)?, true),
        (None, None) => return Err(format!("nothing usable in the saved run: {}", report.join("; "))),
    };
    let commands = log.map(|l| l.commands).unwrap_or_default();
    Ok(Restored { sim, commands, from_replay, segments: checks, report })
}
