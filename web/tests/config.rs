//! The config tab: its rows (defaults, overrides, values altered by command), edits planned with the
//! engine's validation (a command for live topic keys, a rebuilt scenario for the rest), the
//! explanations in both languages, and the panel as rendered.
#![cfg(target_arch = "wasm32")]

mod common;

use gloo_timers::future::TimeoutFuture;
use kafkascope::command::Command;
use kafkascope::config::KEYS;
use kafkascope::scenario::Scenario;
use kafkascope_web::components::config_panel::{ConfigPanel, ConfigProps};
use kafkascope_web::config_help::explain;
use kafkascope_web::driver::DEFAULT_SCENARIO;
use kafkascope_web::i18n::Lang;
use kafkascope_web::scenario_edit::{plan, rows, targets, EditPlan, Target};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn default() -> Scenario {
    Scenario::from_json(DEFAULT_SCENARIO).expect("the default scenario parses")
}

fn row_value(s: &Scenario, t: &Target, key: &str, cmds: &[(u64, Command)]) -> (String, bool) {
    let r = rows(s, t, cmds).into_iter().find(|r| r.key == key).expect("the key has a row");
    (r.value, r.dynamic)
}

#[wasm_bindgen_test]
fn every_engine_key_has_a_one_line_explanation_in_both_languages() {
    for k in KEYS {
        let (en, zh) = (explain(Lang::En, k.name), explain(Lang::ZhTw, k.name));
        assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{}: {en:?} / {zh:?}", k.name);
    }
}

#[wasm_bindgen_test]
fn rows_show_overrides_inherited_broker_values_defaults_and_altered_values() {
    let s = default();
    let orders = Target::Topic("orders".into());
    assert_eq!(targets(&s), vec![Target::Broker, orders.clone(), Target::Producer(0), Target::Consumer(0)]);
    // default.json: acks=all and linger.ms=20 on the producer; min.insync.replicas=2 on the brokers.
    assert_eq!(row_value(&s, &Target::Producer(0), "linger.ms", &[]).0, "20");
    assert_eq!(row_value(&s, &Target::Producer(0), "batch.size", &[]).0, "16384", "kafka-3.6 default");
    assert_eq!(row_value(&s, &orders, "min.insync.replicas", &[]), ("2".to_string(), true), "inherited from the brokers, live");
    assert!(!row_value(&s, &orders, "cleanup.policy", &[]).1, "cleanup.policy needs a restart here");
    let altered = [(5_000_000, Command::AlterTopicConfig { topic: "orders".into(), key: "min.insync.replicas".into(), value: "3".into() })];
    assert_eq!(row_value(&s, &orders, "min.insync.replicas", &altered).0, "3");
}

#[wasm_bindgen_test]
fn a_live_topic_key_becomes_a_command_and_a_bad_value_is_refused_naming_the_key() {
    let s = default();
    let orders = Target::Topic("orders".into());
    let planned = plan(&s, &(orders.clone(), "min.insync.replicas".into(), " 3 ".into()), &[], 0).expect("valid");
    assert_eq!(planned, EditPlan::Command(Command::AlterTopicConfig { topic: "orders".into(), key: "min.insync.replicas".into(), value: "3".into() }));
    let e = plan(&s, &(orders, "min.insync.replicas".into(), "0".into()), &[], 0).unwrap_err();
    assert!(e.contains("min.insync.replicas") && e.contains("out of range"), "{e}");
    let e = plan(&s, &(Target::Producer(0), "acks".into(), "2".into()), &[], 0).unwrap_err();
    assert!(e.contains("acks"), "{e}");
}

#[wasm_bindgen_test]
fn a_static_key_rebuilds_the_scenario_with_the_value_and_the_commands_so_far() {
    let s = default();
    let crash = (2_500_000, Command::CrashBroker { broker: 2 });
    let later = (9_000_000, Command::RestartBroker { broker: 2 });
    let EditPlan::Rebuild(next) = plan(&s, &(Target::Producer(0), "linger.ms".into(), "100".into()), &[crash, later], 3_000_000).expect("valid") else {
        panic!("linger.ms needs a new producer: the run is rebuilt")
    };
    assert_eq!(next.producers[0].config.0 .0.get("linger.ms").map(String::as_str), Some("100"));
    let replayed: Vec<(u64, &Command)> = next.timeline.iter().map(|t| (t.at_ms, &t.command)).collect();
    assert_eq!(replayed, vec![(2_500, &Command::CrashBroker { broker: 2 })], "only commands up to now");
    // The rebuilt scenario is a valid file again.
    let text = serde_json::to_string(&*next).expect("serializes");
    assert_eq!(Scenario::from_json(&text).expect("re-parses"), *next);
}

#[wasm_bindgen_test]
async fn the_panel_renders_a_row_per_key_with_its_explanation_and_the_message() {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    let el = doc.create_element("div").expect("a div");
    doc.body().expect("a body").append_child(&el).expect("appended");
    let s = default();
    let sections = Rc::new(targets(&s).into_iter().map(|t| { let r = rows(&s, &t, &[]); (t, r) }).collect::<Vec<_>>());
    let props = ConfigProps { sections, profile: "kafka-3.6".into(), message: Some((false, "config.refused", "`acks` = \"2\" is not one of".into())), on_edit: Callback::noop() };
    yew::Renderer::<ConfigPanel>::with_root_and_props(el.clone(), props).render();
    TimeoutFuture::new(20).await;
    let input = el.query_selector("[data-testid='config-topic-orders-min.insync.replicas']").ok().flatten().expect("a min ISR input");
    assert_eq!(input.dyn_ref::<web_sys::HtmlInputElement>().map(|i| i.value()).as_deref(), Some("2"));
    let acks = el.query_selector("[data-testid='config-producer-1-acks']").ok().flatten().expect("an acks select");
    assert_eq!(acks.tag_name(), "SELECT");
    assert!(el.text_content().unwrap_or_default().contains(explain(Lang::En, "linger.ms")));
    let msg = el.query_selector("[data-testid='config-message']").ok().flatten().expect("the message");
    assert_eq!(msg.get_attribute("data-ok").as_deref(), Some("false"));
    assert!(msg.text_content().unwrap_or_default().contains("refused: `acks`"));
}

#[wasm_bindgen_test]
fn try_it_yourself_keeps_the_run_so_far_and_drops_the_rest_of_the_script_and_the_narration() {
    let lesson = Scenario::from_json(common::lesson_json("06-acks1-acked-then-lost").expect("lesson 6")).expect("parses");
    assert!(!lesson.narration.is_empty() && lesson.timeline.iter().any(|t| t.at_ms > 2_000), "lesson 6 scripts commands after 2 s");
    let issued = [(1_500_000, Command::CrashBroker { broker: 3 })];
    let free = Scenario::from_json(&kafkascope_web::scenario_edit::free_play(&lesson, &issued, 2_000_000).expect("json")).expect("a valid scenario");
    assert!(free.narration.is_empty());
    assert!(free.timeline.iter().all(|t| t.at_ms <= 2_000));
    assert!(free.timeline.iter().any(|t| t.at_ms == 1_500 && t.command == Command::CrashBroker { broker: 3 }), "the command issued is kept");
    let saved = Scenario::from_json(&kafkascope_web::scenario_edit::saved(&lesson, &issued, 2_000_000).expect("json")).expect("a valid scenario");
    assert_eq!(saved.timeline.len(), lesson.timeline.len() + 1, "save keeps the whole script and adds the command");
}
