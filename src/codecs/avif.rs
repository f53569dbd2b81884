//! AVIF: probed (size, orientation) but not decoded. Every AV1 decoder on crates.io today is
//! C (dav1d, libaom) or needs assembly, and none builds for wasm32-unknown-unknown without a C
//! toolchain, so the engine says so instead of failing obscurely.

use super::Decoded;
use crate::error::{Error, ErrorCode, Result};

pub fn decode() -> Result<Decoded> {
    Err(Error::new(
        ErrorCode::UnsupportedFormat,
        "AVIF input cannot be decoded by this build: no AV1 decoder that builds for WebAssembly is available yet (format=json still reports its size)",
    ))
}
