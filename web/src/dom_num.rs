//! Numeric attributes written from numbers on the JS side.
//!
//! The frames benchmark writes about 140 number-valued attributes a frame (each new cell's `x` and
//! `data-offset`, each strip's cells-group `transform`, each moving message's `style`). Written as
//! strings, each value was formatted in wasm and decoded again by a `TextDecoder` call in the JS
//! glue, and the attribute name too: string decoding was about 7 % of the page's script. These
//! functions pass the number (and the name as an index) and format it in JS exactly as
//! [`crate::layout::f1`] does, so the page gets the same attribute text.

use wasm_bindgen::prelude::*;
use web_sys::Element;

#[wasm_bindgen(inline_js = r#"
// layout::f1: one decimal, ties away from zero; -0.0 prints as 0.0.
function f1(v) {
  const t = Math.sign(v) * Math.round(Math.abs(v * 10));
  const a = Math.abs(t);
  return (t < 0 ? '-' : '') + Math.floor(a / 10) + '.' + (a % 10);
}
export function set_x_tenths(el, v) { el.setAttribute('x', f1(v)); }
export function set_data_offset(el, v) { el.setAttribute('data-offset', String(v)); }
export function set_translate_x(el, v) { el.setAttribute('transform', 'translate(' + f1(v) + ' 0)'); }
export function set_style_translate(el, x, y) { el.setAttribute('style', 'transform: translate(' + f1(x) + 'px, ' + f1(y) + 'px)'); }
"#)]
extern "C" {
    /// `el.x = f1(v)`.
    pub fn set_x_tenths(el: &Element, v: f64);
    /// `el.data-offset = v` (an offset: an integer well inside f64's exact range).
    pub fn set_data_offset(el: &Element, v: f64);
    /// `el.transform = "translate(f1(v) 0)"`.
    pub fn set_translate_x(el: &Element, v: f64);
    /// `el.style = "transform: translate(f1(x)px, f1(y)px)"`.
    pub fn set_style_translate(el: &Element, x: f64, y: f64);
}

/// Whether `a` and `b` print the same with [`crate::layout::f1`] (so the attribute need not be written).
pub fn same_tenths(a: f64, b: f64) -> bool {
    (a * 10.0).round() == (b * 10.0).round()
}
