//! The sequence tab: a space-time (message sequence) diagram of the recent messages between
//! producers, the controller, brokers and consumers. One lifeline per node, time running down, one
//! row and arrow per message in send order, from sender to receiver (a dropped one ends in ✕ half way). The
//! messages come from the view state's bounded [`SequenceLog`]; this only draws them.

use crate::i18n::{tr, Lang};
use crate::layout::{message_style, seconds};
use crate::sequence_log::SequenceLog;
use crate::view_model::Flight;
use kafkascope::ids::NodeId;
use yew::prelude::*;

/// Drawing width (SVG user units).
pub const SEQ_W: f64 = 460.0;
/// Drawing height.
pub const SEQ_H: f64 = 520.0;
/// Height of the node names row.
const HEAD: f64 = 26.0;
/// Left margin for the time labels.
const LEFT: f64 = 44.0;

/// Lifeline order: producers, the controller, brokers, consumers (left to right, as on the scene).
fn rank(n: &NodeId) -> (u8, u32) {
    match *n {
        NodeId::Producer(p) => (0, p),
        NodeId::Controller(c) => (1, c),
        NodeId::Broker(b) => (2, b),
        NodeId::Consumer(c) => (3, c),
    }
}

/// Short lifeline name: P1, ctl-0, B2, C1.
fn short(n: &NodeId) -> String {
    match n {
        NodeId::Producer(p) => format!("P{p}"),
        NodeId::Controller(c) => format!("ctl-{c}"),
        NodeId::Broker(b) => format!("B{b}"),
        NodeId::Consumer(c) => format!("C{c}"),
    }
}

/// The nodes that appear in `messages`, in lifeline order.
pub fn lifelines<'a>(messages: impl Iterator<Item = &'a Flight>) -> Vec<NodeId> {
    let mut nodes: Vec<NodeId> = messages.flat_map(|f| [f.from, f.to]).collect();
    kafkascope::order::sort_by_key(&mut nodes, rank);
    nodes.dedup();
    nodes
}

/// Properties of [`Sequence`].
#[derive(Properties, PartialEq, Clone)]
pub struct SequenceProps {
    /// The recent messages.
    pub log: SequenceLog,
    /// Virtual time now (µs): the bottom of the diagram.
    pub now_us: u64,
}

/// Renders the sequence diagram.
#[function_component(Sequence)]
pub fn sequence(p: &SequenceProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let msgs = &p.log.messages;
    let Some(t0) = msgs.iter().map(|f| f.sent_us).min() else {
        return html! { <p class="muted" data-testid="sequence-empty">{ tr(lang, "sequence.empty") }</p> };
    };
    let t1 = p.now_us.max(t0 + 1);
    let nodes = lifelines(msgs.iter());
    let gap = (SEQ_W - LEFT) / nodes.len().max(1) as f64;
    let x_of = |n: &NodeId| LEFT + gap * (nodes.iter().position(|m| m == n).unwrap_or(0) as f64 + 0.5);
    // One row per message in send order: sub-millisecond hops and half-second long polls both stay
    // readable (a time axis to scale would draw most arrows flat on top of each other).
    let row = (SEQ_H - HEAD - 6.0) / msgs.len().max(1) as f64;
    let arrows = msgs.iter().enumerate().map(|(i, f)| {
        let (label, colour) = message_style(f.kind);
        let dropped = f.dropped_us.is_some();
        let (x0, y0) = (x_of(&f.from), HEAD + i as f64 * row);
        // A dropped message stops half way, where it died; an arrival slopes down one row.
        let (x1, y1) = if dropped { ((x0 + x_of(&f.to)) / 2.0, y0 + row * 0.5) } else { (x_of(&f.to), y0 + row * 0.9) };
        let latency = f.dropped_us.unwrap_or(f.arrive_us).saturating_sub(f.sent_us);
        html! {
            <g key={f.msg.to_string()} class={classes!("msg", dropped.then_some("dropped"))} data-kind={format!("{:?}", f.kind)}>
                if i % 10 == 0 { <text class="tick" x="2" y={format!("{:.1}", y0 + 3.0)}>{ seconds(f.sent_us) }</text> }
                <line x1={format!("{x0:.1}")} y1={format!("{y0:.1}")} x2={format!("{x1:.1}")} y2={format!("{y1:.1}")} stroke={colour}
                    marker-end={if dropped { "" } else { "url(#seq-arrow)" }} />
                <text x={format!("{:.1}", x0 + (x1 - x0) * 0.25)} y={format!("{:.1}", y0 + (y1 - y0) * 0.25 - 1.5)} text-anchor="middle">{ label }</text>
                if dropped { <text class="cross" x={format!("{x1:.1}")} y={format!("{:.1}", y1 + 4.0)} text-anchor="middle">{ "✕" }</text> }
                <title>{ format!("{:?} {} → {} · sent {} · {} after {:.3} ms", f.kind, f.from, f.to, seconds(f.sent_us),
                    if dropped { "dropped" } else { "arrives" }, latency as f64 / 1_000.0) }</title>
            </g>
        }
    });
    html! {
        <div class="sequence" data-testid="sequence-tab">
            <p class="muted">{ format!("{} · {} – {}", tr(lang, "sequence.caption"), seconds(t0), seconds(t1)) }</p>
            <svg viewBox={format!("0 0 {SEQ_W} {SEQ_H}")} role="img" aria-label={tr(lang, "tab.sequence")}>
                <defs>
                    <marker id="seq-arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M0,0 L6,3 L0,6 z" fill="#555" />
                    </marker>
                </defs>
                { for nodes.iter().map(|n| { let x = x_of(n); html! {
                    <g key={n.to_string()} class="lifeline" data-node={n.to_string()}>
                        <text x={format!("{x:.1}")} y="14" text-anchor="middle">{ short(n) }</text>
                        <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1={(HEAD - 6.0).to_string()} y2={SEQ_H.to_string()} />
                    </g>
                } }) }
                { for arrows }
            </svg>
        </div>
    }
}
