//! The inspector tab: a replica's segments, the chosen segment's bytes in hex, its batches decoded,
//! its `.index` / `.timeindex` entries, an offset lookup walked step by step through the sparse
//! index, and a download of the `.log` file. The data comes from the driver; this only draws it.

use crate::i18n::{tr, Lang};
use crate::inspect::Inspection;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`Inspector`].
#[derive(Properties, PartialEq, Clone)]
pub struct InspectorProps {
    /// What to show (`None`: nothing selected or no log there).
    pub data: Option<Rc<Inspection>>,
    /// Whether a replica is selected at all.
    pub selected: bool,
    /// Picks a segment by base offset.
    pub on_segment: Callback<i64>,
    /// Looks an offset up.
    pub on_lookup: Callback<i64>,
    /// Downloads the segment's `.log` file.
    pub on_download: Callback<i64>,
}

/// Bytes as hex rows of 16 with offsets and ASCII.
pub fn hex_rows(bytes: &[u8]) -> Html {
    html! { <>{ for bytes.chunks(16).enumerate().map(|(i, row)| {
        let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = row.iter().map(|b| if b.is_ascii_graphic() { *b as char } else { '·' }).collect();
        html! { <div key={i} class="hex-row"><span class="off">{ format!("{:08x}", i * 16) }</span><span>{ hex.join(" ") }</span><span class="ascii">{ ascii }</span></div> }
    }) }</> }
}

/// Decoded batches with their first records, as a table.
pub fn batch_table(batches: &[crate::inspect::BatchRow]) -> Html {
    html! {
        <table class="batches">
            <tr><th>{ "pos" }</th><th>{ "offsets" }</th><th>{ "epoch" }</th><th>{ "records" }</th><th>{ "bytes" }</th><th>{ "crc" }</th><th>{ "pid · seq" }</th></tr>
            { for batches.iter().map(|b| html! {
                <>
                <tr key={b.position}><td>{ b.position }</td><td>{ format!("{}–{}", b.base_offset, b.last_offset) }</td><td>{ b.epoch }</td>
                    <td>{ b.records_count }</td><td>{ b.size }</td><td><code>{ format!("{:08x}", b.crc) }</code></td><td>{ format!("{} · {}", b.producer.0, b.producer.1) }</td></tr>
                { for b.records.iter().map(|r| html! {
                    <tr class="record"><td />
                        <td colspan="6">{ format!("@{} key={} value={}", r.offset, r.key.clone().unwrap_or_else(|| "null".into()), r.value.clone().unwrap_or_else(|| "null".into())) }</td></tr>
                }) }
                </>
            }) }
        </table>
    }
}

/// Renders the inspector.
#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let lookup_ref = use_node_ref();
    let Some(d) = p.data.as_ref() else {
        return html! { <p class="muted" data-testid="inspector-empty">{ tr(lang, if p.selected { "inspector.none" } else { "inspector.empty" }) }</p> };
    };
    let sel = &d.selection;
    let on_lookup = {
        let (cb, r) = (p.on_lookup.clone(), lookup_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(v) = r.cast::<HtmlInputElement>().and_then(|i| i.value().trim().parse::<i64>().ok()) {
                cb.emit(v);
            }
        })
    };
    let seg = d.segment;
    html! {
        <div class="inspector" data-testid="inspector">
            <h3>{ format!("{}-{} · broker {}", sel.topic, sel.partition, sel.broker) }</h3>
            if let Some(r) = &d.record { { crate::components::record_inspector::record_view(lang, r) } }
            <h4>{ tr(lang, "inspector.segments") }</h4>
            <div class="segments">
                { for d.segments.iter().map(|s| {
                    let base = s.base_offset;
                    html! {
                        <button key={base.to_string()} class={classes!("seg", (base == seg).then_some("chosen"))} onclick={p.on_segment.reform(move |_: MouseEvent| base)}
                            aria-pressed={(base == seg).to_string()}>
                            { format!("{base:020} · [{base}, {}) · {} B{}", s.next_offset, s.size_bytes, if s.active { format!(" · {}", tr(lang, "inspector.active")) } else { String::new() }) }
                        </button>
                    }
                }) }
            </div>
            <div class="file-line">
                <code>{ format!("{} · {} B", d.file_name, d.file_len) }</code>
                <button data-testid="download-segment" onclick={p.on_download.reform(move |_: MouseEvent| seg)}>{ format!("⤓ {}", tr(lang, "inspector.download")) }</button>
            </div>
            <h4>{ tr(lang, "inspector.batches") }</h4>
            { batch_table(&d.batches) }
            <h4>{ tr(lang, "inspector.hex") }</h4>
            <div class="hex" data-testid="hex">{ hex_rows(&d.head) }</div>
            <div class="indexes">
                <div><h4>{ tr(lang, "inspector.index") }</h4>
                    { for d.index.iter().map(|(o, pos)| html! { <div class="entry">{ format!("{o} → {pos}") }</div> }) }</div>
                <div><h4>{ tr(lang, "inspector.timeindex") }</h4>
                    { for d.time_index.iter().map(|(t, o)| html! { <div class="entry">{ format!("{t} → {o}") }</div> }) }</div>
            </div>
            <form class="lookup" onsubmit={on_lookup}>
                <label>{ tr(lang, "inspector.lookup") }{ " " }<input ref={lookup_ref} type="number" data-testid="lookup-offset" min="0" /></label>
                <button type="submit">{ tr(lang, "inspector.lookup.go") }</button>
            </form>
            if let Some(l) = &d.lookup {
                <ol class="lookup-steps" data-testid="lookup-steps">
                    if l.segment_base_offset.is_none() { <li>{ tr(lang, "inspector.notfound") }</li> }
                    if let Some(b) = l.segment_base_offset { <li>{ format!("segment {b:020} (base offset {b} ≤ {})", l.target) }</li> }
                    { for l.index_probes.iter().map(|pr| html! {
                        <li>{ format!("{}: slots [{}, {}] → slot {} = offset {} @ {}", tr(lang, "inspector.probe"), pr.lo, pr.hi, pr.mid, pr.offset, pr.position) }</li>
                    }) }
                    if let Some((o, pos)) = l.index_hit { <li>{ format!("{}: offset {o} @ position {pos}", tr(lang, "inspector.hit")) }</li> }
                    { for l.scanned.iter().map(|s| html! {
                        <li>{ format!("{}: @{} offsets {}–{} ({} B)", tr(lang, "inspector.scan"), s.position, s.base_offset, s.last_offset, s.size) }</li>
                    }) }
                    if let Some(f) = l.found { <li class="found">{ format!("{}: @{} offsets {}–{}", tr(lang, "inspector.found"), f.position, f.base_offset, f.last_offset) }</li> }
                </ol>
            }
        </div>
    }
}
