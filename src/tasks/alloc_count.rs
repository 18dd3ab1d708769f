//! Test builds only: a global allocator that counts, per thread, the bytes
//! allocated and not yet freed, so a test can check that a kernel run on its
//! own thread leaves nothing allocated behind (a leak in a dependency shows
//! up as a net growth over repeated runs).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static NET: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    // `try_with`: no count while the thread's locals are being torn down.
    let _ = NET.try_with(|c| c.set(c.get() + n));
}

/// Bytes allocated minus bytes freed by the current thread so far.
pub(crate) fn net_bytes() -> isize {
    NET.with(Cell::get)
}

struct Counting;

// SAFETY: every method forwards to `System` with the same arguments, so the
// GlobalAlloc contract holds as it does for `System`; the counting only
// touches a const-initialised thread-local `Cell` (no allocation, no panic).
unsafe impl GlobalAlloc for Counting {
    // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract (non-zero size).
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (the caller's contract for `alloc`).
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract (non-zero size).
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (the caller's contract for `alloc_zeroed`).
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract (`ptr` came
    // from this allocator with `layout`).
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (the caller's contract for `dealloc`).
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract (`ptr` from
    // this allocator with `layout`, `new_size` non-zero and not overflowing).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged (the caller's contract for `realloc`).
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;
