//! The charts' series are folded from the engine's own events into the view state, stay bounded,
//! and render as SVG polylines with the safety alarm; the sequence diagram draws the recent messages.
//! Runs in a headless browser (`wasm-pack test --headless --chrome`); the reducer tests also natively.

use kafkascope::event::{Event, EventKind, MessageKind};
use kafkascope::ids::NodeId;
use kafkascope_web::driver::{Driver, DEFAULT_SCENARIO};
use kafkascope_web::series::MAX_POINTS;
use kafkascope_web::sequence_log::MAX_MESSAGES;
use kafkascope_web::view_model::{Action, Ledger, ViewState};
use std::rc::Rc;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;
use yew::Reducible;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// The default scenario's view after `ms` of virtual time.
fn default_view(ms: u64) -> Rc<ViewState> {
    let mut d = Driver::from_json(DEFAULT_SCENARIO, None).expect("the default scenario builds");
    d.advance(ms * 1_000);
    d.view()
}

fn metrics(at_us: u64, records_per_sec: u64) -> Event {
    let kind = EventKind::ProducerMetrics {
        producer: 1,
        records_per_sec,
        bytes_per_sec: records_per_sec * 100,
        batches_sent: 1,
        batch_fill_permille: 250,
        compression_permille: 600,
        latency_p50_us: 2_000,
        latency_p99_us: 9_000,
    };
    Event { at_us, kind }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_default_scenario_charts_its_producer_rate_and_consumer_lag() {
    let v = default_view(8_000);
    let p = &v.charts.producers[&1];
    // The workload sends 20 records/s (static/scenarios/default.json); one point per virtual second.
    let rate = p.records_per_sec.last().expect("a records/s point");
    assert!((15..=25).contains(&rate), "records/s near the workload's 20: {rate}");
    assert!(p.records_per_sec.points.len() >= 5, "about one point per second: {:?}", p.records_per_sec.points);
    assert!(p.latency_p99_us.last() >= p.latency_p50_us.last(), "p99 ≥ p50");
    let fill = p.batch_fill_permille.last().expect("a fill point");
    assert!((1..=1000).contains(&fill), "batch fill is a per mille of batch.size: {fill}");
    assert!(p.compression_permille.last().is_some_and(|c| c <= 1000), "compressed ≤ uncompressed");
    assert!(!v.charts.lag.is_empty(), "the consumer reports lag for its partitions");
    assert!(v.charts.lag.keys().all(|(c, (t, _))| *c == 1 && t == "orders"), "{:?}", v.charts.lag.keys());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn series_stay_bounded_and_the_ledger_alarm_is_sampled_from_the_summary() {
    let events: Vec<Event> = (0..MAX_POINTS as u64 + 30).map(|i| metrics(i * 1_000_000, i)).collect();
    let mut s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 200_000_000, events, summary: None, flight_min_us: 0 });
    let rps = &s.charts.producers[&1].records_per_sec;
    assert_eq!(rps.points.len(), MAX_POINTS, "bounded");
    assert_eq!(rps.points.front(), Some(&(30_000_000, 30)), "the oldest fell off");
    assert_eq!(rps.last(), Some(MAX_POINTS as i64 + 29));
    for (at, lost) in [(201_000_000, 0), (202_000_000, 1)] {
        let ledger = Ledger { acked_lost: Some(lost), duplicates: Some(0), ..Ledger::default() };
        s = s.reduce(Action::Frame { now_us: at, events: vec![], summary: Some((ledger, "h".into())), flight_min_us: 0 });
    }
    assert_eq!(s.charts.acked_lost.points.iter().copied().collect::<Vec<_>>(), vec![(201_000_000, 0), (202_000_000, 1)]);
    assert_eq!(s.charts.duplicates.last(), Some(0));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_sequence_log_keeps_the_latest_messages_without_heartbeats_and_marks_drops() {
    let sent = |msg: u64, kind| Event {
        at_us: msg * 10,
        kind: EventKind::MessageSent { msg, from: NodeId::Producer(1), to: NodeId::Broker(1), kind, bytes: 10, arrive_at_us: msg * 10 + 500 },
    };
    let mut events: Vec<Event> = (1..=MAX_MESSAGES as u64 + 5).map(|m| sent(m, MessageKind::Produce)).collect();
    events.push(sent(1_000, MessageKind::GroupHeartbeat));
    events.push(Event { at_us: 700, kind: EventKind::MessageDropped { msg: MAX_MESSAGES as u64, reason: "link cut".into() } });
    let s = Rc::new(ViewState::default()).reduce(Action::Frame { now_us: 1_000, events, summary: None, flight_min_us: 0 });
    let log = &s.sequence.messages;
    assert_eq!(log.len(), MAX_MESSAGES);
    assert_eq!(log.front().map(|f| f.msg), Some(6), "the oldest five fell off");
    assert!(log.iter().all(|f| f.kind == MessageKind::Produce), "heartbeats are left out");
    assert_eq!(log.iter().find(|f| f.msg == MAX_MESSAGES as u64).and_then(|f| f.dropped_us), Some(700));
}

#[cfg(target_arch = "wasm32")]
mod render {
    use super::*;
    use gloo_timers::future::TimeoutFuture;
    use kafkascope_web::components::charts::{Charts, ChartsProps};
    use kafkascope_web::components::sequence::{Sequence, SequenceProps};
    use kafkascope_web::series::ChartSeries;

    fn root() -> web_sys::Element {
        let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
        let el = doc.create_element("div").expect("a div");
        doc.body().expect("a body").append_child(&el).expect("appended");
        el
    }

    fn one(el: &web_sys::Element, sel: &str) -> web_sys::Element {
        el.query_selector(sel).ok().flatten().unwrap_or_else(|| panic!("{sel} in {}", el.inner_html()))
    }

    #[wasm_bindgen_test]
    async fn the_charts_draw_one_polyline_point_per_sample_and_raise_the_alarm() {
        let mut series: ChartSeries = default_view(8_000).charts.clone();
        let el = root();
        yew::Renderer::<Charts>::with_root_and_props(el.clone(), ChartsProps { series: series.clone() }).render();
        TimeoutFuture::new(20).await;
        let line = one(&el, "[data-testid='chart-records'] polyline[data-series='P1']");
        let pts = line.get_attribute("points").unwrap_or_default();
        assert_eq!(pts.split(' ').count(), series.producers[&1].records_per_sec.points.len(), "one vertex per point: {pts}");
        for chart in ["bytes", "latency", "fill", "compression", "lag"] {
            assert!(el.query_selector(&format!("[data-testid='chart-{chart}'] polyline")).ok().flatten().is_some(), "{chart} drawn");
        }
        assert_eq!(el.query_selector_all("[data-testid='chart-latency'] polyline").map(|l| l.length()).ok(), Some(2), "p50 and p99");
        assert_eq!(one(&el, "[data-testid='charts-alarm']").get_attribute("data-alarm").as_deref(), Some("false"));

        series.sample_ledger(9_000_000, &Ledger { acked_lost: Some(1), duplicates: Some(0), ..Ledger::default() });
        let el = root();
        yew::Renderer::<Charts>::with_root_and_props(el.clone(), ChartsProps { series }).render();
        TimeoutFuture::new(20).await;
        let alarm = one(&el, "[data-testid='charts-alarm']");
        assert_eq!(alarm.get_attribute("data-alarm").as_deref(), Some("true"));
        assert!(alarm.text_content().unwrap_or_default().contains("acked-then-lost 1"), "{:?}", alarm.text_content());
    }

    #[wasm_bindgen_test]
    async fn the_sequence_diagram_draws_a_lifeline_per_node_and_an_arrow_per_message() {
        let v = default_view(3_000);
        let el = root();
        yew::Renderer::<Sequence>::with_root_and_props(el.clone(), SequenceProps { log: v.sequence.clone(), now_us: v.now_us }).render();
        TimeoutFuture::new(20).await;
        let arrows = el.query_selector_all("[data-testid='sequence-tab'] .msg").expect("a selector").length() as usize;
        assert_eq!(arrows, v.sequence.messages.len(), "one arrow per message kept");
        assert!(arrows > 10 && arrows <= MAX_MESSAGES);
        // The window is the latest messages only: the producer and the three brokers are always in it.
        for node in ["producer-1", "broker-1", "broker-2", "broker-3"] {
            assert!(el.query_selector(&format!(".lifeline[data-node='{node}']")).ok().flatten().is_some(), "{node}: {}", el.inner_html());
        }
        let lifelines = el.query_selector_all(".lifeline").expect("a selector").length() as usize;
        let nodes: std::collections::BTreeSet<_> = v.sequence.messages.iter().flat_map(|f| [f.from, f.to]).collect();
        assert_eq!(lifelines, nodes.len(), "one lifeline per node that sent or received");
        assert!(el.query_selector(".msg[data-kind='Produce']").ok().flatten().is_some(), "a Produce arrow");
    }
}
