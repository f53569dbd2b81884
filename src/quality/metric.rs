//! SSIMULACRA2 (the `ssimulacra2` crate, BSD-2-Clause) over 8-bit frames: on the whole frame
//! offline (the judge), and on a few crops online, where the whole frame would not fit.
//!
//! The crate holds about 150 bytes per pixel at once (linear RGB, XYB and blurred planes for
//! both images): 140 MB for a 1200x800 frame, more than an isolate has. Online, a policy scores
//! `CROPS` windows of at most `CROP` px, one at a time (9 MB each), and the budget counts that
//! (`FOOTPRINT_PER_PIXEL`).

use crate::error::{Error, Result};
use crate::pixels::{Layout, Raster};

/// Side of an online crop: a multiple of 16, so a JPEG crop keeps the full frame's block grid.
pub const CROP: u32 = 256;

/// Bytes the metric holds per pixel it compares, peak (measured from the crate's buffers:
/// 2 x linear RGB, 2 x XYB, 2 x planar XYB, 5 blurred planes sets, the product and the blur's
/// scratch, 12 bytes each, plus the first downscale).
pub const FOOTPRINT_PER_PIXEL: u64 = 160;

/// An axis-aligned window (x, y, w, h) in pixels.
pub type Rect = (u32, u32, u32, u32);

/// sRGB 8-bit value -> linear light, the exact piecewise sRGB transfer function.
fn linear_table() -> [f32; 256] {
    let mut t = [0f32; 256];
    for (i, v) in t.iter_mut().enumerate() {
        let c = i as f64 / 255.0;
        *v = if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        } as f32;
    }
    t
}

/// Linear RGB of a window of `r`; alpha is composited over white, as a JPEG of it would be.
fn linear(r: &Raster, (x0, y0, w, h): Rect, lut: &[f32; 256]) -> ssimulacra2::LinearRgb {
    let c = r.layout.channels();
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for y in y0..y0 + h {
        let row = (y as usize * r.width as usize + x0 as usize) * c;
        for px in r.data[row..row + w as usize * c].chunks_exact(c) {
            let rgb = [
                lut[px[0] as usize],
                lut[px[1] as usize],
                lut[px[2] as usize],
            ];
            out.push(if r.layout == Layout::Rgba && px[3] != 255 {
                let a = px[3] as f32 / 255.0;
                rgb.map(|v| v * a + (1.0 - a))
            } else {
                rgb
            });
        }
    }
    // the length is w * h by construction
    ssimulacra2::LinearRgb::new(out, w as usize, h as usize).expect("window size")
}

/// SSIMULACRA2 of `distorted` against `reference` over the window `rect` of both (same size).
pub fn score_rect(reference: &Raster, distorted: &Raster, rect: Rect) -> Result<f64> {
    if (reference.width, reference.height) != (distorted.width, distorted.height) {
        return Err(Error::internal("metric: frames of different sizes"));
    }
    let (x, y, w, h) = rect;
    if w < 8 || h < 8 || x + w > reference.width || y + h > reference.height {
        return Err(Error::internal(
            "metric: window outside the frame or under 8 px",
        ));
    }
    let lut = linear_table();
    ssimulacra2::compute_frame_ssimulacra2(
        linear(reference, rect, &lut),
        linear(distorted, rect, &lut),
    )
    .map_err(Error::internal)
}

/// SSIMULACRA2 over the whole frame: the offline judge.
pub fn score(reference: &Raster, distorted: &Raster) -> Result<f64> {
    score_rect(
        reference,
        distorted,
        (0, 0, reference.width, reference.height),
    )
}

/// The windows a policy scores online, deterministic in the frame size: the whole frame when
/// it is no larger than two crops, else `count` windows of `CROP` px at fixed fractions of
/// the frame (the centre first, then the four quarter points), snapped to 16 px.
pub fn crops(width: u32, height: u32, count: usize) -> Vec<Rect> {
    if (width as u64 * height as u64) <= 2 * (CROP as u64 * CROP as u64)
        || width < CROP
        || height < CROP
    {
        return vec![(0, 0, width, height)];
    }
    const AT: [(f64, f64); 5] = [
        (0.5, 0.5),
        (0.25, 0.25),
        (0.75, 0.25),
        (0.25, 0.75),
        (0.75, 0.75),
    ];
    AT.iter()
        .take(count.clamp(1, AT.len()))
        .map(|&(fx, fy)| {
            let place = |f: f64, len: u32| {
                let x = (f * len as f64 - CROP as f64 / 2.0).clamp(0.0, (len - CROP) as f64);
                ((x as u32) / 16 * 16).min(len - CROP)
            };
            (place(fx, width), place(fy, height), CROP, CROP)
        })
        .collect()
}

/// Copy of a window of `r`.
pub fn cut(r: &Raster, (x0, y0, w, h): Rect) -> Raster {
    let c = r.layout.channels();
    let mut data = Vec::with_capacity(w as usize * h as usize * c);
    for y in y0..y0 + h {
        let row = (y as usize * r.width as usize + x0 as usize) * c;
        data.extend_from_slice(&r.data[row..row + w as usize * c]);
    }
    Raster::new(w, h, r.layout, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32, noise: u8) -> Raster {
        let mut s = 7u32;
        let data = (0..w * h)
            .flat_map(|i| {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let n = ((s >> 24) as u8) % noise.max(1);
                let (x, y) = (i % w, i / w);
                [
                    (x * 255 / w) as u8 ^ n,
                    (y * 255 / h) as u8,
                    128u8.wrapping_add(n),
                ]
            })
            .collect();
        Raster::new(w, h, Layout::Rgb, data)
    }

    #[test]
    fn identical_frames_score_100_and_noise_lowers_it() {
        let a = gradient(64, 48, 1);
        assert!((score(&a, &a).unwrap() - 100.0).abs() < 1e-6);
        let b = gradient(64, 48, 40);
        let s = score(&a, &b).unwrap();
        assert!(s < 90.0, "{s}");
    }

    #[test]
    fn crops_are_inside_aligned_and_deterministic() {
        assert_eq!(crops(300, 300, 5), vec![(0, 0, 300, 300)]);
        let c = crops(1200, 800, 5);
        assert_eq!(c.len(), 5);
        assert_eq!(c, crops(1200, 800, 5));
        for (x, y, w, h) in c {
            assert!(x + w <= 1200 && y + h <= 800);
            assert_eq!((x % 16, y % 16), (0, 0));
        }
    }
}
