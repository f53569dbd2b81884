//! A counting global allocator for the memory tests (`bomb_alloc`, `effects_memory`,
//! `svg_memory`, `draw_memory`, `avif_memory`): each test binary that measures installs it with
//! `#[global_allocator] static ALLOC: common::counting::Counting = common::counting::Counting;`
//! and keeps to one test function, so no other test thread allocates while it measures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

pub struct Counting;
/// Bytes live now, and the most live since the last reset.
pub static CURRENT: AtomicUsize = AtomicUsize::new(0);
pub static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(l.size(), SeqCst) + l.size();
            PEAK.fetch_max(now, SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CURRENT.fetch_sub(l.size(), SeqCst);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = CURRENT.fetch_add(new - l.size(), SeqCst) + new - l.size();
                PEAK.fetch_max(now, SeqCst);
            } else {
                CURRENT.fetch_sub(l.size() - new, SeqCst);
            }
        }
        q
    }
}

/// The live-heap peak above the current level while `f` runs, and what `f` returned.
pub fn peak_of<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let base = CURRENT.load(SeqCst);
    PEAK.store(base, SeqCst);
    let out = f();
    ((PEAK.load(SeqCst) - base) as u64, out)
}
