//! What the bench needs from its host, native or wasm: a wall clock and a place to print rows.

/// Wall-clock seconds since some fixed start.
#[cfg(not(target_arch = "wasm32"))]
pub fn now_seconds() -> f64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64()
}

/// Prints a line (stdout natively, the browser console under wasm-bindgen-test).
#[cfg(not(target_arch = "wasm32"))]
pub fn print_line(line: &str) {
    println!("{line}");
}

/// Wall-clock seconds since some fixed start (`performance.now()`; `Instant` panics on wasm32).
#[cfg(target_arch = "wasm32")]
pub fn now_seconds() -> f64 {
    performance_now() / 1e3
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Prints a line (stdout natively, the browser console under wasm-bindgen-test).
#[cfg(target_arch = "wasm32")]
pub fn print_line(line: &str) {
    wasm_bindgen_test::console_log!("{}", line);
}
