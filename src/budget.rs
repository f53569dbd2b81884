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
//! The model is `crate::heap` (dlmalloc's behaviour for large chunks). What is replayed is the
//! plan's own list of steps (`crate::steps`), the list the pipeline runs: each step states its
//! allocations beside its pixels, and each codec its own (`codecs::*::decode_footprint`,
//! `encode_footprint`), read from its source. This module walks the list, adds the input and
//! an animation's canvas and growing output, and makes the budget's decisions (`plan`). `scripts/test-wasm-sweep.sh` checks,
//! for every corpus image on the shipped wasm32 build, that the estimate is at least the
//! growth of linear memory it measures.

use crate::codecs;
use crate::error::{Error, ErrorCode, Result};
use crate::format::ImageFormat;
pub use crate::heap::{describe, with_slack, Block, FrameShape, Heap, MemoryEstimate};
use crate::limits::Limits;
use crate::pixels::Layout;
use crate::plan::{self, Animation, AvifFacts, Frames, OutputFormat, Plan};
use crate::probe::Probe;
use crate::resolve::Resolved;
use crate::steps::frame::Held;
use crate::steps::{self, encode, FrameStep, Step};

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

/// The estimate for a plan, and the ceiling its encoder gets: the plan's steps (`crate::steps`)
/// replayed on the allocator model, the same list the pipeline runs. `budget` is the memory a
/// transform may hold: an animation's output gets what the rest leaves of it.
pub fn estimate(probe: &Probe, plan: &Plan, budget: u64) -> (MemoryEstimate, u64) {
    replay(probe, plan, budget, &mut Vec::new())
}

/// The names of the steps the estimate of `plan` replays, in order (an animation's: those of
/// its first frame), for the test that the pipeline runs the same list.
pub fn walk(probe: &Probe, plan: &Plan) -> Vec<&'static str> {
    let mut trace = Vec::new();
    replay(probe, plan, u64::MAX, &mut trace);
    trace
}

fn replay(
    probe: &Probe,
    plan: &Plan,
    budget: u64,
    trace: &mut Vec<&'static str>,
) -> (MemoryEstimate, u64) {
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
        let allowance = encode::output_allowance(probe, plan);
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
        Frames::Animated(a) => return animation(probe, plan, a, budget, trace),
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
    let allowance = encode::output_allowance(probe, plan);
    let (ow, oh) = plan.output_size();
    let out_frame = FrameShape::new(ow, oh, encode::output_layout(probe, plan));
    let mut frame = None;
    for step in steps::still(plan) {
        trace.push(step.name());
        match step {
            Step::Decode => {
                let (dw, dh) = codecs::decoded_size(probe, plan.decode_min_size);
                frame = Some(Held {
                    block: codecs::decode_footprint(&mut heap, probe, (dw, dh)),
                    shape: FrameShape::new(dw, dh, codecs::decoded_layout(probe)),
                });
                m.decode = heap.high_water();
            }
            // the border search reads the full-size decode in place
            Step::FindBorder => {}
            // gravity=auto: a small copy and its saliency planes beside the decoded frame
            Step::SmartCrop => heap.transient(crate::smart_crop::footprint()),
            Step::Frame(f) => {
                frame = frame.map(|held| f.footprint(&mut heap, probe, plan, held));
                mark(&mut m, f, heap.high_water());
            }
            // quality=auto checks crops one at a time before the one full encode
            Step::ChooseQuality => heap.transient(crate::quality::metric::check_footprint(
                out_frame.width,
                out_frame.height,
            )),
            Step::Encode => {
                let output = encode::footprint(&mut heap, plan, out_frame, allowance);
                m.encode = heap.high_water();
                if let Some(held) = frame.take() {
                    heap.free(held.block);
                }
                heap.free(output);
            }
        }
    }
    heap.free(input);
    m.peak = with_slack(heap.high_water());
    (m, allowance)
}

/// The marks a frame step sets: `resize` after the resize, `finish` after every frame step.
fn mark(m: &mut MemoryEstimate, step: FrameStep, high: u64) {
    if step == FrameStep::Resize {
        m.resize = m.resize.max(high);
    }
    m.finish = m.finish.max(high);
}

/// The frame steps (`steps::frame`) on the allocator model, for an animation's frame: takes
/// the frame's block, returns the finished frame's and sets the resize and finish marks.
fn frame_footprint(
    heap: &mut Heap,
    probe: &Probe,
    plan: &Plan,
    held: Held,
    m: &mut MemoryEstimate,
    trace: &mut Vec<&'static str>,
) -> Block {
    let mut held = held;
    for f in steps::frame(plan) {
        trace.push(f.name());
        held = f.footprint(heap, probe, plan, held);
        mark(m, f, heap.high_water());
    }
    held.block
}

/// Ceiling of one animation frame's still encoding: a still's, without metadata.
pub fn frame_allowance(probe: &Probe, plan: &Plan) -> u64 {
    let (ow, oh) = plan.output_size();
    let frame = FrameShape::new(ow, oh, encode::output_layout(probe, plan));
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
fn animation(
    probe: &Probe,
    plan: &Plan,
    a: Animation,
    budget: u64,
    trace: &mut Vec<&'static str>,
) -> (MemoryEstimate, u64) {
    let worst = animation_worst_case(probe, plan, a);
    let m = animation_with_cap(probe, plan, a, worst, trace);
    if m.peak <= budget {
        return (m, worst);
    }
    let floor = (64u64 << 10).min(worst);
    let (mut lo, mut hi) = (floor, worst);
    while hi - lo > 64 << 10 {
        let mid = lo + (hi - lo) / 2;
        if animation_with_cap(probe, plan, a, mid, &mut Vec::new()).peak <= budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (animation_with_cap(probe, plan, a, lo, &mut Vec::new()), lo)
}

fn animation_with_cap(
    probe: &Probe,
    plan: &Plan,
    a: Animation,
    cap: u64,
    trace: &mut Vec<&'static str>,
) -> MemoryEstimate {
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
        let copy = Held {
            block: heap.alloc(canvas_shape.bytes()),
            shape: canvas_shape,
        };
        let mut names = Vec::new();
        let out_frame = frame_footprint(heap, probe, plan, copy, m, &mut names);
        if first {
            trace.extend(names);
        }
        let shape = FrameShape::new(ow, oh, encode::output_layout(probe, plan));
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
