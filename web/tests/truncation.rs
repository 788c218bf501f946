//! A truncation keeps the cut runs so the strip can draw them falling away once, where they were.
//! Runs natively (`cargo test`) and in a headless browser (`wasm-pack test --headless --chrome`).

use kafkascope::event::{Event, EventKind};
use kafkascope_web::view_model::{Action, EpochRange, ViewState};
use std::rc::Rc;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;
use yew::Reducible;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// Broker 3 holds offsets 0–9 (epoch 0), then truncates to 6 (diverging epoch).
fn truncated() -> Rc<ViewState> {
    let t = || kafkascope::ids::Topic::from("orders");
    let events = vec![
        Event { at_us: 0, kind: EventKind::TopicCreated { topic: t(), replication_factor: 3, assignment: vec![vec![1, 2, 3]] } },
        Event { at_us: 10, kind: EventKind::RecordsAppended { broker: 3, topic: t(), partition: 0, base_offset: 0, last_offset: 9, leader_epoch: 0, log_end_offset: 10, as_leader: false } },
        Event { at_us: 500, kind: EventKind::LogTruncated { broker: 3, topic: t(), partition: 0, offset: 6, removed: 4, reason: "diverging epoch".into() } },
    ];
    Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 600, events, summary: None, flight_min_us: 0 })
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_truncation_keeps_the_cut_cells_to_draw_them_falling() {
    // Ref: kafka-facts.md §4 (a follower truncates to the diverging epoch's end offset).
    let s = truncated();
    let log = &s.partitions[&("orders".into(), 0)].logs[&3];
    assert_eq!(log.leo, 6);
    assert_eq!(log.ranges, vec![EpochRange { start: 0, end: 6, epoch: 0 }]);
    assert_eq!(log.fallen, Some((500, vec![EpochRange { start: 6, end: 10, epoch: 0 }])), "offsets 6–9 fell");
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test]
async fn the_strip_draws_each_cut_cell_once_as_falling() {
    use kafkascope_web::components::strip::{ReplicaStrip, StripProps};
    let s = truncated();
    let log = s.partitions[&("orders".into(), 0)].logs[&3].clone();
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let el = doc.create_element("div").expect("a div");
    doc.body().expect("a body").append_child(&el).expect("appended");
    let props = StripProps { log, max_leo: 10, x: 0.0, y: 0.0, width: 400.0, online: true, in_sync: true, on_record: Default::default() };
    yew::Renderer::<ReplicaStrip>::with_root_and_props(el.clone(), props).render();
    gloo_timers::future::TimeoutFuture::new(20).await;
    let fallen = el.query_selector_all(".fallen").expect("a selector");
    let offsets: Vec<String> = (0..fallen.length()).filter_map(|i| fallen.item(i)).filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok()).filter_map(|e| e.get_attribute("data-offset")).collect();
    assert_eq!(offsets, vec!["6", "7", "8", "9"]);
    assert_eq!(el.query_selector_all(".cell").map(|c| c.length()).ok(), Some(6), "the kept cells 0–5");
}
