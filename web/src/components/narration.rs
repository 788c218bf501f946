//! The lesson narration panel: the step whose time has come, in the chosen language, and a highlight
//! on the element it points at (any element whose `data-testid` or `data-target` equals the step's
//! `target` gets the class `narration-target`).

use crate::lessons::{current_step, Lang};
use kafkascope::scenario::NarrationStep;
use yew::prelude::*;

/// Class added to the element a step points at.
pub const HIGHLIGHT: &str = "narration-target";

/// Properties of [`Narration`].
#[derive(Properties, PartialEq, Clone)]
pub struct NarrationProps {
    /// The lesson's steps (empty: the panel is not shown).
    pub steps: Vec<NarrationStep>,
    /// Virtual time (µs).
    pub now_us: u64,
    /// Language of the text.
    #[prop_or_default]
    pub lang: Lang,
    /// Switches the language; without it no toggle is drawn (a page-wide one may exist).
    #[prop_or_default]
    pub on_lang: Option<Callback<Lang>>,
    /// The lesson's title, if any.
    #[prop_or_default]
    pub title: Option<String>,
    /// Restarts the lesson from its start.
    #[prop_or_default]
    pub on_reset: Option<Callback<()>>,
    /// Leaves the narration and continues in free play from here.
    #[prop_or_default]
    pub on_try: Option<Callback<()>>,
}

/// Moves the highlight to the elements named `target` (none: removes it).
fn highlight(target: Option<&str>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(old) = doc.query_selector_all(&format!(".{HIGHLIGHT}")) {
        for i in 0..old.length() {
            if let Some(el) = old.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok()) {
                let keep = target.is_some_and(|t| el.get_attribute("data-testid").as_deref() == Some(t) || el.get_attribute("data-target").as_deref() == Some(t));
                if !keep {
                    let _ = el.class_list().remove_1(HIGHLIGHT);
                }
            }
        }
    }
    // Targets come from scenario files: only plain names are used in a selector.
    let Some(t) = target.filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))) else { return };
    if let Ok(found) = doc.query_selector_all(&format!("[data-testid=\"{t}\"], [data-target=\"{t}\"]")) {
        for i in 0..found.length() {
            if let Some(el) = found.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok()) {
                let _ = el.class_list().add_1(HIGHLIGHT);
            }
        }
    }
}

/// The page language matching the narration's.
fn ui_lang(l: Lang) -> crate::i18n::Lang {
    match l {
        Lang::En => crate::i18n::Lang::En,
        Lang::ZhTw => crate::i18n::Lang::ZhTw,
    }
}

/// Renders the current step.
#[function_component(Narration)]
pub fn narration(p: &NarrationProps) -> Html {
    let idx = current_step(&p.steps, p.now_us);
    let target = idx.and_then(|i| p.steps[i].target.clone());
    {
        // Re-applied after every render: the scene's own re-renders may rewrite an element's class.
        let target = target.clone();
        use_effect(move || {
            highlight(target.as_deref());
        });
    }
    {
        use_effect_with((), |_| move || highlight(None));
    }
    if p.steps.is_empty() {
        return html! {};
    }
    let text = match idx {
        Some(i) => p.lang.pick(&p.steps[i].en, &p.steps[i].zh_tw).to_owned(),
        None => p.lang.pick("The lesson starts in a moment…", "課程即將開始……").to_owned(),
    };
    let toggle = p.on_lang.as_ref().map(|cb| {
        let (en, zh) = (cb.reform(|_: MouseEvent| Lang::En), cb.reform(|_: MouseEvent| Lang::ZhTw));
        html! {
            <span class="lang-toggle" role="group" aria-label="Language">
                <button data-testid="narration-lang-en" aria-pressed={(p.lang == Lang::En).to_string()} onclick={en}>{ "EN" }</button>
                <button data-testid="narration-lang-zh" aria-pressed={(p.lang == Lang::ZhTw).to_string()} onclick={zh}>{ "繁中" }</button>
            </span>
        }
    });
    let lang = if p.lang == Lang::En { "en" } else { "zh-TW" };
    html! {
        <aside class="narration" data-testid="narration" aria-live="polite" lang={lang}>
            <div class="narration-head">
                if let Some(t) = &p.title { <b class="narration-title">{ t.clone() }</b> }
                <span class="narration-step" data-testid="narration-step">
                    { format!("{} / {}", idx.map_or(0, |i| i + 1), p.steps.len()) }
                </span>
                if let Some(t) = &target { <span class="narration-points" title="Highlighted on the scene">{ format!("→ {t}") }</span> }
                { for toggle }
                { for p.on_reset.as_ref().map(|cb| html! {
                    <button data-testid="lesson-reset" onclick={cb.reform(|_: MouseEvent| ())}>{ crate::i18n::tr(ui_lang(p.lang), "lesson.reset") }</button>
                }) }
                { for p.on_try.as_ref().map(|cb| html! {
                    <button data-testid="lesson-try" onclick={cb.reform(|_: MouseEvent| ())}>{ crate::i18n::tr(ui_lang(p.lang), "lesson.try") }</button>
                }) }
            </div>
            <p class="narration-text" data-testid="narration-text">{ text }</p>
        </aside>
    }
}
