//! The checkpoint store: all IndexedDB IO of the page lives here (never in components).
//!
//! A checkpoint is one IndexedDB transaction holding, under the run's prefix
//! `<scenario name>#<seed>/`: `commands` (the [`CommandLog`]: the scenario, every command from the
//! start, the checkpoint's virtual time) and `seg/broker-N/topic-p/<20-digit base>.log` for each
//! replica segment that changed since the last checkpoint. There is no whole-state snapshot: the
//! engine is deterministic, so the run is rebuilt by replaying the command log. Writes are
//! write-behind: [`Store::maybe_checkpoint`] picks the changed segments and returns at once; the IO
//! runs on `spawn_local`, at most one at a time, about once a second. On load, [`Store::begin_restore`]
//! claims the database (Web Lock; other tabs only read), replays the run in steps that yield to the
//! page, and checks the stored segments against it ([`recover`]); the driver installs it on its next frame.

pub mod idb_io;
pub mod lock;
pub mod recover;

pub use idb_io::{StoreError, Value};
pub use recover::{segment_entries, segment_slices, CommandLog, Restored, SegmentCheck};

use kafkascope::command::Command;
use kafkascope::log::batch::HEADER_SIZE;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::trace::TraceHash;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Shortest wall time (ms) between two checkpoints.
pub const CHECKPOINT_EVERY_MS: f64 = 1_000.0;

/// Wall time (ms) a restore replays before it yields to the page for a frame.
const REPLAY_SLICE_MS: f64 = 8.0;

/// The entry older versions kept the whole simulation in (JSON); ignored on load, deleted on the next checkpoint.
const LEGACY_SNAPSHOT: &str = "snapshot";

/// Where the store stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Claiming the lock and reading the saved run; nothing is written yet.
    Restoring,
    /// This tab owns the database and checkpoints.
    Owner,
    /// Another tab owns the database; this one never writes.
    Reader,
    /// IndexedDB (or Web Locks) is not available; the run lives in memory only.
    Off,
}

/// Which saved run: one per scenario name and seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunKey {
    /// The scenario's name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
}

impl RunKey {
    /// The key of `sim`'s run.
    pub fn of(scenario: &Scenario) -> RunKey {
        RunKey { scenario: scenario.name.clone(), seed: scenario.seed }
    }

    /// The prefix every entry of this run is stored under.
    pub fn prefix(&self) -> String {
        format!("{}#{}/", self.scenario, self.seed)
    }
}

/// Everything one checkpoint writes, taken synchronously from the running sim.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// Entries to put (the command log, changed segments).
    pub puts: Vec<(String, Value)>,
    /// Segment entries that no longer exist (deleted by retention).
    pub deletes: Vec<String>,
    /// Fingerprints of every current segment, to remember once the write commits.
    fingerprints: BTreeMap<String, u64>,
    /// Virtual time of the checkpoint.
    pub at_us: u64,
}

struct Inner {
    db_name: String,
    phase: Cell<Phase>,
    busy: Cell<bool>,
    last_ms: Cell<Option<f64>>,
    /// Segment fingerprints as last committed, and the run they belong to.
    written: RefCell<(Option<RunKey>, BTreeMap<String, u64>)>,
    status: RefCell<String>,
    /// Findings of the restore, kept beside later status lines.
    note: RefCell<String>,
    /// A legacy snapshot entry was found under this run's prefix: delete it at the next checkpoint.
    legacy: Cell<bool>,
    restored: RefCell<Option<(RunKey, Restored)>>,
    fail_quota: Cell<bool>,
}

/// A handle on the page's checkpoint store (cheap to clone; clones share state).
#[derive(Clone)]
pub struct Store {
    inner: Rc<Inner>,
}

/// FNV-1a-64 of `bytes`, to notice changed segments without keeping copies.
fn fingerprint(bytes: &[u8]) -> u64 {
    // Each batch's 61-byte header (offsets, length, leader epoch, CRC-32C of the rest) stands for the
    // batch, so a checkpoint hashes a few hundred bytes per segment instead of every byte; a tail that
    // is not a whole batch is hashed as it is.
    let mut h = TraceHash::default();
    let mut pos = 0;
    while let Some(len) = bytes.get(pos + 8..pos + 12).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]])) {
        let end = pos.saturating_add(12).saturating_add(len.max(0) as usize);
        if len < 0 || end > bytes.len() {
            break;
        }
        h.add_bytes(&bytes[pos..(pos + HEADER_SIZE).min(end)]);
        pos = end;
    }
    h.add_bytes(&bytes[pos..]);
    u64::from_str_radix(&h.hex(), 16).unwrap_or(0) ^ bytes.len() as u64
}

/// Gives the event loop a turn (a 0 ms timeout), so frames are drawn between replay steps.
async fn yield_to_page() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let queued = web_sys::window().and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok());
        if queued.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

impl Store {
    /// A store over the IndexedDB database `db_name` (opened lazily); it writes nothing until it owns it.
    pub fn new(db_name: &str) -> Store {
        let inner = Inner {
            db_name: db_name.to_owned(),
            phase: Cell::new(Phase::Restoring),
            busy: Cell::new(false),
            last_ms: Cell::new(None),
            written: RefCell::new((None, BTreeMap::new())),
            status: RefCell::new("Checking for a saved run…".to_owned()),
            note: RefCell::new(String::new()),
            legacy: Cell::new(false),
            restored: RefCell::new(None),
            fail_quota: Cell::new(false),
        };
        Store { inner: Rc::new(inner) }
    }

    /// The line the page shows in `data-testid="storage-status"`.
    pub fn status(&self) -> String {
        let (status, note) = (self.inner.status.borrow(), self.inner.note.borrow());
        if note.is_empty() {
            status.clone()
        } else {
            format!("{status} — {note}")
        }
    }

    /// Where the store stands.
    pub fn phase(&self) -> Phase {
        self.inner.phase.get()
    }

    /// Test hook: while on, every checkpoint fails as if the browser raised `QuotaExceededError`.
    pub fn inject_quota_error(&self, on: bool) {
        self.inner.fail_quota.set(on);
    }

    fn set_status(&self, s: impl Into<String>) {
        *self.inner.status.borrow_mut() = s.into();
    }

    /// Claims the database for this tab (Web Lock); `false` means another tab owns it.
    pub async fn claim(&self) -> bool {
        match lock::claim(&format!("kafkascope-store:{}", self.inner.db_name)).await {
            Ok(true) => {
                self.inner.phase.set(Phase::Owner);
                true
            }
            Ok(false) => {
                self.inner.phase.set(Phase::Reader);
                self.set_status("Another tab owns the saved run; this tab does not save.");
                false
            }
            Err(e) => {
                self.inner.phase.set(Phase::Off);
                self.set_status(format!("Saving is off ({e}); the simulation runs in memory."));
                false
            }
        }
    }

    /// Page load: claim the database, then read and recover `scenario`'s saved run in the background.
    /// The result waits in [`Store::take_restored`] for the driver.
    pub fn begin_restore(&self, scenario: &Scenario) {
        let (store, scenario) = (self.clone(), scenario.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let owner = store.claim().await;
            if owner {
                // Hold writes until the saved run is read, so a fresh run never overwrites it.
                store.inner.phase.set(Phase::Restoring);
            }
            let key = RunKey::of(&scenario);
            match store.load(&key, &scenario).await {
                Ok(Some(r)) => {
                    let secs = r.sim.now_us() as f64 / 1e6;
                    *store.inner.note.borrow_mut() = r.report.join("; ");
                    if owner {
                        store.set_status(format!("Restored the saved run at {secs:.3} s by replaying its command log."));
                    }
                    *store.inner.restored.borrow_mut() = Some((key, r));
                }
                Ok(None) if owner => store.set_status("No saved run yet; saving as it goes."),
                Ok(None) => {}
                Err(e) if owner => store.set_status(format!("Could not read the saved run ({e}); starting fresh.")),
                Err(_) => {}
            }
            if owner {
                store.inner.phase.set(Phase::Owner);
            }
        });
    }

    /// The restored run, once, if [`Store::begin_restore`] found one.
    pub fn take_restored(&self) -> Option<(RunKey, Restored)> {
        self.inner.restored.borrow_mut().take()
    }

    /// Reads and recovers `key`'s saved run (read-only; works without owning the database): replays
    /// the command log, yielding to the page every few ms, then checks the stored segments against it.
    /// Corrupt or differing segment entries are reported and rewritten at the next checkpoint.
    pub async fn load(&self, key: &RunKey, scenario: &Scenario) -> Result<Option<Restored>, String> {
        let db = idb_io::open(&self.inner.db_name).await.map_err(|e| e.to_string())?;
        let prefix = key.prefix();
        let keys = idb_io::keys(&db, &prefix).await.map_err(|e| e.to_string())?;
        if keys.is_empty() {
            return Ok(None);
        }
        let values = idb_io::read(&db, &keys).await.map_err(|e| e.to_string())?;
        db.close();
        let (mut commands, mut segments, mut report) = (None, Vec::new(), Vec::new());
        for (k, v) in keys.iter().zip(values) {
            let Some(rest) = k.strip_prefix(&prefix) else { continue };
            match (rest, v) {
                (LEGACY_SNAPSHOT, _) => {
                    self.inner.legacy.set(true);
                    report.push("an old whole-state snapshot was ignored (runs are rebuilt by replay) and will be deleted".to_owned());
                }
                ("commands", Some(Value::Text(s))) => commands = Some(s),
                (rest, Some(Value::Bytes(b))) => {
                    if let Some(seg) = rest.strip_prefix("seg/") {
                        segments.push((seg.to_owned(), b));
                    }
                }
                _ => {}
            }
        }
        let (scenario, log) = recover::plan(scenario, commands.as_deref())?;
        let mut replay = recover::Replay::start(&scenario, log)?;
        let mut slice_start = crate::driver::performance_now();
        while !replay.step(recover::REPLAY_STEP_US)? {
            if crate::driver::performance_now() - slice_start >= REPLAY_SLICE_MS {
                let (done, of) = replay.progress_us();
                if self.phase() == Phase::Restoring {
                    self.set_status(format!("Replaying the saved run: {:.1} s of {:.1} s (virtual)…", done as f64 / 1e6, of as f64 / 1e6));
                }
                yield_to_page().await;
                slice_start = crate::driver::performance_now();
            }
        }
        let (sim, commands) = replay.finish();
        let (checks, found) = recover::check_against(&sim, &segments);
        report.extend(found);
        let restored = Restored { sim, commands, segments: checks, report };
        // Remember what is stored, except cut entries, so the next checkpoint rewrites those.
        let mut written = BTreeMap::new();
        for ((k, bytes), check) in segments.iter().zip(&restored.segments) {
            if check.error.is_none() {
                written.insert(k.clone(), fingerprint(bytes));
            }
        }
        *self.inner.written.borrow_mut() = (Some(key.clone()), written);
        Ok(Some(restored))
    }

    /// Takes a checkpoint of `sim` synchronously: its command log (`commands` must run from the
    /// scenario's start; those later than `sim`, a future being re-simulated after a seek, are left
    /// out) and the segments changed since the last commit.
    pub fn prepare(&self, key: &RunKey, sim: &Sim, commands: &[(u64, Command)]) -> Result<Checkpoint, String> {
        let prefix = key.prefix();
        let applied = commands.partition_point(|(at, _)| *at <= sim.now_us());
        let log = CommandLog { at_us: sim.now_us(), scenario: Some(sim.scenario().clone()), commands: commands[..applied].to_vec() };
        let log = serde_json::to_string(&log).map_err(|e| e.to_string())?;
        let mut puts = vec![(format!("{prefix}commands"), Value::Text(log))];
        let written = self.inner.written.borrow();
        let same_run = written.0.as_ref() == Some(key);
        let mut fingerprints = BTreeMap::new();
        for (name, bytes) in segment_slices(sim) {
            let f = fingerprint(bytes);
            if !same_run || written.1.get(&name) != Some(&f) {
                puts.push((format!("{prefix}seg/{name}"), Value::Bytes(bytes.to_vec())));
            }
            fingerprints.insert(name, f);
        }
        let mut deletes: Vec<String> = if same_run {
            written.1.keys().filter(|k| !fingerprints.contains_key(*k)).map(|k| format!("{prefix}seg/{k}")).collect()
        } else {
            Vec::new()
        };
        if self.inner.legacy.get() {
            deletes.push(format!("{prefix}{LEGACY_SNAPSHOT}"));
        }
        Ok(Checkpoint { puts, deletes, fingerprints, at_us: sim.now_us() })
    }

    /// Writes a prepared checkpoint in one transaction and updates the status line.
    pub async fn commit(&self, key: &RunKey, cp: Checkpoint) -> Result<(), StoreError> {
        let result = if self.inner.fail_quota.get() {
            Err(StoreError::Quota("injected by the test hook".to_owned()))
        } else {
            match idb_io::open(&self.inner.db_name).await {
                Ok(db) => {
                    let r = idb_io::write(&db, &cp.puts, &cp.deletes).await;
                    db.close();
                    r
                }
                Err(e) => Err(e),
            }
        };
        match &result {
            Ok(()) => {
                *self.inner.written.borrow_mut() = (Some(key.clone()), cp.fingerprints);
                self.inner.legacy.set(false);
                self.set_status(format!("Saved at {:.3} s (virtual).", cp.at_us as f64 / 1e6));
            }
            Err(StoreError::Quota(_)) => self.set_status(
                "Browser storage is full (QuotaExceededError): the run is no longer being saved; the simulation continues in memory.",
            ),
            Err(e) => self.set_status(format!("Saving failed ({e}); the simulation continues in memory.")),
        }
        result
    }

    /// Checkpoints now and waits for the commit (tests and tools; the page uses `maybe_checkpoint`).
    pub async fn checkpoint_now(&self, key: &RunKey, sim: &Sim, commands: &[(u64, Command)]) -> Result<(), StoreError> {
        let cp = self.prepare(key, sim, commands).map_err(StoreError::Io)?;
        self.commit(key, cp).await
    }

    /// Called once per frame: if this tab owns the database, no write is running and a second of wall
    /// time has passed, takes a checkpoint and writes it in the background. Never blocks on IO.
    pub fn maybe_checkpoint(&self, key: &RunKey, sim: &Sim, commands: &[(u64, Command)], wall_ms: f64) {
        let inner = &self.inner;
        if inner.phase.get() != Phase::Owner || inner.busy.get() {
            return;
        }
        if inner.last_ms.get().is_some_and(|last| wall_ms - last < CHECKPOINT_EVERY_MS) {
            return;
        }
        inner.last_ms.set(Some(wall_ms));
        let cp = match self.prepare(key, sim, commands) {
            Ok(cp) => cp,
            Err(e) => return self.set_status(format!("Could not checkpoint the run ({e}).")),
        };
        inner.busy.set(true);
        let (store, key) = (self.clone(), key.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let _ = store.commit(&key, cp).await;
            store.inner.busy.set(false);
        });
    }

    /// Raw entry access for tests and tools: every key under `prefix`.
    pub async fn raw_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let db = idb_io::open(&self.inner.db_name).await?;
        let keys = idb_io::keys(&db, prefix).await;
        db.close();
        keys
    }

    /// Raw entry access for tests and tools: one entry's value.
    pub async fn raw_get(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let db = idb_io::open(&self.inner.db_name).await?;
        let v = idb_io::read(&db, &[key.to_owned()]).await;
        db.close();
        Ok(v?.into_iter().next().flatten())
    }

    /// Raw entry access for tests and tools: overwrites one entry (e.g. to simulate corruption).
    pub async fn raw_put(&self, key: &str, value: Value) -> Result<(), StoreError> {
        let db = idb_io::open(&self.inner.db_name).await?;
        let r = idb_io::write(&db, &[(key.to_owned(), value)], &[]).await;
        db.close();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use kafkascope::log::batch::{BatchBuilder, BatchOptions};

    fn segment(epochs: &[i32]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, &epoch) in epochs.iter().enumerate() {
            let mut b = BatchBuilder::new(BatchOptions::default());
            b.append(1_000 + i as i64, None, Some(b"value"), &[]);
            let mut bytes = b.build();
            bytes[12..16].copy_from_slice(&epoch.to_be_bytes()); // partitionLeaderEpoch, outside the CRC
            out.extend(bytes);
        }
        out
    }

    #[test]
    fn a_segment_fingerprint_changes_with_any_batch_header_or_a_torn_tail() {
        let a = segment(&[1, 1, 1]);
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()), "same bytes, same fingerprint");
        // A truncation re-appended under a new leader epoch: same size and records, other header.
        assert_ne!(fingerprint(&a), fingerprint(&segment(&[1, 1, 2])));
        assert_ne!(fingerprint(&a), fingerprint(&segment(&[1, 1])), "a batch fewer");
        let mut torn = a.clone();
        torn.extend_from_slice(&[0, 0, 0]);
        assert_ne!(fingerprint(&a), fingerprint(&torn), "a torn tail");
        let mut value = a.clone();
        let last = value.len() - 1;
        value[last] ^= 1;
        // A flipped record byte under an unchanged header: in memory a batch is always rebuilt with a
        // new CRC; a stored entry like this fails the CRC check at load and is cut and rewritten.
        assert_eq!(fingerprint(&a), fingerprint(&value), "records count through their header's CRC");
    }
}
