//! RAII handles for the browser: the requestAnimationFrame loop and a window keydown listener.
//! Dropping either stops it; neither ever lives in reducer state.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

struct LoopInner {
    id: Cell<Option<i32>>,
    closure: RefCell<Option<Closure<dyn FnMut(f64)>>>,
}

/// A running requestAnimationFrame loop; dropping it stops the loop.
pub struct FrameLoop {
    inner: Rc<LoopInner>,
}

impl FrameLoop {
    /// Calls `on_frame(timestamp_ms)` once per animation frame until dropped.
    pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> FrameLoop {
        let inner = Rc::new(LoopInner { id: Cell::new(None), closure: RefCell::new(None) });
        let weak: Weak<LoopInner> = Rc::downgrade(&inner);
        let closure = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
            on_frame(ts);
            if let Some(inner) = weak.upgrade() {
                request(&inner);
            }
        });
        *inner.closure.borrow_mut() = Some(closure);
        request(&inner);
        FrameLoop { inner }
    }
}

fn request(inner: &LoopInner) {
    let Some(window) = web_sys::window() else { return };
    if let Some(c) = inner.closure.borrow().as_ref() {
        inner.id.set(window.request_animation_frame(c.as_ref().unchecked_ref()).ok());
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let (Some(window), Some(id)) = (web_sys::window(), self.inner.id.take()) {
            let _ = window.cancel_animation_frame(id);
        }
        self.inner.closure.borrow_mut().take();
    }
}

/// A keydown listener on the window; dropping it removes the listener.
pub struct KeyListener {
    closure: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
}

impl KeyListener {
    /// Calls `on_key` for every keydown on the window until dropped.
    pub fn start(on_key: impl FnMut(web_sys::KeyboardEvent) + 'static) -> KeyListener {
        let closure = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(on_key);
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref());
        }
        KeyListener { closure }
    }
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("keydown", self.closure.as_ref().unchecked_ref());
        }
    }
}

/// Offers `bytes` as a file download named `name` (a Blob behind an object URL, revoked after).
pub fn download(name: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked a little later: revoking at once can cancel the download before it reads the Blob.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)?;
    }
    Ok(())
}
