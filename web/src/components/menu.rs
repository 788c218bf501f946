//! The fault menu: opened by right-click (or M / the context-menu key) on a broker, a link or a
//! consumer; each item becomes one or more engine commands. Focus lands on the first item; Escape
//! and a click outside close it.

use crate::i18n::{tr, Lang};
use crate::links::{MenuItem, MenuTarget};
use yew::prelude::*;

/// Properties of [`FaultMenu`].
#[derive(Properties, PartialEq, Clone)]
pub struct MenuProps {
    /// What the menu acts on.
    pub target: MenuTarget,
    /// Where it opens (client pixels).
    pub x: f64,
    /// Vertical position (client pixels).
    pub y: f64,
    /// Called with the chosen item.
    pub on_pick: Callback<MenuItem>,
    /// Called to close without choosing.
    pub on_close: Callback<()>,
}

/// Renders the fault menu.
#[function_component(FaultMenu)]
pub fn fault_menu(p: &MenuProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let first = use_node_ref();
    {
        let first = first.clone();
        use_effect_with(p.target, move |_| {
            if let Some(el) = first.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let title = match p.target {
        MenuTarget::Broker(b) => format!("{} {b}", tr(lang, "menu.broker")),
        MenuTarget::Link(a, b) => format!("{} {a} ↔ {b}", tr(lang, "menu.link")),
        MenuTarget::Consumer(c) => format!("{} consumer-{c}", tr(lang, "menu.consumer")),
    };
    let onkeydown = {
        let close = p.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                close.emit(());
            }
        })
    };
    let x = p.x.min(1280.0 - 280.0).max(0.0);
    html! {
        <>
            <div class="menu-backdrop" onclick={p.on_close.reform(|_: MouseEvent| ())}
                oncontextmenu={p.on_close.reform(|e: MouseEvent| e.prevent_default())} />
            <div class="fault-menu" role="menu" aria-label={title.clone()} data-testid="fault-menu" {onkeydown}
                style={format!("left: {x:.0}px; top: {:.0}px", p.y)}>
                <div class="menu-title">{ title }</div>
                { for p.target.items().iter().enumerate().map(|(i, (item, msg, testid))| {
                    let pick = p.on_pick.clone();
                    let item = *item;
                    html! {
                        <button key={*testid} role="menuitem" data-testid={*testid} ref={if i == 0 { first.clone() } else { NodeRef::default() }}
                            onclick={Callback::from(move |_: MouseEvent| pick.emit(item))}>{ tr(lang, msg) }</button>
                    }
                }) }
                <button class="menu-close" role="menuitem" onclick={p.on_close.reform(|_: MouseEvent| ())}>{ tr(lang, "menu.close") }</button>
            </div>
        </>
    }
}
