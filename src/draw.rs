//! Overlays (`draw`): each overlay's bytes, handed in by the caller in the order of
//! `Options::draw`, go through the engine's own pipeline with the overlay's `width`, `height`,
//! `fit`, `gravity`, `background` and `rotate` (a PNG-shaped plan, so alpha survives), and the
//! results are composited over every output frame before the background is applied.
//!
//! Compositing the prepared overlays is a pixel step (`crate::pixels::overlay`).

use crate::error::{Error, ErrorCode, Result};
use crate::format::Accepts;
use crate::limits::Limits;
use crate::options::draw::check_count;
use crate::options::{Draw, FormatOption, Metadata, Repeat};
use crate::pipeline::{self, Clock, Rendered};
use crate::pipeline::{guard, Output};
pub use crate::pixels::overlay::{composite_all, Prepared};
use crate::plan::Plan;
use crate::probe;
use crate::resolve::{Client, Resolved};

/// The overlay's own options: its transform, to PNG (keeps alpha), one frame, no metadata.
fn overlay_resolved(d: &Draw) -> crate::Resolved {
    let mut o = d.transform.clone();
    o.format = Some(FormatOption::Png);
    o.anim = Some(false);
    o.metadata = Metadata::None;
    o.resolve(&Client::new(Accepts::default()))
}

fn overlay_error(i: usize, e: Error) -> Error {
    Error::new(e.code, format!("draw[{i}]: {}", e.message))
}

/// What the overlays hold at most, from their headers alone: the sum of each overlay's own
/// high-water mark up to its finished frame (its bytes, decode, resize, orientation, colour,
/// padding; its plan's encoder is never run here), with the allocator's slack. Each overlay is
/// rendered before the main image, and its frame is held while the main image is transformed:
/// even if every overlay's work landed above all that came before, the heap's top stays under
/// this sum plus the main plan's peak.
pub fn memory(draws: &[Draw], overlays: &[&[u8]], limits: &Limits) -> Result<u64> {
    check_count(draws, overlays.len())?;
    let mut total = 0u64;
    for (i, (d, bytes)) in draws.iter().zip(overlays).enumerate() {
        let plan = pipeline::plan_for(bytes, &overlay_resolved(d), limits)
            .map_err(|e| overlay_error(i, e))?;
        let m = plan.memory;
        let rendered = m.decode.max(m.resize).max(m.finish);
        total = total.saturating_add(crate::heap::with_slack(rendered));
    }
    Ok(total)
}

/// Renders every overlay at its own size.
pub fn prepare(
    draws: &[Draw],
    overlays: &[&[u8]],
    limits: &Limits,
    clock: Clock,
) -> Result<Vec<Prepared>> {
    check_count(draws, overlays.len())?;
    let mut out = Vec::with_capacity(draws.len());
    for (i, (d, bytes)) in draws.iter().zip(overlays).enumerate() {
        let raster = match pipeline::render(bytes, &overlay_resolved(d), limits, clock)
            .map_err(|e| overlay_error(i, e))?
        {
            Rendered::Frame(f) => f.raster,
            // an SVG is served sanitised, never rasterised
            _ => {
                return Err(Error::new(
                    ErrorCode::UnsupportedFormat,
                    format!(
                    "draw[{i}]: an SVG overlay cannot be drawn (edgepix does not rasterise SVG)"
                ),
                ))
            }
        };
        out.push(Prepared {
            raster,
            opacity: d.opacity.unwrap_or(1.0),
            tile_x: matches!(d.repeat, Some(Repeat::Both | Repeat::X)),
            tile_y: matches!(d.repeat, Some(Repeat::Both | Repeat::Y)),
            top: d.top,
            left: d.left,
            bottom: d.bottom,
            right: d.right,
        });
    }
    Ok(out)
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
    guard(|| {
        let rendered = render_with(bytes, resolved, overlays, limits, clock)?;
        pipeline::finish(rendered, bytes, clock)
    })
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
        let extra = memory(&resolved.options().draw, overlays, limits)?;
        Ok(plan.memory.peak.saturating_add(extra))
    })
}

/// `pipeline::render` with the overlays of `draw` (their encoded bytes, in order): their memory
/// is checked against the budget from their headers, then each is rendered at its own size.
pub fn render_with(
    bytes: &[u8],
    resolved: &Resolved,
    overlays: &[&[u8]],
    limits: &Limits,
    clock: Clock,
) -> Result<Rendered> {
    let probe = probe::probe(bytes, limits)?;
    let plan = crate::budget::plan(&probe, resolved, limits)?;
    let prepared = prepare_within(&plan, resolved, overlays, limits, clock)?;
    pipeline::render_planned(bytes, probe, plan, resolved, &prepared, limits, clock)
}

fn prepare_within(
    plan: &Plan,
    resolved: &Resolved,
    overlays: &[&[u8]],
    limits: &Limits,
    clock: Clock,
) -> Result<Vec<Prepared>> {
    let draws = &resolved.options().draw;
    if draws.is_empty() && overlays.is_empty() {
        return Ok(Vec::new());
    }
    // the overlays' bytes and decodes count toward the budget before any is decoded
    let extra = memory(draws, overlays, limits)?;
    let peak = plan.memory.peak.saturating_add(extra);
    if peak > limits.max_memory_bytes as u64 {
        return Err(Error::new(
            ErrorCode::OverMemoryBudget,
            format!(
                "this transform with its overlays would hold about {} MB at once (overlays {} MB); the budget is {} MB: ask for smaller overlays or output",
                peak >> 20,
                extra >> 20,
                limits.max_memory_bytes >> 20
            ),
        ));
    }
    prepare(draws, overlays, limits, clock)
}
