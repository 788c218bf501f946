//! A real Kafka `.log` segment dropped onto the page: read in the browser, decoded with the engine's
//! RecordBatch decoder (`kafkascope::log::batch`), and shown in the inspector tab (batches, hex); a
//! malformed file shows the decoder's error with its byte position. Nothing leaves the page.

use crate::components::inspector::{batch_table, hex_rows};
use crate::components::side_panel::Tab;
use crate::i18n::{tr, Lang};
use crate::inspect::{decode_batches, BatchRow, HEX_BYTES};
use kafkascope::log::batch::{decode_records, read_header};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

/// Largest file read (Kafka's default segment is 1 GiB; the page reads at most this much).
pub const MAX_LOG_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// A dropped file, decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct DroppedLog {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub len: usize,
    /// Its first bytes.
    pub head: Vec<u8>,
    /// The batches decoded before the first bad one.
    pub batches: Vec<BatchRow>,
    /// The decoder's first error, with its byte position.
    pub error: Option<String>,
}

/// Decodes a `.log` file's bytes.
pub fn open_log(name: &str, data: &[u8]) -> DroppedLog {
    DroppedLog { name: name.to_owned(), len: data.len(), head: data[..data.len().min(HEX_BYTES)].to_vec(), batches: decode_batches(data), error: first_error(data) }
}

/// The first batch the engine's decoder refuses (header, CRC-32C, records), if any.
fn first_error(data: &[u8]) -> Option<String> {
    if data.is_empty() {
        return Some("the file is empty".to_owned());
    }
    let mut pos = 0;
    while pos < data.len() {
        let rest = &data[pos..];
        let size = match read_header(rest) {
            Ok(h) => h.size_in_bytes(),
            Err(e) => return Some(format!("byte {pos}: {e}")),
        };
        if let Err(e) = decode_records(&rest[..size.min(rest.len())]) {
            return Some(format!("byte {pos}: {e}"));
        }
        if size == 0 {
            break;
        }
        pos += size;
    }
    None
}

/// Window `dragover` and `drop` listeners; dropping this removes them.
pub struct DropListener {
    over: Closure<dyn FnMut(web_sys::DragEvent)>,
    dropped: Closure<dyn FnMut(web_sys::DragEvent)>,
}

impl DropListener {
    /// Calls `on_file` with (name, bytes or why not) for each file dropped on the page.
    pub fn start(on_file: Callback<(String, Result<Vec<u8>, String>)>) -> DropListener {
        let over = Closure::<dyn FnMut(web_sys::DragEvent)>::new(|e: web_sys::DragEvent| e.prevent_default());
        let dropped = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |e: web_sys::DragEvent| {
            e.prevent_default();
            let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) else { return };
            let (cb, name) = (on_file.clone(), file.name());
            if file.size() > MAX_LOG_BYTES {
                return cb.emit((name, Err(format!("larger than {} bytes", MAX_LOG_BYTES as u64))));
            }
            spawn_local(async move {
                let bytes = JsFuture::from(file.array_buffer()).await.map(|b| js_sys::Uint8Array::new(&b).to_vec()).map_err(|_| "the file could not be read".to_owned());
                cb.emit((name, bytes));
            });
        });
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
            let _ = w.add_event_listener_with_callback("drop", dropped.as_ref().unchecked_ref());
        }
        DropListener { over, dropped }
    }
}

impl Drop for DropListener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("dragover", self.over.as_ref().unchecked_ref());
            let _ = w.remove_event_listener_with_callback("drop", self.dropped.as_ref().unchecked_ref());
        }
    }
}

/// Properties of [`DroppedLogView`].
#[derive(Properties, PartialEq, Clone)]
pub struct DroppedProps {
    /// The decoded file.
    pub log: Rc<DroppedLog>,
}

/// The dropped file in the inspector: name, size, the decoder's error, batches, hex.
#[function_component(DroppedLogView)]
pub fn dropped_log_view(p: &DroppedProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let l = &p.log;
    html! {
        <div class="inspector dropped-log" data-testid="dropped-log">
            <h3>{ format!("{} · {} B · {}", l.name, l.len, tr(lang, "drop.title")) }</h3>
            if let Some(e) = &l.error { <p class="file-message" data-testid="dropped-log-error" role="alert">{ format!("{} {e}", tr(lang, "drop.error")) }</p> }
            <h4>{ tr(lang, "inspector.batches") }</h4>
            { batch_table(&l.batches) }
            <h4>{ tr(lang, "inspector.hex") }</h4>
            <div class="hex">{ hex_rows(&l.head) }</div>
        </div>
    }
}

/// Listens for dropped files while the page lives; returns the view of the last one (or nothing)
/// and opens the inspector tab when one arrives.
#[hook]
pub fn use_log_drop(panel: &UseStateHandle<Option<Tab>>) -> Html {
    let dropped = use_state(|| None::<Rc<DroppedLog>>);
    {
        let (dropped, panel) = (dropped.clone(), panel.clone());
        use_effect_with((), move |_| {
            let listener = DropListener::start(Callback::from(move |(name, bytes): (String, Result<Vec<u8>, String>)| {
                let log = match bytes {
                    Ok(b) => open_log(&name, &b),
                    Err(e) => DroppedLog { name, len: 0, head: Vec::new(), batches: Vec::new(), error: Some(e) },
                };
                dropped.set(Some(Rc::new(log)));
                panel.set(Some(Tab::Inspector));
            }));
            move || drop(listener)
        });
    }
    match &*dropped {
        Some(log) => html! { <DroppedLogView log={log.clone()} /> },
        None => Html::default(),
    }
}
