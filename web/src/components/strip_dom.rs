//! The elements of a replica strip, kept in the page by the strip itself rather than as virtual DOM.
//!
//! About twenty of the 36 strips change in every frame of the frames benchmark (5 brokers x 12
//! partitions x RF 3 at 500 records/s), each a group of ~30 elements. Built as virtual DOM, a strip
//! formatted and diffed every attribute of every element at each change, most of a frame's script
//! time; here it compares what it wants with what it last wrote and touches only the attributes and
//! texts that differ (a frame moves a cell or two, a bar and a label per strip).
//! [`crate::components::strip::ReplicaStrip`] computes a [`StripDraw`] when its props change and hands
//! it to [`StripDom::update`] after rendering. The page is the same as before: the same elements,
//! classes and attributes, in the same order.

use crate::components::strip::WINDOW;
use crate::dom_num::{same_tenths, set_data_offset, set_translate_x, set_x_tenths};
use crate::layout::f1;
use web_sys::{Document, Element, Node};

const SVG: &str = "http://www.w3.org/2000/svg";

/// An element of the strip and the attributes last written to it.
struct Svg {
    el: Element,
    attrs: Vec<(&'static str, String)>,
}

impl Svg {
    fn new(doc: &Document, tag: &str, fixed: &[(&str, &str)]) -> Option<Svg> {
        let el = doc.create_element_ns(Some(SVG), tag).ok()?;
        for (k, v) in fixed {
            let _ = el.set_attribute(k, v);
        }
        Some(Svg { el, attrs: Vec::new() })
    }

    /// Writes `k` if it changed since it was last written.
    fn set(&mut self, k: &'static str, v: &str) {
        match self.attrs.iter_mut().find(|(name, _)| *name == k) {
            Some((_, old)) if old == v => {}
            Some((_, old)) => {
                old.clear();
                old.push_str(v);
                let _ = self.el.set_attribute(k, v);
            }
            None => {
                self.attrs.push((k, v.to_owned()));
                let _ = self.el.set_attribute(k, v);
            }
        }
    }

    fn append(&self, child: &Node) {
        let _ = self.el.append_child(child);
    }
}

/// A text node and the text last written to it.
struct Text {
    node: Node,
    text: String,
}

impl Text {
    fn new(doc: &Document, parent: &Svg) -> Text {
        let node: Node = doc.create_text_node("").into();
        parent.append(&node);
        Text { node, text: String::new() }
    }

    fn set(&mut self, text: &str) {
        if self.text != text {
            self.text = text.to_owned();
            self.node.set_node_value(Some(text));
        }
    }
}

/// What a strip shows, computed by the component from its props.
#[derive(Clone, Debug, PartialEq)]
pub struct StripDraw {
    /// The frame's x, y and width.
    pub frame: (f64, f64, f64),
    /// The folded range block, when older records are folded: x, width, fill, label x, label,
    /// tooltip.
    pub folded: Option<(f64, f64, &'static str, f64, String, String)>,
    /// Every cell's y, width and height.
    pub cell_y: f64,
    /// Width of a cell.
    pub cell_w: f64,
    /// The cells group's x offset.
    pub shift: f64,
    /// Per slot of the window (offset mod [`WINDOW`]): the cell's offset, x in the group and fill.
    pub slots: Vec<Option<(i64, f64, &'static str)>>,
    /// Cells cut by the last truncation: (truncation time, offset, x, fill).
    pub fallen: Vec<(u64, i64, f64, &'static str)>,
    /// The HW and LEO bars' x, and the bars' top and bottom.
    pub bars: (f64, f64, f64, f64),
    /// The "HW · LEO" label.
    pub mark: String,
}

/// One cell in the page: its element and what it shows.
struct Cell {
    el: Element,
    offset: i64,
    x: f64,
    fill: &'static str,
}

/// The elements of one strip, in page order: frame, folded block (when shown), cells, fallen cells,
/// HW bar, LEO bar, label.
pub struct StripDom {
    root: Element,
    frame: Svg,
    folded: Svg,
    folded_rect: Svg,
    folded_label: Svg,
    folded_text: Text,
    folded_title: Text,
    folded_shown: bool,
    cells: Svg,
    /// The cells group's x offset as last written.
    shift: Option<f64>,
    slots: Vec<Option<Cell>>,
    shared: (String, String),
    fallen: Vec<(u64, i64)>,
    fallen_els: Vec<Element>,
    hw: Svg,
    leo: Svg,
    mark: Svg,
    mark_text: Text,
}

impl StripDom {
    /// Builds the strip's elements in `root` (which must be empty).
    pub fn new(root: &Element) -> Option<StripDom> {
        let doc = root.owner_document()?;
        let frame = Svg::new(&doc, "rect", &[("class", "strip-frame"), ("height", &(crate::components::strip::STRIP_H + 4.0).to_string())])?;
        let folded = Svg::new(&doc, "g", &[("class", "folded")])?;
        let folded_rect = Svg::new(&doc, "rect", &[("opacity", "0.55")])?;
        let folded_label = Svg::new(&doc, "text", &[("class", "folded-label"), ("text-anchor", "middle")])?;
        let title = Svg::new(&doc, "title", &[])?;
        folded.append(&folded_rect.el);
        folded.append(&folded_label.el);
        folded.append(&title.el);
        let folded_text = Text::new(&doc, &folded_label);
        let folded_title = Text::new(&doc, &title);
        let cells = Svg::new(&doc, "g", &[("class", "cells")])?;
        let hw = Svg::new(&doc, "line", &[("class", "hw")])?;
        let leo = Svg::new(&doc, "line", &[("class", "leo")])?;
        let mark = Svg::new(&doc, "text", &[("class", "mark")])?;
        let mark_text = Text::new(&doc, &mark);
        let mark_title = Svg::new(&doc, "title", &[])?;
        mark_title.el.set_text_content(Some("HW (solid): offsets below it are committed and readable. LEO (dashed): next offset this replica will write."));
        mark.append(&mark_title.el);
        for el in [&frame.el, &cells.el, &hw.el, &leo.el, &mark.el] {
            let _ = root.append_child(el);
        }
        Some(StripDom {
            root: root.clone(),
            frame,
            folded,
            folded_rect,
            folded_label,
            folded_text,
            folded_title,
            folded_shown: false,
            cells,
            shift: None,
            slots: Vec::new(),
            shared: Default::default(),
            fallen: Vec::new(),
            fallen_els: Vec::new(),
            hw,
            leo,
            mark,
            mark_text,
        })
    }

    /// Whether these elements live in `root`.
    pub fn is_in(&self, root: &Element) -> bool {
        &self.root == root
    }

    /// Brings the strip to `d`, writing only what changed.
    pub fn update(&mut self, d: &StripDraw) {
        let (x, y, w) = d.frame;
        self.frame.set("x", &f1(x - 2.0));
        self.frame.set("y", &f1(y - 2.0));
        self.frame.set("width", &f1(w + 4.0));
        let cell_y = f1(d.cell_y);
        let height = crate::components::strip::STRIP_H.to_string();
        match &d.folded {
            Some((fx, fw, fill, label_x, label, title)) => {
                if !self.folded_shown {
                    let _ = self.root.insert_before(&self.folded.el, Some(&self.cells.el));
                    self.folded_shown = true;
                }
                self.folded_rect.set("x", &f1(*fx));
                self.folded_rect.set("y", &cell_y);
                self.folded_rect.set("width", &f1(*fw));
                self.folded_rect.set("height", &height);
                self.folded_rect.set("fill", fill);
                self.folded_label.set("x", &f1(*label_x));
                self.folded_label.set("y", &f1(y + 13.0));
                self.folded_text.set(label);
                self.folded_title.set(title);
            }
            None if self.folded_shown => {
                self.folded.el.remove();
                self.folded_shown = false;
            }
            None => {}
        }
        if !self.shift.is_some_and(|s| same_tenths(s, d.shift)) {
            set_translate_x(&self.cells.el, d.shift);
            self.shift = Some(d.shift);
        }
        let cell_w = f1((d.cell_w - 1.0).max(0.5));
        self.update_cells(&d.slots, &cell_y, &cell_w, &height);
        // Cut cells fall away once (a CSS animation on creation): new elements for a new cut.
        let fallen: Vec<(u64, i64)> = d.fallen.iter().map(|f| (f.0, f.1)).collect();
        if fallen != self.fallen {
            for el in self.fallen_els.drain(..) {
                el.remove();
            }
            let doc = self.root.owner_document();
            for &(_, o, fx, fill) in &d.fallen {
                let Some(r) = doc.as_ref().and_then(|doc| Svg::new(doc, "rect", &[("class", "fallen"), ("height", &height), ("fill", fill)])) else { continue };
                let _ = r.el.set_attribute("x", &f1(fx + 0.5));
                let _ = r.el.set_attribute("y", &cell_y);
                let _ = r.el.set_attribute("width", &cell_w);
                let _ = r.el.set_attribute("data-offset", &o.to_string());
                let _ = self.root.insert_before(&r.el, Some(&self.hw.el));
                self.fallen_els.push(r.el);
            }
            self.fallen = fallen;
        }
        let (hw_x, leo_x, top, bottom) = d.bars;
        let (top, bottom_s) = (f1(top), f1(bottom));
        for (bar, bx) in [(&mut self.hw, hw_x), (&mut self.leo, leo_x)] {
            let bx = f1(bx);
            bar.set("x1", &bx);
            bar.set("x2", &bx);
            bar.set("y1", &top);
            bar.set("y2", &bottom_s);
        }
        self.mark.set("x", &f1(x));
        self.mark.set("y", &f1(bottom + 10.0));
        self.mark_text.set(&d.mark);
    }

    /// The cells, one element per slot of the window: when new records shift the window, the cell
    /// whose offset left is reused for the one that came (its x, colour and offset change), and a
    /// cell whose record was committed changes only its fill.
    fn update_cells(&mut self, want: &[Option<(i64, f64, &'static str)>], y: &str, width: &str, height: &str) {
        self.slots.resize_with(WINDOW as usize, || None);
        let shared_changed = self.shared.0 != y || self.shared.1 != width;
        if shared_changed {
            self.shared = (y.to_owned(), width.to_owned());
        }
        let doc = self.root.owner_document();
        for (slot, wanted) in self.slots.iter_mut().zip(want) {
            match (slot.as_mut(), wanted) {
                (Some(c), &None) => {
                    c.el.remove();
                    *slot = None;
                }
                (None, &Some((offset, x, fill))) => {
                    let Some(el) = doc.as_ref().and_then(|doc| Svg::new(doc, "rect", &[("class", "cell"), ("y", y), ("width", width), ("height", height), ("fill", fill)])) else { continue };
                    set_x_tenths(&el.el, x);
                    set_data_offset(&el.el, offset as f64);
                    self.cells.append(&el.el);
                    *slot = Some(Cell { el: el.el, offset, x, fill });
                }
                (Some(c), &Some((offset, x, fill))) => {
                    if c.x != x {
                        set_x_tenths(&c.el, x);
                        c.x = x;
                    }
                    if c.offset != offset {
                        set_data_offset(&c.el, offset as f64);
                        c.offset = offset;
                    }
                    if c.fill != fill {
                        let _ = c.el.set_attribute("fill", fill);
                        c.fill = fill;
                    }
                    if shared_changed {
                        let _ = c.el.set_attribute("y", y);
                        let _ = c.el.set_attribute("width", width);
                    }
                }
                (None, &None) => {}
            }
        }
    }
}
