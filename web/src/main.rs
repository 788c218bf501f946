//! Entry point of the page built by trunk.

/// The page's heap: memory taken from the browser in large steps (see `kafkascope::wasm_heap`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: kafkascope::wasm_heap::Heap = kafkascope::wasm_heap::Heap::new();

fn main() {
    kafkascope_web::start();
}
