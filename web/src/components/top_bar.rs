//! The top bar: name, profile, seed (editable: rebuilds the simulation), play/pause, step, speed.

use crate::i18n::{tr, Lang};
use crate::layout::seconds;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`TopBar`].
#[derive(Properties, PartialEq, Clone)]
pub struct TopBarProps {
    /// Kafka version profile of the scenario.
    pub profile: String,
    /// Seed of the running simulation.
    pub seed: u64,
    /// Whether virtual time runs.
    pub playing: bool,
    /// Virtual seconds per wall second.
    pub speed: f64,
    /// Virtual time (µs).
    pub now_us: u64,
    /// Toggles play/pause.
    pub on_toggle: Callback<()>,
    /// Advances to the next event.
    pub on_step: Callback<()>,
    /// Sets the speed.
    pub on_speed: Callback<f64>,
    /// Rebuilds the simulation with a new seed.
    pub on_seed: Callback<u64>,
    /// Steps back in time.
    pub on_back: Callback<()>,
    /// Switches the language.
    pub on_lang: Callback<()>,
    /// Shows the keyboard shortcuts.
    pub on_help: Callback<()>,
    /// Whether presenter mode is on.
    #[prop_or_default]
    pub presenter: bool,
    /// Toggles presenter mode (large type, side panel hidden).
    #[prop_or_default]
    pub on_presenter: Callback<()>,
}

/// Renders the top bar.
#[function_component(TopBar)]
pub fn top_bar(p: &TopBarProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let on_toggle = p.on_toggle.reform(|_: MouseEvent| ());
    let on_step = p.on_step.reform(|_: MouseEvent| ());
    let on_speed = {
        let cb = p.on_speed.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            // As in the timeline: a range input's `valueAsNumber` is the parse of its value.
            let v = input.value_as_number();
            if v.is_finite() {
                cb.emit(10f64.powf(v));
            }
        })
    };
    let on_seed = {
        let cb = p.on_seed.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().trim().parse::<u64>() {
                cb.emit(v);
            }
        })
    };
    let speed_label = if p.speed < 1.0 { format!("{:.1}×", p.speed) } else { format!("{:.0}×", p.speed) };
    html! {
        <header class="top-bar">
            <span class="brand">{ "kafkascope" }</span>
            <span class="sep">{ "·" }</span>
            <span class="profile" data-testid="profile" title="Kafka version whose behaviour is simulated">{ format!("{} {}", tr(lang, "profile"), p.profile) }</span>
            <span class="sep">{ "·" }</span>
            <label class="seed" title={tr(lang, "seed.title")}>
                { tr(lang, "seed") }{ " " }
                <input data-testid="seed" type="number" min="0" value={p.seed.to_string()} onchange={on_seed} />
            </label>
            <span class="controls">
                <button data-testid="step-back" onclick={p.on_back.reform(|_: MouseEvent| ())} title={tr(lang, "back.title")}>{ tr(lang, "back") }</button>
                <button data-testid="play-toggle" aria-pressed={p.playing.to_string()} onclick={on_toggle}
                    title={tr(lang, "play.title")}>{ tr(lang, if p.playing { "pause" } else { "play" }) }</button>
                <button data-testid="step" onclick={on_step} title={tr(lang, "step.title")}>{ tr(lang, "step") }</button>
                <label class="speed" title={tr(lang, "speed.title")}>
                    { tr(lang, "speed") }{ " " }
                    <input data-testid="speed" type="range" min="-1" max="3" step="0.01"
                        value={format!("{:.2}", p.speed.log10())} oninput={on_speed} />
                    <output>{ speed_label }</output>
                </label>
            </span>
            <span class="clock" title={tr(lang, "time.title")}>{ "t = " }<span data-testid="virtual-time">{ seconds(p.now_us) }</span></span>
            <button class="lang" data-testid="lang-toggle" lang={lang.other().tag()} onclick={p.on_lang.reform(|_: MouseEvent| ())} title={tr(lang, "lang.toggle.title")}>{ tr(lang, "lang.toggle") }</button>
            <button class="help" data-testid="help-toggle" onclick={p.on_help.reform(|_: MouseEvent| ())}>{ tr(lang, "help.button") }</button>
            <button class="presenter" data-testid="presenter-toggle" aria-pressed={p.presenter.to_string()} title={tr(lang, "presenter.title")}
                onclick={p.on_presenter.reform(|_: MouseEvent| ())}>{ "⛶" }</button>
        </header>
    }
}
