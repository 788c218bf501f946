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

/// Waits (up to 5 s) until `cond` holds; headless frames can be slow.
async fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if cond() {
            return true;
        }
        TimeoutFuture::new(50).await;
    }
    cond()
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
    TimeoutFuture::new(20).await;
    let brokers = el.query_selector_all("[data-testid^='broker-']").expect("a selector");
    assert_eq!(brokers.length(), 3, "the default scenario has three brokers; page: {}", el.inner_html());
    for id in 1..=3 {
        let b = el.query_selector(&format!("[data-testid='broker-{id}']")).ok().flatten().expect("broker column");
        assert_eq!(b.get_attribute("data-state").as_deref(), Some("up"));
    }
    let play = el.query_selector("[data-testid='play-toggle']").ok().flatten().expect("play toggle");
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("true"), "the default scenario runs on load");
    let t0 = text(&el, "virtual-time");
    assert!(eventually(|| text(&el, "virtual-time") != t0).await, "virtual time advances with wall time");
    assert!(!text(&el, "trace-hash").is_empty(), "the trace hash is shown");

    // Clicking a broker crashes it through a Command; the engine's BrokerStopped shows it down.
    let b2 = el.query_selector("[data-testid='broker-2']").ok().flatten().expect("broker 2");
    let click = web_sys::MouseEvent::new("click").expect("a click event");
    b2.dispatch_event(&click).expect("dispatched");
    let down = || {
        el.query_selector("[data-testid='broker-2']").ok().flatten().and_then(|b| b.get_attribute("data-state")).as_deref() == Some("down")
    };
    assert!(eventually(down).await, "broker 2 is drawn down after the click");
}
