//! What the fuzz targets share: an allocator that aborts on any single allocation above a
//! limit, so "this input made the decoder reserve gigabytes" is a crash libFuzzer keeps, with or
//! without a sanitizer's malloc hooks (`-malloc_limit_mb` needs them).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The largest single allocation a target may make; each target sets its own at start.
static LIMIT: AtomicUsize = AtomicUsize::new(16 << 20);

/// Sets the largest single allocation the running target may make.
pub fn set_allocation_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// `System`, refusing (aborting on) any allocation above the limit.
pub struct Capped;

fn check(size: usize) {
    if size > LIMIT.load(Ordering::Relaxed) {
        let _ = std::io::stderr().write_all(b"kaskade-fuzz: a single allocation above the target's limit\n");
        std::process::abort();
    }
}

unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}
