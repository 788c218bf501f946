//! The IndexedDB checkpoint store: checkpoint/restore (a replay of the stored command log) keeps the
//! trace hash, corrupt segments are cut at the first bad batch and reported, stored segments that
//! differ from the replay are reported, an old whole-state snapshot entry is ignored and deleted, a
//! restored page keeps the whole command log, a full disk leaves the run going, a second owner is
//! refused, an append rewrites only the tail chunks of a segment, a missing middle chunk cuts its
//! segment (reported, rewritten), and an old whole-segment entry loads and is replaced by chunks.
//! Each test uses its own database.
// Ref: Kafka LogLoader recovery (truncate at the first invalid batch); issue "The log" item 4.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use kafkascope::command::Command;
use kafkascope::log::batch::batches;
use kafkascope::scenario::Scenario;
use kafkascope_web::driver::{Driver, DEFAULT_SCENARIO};
use kafkascope::sim::Sim;
use kafkascope_web::store::chunks::{chunk_key, parse_seg_key, whole_key, SegKey, CHUNK_BYTES};
use kafkascope_web::store::recover::check_segment;
use kafkascope_web::store::segment_slices;
use kafkascope_web::store::checkpoint::PREPARE_BYTES;
use kafkascope_web::store::{Phase, Restored, RunKey, Store, Value};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEED: u64 = 7;

/// 10,000 records/s over 6 partitions: after a second each active segment spans several chunks.
const MEMORY: &str = include_str!("../../static/scenarios/bench/memory.json");

fn cmd(json: &str) -> Command {
    serde_json::from_str(json).expect("a command")
}

fn scenario() -> Scenario {
    let mut s = Scenario::from_json(DEFAULT_SCENARIO).expect("default scenario");
    s.seed = SEED;
    s
}

/// Advances in 20 ms slices, the way frames do.
fn run_to(d: &mut Driver, until_us: u64) {
    let mut t = d.now_us();
    while t < until_us {
        t = (t + 20_000).min(until_us);
        d.advance(t);
    }
}

/// The reference run: a crash and a restart applied by hand, checkpointed at 3 s.
fn interrupted_run() -> Driver {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, Some(SEED)).expect("driver");
    run_to(&mut d, 1_000_000);
    d.apply(cmd(r#"{"type":"crashBroker","broker":2}"#)).expect("crash");
    run_to(&mut d, 2_000_000);
    d.apply(cmd(r#"{"type":"restartBroker","broker":2}"#)).expect("restart");
    run_to(&mut d, 3_000_000);
    d
}

/// The memory benchmark's run at `until_us`, and its run key.
fn busy_run(until_us: u64) -> (Scenario, Sim, RunKey) {
    let scenario = Scenario::from_json(MEMORY).expect("bench scenario");
    let mut sim = Sim::new(&scenario).expect("builds");
    while sim.now_us() < until_us {
        sim.advance_to((sim.now_us() + 20_000).min(until_us));
    }
    let key = RunKey::of(&scenario);
    (scenario, sim, key)
}

/// The first segment stored in at least `chunks` chunks.
fn segment_with_chunks(sim: &Sim, chunks: usize) -> (String, Vec<u8>) {
    let found = segment_slices(sim).into_iter().find(|(_, b)| b.len() > (chunks - 1) * CHUNK_BYTES);
    found.map(|(k, b)| (k, b.to_vec())).expect("a segment that big")
}

async fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if cond() {
            return true;
        }
        TimeoutFuture::new(50).await;
    }
    cond()
}

/// Checkpoints a restored run and loads it once more: whatever recovery found has been rewritten from the replay.
async fn resave_and_reload_clean(store: &Store, key: &RunKey, scenario: &Scenario, r: &Restored) -> Restored {
    store.checkpoint_now(key, &r.sim, &r.commands).await.expect("checkpoint again");
    let again = store.load(key, scenario).await.expect("load").expect("a saved run");
    assert!(again.report.is_empty(), "rewritten from the replay: {:?}", again.report);
    again
}

#[wasm_bindgen_test]
async fn checkpoint_then_restore_reaches_the_same_trace_hash() {
    let mut a = interrupted_run();
    let key = RunKey::of(&scenario());
    let store = Store::new("test-store-roundtrip");
    store.checkpoint_now(&key, a.sim(), a.commands()).await.expect("checkpoint");
    let stored = store.raw_keys(&key.prefix()).await.expect("keys");
    assert!(!stored.iter().any(|k| k.ends_with("/snapshot")), "no whole-state snapshot is written: {stored:?}");
    let r = store.load(&key, &scenario()).await.expect("load").expect("a saved run");
    assert!(r.report.is_empty(), "{:?}", r.report);
    assert!(!r.segments.is_empty() && r.segments.iter().all(|s| s.error.is_none() && s.mismatch.is_none()));
    assert_eq!(r.commands, a.commands());
    assert_eq!(r.sim.trace_hash(), a.sim().trace_hash());
    let mut restored = r.sim;
    restored.advance_to(5_000_000);
    run_to(&mut a, 5_000_000);
    assert_eq!(restored.trace_hash(), a.sim().trace_hash(), "restored run diverged after 3 s");
}

#[wasm_bindgen_test]
async fn corrupt_segment_is_cut_at_first_bad_batch_and_reported() {
    let a = interrupted_run();
    let key = RunKey::of(&scenario());
    let store = Store::new("test-store-corrupt-segment");
    store.checkpoint_now(&key, a.sim(), a.commands()).await.expect("checkpoint");
    let seg_prefix = format!("{}seg/", key.prefix());
    let mut best: Option<(String, Vec<u8>, usize)> = None;
    // Chunk 0 of a segment starts with its first batch.
    for k in store.raw_keys(&seg_prefix).await.expect("keys").into_iter().filter(|k| k.ends_with("/000000")) {
        if let Ok(Some(Value::Bytes(b))) = store.raw_get(&k).await {
            let n = batches(&b).count();
            if n >= 3 && best.as_ref().is_none_or(|x| n > x.2) {
                best = Some((k, b, n));
            }
        }
    }
    let (k, original, n) = best.expect("a segment with 3+ batches");
    assert!(original.len() < CHUNK_BYTES, "the default run's segments fit in one chunk");
    let second = batches(&original).nth(1).and_then(Result::ok).map(|(pos, _, _)| pos).expect("2nd batch");
    let mut bad = original.clone();
    bad[second + 40] ^= 0xff;
    store.raw_put(&k, Value::Bytes(bad)).await.expect("corrupt");

    let r = store.load(&key, &scenario()).await.expect("load").expect("a saved run");
    let name = &k[seg_prefix.len()..k.len() - "/000000".len()];
    let check = r.segments.iter().find(|s| s.key == name).expect("checked");
    assert_eq!((check.batches, check.kept_bytes, check.cut_bytes), (1, second, original.len() - second), "{n} batches");
    assert!(check.error.is_some());
    assert_eq!(check.mismatch, None, "what is kept is a prefix of the replayed segment");
    assert!(r.report.iter().any(|l| l.contains(name)), "{:?}", r.report);
    assert!(r.segments.iter().filter(|s| s.key != name).all(|s| s.error.is_none()), "the rest is recovered");
    assert_eq!(check_segment(name, &original).0.batches, n);
    assert_eq!(r.sim.trace_hash(), a.sim().trace_hash());
    // The cut entry is rewritten whole at the next checkpoint.
    store.checkpoint_now(&key, &r.sim, &r.commands).await.expect("checkpoint again");
    assert_eq!(store.raw_get(&k).await.expect("read"), Some(Value::Bytes(original)));
}

#[wasm_bindgen_test]
async fn old_snapshot_entry_is_ignored_and_deleted_at_the_next_checkpoint() {
    let a = interrupted_run();
    let key = RunKey::of(&scenario());
    let store = Store::new("test-store-legacy-snapshot");
    store.checkpoint_now(&key, a.sim(), a.commands()).await.expect("checkpoint");
    let snap = format!("{}snapshot", key.prefix());
    store.raw_put(&snap, Value::Text("{\"now\":3000000,\"seq\":".to_owned())).await.expect("old entry");
    let r = store.load(&key, &scenario()).await.expect("load").expect("a saved run");
    assert!(r.report.iter().any(|l| l.contains("old whole-state snapshot")), "{:?}", r.report);
    assert_eq!(r.sim.now_us(), a.sim().now_us());
    assert_eq!(r.sim.trace_hash(), a.sim().trace_hash());
    resave_and_reload_clean(&store, &key, &scenario(), &r).await;
    assert_eq!(store.raw_get(&snap).await.expect("read"), None, "the old entry is deleted");
}

#[wasm_bindgen_test]
async fn stored_segments_that_differ_from_the_replay_are_reported_and_rewritten() {
    // Segments of a run without the crash, under the command log of the run with it.
    let mut calm = Driver::from_json(DEFAULT_SCENARIO, Some(SEED)).expect("driver");
    run_to(&mut calm, 3_000_000);
    let a = interrupted_run();
    let key = RunKey::of(&scenario());
    let store = Store::new("test-store-mismatch");
    store.checkpoint_now(&key, calm.sim(), calm.commands()).await.expect("checkpoint calm");
    let other = Store::new("test-store-mismatch-log");
    other.checkpoint_now(&key, a.sim(), a.commands()).await.expect("checkpoint interrupted");
    let log_key = format!("{}commands", key.prefix());
    let log = other.raw_get(&log_key).await.expect("read").expect("a log");
    store.raw_put(&log_key, log).await.expect("swap the log");

    let r = store.load(&key, &scenario()).await.expect("load").expect("a saved run");
    assert_eq!(r.sim.trace_hash(), a.sim().trace_hash(), "the command log decides the state");
    let differing: Vec<_> = r.segments.iter().filter(|s| s.mismatch.is_some()).collect();
    assert!(!differing.is_empty() && differing.iter().all(|s| s.error.is_none()), "{:?}", r.segments);
    assert!(differing.iter().all(|s| r.report.iter().any(|l| l.contains(&s.key))), "{:?}", r.report);
    resave_and_reload_clean(&store, &key, &scenario(), &r).await;
}

#[wasm_bindgen_test]
async fn restored_page_keeps_the_whole_command_log() {
    let a = interrupted_run();
    let key = RunKey::of(&scenario());
    let saver = Store::new("test-store-resume");
    saver.checkpoint_now(&key, a.sim(), a.commands()).await.expect("checkpoint");
    let mut d = Driver::from_json(DEFAULT_SCENARIO, Some(SEED)).expect("driver");
    let store = Store::new("test-store-resume");
    d.attach_store(store.clone());
    assert!(eventually(|| store.phase() == Phase::Owner).await, "{}", store.status());
    d.tick(0.0, &|| 0.0);
    assert!(d.now_us() >= a.now_us(), "the restored run is installed: {} µs", d.now_us());
    assert_eq!(d.commands(), a.commands(), "commands before the restore are still logged");
    // The tick also began a write-behind checkpoint; let it land so it cannot overwrite ours below.
    assert!(eventually(|| store.status().starts_with("Saved at")).await, "{}", store.status());
    d.apply(cmd(r#"{"type":"crashBroker","broker":1}"#)).expect("crash");
    store.checkpoint_now(&key, d.sim(), d.commands()).await.expect("checkpoint after the restore");
    let r = store.load(&key, &scenario()).await.expect("load").expect("a saved run");
    assert_eq!(r.commands.len(), a.commands().len() + 1);
    assert_eq!(r.sim.trace_hash(), d.sim().trace_hash(), "a second reload replays to the same state");
}

#[wasm_bindgen_test]
async fn quota_error_leaves_the_simulation_running_with_a_message() {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, Some(SEED)).expect("driver");
    let store = Store::new("test-store-quota");
    store.inject_quota_error(true);
    d.attach_store(store.clone());
    assert!(eventually(|| store.phase() == Phase::Owner).await, "{}", store.status());
    let mut wall = 0.0;
    for _ in 0..3 {
        d.tick(wall, &|| 0.0);
        wall += 1_100.0;
        TimeoutFuture::new(20).await;
    }
    assert!(eventually(|| d.storage_status().contains("QuotaExceededError")).await, "{}", d.storage_status());
    let before = d.now_us();
    d.tick(wall, &|| 0.0);
    assert!(d.now_us() > before && before > 0, "the simulation keeps running in memory");
}

#[wasm_bindgen_test]
async fn second_owner_is_refused_and_does_not_write() {
    let first = Store::new("test-store-two-tabs");
    assert!(first.claim().await);
    let mut d = Driver::from_json(DEFAULT_SCENARIO, Some(SEED)).expect("driver");
    let second = Store::new("test-store-two-tabs");
    d.attach_store(second.clone());
    assert!(eventually(|| second.phase() == Phase::Reader).await, "{}", second.status());
    assert!(d.storage_status().contains("Another tab owns the saved run"));
    d.tick(0.0, &|| 0.0);
    d.tick(1_100.0, &|| 0.0);
    TimeoutFuture::new(100).await;
    assert!(first.raw_keys("").await.expect("keys").is_empty(), "the reader wrote");
}

#[wasm_bindgen_test]
async fn an_append_rewrites_only_the_tail_chunks() {
    let (scenario, mut sim, key) = busy_run(1_000_000);
    let store = Store::new("test-store-tail-chunk");
    store.checkpoint_now(&key, &sim, &[]).await.expect("checkpoint");
    let before = store.raw_keys(&key.prefix()).await.expect("keys");
    let old_len: Vec<(String, usize)> = segment_slices(&sim).into_iter().map(|(k, b)| (k, b.len())).collect();
    assert!(old_len.iter().any(|(_, n)| *n > 2 * CHUNK_BYTES), "multi-chunk segments: {old_len:?}");
    sim.advance_to(1_050_000);
    let cp = store.prepare(&key, &sim, &[]).expect("prepares");
    let seg = format!("{}seg/", key.prefix());
    let chunks: Vec<(String, usize)> = cp.puts[..cp.puts.len() - 1]
        .iter()
        .map(|(k, _)| match k.strip_prefix(&seg).and_then(parse_seg_key) {
            Some(SegKey::Chunk { segment, index }) => (segment.to_owned(), index),
            other => panic!("{k} is not a chunk: {other:?}"),
        })
        .collect();
    assert!(cp.puts.last().is_some_and(|(k, _)| k.ends_with("/commands")), "the command log is written last");
    assert!(!chunks.is_empty() && cp.deletes.is_empty());
    for (segment, index) in &chunks {
        let old = old_len.iter().find(|(k, _)| k == segment).map_or(0, |(_, n)| *n);
        assert!(*index >= old / CHUNK_BYTES, "{segment} chunk {index} was {old} bytes long: only its tail changed");
    }
    let all: usize = segment_slices(&sim).iter().map(|(_, b)| b.len().div_ceil(CHUNK_BYTES).max(1)).sum();
    assert!(chunks.len() * 2 < all, "{} of {all} chunks rewritten", chunks.len());
    store.commit(&key, cp).await.expect("commits");
    let after = store.raw_keys(&key.prefix()).await.expect("keys");
    assert!(before.iter().all(|k| after.contains(k)), "no chunk was lost");
    let r = store.load(&key, &scenario).await.expect("load").expect("a saved run");
    assert!(r.report.is_empty(), "{:?}", r.report);
    assert_eq!(r.sim.trace_hash(), sim.trace_hash());
}

#[wasm_bindgen_test]
async fn a_missing_middle_chunk_cuts_its_segment_and_the_run_still_restores() {
    let (scenario, sim, key) = busy_run(1_000_000);
    let store = Store::new("test-store-missing-chunk");
    store.checkpoint_now(&key, &sim, &[]).await.expect("checkpoint");
    let (segment, bytes) = segment_with_chunks(&sim, 3);
    let lost = chunk_key(&key.prefix(), &segment, 1);
    assert!(store.raw_get(&lost).await.expect("read").is_some());
    store.raw_delete(&lost).await.expect("lose chunk 1");

    let r = store.load(&key, &scenario).await.expect("load").expect("a saved run");
    assert!(r.report.iter().any(|l| l.contains(&segment) && l.contains("chunk 1 of") && l.contains("missing")), "{:?}", r.report);
    let check = r.segments.iter().find(|s| s.key == segment).expect("checked");
    assert!(check.kept_bytes <= CHUNK_BYTES && check.mismatch.is_none(), "{check:?}");
    assert!(r.segments.iter().filter(|s| s.key != segment).all(|s| s.error.is_none() && s.mismatch.is_none()));
    assert_eq!(r.sim.trace_hash(), sim.trace_hash(), "the replay does not need the segment");
    resave_and_reload_clean(&store, &key, &scenario, &r).await;
    assert_eq!(store.raw_get(&lost).await.expect("read"), Some(Value::Bytes(bytes[CHUNK_BYTES..2 * CHUNK_BYTES].to_vec())));
}

#[wasm_bindgen_test]
async fn an_old_whole_segment_entry_loads_and_is_replaced_by_chunks() {
    let (scenario, sim, key) = busy_run(1_000_000);
    let store = Store::new("test-store-whole-entry");
    store.checkpoint_now(&key, &sim, &[]).await.expect("checkpoint");
    let (segment, bytes) = segment_with_chunks(&sim, 2);
    let chunks: Vec<String> = store.raw_keys(&format!("{}seg/{segment}/", key.prefix())).await.expect("keys");
    assert_eq!(chunks.len(), bytes.len().div_ceil(CHUNK_BYTES));
    for k in &chunks {
        store.raw_delete(k).await.expect("delete chunk");
    }
    let whole = whole_key(&key.prefix(), &segment);
    store.raw_put(&whole, Value::Bytes(bytes.clone())).await.expect("old layout");

    let r = store.load(&key, &scenario).await.expect("load").expect("a saved run");
    assert!(r.report.is_empty(), "{:?}", r.report);
    assert!(r.segments.iter().any(|s| s.key == segment && s.kept_bytes == bytes.len()));
    store.checkpoint_now(&key, &r.sim, &r.commands).await.expect("checkpoint again");
    assert_eq!(store.raw_get(&whole).await.expect("read"), None, "the whole entry is gone");
    assert_eq!(store.raw_keys(&format!("{}seg/{segment}/", key.prefix())).await.expect("keys"), chunks);
}

#[wasm_bindgen_test]
async fn a_checkpoint_cut_off_before_its_command_log_is_reported_and_rewritten() {
    // The tab closes after some of a paced checkpoint's transactions: newer chunks, older commands.
    let (scenario, mut sim, key) = busy_run(1_000_000);
    let store = Store::new("test-store-half-written");
    store.checkpoint_now(&key, &sim, &[]).await.expect("checkpoint");
    let at_first = sim.clone();
    sim.advance_to(1_500_000);
    let cp = store.prepare(&key, &sim, &[]).expect("prepares");
    let landed = cp.transactions()[0].clone();
    assert!(landed.end < cp.puts.len(), "the command log is in a later transaction");
    for (k, v) in &cp.puts[landed] {
        store.raw_put(k, v.clone()).await.expect("a transaction that landed");
    }

    let r = store.load(&key, &scenario).await.expect("load").expect("a saved run");
    assert_eq!(r.sim.trace_hash(), at_first.trace_hash(), "the older command log decides the state");
    let differing: Vec<_> = r.segments.iter().filter(|s| s.mismatch.is_some() || s.error.is_some()).collect();
    assert!(!differing.is_empty() && differing.iter().all(|s| r.report.iter().any(|l| l.contains(&s.key))), "{:?}", r.report);
    let again = resave_and_reload_clean(&store, &key, &scenario, &r).await;
    assert_eq!(again.sim.trace_hash(), at_first.trace_hash());
}

#[wasm_bindgen_test]
async fn more_unsaved_chunks_than_one_checkpoint_copies_are_saved_over_several() {
    let (scenario, sim, key) = busy_run(4_000_000);
    let store = Store::new("test-store-backlog");
    let first = store.prepare(&key, &sim, &[]).expect("prepares");
    let copied: usize = first.puts.iter().map(|(_, v)| v.len()).sum();
    assert!(first.backlog && copied <= PREPARE_BYTES + 4096, "{copied} bytes copied at once");
    store.commit(&key, first).await.expect("commits");
    assert!(store.status().contains("saving the rest"), "{}", store.status());
    store.checkpoint_now(&key, &sim, &[]).await.expect("the rest");
    assert!(!store.prepare(&key, &sim, &[]).expect("prepares").backlog, "nothing left");
    let r = store.load(&key, &scenario).await.expect("load").expect("a saved run");
    assert!(r.report.is_empty(), "{:?}", r.report);
}
