//! The app renders into a known root, runs the default scenario and shows its three brokers.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use kafkascope_web::app::App;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn root(id: &str) -> web_sys::Element {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let el = doc.create_element("div").expect("a div");
    el.set_id(id);
    doc.body().expect("a body").append_child(&el).expect("appended");
    el
}

fn text(root: &web_sys::Element, testid: &str) -> String {
    root.query_selector(&format!("[data-testid='{testid}']"))
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_renders_three_brokers_and_runs() {
    let el = root("app-under-test");
    yew::Renderer::<App>::with_root(el.clone()).render();
    TimeoutFuture::new(50).await;
    let brokers = el.query_selector_all("[data-testid^='broker-']").expect("a selector");
    assert_eq!(brokers.length(), 3, "the default scenario has three brokers");
    for id in 1..=3 {
        let b = el.query_selector(&format!("[data-testid='broker-{id}']")).ok().flatten().expect("broker column");
        assert_eq!(b.get_attribute("data-state").as_deref(), Some("up"));
    }
    let play = el.query_selector("[data-testid='play-toggle']").ok().flatten().expect("play toggle");
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("true"), "the default scenario runs on load");
    let t0 = text(&el, "virtual-time");
    TimeoutFuture::new(400).await;
    let t1 = text(&el, "virtual-time");
    assert_ne!(t0, t1, "virtual time advances with wall time");
    assert!(!text(&el, "trace-hash").is_empty(), "the trace hash is shown");
}
