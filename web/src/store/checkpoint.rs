//! Taking and writing a checkpoint. [`Store::prepare`] runs inside a frame: it serialises the
//! command log, fingerprints each segment's chunks from where the last checkpoint's walk ended
//! ([`chunks::walk`]) and diffs them against what is stored ([`chunks::diff`]), so only changed
//! chunks are copied, once, into JS arrays. [`Store::commit`] then writes them paced: several readwrite
//! transactions of at most [`TX_BYTES`] of values each, one after the other, the page getting a
//! turn (a 0 ms timeout) between them, because `put` structured-clones its value synchronously on
//! the main thread and a few MB in one go would stall a frame for tens of ms.
//!
//! A checkpoint copies at most [`PREPARE_BYTES`] of chunks; the rest are taken by the next one,
//! right after it commits.
//!
//! Crash semantics: the deletes go in the first transaction, the `commands` entry in the last, and
//! each transaction is atomic. A tab closed (or a write failing) half-way therefore leaves the older
//! command log with some newer chunks and some chunks deleted. Recovery replays the older log and
//! checks every stored segment against it: a mix of old and new chunks fails a batch check (cut and
//! reported) or differs from the replay (reported), a missing chunk cuts its segment, and each such
//! segment is rewritten from the replay at the next checkpoint. What the store remembers as written
//! is updated per committed transaction, so after a failure the next checkpoint retries exactly the
//! chunks that did not land.

use super::chunks::{self, ChunkPut};
use super::idb_io::{self, StoreError, Value};
use super::recover::{segment_slices, CommandLog};
use super::{yield_to_page, RunKey, Store, CHECKPOINT_EVERY_MS, LEGACY_SNAPSHOT};
use kafkascope::command::Command;
use kafkascope::log::Records;
use kafkascope::sim::Sim;
use kafkascope::vec_map::VecMap;
use std::ops::Range;

/// Most bytes of chunks one checkpoint copies (inside a frame: ~2 ms per MB measured): a run with more
/// unsaved (a fresh run after a fast-forward, a configuration rebuild) is saved over several
/// checkpoints taken back to back, each with the whole command log.
pub const PREPARE_BYTES: usize = 4 << 20;

/// Most bytes of values one checkpoint transaction puts, so its synchronous clones fit in a frame.
pub const TX_BYTES: usize = 512 << 10;

/// Everything one checkpoint writes, taken synchronously from the running sim.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// Entries to put, in write order: changed segment chunks, then the command log last.
    pub puts: Vec<(String, Value)>,
    /// Entries to delete (in the first transaction): chunks past a segment's end, deleted segments, old-layout entries.
    pub deletes: Vec<String>,
    /// For each put but the last, the chunk it is, to remember once its transaction commits.
    chunks: Vec<ChunkPut>,
    /// `(segment, chunks kept)` to remember once the deletes commit.
    trims: Vec<(String, usize)>,
    /// Virtual time of the checkpoint.
    pub at_us: u64,
    /// More chunks changed than [`PREPARE_BYTES`]: the rest wait for the next checkpoint, which then comes at once.
    pub backlog: bool,
}

impl Checkpoint {
    /// How [`Store::commit`] splits the puts into transactions: consecutive ranges of at most
    /// [`TX_BYTES`] of values (a bigger single value gets a transaction of its own); never empty.
    pub fn transactions(&self) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut bytes = 0;
        for (i, (_, v)) in self.puts.iter().enumerate() {
            let size = v.len();
            match out.last_mut() {
                Some(r) if bytes + size <= TX_BYTES => r.end = i + 1,
                _ => {
                    out.push(i..i + 1);
                    bytes = 0;
                }
            }
            bytes += size;
        }
        if out.is_empty() {
            out.push(0..0);
        }
        out
    }
}

impl Store {
    /// Takes a checkpoint of `sim` synchronously: its command log (`commands` must run from the
    /// scenario's start; those later than `sim`, a future being re-simulated after a seek, are left
    /// out) and the segment chunks changed since the last commit.
    pub fn prepare(&self, key: &RunKey, sim: &Sim, commands: &[(u64, Command)]) -> Result<Checkpoint, String> {
        let prefix = key.prefix();
        let applied = commands.partition_point(|(at, _)| *at <= sim.now_us());
        let log = CommandLog { at_us: sim.now_us(), scenario: Some(sim.scenario().clone()), commands: commands[..applied].to_vec() };
        let log = serde_json::to_string(&log).map_err(|e| e.to_string())?;
        let written = self.inner.written.borrow();
        let none = VecMap::new();
        let stored = if written.0.as_ref() == Some(key) { &written.1 } else { &none };
        // Each segment's fingerprints, walked on from where last checkpoint's walk ended.
        let slices = segment_slices(sim);
        let mut walks = self.inner.walks.borrow_mut();
        let same = walks.0.as_ref() == Some(key);
        let walked: VecMap<String, chunks::Walked> =
            slices.iter().map(|(k, b)| (k.clone(), chunks::walk(*b, walks.1.get(k).filter(|_| same)))).collect();
        let current: Vec<(String, &Records, &[u64])> = slices.iter().map(|(k, b)| (k.clone(), *b, &walked[k].fingerprints[..])).collect();
        let diff = chunks::diff(&prefix, &current, stored);
        let mut puts = Vec::with_capacity(diff.puts.len() + 1);
        let mut put_chunks = Vec::with_capacity(diff.puts.len());
        let (mut taken, mut backlog) = (0, false);
        for (chunk, bytes) in diff.puts {
            if taken > 0 && taken + bytes.len() > PREPARE_BYTES {
                backlog = true;
                break;
            }
            taken += bytes.len();
            // Straight into a JS array: the one copy, and `put` then clones it without another.
            puts.push((chunks::chunk_key(&prefix, &chunk.segment, chunk.index), Value::Js(js_sys::Uint8Array::from(&*bytes.bytes()))));
            put_chunks.push(chunk);
        }
        puts.push((format!("{prefix}commands"), Value::Text(log)));
        let mut deletes = diff.deletes;
        if self.inner.legacy.get() {
            deletes.push(format!("{prefix}{LEGACY_SNAPSHOT}"));
        }
        drop(current);
        *walks = (Some(key.clone()), walked);
        Ok(Checkpoint { puts, deletes, chunks: put_chunks, trims: diff.trims, at_us: sim.now_us(), backlog })
    }

    /// Writes a prepared checkpoint in paced transactions (the command log last) and updates the status line.
    pub async fn commit(&self, key: &RunKey, cp: Checkpoint) -> Result<(), StoreError> {
        let result = if self.inner.fail_quota.get() {
            Err(StoreError::Quota("injected by the test hook".to_owned()))
        } else {
            match idb_io::open(&self.inner.db_name).await {
                Ok(db) => {
                    let r = self.write_paced(&db, key, &cp).await;
                    db.close();
                    r
                }
                Err(e) => Err(e),
            }
        };
        match &result {
            Ok(()) => {
                self.inner.backlog.set(cp.backlog);
                let more = if cp.backlog { "; saving the rest" } else { "" };
                self.set_status(format!("Saved at {:.3} s (virtual){more}.", cp.at_us as f64 / 1e6));
            }
            Err(StoreError::Quota(_)) => self.set_status(
                "Browser storage is full (QuotaExceededError): the run is no longer being saved; the simulation continues in memory.",
            ),
            Err(e) => self.set_status(format!("Saving failed ({e}); the simulation continues in memory.")),
        }
        result
    }

    async fn write_paced(&self, db: &idb::Database, key: &RunKey, cp: &Checkpoint) -> Result<(), StoreError> {
        for (n, range) in cp.transactions().into_iter().enumerate() {
            if n > 0 {
                yield_to_page().await;
            }
            let deletes = if n == 0 { &cp.deletes[..] } else { &[] };
            idb_io::write(db, &cp.puts[range.clone()], deletes).await?;
            // Remember what landed at once: a later transaction may fail, and the next checkpoint
            // must then rewrite only what did not.
            let mut written = self.inner.written.borrow_mut();
            if written.0.as_ref() != Some(key) {
                *written = (Some(key.clone()), VecMap::new());
            }
            if n == 0 {
                for (segment, keep) in &cp.trims {
                    chunks::apply_trim(&mut written.1, segment, *keep);
                }
                self.inner.legacy.set(false);
            }
            for chunk in cp.chunks.get(range.start..range.end.min(cp.chunks.len())).unwrap_or(&[]) {
                chunks::apply_put(&mut written.1, chunk);
            }
        }
        Ok(())
    }

    /// Checkpoints now, backlog and all, and waits for the commits (tests and tools; the page uses `maybe_checkpoint`).
    pub async fn checkpoint_now(&self, key: &RunKey, sim: &Sim, commands: &[(u64, Command)]) -> Result<(), StoreError> {
        loop {
            let cp = self.prepare(key, sim, commands).map_err(StoreError::Io)?;
            let more = cp.backlog;
            self.commit(key, cp).await?;
            if !more {
                return Ok(());
            }
        }
    }

    /// Called once per frame: if this tab owns the database, no write is running and a second of wall
    /// time has passed (or the last checkpoint left a backlog), takes a checkpoint and writes it in the background. Never blocks on IO.
    /// Returns whether it took one (its synchronous part is a frame's heavy chore: see `Driver::tick`).
    pub fn maybe_checkpoint(&self, key: &RunKey, sim: &Sim, commands: &[(u64, Command)], wall_ms: f64) -> bool {
        let inner = &self.inner;
        if inner.phase.get() != super::Phase::Owner || inner.busy.get() {
            return false;
        }
        if !inner.backlog.get() && inner.last_ms.get().is_some_and(|last| wall_ms - last < CHECKPOINT_EVERY_MS) {
            return false;
        }
        inner.last_ms.set(Some(wall_ms));
        let cp = match self.prepare(key, sim, commands) {
            Ok(cp) => cp,
            Err(e) => {
                self.set_status(format!("Could not checkpoint the run ({e})."));
                return true;
            }
        };
        inner.busy.set(true);
        let (store, key) = (self.clone(), key.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let _ = store.commit(&key, cp).await;
            store.inner.busy.set(false);
        });
        true
    }
}
