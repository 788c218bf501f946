//! Share links and lessons: round trips, and hostile fragments that must give a message, never a panic.
//! Runs natively (`cargo test -p kafkascope-web --test permalink`) and in a headless browser.

use kafkascope::sim::Sim;
use kafkascope_web::driver::DEFAULT_SCENARIO;
mod common;

use common::{lesson, lesson_json, INDEX, LESSON_FILES};
use kafkascope_web::lessons::{choose, current_step, index_from, narration, share_fragment};
use kafkascope_web::permalink::{base64url_decode, base64url_encode, encode, parse, Permalink, Source, MAX_SCENARIO_BYTES};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_lesson_link_round_trips_with_seed_and_time() {
    let link = Permalink { source: Source::Lesson("06-acks1-acked-then-lost".into()), seed: Some(7), t_ms: Some(12_000) };
    let f = encode(&link).unwrap();
    assert_eq!(f, "lesson=06-acks1-acked-then-lost&seed=7&t=12000");
    assert_eq!(parse(&format!("#{f}")).unwrap(), Some(link));
    assert_eq!(parse("").unwrap(), None);
    assert_eq!(parse("#").unwrap(), None);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_scenario_link_carries_the_compressed_json_and_reproduces_the_same_run() {
    let f = share_fragment(None, DEFAULT_SCENARIO, 99, 3_000_000).unwrap();
    assert!(f.starts_with("scenario=") && f.ends_with("&seed=99&t=3000"), "{f}");
    assert!(f.len() < DEFAULT_SCENARIO.len(), "compressed: {} vs {}", f.len(), DEFAULT_SCENARIO.len());
    let c = choose(&format!("#{f}"), "{}", lesson);
    assert_eq!((c.json.as_str(), c.seed, c.t_ms, c.problem), (DEFAULT_SCENARIO, Some(99), Some(3_000), None));
    // Same scenario, seed and time: the same trace hash.
    let hash = |json: &str| {
        let mut s = kafkascope::scenario::Scenario::from_json(json).unwrap();
        s.seed = 99;
        let mut sim = Sim::new(&s).unwrap();
        sim.advance_to(3_000_000);
        sim.trace_hash()
    };
    assert_eq!(hash(&c.json), hash(DEFAULT_SCENARIO));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn base64url_round_trips_every_length() {
    for n in 0..40u8 {
        let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
        let text = base64url_encode(&bytes);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{text}");
        assert_eq!(base64url_decode(&text), Some(bytes));
    }
    assert_eq!(base64url_encode(b"Man"), "TWFu");
    assert_eq!(base64url_decode("TWE="), Some(b"Ma".to_vec()));
    assert_eq!(base64url_decode("A"), None);
    assert_eq!(base64url_decode("ab+/"), None, "standard base64 characters are not base64url");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn hostile_fragments_give_a_message_not_a_panic() {
    let bomb = base64url_encode(&miniz_oxide::deflate::compress_to_vec(&vec![b'{'; MAX_SCENARIO_BYTES * 4], 9));
    let not_json = base64url_encode(&miniz_oxide::deflate::compress_to_vec(b"not json at all", 9));
    let bad_scenario = base64url_encode(&miniz_oxide::deflate::compress_to_vec(br#"{"profile": "kafka-3.6", "cluster": {"brokers": 99}}"#, 9));
    let cases: Vec<(String, &str)> = vec![
        ("lesson".into(), "not key=value"),
        ("lesson=".into(), "not valid"),
        ("lesson=../../etc/passwd".into(), "not valid"),
        ("lesson=<script>".into(), "not valid"),
        ("lesson=01-queue-vs-pubsub&lesson=02-partitions-spread-load".into(), "twice"),
        ("lesson=01-queue-vs-pubsub&seed=-1".into(), "seed"),
        ("lesson=01-queue-vs-pubsub&seed=99999999999999999999999".into(), "seed"),
        ("lesson=01-queue-vs-pubsub&t=1e9".into(), "time"),
        ("lesson=01-queue-vs-pubsub&t=999999999999".into(), "one-hour"),
        ("lesson=01-queue-vs-pubsub&evil=1".into(), "unknown part"),
        ("seed=7".into(), "no lesson or scenario"),
        ("scenario=%%%%".into(), "base64url"),
        ("scenario=AAAA".into(), "decompressed"),
        (format!("scenario={bomb}"), "decompressed"),
        ("x".repeat(100_000), "too long"),
        (format!("scenario={}", "A".repeat(20_000)), "too long"),
        ("lesson=01-queue-vs-pubsub&t=5&t=6".into(), "twice"),
        ("\u{0}\u{ffff}=\u{202e}".into(), "unknown part"),
    ];
    for (fragment, want) in &cases {
        let err = parse(fragment).expect_err(&fragment.chars().take(60).collect::<String>());
        assert!(err.contains(want), "{:?}: {err}", fragment.chars().take(60).collect::<String>());
        assert!(err.len() < 300, "messages stay short: {err}");
        // The page falls back to the default scenario and says why.
        let c = choose(fragment, DEFAULT_SCENARIO, lesson);
        assert_eq!(c.json, DEFAULT_SCENARIO);
        assert!(c.problem.as_deref().is_some_and(|p| p.contains(want)), "{:?}", c.problem);
    }
    for (fragment, want) in [
        ("lesson=99-no-such-lesson".to_owned(), "unknown lesson"),
        (format!("scenario={not_json}"), "not valid"),
        (format!("scenario={bad_scenario}"), "not valid"),
    ] {
        let c = choose(&fragment, DEFAULT_SCENARIO, lesson);
        assert_eq!(c.json, DEFAULT_SCENARIO);
        assert!(c.problem.as_deref().is_some_and(|p| p.contains(want)), "{fragment}: {:?}", c.problem);
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_indexed_lesson_is_served_beside_the_page_with_narration() {
    let idx = index_from(INDEX);
    assert_eq!(idx.len(), LESSON_FILES.len());
    for (row, (id, json)) in idx.iter().zip(LESSON_FILES) {
        assert_eq!(&row.id, id);
        assert!(!row.title.0.is_empty() && !row.title.1.is_empty() && row.end_ms > 0);
        assert_eq!(lesson_json(id), Some(*json));
        let steps = narration(json);
        assert!(steps.len() >= 3, "{id}");
        assert_eq!(current_step(&steps, 0), (steps[0].at_ms == 0).then_some(0));
        assert_eq!(current_step(&steps, u64::MAX), Some(steps.len() - 1));
        let c = choose(&format!("lesson={id}&seed=5"), DEFAULT_SCENARIO, lesson);
        assert_eq!((c.lesson.as_deref(), c.seed, c.problem), (Some(*id), Some(5), None));
    }
}

/// The page serves the lesson folder as it is (web/index.html copies it to dist/lessons/): every file
/// there is a lesson of the index, so a lesson added to the folder cannot be missing from the picker.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_served_lesson_folder_holds_exactly_the_indexed_lessons() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../static/scenarios/lessons");
    let mut files: Vec<String> = std::fs::read_dir(dir).expect("lesson folder").map(|e| e.expect("entry").file_name().into_string().expect("utf-8 name")).collect();
    files.sort();
    let mut want: Vec<String> = index_from(INDEX).iter().map(|l| format!("{}.json", l.id)).chain(["index.json".to_owned()]).collect();
    want.sort();
    assert_eq!(files, want);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn an_index_that_is_not_json_lists_no_lessons_and_a_row_without_an_id_is_skipped() {
    assert!(index_from("").is_empty());
    assert!(index_from("<html>404</html>").is_empty());
    let rows = index_from(r#"{"lessons": [{"title": {"en": "no id"}}, {"id": "x-1", "endMs": 5}]}"#);
    assert_eq!(rows.iter().map(|l| (l.id.as_str(), l.end_ms)).collect::<Vec<_>>(), [("x-1", 5)]);
}
