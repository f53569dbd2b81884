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

/// The smallest side SSIMULACRA2 scores (its six-scale pyramid needs 8 px).
pub const MIN_SIDE: u32 = 8;

/// Whether `r` is large enough to be scored at all: a 6x6 output has nothing to check, and
/// `quality=auto` encodes it at the plan's quality instead.
pub fn can_score(r: &Raster) -> bool {
    r.width >= MIN_SIDE && r.height >= MIN_SIDE
}

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
    if w < MIN_SIDE || h < MIN_SIDE || x + w > reference.width || y + h > reference.height {
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

/// The windows a policy scores online, deterministic in the frame: the whole frame when it is
/// no larger than two crops, else up to `count` windows of `CROP` px on the 16 px grid: the
/// centre (where a viewer looks first), then the most detailed windows that overlap none
/// chosen before. The judge's score of a frame follows its worst regions (its 4-norm), and
/// compression error concentrates where there is detail, so fixed windows that land on sky
/// or a wall told little: on the training curves their lowest score ranged from 7 points above
/// the frame's to 2 below. Greedy, so the first `k` of `count` windows are the `k`-window set.
pub fn crops(r: &Raster, count: usize) -> Vec<Rect> {
    let (width, height) = (r.width, r.height);
    if crop_is_whole_frame(width, height) {
        return vec![(0, 0, width, height)];
    }
    let centre = |len: u32| ((len - CROP) / 2 / 16 * 16).min(len - CROP);
    let mut chosen = vec![(centre(width), centre(height), CROP, CROP)];
    let detail = Detail::of(r);
    let side = (CROP / 16) as usize;
    while chosen.len() < count.max(1) {
        let mut best: Option<(u64, Rect)> = None;
        for by in 0..=detail.rows - side {
            for bx in 0..=detail.cols - side {
                let rect = (bx as u32 * 16, by as u32 * 16, CROP, CROP);
                if chosen.iter().any(|&c| overlaps(c, rect)) {
                    continue;
                }
                let sum = detail.sum(bx, by, side);
                if best.is_none_or(|(b, _)| sum > b) {
                    best = Some((sum, rect));
                }
            }
        }
        match best {
            Some((_, rect)) => chosen.push(rect),
            None => break,
        }
    }
    chosen
}

/// The sizes of the windows `crops` gives for a frame of this size (for the memory budget,
/// before there are pixels): every window is `CROP` square unless the frame is scored whole.
pub fn crop_side(width: u32, height: u32) -> (u32, u32) {
    if crop_is_whole_frame(width, height) {
        (width, height)
    } else {
        (CROP, CROP)
    }
}

fn crop_is_whole_frame(width: u32, height: u32) -> bool {
    (width as u64 * height as u64) <= 2 * (CROP as u64 * CROP as u64)
        || width < CROP
        || height < CROP
}

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// Luma gradient energy per 16 px block (|dx| + |dy| on every other row), as a summed-area
/// table so any block-aligned window's total is four lookups.
struct Detail {
    cols: usize,
    rows: usize,
    /// (cols + 1) x (rows + 1), row-major, zero first row and column.
    sat: Vec<u64>,
}

impl Detail {
    fn of(r: &Raster) -> Detail {
        let (w, h) = (r.width as usize, r.height as usize);
        let (cols, rows) = (w / 16, h / 16);
        let c = r.layout.channels();
        let luma = |x: usize, y: usize| -> i32 {
            let i = (y * w + x) * c;
            let d = &r.data;
            (77 * d[i] as i32 + 150 * d[i + 1] as i32 + 29 * d[i + 2] as i32) >> 8
        };
        let mut block = vec![0u64; cols * rows];
        for y in (0..rows * 16).step_by(2) {
            for x in 0..cols * 16 {
                let l = luma(x, y);
                let dx = if x + 1 < w {
                    (l - luma(x + 1, y)).unsigned_abs()
                } else {
                    0
                };
                let dy = if y + 1 < h {
                    (l - luma(x, y + 1)).unsigned_abs()
                } else {
                    0
                };
                block[(y / 16) * cols + x / 16] += (dx + dy) as u64;
            }
        }
        let mut sat = vec![0u64; (cols + 1) * (rows + 1)];
        for by in 0..rows {
            for bx in 0..cols {
                sat[(by + 1) * (cols + 1) + bx + 1] = block[by * cols + bx]
                    + sat[by * (cols + 1) + bx + 1]
                    + sat[(by + 1) * (cols + 1) + bx]
                    - sat[by * (cols + 1) + bx];
            }
        }
        Detail { cols, rows, sat }
    }

    /// Total of the `side` x `side` blocks from block (bx, by).
    fn sum(&self, bx: usize, by: usize, side: usize) -> u64 {
        let at = |x: usize, y: usize| self.sat[y * (self.cols + 1) + x];
        at(bx + side, by + side) + at(bx, by) - at(bx + side, by) - at(bx, by + side)
    }
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

/// Peak bytes of one check on a `width` x `height` frame: the metric's buffers for the
/// largest crop, plus the crop, its encoded bytes, the encoder's working memory and the decode.
pub fn check_footprint(width: u32, height: u32) -> u64 {
    let (w, h) = crop_side(width, height);
    w as u64 * h as u64 * (FOOTPRINT_PER_PIXEL + 24) + (2 << 20)
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
    fn crops_are_inside_aligned_disjoint_and_deterministic() {
        assert_eq!(crops(&gradient(300, 300, 9), 5), vec![(0, 0, 300, 300)]);
        let frame = gradient(1200, 800, 9);
        let c = crops(&frame, 5);
        assert_eq!(c.len(), 5);
        assert_eq!(c, crops(&frame, 5));
        assert_eq!(c[..3], crops(&frame, 3)[..]);
        for (i, &(x, y, w, h)) in c.iter().enumerate() {
            assert!(x + w <= 1200 && y + h <= 800);
            assert_eq!((x % 16, y % 16, w, h), (0, 0, CROP, CROP));
            assert!(c[..i].iter().all(|&o| !overlaps(o, (x, y, w, h))));
        }
    }

    #[test]
    fn detail_windows_find_the_textured_corner() {
        // flat grey except a noisy 300 px square at the bottom right
        let (w, h) = (1200u32, 800u32);
        let mut s = 1u32;
        let data = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let v = if x >= 880 && y >= 480 {
                    (s >> 24) as u8
                } else {
                    128
                };
                [v, v, v]
            })
            .collect();
        let c = crops(&Raster::new(w, h, Layout::Rgb, data), 2);
        let (x, y, _, _) = c[1];
        assert!(x >= 864 && y >= 464, "{c:?}");
    }
}
