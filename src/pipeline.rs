//! Runs a Plan: decode -> crop/resize -> orient -> colour -> effects -> pad/border ->
//! background -> encode. Resizing happens before orientation, colour conversion and effects so
//! those passes touch only output-sized frames.

use crate::codecs::anim::{AnimEncoder, AnimTarget, FrameSource};
use crate::codecs::{self, jpeg::JpegParams, ColorInfo};
use crate::error::{Error, Result};
use crate::format::Accepts;
use crate::heap::MemoryEstimate;
use crate::limits::Limits;
use crate::options::{Metadata, Options};
use crate::pixels::canvas::Canvas;
use crate::pixels::{border, color, compose, effects, resize, trim, Raster};
use crate::plan::{Animation, Frames, OutputFormat, Plan};
use crate::probe::{self, Probe};
use crate::resolve::{Client, Resolved};
use serde::Serialize;

/// Milliseconds spent in each stage, for Server-Timing and the npm result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    pub decode: f64,
    pub resize: f64,
    pub encode: f64,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub format: OutputFormat,
    pub width: u32,
    pub height: u32,
    pub input: Probe,
    pub timings: Timings,
    pub notes: Vec<&'static str>,
    /// What the plan estimated this transform would hold at its peak.
    pub memory: MemoryEstimate,
    /// `quality=auto`: what the policy chose and what choosing cost.
    pub quality_choice: Option<crate::quality::Choice>,
}

impl Output {
    pub fn mime(&self) -> &'static str {
        self.format.mime()
    }
}

/// A monotonic clock in milliseconds. Native callers pass `Instant`-based time; wasm callers
/// pass `performance.now()` / `Date.now()`, since `Instant` does not exist on wasm32.
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// Options resolved for a client that takes `accepts`, then `transform_resolved`.
pub fn transform(
    bytes: &[u8],
    opts: &Options,
    accepts: Accepts,
    limits: &Limits,
    clock: Clock,
) -> Result<Output> {
    transform_resolved(bytes, &opts.resolve(&Client::new(accepts)), limits, clock)
}

/// The whole pipeline on options already resolved against the request (the Worker resolves
/// once and keys its caches with the same value).
pub fn transform_resolved(
    bytes: &[u8],
    resolved: &Resolved,
    limits: &Limits,
    clock: Clock,
) -> Result<Output> {
    transform_with_overlays(bytes, resolved, &[], limits, clock)
}

/// `transform_resolved` for options with `draw`: `overlays` are the overlays' encoded bytes in
/// the order of `Options::draw`, fetched by the caller (the engine never fetches).
pub fn transform_with_overlays(
    bytes: &[u8],
    resolved: &Resolved,
    overlays: &[&[u8]],
    limits: &Limits,
    clock: Clock,
) -> Result<Output> {
    guard(|| transform_inner(bytes, resolved, overlays, limits, clock))
}

/// The memory a transform with overlays holds at its peak: the main plan's and every
/// overlay's, from headers alone (`crate::draw::memory`). The Worker reserves it before it
/// runs the transform; `render_with` refuses what exceeds the budget.
pub fn peak_with_overlays(
    bytes: &[u8],
    resolved: &Resolved,
    overlays: &[&[u8]],
    limits: &Limits,
) -> Result<u64> {
    guard(|| {
        let plan = crate::budget::plan(&probe::probe(bytes, limits)?, resolved, limits)?;
        let extra = crate::draw::memory(&resolved.options().draw, overlays, limits)?;
        Ok(plan.memory.peak.saturating_add(extra))
    })
}

/// Probe and plan only: what a transform of `bytes` would do and hold, without decoding.
/// The Worker reserves the plan's memory estimate before it runs the transform.
pub fn plan_for(bytes: &[u8], resolved: &Resolved, limits: &Limits) -> Result<Plan> {
    guard(|| crate::budget::plan(&probe::probe(bytes, limits)?, resolved, limits))
}

/// `transform` without the panic guard, for the fuzz targets (fuzz/): `guard` turns a panic
/// into an `internal` error natively, which would hide it from the fuzzer, while on wasm32 the
/// same panic is a trap that takes the isolate down. Not for production callers.
#[doc(hidden)]
pub fn transform_unguarded(
    bytes: &[u8],
    opts: &Options,
    accepts: Accepts,
    limits: &Limits,
    clock: Clock,
) -> Result<Output> {
    transform_inner(
        bytes,
        &opts.resolve(&Client::new(accepts)),
        &[],
        limits,
        clock,
    )
}

/// Runs `f`, turning a panic into an `internal` error. Panics are bugs, but a caller must still
/// get an error rather than lose the process. (On wasm32 panics abort; there the decoders' own
/// checks and our limits are the guard.)
pub fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::internal(format!("panic while transforming: {what}")))
        })
    }
    #[cfg(target_arch = "wasm32")]
    f()
}

fn transform_inner(
    bytes: &[u8],
    resolved: &Resolved,
    overlays: &[&[u8]],
    limits: &Limits,
    clock: Clock,
) -> Result<Output> {
    match render_with(bytes, resolved, overlays, limits, clock)? {
        Rendered::Metadata(out) | Rendered::Animation(out) => Ok(out),
        Rendered::Frame(frame) => crate::quality::encode(&frame, bytes, clock),
    }
}

/// The pipeline up to, not including, the encoder. Searches over encoder settings (`maxBytes`)
/// encode one rendered frame many times instead of decoding and resizing again per attempt.
// One value per request, moved once: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Rendered {
    /// The answer needs no pixels: `format=json`, or an SVG served sanitised.
    Metadata(Output),
    Frame(Frame),
    /// An animation, every frame already encoded (or the input served as it came).
    Animation(Output),
}

/// A finished output frame and everything its encoder needs.
pub struct Frame {
    pub raster: Raster,
    pub plan: Plan,
    pub probe: Probe,
    pub timings: Timings,
}

impl Frame {
    /// Encode at `quality` (the plan's own for a plain transform). Timings add the encode to the
    /// decode and resize that made the frame.
    pub fn encode(&self, quality: u8, clock: Clock) -> Result<Output> {
        let t = clock();
        let plan = Plan {
            quality,
            ..self.plan.clone()
        };
        let bytes = encode(&self.raster, &plan, &self.probe)?;
        Ok(Output {
            bytes,
            format: plan.output,
            width: self.raster.width,
            height: self.raster.height,
            input: self.probe.clone(),
            timings: Timings {
                encode: clock() - t,
                ..self.timings
            },
            memory: plan.memory,
            notes: plan.notes,
            quality_choice: None,
        })
    }
}

/// probe -> plan -> decode -> crop/resize -> orient -> colour -> effects -> pad/border ->
/// background.
pub fn render(
    bytes: &[u8],
    resolved: &Resolved,
    limits: &Limits,
    clock: Clock,
) -> Result<Rendered> {
    render_with(bytes, resolved, &[], limits, clock)
}

/// `render` with the overlays of `draw` (their encoded bytes, in order).
pub fn render_with(
    bytes: &[u8],
    resolved: &Resolved,
    overlays: &[&[u8]],
    limits: &Limits,
    clock: Clock,
) -> Result<Rendered> {
    let probe = probe::probe(bytes, limits)?;
    let plan = crate::budget::plan(&probe, resolved, limits)?;
    let draws = &resolved.options().draw;
    let overlays = if draws.is_empty() && overlays.is_empty() {
        Vec::new()
    } else {
        // the overlays' bytes and decodes count toward the budget before any is decoded
        let extra = crate::draw::memory(draws, overlays, limits)?;
        let peak = plan.memory.peak.saturating_add(extra);
        if peak > limits.max_memory_bytes as u64 {
            return Err(Error::new(
                crate::ErrorCode::OverMemoryBudget,
                format!(
                    "this transform with its overlays would hold about {} MB at once (overlays {} MB); the budget is {} MB: ask for smaller overlays or output",
                    peak >> 20,
                    extra >> 20,
                    limits.max_memory_bytes >> 20
                ),
            ));
        }
        crate::draw::prepare(draws, overlays, limits, clock)?
    };
    if plan.output == OutputFormat::Json {
        let (width, height) = plan.output_size();
        let body = crate::info::json(&probe, Some((&plan, width, height)));
        return Ok(Rendered::Metadata(Output {
            bytes: body.into_bytes(),
            format: OutputFormat::Json,
            width,
            height,
            input: probe,
            timings: Timings::default(),
            memory: plan.memory,
            notes: plan.notes,
            quality_choice: None,
        }));
    }
    if plan.output == OutputFormat::Svg {
        let t = clock();
        let body = crate::svg::sanitise(bytes)?;
        return Ok(Rendered::Metadata(Output {
            bytes: body,
            format: OutputFormat::Svg,
            width: probe.width,
            height: probe.height,
            input: probe,
            // the sanitiser parses and writes in one pass: its time is the "encode"
            timings: Timings {
                encode: clock() - t,
                ..Timings::default()
            },
            memory: plan.memory,
            notes: plan.notes,
            quality_choice: None,
        }));
    }
    match plan.frames {
        Frames::Still => {}
        Frames::Animated(a) => return animate(bytes, probe, plan, a, &overlays, limits, clock),
        Frames::Untransformed => {
            return Ok(Rendered::Animation(Output {
                bytes: bytes.to_vec(),
                format: plan.output,
                width: probe.width,
                height: probe.height,
                input: probe,
                timings: Timings::default(),
                memory: plan.memory,
                notes: plan.notes,
                quality_choice: None,
            }))
        }
    }
    let t0 = clock();
    let decoded = codecs::decode(
        bytes,
        &probe,
        plan.decode_min_size,
        &decode_limits(limits, &plan),
    )?;
    let t1 = clock();
    let mut plan = match plan.trim_border {
        Some(_) => {
            let found = found_border(&decoded.raster, &probe, &plan);
            crate::budget::with_found_border(&probe, resolved, limits, found)?
        }
        None => plan,
    };
    if let Some(region) = plan.smart_crop {
        plan.crop = smart_window(&decoded.raster, &probe, &plan, region)?;
    }
    let raster = finish_frame(decoded.raster, &decoded.color, &probe, &plan, &overlays)?;
    let timings = Timings {
        decode: t1 - t0,
        resize: clock() - t1,
        encode: 0.0,
    };
    Ok(Rendered::Frame(Frame {
        raster,
        plan,
        probe,
        timings,
    }))
}

/// The decoders get the plan's own decode estimate as their byte limit: whatever the header
/// did not tell (an inflated iCCP, a frame larger than its screen) cannot take more than the
/// budget was told about.
fn decode_limits(limits: &Limits, plan: &Plan) -> Limits {
    Limits {
        max_decoded_bytes: (limits.max_decoded_bytes as u64)
            .min(plan.memory.decode.saturating_sub(plan.memory.input))
            .try_into()
            .unwrap_or(usize::MAX),
        ..*limits
    }
}

/// The single-frame steps after decoding: crop/resize -> orient -> colour -> effects -> pad
/// and border -> overlays -> background. A still goes through them once, every frame of an
/// animation once each.
fn finish_frame(
    raster: Raster,
    info: &ColorInfo,
    probe: &Probe,
    plan: &Plan,
    overlays: &[crate::draw::Prepared],
) -> Result<Raster> {
    let mut raster = geometry(raster, probe, plan)?;
    if let Some(icc) = &info.icc {
        color::icc_to_srgb(&mut raster, icc)?;
    }
    if let Some(g) = info.png_gamma {
        color::png_gamma_to_srgb(&mut raster, g);
    }
    effects::apply(&mut raster, &plan.effects);
    let mut raster = frame(raster, plan);
    crate::draw::composite_all(&mut raster, overlays);
    Ok(background(raster, plan))
}

/// Every frame of an animation: decode one frame, compose it on the canvas as its format's
/// disposal and blending say, run the single-frame steps on a copy of the canvas, encode the
/// result into the animated output, drop it. One decoded frame and one output frame exist at
/// a time (`budget` counts the canvas, them, the encoder and the growing output).
fn animate(
    bytes: &[u8],
    probe: Probe,
    plan: Plan,
    anim: Animation,
    overlays: &[crate::draw::Prepared],
    limits: &Limits,
    clock: Clock,
) -> Result<Rendered> {
    let (width, height) = plan.output_size();
    let mut source = FrameSource::open(bytes, &probe, &decode_limits(limits, &plan))?;
    let info = ColorInfo {
        icc: codecs::anim::icc_profile(bytes, &probe),
        png_gamma: None,
    };
    let mut canvas = Canvas::new(probe.width, probe.height);
    let mut encoder = AnimEncoder::new(&AnimTarget {
        output: plan.output,
        width,
        height,
        plays: anim.plays,
        quality: plan.quality,
        allowance: plan.output_allowance,
        frame_allowance: anim.frame_allowance,
        input: probe.format,
    })?;
    let mut notes = plan.notes.clone();
    let mut timings = Timings::default();
    for n in 0..anim.frames {
        let t0 = clock();
        let delay_ms = match source.next_frame() {
            Ok(Some(frame)) => {
                canvas.draw(&frame.placed);
                frame.delay_ms
            }
            Ok(None) => break,
            // Browsers show the frames before one that cannot be decoded.
            Err(e) if e.code == crate::ErrorCode::CorruptImage && n > 0 => {
                notes.push("animation: ends at a frame that cannot be decoded");
                break;
            }
            Err(e) => return Err(e),
        };
        let t1 = clock();
        let raster = finish_frame(canvas.snapshot(), &info, &probe, &plan, overlays)?;
        let t2 = clock();
        encoder.push(&raster, delay_ms)?;
        timings.decode += t1 - t0;
        timings.resize += t2 - t1;
        timings.encode += clock() - t2;
    }
    Ok(Rendered::Animation(Output {
        bytes: encoder.finish()?,
        format: plan.output,
        width,
        height,
        input: probe,
        timings,
        memory: plan.memory,
        notes,
        // every frame is encoded at the plan's quality: no policy chooses per animation
        quality_choice: None,
    }))
}

/// `gravity=auto`: the plan's window moved inside `region` to where the saliency map of a
/// small display-oriented copy of the region holds the most (`crate::smart_crop`).
fn smart_window(src: &Raster, probe: &Probe, plan: &Plan, region: [f64; 4]) -> Result<[f64; 4]> {
    let o = plan.orientation;
    let stored = o.rect_to_stored(region, probe.width as f64, probe.height as f64);
    let sx = src.width as f64 / probe.width as f64;
    let sy = src.height as f64 / probe.height as f64;
    let mut rect = [
        stored[0] * sx,
        stored[1] * sy,
        stored[2] * sx,
        stored[3] * sy,
    ];
    rect[2] = rect[2].min(src.width as f64 - rect[0]);
    rect[3] = rect[3].min(src.height as f64 - rect[1]);
    let long = rect[2].max(rect[3]).max(1.0);
    let k = (crate::smart_crop::SIDE as f64 / long).min(1.0);
    let (w, h) = (
        ((rect[2] * k).round() as u32).max(1),
        ((rect[3] * k).round() as u32).max(1),
    );
    let small = o.apply(resize::crop_resize_ref(src, rect, w, h)?);
    let map = crate::smart_crop::saliency(&small);
    let [rx, ry, rw, rh] = region;
    let [_, _, cw, ch] = plan.crop;
    let (fx, fy) = crate::smart_crop::place(&map, small.width, small.height, cw / rw, ch / rh);
    Ok([rx + fx * rw, ry + fy * rh, cw, ch])
}

/// Crop + resize in stored orientation on the (possibly shrunk-on-load) frame, then orient.
fn geometry(src: Raster, probe: &Probe, plan: &Plan) -> Result<Raster> {
    let o = plan.orientation;
    let stored = o.rect_to_stored(plan.crop, probe.width as f64, probe.height as f64);
    let sx = src.width as f64 / probe.width as f64;
    let sy = src.height as f64 / probe.height as f64;
    let mut rect = [
        stored[0] * sx,
        stored[1] * sy,
        stored[2] * sx,
        stored[3] * sy,
    ];
    // Rounding in the scaled decode can leave the rectangle a hair outside the frame.
    rect[2] = rect[2].min(src.width as f64 - rect[0]);
    rect[3] = rect[3].min(src.height as f64 - rect[1]);
    let (tw, th) = o.apply_size(plan.resize_to.0, plan.resize_to.1);
    let resized = resize::crop_resize(src, rect, tw, th)?;
    Ok(o.apply(resized))
}

/// `trim=border` on the full-size decode (stored orientation): the region to keep, in the
/// EXIF-oriented source the plan works in. A source that is all border keeps the whole region.
fn found_border(src: &Raster, probe: &Probe, plan: &Plan) -> [f64; 4] {
    let Some(tb) = plan.trim_border else {
        return plan.trim_region;
    };
    if (src.width, src.height) != (probe.width, probe.height) {
        // not the full-size decode the plan asked for: nothing to measure the region against
        return plan.trim_region;
    }
    let exif = probe.orientation();
    let (w, h) = (src.width as f64, src.height as f64);
    let [x, y, rw, rh] = exif.rect_to_stored(plan.trim_region, w, h);
    let region = [x as u32, y as u32, rw as u32, rh as u32];
    // "detected automatically": the colour of the top-left pixel as the source is seen
    let color = tb.color.unwrap_or_else(|| {
        let [ux, uy, ..] = plan.trim_region;
        let (sx, sy) = exif.map(ux as u32, uy as u32, src.width, src.height);
        trim::pixel(src, sx, sy)
    });
    let Some([bx, by, bw, bh]) = trim::content_box(src, region, color, tb.tolerance) else {
        return plan.trim_region;
    };
    // `keep` pixels of the border stay on every side, inside the region
    let k = tb.keep;
    let left = bx.saturating_sub(k).max(region[0]);
    let top = by.saturating_sub(k).max(region[1]);
    let right = (bx + bw).saturating_add(k).min(region[0] + region[2]);
    let bottom = (by + bh).saturating_add(k).min(region[1] + region[3]);
    let kept = [
        left as f64,
        top as f64,
        (right - left) as f64,
        (bottom - top) as f64,
    ];
    exif.rect_to_display(kept, w, h)
}

/// `fit=pad`'s canvas, then `border` around everything.
fn frame(raster: Raster, plan: &Plan) -> Raster {
    let mut raster = raster;
    if let Some(c) = plan.canvas {
        raster = compose::pad(&raster, c.width, c.height, c.x, c.y, c.background);
    }
    if let Some(b) = &plan.border {
        raster = border::add(&raster, b);
    }
    raster
}

fn background(raster: Raster, plan: &Plan) -> Raster {
    let mut raster = raster;
    match plan.background {
        Some(bg) if !plan.output.supports_alpha() || bg.a == 255 => {
            let opaque = crate::options::Rgba { a: 255, ..bg };
            compose::flatten(raster, opaque)
        }
        Some(bg) => {
            compose::underlay(&mut raster, bg);
            raster
        }
        None => {
            raster.drop_opaque_alpha();
            raster
        }
    }
}

fn encode(r: &Raster, plan: &Plan, probe: &Probe) -> Result<Vec<u8>> {
    let exif = crate::exif::for_output(probe.exif.as_deref(), plan.metadata);
    let xmp = if plan.metadata == Metadata::Keep {
        probe.xmp.as_deref()
    } else {
        None
    };
    match plan.output {
        OutputFormat::Jpeg { progressive } => {
            let flat;
            let r = if r.has_alpha() {
                flat = compose::flatten(r.clone(), crate::options::Rgba::WHITE);
                &flat
            } else {
                r
            };
            codecs::jpeg::encode(
                r,
                &JpegParams {
                    quality: plan.quality,
                    progressive,
                    max_output: plan.output_allowance,
                    streaming: plan.jpeg_streaming,
                    exif: exif.as_deref(),
                    xmp,
                },
            )
        }
        OutputFormat::Png => codecs::png::encode(r, exif.as_deref(), plan.output_allowance),
        OutputFormat::Webp => {
            codecs::webp::encode(r, plan.quality, exif.as_deref(), plan.output_allowance)
        }
        OutputFormat::Avif => {
            codecs::avif::encode_within(r, plan.quality, exif.as_deref(), plan.output_allowance)
        }
        OutputFormat::Gif | OutputFormat::Json | OutputFormat::Svg => Err(Error::internal(
            format!("{} output reached the still encoder", plan.output.name()),
        )),
    }
}
