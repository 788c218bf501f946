//! The heap of wasm32 builds (the page and the wasm benchmark): dlmalloc, the allocator Rust's
//! std uses on wasm32, but taking memory from the browser in large steps.
//!
//! std's dlmalloc grows the wasm memory by what one allocation needs, rounded to 64 KiB: a run
//! whose logs reach 100 MB grows it some 1 600 times. Under V8 each `memory.grow` is costly, and
//! the growth it reports as external memory keeps starting garbage collections: a CPU profile of
//! the throughput workload under Node showed 17 % of the time in `memory.grow` and 17 % in the
//! collector (BENCHMARKS.md, stop 19). Growing by at least 16 MiB, or half the current size, makes
//! that a few dozen grows. Pages grown and not yet touched cost no physical memory.

use core::arch::wasm32;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// A wasm page.
const PAGE: usize = 64 * 1024;
/// The least the memory grows by at a time.
const MIN_STEP: usize = 16 << 20;

/// Where dlmalloc gets its memory: `memory.grow`, in large steps.
struct LargeSteps;

unsafe impl dlmalloc::Allocator for LargeSteps {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let step = size.max(MIN_STEP).max(wasm32::memory_size(0) * PAGE / 2);
        // Near the 4 GiB limit a large step can fail where the exact size still fits.
        for want in [step, size] {
            let pages = want.div_ceil(PAGE);
            let prev = wasm32::memory_grow(0, pages);
            if prev != usize::MAX {
                return ((prev * PAGE) as *mut u8, pages * PAGE, 0);
            }
        }
        (std::ptr::null_mut(), 0, 0)
    }
    fn remap(&self, _: *mut u8, _: usize, _: usize, _: bool) -> *mut u8 {
        std::ptr::null_mut() // wasm memory cannot move or shrink
    }
    fn free_part(&self, _: *mut u8, _: usize, _: usize) -> bool {
        false
    }
    fn free(&self, _: *mut u8, _: usize) -> bool {
        false
    }
    fn can_release_part(&self, _: u32) -> bool {
        false
    }
    fn allocates_zeros(&self) -> bool {
        true // grown pages are zeroed
    }
    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The global allocator for wasm32: `#[global_allocator] static HEAP: Heap = Heap::new();`.
pub struct Heap(UnsafeCell<dlmalloc::Dlmalloc<LargeSteps>>);

// wasm32-unknown-unknown without the atomics feature runs one thread: nothing can race.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap.
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(dlmalloc::Dlmalloc::new_with_allocator(LargeSteps)))
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).malloc(layout.size(), layout.align()) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).calloc(layout.size(), layout.align()) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { (*self.0.get()).free(ptr, layout.size(), layout.align()) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size) }
    }
}
