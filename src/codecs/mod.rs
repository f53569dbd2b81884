//! One module per format: decode (with shrink-on-load where the format allows) and encode.
//! Decoders return 8-bit RGB/RGBA in the stored orientation plus the colour information the
//! pipeline needs; encoders take a finished frame.

pub mod anim;
pub mod avif;
pub mod gif;
pub mod jpeg;
pub mod output;
pub mod png;
pub mod webp;

use crate::error::Result;
use crate::format::ImageFormat;
use crate::heap::{Block, Heap};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};
use crate::probe::Probe;

/// Colour information that travels with a decoded frame.
#[derive(Debug, Default)]
pub struct ColorInfo {
    pub icc: Option<Vec<u8>>,
    /// PNG gAMA when no iCCP/sRGB chunk overrides it.
    pub png_gamma: Option<f32>,
}

pub struct Decoded {
    pub raster: Raster,
    pub color: ColorInfo,
}

/// Decode the first frame. `min_size` is the smallest stored-space size the plan needs; JPEG
/// uses it to pick a scaled IDCT (shrink-on-load).
pub fn decode(
    bytes: &[u8],
    probe: &Probe,
    min_size: (u32, u32),
    limits: &Limits,
) -> Result<Decoded> {
    match probe.format {
        ImageFormat::Jpeg => jpeg::decode(bytes, probe, min_size, limits),
        ImageFormat::Png => png::decode(bytes, limits),
        ImageFormat::Gif => gif::decode(bytes, limits),
        ImageFormat::Webp => webp::decode(bytes, limits),
        ImageFormat::Avif => avif::decode(bytes, limits),
        // the plan serves SVG sanitised and never asks for its pixels
        ImageFormat::Svg => Err(crate::Error::internal("an SVG reached a raster decoder")),
    }
}

/// Bytes a decoded frame of w x h with `channels` needs, checked against the limit.
pub(crate) fn check_decoded_size(w: u32, h: u32, channels: usize, limits: &Limits) -> Result<()> {
    let bytes = w as u64 * h as u64 * channels as u64;
    if bytes > limits.max_decoded_bytes as u64 {
        return Err(crate::Error::new(
            crate::ErrorCode::TooManyPixels,
            format!(
                "decoding {w}x{h} needs {} MB, above the {} MB budget of one transform",
                bytes >> 20,
                limits.max_decoded_bytes >> 20
            ),
        ));
    }
    Ok(())
}

/// Size of the frame `decode` returns when the plan asks for at least `min_size`.
pub fn decoded_size(probe: &Probe, min_size: (u32, u32)) -> (u32, u32) {
    match probe.format {
        ImageFormat::Jpeg => jpeg::decoded_size(probe, min_size),
        _ => (probe.width, probe.height),
    }
}

/// Layout of the frame `decode` returns.
pub fn decoded_layout(probe: &Probe) -> Layout {
    match probe.format {
        ImageFormat::Jpeg => Layout::Rgb,
        ImageFormat::Gif => Layout::Rgba,
        _ if probe.has_alpha => Layout::Rgba,
        _ => Layout::Rgb,
    }
}

/// Replays on the allocator model what a decode to `size` allocates and frees, in order
/// (see `crate::budget`), and returns the decoded frame's block.
pub fn decode_footprint(heap: &mut Heap, probe: &Probe, size: (u32, u32)) -> Block {
    match probe.format {
        ImageFormat::Jpeg => jpeg::decode_footprint(heap, probe, size),
        ImageFormat::Png => png::decode_footprint(heap, probe),
        ImageFormat::Gif => gif::decode_footprint(heap, probe),
        ImageFormat::Webp => webp::decode_footprint(heap, probe),
        ImageFormat::Avif if avif::ENCODES => avif::decode_footprint(heap, probe),
        // no decoder: refused before anything is allocated
        ImageFormat::Avif | ImageFormat::Svg => heap.alloc(0),
    }
}
