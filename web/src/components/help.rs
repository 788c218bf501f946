//! The `?` overlay: the keyboard shortcuts (presenter-remote friendly: PageUp / PageDown step).

use crate::i18n::{tr, Lang};
use yew::prelude::*;

/// Properties of [`HelpOverlay`].
#[derive(Properties, PartialEq, Clone)]
pub struct HelpProps {
    /// Closes the overlay.
    pub on_close: Callback<()>,
}

/// Renders the shortcut list.
#[function_component(HelpOverlay)]
pub fn help_overlay(p: &HelpProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let rows: [(&str, &'static str); 8] = [
        ("Space", "help.space"),
        ("→ · PageDown", "help.right"),
        ("← · PageUp", "help.left"),
        ("+ · −", "help.speed"),
        ("M · ≣ · Shift+F10", "help.menu"),
        ("?", "help.help"),
        ("P · ⛶", "help.presenter"),
        ("Esc", "help.escape"),
    ];
    html! {
        <div class="help-overlay" role="dialog" aria-modal="true" aria-label={tr(lang, "help.title")} data-testid="help"
            onclick={p.on_close.reform(|_: MouseEvent| ())}>
            <div class="help-card">
                <h2>{ tr(lang, "help.title") }</h2>
                <table>
                    { for rows.iter().map(|(k, m)| html! { <tr key={*k}><td><kbd>{ *k }</kbd></td><td>{ tr(lang, m) }</td></tr> }) }
                </table>
                <p class="muted">{ tr(lang, "menu.hint") }</p>
            </div>
        </div>
    }
}
