//! Log recovery for a stored checkpoint, pure (no IndexedDB). The run is rebuilt by replaying its
//! command log from the scenario's start — the engine is deterministic, so the same seed and commands
//! reach the same state — and each stored segment is checked the way Kafka's `LogLoader` does (cut at
//! the first bad batch), then compared with the replayed replica's segment.
//! No whole-state snapshot is stored: its derived (de)serialisation was most of the wasm bundle.

use kafkascope::command::Command;
use kafkascope::log::batch::batches;
use kafkascope::log::Records;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use serde::{Deserialize, Serialize};
use kafkascope::vec_map::VecMap;

/// Virtual time one [`Replay::step`] covers at most (its events are dropped at once, so memory stays flat).
pub const REPLAY_STEP_US: u64 = 100_000;

/// The command log as stored: the scenario run, every command the page applied, and the virtual time checkpointed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandLog {
    /// Virtual time (µs) of the checkpoint.
    pub at_us: u64,
    /// The scenario as run (it may differ from the page's after a configuration edit); absent in old entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    /// `(virtual µs, command)` in the order applied, from the scenario's start.
    pub commands: Vec<(u64, Command)>,
}

/// What checking one stored segment (reassembled from its chunks) found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentCheck {
    /// The segment, `broker-N/topic-p/<base>.log`.
    pub key: String,
    /// Valid batches kept.
    pub batches: usize,
    /// Bytes of those batches.
    pub kept_bytes: usize,
    /// Bytes cut after the first bad batch (0 when the entry is clean).
    pub cut_bytes: usize,
    /// Why the tail was cut, if it was.
    pub error: Option<String>,
    /// How the kept bytes differ from the replayed replica's segment, if they do.
    pub mismatch: Option<String>,
}

/// A rebuilt run and what recovery had to do.
#[derive(Clone, Debug)]
pub struct Restored {
    /// The simulation at the checkpoint's virtual time.
    pub sim: Sim,
    /// The command log, to keep appending to.
    pub commands: Vec<(u64, Command)>,
    /// One entry per stored segment.
    pub segments: Vec<SegmentCheck>,
    /// Human-readable findings (corruption, mismatches, old entries), empty when all was clean.
    pub report: Vec<String>,
}

/// Every replica's `.log` files, keyed `broker-N/topic-p/<base>.log`.
pub fn segment_entries(sim: &Sim) -> Vec<(String, Vec<u8>)> {
    segment_slices(sim).into_iter().map(|(k, b)| (k, b.to_vec())).collect()
}

/// [`segment_entries`] borrowed from the logs: a checkpoint copies only the segments that changed.
pub fn segment_slices(sim: &Sim) -> Vec<(String, &Records)> {
    let mut out = Vec::new();
    for broker in sim.brokers() {
        for log in broker.disk.logs.values() {
            for (base, bytes) in log.segment_logs() {
                out.push((format!("broker-{}/{}/{base:020}.log", broker.id(), log.name()), bytes));
            }
        }
    }
    out
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
    let cut_bytes = bytes.len() - kept;
    let check = SegmentCheck { key: key.to_owned(), batches: count, kept_bytes: kept, cut_bytes, error, mismatch: None };
    (check, bytes[..kept].to_vec())
}

/// A replay of a command log in steps, so the page can yield between them.
pub struct Replay {
    sim: Sim,
    log: CommandLog,
    next: usize,
}

impl Replay {
    /// Builds the scenario's simulation at time zero, ready to replay `log` (commands logged after
    /// its checkpoint time cannot have been applied at it and are dropped).
    pub fn start(scenario: &Scenario, mut log: CommandLog) -> Result<Replay, String> {
        let applied = log.commands.partition_point(|(at, _)| *at <= log.at_us);
        log.commands.truncate(applied);
        let sim = Sim::new(scenario).map_err(|e| e.to_string())?;
        Ok(Replay { sim, log, next: 0 })
    }

    /// Virtual time replayed so far, and the checkpoint's.
    pub fn progress_us(&self) -> (u64, u64) {
        (self.sim.now_us(), self.log.at_us)
    }

    /// Replays at most `span_us` more virtual time, applying the logged commands that fall due the way
    /// the page applied them (after everything due at their time). True once the checkpoint is reached.
    pub fn step(&mut self, span_us: u64) -> Result<bool, String> {
        let until = self.sim.now_us().saturating_add(span_us).min(self.log.at_us);
        while let Some((at, cmd)) = self.log.commands.get(self.next).filter(|(at, _)| *at <= until) {
            self.sim.advance_to(*at);
            self.sim.apply(cmd.clone()).map_err(|e| format!("logged command at {at} µs refused on replay: {e}"))?;
            self.next += 1;
        }
        self.sim.advance_to(until);
        Ok(self.sim.now_us() >= self.log.at_us)
    }

    /// The replayed simulation and its command log.
    pub fn finish(self) -> (Sim, Vec<(u64, Command)>) {
        (self.sim, self.log.commands)
    }
}

/// Reads the stored command log and picks the scenario to replay: the logged one if it is this run's
/// (same name and seed), else the page's. `Err` when there is nothing to replay.
pub fn plan(page: &Scenario, commands: Option<&str>) -> Result<(Scenario, CommandLog), String> {
    let text = commands.ok_or("the saved run has no command log")?;
    let mut log = serde_json::from_str::<CommandLog>(text).map_err(|e| format!("command log unreadable ({e})"))?;
    let scenario = match log.scenario.take() {
        Some(s) if s.name == page.name && s.seed == page.seed => s,
        Some(_) => return Err("the command log belongs to another scenario".to_owned()),
        None => page.clone(),
    };
    Ok((scenario, log))
}

/// Checks every stored segment, compares what is kept with the replayed `sim`'s segments, and
/// returns the findings as report lines (one per bad or differing entry, one for missing ones).
pub fn check_against(sim: &Sim, stored: &[(String, Vec<u8>)]) -> (Vec<SegmentCheck>, Vec<String>) {
    let replayed: VecMap<String, Vec<u8>> = segment_entries(sim).into_iter().collect();
    let (mut checks, mut report) = (Vec::new(), Vec::new());
    for (key, bytes) in stored {
        let (mut check, kept) = check_segment(key, bytes);
        if let Some(err) = &check.error {
            report.push(format!(
                "{key}: bad batch at byte {} ({err}); kept {} batches ({} bytes), cut {} bytes",
                check.kept_bytes, check.batches, check.kept_bytes, check.cut_bytes
            ));
        }
        check.mismatch = match replayed.get(key) {
            None => Some("not in the replayed run".to_owned()),
            Some(r) => match r.iter().zip(&kept).position(|(a, b)| a != b) {
                Some(at) => Some(format!("differs from the replay at byte {at}")),
                // A cut entry only has to be a prefix of the replayed segment.
                None if kept.len() > r.len() || (check.error.is_none() && kept.len() < r.len()) => {
                    Some(format!("{} bytes kept, {} replayed", kept.len(), r.len()))
                }
                None => None,
            },
        };
        if let Some(m) = &check.mismatch {
            report.push(format!("{key}: {m}; the replayed log is kept"));
        }
        checks.push(check);
    }
    let missing = replayed.keys().filter(|k| !stored.iter().any(|(s, _)| s == *k)).count();
    if missing > 0 {
        report.push(format!("{missing} replayed segments were not stored; they are written at the next checkpoint"));
    }
    (checks, report)
}

/// Rebuilds a run from its stored entries in one go (tests and tools; the page steps it in
/// `Store::load`). `Err` only when the command log cannot be used (the caller then starts fresh).
pub fn restore(page: &Scenario, commands: Option<&str>, segments: &[(String, Vec<u8>)]) -> Result<Restored, String> {
    let (scenario, log) = plan(page, commands)?;
    let mut r = Replay::start(&scenario, log)?;
    while !r.step(REPLAY_STEP_US)? {}
    let (sim, commands) = r.finish();
    let (segments, report) = check_against(&sim, segments);
    Ok(Restored { sim, commands, segments, report })
}

#[cfg(test)]
#[path = "recover_tests.rs"]
mod tests;
