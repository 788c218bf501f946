//! The config tab wired to the driver, as one hook so the page only places what it returns: an
//! edit of a live topic key is issued as an `alterTopicConfig` command (through the page's command
//! callback, so it lands on the timeline); any other edit rebuilds the scenario with the new value
//! and the commands issued so far, validated by the engine, and restarts the run.

use crate::components::config_panel::{ConfigMessage, ConfigPanel};
use crate::driver::Driver;
use crate::scenario_edit::{plan, rows, targets, ConfigEdit, EditPlan};
use crate::view_model::{Action, ViewState};
use kafkascope::command::Command;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The page's driver slot.
pub type Slot = Rc<RefCell<Result<Driver, String>>>;

/// Puts a freshly built driver in the slot (same speed) and redraws the view from its time 0.
pub fn install(slot: &Slot, state: &UseReducerHandle<ViewState>, d: Driver) {
    install_at(slot, state, d, 0)
}

/// Like [`install`], the new run first simulated up to `at_us`.
pub fn install_at(slot: &Slot, state: &UseReducerHandle<ViewState>, mut d: Driver, at_us: u64) {
    d.speed = slot.try_borrow().ok().and_then(|o| o.as_ref().ok().map(|o| o.speed)).unwrap_or(1.0);
    let first = d.advance(at_us);
    if let Ok(mut s) = slot.try_borrow_mut() {
        *s = Ok(d);
    }
    state.dispatch(Action::Reset);
    state.dispatch(first);
}

/// The config tab (empty Html while the tab is closed, so frames do not build it).
#[hook]
pub fn use_config_panel(open: bool, slot: &Slot, state: &UseReducerHandle<ViewState>, run: &Callback<(Vec<Command>, String)>) -> Html {
    let message = use_state(|| None::<ConfigMessage>);
    let on_edit = {
        let (slot, state, run, message) = (slot.clone(), state.clone(), run.clone(), message.clone());
        Callback::from(move |edit: ConfigEdit| {
            let planned = slot.try_borrow().ok().and_then(|d| d.as_ref().ok().map(|d| plan(d.sim().scenario(), &edit, d.commands(), d.now_us())));
            let what = format!("{} = {} ({})", edit.1, edit.2.trim(), edit.0.label());
            match planned {
                None => {}
                Some(Err(e)) => message.set(Some((false, "config.refused", e))),
                Some(Ok(EditPlan::Command(c))) => {
                    run.emit((vec![c], format!("alterTopicConfig {what}")));
                    message.set(Some((true, "config.applied", what)));
                }
                Some(Ok(EditPlan::Rebuild(s))) => match serde_json::to_string(&*s).map_err(|e| e.to_string()).and_then(|j| Driver::from_json(&j, None)) {
                    Ok(d) => {
                        install(&slot, &state, d);
                        message.set(Some((true, "config.rebuilt", what)));
                    }
                    Err(e) => message.set(Some((false, "config.refused", e))),
                },
            }
        })
    };
    if !open {
        return Html::default();
    }
    let Ok(d) = slot.try_borrow() else { return Html::default() };
    let Ok(d) = d.as_ref() else { return Html::default() };
    let s = d.sim().scenario();
    let now = d.now_us();
    let done: Vec<(u64, Command)> = d.commands().iter().filter(|(at, _)| *at <= now).cloned().collect();
    let sections = Rc::new(targets(s).into_iter().map(|t| { let r = rows(s, &t, &done); (t, r) }).collect::<Vec<_>>());
    html! { <ConfigPanel {sections} profile={d.profile.clone()} message={(*message).clone()} {on_edit} /> }
}
