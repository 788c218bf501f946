//! The side panel: tabs for the inspector, the event log (synced with the timeline, filterable by
//! kind, click a line to seek there) and the produce-by-hand form.

use crate::components::inspector::{Inspector, InspectorProps};
use crate::components::timeline::tick_style;
use crate::history::{Tick, TickKind};
use crate::i18n::{tr, Lang};
use crate::layout::seconds;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Event-log lines shown at most.
pub const MAX_LINES: usize = 80;

/// A side-panel tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Segments, batches, indexes.
    Inspector,
    /// The event log.
    Events,
    /// Produce a record by hand.
    Produce,
    /// Producer metrics, consumer lag and the ledger's alarms over time.
    Charts,
    /// The recent messages as a space-time diagram.
    Sequence,
    /// Kafka's config keys of the run.
    Config,
}

/// A record typed by hand: key, value, partition.
pub type HandRecord = (Option<String>, String, Option<u32>);

/// Properties of [`SidePanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct SideProps {
    /// The open tab.
    pub tab: Tab,
    /// Switches tab.
    pub on_tab: Callback<Tab>,
    /// Closes the panel.
    pub on_close: Callback<()>,
    /// The inspector's data and callbacks.
    pub inspector: InspectorProps,
    /// Timeline ticks (the event log's lines).
    pub ticks: Rc<Vec<Tick>>,
    /// Virtual time now: later lines are hidden (the log follows the timeline).
    pub now_us: u64,
    /// Kind filter (`None`: all).
    pub filter: Option<TickKind>,
    /// Sets the filter.
    pub on_filter: Callback<Option<TickKind>>,
    /// Seeks to a time.
    pub on_seek: Callback<u64>,
    /// Produces a record by hand.
    pub on_produce: Callback<HandRecord>,
    /// The charts' series.
    pub charts: crate::series::ChartSeries,
    /// The sequence diagram's recent messages.
    pub sequence: crate::sequence_log::SequenceLog,
    /// The config tab's content (built by [`crate::config_ui`]).
    #[prop_or_default]
    pub config: Html,
    /// A `.log` file dropped on the page, shown above the inspector ([`crate::log_drop`]).
    #[prop_or_default]
    pub dropped: Html,
}

/// Renders the side panel.
#[function_component(SidePanel)]
pub fn side_panel(p: &SideProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let tabs = [(Tab::Inspector, "tab.inspector", "tab-inspector"), (Tab::Events, "tab.events", "tab-events"), (Tab::Produce, "tab.produce", "tab-produce"),
        (Tab::Charts, "tab.charts", "tab-charts"), (Tab::Sequence, "tab.sequence", "tab-sequence"), (Tab::Config, "tab.config", "tab-config")];
    let body = match p.tab {
        Tab::Inspector => html! { <>{ p.dropped.clone() }<Inspector ..p.inspector.clone() /></> },
        Tab::Events => events(p, lang),
        Tab::Produce => html! { <ProduceForm on_produce={p.on_produce.clone()} /> },
        Tab::Charts => html! { <crate::components::charts::Charts series={p.charts.clone()} /> },
        Tab::Sequence => html! { <crate::components::sequence::Sequence log={p.sequence.clone()} now_us={p.now_us} /> },
        Tab::Config => p.config.clone(),
    };
    html! {
        <aside class="side-panel" data-testid="side-panel">
            <div class="tabs" role="tablist">
                { for tabs.iter().map(|(t, m, id)| { let t = *t; html! {
                    <button key={*id} role="tab" data-testid={*id} aria-selected={(p.tab == t).to_string()} onclick={p.on_tab.reform(move |_: MouseEvent| t)}>{ tr(lang, m) }</button>
                } }) }
                <button class="close" aria-label={tr(lang, "panel.close")} onclick={p.on_close.reform(|_: MouseEvent| ())}>{ "✕" }</button>
            </div>
            <div class="panel-body">{ body }</div>
        </aside>
    }
}

fn events(p: &SideProps, lang: Lang) -> Html {
    let shown: Vec<&Tick> = p.ticks.iter().rev().filter(|t| t.at_us <= p.now_us && p.filter.is_none_or(|f| f == t.kind)).take(MAX_LINES).collect();
    let chip = |k: Option<TickKind>| {
        let (colour, msg) = k.map_or(("#ffffff", "events.all"), |k| (tick_style(k).0, tick_style(k).2));
        html! {
            <button key={msg} class="filter" data-testid={format!("filter-{msg}")} aria-pressed={(p.filter == k).to_string()} onclick={p.on_filter.reform(move |_: MouseEvent| k)}>
                <i style={format!("background: {colour}")} />{ tr(lang, msg) }
            </button>
        }
    };
    html! {
        <div class="event-log-tab" data-testid="events-tab">
            <div class="filters">{ chip(None) }{ for TickKind::ALL.iter().map(|k| chip(Some(*k))) }</div>
            if shown.is_empty() { <p class="muted">{ tr(lang, "events.empty") }</p> }
            <ol class="lines">
                { for shown.iter().enumerate().map(|(i, t)| { let at = t.at_us; html! {
                    <li key={format!("{}-{i}", t.at_us)} onclick={p.on_seek.reform(move |_: MouseEvent| at)}>
                        <i style={format!("background: {}", tick_style(t.kind).0)} /><span class="time">{ seconds(t.at_us) }</span>{ t.line.clone() }
                    </li>
                } }) }
            </ol>
        </div>
    }
}

/// Properties of [`ProduceForm`].
#[derive(Properties, PartialEq, Clone)]
pub struct ProduceProps {
    /// Called with the record typed.
    pub on_produce: Callback<HandRecord>,
}

/// The produce-by-hand form: key, value, partition (optional).
#[function_component(ProduceForm)]
pub fn produce_form(p: &ProduceProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let (k, v, part) = (use_node_ref(), use_node_ref(), use_node_ref());
    let onsubmit = {
        let (cb, k, v, part) = (p.on_produce.clone(), k.clone(), v.clone(), part.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let val = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let key = Some(val(&k)).filter(|s| !s.is_empty());
            let partition = val(&part).trim().parse::<u32>().ok();
            cb.emit((key, val(&v), partition));
        })
    };
    html! {
        <form class="produce-form" data-testid="produce-form" {onsubmit}>
            <label>{ tr(lang, "produce.key") }<input ref={k} data-testid="produce-key" /></label>
            <label>{ tr(lang, "produce.value") }<input ref={v} data-testid="produce-value" value="hello" /></label>
            <label>{ tr(lang, "produce.partition") }<input ref={part} data-testid="produce-partition" type="number" min="0" /></label>
            <button type="submit" data-testid="produce-send">{ tr(lang, "produce.send") }</button>
        </form>
    }
}
