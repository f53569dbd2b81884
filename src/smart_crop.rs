//! `gravity=auto`: where a `fit=cover`/`fit=crop` window goes, chosen from the picture.
//!
//! The plan fixes the window's size; this module only slides it. It scores a small copy of the
//! region (at most `SIDE` px on its long side) with a saliency map and places the window where
//! the map's total inside it is largest: the window holding the most salient *mass*, not the
//! one centred on the single most salient point (anchoring on one point is what Twitter's 2021
//! audit found skewed whom crops kept). No skin-colour term, no face detector.
//!
//! The map, per pixel of the small copy, each term scaled to 0..1 by its maximum, the sum
//! multiplied by a centre prior (`PRIOR_SIGMA`):
//!   0.4 · edge energy (luma gradient, 3x3 box-blurred: texture and outlines),
//!   0.3 · distinctness (distance of the blurred colour from the picture's mean colour,
//!         Achanta et al. 2009, "frequency-tuned salient region detection"),
//!   0.3 · saturation (max - min of R, G, B).
//! Deterministic: plain integer and f64 arithmetic in a fixed order; among equal windows the
//! one nearest the centre wins. docs/QUALITY.md has the evaluation against the centre crop.

use crate::pixels::Raster;

/// Width of the centre prior (a Gaussian, in fractions of the region's sides) the map is
/// multiplied by: photographers put subjects near the middle (Judd et al. 2009 "centre bias").
/// Without it the map chased background texture and kept fewer subjects than the centre crop
/// (docs/QUALITY.md has both runs).
pub const PRIOR_SIGMA: f64 = 0.25;

/// Long side of the copy the map is computed on.
pub const SIDE: u32 = 160;

/// Peak bytes of placing a window: the small copy (RGBA at most) and about nine f64 planes
/// of it (luma, edges, three blurred colour planes and their scratch, the map, the table).
pub fn footprint() -> u64 {
    let px = SIDE as u64 * SIDE as u64;
    px * (4 + 9 * 8)
}

/// The saliency map of `small` (row-major, `width * height`).
pub fn saliency(small: &Raster) -> Vec<f64> {
    let (w, h) = (small.width as usize, small.height as usize);
    let c = small.layout.channels();
    let n = w * h;
    if n == 0 {
        return Vec::new();
    }
    let px = |i: usize| {
        let d = &small.data[i * c..i * c + 3];
        [d[0] as f64, d[1] as f64, d[2] as f64]
    };
    let luma: Vec<f64> = (0..n)
        .map(|i| {
            let [r, g, b] = px(i);
            0.299 * r + 0.587 * g + 0.114 * b
        })
        .collect();
    let mut edge = vec![0.0; n];
    for y in 0..h {
        for x in 0..w {
            let l = |xx: usize, yy: usize| luma[yy * w + xx];
            let dx = l((x + 1).min(w - 1), y) - l(x.saturating_sub(1), y);
            let dy = l(x, (y + 1).min(h - 1)) - l(x, y.saturating_sub(1));
            edge[y * w + x] = dx.abs() + dy.abs();
        }
    }
    let edge = blur(&edge, w, h);
    let sat: Vec<f64> = (0..n)
        .map(|i| {
            let p = px(i);
            p.iter().copied().fold(0.0, f64::max) - p.iter().copied().fold(255.0, f64::min)
        })
        .collect();
    let mut planes: [Vec<f64>; 3] = Default::default();
    let mut mean = [0.0; 3];
    for (k, plane) in planes.iter_mut().enumerate() {
        let raw: Vec<f64> = (0..n).map(|i| px(i)[k]).collect();
        mean[k] = raw.iter().sum::<f64>() / n as f64;
        *plane = blur(&blur(&raw, w, h), w, h);
    }
    let distinct: Vec<f64> = (0..n)
        .map(|i| {
            (0..3)
                .map(|k| (planes[k][i] - mean[k]).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    let top = |v: &[f64]| {
        let m = v.iter().copied().fold(0.0, f64::max);
        if m > 0.0 {
            1.0 / m
        } else {
            0.0
        }
    };
    let (e, d, s) = (top(&edge), top(&distinct), top(&sat));
    (0..n)
        .map(|i| {
            let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
            let (dx, dy) = (x / w as f64 - 0.5, y / h as f64 - 0.5);
            let prior = (-(dx * dx + dy * dy) / (2.0 * PRIOR_SIGMA * PRIOR_SIGMA)).exp();
            (0.4 * e * edge[i] + 0.3 * d * distinct[i] + 0.3 * s * sat[i]) * prior
        })
        .collect()
}

/// 3x3 box blur with clamped edges.
fn blur(v: &[f64], w: usize, h: usize) -> Vec<f64> {
    let mut out = vec![0.0; v.len()];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for yy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for xx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    s += v[yy * w + xx];
                }
            }
            let count = ((y + 1).min(h - 1) - y.saturating_sub(1) + 1)
                * ((x + 1).min(w - 1) - x.saturating_sub(1) + 1);
            out[y * w + x] = s / count as f64;
        }
    }
    out
}

/// Where a `win_w` x `win_h` window (as fractions 0..=1 of the map's width and height) holds
/// the most of `map`: its top-left corner, as fractions of the map's size.
pub fn place(map: &[f64], w: u32, h: u32, win_w: f64, win_h: f64) -> (f64, f64) {
    let (w, h) = (w as usize, h as usize);
    if w == 0 || h == 0 || map.len() != w * h {
        return ((1.0 - win_w) / 2.0, (1.0 - win_h) / 2.0);
    }
    // summed-area table, (w + 1) x (h + 1)
    let mut sat = vec![0.0; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0.0;
        for x in 0..w {
            row += map[y * w + x];
            sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
        }
    }
    let sum = |x0: usize, y0: usize, x1: usize, y1: usize| {
        sat[y1 * (w + 1) + x1] - sat[y0 * (w + 1) + x1] - sat[y1 * (w + 1) + x0]
            + sat[y0 * (w + 1) + x0]
    };
    let ww = ((win_w * w as f64).round() as usize).clamp(1, w);
    let wh = ((win_h * h as f64).round() as usize).clamp(1, h);
    let (cx, cy) = ((w - ww) as f64 / 2.0, (h - wh) as f64 / 2.0);
    let mut best = (f64::NEG_INFINITY, f64::INFINITY, 0usize, 0usize);
    for y in 0..=h - wh {
        for x in 0..=w - ww {
            let s = sum(x, y, x + ww, y + wh);
            let off = (x as f64 - cx).abs() + (y as f64 - cy).abs();
            // a clearly larger sum wins; within rounding noise, the window nearer the centre
            let better = s > best.0 + 1e-9 || ((s - best.0).abs() <= 1e-9 && off < best.1);
            if better {
                best = (s, off, x, y);
            }
        }
    }
    let fx = if w > ww {
        best.2 as f64 / w as f64
    } else {
        0.0
    };
    let fy = if h > wh {
        best.3 as f64 / h as f64
    } else {
        0.0
    };
    // the window may be a fraction of a map pixel wider than `ww`: keep it inside
    (fx.min(1.0 - win_w).max(0.0), fy.min(1.0 - win_h).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::Layout;

    #[test]
    fn the_window_moves_to_the_only_detail_and_stays_centred_on_a_flat_picture() {
        let (w, h) = (120u32, 60u32);
        let mut data = vec![128u8; (w * h * 3) as usize];
        // a saturated checkerboard patch in the right quarter
        for y in 20..40 {
            for x in 95..115 {
                let i = ((y * w + x) * 3) as usize;
                let on = (x / 3 + y / 3) % 2 == 0;
                data[i..i + 3].copy_from_slice(if on { &[250, 20, 20] } else { &[20, 20, 250] });
            }
        }
        let r = Raster::new(w, h, Layout::Rgb, data);
        let map = saliency(&r);
        let (x, y) = place(&map, w, h, 0.5, 1.0);
        assert_eq!(y, 0.0);
        assert!(x >= 0.45, "window at {x}");
        let flat = Raster::new(w, h, Layout::Rgb, vec![90; (w * h * 3) as usize]);
        let (x, _) = place(&saliency(&flat), w, h, 0.5, 1.0);
        assert!((x - 0.25).abs() < 0.01, "{x}");
    }
}
