//! Overlays (`draw`): each overlay's bytes, handed in by the caller in the order of
//! `Options::draw`, go through the engine's own pipeline with the overlay's `width`, `height`,
//! `fit`, `gravity`, `background` and `rotate` (a PNG-shaped plan, so alpha survives), and the
//! results are composited over every output frame before the background is applied.
//!
//! Compositing is Porter-Duff "over" on straight (non-premultiplied) alpha in gamma-encoded
//! sRGB, as sharp's `composite` and Cloudflare do it: no linearisation, `opacity` multiplies
//! the overlay's alpha.

use crate::error::{Error, ErrorCode, Result};
use crate::format::Accepts;
use crate::limits::Limits;
use crate::options::{Draw, FormatOption, Metadata, Repeat};
use crate::pipeline::{self, Clock, Rendered};
use crate::pixels::{Layout, Raster};
use crate::resolve::Client;

/// An overlay rendered at its own size, ready to composite.
pub struct Prepared {
    pub raster: Raster,
    pub opacity: f32,
    pub repeat: Option<Repeat>,
    pub top: Option<i32>,
    pub left: Option<i32>,
    pub bottom: Option<i32>,
    pub right: Option<i32>,
}

fn check_count(draws: &[Draw], overlays: &[&[u8]]) -> Result<()> {
    if draws.len() != overlays.len() {
        return Err(Error::new(
            ErrorCode::UnsupportedOption,
            format!(
                "draw lists {} overlay(s) but {} were handed to the engine: the caller fetches each overlay's bytes (the Worker's service binding does; the npm package and the CLI do not draw)",
                draws.len(),
                overlays.len()
            ),
        ));
    }
    Ok(())
}

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
    check_count(draws, overlays)?;
    let mut total = 0u64;
    for (i, (d, bytes)) in draws.iter().zip(overlays).enumerate() {
        let plan = pipeline::plan_for(bytes, &overlay_resolved(d), limits)
            .map_err(|e| overlay_error(i, e))?;
        let m = plan.memory;
        let rendered = m.decode.max(m.resize).max(m.finish);
        total = total.saturating_add(crate::budget::with_slack(rendered));
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
    check_count(draws, overlays)?;
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
            repeat: d.repeat,
            top: d.top,
            left: d.left,
            bottom: d.bottom,
            right: d.right,
        });
    }
    Ok(out)
}

/// Where the overlay's first copy goes on one axis: from the near edge, from the far edge, or
/// centred.
fn place(base: u32, size: u32, near: Option<i32>, far: Option<i32>) -> i64 {
    match (near, far) {
        (Some(n), _) => n as i64,
        (None, Some(f)) => base as i64 - size as i64 - f as i64,
        (None, None) => (base as i64 - size as i64) / 2,
    }
}

/// The positions of every copy on one axis: one, or (tiled) every step of `size` that
/// touches `0..base`, through the placed copy.
fn positions(base: u32, size: u32, at: i64, tiled: bool) -> Vec<i64> {
    if !tiled || size == 0 {
        return vec![at];
    }
    let size = size as i64;
    let first = at - (at + size - 1).div_euclid(size) * size;
    (0..)
        .map(|k| first + k * size)
        .take_while(|p| *p < base as i64)
        .collect()
}

/// Composites every overlay over `base`, in order.
pub fn composite_all(base: &mut Raster, overlays: &[Prepared]) {
    for o in overlays {
        let (ow, oh) = (o.raster.width, o.raster.height);
        let x = place(base.width, ow, o.left, o.right);
        let y = place(base.height, oh, o.top, o.bottom);
        let tile_x = matches!(o.repeat, Some(Repeat::Both | Repeat::X));
        let tile_y = matches!(o.repeat, Some(Repeat::Both | Repeat::Y));
        let xs = positions(base.width, ow, x, tile_x);
        for py in positions(base.height, oh, y, tile_y) {
            for &px in &xs {
                over(base, &o.raster, px, py, o.opacity);
            }
        }
    }
}

/// `src` over `dst` with its top-left corner at (x, y), clipped to `dst`.
fn over(dst: &mut Raster, src: &Raster, x: i64, y: i64, opacity: f32) {
    let dc = dst.layout.channels();
    let sc = src.layout.channels();
    let x0 = x.max(0);
    let y0 = y.max(0);
    let x1 = (x + src.width as i64).min(dst.width as i64);
    let y1 = (y + src.height as i64).min(dst.height as i64);
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let op = opacity.clamp(0.0, 1.0);
    for dy in y0..y1 {
        let sy = (dy - y) as usize;
        let drow = dy as usize * dst.width as usize;
        let srow = sy * src.width as usize;
        for dx in x0..x1 {
            let sx = (dx - x) as usize;
            let s = &src.data[(srow + sx) * sc..(srow + sx) * sc + sc];
            let d = &mut dst.data[(drow + dx as usize) * dc..(drow + dx as usize) * dc + dc];
            let sa = if sc == 4 { s[3] as f32 / 255.0 } else { 1.0 } * op;
            if sa <= 0.0 {
                continue;
            }
            let da = if dc == 4 { d[3] as f32 / 255.0 } else { 1.0 };
            let out_a = sa + da * (1.0 - sa);
            for c in 0..3 {
                let v = (s[c] as f32 * sa + d[c] as f32 * da * (1.0 - sa)) / out_a;
                d[c] = v.round().clamp(0.0, 255.0) as u8;
            }
            if dst.layout == Layout::Rgba {
                d[3] = (out_a * 255.0).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_axis_through_the_placed_copy() {
        assert_eq!(positions(100, 30, 10, true), vec![-20, 10, 40, 70]);
        assert_eq!(positions(100, 30, 0, true), vec![0, 30, 60, 90]);
        assert_eq!(positions(100, 30, -5, true), vec![-5, 25, 55, 85]);
        assert_eq!(positions(100, 30, 10, false), vec![10]);
    }

    #[test]
    fn placement_from_each_edge_and_centred() {
        assert_eq!(place(100, 20, Some(5), None), 5);
        assert_eq!(place(100, 20, None, Some(5)), 75);
        assert_eq!(place(100, 20, None, None), 40);
    }
}
