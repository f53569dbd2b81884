//! wasm-bindgen exports for the npm package (feature "web").
//!
//! Thin on purpose: it turns a JS options object into [`Options`], calls the core, and turns the
//! [`Output`] or [`Error`] back into plain JS objects. The hand-written `index.js` (in
//! `npm/`) adds Blob/File handling, AbortSignal, trap recovery and the typed `EdgepixError`.
//!
//! Options are the Cloudflare Images option set in object form, the shape of `cf.image` in
//! Cloudflare's Workers API (nested `trim` and `gravity` objects included), passed to
//! [`Options::from_json`] as they come, plus the package options below.
//!
//! Package options:
//! - `maxBytes`: byte budget, see [`crate::fit_bytes`];
//! - `preserveMetadata`: `false` (default) strips all metadata (`metadata=none`), `true` keeps
//!   it (`metadata=keep`). EXIF orientation is always applied to the pixels either way.

use crate::error::{Error, ErrorCode};
use crate::fit_bytes::transform_max_bytes;
use crate::{Accepts, Limits, Options, Output};
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::Cell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Exists in browsers, Web Workers, Deno and node >= 16.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The engine version string (part of every cache key).
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    crate::ENGINE_VERSION.to_string()
}

/// Transform encoded image bytes. Returns `{ bytes, width, height, format, mimeType, timings,
/// notes, input }`; throws `{ name: "EdgepixError", code, status, message }`.
///
/// `on_stage`, when given, is called with the name of each stage as the engine enters it:
/// `decode`, `resize`, `encode`, and `fit` when a `maxBytes` search goes on after the first
/// encode (see [`StageClock`]). Its return value and exceptions are ignored.
#[wasm_bindgen]
pub fn transform(
    input: &[u8],
    options: JsValue,
    on_stage: Option<js_sys::Function>,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "test-trap")]
    TEST_TRANSFORMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let parsed = parse_options(options).map_err(error_to_js)?;
    let clock = StageClock::new(on_stage.as_ref(), &parsed);
    let clock = || clock.now();
    // Browsers display WebP everywhere we run; AVIF output is not encoded yet anyway.
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    let (opts, limits) = (&parsed.options, &parsed.limits);
    let out = match parsed.max_bytes {
        Some(max) => transform_max_bytes(input, opts, accepts, limits, &clock, max),
        None => crate::transform(input, opts, accepts, limits, &clock),
    }
    .map_err(error_to_js)?;
    output_to_js(&out)
}

/// Test builds only: transforms started by this instance, so tests/npm/trap.test.mjs can tell
/// the fresh instance the package starts after a trap from the one that trapped.
#[cfg(feature = "test-trap")]
static TEST_TRANSFORMS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[cfg(feature = "test-trap")]
#[wasm_bindgen(js_name = testTransformCount)]
pub fn test_transform_count() -> u32 {
    TEST_TRANSFORMS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The engine's clock, read by the pipeline at its stage boundaries (what `timings` is made
/// of): 1st read before decoding, 2nd after decoding (where resizing starts), 3rd after
/// resizing (the crop, orientation, colour and background steps included), then twice around
/// every encode. The package reports the reads that start a stage, so a progress event marks
/// the moment that stage really began; nothing is estimated. A `maxBytes` search renders and
/// encodes again after the first encode: from its 6th read on, the stage is `fit`.
/// The order of reads is pinned by tests/npm (stage times against `timings`).
struct StageClock<'a> {
    reads: Cell<u32>,
    report: Option<&'a js_sys::Function>,
    searching: bool,
    #[cfg(feature = "test-trap")]
    trap: bool,
}

impl<'a> StageClock<'a> {
    fn new(report: Option<&'a js_sys::Function>, parsed: &Parsed) -> Self {
        StageClock {
            reads: Cell::new(0),
            report,
            searching: parsed.max_bytes.is_some(),
            #[cfg(feature = "test-trap")]
            trap: parsed.test_trap,
        }
    }

    fn now(&self) -> f64 {
        let n = self.reads.get() + 1;
        self.reads.set(n);
        #[cfg(feature = "test-trap")]
        if self.trap && n == 2 {
            // Test builds only: a bug right after decoding, with the decoded frame allocated.
            panic!("test-trap: deliberate panic after decoding");
        }
        let t = performance_now();
        let stage = match n {
            1 => Some("decode"),
            2 => Some("resize"),
            4 => Some("encode"),
            6 if self.searching => Some("fit"),
            _ => None,
        };
        if let (Some(stage), Some(report)) = (stage, self.report) {
            // A failing progress callback must not fail the transform.
            let _ = report.call1(&JsValue::NULL, &JsValue::from_str(stage));
        }
        t
    }
}

/// Header-only metadata document (the `format=json` shape), as a JSON string.
#[wasm_bindgen]
pub fn inspect(input: &[u8]) -> Result<String, JsValue> {
    crate::inspect(input, &Limits::LOCAL).map_err(error_to_js)
}

/// `Limits::LOCAL` with the caller's overrides: `{ maxMemoryBytes: 256e6, maxInputPixels: ... }`.
fn parse_limits(value: Option<serde_json::Value>) -> Result<Limits, Error> {
    let bad = |v: &serde_json::Value| {
        Error::bad_option(
            "limits",
            &v.to_string(),
            "an object of positive whole numbers such as {\"maxMemoryBytes\": 268435456}",
        )
    };
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Ok(Limits::LOCAL);
    };
    let overrides = v.as_object().ok_or_else(|| bad(&v))?;
    let mut merged = serde_json::to_value(Limits::LOCAL).map_err(Error::internal)?;
    for (k, x) in overrides {
        let known = merged.get(k).is_some();
        let whole = x.as_f64().is_some_and(|n| n >= 1.0 && n.fract() == 0.0);
        if !known || !whole {
            return Err(Error::bad_option(
                &format!("limits.{k}"),
                &x.to_string(),
                "a positive whole number; known limits: maxInputBytes, maxInputPixels, maxOutputDimension, maxOutputPixels, maxFrames, maxAnimationPixels, maxTransformedAnimationPixels, maxAnimationOutputPixels, maxDecodedBytes, maxMemoryBytes, maxAvifPixels",
            ));
        }
        merged[k] = serde_json::json!(x.as_f64().unwrap_or(1.0) as u64);
    }
    serde_json::from_value(merged).map_err(|_| bad(&v))
}

/// The JS options object split into the engine's options and the package's own.
struct Parsed {
    options: Options,
    max_bytes: Option<usize>,
    limits: Limits,
    /// `__testTrap: true` (test-trap builds only): panic in the middle of the transform.
    #[cfg(feature = "test-trap")]
    test_trap: bool,
}

fn parse_options(options: JsValue) -> Result<Parsed, Error> {
    let mut value: serde_json::Value = if options.is_undefined() || options.is_null() {
        serde_json::Value::Object(Default::default())
    } else {
        serde_wasm_bindgen::from_value(options).map_err(|e| {
            Error::new(
                ErrorCode::BadOption,
                format!("options must be a plain object of strings, numbers and booleans: {e}"),
            )
        })?
    };
    let obj = value.as_object_mut().ok_or_else(|| {
        Error::new(
            ErrorCode::BadOption,
            "options must be an object such as {\"width\": 640}",
        )
    })?;

    let max_bytes = match obj.remove("maxBytes") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 9.0e15)
                .map(|n| n as usize)
                .ok_or_else(|| {
                    Error::bad_option(
                        "maxBytes",
                        &v.to_string(),
                        "a positive whole number of bytes",
                    )
                })?,
        ),
    };
    let limits = parse_limits(obj.remove("limits"))?;
    let preserve = match obj.remove("preserveMetadata") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(v) => {
            return Err(Error::bad_option(
                "preserveMetadata",
                &v.to_string(),
                "true or false",
            ))
        }
    };
    let explicit = obj.get("metadata").is_some_and(|v| !v.is_null());
    match (explicit, preserve) {
        (true, Some(_)) => {
            return Err(Error::new(
                ErrorCode::BadOption,
                "option 'preserveMetadata' cannot be combined with 'metadata': give one of them",
            ))
        }
        (true, None) => {}
        (false, p) => {
            let mode = if p == Some(true) { "keep" } else { "none" };
            obj.insert("metadata".into(), mode.into());
        }
    }
    #[cfg(feature = "test-trap")]
    let test_trap = obj.remove("__testTrap") == Some(serde_json::Value::Bool(true));
    Ok(Parsed {
        options: Options::from_json(&value)?,
        max_bytes,
        limits,
        #[cfg(feature = "test-trap")]
        test_trap,
    })
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn output_to_js(out: &Output) -> Result<JsValue, JsValue> {
    let o = Object::new();
    set(&o, "bytes", Uint8Array::from(out.bytes.as_slice()));
    set(&o, "width", out.width);
    set(&o, "height", out.height);
    set(&o, "format", out.format.name());
    set(&o, "mimeType", out.mime());
    let t = Object::new();
    set(&t, "decode", out.timings.decode);
    set(&t, "resize", out.timings.resize);
    set(&t, "encode", out.timings.encode);
    set(&o, "timings", t);
    let notes: Array = out.notes.iter().map(|n| JsValue::from_str(n)).collect();
    set(&o, "notes", notes);
    // The plan's estimate of its peak memory, in bytes (docs/RELIABILITY.md).
    set(&o, "memoryEstimate", out.memory.peak as f64);
    let (dw, dh) = out.input.display_size();
    let input = Object::new();
    set(&input, "format", out.input.format.name());
    set(&input, "width", dw);
    set(&input, "height", dh);
    set(&input, "bytes", out.input.bytes as f64);
    set(&input, "orientation", out.input.orientation);
    set(&o, "input", input);
    Ok(o.into())
}

fn error_to_js(e: Error) -> JsValue {
    let o = Object::new();
    set(&o, "name", "EdgepixError");
    set(&o, "code", e.code.as_str());
    set(&o, "status", e.http_status());
    set(&o, "message", e.message.as_str());
    o.into()
}
