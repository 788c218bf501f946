//! The driver: the one owner of the [`Sim`], and the requestAnimationFrame loop that advances it.
//!
//! Each frame advances virtual time by wall time × speed and hands the view ONE batch of events
//! ([`Action::Frame`]). The loop handle is RAII: dropping [`FrameLoop`] cancels the pending frame.

use crate::store::{RunKey, Store};
use crate::view_model::{Action, Ledger};
use kafkascope::command::Command;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Milliseconds from the page's high-resolution clock (`performance.now()`), 0 where there is none.
pub fn performance_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// The default scenario, shipped inside the page.
pub const DEFAULT_SCENARIO: &str = include_str!("../../static/scenarios/default.json");

/// Longest wall-clock gap (ms) one frame may cover, so a hidden tab does not jump minutes ahead.
const MAX_FRAME_MS: f64 = 50.0;
/// Wall time (ms) the engine may take per frame before virtual time is allowed to fall behind.
const FRAME_BUDGET_MS: f64 = 8.0;
/// Shortest wall time (ms) between two engine summaries while playing.
const SUMMARY_EVERY_MS: f64 = 250.0;
/// Engine slice, in wall ms at the current speed, between budget checks.
const SLICE_WALL_MS: f64 = 2.0;
/// Shortest wall time (ms) a message is drawn travelling, so sub-millisecond hops stay visible.
const FLIGHT_MIN_WALL_MS: f64 = 250.0;
/// Virtual step (µs) used by the step button while searching for the next event.
const STEP_US: u64 = 1_000;
/// How far (µs) one press of step may look for an event.
const STEP_LIMIT_US: u64 = 1_000_000;

/// Owns the simulation and the play state.
pub struct Driver {
    /// The scenario's JSON, re-parsed when the seed changes.
    text: String,
    seed: u64,
    sim: Sim,
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
    /// Commands applied by the page, `(virtual µs, command)`, for the store's replay log.
    commands: Vec<(u64, Command)>,
    /// The checkpoint store, once attached.
    store: Option<Store>,
}

impl Driver {
    /// Builds a driver from scenario JSON, optionally overriding its seed.
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
        Ok(Driver { text: text.to_owned(), seed: scenario.seed, sim, playing: true, speed: 1.0, last_wall_ms: None, carry_us: 0.0, profile, last_summary: (Ledger::default(), String::new()), next_summary_ms: 0.0, commands: Vec::new(), store: None })
    }

    /// The seed of the running simulation.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Rebuilds the simulation from the same scenario with a new seed (virtual time restarts at 0).
    pub fn reseed(&mut self, seed: u64) -> Result<(), String> {
        let mut scenario = Scenario::from_json(&self.text).map_err(|e| e.to_string())?;
        scenario.seed = seed;
        self.sim = Sim::new(&scenario).map_err(|e| e.to_string())?;
        self.seed = seed;
        self.last_wall_ms = None;
        self.carry_us = 0.0;
        self.next_summary_ms = 0.0;
        self.commands.clear();
        Ok(())
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

    /// The running simulation, read-only.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The commands applied so far, `(virtual µs, command)`.
    pub fn commands(&self) -> &[(u64, Command)] {
        &self.commands
    }

    /// Per frame: installs a finished restore, then lets the store checkpoint (write-behind).
    fn store_frame(&mut self, wall_ms: f64) {
        let Some(store) = self.store.clone() else { return };
        let key = RunKey::of(self.sim.scenario());
        if let Some((k, restored)) = store.take_restored() {
            if k == key {
                self.sim = restored.sim;
                self.commands = restored.commands;
                self.refresh_summary();
            }
        }
        store.maybe_checkpoint(&key, &self.sim, &self.commands, wall_ms);
    }

    /// Virtual time now, in microseconds.
    pub fn now_us(&self) -> u64 {
        self.sim.now_us()
    }

    /// Applies a command at the current virtual time; its effects show in the next frame.
    pub fn apply(&mut self, cmd: Command) -> Result<(), String> {
        self.sim.apply(cmd.clone())?;
        self.commands.push((self.sim.now_us(), cmd));
        Ok(())
    }

    /// Advances to `at_us` and packs the events with the engine's summary into one action.
    pub fn advance(&mut self, at_us: u64) -> Action {
        let events = self.sim.advance_to(at_us);
        self.refresh_summary();
        Action::Frame { now_us: self.sim.now_us().max(at_us), events, summary: Some(self.last_summary.clone()), flight_min_us: self.flight_min_us() }
    }

    /// One animation frame at wall time `wall_ms`: `None` when paused. The engine runs in slices
    /// until virtual time reaches wall time × speed or `clock()` (ms) says the frame's budget is
    /// spent; then virtual time falls behind instead of frames piling up (no death spiral at 1000×).
    pub fn tick(&mut self, wall_ms: f64, clock: &dyn Fn() -> f64) -> Option<Action> {
        let last = self.last_wall_ms.replace(wall_ms);
        self.store_frame(wall_ms);
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
            events.extend(self.sim.advance_to(t));
            if clock() - started > FRAME_BUDGET_MS {
                self.carry_us = 0.0;
                break;
            }
        }
        if clock() >= self.next_summary_ms {
            let begun = clock();
            self.refresh_summary();
            let end = clock();
            // At most a few times a second, and never more than ~5% of the wall time.
            self.next_summary_ms = end + (SUMMARY_EVERY_MS).max(20.0 * (end - begun));
        } else {
            self.last_summary.1 = self.sim.trace_hash();
        }
        Some(Action::Frame { now_us: self.sim.now_us().max(t), events, summary: Some(self.last_summary.clone()), flight_min_us: self.flight_min_us() })
    }

    /// Advances until at least one event happens (or a virtual second passes), for the step button.
    pub fn step(&mut self) -> Action {
        let start = self.sim.now_us();
        let mut events = Vec::new();
        let mut t = start;
        while events.is_empty() && t < start + STEP_LIMIT_US {
            t += STEP_US;
            events = self.sim.advance_to(t);
        }
        self.refresh_summary();
        Action::Frame { now_us: self.sim.now_us().max(t), events, summary: Some(self.last_summary.clone()), flight_min_us: self.flight_min_us() }
    }

    /// Virtual µs a message stays on screen at the current speed (step mode uses the 1× value).
    fn flight_min_us(&self) -> u64 {
        (FLIGHT_MIN_WALL_MS * 1_000.0 * self.speed) as u64
    }

    /// Takes the engine's counts and trace hash, read through its serde form so field types may change.
    fn refresh_summary(&mut self) {
        let v = serde_json::to_value(self.sim.summary()).unwrap_or_default();
        let num = |k: &str| v.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
        let audit = |k: &str| v.get("ledger").and_then(|l| l.get(k)).and_then(|x| x.as_u64());
        let ledger = Ledger {
            produced: num("produced"),
            acked: num("acknowledged"),
            consumed: num("consumed"),
            events: num("events"),
            acked_lost: audit("ackedLost"),
            duplicates: audit("duplicates"),
        };
        self.last_summary = (ledger, self.sim.trace_hash());
    }
}

struct LoopInner {
    id: Cell<Option<i32>>,
    closure: RefCell<Option<Closure<dyn FnMut(f64)>>>,
}

/// A running requestAnimationFrame loop; dropping it stops the loop.
pub struct FrameLoop {
    inner: Rc<LoopInner>,
}

impl FrameLoop {
    /// Calls `on_frame(timestamp_ms)` once per animation frame until dropped.
    pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> FrameLoop {
        let inner = Rc::new(LoopInner { id: Cell::new(None), closure: RefCell::new(None) });
        let weak: Weak<LoopInner> = Rc::downgrade(&inner);
        let closure = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
            on_frame(ts);
            if let Some(inner) = weak.upgrade() {
                request(&inner);
            }
        });
        *inner.closure.borrow_mut() = Some(closure);
        request(&inner);
        FrameLoop { inner }
    }
}

fn request(inner: &LoopInner) {
    let Some(window) = web_sys::window() else { return };
    if let Some(c) = inner.closure.borrow().as_ref() {
        inner.id.set(window.request_animation_frame(c.as_ref().unchecked_ref()).ok());
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let (Some(window), Some(id)) = (web_sys::window(), self.inner.id.take()) {
            let _ = window.cancel_animation_frame(id);
        }
        self.inner.closure.borrow_mut().take();
    }
}
