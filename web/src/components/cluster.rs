//! The cluster: a thin controller row, the traffic lanes, and one column per broker holding a replica
//! strip for every partition it hosts. Clicking a broker asks to crash or restart it.
//!
//! Drawn as two parts in two of the scene's stacked SVGs (see `app.rs`): [`ClusterFrame`] (the
//! controller row, the lanes and the event log, which change rarely) and [`Cluster`] (the broker
//! columns and their strips, which change every frame), so that Blink does not re-lay out and
//! re-record the frame's paint when only a strip moved.

use crate::components::replica_row::ReplicaRow;
use crate::i18n::{tr, Lang};
use crate::layout::*;
use crate::links::MenuTarget;
use crate::view_model::{BrokerView, PartKey, PartitionView};
use kafkascope::ids::{BrokerId, NodeId};
use kafkascope::vec_map::VecMap;
use yew::prelude::*;

/// Properties of [`Cluster`].
#[derive(Properties, PartialEq, Clone)]
pub struct ClusterProps {
    /// Brokers by id.
    pub brokers: VecMap<BrokerId, BrokerView>,
    /// Partitions by topic and number.
    pub partitions: VecMap<PartKey, PartitionView>,
    /// Called with a broker's id when it is clicked.
    pub on_broker: Callback<BrokerId>,
    /// Opens the fault menu for a broker at client coordinates.
    pub on_menu: Callback<(MenuTarget, f64, f64)>,
    /// Opens the inspector on a replica (broker, partition), and on one of its records if a cell was clicked.
    pub on_inspect: Callback<(BrokerId, PartKey, Option<i64>)>,
}

/// Opens `target`'s menu from a keyboard event (M, the context-menu key, Shift+F10) at the element.
pub fn menu_key(e: &KeyboardEvent, target: MenuTarget, cb: &Callback<(MenuTarget, f64, f64)>) -> bool {
    let k = e.key();
    if k == "m" || k == "M" || k == "ContextMenu" || (k == "F10" && e.shift_key()) {
        e.prevent_default();
        e.stop_propagation();
        let el: Option<web_sys::Element> = e.target_dyn_into();
        let (x, y) = el.map(|el| { let r = el.get_bounding_client_rect(); (r.left() + 20.0, r.top() + 40.0) }).unwrap_or((200.0, 200.0));
        cb.emit((target, x, y));
        return true;
    }
    false
}

/// Height of one partition row in a broker column, for `partitions` drawn partitions.
fn row_height(partitions: usize) -> f64 {
    ((SCENE_H - COLUMN_Y - HEADER_H - 12.0) / partitions.max(1) as f64).min(104.0)
}

/// Draws the broker columns and their replica strips.
#[function_component(Cluster)]
pub fn cluster(p: &ClusterProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let ids: Vec<BrokerId> = p.brokers.keys().copied().collect();
    let rows = p.partitions.len().max(1) as f64;
    let row_h = row_height(p.partitions.len());
    let columns = ids.iter().enumerate().map(|(i, id)| {
        let b = p.brokers.get(id).cloned().unwrap_or_default();
        let (x, w) = broker_column(i, ids.len());
        let id = *id;
        let onclick = p.on_broker.reform(move |_: MouseEvent| id);
        let oncontextmenu = {
            let cb = p.on_menu.clone();
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                cb.emit((MenuTarget::Broker(id), f64::from(e.client_x()), f64::from(e.client_y())));
            })
        };
        let onkeydown = {
            let (cb, menu) = (p.on_broker.clone(), p.on_menu.clone());
            Callback::from(move |e: KeyboardEvent| {
                if menu_key(&e, MenuTarget::Broker(id), &menu) {
                    return;
                }
                if e.key() == "Enter" {
                    e.prevent_default();
                    cb.emit(id);
                }
            })
        };
        let state = if b.up { "up" } else { "down" };
        let height = HEADER_H + rows * row_h + 8.0;
        let strips = p.partitions.iter().enumerate().filter_map(|(r, (key, part))| {
            let log = part.logs.get(&id)?;
            let y = COLUMN_Y + HEADER_H + r as f64 * row_h + 8.0;
            let max_leo = part.logs.values().map(|l| l.leo).max().unwrap_or(0);
            Some(html! {
                <ReplicaRow key={format!("{}-{}", key.0, key.1)} broker={id} part={key.clone()} log={log.clone()} {max_leo}
                    leader={part.leader == Some(id)} leader_epoch={part.leader_epoch} in_sync={part.isr.contains(&id)}
                    online={b.up} {x} {y} {w} on_inspect={p.on_inspect.clone()} />
            })
        });
        html! {
            <g key={id.to_string()} class={classes!("broker", state)} data-testid={format!("broker-{id}")}
                data-state={state} {onclick} {oncontextmenu} {onkeydown} tabindex="0" role="button" aria-label={format!("broker {id}: {state}; click to {}", if b.up { "crash" } else { "restart" })}>
                <title>{ if b.up { "Click to crash this broker (its page cache survives)" } else { "Click to restart this broker" } }</title>
                <line class="drop" x1={f1(x + w / 2.0)} x2={f1(x + w / 2.0)}
                    y1={f1(LANE_PRODUCE_Y)} y2={f1(COLUMN_Y)} />
                <rect class="column" x={f1(x)} y={f1(COLUMN_Y)} width={f1(w)}
                    height={f1(height)} rx="8" />
                <rect class="header" x={f1(x)} y={f1(COLUMN_Y)} width={f1(w)}
                    height={f1(HEADER_H)} rx="8" />
                <text class="broker-name" x={f1(x + 12.0)} y={f1(COLUMN_Y + 26.0)}>
                    { format!("broker {id}") }
                    if b.controller { <tspan class="ctl" dx="6">{ "◆ controller" }</tspan> }
                </text>
                <text class={classes!("status", state)} x={f1(x + w - 12.0)} y={f1(COLUMN_Y + 26.0)}
                    text-anchor="end">{ tr(lang, if b.up { "broker.up" } else { "broker.down" }) }</text>
                { for strips }
            </g>
        }
    });
    html! { <g class="cluster">{ for columns }</g> }
}

/// Properties of [`ClusterFrame`].
#[derive(Properties, PartialEq, Clone)]
pub struct ClusterFrameProps {
    /// Partitions drawn (the broker columns' height, so where the event log starts).
    pub partitions: usize,
    /// Active controller and its epoch.
    pub controller: Option<(NodeId, u32)>,
    /// Latest notable events (virtual µs, line), newest last.
    pub notable: Vec<(u64, String)>,
    /// Internal topics not drawn, with their partition counts.
    pub hidden_topics: VecMap<String, usize>,
}

/// Draws the controller row, the lanes and the event log under the broker columns.
#[function_component(ClusterFrame)]
pub fn cluster_frame(p: &ClusterFrameProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let controller = match p.controller {
        Some((node, epoch)) => format!("{}: {node} · epoch {epoch}", tr(lang, "controller")),
        None => format!("{}: {}", tr(lang, "controller"), tr(lang, "controller.electing")),
    };
    let hidden: Vec<String> = p.hidden_topics.iter().map(|(t, n)| format!("{t} ({n} partitions)")).collect();
    let controller = if hidden.is_empty() { controller } else { format!("{controller} · {}: {}", tr(lang, "controller.hidden"), hidden.join(", ")) };
    let log_y = COLUMN_Y + HEADER_H + p.partitions.max(1) as f64 * row_height(p.partitions) + 22.0;
    let lanes = [(LANE_PRODUCE_Y, "produce"), (LANE_REPLICA_Y, "replicate"), (LANE_CONSUME_Y, "fetch")];
    html! {
        <g class="cluster-frame">
            <rect class="controller-row" x={CLUSTER_X0.to_string()} y="8" width={(CLUSTER_X1 - CLUSTER_X0).to_string()} height="26" rx="6" />
            <text class="controller-label" x={(CLUSTER_X0 + 12.0).to_string()} y="26">{ controller }</text>
            { for lanes.iter().map(|(y, name)| {
                let (x0, x1) = match *name {
                    "produce" => (PRODUCER_X + SIDE_W, CLUSTER_X1),
                    "fetch" => (CLUSTER_X0, CONSUMER_X),
                    _ => (CLUSTER_X0, CLUSTER_X1),
                };
                html! {
                    <g key={*name} class={classes!("lane", *name)}>
                        <line x1={x0.to_string()} x2={x1.to_string()} y1={y.to_string()} y2={y.to_string()} />
                        <text class="lane-label" x={(CLUSTER_X1 - 4.0).to_string()} y={(y - 2.0).to_string()} text-anchor="end">{ *name }</text>
                    </g>
                }
            }) }
            if log_y + 40.0 < SCENE_H {
                <g class="event-log" data-testid="event-log">
                    <rect class="panel" x={CLUSTER_X0.to_string()} y={f1(log_y)} width={(CLUSTER_X1 - CLUSTER_X0).to_string()}
                        height={f1(SCENE_H - log_y - 6.0)} rx="8" />
                    <text class="panel-title" x={(CLUSTER_X0 + 12.0).to_string()} y={f1(log_y + 20.0)}>{ tr(lang, "what_happened") }</text>
                    { for p.notable.iter().rev().take(((SCENE_H - log_y - 36.0) / 15.0).max(0.0) as usize).enumerate().map(|(i, (at, line))| html! {
                        <text class="log-line" x={(CLUSTER_X0 + 12.0).to_string()} y={f1(log_y + 38.0 + i as f64 * 15.0)}>
                            <tspan class="log-time">{ seconds(*at) }</tspan><tspan dx="10">{ line.clone() }</tspan>
                        </text>
                    }) }
                </g>
            }
        </g>
    }
}
