//! The record inspector's query answers from the running engine: key, why this partition, batch,
//! holders, committed or not, and the safety ledger's word; the inspector shows it.
//! Runs natively (`cargo test`) and in a headless browser (`wasm-pack test --headless --chrome`).

mod common;

use kafkascope_web::driver::{Driver, DEFAULT_SCENARIO};
use kafkascope_web::inspect::{inspect, Selection};
use kafkascope_web::record_query::{record_at, Holding, LedgerStatus, Why};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

fn run(json: &str, ms: u64) -> Driver {
    let mut d = Driver::from_json(json, None).expect("the scenario builds");
    d.advance(ms * 1_000);
    d
}

fn lesson_06() -> Driver {
    run(common::lesson_json("06-acks1-acked-then-lost").expect("lesson 6 ships"), 12_000)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_keyed_record_of_the_default_scenario_is_placed_by_murmur2_committed_and_on_every_replica() {
    // Ref: kafka-facts.md §1 (toPositive(murmur2(key)) % partitions), §4 (HW).
    let d = run(DEFAULT_SCENARIO, 8_000);
    let tp = d.sim().partitions().keys().find(|k| k.topic == "orders" && k.partition == 1).expect("orders-1").clone();
    let leader = d.sim().partitions()[&tp].leader.expect("a leader");
    let r = record_at(d.sim(), leader, "orders", 1, 0).expect("offset 0 on the leader");
    assert!(r.key.as_deref().is_some_and(|k| k.starts_with("key-")), "uniform keys: {:?}", r.key);
    let key = r.key.clone().unwrap_or_default();
    assert_eq!(kafkascope::producer::partitioner::partition_for_key(key.as_bytes(), 3), 1, "{key} hashes to partition 1");
    assert!(matches!(r.why, Why::Murmur2 { partitions: 3, .. }), "{:?}", r.why);
    assert_eq!(r.batch.0, 0, "the first batch starts at offset 0");
    assert_eq!(r.holders.len(), 3);
    assert!(r.holders.iter().all(|(_, h)| *h == Holding::Same), "replicated everywhere: {:?}", r.holders);
    assert!(r.committed, "offset 0 is below the HW after 8 s");
    assert_eq!((r.ledger, r.copies_in_leader), (LedgerStatus::Acked, 1));
    assert!(record_at(d.sim(), leader, "orders", 1, 1_000_000).is_none(), "no record past the log end");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_acks1_record_left_on_the_crashed_leader_is_acked_then_lost_and_uncommitted() {
    // Lesson 6: "world" (offset 1) was acknowledged by broker 1 alone; broker 2 now leads without it.
    let d = lesson_06();
    let r = record_at(d.sim(), 1, "orders", 0, 1).expect("broker 1's page cache still holds offset 1");
    assert_eq!(r.value.as_deref(), Some("world"));
    assert_eq!(r.why, Why::NullKey);
    assert_eq!(r.holders, vec![(1, Holding::Same), (2, Holding::Missing), (3, Holding::Missing)]);
    assert_eq!(r.leader.map(|l| l.0), Some(2));
    assert!(!r.committed);
    assert_eq!((r.ledger, r.copies_in_leader), (LedgerStatus::AckedThenLost, 0));
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test]
async fn the_inspector_shows_the_clicked_record_with_its_ledger_status() {
    use kafkascope_web::components::inspector::{Inspector, InspectorProps};
    let d = lesson_06();
    let sel = Selection { broker: 1, topic: "orders".into(), partition: 0, segment: None, lookup: None, record: Some(1) };
    let data = inspect(d.sim(), &sel).map(std::rc::Rc::new);
    assert!(data.as_ref().is_some_and(|i| i.record.is_some()), "the inspection carries the record");
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let el = doc.create_element("div").expect("a div");
    doc.body().expect("a body").append_child(&el).expect("appended");
    let props = InspectorProps { data, selected: true, on_segment: Default::default(), on_lookup: Default::default(), on_download: Default::default() };
    yew::Renderer::<Inspector>::with_root_and_props(el.clone(), props).render();
    gloo_timers::future::TimeoutFuture::new(20).await;
    let view = el.query_selector("[data-testid='record-view']").ok().flatten().expect("the record view");
    assert_eq!(view.get_attribute("data-ledger").as_deref(), Some("AckedThenLost"));
    assert_eq!(view.get_attribute("data-committed").as_deref(), Some("false"));
    let holders = el.query_selector_all("[data-testid='record-holders'] .holder").expect("a selector");
    assert_eq!(holders.length(), 3);
    assert!(el.query_selector("[data-testid='inspector'] .batches").ok().flatten().is_some(), "the segment view stays below it");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_inspection_of_a_record_selection_carries_the_record_and_its_segment() {
    let d = lesson_06();
    let sel = Selection { broker: 1, topic: "orders".into(), partition: 0, segment: None, lookup: None, record: Some(1) };
    let i = inspect(d.sim(), &sel).expect("broker 1 has a log");
    assert_eq!(i.record.map(|r| r.offset), Some(1));
    assert_eq!(i.segment, 0, "the segment holding offset 1");
}
