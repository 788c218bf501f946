//! A dropped `.log` file is decoded with the engine's decoder; a damaged one shows the decoder's
//! error with its byte position, and the view renders both.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use kafkascope_web::driver::{Driver, DEFAULT_SCENARIO};
use kafkascope_web::inspect::{segment_log, Selection};
use kafkascope_web::log_drop::{open_log, DroppedLogView, DroppedProps};
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Broker 1's first `orders-0` segment after 3 virtual seconds of the default scenario.
fn segment() -> Vec<u8> {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, None).expect("the default scenario");
    d.advance(3_000_000);
    let sel = Selection { broker: 1, topic: "orders".into(), partition: 0, segment: None, lookup: None, record: None };
    segment_log(d.sim(), &sel, 0).expect("a segment").1
}

#[wasm_bindgen_test]
fn a_segment_the_engine_wrote_decodes_without_error() {
    let bytes = segment();
    let log = open_log("00000000000000000000.log", &bytes);
    assert_eq!(log.error, None);
    assert!(!log.batches.is_empty());
    assert_eq!(log.batches[0].base_offset, 0);
    assert_eq!(log.batches.iter().map(|b| b.size).sum::<usize>(), bytes.len(), "every byte belongs to a batch");
}

#[wasm_bindgen_test]
fn a_flipped_byte_is_a_crc_error_and_a_cut_file_is_truncated_both_at_their_byte() {
    let mut bytes = segment();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let e = open_log("x.log", &bytes).error.expect("the CRC no longer matches");
    assert!(e.to_lowercase().contains("crc"), "{e}");
    let cut = &segment()[..40];
    let e = open_log("x.log", cut).error.expect("truncated");
    assert!(e.starts_with("byte 0:") && e.contains("truncated"), "{e}");
    let e = open_log("x.log", b"{\"not\": \"a log at all, just some json text\"}\n\n\n\n\n\n\n\n\n\n").error.expect("not a batch");
    assert!(e.contains("magic") || e.contains("invalid"), "{e}");
}

#[wasm_bindgen_test]
async fn the_view_shows_the_batches_and_the_error() {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let el = doc.create_element("div").expect("a div");
    doc.body().expect("a body").append_child(&el).expect("appended");
    let mut bytes = segment();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let props = DroppedProps { log: Rc::new(open_log("00000000000000000000.log", &bytes)) };
    yew::Renderer::<DroppedLogView>::with_root_and_props(el.clone(), props).render();
    TimeoutFuture::new(20).await;
    let error = el.query_selector("[data-testid='dropped-log-error']").ok().flatten().expect("the decoder's error");
    assert!(error.text_content().unwrap_or_default().contains("not a valid Kafka .log"));
    assert!(el.query_selector_all(".batches tr").map(|l| l.length()).unwrap_or(0) >= 1);
}
