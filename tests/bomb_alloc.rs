//! Decompression bombs are refused before any pixel buffer exists: a counting global
//! allocator records the peak heap while each bomb goes through the whole pipeline.
//! One test function only, so no other test thread allocates while we measure.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use std::sync::atomic::Ordering::SeqCst;

#[global_allocator]
static ALLOC: common::counting::Counting = common::counting::Counting;
use common::counting::{CURRENT, PEAK};

/// Heap growth allowed beyond the input bytes: headers, the error message, the EXIF copy.
const BUDGET: usize = 2 << 20;

#[test]
fn bombs_are_refused_before_allocation() {
    let bombs = files_of_class("bomb");
    assert_eq!(bombs.len(), 13);
    let opts = edgepix::Options::parse("width=256").unwrap();
    let limits = edgepix::Limits::default();
    for f in bombs {
        let bytes = read(&f);
        let base = CURRENT.load(SeqCst);
        PEAK.store(base, SeqCst);
        let result = transform_with(&bytes, &opts, &limits);
        let peak = PEAK.load(SeqCst) - base;
        let e = result.err().unwrap_or_else(|| panic!("{f}: bomb accepted"));
        assert_eq!(e.http_status(), 413, "{f}: {e}");
        eprintln!("{f}: peak {peak} bytes above baseline ({e})");
        assert!(peak < BUDGET, "{f}: peak allocation {peak} bytes");
    }
    // control: the counter sees a real decode (768x512 RGB = 1.2 MB frame)
    let bytes = read("photos/kodak/kodim01.png");
    let base = CURRENT.load(SeqCst);
    PEAK.store(base, SeqCst);
    transform_with(&bytes, &opts, &limits).unwrap();
    let peak = PEAK.load(SeqCst) - base;
    eprintln!("control kodim01.png: peak {peak} bytes");
    assert!(peak > 1_000_000, "allocator not counting: {peak}");
}
