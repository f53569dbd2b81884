//! One export for the benchmark: bytes + option string -> bytes, the same core call the
//! Worker and the npm package make. Stage timings are kept for the harness to read.

use edgepix::{Accepts, Limits, Options};
use std::cell::Cell;
use wasm_bindgen::prelude::*;

thread_local! {
    static LAST: Cell<[f64; 3]> = const { Cell::new([0.0; 3]) };
}

#[wasm_bindgen]
pub fn transform(input: &[u8], options: &str) -> Result<Vec<u8>, JsError> {
    let opts = Options::parse(options).map_err(|e| JsError::new(&e.to_string()))?;
    let clock = || js_sys::Date::now();
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    let out = edgepix::transform(input, &opts, accepts, &Limits::default(), &clock)
        .map_err(|e| JsError::new(&e.to_string()))?;
    let t = out.timings;
    LAST.with(|l| l.set([t.decode, t.resize, t.encode]));
    Ok(out.bytes)
}

/// Stage timings (decode, resize, encode) of the last transform, in ms.
#[wasm_bindgen]
pub fn last_timings() -> Vec<f64> {
    LAST.with(|l| l.get().to_vec())
}

/// Size of linear memory now; it never shrinks, so after a run this is the peak.
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
