//! Crop and resize in one convolution pass (fast_image_resize: Lanczos3, SIMD on x86 and
//! wasm simd128, alpha premultiplied internally so transparent edges do not darken).

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
    let pixel_type = match src.layout {
        Layout::Rgb => PixelType::U8x3,
        Layout::Rgba => PixelType::U8x4,
    };
    let src_view =
        ImageRef::new(src.width, src.height, &src.data, pixel_type).map_err(Error::internal)?;
    let mut dst = Image::new(dst_w, dst_h, pixel_type);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(crop[0], crop[1], crop[2], crop[3]);
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
