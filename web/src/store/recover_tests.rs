//! Native tests of the pure recovery: a replay of the command log reaches the run's exact state,
//! commands after the checkpoint are left out, a log of another scenario is refused, and stored
//! segments are compared with the replayed ones. `replay_time_of_long_runs` (ignored) times replays.
use super::*;
use kafkascope::command::Command;

const DEFAULT: &str = include_str!("../../../static/scenarios/default.json");

fn cmd(json: &str) -> Command {
    serde_json::from_str(json).expect("a command")
}

/// Runs `scenario` in 20 ms frames to `until_us`, applying `commands` when due; returns the sim and its log.
fn run(scenario: &Scenario, commands: &[(u64, Command)], until_us: u64) -> (Sim, String) {
    let mut sim = Sim::new(scenario).expect("scenario builds");
    let mut pending = commands.iter().peekable();
    while sim.now_us() < until_us {
        let t = (sim.now_us() + 20_000).min(until_us);
        sim.advance_to(t);
        while let Some((_, c)) = pending.next_if(|(at, _)| *at <= t) {
            sim.apply(c.clone()).expect("command applies");
        }
    }
    let log = CommandLog { at_us: until_us, scenario: Some(scenario.clone()), commands: commands.to_vec() };
    (sim, serde_json::to_string(&log).expect("log serializes"))
}

fn interrupted() -> Vec<(u64, Command)> {
    vec![(1_000_000, cmd(r#"{"type":"crashBroker","broker":2}"#)), (2_000_000, cmd(r#"{"type":"restartBroker","broker":2}"#))]
}

#[test]
fn replaying_the_command_log_reaches_the_same_trace_hash_and_segments() {
    let scenario = Scenario::from_json(DEFAULT).expect("default scenario");
    let (sim, log) = run(&scenario, &interrupted(), 3_000_000);
    let r = restore(&scenario, Some(&log), &segment_entries(&sim)).expect("restores");
    assert_eq!(r.sim.trace_hash(), sim.trace_hash());
    assert_eq!(r.sim.now_us(), 3_000_000);
    assert_eq!(r.commands, interrupted());
    assert!(r.report.is_empty() && r.segments.iter().all(|s| s.mismatch.is_none()), "{:?}", r.report);
}

#[test]
fn commands_logged_after_the_checkpoint_time_are_left_out() {
    let scenario = Scenario::from_json(DEFAULT).expect("default scenario");
    let (sim, _) = run(&scenario, &interrupted()[..1], 1_500_000);
    let log = CommandLog { at_us: 1_500_000, scenario: None, commands: interrupted() };
    let r = restore(&scenario, Some(&serde_json::to_string(&log).expect("json")), &[]).expect("restores");
    assert_eq!(r.sim.trace_hash(), sim.trace_hash());
    assert_eq!(r.commands.len(), 1);
}

#[test]
fn a_log_of_another_scenario_or_none_is_refused() {
    let scenario = Scenario::from_json(DEFAULT).expect("default scenario");
    let mut other = scenario.clone();
    other.seed += 1;
    let (_, log) = run(&other, &[], 100_000);
    assert!(restore(&scenario, Some(&log), &[]).unwrap_err().contains("another scenario"));
    assert!(restore(&scenario, None, &[]).unwrap_err().contains("no command log"));
    assert!(restore(&scenario, Some("{\"atUs\":"), &[]).unwrap_err().contains("unreadable"));
}

#[test]
fn stored_segments_are_compared_with_the_replay() {
    let scenario = Scenario::from_json(DEFAULT).expect("default scenario");
    let (sim, log) = run(&scenario, &interrupted(), 3_000_000);
    let mut stored = segment_entries(&sim);
    let (longest, _) = stored.iter().enumerate().max_by_key(|(_, (_, b))| b.len()).expect("segments");
    let first_batch = batches(&stored[longest].1).next().and_then(Result::ok).map(|(_, _, b)| b.len()).expect("a batch");
    stored[longest].1.truncate(first_batch); // a valid but shorter entry: a whole batch boundary
    let key = stored[longest].0.clone();
    stored.push(("broker-9/ghost-0/00000000000000000000.log".to_owned(), Vec::new()));
    let removed = stored.remove(0).0;
    let r = restore(&scenario, Some(&log), &stored).expect("restores");
    let check = |k: &str| r.segments.iter().find(|s| s.key == k).and_then(|s| s.mismatch.clone());
    assert!(check(&key).is_some_and(|m| m.contains("bytes kept")), "{:?}", r.segments);
    assert!(check("broker-9/ghost-0/00000000000000000000.log").is_some_and(|m| m.contains("not in the replayed run")));
    assert!(r.report.iter().any(|l| l.contains("1 replayed segments were not stored")), "{removed}: {:?}", r.report);
    assert_eq!(r.segments.iter().filter(|s| s.mismatch.is_some()).count(), 2);
}

/// Wall time of a restore of long runs (engine at the test profile's opt-level 2):
/// `cargo test -p kafkascope-web --lib replay_time -- --ignored --nocapture`.
#[test]
#[ignore]
fn replay_time_of_long_runs() {
    let cases = [
        ("10 simulated minutes at 500 records/s", include_str!("../../../static/scenarios/bench/frames.json"), 600_000_000),
        ("a simulated day of the idle cluster", include_str!("../../../static/scenarios/bench/idle.json"), 86_400_000_000),
    ];
    for (what, json, at_us) in cases {
        let scenario = Scenario::from_json(json).expect("bench scenario");
        let log = serde_json::to_string(&CommandLog { at_us, scenario: None, commands: Vec::new() }).expect("json");
        let start = std::time::Instant::now();
        let (scenario, log) = plan(&scenario, Some(&log)).expect("plan");
        let mut replay = Replay::start(&scenario, log).expect("start");
        while !replay.step(REPLAY_STEP_US).expect("step") {}
        let replayed = start.elapsed();
        let (sim, _) = replay.finish();
        let stored = segment_entries(&sim);
        let (checks, report) = check_against(&sim, &stored);
        let total = start.elapsed();
        let bytes: usize = stored.iter().map(|(_, b)| b.len()).sum();
        println!("replay of {what}: {:.2} s, plus checking {} segments ({:.1} MB): {:.2} s", replayed.as_secs_f64(), checks.len(), bytes as f64 / 1e6, total.as_secs_f64());
        assert_eq!(sim.now_us(), at_us);
        assert!(report.is_empty(), "{report:?}");
    }
}
