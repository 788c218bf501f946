//! The trace line writer writes every event of every shipped and test scenario byte for byte as
//! serde_json does (the trace hash is defined over serde_json's line).

mod common;

use kafkascope::event::Event;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use kafkascope::time::ms;
use kafkascope::trace::line::{write_event, KeyCache};

fn scenarios() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = common::lesson_files::LESSON_FILES.iter().map(|(id, json)| (id.to_string(), json.to_string())).collect();
    for dir in ["static/scenarios", "static/scenarios/bench", "tests/scenarios"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut files: Vec<_> = std::fs::read_dir(&path).expect("scenario folder").flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.extension().is_some_and(|x| x == "json")) {
            all.push((file.display().to_string(), std::fs::read_to_string(&file).expect("readable")));
        }
    }
    all
}

#[test]
fn every_event_of_every_scenario_is_written_exactly_as_serde_json_writes_it() {
    let (mut events, mut kinds) = (0usize, std::collections::BTreeSet::new());
    for (name, json) in scenarios() {
        let scenario = Scenario::from_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut sim = Sim::new(&scenario).unwrap_or_else(|e| panic!("{name}: {e}"));
        let until = if name.contains("bench") { 1_000 } else { 20_000 };
        let (mut line, mut keys) = (Vec::new(), KeyCache::default());
        for event in sim.advance_to(ms(until)) {
            line.clear();
            write_event(&mut line, &event, &mut keys).unwrap_or_else(|_| panic!("{name}: the fast writer refused {event:?}"));
            let expected = serde_json::to_vec(&event).unwrap();
            assert_eq!(String::from_utf8_lossy(&line), String::from_utf8_lossy(&expected), "{name} at {} µs", event.at_us);
            events += 1;
            kinds.insert(kind_name(&event));
        }
    }
    assert!(events > 100_000, "the scenarios produced {events} events");
    assert!(kinds.len() >= 30, "many event kinds were compared: {kinds:?}");
}

fn kind_name(e: &Event) -> String {
    let v = serde_json::to_value(e).unwrap();
    v["type"].as_str().unwrap_or_default().to_string()
}
