//! The memory a transform holds at its peak, computed from header facts before anything is
//! decoded, so that a plan that would not fit is refused (413) before it allocates.
//!
//! A Worker isolate has 128 MB for everything, and wasm linear memory only ever grows: one
//! request that needs a gigabyte kills the isolate and every request it was serving. What
//! counts is the high-water mark of the heap, not the bytes alive at once: a buffer freed in
//! the middle of the heap leaves a hole that a later, larger buffer cannot use (a full-size
//! decode frees its component planes, then the rotated copy of the frame does not fit in their
//! hole and goes on top). So the plan replays, on a model of the allocator, every large
//! allocation and free the pipeline will make, in order, and takes the highest top.
//!
//! The model is dlmalloc's behaviour for large chunks: best fit among free chunks, splitting,
//! coalescing with free neighbours, and a free chunk at the top merged back into the top. Each
//! codec states its own allocations (`codecs::*::decode_footprint`, `encode_footprint`), read
//! from its source; this module adds the pipeline's own. `scripts/test-wasm-sweep.sh` checks,
//! for every corpus image on the shipped wasm32 build, that the estimate is at least the
//! growth of linear memory it measures.

use crate::codecs;
use crate::error::{Error, ErrorCode, Result};
use crate::format::ImageFormat;
pub use crate::heap::{describe, with_slack, Block, FrameShape, Heap, MemoryEstimate};
use crate::limits::Limits;
use crate::pixels::{border, color::working_bytes as colour_bytes, effects, Layout};
use crate::plan::{self, Animation, AvifFacts, Frames, OutputFormat, Plan};
use crate::probe::Probe;
use crate::resolve::Resolved;

/// The plan with the budget's decisions: `plan::decide`, its memory estimate and output
/// allowance, and what the budget changes (a streaming JPEG encoder, WebP for an AVIF whose
/// encoder would not fit); refused with 413 when it still does not fit.
pub fn plan(probe: &Probe, resolved: &Resolved, limits: &Limits) -> Result<Plan> {
    fit(probe, plan::decide(probe, resolved, limits)?, limits)
}

/// `plan` once `trim=border` has found the border (`plan::decide_found_border`). Sizes change
/// with the region, so the budget is checked again.
pub fn with_found_border(
    probe: &Probe,
    resolved: &Resolved,
    limits: &Limits,
    found: [f64; 4],
) -> Result<Plan> {
    let mut plan = fit(
        probe,
        plan::decide_found_border(probe, resolved, limits, found)?,
        limits,
    )?;
    plan.trim_border = None;
    Ok(plan)
}

fn fit(probe: &Probe, mut plan: Plan, limits: &Limits) -> Result<Plan> {
    let budget = limits.max_memory_bytes as u64;
    let frame_allowance = frame_allowance(probe, &plan);
    if let Frames::Animated(a) = &mut plan.frames {
        a.frame_allowance = frame_allowance;
    }
    (plan.memory, plan.output_allowance) = estimate(probe, &plan, budget);
    if plan.frames == Frames::Untransformed {
        // served as it came: the copy is the whole cost, and nothing smaller exists
        return Ok(plan);
    }
    if plan.memory.peak > budget && matches!(plan.output, OutputFormat::Jpeg { .. }) {
        // A large JPEG output: trade 5-10 % of bytes for not holding every block at once.
        plan.jpeg_streaming = true;
        (plan.memory, plan.output_allowance) = estimate(probe, &plan, budget);
        if plan.memory.peak <= budget {
            plan.notes
                .push("jpeg: baseline with standard tables, to fit the memory budget");
        }
    }
    if plan.memory.peak > budget && plan.output == OutputFormat::Avif {
        let facts = AvifFacts {
            animate: false,
            size: Some(plan.output_size()),
            fits_budget: false,
        };
        if let Some(why) = plan::avif_fallback(facts, limits) {
            plan.output = OutputFormat::Webp;
            plan.notes.push(why);
            (plan.memory, plan.output_allowance) = estimate(probe, &plan, budget);
        }
    }
    if plan.memory.peak > budget {
        return Err(Error::new(
            ErrorCode::OverMemoryBudget,
            format!(
                "this transform would hold about {} MB at once ({}); the budget is {} MB: ask for a smaller output",
                plan.memory.peak >> 20,
                describe(&plan.memory),
                limits.max_memory_bytes >> 20
            ),
        ));
    }
    Ok(plan)
}

/// `fast_image_resize`'s Lanczos3 convolution over a `crop` (w, h) of `src` into a new `dst`
/// frame: the intermediate pass (vertical first for 8-bit pixels: crop width x dst height; the
/// other order is counted too, so the bound holds either way), the per-pixel weights, and for
/// RGBA the larger of its two paths (`pixels::resize`): the 8-bit premultiplied copy of the
/// whole source, or the 16-bit path's premultiplied source row, its crop-width intermediate
/// over the rows the vertical pass reads and its row of sums. Returns the destination frame.
fn resize_footprint(heap: &mut Heap, src: FrameShape, crop: (f64, f64), dst: FrameShape) -> Block {
    let c = src.layout.channels() as u64;
    let (cw, ch) = (crop.0.ceil().max(1.0) as u64, crop.1.ceil().max(1.0) as u64);
    // Lanczos3 reaches 3 source pixels each side, scaled up when shrinking: f64 weights plus
    // their fixed-point copy, and one bounds entry per output pixel.
    let taps = |from: f64, to: u32| (6.0 * (from / to.max(1) as f64).max(1.0)).ceil() as u64 + 2;
    let weights = (dst.width as u64 * taps(crop.0, dst.width)
        + dst.height as u64 * taps(crop.1, dst.height))
        * 10
        + (dst.width as u64 + dst.height as u64) * 16;
    let intermediate = (cw * dst.height as u64).max(dst.width as u64 * ch) * c;
    let out = heap.alloc(dst.bytes());
    let premultiplied = (src.layout == Layout::Rgba).then(|| {
        let eight_bit = src.bytes();
        let rows = (ch + taps(crop.1, dst.height) + 6).min(src.height as u64);
        let sixteen_bit =
            src.width as u64 * 16 + dst.width as u64 * rows * 8 + dst.width as u64 * 16;
        heap.alloc(eight_bit.max(sixteen_bit))
    });
    let w = heap.alloc(weights);
    let intermediate = heap.alloc(intermediate);
    heap.free(intermediate);
    heap.free(w);
    if let Some(p) = premultiplied {
        heap.free(p);
    }
    out
}

/// The estimate for a plan, and the ceiling its encoder gets. Mirrors `pipeline::render` step
/// by step: whatever allocates there has its line here, in the same order. `budget` is the
/// memory a transform may hold: an animation's output gets what the rest leaves of it.
pub fn estimate(probe: &Probe, plan: &Plan, budget: u64) -> (MemoryEstimate, u64) {
    let mut heap = Heap::new();
    let input = heap.alloc(probe.bytes as u64);
    let mut m = MemoryEstimate {
        input: heap.high_water(),
        ..MemoryEstimate::default()
    };
    if plan.output == OutputFormat::Json {
        m.peak = with_slack(m.input);
        return (m, 0);
    }
    if plan.output == OutputFormat::Svg {
        // one pass: the parser's working set beside the growing output
        let work = heap.alloc(crate::svg::working_bytes(probe.bytes));
        m.decode = heap.high_water();
        let allowance = output_allowance(probe, plan);
        let output = heap.output_buffer(allowance);
        m.encode = heap.high_water();
        heap.free(output);
        heap.free(work);
        heap.free(input);
        m.peak = with_slack(heap.high_water());
        return (m, allowance);
    }
    match plan.frames {
        Frames::Still => {}
        Frames::Animated(a) => return animation(probe, plan, a, budget),
        Frames::Untransformed => {
            // the answer is a copy of the input
            heap.alloc(probe.bytes as u64);
            let top = heap.high_water();
            m = MemoryEstimate {
                decode: top,
                resize: top,
                finish: top,
                encode: top,
                peak: with_slack(top),
                ..m
            };
            return (m, probe.bytes as u64);
        }
    }
    let allowance = output_allowance(probe, plan);
    // decode
    let (dw, dh) = codecs::decoded_size(probe, plan.decode_min_size);
    let decoded = FrameShape::new(dw, dh, codecs::decoded_layout(probe));
    let frame = codecs::decode_footprint(&mut heap, probe, (dw, dh));
    m.decode = heap.high_water();
    if plan.smart_crop.is_some() {
        // gravity=auto: a small copy and its saliency planes beside the decoded frame
        heap.transient(crate::smart_crop::footprint());
    }
    let (frame, out_frame) = finish_footprint(&mut heap, probe, plan, frame, decoded, &mut m);
    // quality=auto checks crops one at a time before the one full encode
    if plan.auto.is_some() && plan.output.quality_search() {
        heap.transient(crate::quality::policy::footprint(
            out_frame.width,
            out_frame.height,
        ));
    }
    // encode
    let output = encode_footprint(&mut heap, plan, out_frame, allowance);
    m.encode = heap.high_water();
    heap.free(frame);
    heap.free(output);
    heap.free(input);
    m.peak = with_slack(heap.high_water());
    (m, allowance)
}

/// The single-frame steps after decoding (`pipeline::finish_frame`): crop + resize in stored
/// orientation, orientation, colour, padding. Takes the decoded frame's block, returns the
/// finished frame's block and shape, and sets the resize and finish marks of `m`.
fn finish_footprint(
    heap: &mut Heap,
    probe: &Probe,
    plan: &Plan,
    mut frame: Block,
    decoded: FrameShape,
    m: &mut MemoryEstimate,
) -> (Block, FrameShape) {
    let (dw, dh) = (decoded.width, decoded.height);
    // crop + resize, in stored orientation on the decoded frame
    let o = plan.orientation;
    let stored = o.rect_to_stored(plan.crop, probe.width as f64, probe.height as f64);
    let crop = (
        stored[2] * dw as f64 / probe.width.max(1) as f64,
        stored[3] * dh as f64 / probe.height.max(1) as f64,
    );
    let (tw, th) = o.apply_size(plan.resize_to.0, plan.resize_to.1);
    let resized = FrameShape::new(tw, th, decoded.layout);
    let untouched =
        stored == [0.0, 0.0, probe.width as f64, probe.height as f64] && (tw, th) == (dw, dh);
    if !untouched {
        let out = resize_footprint(heap, decoded, crop, resized);
        heap.free(frame);
        frame = out;
    }
    m.resize = m.resize.max(heap.high_water());
    // orientation makes a second frame; colour management converts in strips through its
    // tables; blur and sharpen hold a 16-bit working copy; padding and the border each make
    // a canvas; flattening and dropping an opaque alpha work in place
    if !o.is_identity() {
        let turned = heap.alloc(resized.bytes());
        heap.free(frame);
        frame = turned;
    }
    if probe.has_icc {
        heap.transient(colour_bytes(probe));
    }
    heap.transient(effects::working_bytes(
        &plan.effects,
        tw,
        th,
        resized.layout.channels(),
    ));
    let (ow, oh) = plan.output_size();
    let mut layout = resized.layout;
    if let Some(c) = plan.canvas {
        layout = Layout::Rgba;
        let canvas = heap.alloc(FrameShape::new(c.width, c.height, layout).bytes());
        heap.free(frame);
        frame = canvas;
    }
    if let Some(b) = plan.border {
        layout = border::layout(layout, b.color);
        let framed = heap.alloc(FrameShape::new(ow, oh, layout).bytes());
        heap.free(frame);
        frame = framed;
    }
    m.finish = m.finish.max(heap.high_water());
    (frame, FrameShape::new(ow, oh, output_layout(probe, plan)))
}

/// The layout the encoder gets: alpha survives when the output can hold it.
fn output_layout(probe: &Probe, plan: &Plan) -> Layout {
    let alpha = plan.canvas.is_some()
        || codecs::decoded_layout(probe) == Layout::Rgba
        || plan.border.is_some_and(|b| b.color.a < 255)
        || matches!(plan.frames, Frames::Animated(_));
    if alpha && plan.output.supports_alpha() {
        Layout::Rgba
    } else {
        Layout::Rgb
    }
}

/// A still encoder's allocations, ending with its output's block.
fn encode_footprint(heap: &mut Heap, plan: &Plan, frame: FrameShape, allowance: u64) -> Block {
    match plan.output {
        OutputFormat::Jpeg { .. } => {
            codecs::jpeg::encode_footprint(heap, frame, allowance, plan.jpeg_streaming)
        }
        OutputFormat::Png => codecs::png::encode_footprint(heap, frame, allowance),
        OutputFormat::Webp => codecs::webp::encode_footprint(heap, frame, plan.quality, allowance),
        OutputFormat::Avif => codecs::avif::encode_footprint(heap, frame, plan.quality, allowance),
        OutputFormat::Gif | OutputFormat::Json | OutputFormat::Svg => heap.alloc(0),
    }
}

/// Ceiling of one animation frame's still encoding: a still's, without metadata.
pub fn frame_allowance(probe: &Probe, plan: &Plan) -> u64 {
    let (ow, oh) = plan.output_size();
    let frame = FrameShape::new(ow, oh, output_layout(probe, plan));
    match plan.output {
        OutputFormat::Webp => codecs::webp::output_allowance(frame, plan.quality, 0),
        _ => 0,
    }
}

/// The most an animated output can take with every frame at its encoder's worst case.
fn animation_worst_case(probe: &Probe, plan: &Plan, a: Animation) -> u64 {
    let (ow, oh) = plan.output_size();
    let n = ow as u64 * oh as u64;
    let per_frame = match plan.output {
        // the image chunks of a still (its allowance less the framing slack) and an ANMF header
        OutputFormat::Webp => a.frame_allowance.saturating_sub(64 << 10) + 64,
        // 12-bit LZW codes with clear codes, sub-block lengths, palette and frame headers
        _ => n * 13 / 8 + n / 255 + 1024,
    };
    let _ = probe;
    (a.frames as u64)
        .saturating_mul(per_frame)
        .saturating_add(1024)
}

/// An animation: the canvas, one decoded frame, the single-frame steps on a copy of the canvas,
/// one frame's encoding and the growing output, replayed frame after frame between the
/// output's growth steps (`OutputBuf` doubles up to its cap), so the holes the growing output
/// leaves behind are modelled where they fall. The output's cap is its worst case, or less
/// when that would not fit `budget`: then the largest cap that fits, and an output that
/// reaches it stops with 413.
fn animation(probe: &Probe, plan: &Plan, a: Animation, budget: u64) -> (MemoryEstimate, u64) {
    let worst = animation_worst_case(probe, plan, a);
    let m = animation_with_cap(probe, plan, a, worst);
    if m.peak <= budget {
        return (m, worst);
    }
    let floor = (64u64 << 10).min(worst);
    let (mut lo, mut hi) = (floor, worst);
    while hi - lo > 64 << 10 {
        let mid = lo + (hi - lo) / 2;
        if animation_with_cap(probe, plan, a, mid).peak <= budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (animation_with_cap(probe, plan, a, lo), lo)
}

fn animation_with_cap(probe: &Probe, plan: &Plan, a: Animation, cap: u64) -> MemoryEstimate {
    let mut heap = Heap::new();
    let input = heap.alloc(probe.bytes as u64);
    let mut m = MemoryEstimate {
        input: heap.high_water(),
        ..MemoryEstimate::default()
    };
    let canvas_shape = FrameShape::new(probe.width, probe.height, Layout::Rgba);
    let scan = probe.animation.unwrap_or_default();
    let largest = scan.largest_frame.max(1);
    let (ow, oh) = plan.output_size();
    let n = ow as u64 * oh as u64;
    // before the first frame: the decoder (GIF: LZW tables), the encoder and its output's
    // first buffer, the canvas
    let tables = (probe.format == ImageFormat::Gif).then(|| heap.alloc(64 << 10));
    let mut steps = vec![cap];
    while *steps.last().unwrap_or(&0) > 64 << 10 {
        let half = steps.last().unwrap_or(&0).div_ceil(2);
        steps.push(half);
    }
    steps.reverse();
    let mut output = heap.alloc(steps[0]);
    let canvas = heap.alloc(canvas_shape.bytes());
    // at the first frame: the reused frame buffer (and GIF's index buffer and its saved
    // rectangle for "previous" disposal), the GIF writer's RGBA copy and LZW buffer
    let mut held = vec![heap.alloc(largest * 4)];
    if probe.format == ImageFormat::Gif {
        held.push(heap.alloc(largest));
        held.push(heap.alloc(largest.min(canvas_shape.pixels()) * 4));
    }
    m.decode = heap.high_water();
    let mut first = true;
    let mut frame = |heap: &mut Heap, m: &mut MemoryEstimate| {
        if probe.format == ImageFormat::Webp {
            // lossless: ARGB words and transform images; lossy: padded YUV planes
            let (w, h) = (scan.max_frame_width as u64, scan.max_frame_height as u64);
            let padded = w.next_multiple_of(16) * h.next_multiple_of(16);
            heap.transient((padded * 2 + largest).max(largest * 5) + (256 << 10));
        }
        let copy = heap.alloc(canvas_shape.bytes());
        let (out_frame, shape) = finish_footprint(heap, probe, plan, copy, canvas_shape, m);
        match plan.output {
            OutputFormat::Webp => {
                // after the first frame, the changed rectangle's copy (at most the frame)
                let part = (!first).then(|| heap.alloc(n * 4));
                let still =
                    codecs::webp::encode_footprint(heap, shape, plan.quality, a.frame_allowance);
                heap.free(still);
                if let Some(p) = part {
                    heap.free(p);
                }
                if first {
                    // the previous frame, kept to find what changed
                    held.push(heap.alloc(n * 4));
                    first = false;
                }
            }
            _ => {
                if first {
                    held.push(heap.alloc(n * 4));
                    heap.transient(n * 13 / 8 + (8 << 10));
                    held.push(heap.alloc(n * 13 / 4 + (16 << 10)));
                    first = false;
                }
                // the frame as palette indices, NeuQuant's network
                let indices = heap.alloc(n);
                heap.transient(64 << 10);
                heap.free(indices);
            }
        }
        heap.free(out_frame);
        m.encode = m.encode.max(heap.high_water());
    };
    frame(&mut heap, &mut m);
    for &size in &steps[1..] {
        let grown = heap.alloc(size);
        heap.free(output);
        output = grown;
        frame(&mut heap, &mut m);
    }
    heap.free(output);
    heap.free(canvas);
    if let Some(t) = tables {
        heap.free(t);
    }
    heap.free(input);
    m.peak = with_slack(heap.high_water());
    m
}

fn output_allowance(probe: &Probe, plan: &Plan) -> u64 {
    let (ow, oh) = plan.output_size();
    let frame = FrameShape::new(ow, oh, output_layout(probe, plan));
    let metadata = probe.exif.as_ref().map_or(0, |e| e.len() as u64)
        + probe.xmp.as_ref().map_or(0, |x| x.len() as u64);
    match plan.output {
        OutputFormat::Jpeg { .. } => codecs::jpeg::output_allowance(frame, metadata),
        OutputFormat::Png => codecs::png::output_allowance(frame, metadata),
        OutputFormat::Webp => codecs::webp::output_allowance(frame, plan.quality, metadata),
        OutputFormat::Avif => codecs::avif::output_allowance(frame, metadata),
        OutputFormat::Gif | OutputFormat::Json => 0,
        OutputFormat::Svg => crate::svg::output_cap(probe.bytes),
    }
}
