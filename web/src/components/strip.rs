//! A replica strip: one cell per offset for the log's tail, older records folded into one range,
//! cells above the high watermark hatched, a solid HW bar and a dashed LEO bar.

use crate::layout::epoch_colour;
use crate::view_model::ReplicaView;
use yew::prelude::*;

/// Offsets drawn as individual cells; older ones are folded into a range block.
pub const WINDOW: i64 = 20;

/// Properties of [`ReplicaStrip`].
#[derive(Properties, PartialEq, Clone)]
pub struct StripProps {
    /// The replica's log.
    pub log: ReplicaView,
    /// Largest LEO among the partition's replicas (strips of one partition share a scale).
    pub max_leo: i64,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Whether the replica's broker is up (offline strips are greyed).
    pub online: bool,
    /// Whether the replica is in the ISR (solid border) or not (dashed).
    pub in_sync: bool,
    /// Called with a cell's offset when it is clicked (the record inspector).
    #[prop_or_default]
    pub on_record: Callback<i64>,
}

/// Height of a strip's cells.
pub const STRIP_H: f64 = 18.0;

/// Draws one replica's log.
#[function_component(ReplicaStrip)]
pub fn replica_strip(p: &StripProps) -> Html {
    let start = (p.max_leo - WINDOW).max(0);
    let agg_w = if start > 0 { p.width * 0.18 } else { 0.0 };
    let cell_w = (p.width - agg_w) / WINDOW as f64;
    let x_of = |o: i64| -> f64 {
        if o <= start {
            p.x + agg_w
        } else {
            p.x + agg_w + (o - start) as f64 * cell_w
        }
    };
    let log = &p.log;
    let mut cells = Vec::new();
    for r in &log.ranges {
        for o in r.start.max(start)..r.end {
            let hatched = o >= log.hw;
            let onclick = p.on_record.reform(move |e: MouseEvent| {
                e.stop_propagation();
                o
            });
            cells.push(html! {
                <g key={o.to_string()} class="cell" data-offset={o.to_string()} {onclick}>
                    <rect x={format!("{:.1}", x_of(o) + 0.5)} y={format!("{:.1}", p.y)}
                        width={format!("{:.1}", (cell_w - 1.0).max(0.5))} height={STRIP_H.to_string()}
                        fill={epoch_colour(r.epoch)} />
                    if hatched {
                        <rect x={format!("{:.1}", x_of(o) + 0.5)} y={format!("{:.1}", p.y)}
                            width={format!("{:.1}", (cell_w - 1.0).max(0.5))} height={STRIP_H.to_string()}
                            fill="url(#hatch)" />
                    }
                </g>
            });
        }
    }
    // Cells the last truncation cut: drawn where they were, falling away once (CSS animation).
    let fallen = log.fallen.iter().flat_map(|(at, runs)| runs.iter().flat_map(move |r| (r.start.max(start)..r.end).map(move |o| (*at, o, r.epoch))));
    let fallen = fallen.take(WINDOW as usize).map(|(at, o, epoch)| html! {
        <rect key={format!("fall-{at}-{o}")} class="fallen" x={format!("{:.1}", x_of(o) + 0.5)} y={format!("{:.1}", p.y)}
            width={format!("{:.1}", (cell_w - 1.0).max(0.5))} height={STRIP_H.to_string()} fill={epoch_colour(epoch)} data-offset={o.to_string()} />
    }).collect::<Html>();
    let folded = log.ranges.iter().filter(|r| r.start < start).map(|r| r.end.min(start) - r.start).sum::<i64>();
    let first_epoch = log.ranges.first().map(|r| r.epoch).unwrap_or(0);
    let class = classes!("strip", (!p.online).then_some("offline"), if p.in_sync { "isr" } else { "osr" });
    let (hw_x, leo_x) = (x_of(log.hw), x_of(log.leo));
    let (top, bottom) = (p.y - 3.0, p.y + STRIP_H + 3.0);
    html! {
        <g class={class}>
            <rect class="strip-frame" x={format!("{:.1}", p.x - 2.0)} y={format!("{:.1}", p.y - 2.0)}
                width={format!("{:.1}", p.width + 4.0)} height={(STRIP_H + 4.0).to_string()} />
            if start > log.log_start && log.leo > log.log_start {
                <g class="folded">
                    <rect x={format!("{:.1}", p.x)} y={format!("{:.1}", p.y)} width={format!("{:.1}", agg_w - 2.0)}
                        height={STRIP_H.to_string()} fill={epoch_colour(first_epoch)} opacity="0.55" />
                    <text x={format!("{:.1}", p.x + agg_w / 2.0 - 1.0)} y={format!("{:.1}", p.y + 13.0)}
                        class="folded-label" text-anchor="middle">{ format!("{}–{}", log.log_start, start.min(log.leo) - 1) }</text>
                    <title>{ format!("{folded} older records folded into one range") }</title>
                </g>
            }
            { for cells }
            { fallen }
            <line class="hw" x1={format!("{hw_x:.1}")} x2={format!("{hw_x:.1}")} y1={format!("{top:.1}")} y2={format!("{bottom:.1}")}>
            </line>
            <line class="leo" x1={format!("{leo_x:.1}")} x2={format!("{leo_x:.1}")} y1={format!("{top:.1}")} y2={format!("{bottom:.1}")}>
            </line>
            <text class="mark" x={format!("{:.1}", p.x)} y={format!("{:.1}", bottom + 10.0)}>
                { format!("HW {} · LEO {}", log.hw, log.leo) }
                <title>{ "HW (solid): offsets below it are committed and readable. LEO (dashed): next offset this replica will write." }</title>
            </text>
        </g>
    }
}
