//! The core pipeline under wasm32 (node, via wasm-bindgen-test-runner): the same transforms
//! give the same dimensions and formats as natively. Corpus files are embedded at compile time.
#![cfg(target_arch = "wasm32")]

use edgepix::{Accepts, Limits, Options, OutputFormat};

#[cfg(feature = "libwebp")]
#[path = "support/webp_reference.rs"]
mod webp_reference;
use wasm_bindgen_test::*;

const JPEG: &[u8] = include_bytes!("../../shared/corpus/orientation/Landscape_6.jpg");
const PNG: &[u8] = include_bytes!("../../shared/corpus/conformance/png/primary/basn6a08.png");
const WEBP: &[u8] =
    include_bytes!("../../shared/corpus/conformance/webp/libwebp-test-data/lossless1.webp");
const PARIS: &[u8] = include_bytes!("../../shared/corpus/orientation/paris_exif_orientation_5.jpg");
const BOMB: &[u8] = include_bytes!("../../shared/corpus/bombs/bug793470-crasher.png");

fn run(bytes: &[u8], opts: &str) -> edgepix::Result<edgepix::Output> {
    let o = Options::parse(opts).unwrap();
    edgepix::transform(bytes, &o, Accepts::default(), &Limits::default(), &|| 0.0)
}

#[wasm_bindgen_test]
fn jpeg_with_orientation_resizes() {
    let out = run(JPEG, "width=300").unwrap();
    assert_eq!((out.width, out.height), (300, 200));
    assert!(matches!(out.format, OutputFormat::Jpeg { .. }));
    assert_eq!(&out.bytes[..3], &[0xFF, 0xD8, 0xFF]);
}

#[wasm_bindgen_test]
fn png_with_alpha_to_webp() {
    let out = run(PNG, "width=16,format=webp").unwrap();
    assert_eq!((out.width, out.height), (16, 16));
    assert_eq!(out.format, OutputFormat::Webp);
    assert_eq!(&out.bytes[8..12], b"WEBP");
}

#[wasm_bindgen_test]
fn webp_to_png() {
    let out = run(WEBP, "format=png,fit=cover,width=50,height=50").unwrap();
    assert_eq!((out.width, out.height), (50, 50));
    assert_eq!(&out.bytes[1..4], b"PNG");
}

#[wasm_bindgen_test]
fn exif_transpose_and_json() {
    let out = run(PARIS, "").unwrap();
    assert_eq!((out.width, out.height), (302, 403));
    let out = run(PARIS, "format=json").unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
    assert_eq!(v["original"]["width"], 302);
}

#[wasm_bindgen_test]
fn bomb_is_refused() {
    assert_eq!(run(BOMB, "width=10").unwrap_err().http_status(), 413);
}

const TESTORIG: &[u8] =
    include_bytes!("../../shared/corpus/conformance/jpeg/libjpeg-turbo/testorig.jpg");
const TESTORIG_PPM: &[u8] =
    include_bytes!("../../shared/corpus/conformance/jpeg/libjpeg-turbo/testorig.ppm");
const RGB: &[u8] = include_bytes!("../../shared/corpus/conformance/jpeg/reftest/rgb.jpg");
const RGB_HALF: &[u8] =
    include_bytes!("../../shared/corpus/conformance/jpeg/reftest/rgb_250x167.png");

fn decode(bytes: &[u8], min: (u32, u32)) -> edgepix::pixels::Raster {
    let limits = Limits::default();
    let p = edgepix::probe(bytes, &limits).unwrap();
    edgepix::codecs::decode(bytes, &p, min, &limits)
        .unwrap()
        .raster
}

fn max_diff(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

/// The simd128 IDCT and YCbCr conversion against libjpeg's reference decode of testorig.jpg
/// (the native, scalar build is within 3 of it too: tests/jpeg_conformance.rs).
#[wasm_bindgen_test]
fn simd_decode_matches_libjpeg() {
    let r = decode(TESTORIG, (227, 149));
    assert_eq!((r.width, r.height), (227, 149));
    // P6 227 149 255, then the samples
    let body = &TESTORIG_PPM[TESTORIG_PPM.len() - 227 * 149 * 3..];
    let d = max_diff(&r.data, body);
    assert!(d <= 3, "max deviation {d}");
}

/// The simd128 4x4 IDCT against libjpeg's 1/2-scale decode of rgb.jpg (exact natively).
#[wasm_bindgen_test]
fn simd_half_scale_matches_libjpeg() {
    let r = decode(RGB, (250, 167));
    assert_eq!((r.width, r.height), (250, 167));
    let reference = image::load_from_memory(RGB_HALF)
        .unwrap()
        .to_rgb8()
        .into_raw();
    let d = max_diff(&r.data, &reference);
    assert!(d <= 2, "max deviation {d}");
}

/// Issue #8's crafted files: on wasm32 a 32-bit `usize` wrapped the chunk walkers into an
/// endless loop (PNG, WebP) and the GIF compositor indexed past its canvas (a trap). Each must
/// now be a plain 422.
#[wasm_bindgen_test]
fn crafted_files_are_corrupt_on_wasm32() {
    for (name, bytes) in [
        (
            "png",
            &include_bytes!("data/crafted/png-chunk-length-wraps.png")[..],
        ),
        (
            "webp",
            &include_bytes!("data/crafted/webp-exif-length-wraps.webp")[..],
        ),
        (
            "gif",
            &include_bytes!("data/crafted/gif-frame-outside-screen.gif")[..],
        ),
    ] {
        let e = run(bytes, "width=64").unwrap_err();
        assert_eq!(e.http_status(), 422, "{name}: {e}");
        let e = edgepix::inspect(bytes, &Limits::default()).unwrap_err();
        assert_eq!(e.http_status(), 422, "{name}: {e}");
    }
}

/// libwebp's lossy encoder, built for wasm32 with its SSE2/SSE4.1 DSP code on csys/include's
/// simd128 shim, writes the same bytes as the native x86_64 build with the real SSE2 code
/// (tests/data/webp-lossy-reference.tsv, checked natively by tests/webp_encode.rs): three corpus
/// frames (RGB, partial macroblocks, RGBA) at four qualities.
#[cfg(feature = "libwebp")]
#[wasm_bindgen_test]
fn libwebp_lossy_bytes_match_the_native_build() {
    webp_reference::check(&webp_reference::encode_all());
}
