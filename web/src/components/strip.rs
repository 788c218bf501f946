//! A replica strip: one cell per offset for the log's tail, older records folded into one range,
//! cells above the high watermark hatched, a solid HW bar and a dashed LEO bar.

use crate::layout::{epoch_colour, epoch_hatch, f1};
use crate::view_model::ReplicaView;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Offsets drawn as individual cells; older ones are folded into a range block.
pub const WINDOW: i64 = 20;

/// Cells are positioned from a base offset rounded down to a multiple of this (see [`ReplicaStrip`]).
const BASE_STEP: i64 = 1000;

/// One offset drawn as its own cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The record's offset.
    pub offset: i64,
    /// Leader epoch that wrote it (its colour).
    pub epoch: i32,
    /// Whether it is above the high watermark (not yet committed).
    pub hatched: bool,
}

/// What a strip draws of one log: the offsets folded into the range block and the cells after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripCells {
    /// First offset drawn as a cell (offsets below it are folded).
    pub start: i64,
    /// How many of the log's records are folded into the range block.
    pub folded: i64,
    /// The cells, ascending by offset; never more than [`WINDOW`], however long the log.
    pub cells: Vec<Cell>,
}

/// Splits `log` into its folded range and its last cells, on the scale of the partition's largest LEO.
pub fn strip_cells(log: &ReplicaView, max_leo: i64) -> StripCells {
    let start = (max_leo - WINDOW).max(0);
    let cells = log.ranges.iter().flat_map(|r| (r.start.max(start)..r.end).map(move |offset| Cell { offset, epoch: r.epoch, hatched: offset >= log.hw }));
    let folded = log.ranges.iter().filter(|r| r.start < start).map(|r| r.end.min(start) - r.start).sum::<i64>();
    // A follower's log never passes the partition's largest LEO, so the window holds at most WINDOW cells.
    StripCells { start, folded, cells: cells.take(WINDOW as usize).collect() }
}

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

/// The offset of the cell a click landed in, if it landed in one.
fn clicked_offset(e: &MouseEvent) -> Option<i64> {
    let target = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    target.closest(".cell").ok()??.get_attribute("data-offset")?.parse().ok()
}

/// One cell as drawn in the page: its element and what it shows.
struct DrawnCell {
    el: web_sys::Element,
    offset: i64,
    x: f64,
    fill: &'static str,
}

/// The cells a strip has put in its `g.cells` group, by slot (offset mod [`WINDOW`]), and the
/// attributes every cell shares as last written.
#[derive(Default)]
struct DrawnCells {
    group: Option<web_sys::Element>,
    slots: Vec<Option<DrawnCell>>,
    shared: (String, String),
}

/// What the cells group should hold: per slot the cell's offset, x (in the group) and fill, and the
/// y and width every cell shares.
struct WantedCells {
    slots: Vec<Option<(i64, f64, &'static str)>>,
    y: String,
    width: String,
}

impl DrawnCells {
    /// Brings the cells in `group` to `want`, writing only the attributes that changed. The cells are
    /// the page's most numerous elements and ~20 strips change every frame: built as virtual DOM
    /// they were most of a frame's script time (a rect with six attributes per cell per render,
    /// formatted and diffed), while a frame changes a few cells per strip.
    fn update(&mut self, group: web_sys::Element, want: &WantedCells) {
        if self.group.as_ref() != Some(&group) {
            *self = DrawnCells { group: Some(group.clone()), slots: Vec::new(), shared: Default::default() };
            group.set_inner_html("");
        }
        self.slots.resize_with(WINDOW as usize, || None);
        let shared_changed = self.shared.0 != want.y || self.shared.1 != want.width;
        if shared_changed {
            self.shared = (want.y.clone(), want.width.clone());
        }
        let doc = group.owner_document();
        let height = STRIP_H.to_string();
        for (slot, wanted) in self.slots.iter_mut().zip(&want.slots) {
            match (slot.as_mut(), wanted) {
                (Some(d), &None) => {
                    d.el.remove();
                    *slot = None;
                }
                (None, &Some((offset, x, fill))) => {
                    let Some(el) = doc.as_ref().and_then(|d| d.create_element_ns(Some("http://www.w3.org/2000/svg"), "rect").ok()) else { continue };
                    for (k, v) in [("class", "cell"), ("y", want.y.as_str()), ("width", want.width.as_str()), ("height", height.as_str()), ("fill", fill)] {
                        let _ = el.set_attribute(k, v);
                    }
                    let _ = el.set_attribute("x", &f1(x));
                    let _ = el.set_attribute("data-offset", &offset.to_string());
                    let _ = group.append_child(&el);
                    *slot = Some(DrawnCell { el, offset, x, fill });
                }
                (Some(d), &Some((offset, x, fill))) => {
                    if d.x != x {
                        let _ = d.el.set_attribute("x", &f1(x));
                        d.x = x;
                    }
                    if d.offset != offset {
                        let _ = d.el.set_attribute("data-offset", &offset.to_string());
                        d.offset = offset;
                    }
                    if d.fill != fill {
                        let _ = d.el.set_attribute("fill", fill);
                        d.fill = fill;
                    }
                    if shared_changed {
                        let _ = d.el.set_attribute("y", &want.y);
                        let _ = d.el.set_attribute("width", &want.width);
                    }
                }
                (None, &None) => {}
            }
        }
    }
}

/// Draws one replica's log.
///
/// The cells (one rect per offset of the window) are not virtual DOM: the strip keeps them in its
/// `g.cells` group itself ([`DrawnCells`]), one per slot of the window (offset mod [`WINDOW`]), so
/// when new records shift the window the cell whose offset left is reused for the one that came
/// (its x, colour and offset change) and a cell whose record was committed changes only its fill.
#[function_component(ReplicaStrip)]
pub fn replica_strip(p: &StripProps) -> Html {
    let cells_ref = use_node_ref();
    let drawn = use_mut_ref(DrawnCells::default);
    let log = &p.log;
    let StripCells { start, folded, cells } = strip_cells(log, p.max_leo);
    let agg_w = if start > 0 { p.width * 0.18 } else { 0.0 };
    let cell_w = (p.width - agg_w) / WINDOW as f64;
    let x_of = |o: i64| -> f64 {
        if o <= start {
            p.x + agg_w
        } else {
            p.x + agg_w + (o - start) as f64 * cell_w
        }
    };
    // Attributes every cell shares are formatted once per render (AttrValue clones share the text).
    let y = AttrValue::from(f1(p.y));
    let width = AttrValue::from(f1((cell_w - 1.0).max(0.5)));
    let height = AttrValue::from(STRIP_H.to_string());
    // Cells sit in a group placed from `base`, which moves only every BASE_STEP offsets: when the window
    // slides, the group's transform changes, not every cell's x.
    let base = start - start.rem_euclid(BASE_STEP);
    let shift = p.x + agg_w - (start - base) as f64 * cell_w;
    let mut slots = vec![None; WINDOW as usize];
    for c in &cells {
        let fill = if c.hatched { epoch_hatch(c.epoch) } else { epoch_colour(c.epoch) };
        slots[c.offset.rem_euclid(WINDOW) as usize] = Some((c.offset, (c.offset - base) as f64 * cell_w + 0.5, fill));
    }
    let want = WantedCells { slots, y: y.to_string(), width: width.to_string() };
    {
        let (cells_ref, drawn) = (cells_ref.clone(), drawn.clone());
        use_effect(move || {
            if let Some(group) = cells_ref.cast::<web_sys::Element>() {
                drawn.borrow_mut().update(group, &want);
            }
        });
    }
    // Cells the last truncation cut: drawn where they were, falling away once (CSS animation).
    let fallen = log.fallen.iter().flat_map(|(at, runs)| runs.iter().flat_map(move |r| (r.start.max(start)..r.end).map(move |o| (*at, o, r.epoch))));
    let fallen = fallen.take(WINDOW as usize).map(|(at, o, epoch)| html! {
        <rect key={format!("fall-{at}-{o}")} class="fallen" x={f1(x_of(o) + 0.5)} y={y.clone()}
            width={width.clone()} height={height.clone()} fill={epoch_colour(epoch)} data-offset={o.to_string()} />
    }).collect::<Html>();
    let first_epoch = log.ranges.first().map(|r| r.epoch).unwrap_or(0);
    let class = classes!("strip", (!p.online).then_some("offline"), if p.in_sync { "isr" } else { "osr" });
    let (hw_x, leo_x) = (f1(x_of(log.hw)), f1(x_of(log.leo)));
    let (top, bottom) = (f1(p.y - 3.0), p.y + STRIP_H + 3.0);
    let bottom_s = f1(bottom);
    // One listener for the whole strip: a click in a cell opens that record, elsewhere it bubbles on.
    let onclick = {
        let on_record = p.on_record.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(offset) = clicked_offset(&e) {
                e.stop_propagation();
                on_record.emit(offset);
            }
        })
    };
    html! {
        <g class={class} {onclick}>
            <rect class="strip-frame" x={f1(p.x - 2.0)} y={f1(p.y - 2.0)}
                width={f1(p.width + 4.0)} height={(STRIP_H + 4.0).to_string()} />
            if start > log.log_start && log.leo > log.log_start {
                <g class="folded">
                    <rect x={f1(p.x)} y={y.clone()} width={f1(agg_w - 2.0)}
                        height={height.clone()} fill={epoch_colour(first_epoch)} opacity="0.55" />
                    <text x={f1(p.x + agg_w / 2.0 - 1.0)} y={f1(p.y + 13.0)}
                        class="folded-label" text-anchor="middle">{ format!("{}–{}", log.log_start, start.min(log.leo) - 1) }</text>
                    <title>{ format!("{folded} older records folded into one range") }</title>
                </g>
            }
            <g class="cells" ref={cells_ref} transform={format!("translate({} 0)", f1(shift))}></g>
            { fallen }
            <line class="hw" x1={hw_x.clone()} x2={hw_x} y1={top.clone()} y2={bottom_s.clone()}>
            </line>
            <line class="leo" x1={leo_x.clone()} x2={leo_x} y1={top} y2={bottom_s.clone()}>
            </line>
            <text class="mark" x={f1(p.x)} y={f1(bottom + 10.0)}>
                { format!("HW {} · LEO {}", log.hw, log.leo) }
                <title>{ "HW (solid): offsets below it are committed and readable. LEO (dashed): next offset this replica will write." }</title>
            </text>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::EpochRange;

    fn log(ranges: &[(i64, i64, i32)], hw: i64) -> ReplicaView {
        let ranges: Vec<EpochRange> = ranges.iter().map(|&(start, end, epoch)| EpochRange { start, end, epoch }).collect();
        ReplicaView { leo: ranges.last().map_or(0, |r| r.end), hw, ranges, ..ReplicaView::default() }
    }

    #[test]
    fn a_long_log_draws_at_most_a_window_of_cells_and_folds_the_rest() {
        for leo in [0, 5, WINDOW, 1_000, 1_000_000] {
            let l = log(&[(0, leo / 2, 0), (leo / 2, leo, 1)], leo - 3);
            let s = strip_cells(&l, leo);
            assert!(s.cells.len() <= WINDOW as usize, "leo {leo}: {} cells", s.cells.len());
            assert_eq!(s.folded + s.cells.len() as i64, leo, "every record is a cell or folded (leo {leo})");
            assert!(s.cells.windows(2).all(|w| w[0].offset + 1 == w[1].offset), "cells are consecutive");
            assert_eq!(s.cells.iter().filter(|c| c.hatched).count() as i64, 3.min(leo), "only cells above the HW are hatched");
        }
    }

    #[test]
    fn a_lagging_follower_shares_the_partitions_window() {
        // The leader is at 100; a follower at 90 draws offsets 80..90 in the leader's window.
        let s = strip_cells(&log(&[(0, 90, 2)], 90), 100);
        assert_eq!((s.start, s.folded), (80, 80));
        assert_eq!(s.cells.first().map(|c| c.offset), Some(80));
        assert_eq!(s.cells.len(), 10);
        assert!(s.cells.iter().all(|c| c.epoch == 2 && !c.hatched));
    }
}
