//! A counting global allocator: how many allocations a stretch of code makes and how many bytes
//! are live, so the bench can report allocations per record and the heap over a long run.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The allocator the engine runs on: the system's natively, the page's heap under wasm.
#[cfg(not(target_arch = "wasm32"))]
static INNER: std::alloc::System = std::alloc::System;
#[cfg(target_arch = "wasm32")]
static INNER: kafkascope::wasm_heap::Heap = kafkascope::wasm_heap::Heap::new();

/// The engine's allocator, counting calls and live bytes.
pub struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        LIVE.fetch_add(layout.size() as u64, Relaxed);
        unsafe { INNER.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        LIVE.fetch_add(layout.size() as u64, Relaxed);
        unsafe { INNER.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as u64, Relaxed);
        unsafe { INNER.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A realloc is an allocation for the hot-path count: it may move the block.
        ALLOCS.fetch_add(1, Relaxed);
        LIVE.fetch_add(new_size as u64, Relaxed);
        LIVE.fetch_sub(layout.size() as u64, Relaxed);
        unsafe { INNER.realloc(ptr, layout, new_size) }
    }
}

/// Allocations (alloc, alloc_zeroed and realloc calls) since the process started.
pub fn allocations() -> u64 {
    ALLOCS.load(Relaxed)
}

/// Bytes currently allocated and not yet freed.
pub fn live_bytes() -> u64 {
    LIVE.load(Relaxed)
}
