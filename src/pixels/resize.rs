//! Crop and resize in one convolution pass (fast_image_resize: Lanczos3, SIMD on x86 and
//! wasm simd128). Translucent frames are resized premultiplied at 16 bits per sample
//! (`translucent`), so transparent edges do not darken and faint colour under low alpha
//! keeps its precision.

use super::{Layout, Raster};
use crate::error::{Error, Result};
use fast_image_resize::{
    images::Image, images::ImageRef, images::TypedImage, images::TypedImageRef, pixels::U16x4,
    FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
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

/// Source rows premultiplied and filtered horizontally at a time on the 16-bit path: as many
/// as fit in 4 MiB (at least 16), as fast_image_resize recomputes the horizontal weights for
/// every band (64-row bands spent 60 M instructions on them for Gulp.png's 1200 rows).
/// `budget::resize_footprint` counts the band.
pub(crate) fn band_rows(width: u32) -> usize {
    ((4usize << 20) / (width as usize * 8).max(1)).max(16)
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
/// the product `c * a` is kept exact in 16 bits (alpha scaled by 255 to match), resized by
/// fast_image_resize's 16-bit convolution, and divided once at the end.
///
/// The horizontal pass runs over bands of source rows into a crop-width x source-height
/// intermediate, so no 16-bit copy of the whole source is held (it would be twice the frame).
mod translucent {
    use super::*;

    pub fn crop_resize(src: &Raster, crop: [f64; 4], dst_w: u32, dst_h: u32) -> Result<Raster> {
        let (w, h) = (src.width as usize, src.height as usize);
        // The rows the vertical filter reads: Lanczos3 reaches 3 source pixels each side,
        // stretched by the reduction when shrinking; two more for rounding.
        let reach = 3.0 * (crop[3] / dst_h.max(1) as f64).max(1.0) + 2.0;
        let first = (crop[1] - reach).floor().max(0.0) as usize;
        let end = ((crop[1] + crop[3] + reach).ceil().max(0.0) as usize).min(h);
        if first >= end || w == 0 || dst_w == 0 || dst_h == 0 {
            return Err(Error::internal("resize: empty crop"));
        }
        let rows = end - first;

        let mut resizer = Resizer::new();
        let mut mid = vec![U16x4::default(); dst_w as usize * rows];
        let band_rows = band_rows(src.width).min(rows);
        let mut band = vec![U16x4::default(); w * band_rows];
        let mut y = first;
        while y < end {
            let n = band_rows.min(end - y);
            for (px, s) in band
                .iter_mut()
                .zip(src.data[y * w * 4..(y + n) * w * 4].chunks_exact(4))
            {
                *px = premultiply(s);
            }
            let band_view =
                TypedImageRef::new(src.width, n as u32, &band[..w * n]).map_err(Error::internal)?;
            let off = (y - first) * dst_w as usize;
            let mut out = TypedImage::from_pixels_slice(
                dst_w,
                n as u32,
                &mut mid[off..off + dst_w as usize * n],
            )
            .map_err(Error::internal)?;
            let options = lanczos3()
                .crop(crop[0], 0.0, crop[2], n as f64)
                .use_alpha(false);
            resizer
                .resize_typed(&band_view, &mut out, &options)
                .map_err(Error::internal)?;
            y += n;
        }
        drop(band);

        let mid_view = TypedImageRef::new(dst_w, rows as u32, &mid).map_err(Error::internal)?;
        let mut dst = TypedImage::<U16x4>::new(dst_w, dst_h);
        let options = lanczos3()
            .crop(0.0, crop[1] - first as f64, dst_w as f64, crop[3])
            .use_alpha(false);
        resizer
            .resize_typed(&mid_view, &mut dst, &options)
            .map_err(Error::internal)?;
        drop(mid);

        let mut data = Vec::with_capacity(dst_w as usize * dst_h as usize * 4);
        for px in dst.pixels() {
            data.extend_from_slice(&unpremultiply(px.0));
        }
        Ok(Raster::new(dst_w, dst_h, Layout::Rgba, data))
    }

    /// `[r*a, g*a, b*a, a*255]`: exact, at most 65025.
    #[inline]
    fn premultiply(s: &[u8]) -> U16x4 {
        let a = s[3] as u16;
        U16x4::new([s[0] as u16 * a, s[1] as u16 * a, s[2] as u16 * a, a * 255])
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
