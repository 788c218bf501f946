//! One replica in a broker column: its partition label and role, the click target that opens the
//! inspector, and the replica's strip. A component of its own so a frame that leaves a replica's
//! props unchanged skips it (the cluster redraws only the replicas whose log or role moved).

use crate::components::strip::ReplicaStrip;
use crate::i18n::{tr, Lang};
use crate::layout::f1;
use crate::view_model::{PartKey, ReplicaView};
use kafkascope::ids::BrokerId;
use yew::prelude::*;

/// Properties of [`ReplicaRow`]; all plain data plus one callback that must stay the same across
/// frames (build it with `use_callback`), or every row redraws every frame.
#[derive(Properties, PartialEq, Clone)]
pub struct ReplicaRowProps {
    /// Broker hosting the replica.
    pub broker: BrokerId,
    /// The replica's partition.
    pub part: PartKey,
    /// The replica's log.
    pub log: ReplicaView,
    /// Largest LEO among the partition's replicas (the strips' shared scale).
    pub max_leo: i64,
    /// Whether this replica leads the partition.
    pub leader: bool,
    /// The partition's leader epoch.
    pub leader_epoch: i32,
    /// Whether this replica is in the ISR.
    pub in_sync: bool,
    /// Whether its broker is up.
    pub online: bool,
    /// Left edge of the broker column.
    pub x: f64,
    /// Top of the row.
    pub y: f64,
    /// Width of the broker column.
    pub w: f64,
    /// Opens the inspector on a replica (broker, partition), and on one of its records if a cell was clicked.
    pub on_inspect: Callback<(BrokerId, PartKey, Option<i64>)>,
}

/// Draws one replica's label, click target and strip.
#[function_component(ReplicaRow)]
pub fn replica_row(p: &ReplicaRowProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let on_record = use_callback((p.broker, p.part.clone(), p.on_inspect.clone()), |o: i64, (id, key, cb)| cb.emit((*id, key.clone(), Some(o))));
    let (id, key, x, y, w) = (p.broker, &p.part, p.x, p.y, p.w);
    let role = if p.leader {
        format!("★ leader · epoch {}", p.leader_epoch)
    } else if p.in_sync {
        "follower · ISR".to_owned()
    } else {
        format!("follower · {}", tr(lang, "replica.osr"))
    };
    let inspect = {
        let (cb, key) = (p.on_inspect.clone(), key.clone());
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            cb.emit((id, key.clone(), None));
        })
    };
    html! {
        <g class={classes!("replica", p.leader.then_some("leader"))} data-target={format!("{}-{}", key.0, key.1)}>
            <text class="part-label" x={f1(x + 10.0)} y={f1(y + 12.0)}>
                <tspan class="tp">{ format!("{}-{}", key.0, key.1) }</tspan>
                <tspan class="role" dx="6">{ role }</tspan>
            </text>
            <g class="strip-hit" data-testid={format!("strip-{id}-{}-{}", key.0, key.1)} onclick={inspect}>
                <rect class="hit" x={f1(x + 10.0)} y={f1(y + 19.0)} width={f1(w - 20.0)} height="24" fill="transparent">
                    <title>{ "Click to inspect this replica's segments, batches and indexes" }</title>
                </rect>
                <ReplicaStrip log={p.log.clone()} max_leo={p.max_leo} x={x + 12.0} y={y + 22.0} width={w - 24.0}
                    online={p.online} in_sync={p.in_sync} {on_record} />
            </g>
        </g>
    }
}
