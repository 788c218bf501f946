//! The page: wires the driver's frames into the view state and the components' callbacks into
//! commands, seeks and read-only queries.
//!
//! Data flows one way: UI command → engine → events → view state → render.

use crate::components::clients::{leader_hws, Consumers, Producers};
use crate::components::cluster::{Cluster, ClusterFrame};
use crate::components::flights::Flights;
use crate::components::help::HelpOverlay;
use crate::components::inspector::InspectorProps;
use crate::components::ledger::LedgerLine;
use crate::components::menu::FaultMenu;
use crate::components::side_panel::{HandRecord, SidePanel, Tab};
use crate::components::timeline::Timeline;
use crate::components::top_bar::TopBar;
use crate::driver::{performance_now, Driver, FrameLoop, DEFAULT_SCENARIO};
use crate::history::TickKind;
use crate::hooks::{download, KeyListener};
use crate::i18n::Lang;
use crate::inspect::{inspect, segment_log, Inspection, Selection};
use crate::layout::{seconds, HATCH_IDS, OKABE_ITO, SCENE_H, SCENE_W};
use crate::links::{MenuItem, MenuTarget};
use crate::view_model::{Action, PartKey, ViewState};
use kafkascope::command::Command;
use kafkascope::ids::BrokerId;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The driver slot: a running simulation, or why it could not be built.
type DriverSlot = Rc<RefCell<Result<Driver, String>>>;

/// How every layer of the scene fits its viewBox into the stage (the same for all, so they line up).
const ASPECT: &str = "xMidYMin meet";

/// Wall time (ms) between two refreshes of the inspector while time runs.
const INSPECT_EVERY_MS: f64 = 500.0;

/// Runs `f` on the driver and dispatches the action it returns, if any (the borrow ends first).
fn with_driver(slot: &DriverSlot, state: &UseReducerHandle<ViewState>, f: impl FnOnce(&mut Driver) -> Option<Action>) {
    let action = match slot.try_borrow_mut() {
        Ok(mut d) => d.as_mut().ok().and_then(f),
        Err(_) => None,
    };
    if let Some(a) = action {
        state.dispatch(a);
    }
}

/// Whether a key event comes from a text field (shortcuts leave those alone).
fn typing(e: &KeyboardEvent) -> bool {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    match el.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => el.get_attribute("type").as_deref() != Some("range") || e.key().starts_with("Arrow"),
        "BUTTON" => e.key() == " " || e.key() == "Enter",
        _ => false,
    }
}

/// The whole page: top bar, safety ledger, the scene, the side panel and the timeline.
#[function_component(App)]
pub fn app() -> Html {
    // A share link or lesson in the URL fragment picks what runs (crate::lessons, crate::permalink).
    let choice = use_memo((), |_| crate::lessons::choose(&crate::lessons::location_hash(), DEFAULT_SCENARIO, crate::lessons::prefetched));
    let start_us = choice.t_ms.unwrap_or(0).saturating_mul(1000);
    let slot: DriverSlot = use_mut_ref(|| {
        let mut d = Driver::from_json(&choice.json, choice.seed);
        if let Ok(d) = d.as_mut() {
            d.playing = start_us == 0; // a link to a moment opens paused there
            d.attach_store(crate::store::Store::new("kafkascope"));
        }
        d
    });
    let state = {
        let slot = slot.clone();
        // The first frame (time 0, or a share link's moment) is folded in before the first render.
        use_reducer(move || {
            let first = slot.try_borrow_mut().ok().and_then(|mut d| d.as_mut().ok().map(|d| d.advance(start_us)));
            let s = Rc::new(ViewState::default());
            Rc::unwrap_or_clone(match first {
                Some(a) => s.reduce(a),
                None => s,
            })
        })
    };
    let note = use_state(|| choice.problem.clone());
    let lang = use_state(Lang::default);
    let menu = use_state(|| None::<(MenuTarget, f64, f64)>);
    let help = use_state(|| false);
    let presenter = use_state(|| false);
    let panel = use_state(|| None::<Tab>);
    let selection = use_state(|| None::<Selection>);
    let filter = use_state(|| None::<TickKind>);
    let cache = use_mut_ref(|| (None::<Selection>, 0u64, f64::MIN, None::<Rc<Inspection>>));
    let redraw = use_force_update();

    {
        let (slot, dispatcher) = (slot.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let frames = FrameLoop::start(move |ts| {
                let action = slot.try_borrow_mut().ok().and_then(|mut d| d.as_mut().ok().and_then(|d| d.tick(ts, &performance_now)));
                if let Some(a) = action {
                    dispatcher.dispatch(a);
                }
            });
            move || drop(frames)
        });
    }

    let run = {
        let (slot, state, note) = (slot.clone(), state.clone(), note.clone());
        Callback::from(move |(cmds, label): (Vec<Command>, String)| {
            with_driver(&slot, &state, |d| {
                let mut last = None;
                for c in cmds {
                    match d.apply(c) {
                        Ok(a) => last = Some(a),
                        Err(e) => {
                            note.set(Some(format!("could not {label}: {e}")));
                            return last;
                        }
                    }
                }
                note.set(Some(format!("{label} at t = {}", seconds(d.now_us()))));
                last
            });
        })
    };
    let on_toggle = {
        let (slot, redraw) = (slot.clone(), redraw.clone());
        Callback::from(move |()| {
            if let Ok(d) = slot.borrow_mut().as_mut() {
                d.playing = !d.playing;
            }
            redraw.force_update();
        })
    };
    let on_step = {
        let (slot, state) = (slot.clone(), state.clone());
        Callback::from(move |()| {
            with_driver(&slot, &state, |d| {
                d.playing = false;
                Some(d.step())
            })
        })
    };
    let on_back = {
        let (slot, state) = (slot.clone(), state.clone());
        Callback::from(move |()| with_driver(&slot, &state, |d| Some(d.step_back())))
    };
    let on_seek = {
        let (slot, state) = (slot.clone(), state.clone());
        Callback::from(move |us: u64| with_driver(&slot, &state, |d| Some(d.seek(us))))
    };
    let on_speed = {
        let (slot, redraw) = (slot.clone(), redraw.clone());
        Callback::from(move |v: f64| {
            if let Ok(d) = slot.borrow_mut().as_mut() {
                d.speed = v.clamp(0.1, 1000.0);
            }
            redraw.force_update();
        })
    };
    let on_seed = {
        let (slot, state, note) = (slot.clone(), state.clone(), note.clone());
        Callback::from(move |seed: u64| {
            with_driver(&slot, &state, |d| match d.reseed(seed) {
                Ok(a) => Some(a),
                Err(e) => {
                    note.set(Some(format!("seed {seed} rejected: {e}")));
                    None
                }
            });
        })
    };
    let on_broker = {
        let (run, state) = (run.clone(), state.clone());
        Callback::from(move |id: BrokerId| {
            let up = state.brokers.get(&id).map(|b| b.up).unwrap_or(false);
            let cmd = if up { Command::CrashBroker { broker: id } } else { Command::RestartBroker { broker: id } };
            run.emit((vec![cmd], format!("{} broker {id}", if up { "crash" } else { "restart" })));
        })
    };
    let on_menu = {
        let menu = menu.clone();
        Callback::from(move |m: (MenuTarget, f64, f64)| menu.set(Some(m)))
    };
    let on_pick = {
        let (run, state, menu) = (run.clone(), state.clone(), menu.clone());
        Callback::from(move |item: MenuItem| {
            if let Some((target, _, _)) = *menu {
                run.emit((target.commands(item, &state), format!("{item:?} {target:?}").to_ascii_lowercase()));
            }
            menu.set(None);
        })
    };
    let on_produce = {
        let (run, state) = (run.clone(), state.clone());
        Callback::from(move |(key, value, partition): HandRecord| {
            let producer = state.producers.keys().next().copied().unwrap_or(1);
            run.emit((vec![Command::Produce { producer, key, value, partition }], "produce by hand".to_owned()));
        })
    };
    let select = {
        let (selection, panel) = (selection.clone(), panel.clone());
        move |f: Box<dyn Fn(&mut Selection)>| {
            if let Some(mut s) = (*selection).clone() {
                f(&mut s);
                selection.set(Some(s));
                panel.set(Some(Tab::Inspector));
            }
        }
    };
    // The same callback every frame, so the replica rows that did not change are not redrawn.
    let on_inspect = {
        let (selection, panel) = (selection.setter(), panel.setter());
        use_callback((), move |(broker, (topic, partition), record): (BrokerId, PartKey, Option<i64>), _| {
            selection.set(Some(Selection { broker, topic: topic.to_string(), partition, segment: None, lookup: None, record }));
            panel.set(Some(Tab::Inspector));
        })
    };
    let on_segment = { let select = select.clone(); Callback::from(move |b: i64| select(Box::new(move |s| s.segment = Some(b)))) };
    let on_lookup = Callback::from(move |o: i64| select(Box::new(move |s| s.lookup = Some(o))));
    let on_download = {
        let (slot, selection, note) = (slot.clone(), selection.clone(), note.clone());
        Callback::from(move |base: i64| {
            let file = match (slot.try_borrow(), (*selection).as_ref()) {
                (Ok(d), Some(sel)) => d.as_ref().ok().and_then(|d| segment_log(d.sim(), sel, base)),
                _ => None,
            };
            match file.map(|(name, bytes)| download(&name, &bytes)) {
                Some(Ok(())) => {}
                Some(Err(e)) => note.set(Some(format!("download failed: {e:?}"))),
                None => note.set(Some("no such segment any more".to_owned())),
            }
        })
    };

    // Keyboard: one window listener (RAII) calling the latest handler built below.
    let key_handler = use_mut_ref(Callback::<KeyboardEvent>::noop);
    *key_handler.borrow_mut() = {
        let (on_toggle, on_step, on_back, on_speed) = (on_toggle.clone(), on_step.clone(), on_back.clone(), on_speed.clone());
        let (help, menu, slot, presenter) = (help.clone(), menu.clone(), slot.clone(), presenter.clone());
        Callback::from(move |e: KeyboardEvent| {
            if typing(&e) {
                return;
            }
            let speed = slot.try_borrow().ok().and_then(|d| d.as_ref().ok().map(|d| d.speed)).unwrap_or(1.0);
            match e.key().as_str() {
                " " => on_toggle.emit(()),
                "ArrowRight" | "PageDown" => on_step.emit(()),
                "ArrowLeft" | "PageUp" => on_back.emit(()),
                "+" | "=" => on_speed.emit(speed * 2.0),
                "-" | "_" => on_speed.emit(speed / 2.0),
                "?" => help.set(!*help),
                "p" | "P" => presenter.set(!*presenter),
                "Escape" => {
                    help.set(false);
                    menu.set(None);
                }
                _ => return,
            }
            e.prevent_default();
        })
    };
    {
        let key_handler = key_handler.clone();
        use_effect_with((), move |_| {
            let keys = KeyListener::start(move |e| {
                let cb = key_handler.borrow().clone();
                cb.emit(e);
            });
            move || drop(keys)
        });
    }

    let lessons = crate::lesson_ui::use_lessons(&slot, &state, &note, &choice);
    let config = crate::config_ui::use_config_panel(*panel == Some(Tab::Config), &slot, &state, &run);
    let dropped = crate::log_drop::use_log_drop(&panel);

    let mut driver = slot.borrow_mut();
    let d = match driver.as_mut() {
        Ok(d) => d,
        Err(e) => {
            return html! {
                <main class="fatal" role="alert">
                    <h1>{ "kafkascope could not start" }</h1>
                    <p>{ "The default scenario was rejected: " }<code>{ e.clone() }</code></p>
                </main>
            }
        }
    };
    let inspection = match (*panel, (*selection).as_ref()) {
        (Some(Tab::Inspector), Some(sel)) => {
            let mut c = cache.borrow_mut();
            let wall = performance_now();
            if c.0.as_ref() != Some(sel) || (c.1 != d.now_us() && wall - c.2 >= INSPECT_EVERY_MS) {
                *c = (Some(sel.clone()), d.now_us(), wall, inspect(d.sim(), sel).map(Rc::new));
            }
            c.3.clone()
        }
        _ => None,
    };
    let brokers: Vec<BrokerId> = state.brokers.keys().copied().collect();
    let note_text = (*note).clone().or_else(|| if lessons.narrates { None } else { state.narration.clone() });
    let ticks = d.ticks();
    let on_lang = { let lang = lang.clone(); Callback::from(move |()| lang.set(lang.other())) };
    let on_help = { let help = help.clone(); Callback::from(move |()| help.set(!*help)) };
    let on_panel = { let panel = panel.clone(); Callback::from(move |t: Option<Tab>| panel.set(t)) };
    let view_box = AttrValue::from(format!("0 0 {SCENE_W} {SCENE_H}"));
    html! {
        <ContextProvider<Lang> context={*lang}>
        <div class={classes!("app", presenter.then_some("presenter"))} lang={lang.tag()} data-testid="app">
            <TopBar profile={d.profile.clone()} seed={d.seed()} playing={d.playing} speed={d.speed} now_us={state.now_us}
                {on_toggle} {on_step} {on_speed} {on_seed} {on_back} {on_lang} {on_help}
                presenter={*presenter} on_presenter={{ let p = presenter.clone(); Callback::from(move |()| p.set(!*p)) }} />
            <LedgerLine ledger={state.shown_ledger().clone()} trace_hash={state.trace_hash.clone()} note={note_text} />
            { lessons.picker }
            { lessons.narration }
            <div class="stage">
                // The scene is four root SVGs stacked on one viewBox, each its own paint layer, so that a
                // change in one (strips every frame, messages by transform, client counters) does not make
                // Blink re-lay out and re-record the others: the controller row, lanes and event log; the
                // broker columns with their strips (the hatch patterns with them); the client panels; the
                // messages in flight. Their roots let clicks through (kafkascope.css, `.scene > svg`).
                <div class="scene" role="img" aria-label="Producers, the Kafka cluster and consumers">
                    <svg class="layer frame" viewBox={view_box.clone()} preserveAspectRatio={ASPECT}>
                        <ClusterFrame partitions={state.partitions.len()} controller={state.controller}
                            notable={state.notable.iter().cloned().collect::<Vec<_>>()} hidden_topics={state.hidden_topics.clone()} />
                    </svg>
                    <svg class="layer brokers" viewBox={view_box.clone()} preserveAspectRatio={ASPECT}>
                        <defs>
                            { for HATCH_IDS.iter().zip(OKABE_ITO).map(|(id, colour)| html! {
                                // An uncommitted cell: its epoch's colour under white stripes (layout::epoch_hatch).
                                <pattern key={*id} id={*id} width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                                    <rect width="5" height="5" fill={colour} />
                                    <rect width="5" height="5" fill="rgba(255,255,255,0.55)" />
                                    <line x1="0" y1="0" x2="0" y2="5" stroke="#333" stroke-width="1.6" />
                                </pattern>
                            }) }
                        </defs>
                        <Cluster brokers={state.brokers.clone()} partitions={state.partitions.clone()} {on_broker}
                            on_menu={on_menu.clone()} {on_inspect} />
                    </svg>
                    <svg class="layer clients" viewBox={view_box.clone()} preserveAspectRatio={ASPECT}>
                        <Producers producers={state.producers.clone()} partitions={state.partitions.keys().cloned().collect::<Vec<_>>()} />
                        <Consumers consumers={state.consumers.clone()} partitions={leader_hws(&state.partitions)} down={state.consumers_down.clone()} on_menu={on_menu.clone()} />
                    </svg>
                    <svg class="layer flights" viewBox={view_box.clone()} preserveAspectRatio={ASPECT}>
                        <Flights flights={state.flights.clone()} brokers={brokers.clone()} now_us={state.now_us} speed={d.speed}
                            messages_sent={state.messages_sent} flight_min_us={state.flight_min_us} />
                    </svg>
                </div>
                if let Some(tab) = *panel {
                    <SidePanel {tab} on_tab={on_panel.reform(Some)} on_close={on_panel.reform(|()| None)}
                        inspector={InspectorProps { data: inspection, selected: selection.is_some(), on_segment, on_lookup, on_download }}
                        ticks={ticks.clone()} now_us={state.now_us} filter={*filter} on_filter={{ let f = filter.clone(); Callback::from(move |k| f.set(k)) }}
                        on_seek={on_seek.clone()} {on_produce} charts={state.charts.clone()} sequence={state.sequence.clone()} {config} {dropped} />
                }
            </div>
            <Timeline now_us={state.now_us} horizon_us={d.horizon_us()} {ticks} replaying={d.replaying()} {brokers}
                links={state.links.clone()} {on_seek} on_menu={on_menu.clone()} on_panel={on_panel.reform(Some)} />
            <p class="storage-status" data-testid="storage-status" role="status">{ d.storage_status() }</p>
            if let Some((target, x, y)) = *menu {
                <FaultMenu {target} {x} {y} {on_pick} on_close={{ let m = menu.clone(); Callback::from(move |()| m.set(None)) }} />
            }
            if *help { <HelpOverlay on_close={{ let h = help.clone(); Callback::from(move |()| h.set(false)) }} /> }
        </div>
        </ContextProvider<Lang>>
    }
}
