//! A replica strip: one cell per offset for the log's tail, older records folded into one range,
//! cells above the high watermark hatched, a solid HW bar and a dashed LEO bar.

use crate::components::strip_dom::{StripDom, StripDraw};
use crate::layout::{epoch_colour, epoch_hatch};
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

/// What the strip draws of `p` (see [`StripDraw`]).
fn draw(p: &StripProps) -> StripDraw {
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
    // Cells sit in a group placed from `base`, which moves only every BASE_STEP offsets: when the window
    // slides, the group's transform changes, not every cell's x.
    let base = start - start.rem_euclid(BASE_STEP);
    let shift = p.x + agg_w - (start - base) as f64 * cell_w;
    let mut slots = vec![None; WINDOW as usize];
    for c in &cells {
        let fill = if c.hatched { epoch_hatch(c.epoch) } else { epoch_colour(c.epoch) };
        slots[c.offset.rem_euclid(WINDOW) as usize] = Some((c.offset, (c.offset - base) as f64 * cell_w + 0.5, fill));
    }
    // Cells the last truncation cut: drawn where they were, falling away once (CSS animation).
    let fallen = log.fallen.iter().flat_map(|(at, runs)| runs.iter().flat_map(move |r| (r.start.max(start)..r.end).map(move |o| (*at, o, r.epoch))));
    let fallen = fallen.take(WINDOW as usize).map(|(at, o, epoch)| (at, o, x_of(o), epoch_colour(epoch))).collect();
    let first_epoch = log.ranges.first().map(|r| r.epoch).unwrap_or(0);
    let folded = (start > log.log_start && log.leo > log.log_start).then(|| {
        let label = format!("{}–{}", log.log_start, start.min(log.leo) - 1);
        (p.x, agg_w - 2.0, epoch_colour(first_epoch), p.x + agg_w / 2.0 - 1.0, label, format!("{folded} older records folded into one range"))
    });
    StripDraw {
        frame: (p.x, p.y, p.width),
        folded,
        cell_y: p.y,
        cell_w,
        shift,
        slots,
        fallen,
        bars: (x_of(log.hw), x_of(log.leo), p.y - 3.0, p.y + STRIP_H + 3.0),
        mark: format!("HW {} · LEO {}", log.hw, log.leo),
    }
}

/// Draws one replica's log: a folded range block for older records, a cell per offset of the
/// window (hatched above the HW), the HW and LEO bars and their label.
///
/// Only the strip's group is virtual DOM; its elements are kept by [`StripDom`], which writes only
/// what changed since the last frame (see `strip_dom.rs` for why).
#[function_component(ReplicaStrip)]
pub fn replica_strip(p: &StripProps) -> Html {
    let root_ref = use_node_ref();
    let dom = use_mut_ref(|| None::<StripDom>);
    let want = draw(p);
    {
        let (root_ref, dom) = (root_ref.clone(), dom.clone());
        use_effect(move || {
            let Some(root) = root_ref.cast::<web_sys::Element>() else { return };
            let mut dom = dom.borrow_mut();
            if !dom.as_ref().is_some_and(|d| d.is_in(&root)) {
                root.set_inner_html("");
                *dom = StripDom::new(&root);
            }
            if let Some(d) = dom.as_mut() {
                d.update(&want);
            }
        });
    }
    let class = classes!("strip", (!p.online).then_some("offline"), if p.in_sync { "isr" } else { "osr" });
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
    html! { <g class={class} {onclick} ref={root_ref}></g> }
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
