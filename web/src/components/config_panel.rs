//! The config tab: every Kafka config key of the running scenario per target (brokers, each topic,
//! producer and consumer) with its value, the profile's default and a one-line explanation. Live
//! (⚡) keys become a command on the timeline; the others rebuild the run with the new value.

use crate::config_help::explain;
use crate::i18n::{tr, Lang};
use crate::scenario_edit::{ConfigEdit, ConfigRow, Target};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The panel's last outcome: ok or not, a message id, and the detail (the engine's error text).
pub type ConfigMessage = (bool, &'static str, String);

/// Properties of [`ConfigPanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct ConfigProps {
    /// Rows per target, in order.
    pub sections: Rc<Vec<(Target, Vec<ConfigRow>)>>,
    /// Profile of the scenario (whose defaults are shown).
    pub profile: String,
    /// The last edit's outcome.
    pub message: Option<ConfigMessage>,
    /// Called with an edit.
    pub on_edit: Callback<ConfigEdit>,
}

/// The `data-testid` stem of a target: `brokers`, `topic-orders`, `producer-1`, `consumer-1`.
pub fn slug(t: &Target) -> String {
    t.label().replace(' ', "-")
}

fn row(r: &ConfigRow, lang: Lang, on_edit: &Callback<ConfigEdit>) -> Html {
    let id = format!("config-{}-{}", slug(&r.target), r.key);
    let edit = {
        let (cb, target, key) = (on_edit.clone(), r.target.clone(), r.key.to_owned());
        move |v: String| cb.emit((target.clone(), key.clone(), v))
    };
    let input = if r.choices.is_empty() {
        html! { <Field {id} key_name={r.key} value={r.value.clone()} on_set={Callback::from(edit.clone())} /> }
    } else {
        let onchange = Callback::from(move |e: Event| edit(e.target_unchecked_into::<HtmlSelectElement>().value()));
        html! {
            <select data-testid={id} {onchange} aria-label={r.key}>
                { for r.choices.iter().map(|c| html! { <option value={*c} selected={*c == r.value}>{ if c.is_empty() { "(none)" } else { c } }</option> }) }
            </select>
        }
    };
    let help = explain(lang, r.key);
    let (badge, badge_title) = if r.dynamic { ("⚡", "config.dynamic") } else { ("↻", "config.restart") };
    html! {
        <tr key={r.key} class={classes!(r.overridden.then_some("overridden"))}>
            <td><code title={help}>{ r.key }</code><div class="help">{ help }</div></td>
            <td>{ input }</td>
            <td class="default" title={tr(lang, "config.default")}>{ r.default.clone() }</td>
            <td class="badge" title={tr(lang, badge_title)}>{ badge }</td>
        </tr>
    }
}

/// Properties of [`Field`].
#[derive(Properties, PartialEq, Clone)]
struct FieldProps {
    id: String,
    key_name: &'static str,
    value: String,
    on_set: Callback<String>,
}

/// A text field that keeps what is typed across the page's per-frame renders (a draft), and takes
/// the value in force again whenever that changes.
#[function_component(Field)]
fn field(p: &FieldProps) -> Html {
    let draft = use_state(|| p.value.clone());
    {
        let draft = draft.clone();
        use_effect_with(p.value.clone(), move |v| draft.set(v.clone()));
    }
    let oninput = { let draft = draft.clone(); Callback::from(move |e: InputEvent| draft.set(e.target_unchecked_into::<HtmlInputElement>().value())) };
    let onchange = p.on_set.reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().value());
    html! { <input data-testid={p.id.clone()} value={(*draft).clone()} {oninput} {onchange} aria-label={p.key_name} /> }
}

/// Renders the config tab.
#[function_component(ConfigPanel)]
pub fn config_panel(p: &ConfigProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    html! {
        <div class="config-panel" data-testid="config-panel">
            <p class="muted">{ format!("{} · {}", p.profile, tr(lang, "config.intro")) }</p>
            if let Some((ok, id, detail)) = &p.message {
                <p class={classes!("config-message", (!ok).then_some("error"))} data-testid="config-message" data-ok={ok.to_string()} role="status">
                    { format!("{} {detail}", tr(lang, id)) }
                </p>
            }
            { for p.sections.iter().enumerate().map(|(i, (t, rows))| html! {
                <details key={slug(t)} open={i == 0 || matches!(t, Target::Topic(_))} data-testid={format!("config-section-{}", slug(t))}>
                    <summary>{ t.label() }</summary>
                    <table class="config-rows">
                        <tr><th>{ "key" }</th><th>{ tr(lang, "config.value") }</th><th>{ tr(lang, "config.default") }</th><th /></tr>
                        { for rows.iter().map(|r| row(r, lang, &p.on_edit)) }
                    </table>
                </details>
            }) }
        </div>
    }
}
