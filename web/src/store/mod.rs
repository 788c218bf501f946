//! The checkpoint store: all IndexedDB IO of the page lives here (never in components).
//!
//! A checkpoint writes, under the run's prefix `<scenario name>#<seed>/`: `commands` (the
//! [`CommandLog`]: the scenario, every command from the start, the checkpoint's virtual time) and
//! the chunks that changed since the last checkpoint of each replica segment, as entries
//! `seg/broker-N/topic-p/<20-digit base>.log/<6-digit chunk>` of 60 KiB ([`chunks`]): an append
//! rewrites only the tail chunk and the new ones. There is no whole-state snapshot: the engine is
//! deterministic, so the run is rebuilt by replaying the command log. Writes are write-behind:
//! [`Store::maybe_checkpoint`] picks the changed chunks and returns at once; the IO runs on
//! `spawn_local`, at most one at a time, about once a second, in transactions of at most 512 KiB with
//! the command log last ([`checkpoint`] has the crash semantics). On load, [`Store::begin_restore`]
//! claims the database (Web Lock; other tabs only read), replays the run in steps that yield to the
//! page, reassembles each segment from its chunks and checks it against the replay ([`recover`]);
//! the driver installs it on its next frame.

pub mod checkpoint;
pub mod chunks;
pub mod idb_io;
pub mod lock;
pub mod recover;

pub use checkpoint::Checkpoint;
pub use idb_io::{StoreError, Value};
pub use recover::{segment_entries, segment_slices, CommandLog, Restored, SegmentCheck};

use kafkascope::scenario::Scenario;
use std::cell::{Cell, RefCell};
use kafkascope::vec_map::VecMap;
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

struct Inner {
    db_name: String,
    phase: Cell<Phase>,
    busy: Cell<bool>,
    /// The last commit left changed chunks unwritten: the next checkpoint need not wait a second.
    backlog: Cell<bool>,
    last_ms: Cell<Option<f64>>,
    /// What is stored of each segment as of the last commit, and the run it belongs to.
    written: RefCell<(Option<RunKey>, VecMap<String, chunks::Stored>)>,
    /// Each in-memory segment's last fingerprint walk, and the run it belongs to.
    walks: RefCell<(Option<RunKey>, VecMap<String, chunks::Walked>)>,
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
            backlog: Cell::new(false),
            last_ms: Cell::new(None),
            written: RefCell::new((None, VecMap::new())),
            walks: RefCell::new((None, VecMap::new())),
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
        let (mut commands, mut parts, mut report) = (None, VecMap::<String, chunks::Parts>::new(), Vec::new());
        for (k, v) in keys.iter().zip(values) {
            let Some(rest) = k.strip_prefix(&prefix) else { continue };
            match (rest, v) {
                (LEGACY_SNAPSHOT, _) => {
                    self.inner.legacy.set(true);
                    report.push("an old whole-state snapshot was ignored (runs are rebuilt by replay) and will be deleted".to_owned());
                }
                ("commands", Some(Value::Text(s))) => commands = Some(s),
                (rest, Some(Value::Bytes(b))) => match rest.strip_prefix("seg/").and_then(chunks::parse_seg_key) {
                    Some(chunks::SegKey::Chunk { segment, index }) => {
                        parts.entry(segment.to_owned()).or_default().chunks.insert(index, b);
                    }
                    Some(chunks::SegKey::Whole(segment)) => parts.entry(segment.to_owned()).or_default().whole = Some(b),
                    None => {}
                },
                _ => {}
            }
        }
        let assembled: Vec<(String, chunks::Assembled)> = parts.into_iter().map(|(k, p)| (k, chunks::reassemble(p))).collect();
        for (k, a) in &assembled {
            if let Some(cut) = &a.cut {
                report.push(format!("{k}: {cut}"));
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
        let segments: Vec<(String, Vec<u8>)> = assembled.iter().map(|(k, a)| (k.clone(), a.bytes.clone())).collect();
        let (checks, found) = recover::check_against(&sim, &segments);
        report.extend(found);
        // Remember what is stored; chunks from a bad batch on are not trusted, so the next
        // checkpoint rewrites them (and the chunks past a gap, and old whole entries).
        let mut written = VecMap::new();
        for ((k, a), check) in assembled.iter().zip(&checks) {
            written.insert(k.clone(), chunks::trust(a, check.error.as_ref().map(|_| check.kept_bytes)));
        }
        *self.inner.written.borrow_mut() = (Some(key.clone()), written);
        let restored = Restored { sim, commands, segments: checks, report };
        Ok(Some(restored))
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

    /// Raw entry access for tests and tools: deletes one entry (e.g. to simulate a lost chunk).
    pub async fn raw_delete(&self, key: &str) -> Result<(), StoreError> {
        let db = idb_io::open(&self.inner.db_name).await?;
        let r = idb_io::write(&db, &[], &[key.to_owned()]).await;
        db.close();
        r
    }

    /// Raw entry access for tests and tools: overwrites one entry (e.g. to simulate corruption).
    pub async fn raw_put(&self, key: &str, value: Value) -> Result<(), StoreError> {
        let db = idb_io::open(&self.inner.db_name).await?;
        let r = idb_io::write(&db, &[(key.to_owned(), value)], &[]).await;
        db.close();
        r
    }
}

