//! Crop and resize in one convolution pass (fast_image_resize: Lanczos3, SIMD on x86 and
//! wasm simd128). Translucent frames are resized premultiplied at 16 bits per sample
//! (`translucent`), so transparent edges do not darken and faint colour under low alpha
//! keeps its precision.

use super::{Layout, Raster};
use crate::error::{Error, Result};
use fast_image_resize::{
    images::Image, images::ImageRef, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
};

/// Resize the `crop` rectangle (x, y, w, h in source pixels, fractional allowed) of `src`
/// to `dst_w` x `dst_h`. Takes the frame by value so that a no-op (re-encode or metadata
/// stripping at the original size) hands it on instead of copying it.
pub fn crop_resize(src: Raster, crop: [f64; 4], dst_w: u32, dst_h: u32) -> Result<Raster> {
    let full = crop == [0.0, 0.0, src.width as f64, src.height as f64];
    if full && (dst_w, dst_h) == (src.width, src.height) {
        return Ok(src);
    }
    crop_resize_ref(&src, crop, dst_w, dst_h)
}

/// [`crop_resize`] from a borrowed frame, for a copy made beside it (the smart crop's map).
pub fn crop_resize_ref(src: &Raster, crop: [f64; 4], dst_w: u32, dst_h: u32) -> Result<Raster> {
    if has_partial_alpha(src) {
        return translucent::crop_resize(src, crop, dst_w, dst_h);
    }
    // Opaque or fully transparent pixels premultiply exactly in 8 bits (alpha 255 or 0), so
    // fast_image_resize's own 8-bit premultiplication loses nothing there.
    let pixel_type = match src.layout {
        Layout::Rgb => PixelType::U8x3,
        Layout::Rgba => PixelType::U8x4,
    };
    let src_view =
        ImageRef::new(src.width, src.height, &src.data, pixel_type).map_err(Error::internal)?;
    let mut dst = Image::new(dst_w, dst_h, pixel_type);
    let options = lanczos3().crop(crop[0], crop[1], crop[2], crop[3]);
    // A fresh Resizer per call, not a kept one: its retained convolution buffers stay
    // allocated in the middle of the wasm heap between requests and split the holes the next
    // decode needs, so linear memory grew on the 2nd request and never came back
    // (scripts/bench.sh, steady state: W1 52.8 -> 39.9 MiB, W6 54.8 -> 37.6 MiB, W4 22.4 -> 15.8
    // MiB; time unchanged within noise).
    Resizer::new()
        .resize(&src_view, &mut dst, &options)
        .map_err(Error::internal)?;
    Ok(Raster::new(dst_w, dst_h, src.layout, dst.into_vec()))
}

fn lanczos3() -> ResizeOptions {
    ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
}

/// Some alpha strictly between 0 and 255: the case 8-bit premultiplication rounds.
fn has_partial_alpha(src: &Raster) -> bool {
    src.layout == Layout::Rgba && src.data.chunks_exact(4).any(|p| p[3].wrapping_sub(1) < 254)
}

/// Resizing premultiplied colour held in 8 bits rounds `c * a / 255` to an integer before the
/// filter and again between its two passes: under alpha 1-3 that leaves 2-4 levels of colour,
/// and photos/Gulp.png (mostly alpha 1-3) -> 800 px scored SSIM 0.9958 against ImageMagick's
/// float Lanczos3 of the frame flattened on white, where a float resize scores 0.9978. Here
/// the product `c * a` is kept exact in 16 bits (alpha scaled by 255 to match), filtered with
/// 14-bit weights into i32 sums, held at 16 bits between the passes, and divided once.
///
/// Own loops rather than fast_image_resize's U16x4 convolution: that one sums in i64 lanes,
/// emulated in wasm simd128, and made W5 PNG's resize several times slower in wasm. Here
/// every product fits i32 (65025 x the positive weights' sum, under 1.3 x 2^14), four
/// channels to a vector. The horizontal pass runs row by row into a crop-width intermediate
/// over the rows the vertical pass reads, so no 16-bit copy of the whole source is held.
mod translucent {
    use super::*;

    const BITS: u32 = 14;

    /// One output sample's taps: first source index and fixed-point weights summing to 2^14.
    struct Taps {
        first: usize,
        weights: Vec<i32>,
    }

    fn lanczos3(x: f64) -> f64 {
        fn sinc(x: f64) -> f64 {
            if x == 0.0 {
                1.0
            } else {
                let p = std::f64::consts::PI * x;
                p.sin() / p
            }
        }
        if x.abs() < 3.0 {
            sinc(x) * sinc(x / 3.0)
        } else {
            0.0
        }
    }

    /// Lanczos3 over `[start, start + len)` of a line of `n` samples into `out` samples: the
    /// kernel stretched by the reduction when shrinking, weights renormalised where the
    /// support leaves the line (as fast_image_resize and ImageMagick do).
    fn taps(n: usize, start: f64, len: f64, out: u32) -> Vec<Taps> {
        let scale = len / out as f64;
        let stretch = scale.max(1.0);
        let support = 3.0 * stretch;
        (0..out)
            .map(|i| {
                let centre = start + (i as f64 + 0.5) * scale;
                let lo = ((centre - support).floor().max(0.0) as usize).min(n - 1);
                let hi = ((centre + support).ceil().max(0.0) as usize).min(n);
                let hi = hi.max(lo + 1);
                let f: Vec<f64> = (lo..hi)
                    .map(|j| lanczos3((j as f64 + 0.5 - centre) / stretch))
                    .collect();
                let sum: f64 = f.iter().sum();
                let sum = if sum.abs() < 1e-9 { 1.0 } else { sum };
                let mut weights: Vec<i32> = f
                    .iter()
                    .map(|v| (v / sum * (1 << BITS) as f64).round() as i32)
                    .collect();
                // rounding may leave the sum off by a few: the largest weight takes it up
                let err = (1 << BITS) - weights.iter().sum::<i32>();
                if let Some(m) = (0..weights.len()).max_by_key(|&k| weights[k]) {
                    weights[m] += err;
                }
                Taps { first: lo, weights }
            })
            .collect()
    }

    #[inline(always)]
    fn to_u16(v: i32) -> u16 {
        ((v + (1 << (BITS - 1))) >> BITS).clamp(0, 65535) as u16
    }

    pub fn crop_resize(src: &Raster, crop: [f64; 4], dst_w: u32, dst_h: u32) -> Result<Raster> {
        let (w, h) = (src.width as usize, src.height as usize);
        if w == 0 || h == 0 || dst_w == 0 || dst_h == 0 {
            return Err(Error::internal("resize: empty frame"));
        }
        // The output first, then the temporaries above it: the order `steps::frame`'s
        // `resize_footprint` replays, so the holes they leave are the ones the estimate expects
        // (allocated last, the output sat above them and the wasm32 sweep measured one page
        // more than estimated).
        let dw = dst_w as usize;
        let mut data = Vec::with_capacity(dw * dst_h as usize * 4);
        let xs = taps(w, crop[0], crop[2], dst_w);
        let ys = taps(h, crop[1], crop[3], dst_h);
        let first = ys.first().map_or(0, |t| t.first);
        let end = ys
            .iter()
            .map(|t| t.first + t.weights.len())
            .max()
            .unwrap_or(0);

        // horizontal: each needed source row premultiplied once, then filtered
        let mut row = vec![[0i32; 4]; w];
        let mut mid = vec![[0u16; 4]; dw * (end - first)];
        for y in first..end {
            for (p, s) in row
                .iter_mut()
                .zip(src.data[y * w * 4..(y + 1) * w * 4].chunks_exact(4))
            {
                let a = s[3] as i32;
                *p = [s[0] as i32 * a, s[1] as i32 * a, s[2] as i32 * a, a * 255];
            }
            let out = &mut mid[(y - first) * dw..(y - first + 1) * dw];
            for (o, t) in out.iter_mut().zip(&xs) {
                let mut acc = [0i32; 4];
                for (p, &k) in row[t.first..t.first + t.weights.len()]
                    .iter()
                    .zip(&t.weights)
                {
                    for c in 0..4 {
                        acc[c] = acc[c].wrapping_add(p[c].wrapping_mul(k));
                    }
                }
                *o = acc.map(to_u16);
            }
        }
        drop(row);

        // vertical: whole rows of sums, one source row at a time
        let mut acc = vec![[0i32; 4]; dw];
        for t in &ys {
            acc.fill([0; 4]);
            for (j, &k) in t.weights.iter().enumerate() {
                let at = (t.first + j - first) * dw;
                for (a, m) in acc.iter_mut().zip(&mid[at..at + dw]) {
                    for c in 0..4 {
                        a[c] = a[c].wrapping_add((m[c] as i32).wrapping_mul(k));
                    }
                }
            }
            for a in &acc {
                data.extend_from_slice(&unpremultiply(a.map(to_u16)));
            }
        }
        Ok(Raster::new(dst_w, dst_h, Layout::Rgba, data))
    }

    /// Back to 8-bit straight alpha. Filter overshoot may leave colour above its alpha; it is
    /// clamped to white.
    ///
    /// Below half opacity one step of stored colour moves the composite by less than half a
    /// level, so colour kept finer than that is noise to the PNG/WebP compressor (Gulp -> 800
    /// PNG: 1,151,953 B with the exact quotient, 353,856 B without, the 8-bit path's 348,037 B).
    /// There the premultiplied colour is rounded to whole levels and stored as the smallest
    /// colour that composites back to that level: `ceil(level * 255 / alpha)` puts `c * a / 255`
    /// in [level, level + 1/2), so a rounding and a truncating blend (libvips' integer
    /// flatten) both land on it.
    #[inline]
    fn unpremultiply(p: [u16; 4]) -> [u8; 4] {
        let a = p[3].min(65025) as u32;
        let alpha = (a + 127) / 255;
        if alpha == 0 {
            return [0; 4];
        }
        let c = |v: u16| {
            let v = v as u32;
            if alpha < 128 {
                let level = (v + 127) / 255;
                (level * 255).div_ceil(alpha).min(255) as u8
            } else {
                ((v * 255 + a / 2) / a).min(255) as u8
            }
        };
        [c(p[0]), c(p[1]), c(p[2]), alpha as u8]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame of one colour under one alpha stays that colour and alpha through the 16-bit
    /// path (flat input, weights summing to one), at every alpha that takes it.
    #[test]
    fn flat_translucent_frame_keeps_colour_and_alpha() {
        for a in [1u8, 2, 3, 17, 128, 254] {
            let px = [200u8, 37, 90, a];
            let src = Raster::new(50, 30, Layout::Rgba, px.repeat(50 * 30));
            assert!(has_partial_alpha(&src));
            let out = crop_resize_ref(&src, [3.5, 2.0, 40.0, 25.0], 17, 11).unwrap();
            assert_eq!((out.width, out.height, out.layout), (17, 11, Layout::Rgba));
            for p in out.data.chunks_exact(4) {
                assert_eq!(p[3], a, "alpha {a}");
                // colour is p / a: exact for a flat frame up to the filter's rounding
                for (c, want) in p[..3].iter().zip(&px[..3]) {
                    assert!(
                        c.abs_diff(*want) <= 255 / a.max(1) / 2 + 1,
                        "alpha {a}: {p:?}"
                    );
                }
            }
        }
    }

    /// Transparent pixels' colour does not bleed into opaque ones (premultiplied filtering):
    /// a red opaque half beside a transparent green half keeps no green.
    #[test]
    fn transparent_colour_does_not_bleed() {
        let (w, h) = (64u32, 16u32);
        let mut data = Vec::new();
        for _ in 0..h {
            for x in 0..w {
                data.extend_from_slice(if x < w / 2 {
                    &[255, 0, 0, 255]
                } else {
                    &[0, 255, 0, 0]
                });
            }
        }
        // one half-transparent pixel sends the frame down the 16-bit path
        data[3] = 128;
        let src = Raster::new(w, h, Layout::Rgba, data);
        let out = crop_resize_ref(&src, [0.0, 0.0, w as f64, h as f64], 16, 4).unwrap();
        for p in out.data.chunks_exact(4).filter(|p| p[3] > 8) {
            assert!(p[1] <= 2, "green bled into {p:?}");
        }
    }
}
