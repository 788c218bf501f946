//! Save and load a scenario file: "save" downloads the running scenario with the commands issued so
//! far as JSON; "load" reads a JSON file the user picks (at most [`MAX_FILE_BYTES`]) and hands its
//! text on. What the text is worth is the engine's call, never this component's.

use crate::i18n::{tr, Lang};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Largest scenario file read (a lesson is a few KB).
pub const MAX_FILE_BYTES: f64 = 1_048_576.0;

/// Properties of [`ScenarioFile`].
#[derive(Properties, PartialEq, Clone)]
pub struct ScenarioFileProps {
    /// Downloads the scenario.
    pub on_save: Callback<()>,
    /// Called with (file name, its text, or why it could not be read).
    pub on_load: Callback<(String, Result<String, String>)>,
}

/// Renders the save button and the load file picker.
#[function_component(ScenarioFile)]
pub fn scenario_file(p: &ScenarioFileProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let onchange = {
        let cb = p.on_load.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value(""); // the same file can be picked again
            let (cb, name) = (cb.clone(), file.name());
            if file.size() > MAX_FILE_BYTES {
                cb.emit((name, Err(format!("larger than {} bytes", MAX_FILE_BYTES as u64))));
                return;
            }
            spawn_local(async move {
                let text = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()).ok_or_else(|| "the file could not be read".to_owned());
                cb.emit((name, text));
            });
        })
    };
    html! {
        <span class="scenario-file">
            <button data-testid="save-scenario" title={tr(lang, "file.save.title")} onclick={p.on_save.reform(|_: MouseEvent| ())}>{ tr(lang, "file.save") }</button>
            <label class="load" title={tr(lang, "file.load.title")}>{ tr(lang, "file.load") }
                <input data-testid="load-scenario" type="file" accept=".json,application/json" {onchange} />
            </label>
        </span>
    }
}
