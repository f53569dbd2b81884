//! The adjustments, in one fixed order on the output-sized frame: blur, sharpen, then the
//! point adjustments (brightness, contrast, gamma as one table, then saturation). Spatial
//! filters come first so that a tone curve never changes what the blur averages.

use super::{blur, tone, Raster};
use crate::options::Effects;

/// Gaussian sigma of `blur=r`: sharp's documented relation between a radius and its sigma,
/// `sigma = 1 + radius / 2` (docs/OPTIONS.md).
pub fn blur_sigma(radius: f32) -> f32 {
    1.0 + radius / 2.0
}

/// The unsharp mask behind `sharpen=s`: sigma 1 px, amount `s / 2` (ImageMagick
/// `-unsharp 0x1+{s/2}+0`, docs/OPTIONS.md).
pub const SHARPEN_SIGMA: f32 = 1.0;
pub fn sharpen_amount(strength: f32) -> f32 {
    strength / 2.0
}

pub fn apply(r: &mut Raster, e: &Effects) {
    if let Some(radius) = e.blur {
        blur::gaussian(r, blur_sigma(radius));
    }
    if let Some(s) = e.sharpen {
        blur::unsharp(r, SHARPEN_SIGMA, sharpen_amount(s));
    }
    if let Some(table) = tone::curve(e) {
        tone::apply_curve(r, &table);
    }
    if let Some(s) = e.saturation {
        tone::saturate(r, s);
    }
}

/// What `apply` allocates at its peak for a `w` x `h` frame of `c` channels (each spatial
/// filter frees its working frame before the next one starts).
pub fn working_bytes(e: &Effects, w: u32, h: u32, c: usize) -> u64 {
    let blur = e
        .blur
        .map_or(0, |r| blur::working_bytes(w, h, c, blur_sigma(r)));
    let sharpen = e
        .sharpen
        .map_or(0, |_| blur::working_bytes(w, h, c, SHARPEN_SIGMA));
    blur.max(sharpen)
}
