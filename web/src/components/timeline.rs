//! The timeline bar under the cluster: a scrubber over the whole run with event ticks coloured by
//! kind (and placed in their own row: a second cue), a legend, the replay/fork notice, and the
//! broker-to-broker link chips (click or right-click for cut / heal / slow).

use crate::components::side_panel::Tab;
use crate::history::{Tick, TickKind};
use crate::i18n::{tr, Lang};
use crate::layout::seconds;
use crate::links::{key, LinkView, MenuTarget};
use kafkascope::ids::{BrokerId, NodeId};
use kafkascope::vec_map::VecMap;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Tick buckets across the track (bounds the DOM however long the run).
pub const BUCKETS: u64 = 400;

/// Colour, row (0 = top) and message id of a tick kind.
pub fn tick_style(k: TickKind) -> (&'static str, u32, &'static str) {
    match k {
        TickKind::Fault => ("#000000", 0, "tick.fault"),
        TickKind::Election => ("#E69F00", 1, "tick.election"),
        TickKind::Isr => ("#56B4E9", 2, "tick.isr"),
        TickKind::Truncation => ("#D55E00", 3, "tick.truncation"),
        TickKind::Rebalance => ("#009E73", 4, "tick.rebalance"),
        TickKind::Roll => ("#CC79A7", 5, "tick.roll"),
    }
}

/// Properties of [`Timeline`].
#[derive(Properties, PartialEq, Clone)]
pub struct TimelineProps {
    /// Virtual time now (µs).
    pub now_us: u64,
    /// The furthest time reached in this future (µs).
    pub horizon_us: u64,
    /// Ticks, oldest first.
    pub ticks: Rc<Vec<Tick>>,
    /// Whether the run is behind its horizon.
    pub replaying: bool,
    /// Brokers, for the link chips.
    pub brokers: Vec<BrokerId>,
    /// Impaired links.
    pub links: VecMap<(NodeId, NodeId), LinkView>,
    /// Seeks to a virtual time (µs).
    pub on_seek: Callback<u64>,
    /// Opens a fault menu at client coordinates.
    pub on_menu: Callback<(MenuTarget, f64, f64)>,
    /// Opens a side-panel tab.
    pub on_panel: Callback<Tab>,
}

/// Renders the timeline bar.
#[function_component(Timeline)]
pub fn timeline(p: &TimelineProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let horizon = p.horizon_us.max(1);
    let mut buckets: VecMap<(u32, u64), TickKind> = VecMap::new();
    for t in p.ticks.iter() {
        let b = (t.at_us * BUCKETS / horizon).min(BUCKETS - 1);
        buckets.insert((tick_style(t.kind).1, b), t.kind);
    }
    let on_input = {
        let seek = p.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            // A range input's value is always a valid number: `valueAsNumber` is its parse (and
            // keeps core's float parser and its 10 KB power-of-five table out of the bundle).
            let ms = input.value_as_number();
            if ms.is_finite() {
                seek.emit((ms.max(0.0) * 1_000.0) as u64);
            }
        })
    };
    let on_ticks = {
        let seek = p.on_seek.clone();
        Callback::from(move |e: MouseEvent| {
            let el: web_sys::Element = e.target_unchecked_into();
            let svg = el.closest("svg").ok().flatten().unwrap_or(el);
            let w = f64::from(svg.client_width()).max(1.0);
            let x = f64::from(e.client_x()) - svg.get_bounding_client_rect().left();
            seek.emit(((x / w).clamp(0.0, 1.0) * horizon as f64) as u64);
        })
    };
    let ids = &p.brokers;
    let chips = ids.iter().enumerate().flat_map(|(i, a)| ids[i + 1..].iter().map(move |b| (*a, *b))).map(|(a, b)| {
        let (na, nb) = (NodeId::Broker(a), NodeId::Broker(b));
        let l = p.links.get(&key(na, nb)).copied().unwrap_or_default();
        let (class, label) = if l.cut {
            ("cut", format!("{a}↔{b} ✂ {}", tr(lang, "link.cut")))
        } else if l.extra_us > 0 {
            ("slow", format!("{a}↔{b} +{} ms", l.extra_us / 1_000))
        } else {
            ("ok", format!("{a}↔{b}"))
        };
        let open = {
            let cb = p.on_menu.clone();
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                cb.emit((MenuTarget::Link(na, nb), f64::from(e.client_x()), f64::from(e.client_y()) - 170.0));
            })
        };
        html! {
            <button key={format!("{a}-{b}")} class={classes!("link-chip", class)} data-testid={format!("link-{a}-{b}")}
                onclick={open.clone()} oncontextmenu={open} title={format!("broker {a} ↔ broker {b}: {}", tr(lang, if l.cut { "link.cut" } else if l.extra_us > 0 { "link.slow" } else { "link.ok" }))}>
                { label }
            </button>
        }
    });
    html! {
        <div class="timeline-bar">
            <div class="track" title={tr(lang, "timeline.title")}>
                <svg class="ticks" viewBox={format!("0 0 {BUCKETS} 18")} preserveAspectRatio="none" onclick={on_ticks} data-testid="timeline-ticks">
                    { for buckets.iter().map(|((row, b), k)| html! {
                        <rect key={format!("{row}-{b}")} x={b.to_string()} y={(row * 3).to_string()} width="1" height="3" fill={tick_style(*k).0} />
                    }) }
                    <rect class="now" x={format!("{:.2}", (p.now_us as f64 / horizon as f64 * BUCKETS as f64).min(BUCKETS as f64 - 0.5))} y="0" width="0.6" height="18" />
                </svg>
                <input type="range" data-testid="timeline" aria-label={tr(lang, "timeline")} min="0" max={(horizon / 1_000).to_string()} step="1"
                    value={(p.now_us / 1_000).to_string()} oninput={on_input} />
            </div>
            <span class="legend">
                { for TickKind::ALL.iter().map(|k| { let (c, _, m) = tick_style(*k); html! {
                    <span key={m} class="legend-item"><i style={format!("background: {c}")} />{ tr(lang, m) }</span>
                } }) }
            </span>
            <span class={classes!("fork", p.replaying.then_some("replaying"))} data-testid="fork-notice"
                data-replaying={p.replaying.to_string()} title={if p.replaying { tr(lang, "timeline.replay") } else { tr(lang, "timeline.title") }}>
                { if p.replaying { format!("↺ {} / {} · {}", seconds(p.now_us), seconds(p.horizon_us), tr(lang, "timeline.fork")) } else { format!("● {}", tr(lang, "timeline.live")) } }
            </span>
            <span class="links"><span class="muted">{ tr(lang, "links") }</span>{ for chips }</span>
            <span class="panels">
                <button data-testid="open-events" onclick={p.on_panel.reform(|_: MouseEvent| Tab::Events)}>{ tr(lang, "tab.events") }</button>
                <button data-testid="open-produce" onclick={p.on_panel.reform(|_: MouseEvent| Tab::Produce)}>{ tr(lang, "tab.produce") }</button>
                <button data-testid="open-inspector" onclick={p.on_panel.reform(|_: MouseEvent| Tab::Inspector)}>{ tr(lang, "tab.inspector") }</button>
                <button data-testid="open-config" onclick={p.on_panel.reform(|_: MouseEvent| Tab::Config)}>{ tr(lang, "tab.config") }</button>
            </span>
        </div>
    }
}
