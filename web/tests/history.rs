//! Seek, step back and fork: restoring a snapshot and re-simulating forward gives exactly the
//! state of playing straight through (determinism), and a command in the past forks a new future.
//! Runs in a headless browser (`wasm-pack test --headless --chrome`) and natively (`cargo test`).

use kafkascope::command::Command;
use kafkascope_web::driver::{Driver, DEFAULT_SCENARIO};
use kafkascope_web::history::MAX_SNAPSHOTS;
use kafkascope_web::view_model::ViewState;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// The view minus what depends on frame boundaries (messages still drawn travelling, and the
/// ledger alarm's chart, sampled once per frame).
fn picture(v: &ViewState) -> ViewState {
    let mut v = v.clone();
    v.flights.clear();
    v.charts.acked_lost = Default::default();
    v.charts.duplicates = Default::default();
    v
}

/// Plays the default scenario to 5 s in 100 ms frames; broker 2 crashes at 2 s, restarts at 3.5 s.
fn played() -> Driver {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, None).expect("the default scenario builds");
    for i in 1..=50u64 {
        d.advance(i * 100_000);
        if i == 20 {
            d.apply(Command::CrashBroker { broker: 2 }).expect("crash accepted");
        }
        if i == 35 {
            d.apply(Command::RestartBroker { broker: 2 }).expect("restart accepted");
        }
    }
    d
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn seek_back_then_forward_matches_playing_straight_through() {
    let straight = played();
    let mut seeker = played();
    seeker.seek(2_500_000);
    assert_eq!(seeker.now_us(), 2_500_000);
    assert!(!seeker.view().brokers[&2].up, "at 2.5 s broker 2 is down");
    assert!(seeker.replaying(), "behind the horizon");
    seeker.seek(1_000_000);
    assert!(seeker.view().brokers[&2].up, "at 1 s broker 2 was alive");
    assert_ne!(seeker.sim().trace_hash(), straight.sim().trace_hash());
    seeker.seek(5_000_000);
    assert_eq!(seeker.now_us(), straight.now_us());
    assert_eq!(seeker.sim().trace_hash(), straight.sim().trace_hash(), "same trace hash");
    assert_eq!(picture(&seeker.view()), picture(&straight.view()), "same view state");
    assert!(!seeker.replaying());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn replaying_forward_reapplies_logged_commands_and_step_back_goes_back() {
    let mut d = played();
    d.seek(1_000_000);
    d.advance(2_200_000);
    assert!(!d.view().brokers[&2].up, "the logged crash at 2 s happens again");
    let before = d.now_us();
    d.step_back();
    assert!(d.now_us() < before && !d.playing);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_command_in_the_past_forks_a_new_future() {
    let mut d = played();
    d.seek(1_000_000);
    d.apply(Command::CrashBroker { broker: 3 }).expect("crash accepted");
    assert_eq!(d.horizon_us(), 1_000_000, "the old future is forgotten");
    assert_eq!(d.history().commands().len(), 1, "only the new command remains");
    assert!(d.history().ticks().iter().all(|t| t.at_us <= 1_000_000));
    d.advance(3_000_000);
    let v = d.view();
    assert!(v.brokers[&2].up, "broker 2's crash belonged to the old future");
    assert!(!v.brokers[&3].up);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn snapshots_stay_bounded_and_spread_logarithmically() {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, None).expect("builds");
    d.speed = 5.0;
    let mut wall = 0.0;
    for _ in 0..90 {
        wall += 300.0;
        // Each frame covers 50 ms of wall time at most: a quarter virtual second at 5×.
        d.tick(wall - 250.0, &|| 0.0);
        d.tick(wall, &|| 0.0);
    }
    let times = d.history().snapshot_times();
    assert!(times.len() <= MAX_SNAPSHOTS, "{} snapshots", times.len());
    assert!(times.len() >= MAX_SNAPSHOTS / 2, "{} snapshots", times.len());
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let (oldest, newest) = (gaps[1], gaps[gaps.len() - 1]);
    assert!(oldest > 2 * newest, "older snapshots are further apart: {gaps:?}");
    // A seek into the thinned past still lands exactly.
    let end = d.now_us();
    let hash = d.sim().trace_hash();
    d.seek(end / 3);
    assert_eq!(d.now_us(), end / 3);
    d.seek(end);
    assert_eq!(d.sim().trace_hash(), hash);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_chore_frame_that_ran_long_is_folded_but_not_drawn_and_the_next_one_is() {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, None).expect("builds");
    // With a clock that does not move, the first frame's summary is quick: it is drawn.
    assert!(d.tick(0.0, &|| 0.0).is_some(), "a quick chore frame is drawn");
    // A clock 5 ms further at each read: the next summary (due after 500 ms) makes its frame long.
    let t = std::cell::Cell::new(1_000.0);
    let slow = || { t.set(t.get() + 5.0); t.get() };
    let before = d.now_us();
    assert!(d.tick(16.7, &slow).is_none(), "a long chore frame is held");
    assert!(d.now_us() > before, "the held frame still advanced the simulation");
    assert_eq!(d.view().now_us, d.now_us(), "and folded its events into the view");
    assert!(d.tick(33.4, &slow).is_some(), "the frame after a held one is drawn");
}
