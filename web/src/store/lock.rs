//! One writer per database across tabs: an exclusive Web Lock (`navigator.locks`) taken with
//! `ifAvailable` and held until the page goes away (its callback returns a promise that never settles).

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Tries to take the lock `name` for the life of the page: `Ok(true)` if this page now owns it,
/// `Ok(false)` if another tab (or another store in this page) holds it; `Err` where there are no Web Locks.
pub async fn claim(name: &str) -> Result<bool, String> {
    let global = js_sys::global();
    let navigator = Reflect::get(&global, &"navigator".into()).map_err(|_| "no navigator".to_owned())?;
    let locks = Reflect::get(&navigator, &"locks".into()).map_err(|_| "no navigator.locks".to_owned())?;
    if locks.is_undefined() || locks.is_null() {
        return Err("Web Locks are not available".to_owned());
    }
    let request = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| "navigator.locks.request is missing".to_owned())?;
    let options = Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE).map_err(|_| "lock options".to_owned())?;
    let mut failure = None;
    let granted = Promise::new(&mut |resolve: Function, _reject: Function| {
        let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            let owned = !lock.is_null() && !lock.is_undefined();
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(owned));
            if owned {
                // Never settles: the lock is held until the page unloads.
                Promise::new(&mut |_, _| {}).into()
            } else {
                JsValue::UNDEFINED
            }
        });
        if let Err(e) = request.call3(&locks, &JsValue::from_str(name), &options, &callback) {
            failure = Some(format!("{e:?}"));
        }
    });
    if let Some(f) = failure {
        return Err(f);
    }
    let result = JsFuture::from(granted).await.map_err(|e| format!("{e:?}"))?;
    Ok(result.as_bool().unwrap_or(false))
}
