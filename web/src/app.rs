//! The page: wires the driver's frames into the reducer and the components' callbacks into commands.
//!
//! Data flows one way: UI command → engine → events → view state → render.

use crate::components::clients::{Consumers, Producers};
use crate::components::cluster::Cluster;
use crate::components::flights::Flights;
use crate::components::ledger::LedgerLine;
use crate::components::top_bar::TopBar;
use crate::driver::{performance_now, Driver, FrameLoop, DEFAULT_SCENARIO};
use crate::layout::{SCENE_H, SCENE_W};
use crate::view_model::{Action, ViewState};
use kafkascope::command::Command;
use kafkascope::ids::BrokerId;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;
use yew::Reducible;

/// The driver slot: a running simulation, or why it could not be built.
type DriverSlot = Rc<RefCell<Result<Driver, String>>>;

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

/// The whole page: top bar, safety ledger, and the scene.
#[function_component(App)]
pub fn app() -> Html {
    // A share link or lesson in the URL fragment picks what runs (crate::lessons, crate::permalink).
    let choice = use_memo((), |_| crate::lessons::choose(&crate::lessons::location_hash(), DEFAULT_SCENARIO));
    let start_us = choice.t_ms.unwrap_or(0).saturating_mul(1000);
    let slot: DriverSlot = use_mut_ref(|| {
        let mut d = Driver::from_json(&choice.json, choice.seed);
        if let Ok(d) = d.as_mut() {
            d.playing = start_us == 0; // a link to a moment opens paused there
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
        let (slot, state, redraw) = (slot.clone(), state.clone(), redraw.clone());
        Callback::from(move |()| {
            with_driver(&slot, &state, |d| {
                d.playing = false;
                Some(d.step())
            });
            redraw.force_update();
        })
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
            state.dispatch(Action::Reset);
            with_driver(&slot, &state, |d| match d.reseed(seed) {
                Ok(()) => Some(d.advance(0)),
                Err(e) => {
                    note.set(Some(format!("seed {seed} rejected: {e}")));
                    None
                }
            });
        })
    };
    let on_broker = {
        let (slot, state, note) = (slot.clone(), state.clone(), note.clone());
        Callback::from(move |id: BrokerId| {
            let up = state.brokers.get(&id).map(|b| b.up).unwrap_or(false);
            let cmd = if up { Command::CrashBroker { broker: id } } else { Command::RestartBroker { broker: id } };
            let verb = if up { "crash" } else { "restart" };
            with_driver(&slot, &state, |d| match d.apply(cmd) {
                Ok(()) => {
                    note.set(Some(format!("{verb} broker {id} at t = {}", crate::layout::seconds(d.now_us()))));
                    Some(d.advance(d.now_us()))
                }
                Err(e) => {
                    note.set(Some(format!("could not {verb} broker {id}: {e}")));
                    None
                }
            });
        })
    };

    let lessons = crate::lesson_ui::use_lessons(&slot, &state, &note, &choice);

    let driver = slot.borrow();
    let d = match driver.as_ref() {
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
    let brokers: Vec<BrokerId> = state.brokers.keys().copied().collect();
    let note_text = (*note).clone().or_else(|| if lessons.narrates { None } else { state.narration.clone() });
    html! {
        <div class="app">
            <TopBar profile={d.profile.clone()} seed={d.seed()} playing={d.playing} speed={d.speed} now_us={state.now_us}
                {on_toggle} {on_step} {on_speed} {on_seed} />
            <LedgerLine ledger={state.shown_ledger().clone()} trace_hash={state.trace_hash.clone()} note={note_text} />
            { lessons.picker }
            { lessons.narration }
            <svg class="scene" viewBox={format!("0 0 {SCENE_W} {SCENE_H}")} preserveAspectRatio="xMidYMin meet"
                role="img" aria-label="Producers, the Kafka cluster and consumers">
                <defs>
                    <pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="5" height="5" fill="rgba(255,255,255,0.55)" />
                        <line x1="0" y1="0" x2="0" y2="5" stroke="#333" stroke-width="1.6" />
                    </pattern>
                </defs>
                <Cluster brokers={state.brokers.clone()} partitions={state.partitions.clone()} controller={state.controller} {on_broker}
                    notable={state.notable.iter().cloned().collect::<Vec<_>>()} hidden_topics={state.hidden_topics.clone()} />
                <Producers producers={state.producers.clone()} partitions={state.partitions.clone()} />
                <Consumers consumers={state.consumers.clone()} partitions={state.partitions.clone()} />
                <Flights flights={state.flights.clone()} {brokers} now_us={state.now_us} speed={d.speed}
                    messages_sent={state.messages_sent} flight_min_us={state.flight_min_us} />
            </svg>
        </div>
    }
}
