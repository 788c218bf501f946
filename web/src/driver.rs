//! The driver: the one owner of the [`Sim`] and of the run's [`History`]. Each animation frame
//! advances virtual time by wall time × speed and folds ONE batch of events into the view state
//! ([`Action::Frame`]); the page gets the result as [`Action::Replace`]. Seeking, stepping back and
//! forking go through the history; read-only queries for the inspector go through [`crate::inspect`].

pub use crate::hooks::FrameLoop;
use crate::history::{History, Tick};
use crate::store::{RunKey, Store};
use crate::view_model::{Action, Ledger, ViewState};
use kafkascope::command::Command;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use std::rc::Rc;
use yew::Reducible;

thread_local! {
    /// The page's `Performance` object, looked up once: the frame loop reads the clock about twenty
    /// times a frame, and each `window().performance()` lookup crossed to JS twice more (about 1 % of
    /// the page's samples in the frames benchmark).
    static PERFORMANCE: Option<web_sys::Performance> = web_sys::window().and_then(|w| w.performance());
}

/// Milliseconds from the page's high-resolution clock (`performance.now()`), 0 where there is none.
pub fn performance_now() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map(|p| p.now()).unwrap_or(0.0))
}

/// The default scenario, shipped inside the page.
pub const DEFAULT_SCENARIO: &str = include_str!("../../static/scenarios/default.json");

/// Longest wall-clock gap (ms) one frame may cover, so a hidden tab does not jump minutes ahead.
const MAX_FRAME_MS: f64 = 50.0;
/// Wall time (ms) the engine may take per frame before virtual time is allowed to fall behind.
const FRAME_BUDGET_MS: f64 = 8.0;
/// Shortest wall time (ms) between two engine summaries while playing. The summary's audit walks
/// every log (3-5 ms in the frames benchmark after 10 s, growing with the logs), so each one makes a
/// long frame; at 4 a second they alone were more than 5 % of frames. The ledger line and its chart
/// are fine at 2 Hz; seeking, stepping and commands still take a fresh summary at once.
const SUMMARY_EVERY_MS: f64 = 500.0;
/// Script time (ms) after which a frame that took a chore is not redrawn (see [`Driver::tick`]):
/// render, layout and paint take 5-10 ms more, and the frame has 16.7.
const HOLD_AFTER_MS: f64 = 8.0;
/// Engine slice, in wall ms at the current speed, between budget checks.
const SLICE_WALL_MS: f64 = 2.0;
/// Shortest wall time (ms) a message is drawn travelling, so sub-millisecond hops stay visible.
const FLIGHT_MIN_WALL_MS: f64 = 250.0;
/// Virtual step (µs) used by the step button while searching for the next event.
const STEP_US: u64 = 1_000;
/// How far (µs) one press of step may look for an event.
const STEP_LIMIT_US: u64 = 1_000_000;

/// Shortest wall time (ms) between two automatic snapshots.
const SNAPSHOT_WALL_MS: f64 = 250.0;

/// Owns the simulation, its history and the play state.
pub struct Driver {
    /// The scenario's JSON, re-parsed when the seed changes.
    text: String,
    seed: u64,
    sim: Sim,
    history: History,
    /// The view state folded from every event so far (a snapshot of it sits beside each engine one).
    view: Rc<ViewState>,
    /// The timeline's ticks as last handed out, rebuilt only when they change.
    ticks: Rc<Vec<Tick>>,
    /// Whether virtual time follows wall time.
    pub playing: bool,
    /// Virtual seconds per wall second.
    pub speed: f64,
    last_wall_ms: Option<f64>,
    /// Fractional microseconds carried between frames so slow speeds still advance.
    carry_us: f64,
    /// The scenario's `profile` field, for the top bar.
    pub profile: String,
    /// The last engine summary (its audit walks every log, so it is not taken every frame).
    last_summary: (Ledger, String),
    /// Wall time (ms) after which the next frame takes a fresh summary.
    next_summary_ms: f64,
    /// Wall time (ms) of the last automatic snapshot.
    last_snapshot_wall_ms: f64,
    /// The IndexedDB checkpoint store, once attached.
    store: Option<Store>,
    /// Whether the last frame took a chore and was not drawn (see [`Driver::tick`]).
    held: bool,
}

impl Driver {
    /// Builds a driver from scenario JSON, optionally overriding its seed; time 0 is folded in.
    pub fn from_json(text: &str, seed: Option<u64>) -> Result<Driver, String> {
        let mut scenario = Scenario::from_json(text).map_err(|e| e.to_string())?;
        if let Some(s) = seed {
            scenario.seed = s;
        }
        let sim = Sim::new(&scenario).map_err(|e| e.to_string())?;
        let profile = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("profile").and_then(|p| p.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "kafka-3.6".to_owned());
        let history = History::new(&sim, &ViewState::default());
        let mut d = Driver {
            text: text.to_owned(),
            seed: scenario.seed,
            sim,
            history,
            view: Rc::new(ViewState::default()),
            ticks: Rc::new(Vec::new()),
            playing: true,
            speed: 1.0,
            last_wall_ms: None,
            carry_us: 0.0,
            profile,
            last_summary: (Ledger::default(), String::new()),
            next_summary_ms: 0.0,
            last_snapshot_wall_ms: 0.0,
            store: None,
            held: false,
        };
        d.advance(0);
        Ok(d)
    }

    /// The seed of the running simulation.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Rebuilds the simulation from the same scenario with a new seed (virtual time restarts at 0).
    pub fn reseed(&mut self, seed: u64) -> Result<Action, String> {
        let mut fresh = Driver::from_json(&self.text, Some(seed))?;
        fresh.playing = self.playing;
        fresh.speed = self.speed;
        *self = fresh;
        Ok(Action::Replace(self.view.clone()))
    }

    /// Virtual time now, in microseconds.
    pub fn now_us(&self) -> u64 {
        self.sim.now_us()
    }

    /// Attaches the checkpoint store and starts restoring this scenario's saved run, if any.
    pub fn attach_store(&mut self, store: Store) {
        store.begin_restore(self.sim.scenario());
        self.store = Some(store);
    }

    /// The storage line for the page (empty without a store).
    pub fn storage_status(&self) -> String {
        self.store.as_ref().map(Store::status).unwrap_or_default()
    }

    /// The commands applied so far, `(virtual µs, command)` (the history's command log).
    pub fn commands(&self) -> &[(u64, Command)] {
        self.history.commands()
    }

    /// Per frame: installs a finished restore, then lets the store checkpoint (write-behind).
    /// Returns whether a checkpoint was taken.
    fn store_frame(&mut self, wall_ms: f64) -> bool {
        let Some(store) = self.store.clone() else { return false };
        let key = RunKey::of(self.sim.scenario());
        if let Some((k, restored)) = store.take_restored() {
            if k == key {
                // The restored run becomes the new start of history (its past is not redrawn).
                self.sim = restored.sim;
                self.history = History::resumed(&self.sim, &self.view, restored.commands);
            }
        }
        store.maybe_checkpoint(&key, &self.sim, self.history.commands(), wall_ms)
    }

    /// The view state after the last frame.
    pub fn view(&self) -> Rc<ViewState> {
        self.view.clone()
    }

    /// The simulation, read-only (for the inspector's queries).
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The furthest virtual time reached in this run's current future.
    pub fn horizon_us(&self) -> u64 {
        self.history.horizon_us()
    }

    /// Whether the run is behind its horizon: a new command here forks a new future.
    pub fn replaying(&self) -> bool {
        self.history.replaying(&self.sim)
    }

    /// The timeline's ticks (shared; rebuilt only when they changed).
    pub fn ticks(&mut self) -> Rc<Vec<Tick>> {
        let t = self.history.ticks();
        if t.len() != self.ticks.len() || t.back() != self.ticks.last() {
            self.ticks = Rc::new(t.iter().cloned().collect());
        }
        self.ticks.clone()
    }

    /// The run's history (command log, snapshots, ticks).
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Logs and applies a command at the current virtual time (forking if in the past); its effects
    /// are folded in at once.
    pub fn apply(&mut self, cmd: Command) -> Result<Action, String> {
        self.sim.scenario().check_command(&cmd)?;
        self.history.maybe_snapshot(&self.sim, &self.view, true);
        self.history.apply(&mut self.sim, cmd)?;
        let now = self.sim.now_us();
        Ok(self.advance(now))
    }

    /// Advances to `at_us` and folds the events with the engine's summary into the view.
    pub fn advance(&mut self, at_us: u64) -> Action {
        let events = self.history.run(&mut self.sim, at_us);
        self.refresh_summary();
        self.fold(at_us, events)
    }

    /// Rebuilds the run at virtual time `to_us` (clamped to the horizon) from the nearest snapshot.
    pub fn seek(&mut self, to_us: u64) -> Action {
        let (view, events) = self.history.seek(&mut self.sim, to_us);
        self.view = Rc::new(view);
        self.last_wall_ms = None;
        self.carry_us = 0.0;
        self.refresh_summary();
        let now = self.sim.now_us();
        self.fold(now, events)
    }

    /// Goes back one step (a millisecond of virtual time) and pauses.
    pub fn step_back(&mut self) -> Action {
        self.playing = false;
        let to = self.sim.now_us().saturating_sub(STEP_US);
        self.seek(to)
    }

    fn fold(&mut self, now_us: u64, events: Vec<kafkascope::event::Event>) -> Action {
        let now_us = self.sim.now_us().max(now_us);
        let frame = Action::Frame { now_us, events, summary: Some(self.last_summary.clone()), flight_min_us: self.flight_min_us() };
        self.view = self.view.clone().reduce(frame);
        Action::Replace(self.view.clone())
    }

    /// One animation frame at wall time `wall_ms`: `None` when paused. The engine runs in slices
    /// until virtual time reaches wall time × speed or `clock()` (ms) says the frame's budget is
    /// spent; then virtual time falls behind instead of frames piling up (no death spiral at 1000×).
    ///
    /// A frame does at most one of the periodic heavy chores (a store checkpoint, an engine summary
    /// with its audit, a history snapshot; each several ms); one that is due while another ran waits
    /// for the next frame. Stacked in one frame they made it miss the vsync, a few times a second.
    ///
    /// A frame that took a checkpoint or a summary (5-10 ms each) and has already spent
    /// `HOLD_AFTER_MS` (8 ms) folds its events into the view but returns `None`, so the page is not
    /// redrawn in it: the redraw (5-10 ms of render, layout and paint) would make it miss the vsync,
    /// and such frames, three a second, were alone enough to put the 95th-percentile frame at two
    /// vsyncs. The next frame draws what both advanced (and is never held itself). On a fast
    /// machine a chore frame that still has time for its redraw is drawn.
    pub fn tick(&mut self, wall_ms: f64, clock: &dyn Fn() -> f64) -> Option<Action> {
        let frame_start = clock();
        let last = self.last_wall_ms.replace(wall_ms);
        let mut chore_done = self.store_frame(wall_ms);
        if !self.playing {
            return None;
        }
        let dt_ms = (wall_ms - last.unwrap_or(wall_ms)).clamp(0.0, MAX_FRAME_MS);
        let want = dt_ms * 1_000.0 * self.speed + self.carry_us;
        let whole = want.floor();
        self.carry_us = want - whole;
        let target = self.sim.now_us().saturating_add(whole as u64);
        let slice = ((SLICE_WALL_MS * 1_000.0 * self.speed) as u64).max(1);
        let started = clock();
        let mut events = Vec::new();
        let mut t = self.sim.now_us();
        while t < target {
            t = t.saturating_add(slice).min(target);
            events.extend(self.history.run(&mut self.sim, t));
            if clock() - started > FRAME_BUDGET_MS {
                self.carry_us = 0.0;
                break;
            }
        }
        if !chore_done && clock() >= self.next_summary_ms {
            let begun = clock();
            self.refresh_summary();
            let end = clock();
            // At most a few times a second, and never more than ~5% of the wall time.
            self.next_summary_ms = end + (SUMMARY_EVERY_MS).max(20.0 * (end - begun));
            chore_done = true;
        } else {
            self.last_summary.1 = self.sim.trace_hash();
        }
        let action = self.fold(t, events);
        // Never two frames in a row, so a run of back-to-back checkpoints (a backlog) still draws.
        self.held = chore_done && !self.held && clock() - frame_start > HOLD_AFTER_MS;
        if self.held {
            return None;
        }
        if wall_ms - self.last_snapshot_wall_ms >= SNAPSHOT_WALL_MS {
            let before = self.history.snapshot_times().len();
            self.history.maybe_snapshot(&self.sim, &self.view, false);
            if self.history.snapshot_times().len() != before || before >= crate::history::MAX_SNAPSHOTS {
                self.last_snapshot_wall_ms = wall_ms;
            }
        }
        Some(action)
    }

    /// Advances until at least one event happens (or a virtual second passes), for the step button.
    pub fn step(&mut self) -> Action {
        let start = self.sim.now_us();
        let mut events = Vec::new();
        let mut t = start;
        while events.is_empty() && t < start + STEP_LIMIT_US {
            t += STEP_US;
            events = self.history.run(&mut self.sim, t);
        }
        self.refresh_summary();
        self.history.maybe_snapshot(&self.sim, &self.view, false);
        self.fold(t, events)
    }

    /// Virtual µs a message stays on screen at the current speed (step mode uses the 1× value).
    fn flight_min_us(&self) -> u64 {
        (FLIGHT_MIN_WALL_MS * 1_000.0 * self.speed) as u64
    }

    /// Takes the engine's counts and trace hash; the audit is read through its serde form so its
    /// field types may change. Only the audit goes through serde: the whole summary's JSON (with
    /// every broker's and client's IO counters) cost about as much as the audit itself.
    fn refresh_summary(&mut self) {
        let s = self.sim.summary();
        let v = serde_json::to_value(&s.ledger).unwrap_or_default();
        let audit = |k: &str| v.get(k).and_then(|x| x.as_u64());
        let ledger = Ledger {
            produced: s.produced,
            acked: s.acknowledged,
            consumed: s.consumed,
            events: s.events,
            acked_lost: audit("ackedLost"),
            duplicates: audit("duplicates"),
        };
        self.last_summary = (ledger, s.trace_hash);
    }
}
