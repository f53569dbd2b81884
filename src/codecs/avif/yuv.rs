//! Y'CbCr planes to 8-bit R'G'B' (ITU-T H.273 matrices, limited or full range, 8 to 12 bits).
//! Chroma is upsampled with the triangle filter (3/4 nearer sample, 1/4 farther one) that
//! libjpeg and libavif use for centred chroma.

use super::av1::{Frame, Plane, Subsampling};

/// (Kr, Kb) of the H.273 matrix code point; unspecified and unknown use BT.601, as libavif does.
fn coefficients(matrix: u16) -> (f32, f32) {
    match matrix {
        1 => (0.2126, 0.0722),      // BT.709
        4 => (0.30, 0.11),          // FCC
        7 => (0.212, 0.087),        // SMPTE 240M
        9 | 10 => (0.2627, 0.0593), // BT.2020
        _ => (0.299, 0.114),        // BT.601 (5, 6) and unspecified (2)
    }
}

fn sample(p: &Plane, x: usize, y: usize) -> f32 {
    match p {
        Plane::U8(s, stride) => s[y * stride + x] as f32,
        Plane::U16(s, stride) => s[y * stride + x] as f32,
    }
}

/// One row of a chroma plane, upsampled to the frame's width, for output row `y`.
fn chroma_row(p: &Plane, f: &Frame, y: usize, out: &mut [f32]) {
    let (sx, sy) = f.subsampling.shift();
    let cw = ((f.width + (1 << sx) - 1) >> sx) as usize;
    let ch = ((f.height + (1 << sy) - 1) >> sy) as usize;
    let row = |cy: usize, x: usize| sample(p, x.min(cw - 1), cy.min(ch - 1));
    // vertical: the nearer chroma row weighs 3/4
    let (c0, c1) = if sy == 0 {
        (y, y)
    } else {
        let c0 = y >> 1;
        let c1 = if y & 1 == 1 {
            c0 + 1
        } else {
            c0.saturating_sub(1)
        };
        (c0, c1.min(ch - 1))
    };
    let vert = |x: usize| {
        if sy == 0 {
            row(c0, x)
        } else {
            0.75 * row(c0, x) + 0.25 * row(c1, x)
        }
    };
    if sx == 0 {
        for (x, o) in out.iter_mut().enumerate() {
            *o = vert(x);
        }
        return;
    }
    let mut prev = vert(0);
    let mut cur = prev;
    for cx in 0..cw {
        let next = vert((cx + 1).min(cw - 1));
        let x = cx * 2;
        if x < out.len() {
            out[x] = 0.75 * cur + 0.25 * prev;
        }
        if x + 1 < out.len() {
            out[x + 1] = 0.75 * cur + 0.25 * next;
        }
        prev = cur;
        cur = next;
    }
}

/// Range expansion for `depth` bits: (offset, scale) for luma and scale for chroma.
fn range(depth: u8, full: bool) -> (f32, f32, f32) {
    let max = ((1u32 << depth) - 1) as f32;
    if full {
        (0.0, 255.0 / max, 255.0 / max)
    } else {
        let k = (1u32 << (depth - 8)) as f32;
        (16.0 * k, 255.0 / (219.0 * k), 255.0 / (224.0 * k))
    }
}

fn clamp8(v: f32) -> u8 {
    (v + 0.5).clamp(0.0, 255.0) as u8
}

/// Writes RGB (or RGB plus a skipped alpha byte when `channels` is 4) into `out`.
pub fn to_rgb(f: &Frame, matrix: u16, full_range: bool, out: &mut [u8], channels: usize) {
    let (w, h) = (f.width as usize, f.height as usize);
    let (yoff, ys, cs) = range(f.depth, full_range);
    let half = (1u32 << (f.depth - 1)) as f32;
    let (kr, kb) = coefficients(matrix);
    let kg = 1.0 - kr - kb;
    let (rv, gu, gv, bu) = (
        2.0 * (1.0 - kr),
        -2.0 * kb * (1.0 - kb) / kg,
        -2.0 * kr * (1.0 - kr) / kg,
        2.0 * (1.0 - kb),
    );
    let Some(yp) = f.plane(0) else { return };
    let (up, vp) = (f.plane(1), f.plane(2));
    let mut u = vec![0f32; w];
    let mut v = vec![0f32; w];
    for y in 0..h {
        let row = &mut out[y * w * channels..][..w * channels];
        match (&up, &vp) {
            (Some(up), Some(vp)) if f.subsampling != Subsampling::Monochrome => {
                chroma_row(up, f, y, &mut u);
                chroma_row(vp, f, y, &mut v);
                for x in 0..w {
                    let l = sample(&yp, x, y);
                    let px = &mut row[x * channels..][..3];
                    if matrix == 0 {
                        // identity: the planes are G, B, R
                        px[0] = clamp8((v[x] - yoff) * ys);
                        px[1] = clamp8((l - yoff) * ys);
                        px[2] = clamp8((u[x] - yoff) * ys);
                        continue;
                    }
                    let l = (l - yoff) * ys;
                    let (cb, cr) = ((u[x] - half) * cs, (v[x] - half) * cs);
                    px[0] = clamp8(l + rv * cr);
                    px[1] = clamp8(l + gu * cb + gv * cr);
                    px[2] = clamp8(l + bu * cb);
                }
            }
            _ => {
                for x in 0..w {
                    let g = clamp8((sample(&yp, x, y) - yoff) * ys);
                    row[x * channels..][..3].fill(g);
                }
            }
        }
    }
}

/// Fills every fourth byte of `out` with the alpha frame's luma, range-expanded.
pub fn alpha_into(a: &Frame, full_range: bool, out: &mut [u8]) {
    let (w, h) = (a.width as usize, a.height as usize);
    let (off, s, _) = range(a.depth, full_range);
    let Some(p) = a.plane(0) else { return };
    for y in 0..h {
        for x in 0..w {
            out[(y * w + x) * 4 + 3] = clamp8((sample(&p, x, y) - off) * s);
        }
    }
}
