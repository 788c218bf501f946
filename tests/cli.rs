//! The native CLI: `run` prints JSON Lines and a summary; bad input exits 2 with a clear message.

use std::process::Command;

fn kafkascope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kafkascope")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn temp_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("kafkascope-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn run_prints_json_lines_then_a_summary_with_the_ledger() {
    // Past the consumer group's first rebalance (group.initial.rebalance.delay.ms = 3000).
    let (code, out, err) = kafkascope(&["run", "static/scenarios/default.json", "--until-ms", "5000"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert!(lines.len() > 10);
    for l in &lines[..lines.len() - 1] {
        assert!(l["type"].is_string() && l["atUs"].is_u64(), "{l}");
    }
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert!(summary["consumed"].as_u64().unwrap() > 0, "a record reached the consumer: {summary}");
    assert_eq!(summary["traceHash"].as_str().unwrap().len(), 16);
    for key in ["produced", "acknowledged", "ackedLost", "duplicates", "divergentReplicas"] {
        assert!(summary["ledger"][key].is_u64(), "ledger.{key} in {summary}");
    }
}

#[test]
fn seed_flag_overrides_the_scenario_seed() {
    let a = kafkascope(&["run", "static/scenarios/default.json", "--until-ms", "2000", "--seed", "1"]).1;
    let b = kafkascope(&["run", "static/scenarios/default.json", "--until-ms", "2000", "--seed", "2"]).1;
    assert_ne!(a.lines().last(), b.lines().last());
}

#[test]
fn bad_input_exits_2_and_names_the_problem() {
    let (code, _, err) = kafkascope(&["run", "no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.json"), "{err}");

    let bad = temp_file("bad.json", "{\"profile\": \"kafka-3.6\",\n \"cluster\": {\"brokers\": 3, \"config\": {\"acks\": 1}}}");
    let (code, _, err) = kafkascope(&["run", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("acks") && err.contains("line 2"), "{err}");

    let garbage = temp_file("garbage.json", "\u{0}\u{1}not json at all");
    let (code, _, err) = kafkascope(&["run", &garbage]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid scenario"), "{err}");

    let (code, _, err) = kafkascope(&["run", "static/scenarios/default.json", "--until-ms", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("--until-ms"), "{err}");

    let (code, _, err) = kafkascope(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("frobnicate"), "{err}");
}

#[test]
fn dump_log_json_marks_a_bad_crc_and_a_torn_tail() {
    // Test vector A (kafka-facts.md §8) with one value byte flipped, then 5 stray bytes.
    let mut a = hex("0000000000000000 00000040 00000000 02 db5e9cdd 0000 00000000 0000018bcfe56800 0000018bcfe56800 ffffffffffffffff ffff ffffffff 00000001 1c 00 00 00 06 6b6579 0a 76616c7565 00");
    a[70] ^= 1;
    a.extend_from_slice(&[0, 0, 0, 0, 7]);
    let path = std::env::temp_dir().join(format!("kafkascope-json-{}", std::process::id())).join("00000000000000000000.log");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &a).unwrap();
    let (code, out, err) = kafkascope(&["dump-log", "--json", &path.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["crcValid"], false);
    assert_eq!(lines[0]["crc"], 0xdb5e9cddu32);
    assert_eq!(lines[1]["truncatedAt"], 76);
    assert_eq!(lines[1]["invalidBytes"], 5);
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn help_documents_every_subcommand() {
    let (code, out, _) = kafkascope(&["--help"]);
    assert_eq!(code, 0);
    for sub in ["run", "partition", "assign", "dump-log"] {
        assert!(out.contains(&format!("kafkascope {sub}")), "help mentions {sub}");
    }
}

#[test]
fn log_dir_writes_segments_that_dump_log_reads_back() {
    let dir = std::env::temp_dir().join(format!("kafkascope-logdir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_string_lossy().into_owned();
    let (code, _, err) = kafkascope(&["run", "static/scenarios/default.json", "--until-ms", "3000", "--export", &d]);
    assert_eq!(code, 0, "{err}");
    // Every replica of orders-0 holds the same committed batches: dump the leader's and a follower's.
    let segment = |b: u32| dir.join(format!("broker-{b}/orders-0/00000000000000000000.log"));
    let dumps: Vec<String> = (1..=3)
        .filter(|b| segment(*b).exists())
        .map(|b| kafkascope(&["dump-log", "--print-data-log", &segment(b).to_string_lossy()]))
        .map(|(code, out, err)| {
            assert_eq!(code, 0, "{err}");
            out
        })
        .collect();
    assert_eq!(dumps.len(), 3, "all three brokers host orders-0");
    assert!(dumps[0].contains("baseOffset: 0") && dumps[0].contains("magic: 2") && dumps[0].contains("isvalid: true"), "{}", dumps[0]);
    assert!(dir.join("broker-1/orders-0/leader-epoch-checkpoint").exists());
    // --json: one object per batch with its records; index entries as objects.
    let (code, out, err) = kafkascope(&["dump-log", "--json", &segment(1).to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let batches: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!batches.is_empty());
    assert_eq!(batches[0]["baseOffset"], 0);
    assert_eq!(batches[0]["crcValid"], true);
    assert_eq!(batches[0]["magic"], 2);
    let rec = &batches[0]["records"][0];
    assert_eq!(rec["offset"], 0);
    assert!(rec["key"].as_str().unwrap().starts_with("key-"), "{rec}");
    assert!(rec["value"].is_string() && rec["headers"].is_array(), "{rec}");
    let _ = std::fs::remove_dir_all(&dir);
}
