//! The run's history: the command log, a bounded set of snapshots spaced logarithmically back in
//! time, and the timeline's event ticks. Seeking restores the nearest earlier snapshot (engine and
//! view state together) and re-simulates forward, re-applying logged commands at their times;
//! determinism guarantees the same past. A new command issued in the past forks a new future.

use crate::notable::{is_internal, notable, topic_of};
use crate::view_model::ViewState;
use kafkascope::command::Command;
use kafkascope::event::{Event, EventKind};
use kafkascope::sim::Sim;
use std::collections::VecDeque;

/// Most snapshots kept; older ones are thinned so spacing grows with age.
pub const MAX_SNAPSHOTS: usize = 24;
/// Most ticks kept on the timeline; beyond that every other tick is dropped.
pub const MAX_TICKS: usize = 1_500;
/// Shortest virtual gap (µs) between two automatic snapshots.
pub const SNAPSHOT_EVERY_US: u64 = 1_000_000;

/// What a timeline tick marks (each kind has its colour and a letter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TickKind {
    /// A partition leader (or the controller) was elected.
    Election,
    /// An ISR grew or shrank.
    Isr,
    /// A replica truncated its log.
    Truncation,
    /// A consumer group rebalanced.
    Rebalance,
    /// A segment rolled.
    Roll,
    /// A command (fault, produce by hand, …) or a broker stopping.
    Fault,
}

impl TickKind {
    /// Every kind, in legend order.
    pub const ALL: [TickKind; 6] = [TickKind::Election, TickKind::Isr, TickKind::Truncation, TickKind::Rebalance, TickKind::Roll, TickKind::Fault];

    /// The kind of tick an event makes, if any (internal topics make none).
    pub fn of(kind: &EventKind) -> Option<TickKind> {
        if topic_of(kind).is_some_and(is_internal) {
            return None;
        }
        Some(match kind {
            EventKind::LeaderElected { .. } | EventKind::ControllerElected { .. } => TickKind::Election,
            EventKind::IsrChanged { .. } | EventKind::ElrChanged { .. } => TickKind::Isr,
            EventKind::LogTruncated { .. } => TickKind::Truncation,
            EventKind::RebalanceStarted { .. } | EventKind::RebalanceCompleted { .. } => TickKind::Rebalance,
            EventKind::SegmentRolled { .. } => TickKind::Roll,
            EventKind::CommandApplied { .. } | EventKind::BrokerStopped { .. } => TickKind::Fault,
            _ => return None,
        })
    }
}

/// One mark on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tick {
    /// Virtual time (µs).
    pub at_us: u64,
    /// What happened.
    pub kind: TickKind,
    /// A one-line story for the event log.
    pub line: String,
}

/// A restorable point: the engine and the view state at the same instant.
#[derive(Clone)]
struct Snapshot {
    at_us: u64,
    /// Commands of the log already applied at this point.
    applied: usize,
    /// Events emitted before this point.
    seen: u64,
    sim: Sim,
    view: ViewState,
}

/// The command log, the snapshots and the ticks of one run.
#[derive(Clone, Default)]
pub struct History {
    commands: Vec<(u64, Command)>,
    snapshots: Vec<Snapshot>,
    /// Commands of the log applied so far (the rest lie in the future being replayed).
    cursor: usize,
    /// The furthest virtual time this future has reached.
    horizon_us: u64,
    /// Events emitted so far along this future, and the most ever reached in it.
    seen: u64,
    horizon_seen: u64,
    ticks: VecDeque<Tick>,
}

impl History {
    /// A fresh history whose first snapshot is the simulation as built.
    pub fn new(sim: &Sim, view: &ViewState) -> History {
        let first = Snapshot { at_us: sim.now_us(), applied: 0, seen: 0, sim: sim.snapshot(), view: view.clone() };
        History { snapshots: vec![first], horizon_us: sim.now_us(), ..History::default() }
    }

    /// A history that starts at a restored `sim` and keeps the `commands` that led to it, so the
    /// command log it hands on (to the store, to saved scenarios) still covers the whole run.
    pub fn resumed(sim: &Sim, view: &ViewState, commands: Vec<(u64, Command)>) -> History {
        let mut h = History::new(sim, view);
        h.snapshots[0].applied = commands.len();
        h.cursor = commands.len();
        h.commands = commands;
        h
    }

    /// The furthest virtual time reached in this future.
    pub fn horizon_us(&self) -> u64 {
        self.horizon_us
    }

    /// The timeline's ticks, oldest first.
    pub fn ticks(&self) -> &VecDeque<Tick> {
        &self.ticks
    }

    /// The logged commands with their virtual times.
    pub fn commands(&self) -> &[(u64, Command)] {
        &self.commands
    }

    /// Virtual times of the snapshots kept, oldest first.
    pub fn snapshot_times(&self) -> Vec<u64> {
        self.snapshots.iter().map(|s| s.at_us).collect()
    }

    /// Advances `sim` to `until`, re-applying logged commands that fall due on the way, recording
    /// ticks past the horizon. Returns the events in order.
    pub fn run(&mut self, sim: &mut Sim, until: u64) -> Vec<Event> {
        let mut events = Vec::new();
        while let Some((at, cmd)) = self.commands.get(self.cursor).filter(|(at, _)| *at <= until).cloned() {
            events.extend(sim.advance_to(at));
            // A logged command was accepted once; the same past accepts it again.
            let _ = sim.apply(cmd);
            self.cursor += 1;
        }
        events.extend(sim.advance_to(until));
        for ev in &events {
            self.seen += 1;
            if self.seen > self.horizon_seen {
                self.horizon_seen = self.seen;
                self.record(ev);
            }
        }
        self.horizon_us = self.horizon_us.max(sim.now_us());
        events
    }

    fn record(&mut self, ev: &Event) {
        let Some(kind) = TickKind::of(&ev.kind) else { return };
        if self.ticks.back().is_some_and(|t| t.kind == kind && t.at_us == ev.at_us) {
            return;
        }
        let line = notable(&ev.kind).unwrap_or_else(|| match &ev.kind {
            EventKind::SegmentRolled { broker, topic, partition, base_offset } => {
                format!("broker {broker} rolled a segment of {topic}-{partition} at offset {base_offset}")
            }
            other => format!("{other:?}"),
        });
        self.ticks.push_back(Tick { at_us: ev.at_us, kind, line });
        if self.ticks.len() > MAX_TICKS {
            let mut i = 0;
            self.ticks.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
    }

    /// Whether the simulation is behind the horizon (replaying a recorded future).
    pub fn replaying(&self, sim: &Sim) -> bool {
        sim.now_us() < self.horizon_us || self.cursor < self.commands.len()
    }

    /// Logs and applies a command now. In the past this forks: the old future (its commands,
    /// snapshots and ticks) is forgotten first.
    pub fn apply(&mut self, sim: &mut Sim, cmd: Command) -> Result<(), String> {
        let now = sim.now_us();
        if self.replaying(sim) {
            self.commands.truncate(self.cursor);
            let applied = self.cursor;
            self.snapshots.retain(|s| s.at_us <= now && s.applied <= applied);
            self.ticks.retain(|t| t.at_us <= now);
            self.horizon_us = now;
            self.horizon_seen = self.seen;
        }
        sim.apply(cmd.clone())?;
        self.commands.push((now, cmd));
        self.cursor = self.commands.len();
        Ok(())
    }

    /// Keeps a snapshot of `sim` and `view` if the last one is at least [`SNAPSHOT_EVERY_US`] older
    /// (or `force`), thinning the set so it stays bounded and logarithmically spaced.
    pub fn maybe_snapshot(&mut self, sim: &Sim, view: &ViewState, force: bool) {
        let now = sim.now_us();
        let prev = self.snapshots.iter().rev().find(|s| s.at_us <= now).map(|s| s.at_us).unwrap_or(0);
        if !force && now < prev + SNAPSHOT_EVERY_US {
            return;
        }
        if self.snapshots.iter().any(|s| s.at_us == now && s.applied == self.cursor) {
            return;
        }
        let snap = Snapshot { at_us: now, applied: self.cursor, seen: self.seen, sim: sim.snapshot(), view: view.clone() };
        let at = self.snapshots.partition_point(|s| (s.at_us, s.applied) <= (now, self.cursor));
        self.snapshots.insert(at, snap);
        self.thin();
    }

    /// Drops the snapshot whose neighbours are closest relative to its age until few enough remain.
    fn thin(&mut self) {
        let head = self.horizon_us.max(self.snapshots.last().map_or(0, |s| s.at_us));
        while self.snapshots.len() > MAX_SNAPSHOTS {
            let n = self.snapshots.len();
            let worst = (1..n - 1)
                .min_by(|&a, &b| {
                    let score = |j: usize| {
                        let gap = (self.snapshots[j + 1].at_us - self.snapshots[j - 1].at_us) as f64;
                        gap / ((head - self.snapshots[j].at_us) as f64 + 1.0)
                    };
                    score(a).total_cmp(&score(b))
                })
                .unwrap_or(1);
            self.snapshots.remove(worst);
        }
    }

    /// Rebuilds `sim` at virtual time `to` (clamped to the horizon) from the nearest earlier
    /// snapshot. Returns that snapshot's view state and the events since it, for the caller to fold.
    pub fn seek(&mut self, sim: &mut Sim, to: u64) -> (ViewState, Vec<Event>) {
        let to = to.min(self.horizon_us);
        let i = self.snapshots.iter().rposition(|s| s.at_us <= to).unwrap_or(0);
        let Some(snap) = self.snapshots.get(i) else { return (ViewState::default(), Vec::new()) };
        *sim = snap.sim.clone();
        self.cursor = snap.applied;
        self.seen = snap.seen;
        let view = snap.view.clone();
        let events = self.run(sim, to);
        (view, events)
    }
}
