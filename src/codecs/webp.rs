#[cfg(not(feature = "libwebp"))]
use super::output::OutputBuf;
use super::{check_decoded_size, ColorInfo, Decoded};
use crate::error::{Error, ErrorCode, Result};
use crate::heap::FrameShape;
use crate::heap::{Block, Heap};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};
use crate::probe::Probe;
use std::io::Cursor;
use vaam_webp::WebPDecoder;

pub mod anim;
#[cfg(all(feature = "libwebp", target_arch = "wasm32"))]
mod libc;
#[cfg(feature = "libwebp")]
mod libwebp;

/// What a decode allocates: the RGB(A) frame first (the caller's buffer), then lossless
/// images as one ARGB word per pixel (plus transform sub-images), lossy ones as
/// macroblock-padded YUV planes and an alpha plane, converted into the frame. Returns the frame.
pub fn decode_footprint(heap: &mut Heap, probe: &Probe) -> Block {
    let (w, h) = (probe.width as u64, probe.height as u64);
    let padded = w.next_multiple_of(16) * h.next_multiple_of(16);
    let frame = heap.alloc(w * h * if probe.has_alpha { 4 } else { 3 });
    let working = heap.alloc((padded * 2 + w * h).max(w * h * 5) + (256 << 10));
    heap.free(working);
    frame
}

pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let err = |e: vaam_webp::DecodingError| Error::corrupt("WebP", e);
    let mut d = WebPDecoder::new(Cursor::new(bytes)).map_err(err)?;
    d.set_memory_limit(limits.max_decoded_bytes);
    let (w, h) = d.dimensions();
    let layout = if d.has_alpha() {
        Layout::Rgba
    } else {
        Layout::Rgb
    };
    check_decoded_size(w, h, layout.channels(), limits)?;
    let size = d
        .output_buffer_size()
        .ok_or_else(|| Error::corrupt("WebP", "image too large"))?;
    let icc = d.icc_profile().ok().flatten();
    let mut buf = vec![0u8; size];
    d.read_image(&mut buf).map_err(err)?;
    Ok(Decoded {
        raster: Raster::new(w, h, layout, buf),
        color: ColorInfo {
            icc,
            png_gamma: None,
        },
    })
}

/// With the `libwebp` feature `quality` is libwebp's own (same bytes as sharp at the same
/// setting); without it, the pure-Rust encoder is steered through this table.
/// `quality` means what it means to libwebp (and so to Cloudflare, sharp and squoosh); the
/// pure-Rust VP8 encoder's own scale is much lower (its q80 is libwebp's q40 by SSIM). Each
/// point maps a libwebp quality to the encoder quality with the same mean SSIM, measured
/// against sharp 0.35.5 (libwebp) on five corpus photos (elephants, RainDrops, exiv2-bug922a,
/// kodim05, wikipedia/016) resized to 512-1200 px. At matched SSIM our files are 10-22 %
/// larger than libwebp's, the encoder's known cost (see docs/BENCHMARKS.md).
#[cfg_attr(feature = "libwebp", allow(dead_code))]
const QUALITY_TO_VP8: [(u8, u8); 9] = [
    (1, 55),
    (10, 60),
    (25, 71),
    (50, 83),
    (70, 88),
    (80, 92),
    (90, 97),
    (95, 99),
    (99, 100),
];

#[cfg_attr(feature = "libwebp", allow(dead_code))]
fn vp8_quality(q: u8) -> u8 {
    let q = q.clamp(1, 99);
    let i = QUALITY_TO_VP8
        .iter()
        .position(|&(x, _)| x >= q)
        .unwrap_or(0);
    if i == 0 {
        return QUALITY_TO_VP8[0].1;
    }
    let ((x0, y0), (x1, y1)) = (QUALITY_TO_VP8[i - 1], QUALITY_TO_VP8[i]);
    let t = (q - x0) as f32 / (x1 - x0) as f32;
    (y0 as f32 + t * (y1 as f32 - y0 as f32)).round() as u8
}

/// The most bytes a WebP of this frame may take: lossy output stays well under two bytes a
/// pixel; lossless falls back to what PNG's bound allows, plus framing.
pub fn output_allowance(frame: FrameShape, quality: u8, metadata: u64) -> u64 {
    let pixel_bytes = if quality < 100 {
        frame.pixels() * 2
    } else {
        frame.bytes() + frame.bytes() / 100 + frame.height as u64
    };
    pixel_bytes + metadata + (64 << 10)
}

/// What an encode allocates: lossy keeps macroblock-padded YUV planes, per-macroblock
/// statistics and token buffers; lossless an ARGB word per pixel, its transforms, hash chains
/// and backward references; then the output. Returns the output's block.
pub fn encode_footprint(heap: &mut Heap, frame: FrameShape, quality: u8, allowance: u64) -> Block {
    let padded =
        (frame.width as u64).next_multiple_of(16) * (frame.height as u64).next_multiple_of(16);
    // Lossy VP8 keeps about 8 bytes per padded pixel; an alpha plane is compressed by the
    // lossless coder (hash chain, backward references, histograms), measured in wasm32 at up
    // to ~17 bytes per pixel above that (tests/sweep: 3_webp_a.webp, Gulp.png to WebP); the
    // lossless coder on RGBA needs the same and more.
    let alpha = matches!(frame.layout, crate::pixels::Layout::Rgba);
    let working = heap.alloc(
        if quality < 100 {
            padded * 8 + if alpha { frame.pixels() * 24 } else { 0 }
        } else {
            frame.pixels() * if alpha { 40 } else { 24 }
        } + (1 << 20),
    );
    #[cfg(feature = "libwebp")]
    let out = {
        // libwebp's writer doubles its buffer as it grows (the last move holds half and all),
        // then the result is copied out of it.
        let half = heap.alloc(allowance.div_ceil(2));
        let full = heap.alloc(allowance);
        heap.free(half);
        let copy = heap.alloc(allowance);
        heap.free(full);
        copy
    };
    #[cfg(not(feature = "libwebp"))]
    let out = heap.output_buffer(allowance);
    heap.free(working);
    out
}

/// Lossy VP8 below quality 100, lossless VP8L at 100 (as Cloudflare and sharp's `lossless`).
pub fn encode(r: &Raster, quality: u8, exif: Option<&[u8]>, max_output: u64) -> Result<Vec<u8>> {
    if r.width > 16383 || r.height > 16383 {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            "WebP cannot be wider or taller than 16,383 px",
        ));
    }
    #[cfg(feature = "libwebp")]
    {
        // libwebp grows its own output buffer: the ceiling is checked once it is done (the
        // budget counts libwebp's buffer and our copy of it, see `encode_footprint`).
        let out = libwebp::encode(r, quality, exif)?;
        if out.len() as u64 > max_output {
            return Err(super::output::over_allowance("WebP", max_output));
        }
        Ok(out)
    }
    #[cfg(not(feature = "libwebp"))]
    {
        encode_vaam(r, quality, exif, max_output)
    }
}

#[cfg(not(feature = "libwebp"))]
fn encode_vaam(r: &Raster, quality: u8, exif: Option<&[u8]>, max_output: u64) -> Result<Vec<u8>> {
    use vaam_webp::{ColorType, EncoderParams, WebPEncoder};
    let mut out = OutputBuf::new(max_output);
    let mut enc = WebPEncoder::new(&mut out);
    let mut params = EncoderParams::default();
    params.use_lossy = quality < 100;
    params.lossy_quality = vp8_quality(quality);
    enc.set_params(params);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif.to_vec());
    }
    let color = match r.layout {
        Layout::Rgb => ColorType::Rgb8,
        Layout::Rgba => ColorType::Rgba8,
    };
    let written = enc.encode(&r.data, r.width, r.height, color);
    if out.exceeded() {
        return Err(super::output::over_allowance("WebP", max_output));
    }
    written.map_err(Error::internal)?;
    Ok(out.into_vec())
}

#[cfg(test)]
mod tests {
    use super::vp8_quality;

    #[test]
    fn quality_mapping_is_monotonic_and_hits_the_calibration_points() {
        let all: Vec<u8> = (1..=99).map(vp8_quality).collect();
        assert!(all.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(vp8_quality(80), 92);
        assert_eq!(vp8_quality(50), 83);
        assert_eq!(vp8_quality(1), 55);
        assert_eq!(vp8_quality(99), 100);
    }
}
