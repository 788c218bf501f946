//! The lesson picker, narration panel and share button wired to the driver, as one hook, so the page
//! (`app.rs`) only calls [`use_lessons`] and places the two pieces it returns.

use crate::components::lesson_picker::LessonPicker;
use crate::components::narration::Narration;
use crate::driver::{Driver, DEFAULT_SCENARIO};
use crate::lessons::{Choice, Lang};
use crate::view_model::ViewState;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// What [`use_lessons`] gives the page.
pub struct LessonUi {
    /// The "lesson ▾" picker and share button.
    pub picker: Html,
    /// The narration panel (empty when the scenario has no narration).
    pub narration: Html,
    /// Whether the running scenario narrates (the ledger line then need not repeat it).
    pub narrates: bool,
}

/// Lesson state and callbacks. `choice` is what the page was opened with (see [`crate::lessons::choose`]).
#[hook]
pub fn use_lessons(
    slot: &Rc<RefCell<Result<Driver, String>>>,
    state: &UseReducerHandle<ViewState>,
    note: &UseStateHandle<Option<String>>,
    choice: &Choice,
) -> LessonUi {
    let loaded = use_state(|| (choice.lesson.clone(), choice.json.clone()));
    let steps = use_memo(loaded.1.clone(), |json| crate::lessons::narration(json));
    let lang = use_state(Lang::default);
    let share_url = use_state(|| None::<String>);
    // A lesson is fetched (boot.js may have fetched it already), then installed; free play is at hand.
    // Only the latest pick is installed, whatever order the fetches finish in.
    let picks = use_mut_ref(|| 0u64);
    let on_pick = {
        let (slot, state, note, loaded, share_url, picks) = (slot.clone(), state.clone(), note.clone(), loaded.clone(), share_url.clone(), picks.clone());
        Callback::from(move |id: Option<String>| {
            let (slot, state, note, loaded, share_url, picks) = (slot.clone(), state.clone(), note.clone(), loaded.clone(), share_url.clone(), picks.clone());
            let pick = { let mut n = picks.borrow_mut(); *n += 1; *n };
            let open = move |id: Option<String>, json: Result<String, String>| {
                if *picks.borrow() != pick {
                    return;
                }
                match json.and_then(|j| Driver::from_json(&j, None).map(|d| (j, d))) {
                    Ok((json, d)) => {
                        crate::config_ui::install(&slot, &state, d);
                        crate::lessons::set_location_hash(&id.as_ref().map(|i| format!("lesson={i}")).unwrap_or_default());
                        note.set(None);
                        share_url.set(None);
                        loaded.set((id, json));
                    }
                    Err(e) => note.set(Some(format!("could not load the lesson: {e}"))),
                }
            };
            match id {
                None => open(None, Ok(DEFAULT_SCENARIO.to_owned())),
                Some(id) => match crate::lessons::prefetched(&id) {
                    Some(json) => open(Some(id), Ok(json)), // already here ("reset", or the linked lesson)
                    None => wasm_bindgen_futures::spawn_local(async move {
                        let json = crate::lessons::fetch_lesson(&id).await;
                        open(Some(id), json);
                    }),
                },
            }
        })
    };
    let on_share = {
        let (slot, note, loaded, share_url) = (slot.clone(), note.clone(), loaded.clone(), share_url.clone());
        Callback::from(move |()| {
            let Some((seed, now)) = slot.try_borrow().ok().and_then(|d| d.as_ref().ok().map(|d| (d.seed(), d.now_us()))) else { return };
            match crate::lessons::share_fragment(loaded.0.as_deref(), &loaded.1, seed, now) {
                Ok(f) => share_url.set(crate::lessons::set_location_hash(&f)),
                Err(e) => note.set(Some(e)),
            }
        })
    };
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |l: Lang| lang.set(l))
    };
    // Reset: the same lesson again from its start. Try it yourself: the run so far (scripted and
    // issued commands), without the rest of the script and without narration, continued at this moment.
    let on_reset = { let (on_pick, id) = (on_pick.clone(), loaded.0.clone()); Callback::from(move |()| on_pick.emit(id.clone())) };
    let on_try = {
        let (slot, state, note, loaded) = (slot.clone(), state.clone(), note.clone(), loaded.clone());
        Callback::from(move |()| {
            let Some((json, now)) = slot.try_borrow().ok().and_then(|d| d.as_ref().ok().map(|d| (crate::scenario_edit::free_play(d.sim().scenario(), d.commands(), d.now_us()), d.now_us()))) else { return };
            match json.and_then(|j| Driver::from_json(&j, None).map(|d| (j, d))) {
                Ok((j, d)) => {
                    crate::config_ui::install_at(&slot, &state, d, now);
                    crate::lessons::set_location_hash("");
                    loaded.set((None, j));
                }
                Err(e) => note.set(Some(format!("could not continue in free play: {e}"))),
            }
        })
    };
    let on_save = {
        let (slot, note) = (slot.clone(), note.clone());
        Callback::from(move |()| {
            let Some(json) = slot.try_borrow().ok().and_then(|d| d.as_ref().ok().map(|d| crate::scenario_edit::saved(d.sim().scenario(), d.commands(), d.now_us()))) else { return };
            if let Err(e) = json.map_err(|e| format!("{e:?}")).and_then(|j| crate::hooks::download("kafkascope-scenario.json", j.as_bytes()).map_err(|e| format!("{e:?}"))) {
                note.set(Some(format!("could not save the scenario: {e}")));
            }
        })
    };
    let on_load = {
        let (slot, state, note, loaded) = (slot.clone(), state.clone(), note.clone(), loaded.clone());
        Callback::from(move |(name, text): (String, Result<String, String>)| match text.and_then(|t| Driver::from_json(&t, None).map(|d| (t, d))) {
            Ok((t, d)) => {
                crate::config_ui::install_at(&slot, &state, d, 0);
                crate::lessons::set_location_hash("");
                note.set(Some(format!("opened {name}")));
                loaded.set((None, t));
            }
            Err(e) => note.set(Some(format!("could not open {name}: {e}"))),
        })
    };
    // Parsed once: the page renders every frame and the index is JSON.
    let index = use_memo((), |_| crate::lessons::index());
    let title = loaded.0.as_ref().and_then(|id| index.iter().find(|l| &l.id == id)).map(|l| (*lang).pick(&l.title.0, &l.title.1).to_owned());
    LessonUi {
        picker: html! {
            <div class="lesson-row">
                <LessonPicker lessons={index.clone()} current={loaded.0.clone()} lang={*lang} {on_pick} {on_share} share_url={(*share_url).clone()} />
                <crate::components::scenario_file::ScenarioFile {on_save} {on_load} />
            </div>
        },
        narration: html! {
            <Narration steps={(*steps).clone()} now_us={state.now_us} lang={*lang} on_lang={Some(on_lang)} {title} on_reset={Some(on_reset)} on_try={Some(on_try)} />
        },
        narrates: !steps.is_empty(),
    }
}
