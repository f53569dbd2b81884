//! Runs a Plan's steps (`crate::steps`): decode -> crop/resize -> orient -> colour -> effects ->
//! pad/border -> overlays -> background -> encode. Resizing happens before orientation, colour
//! conversion and effects so those passes touch only output-sized frames.

use crate::codecs::anim::{AnimEncoder, AnimTarget, FrameSource};
use crate::codecs::{self, ColorInfo};
use crate::error::Result;
use crate::format::Accepts;
use crate::limits::Limits;
use crate::options::Options;
use crate::pixels::canvas::Canvas;
use crate::pixels::overlay::Prepared;
use crate::pixels::{resize, trim, Raster};
use crate::plan::{Animation, Frames, OutputFormat, Plan};
use crate::probe::{self, Probe};
use crate::resolve::{Client, Resolved};
pub use crate::steps::output::{Clock, Frame, Output, Timings};
use crate::steps::{self, frame::Context, Step};

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
    guard(|| transform_inner(bytes, resolved, limits, clock))
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
    transform_inner(bytes, &opts.resolve(&Client::new(accepts)), limits, clock)
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
            Err(crate::error::Error::internal(format!(
                "panic while transforming: {what}"
            )))
        })
    }
    #[cfg(target_arch = "wasm32")]
    f()
}

fn transform_inner(
    bytes: &[u8],
    resolved: &Resolved,
    limits: &Limits,
    clock: Clock,
) -> Result<Output> {
    finish(render(bytes, resolved, limits, clock)?, bytes, clock)
}

/// The answer of a rendered transform: a still frame goes to its encoder (`quality=auto`'s
/// policy first when it applies); the rest is already encoded.
pub fn finish(rendered: Rendered, bytes: &[u8], clock: Clock) -> Result<Output> {
    match rendered {
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

/// probe -> plan -> decode -> crop/resize -> orient -> colour -> effects -> pad/border ->
/// background.
pub fn render(
    bytes: &[u8],
    resolved: &Resolved,
    limits: &Limits,
    clock: Clock,
) -> Result<Rendered> {
    let probe = probe::probe(bytes, limits)?;
    let plan = crate::budget::plan(&probe, resolved, limits)?;
    // overlays are handed in only through `crate::draw::render_with`
    crate::options::draw::check_count(&resolved.options().draw, 0)?;
    render_planned(bytes, probe, plan, resolved, &[], limits, clock)
}

/// `render` once the plan is made and the overlays of `draw` are prepared (`crate::draw`).
pub fn render_planned(
    bytes: &[u8],
    probe: Probe,
    plan: Plan,
    resolved: &Resolved,
    overlays: &[Prepared],
    limits: &Limits,
    clock: Clock,
) -> Result<Rendered> {
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
            steps: Vec::new(),
            encodes: 0,
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
            steps: Vec::new(),
            encodes: 0,
        }));
    }
    match plan.frames {
        Frames::Still => {}
        Frames::Animated(a) => return animate(bytes, probe, plan, a, overlays, limits, clock),
        Frames::Untransformed => {
            // the input's own bytes, its metadata rewritten as the mode says
            return Ok(Rendered::Animation(Output {
                bytes: crate::metadata::strip::untransformed(bytes, probe.format, plan.metadata)?,
                format: plan.output,
                width: probe.width,
                height: probe.height,
                input: probe,
                timings: Timings::default(),
                memory: plan.memory,
                notes: plan.notes,
                quality_choice: None,
                steps: Vec::new(),
                encodes: 0,
            }));
        }
    }
    let t0 = clock();
    let mut ran = vec![Step::Decode.name()];
    let decoded = codecs::decode(
        bytes,
        &probe,
        plan.decode_min_size,
        &decode_limits(limits, &plan),
    )?;
    let t1 = clock();
    let mut plan = match plan.trim_border {
        Some(_) => {
            ran.push(Step::FindBorder.name());
            let found = found_border(&decoded.raster, &probe, &plan);
            crate::budget::with_found_border(&probe, resolved, limits, found)?
        }
        None => plan,
    };
    // the rest of the list, from the plan as the border search left it
    let mut raster = decoded.raster;
    for step in steps::still(&plan) {
        match step {
            Step::Decode | Step::FindBorder => continue,
            Step::SmartCrop => {
                if let Some(region) = plan.smart_crop {
                    plan.crop = smart_window(&raster, &probe, &plan, region)?;
                }
            }
            Step::Frame(f) => {
                let cx = Context {
                    probe: &probe,
                    plan: &plan,
                    color: &decoded.color,
                    overlays,
                };
                raster = f.run(raster, &cx)?;
            }
            // the encoder's (`crate::quality::encode`, `Frame::encode`)
            Step::ChooseQuality | Step::Encode => break,
        }
        ran.push(step.name());
    }
    let timings = Timings {
        decode: t1 - t0,
        resize: clock() - t1,
        encode: 0.0,
    };
    let kept = crate::metadata::Kept::for_output(bytes, &probe, plan.metadata, plan.output);
    Ok(Rendered::Frame(Frame {
        raster,
        plan,
        probe,
        kept,
        timings,
        steps: ran,
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

/// Every frame of an animation: decode one frame, compose it on the canvas as its format's
/// disposal and blending say, run the single-frame steps on a copy of the canvas, encode the
/// result into the animated output, drop it. One decoded frame and one output frame exist at
/// a time (`budget` counts the canvas, them, the encoder and the growing output).
fn animate(
    bytes: &[u8],
    probe: Probe,
    plan: Plan,
    anim: Animation,
    overlays: &[Prepared],
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
    let frame_steps = steps::frame(&plan);
    let steps = frame_steps.iter().map(|f| f.name()).collect();
    let cx = Context {
        probe: &probe,
        plan: &plan,
        color: &info,
        overlays,
    };
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
        let mut raster = canvas.snapshot();
        for f in &frame_steps {
            raster = f.run(raster, &cx)?;
        }
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
        steps,
        encodes: 1,
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
