//! JPEG: a decoder built for downscaling (shrink-on-load) and the encoder.
//!
//! The decoder works one MCU row at a time with a scaled IDCT (1/1, 1/2, 1/4, 1/8), skips the
//! coefficients its scale never reads, and decodes progressive files row by row across all
//! scans at once, so no full-image coefficient plane is ever held. Frames it does not cover
//! (lossless, 12-bit, arithmetic coding, odd layouts) go to jpeg-decoder (`fallback.rs`).

mod bits;
mod convert;
mod decoder;
mod fallback;
mod huffman;
mod idct;
#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
))]
mod idct_lanes;
mod layout;
mod markers;
mod output;
mod progressive;
mod sequential;
mod upsample;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm_simd;
#[cfg(target_arch = "x86_64")]
mod x86_simd;

use super::output::OutputBuf;
use super::{ColorInfo, Decoded};
use crate::error::{Error, ErrorCode, Result};
use crate::heap::{Block, FrameShape, Heap};
use crate::limits::Limits;
use crate::pixels::{color, Layout, Raster};
use crate::probe::Probe;
use convert::ColorSpace;
use decoder::Outcome;
use markers::Coding;

/// Decodes at the smallest of 1/8, 1/4, 1/2 and 1 whose output still covers `min_size`.
pub fn decode(
    bytes: &[u8],
    probe: &Probe,
    min_size: (u32, u32),
    limits: &Limits,
) -> Result<Decoded> {
    let denom = scale_denominator(probe, min_size);
    if fast_path_supports(probe) {
        match decoder::decode(bytes, denom, limits)? {
            Outcome::Decoded(img) => return into_decoded(img),
            // The probe and this parser read the same first SOF, so this only happens for
            // files whose headers the two read differently; jpeg-decoder decides then.
            Outcome::Unsupported => {}
        }
    }
    fallback::decode(bytes, probe, denom, limits)
}

fn into_decoded(img: decoder::Image) -> Result<Decoded> {
    let decoder::Image {
        width,
        height,
        space,
        pixels,
        icc,
    } = img;
    Ok(match space {
        // the CMYK profile is consumed here; what leaves is sRGB
        ColorSpace::Cmyk | ColorSpace::Ycck => Decoded {
            raster: color::cmyk_to_rgb(&pixels, width, height, icc.as_deref())?,
            color: ColorInfo::default(),
        },
        _ => Decoded {
            raster: Raster::new(width, height, Layout::Rgb, pixels),
            color: ColorInfo {
                icc,
                png_gamma: None,
            },
        },
    })
}

/// The scale denominator (1, 2, 4 or 8) `decode` uses for `min_size`: the smallest scaled
/// IDCT whose output is at least `min_size` on both axes. Only frames whose longer side is at
/// least 8 px are scaled (below that a scale would not change the size), and never lossless
/// ones, which have no IDCT.
pub fn scale_denominator(probe: &Probe, min_size: (u32, u32)) -> u32 {
    let (w, h) = (probe.width, probe.height);
    if w.max(h) < 8 || w > u16::MAX as u32 || h > u16::MAX as u32 {
        return 1;
    }
    if probe.jpeg.is_some_and(|j| j.lossless) {
        return 1;
    }
    [8, 4, 2]
        .into_iter()
        .find(|&d| w.div_ceil(d) >= min_size.0 && h.div_ceil(d) >= min_size.1)
        .unwrap_or(1)
}

/// The frame size a decode asked for at least `min_size` returns.
pub fn decoded_size(probe: &Probe, min_size: (u32, u32)) -> (u32, u32) {
    let d = scale_denominator(probe, min_size);
    (probe.width.div_ceil(d), probe.height.div_ceil(d))
}

/// What a decode to `size` (from `decoded_size`) allocates, in order, on the allocator model
/// (`crate::budget`); returns the decoded frame's block. The fast path holds the parser's
/// tables and ICC chunks, then the output frame, then its working set (component row rings,
/// upsampling rows, Huffman tables, and for multi-scan frames one MCU row of coefficient
/// corners): all of it proportional to the output's width, never to the image's area, which is
/// what lets a large progressive file decode at 1/8 in a few MB. CMYK and YCCK frames are then
/// converted to a second, RGB frame through the profile's tables.
pub fn decode_footprint(heap: &mut Heap, probe: &Probe, size: (u32, u32)) -> Block {
    let denom = scale_denominator(probe, size);
    let Some(j) = probe.jpeg else {
        return heap.alloc(0);
    };
    if !fast_path_supports(probe) {
        return fallback::decode_footprint(heap, probe, size);
    }
    let n = (j.components as usize).min(4);
    let Some(layout) = layout::Layout::new(probe.width, probe.height, &j.sampling[..n], denom)
    else {
        return fallback::decode_footprint(heap, probe, size);
    };
    let channels = if n == 4 { 4 } else { 3 };
    let px = layout.out_w as u64 * layout.out_h as u64;
    // A sequential frame may still carry one scan per component; only the SOS tells, so
    // count the multi-scan working set for every frame (one MCU row: small).
    let work = decoder::working_bytes(&layout, true);
    // The decoder checks its own sum of these (`decoder::peak_bytes`) against the limit the
    // pipeline derives from this model, so the model holds them all at once too: the
    // profile (assembled from the chunks the parser only borrows, while the row buffers are
    // still alive) stays with the frame, except for CMYK, converted here.
    let parser = heap.alloc(decoder::PARSER_BYTES);
    let mut frame = heap.alloc(px * channels as u64);
    let icc = heap.alloc(probe.icc_bytes);
    heap.transient(work);
    heap.free(parser);
    if n == 4 {
        heap.transient(crate::pixels::color::working_bytes(probe));
        let rgb = heap.alloc(px * 3);
        heap.free(frame);
        heap.free(icc);
        frame = rgb;
    }
    frame
}

/// Whether the fast path decodes this file, from the probe's header facts.
fn fast_path_supports(probe: &Probe) -> bool {
    let Some(j) = probe.jpeg else {
        return false;
    };
    let coding = match j.sof_marker {
        0xC0 | 0xC1 => Coding::Sequential,
        0xC2 => Coding::Progressive,
        _ => Coding::Other,
    };
    let n = j.components as usize;
    if n > 4 {
        return false;
    }
    decoder::frame_supported(
        coding,
        probe.bit_depth,
        &j.sampling[..n],
        probe.width,
        probe.height,
    )
    .is_ok()
}

/// The most bytes a JPEG of this frame may take: two bytes a pixel is past what q100 gives on
/// photographs (about one), so only pathological noise meets the ceiling, and gets a 413.
pub fn output_allowance(frame: FrameShape, metadata: u64) -> u64 {
    frame.pixels() * 2 + metadata + (64 << 10)
}

/// What an encode allocates: the flattened copy of an RGBA frame; then jpeg-encoder, for
/// progressive output or optimised Huffman tables, converts the whole frame to one byte per
/// sample per component (padded to whole MCUs) and keeps every quantised block (its buffers
/// are sized for full-resolution components even when chroma is subsampled), frees the samples
/// and writes the output. In `streaming` mode (baseline, the standard Huffman tables) it
/// converts and writes one MCU row at a time instead. Returns the output's block.
pub fn encode_footprint(
    heap: &mut Heap,
    frame: FrameShape,
    allowance: u64,
    streaming: bool,
) -> Block {
    let width = (frame.width as u64).next_multiple_of(16);
    let padded = width * (frame.height as u64).next_multiple_of(16);
    let flattened = (frame.layout == Layout::Rgba).then(|| heap.alloc(frame.bytes()));
    let header = heap.alloc(64 << 10);
    let out = if streaming {
        let rows: Vec<Block> = (0..3).map(|_| heap.alloc(width * 16)).collect();
        let out = heap.output_buffer(allowance);
        rows.into_iter().for_each(|r| heap.free(r));
        out
    } else {
        let samples: Vec<Block> = (0..3).map(|_| heap.alloc(padded)).collect();
        let blocks: Vec<Block> = (0..3).map(|_| heap.alloc(padded * 2)).collect();
        samples.into_iter().for_each(|b| heap.free(b));
        let out = heap.output_buffer(allowance);
        blocks.into_iter().for_each(|b| heap.free(b));
        out
    };
    heap.free(header);
    if let Some(f) = flattened {
        heap.free(f);
    }
    out
}

pub struct JpegParams<'a> {
    pub quality: u8,
    pub progressive: bool,
    /// Ceiling of the output (see `output_allowance`).
    pub max_output: u64,
    /// Baseline with the standard Huffman tables, written one MCU row at a time: 5-10 % more
    /// bytes, a fraction of the memory. The plan picks it when the frame is too large otherwise.
    pub streaming: bool,
    /// TIFF bytes for an APP1 Exif segment.
    pub exif: Option<&'a [u8]>,
    pub xmp: Option<&'a [u8]>,
}

pub fn encode(r: &Raster, p: &JpegParams) -> Result<Vec<u8>> {
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
    if r.layout != Layout::Rgb {
        return Err(Error::internal("JPEG encoder was given a frame with alpha"));
    }
    let (w, h) = (u16::try_from(r.width), u16::try_from(r.height));
    let (Ok(w), Ok(h)) = (w, h) else {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            "JPEG cannot be wider or taller than 65,535 px",
        ));
    };
    let mut out = OutputBuf::new(p.max_output);
    let mut enc = Encoder::new(&mut out, p.quality.clamp(1, 100));
    if p.progressive && !p.streaming {
        // jpeg-encoder writes no EOB runs, so every extra spectral band costs an EOB symbol
        // per block: its default 4 scans made files 4-11 % larger than libjpeg's baseline at
        // the same quantisation. Two scans (DC, then all AC) keep the early 1/8-scale preview
        // at baseline size (-0.7..+1.5 % vs sharp on five corpus photos, q80).
        enc.set_progressive_scans(2);
    }
    // optimised Huffman tables cost one extra pass over the coefficients and save 5-10 % bytes
    enc.set_optimized_huffman_tables(!p.streaming);
    enc.set_sampling_factor(SamplingFactor::F_2_2);
    // libjpeg averages each 2x2 chroma block; the default takes the top-left pixel, which
    // aliases fine colour detail.
    enc.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
    use crate::metadata::{EXIF_PREFIX, JPEG_SEGMENT_MAX, XMP_PREFIX};
    for (prefix, data) in [(EXIF_PREFIX, p.exif), (XMP_PREFIX, p.xmp)] {
        if let Some(data) = data.filter(|d| prefix.len() + d.len() < JPEG_SEGMENT_MAX) {
            enc.add_app_segment(1, [prefix, data].concat())
                .map_err(Error::internal)?;
        }
    }
    let written = enc.encode(&r.data, w, h, ColorType::Rgb);
    if out.exceeded() {
        return Err(super::output::over_allowance("JPEG", p.max_output));
    }
    written.map_err(Error::internal)?;
    Ok(out.into_vec())
}
