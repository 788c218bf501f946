//! `kafkascope check-determinism`: the same scenario twice, and once through a half-time JSON
//! snapshot, agree event for event; a divergence is reported with its index and virtual time.
// Ref: shared/style.md "the same seed twice must agree, and the first divergence is reported with its
// virtual time".

use kafkascope::event::{Event, EventKind};
use kafkascope::trace::first_divergence;
use std::process::Command;

fn kafkascope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kafkascope")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn check_determinism_reports_the_trace_hash_of_an_agreeing_scenario() {
    let (code, out, err) = kafkascope(&["check-determinism", "static/scenarios/default.json", "--until-ms", "4000", "--seed", "7"]);
    assert_eq!(code, 0, "{out}{err}");
    let hash = out.trim().strip_prefix("deterministic: ").expect(&out);
    assert_eq!(hash.len(), 16);
    // The hash is the one `run` prints for the same seed and time.
    let (_, run_out, _) = kafkascope(&["run", "static/scenarios/default.json", "--until-ms", "4000", "--seed", "7"]);
    let summary: serde_json::Value = serde_json::from_str(run_out.lines().last().unwrap()).unwrap();
    assert_eq!(summary["traceHash"], hash);
}

#[test]
fn check_determinism_on_bad_input_exits_2() {
    let (code, _, err) = kafkascope(&["check-determinism", "no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.json"), "{err}");
    let (code, _, err) = kafkascope(&["check-determinism", "static/scenarios/default.json", "--until-ms", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("--until-ms"), "{err}");
    let (code, _, _) = kafkascope(&["check-determinism"]);
    assert_eq!(code, 2);
}

#[test]
fn check_determinism_is_listed_in_help() {
    let (code, out, _) = kafkascope(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("check-determinism FILE [--until-ms T] [--seed N]"));
}

fn ev(at_us: u64, broker: u32) -> Event {
    Event { at_us, kind: EventKind::BrokerStarted { broker } }
}

#[test]
fn first_divergence_names_the_index_time_and_both_events() {
    let a = vec![ev(1, 1), ev(5, 2), ev(9, 3)];
    let mut b = a.clone();
    assert_eq!(first_divergence(&a, &b), None);
    b[1] = ev(5, 3);
    let (i, at, both) = first_divergence(&a, &b).unwrap();
    assert_eq!((i, at), (1, 5));
    assert_eq!(both, "{\"atUs\":5,\"type\":\"brokerStarted\",\"broker\":2}\n{\"atUs\":5,\"type\":\"brokerStarted\",\"broker\":3}");
}

#[test]
fn first_divergence_of_a_shorter_trace_is_where_it_ends() {
    let a = vec![ev(1, 1), ev(5, 2)];
    let (i, at, both) = first_divergence(&a, &a[..1]).unwrap();
    assert_eq!((i, at), (1, 5));
    assert!(both.ends_with("<end of trace>"), "{both}");
}
