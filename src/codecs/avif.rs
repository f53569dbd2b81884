//! AVIF: decode through rav1d (BSD-2, the Rust port of dav1d) and encode through ravif/rav1e
//! (BSD), both single-threaded and without assembly so they build for wasm32-unknown-unknown.
//! Behind the `avif` cargo feature; without it AVIF input is refused with a clear error.
//! The container is read by our own small ISOBMFF reader (`container`): avif-parse is MPL-2.0.

#[cfg(feature = "avif")]
mod av1;
#[cfg(feature = "avif")]
pub(crate) mod container;
#[cfg(feature = "avif")]
mod yuv;

use super::Decoded;
use crate::error::{Error, ErrorCode, Result};
use crate::heap::{Block, FrameShape, Heap};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};

#[cfg(not(feature = "avif"))]
pub fn decode(_bytes: &[u8], _limits: &Limits) -> Result<Decoded> {
    Err(Error::new(
        ErrorCode::UnsupportedFormat,
        "AVIF input cannot be decoded by this build: it was built without the `avif` feature (format=json still reports its size)",
    ))
}

#[cfg(feature = "avif")]
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    use super::{check_decoded_size, ColorInfo};

    let a = container::parse(bytes).map_err(|e| match e {
        container::GRID | container::NOT_AV1 => Error::new(ErrorCode::UnsupportedFormat, e),
        _ => Error::corrupt("AVIF", e),
    })?;
    let layout = if a.alpha.is_some() {
        Layout::Rgba
    } else {
        Layout::Rgb
    };
    let (w, h) = (a.color.width, a.color.height);
    check_pixels(w, h, limits)?;
    check_decoded_size(w, h, layout.channels(), limits)?;
    let max_pixels = u32::try_from(limits.max_input_pixels).unwrap_or(u32::MAX);
    let av1_err = |e| Error::corrupt("AVIF", e);
    let f = av1::decode(&a.color.data, max_pixels).map_err(av1_err)?;
    // ispe is what the probe (and so the plan) saw: a different coded size would break the
    // plan's arithmetic, so it is an error rather than a silent resize
    if (f.width, f.height) != (w, h) {
        return Err(Error::corrupt(
            "AVIF",
            format!(
                "the AV1 frame is {}x{} but the container says {w}x{h}",
                f.width, f.height
            ),
        ));
    }
    let (matrix, full) = match a.color.nclx {
        Some(n) => (n.matrix, n.full_range),
        None => (f.matrix, f.full_range),
    };
    let channels = layout.channels();
    let mut data = vec![0u8; w as usize * h as usize * channels];
    yuv::to_rgb(&f, matrix, full, &mut data, channels);
    drop(f);
    if let Some(alpha) = &a.alpha {
        let af = av1::decode(&alpha.data, max_pixels).map_err(av1_err)?;
        if (af.width, af.height) != (w, h) {
            return Err(Error::corrupt(
                "AVIF",
                "the alpha plane's size differs from the image's",
            ));
        }
        let full = alpha.nclx.map(|n| n.full_range).unwrap_or(af.full_range);
        yuv::alpha_into(&af, full, &mut data);
        if a.premultiplied {
            unpremultiply(&mut data);
        }
    }
    Ok(Decoded {
        raster: Raster::new(w, h, layout, data),
        color: ColorInfo {
            icc: a.color.icc,
            png_gamma: None,
        },
    })
}

#[cfg(feature = "avif")]
fn check_pixels(w: u32, h: u32, limits: &Limits) -> Result<()> {
    if w == 0 || h == 0 || w as u64 * h as u64 > limits.max_input_pixels {
        return Err(Error::new(
            ErrorCode::TooManyPixels,
            format!("the AVIF image is {w}x{h}, outside the accepted size"),
        ));
    }
    Ok(())
}

#[cfg(feature = "avif")]
fn unpremultiply(rgba: &mut [u8]) {
    for p in rgba.chunks_exact_mut(4) {
        let a = p[3] as u32;
        if a != 0 && a != 255 {
            for c in &mut p[..3] {
                *c = ((*c as u32 * 255 + a / 2) / a).min(255) as u8;
            }
        }
    }
}

/// What a decode allocates: rav1d's picture and working state for the colour item (up to
/// 16-bit 4:4:4 planes, 6 bytes per pixel, with its per-block contexts: `RAV1D_BYTES_PER_PX`),
/// our RGB(A) frame filled from it, then the same for the alpha item (one plane) while the
/// frame is held. Checked by `tests/avif_memory.rs` on the conformance files. Returns the frame.
pub fn decode_footprint(heap: &mut Heap, probe: &crate::probe::Probe) -> Block {
    let px = probe.width as u64 * probe.height as u64;
    let work = heap.alloc(px * RAV1D_BYTES_PER_PX + (8 << 20));
    let frame = heap.alloc(px * if probe.has_alpha { 4 } else { 3 });
    heap.free(work);
    if probe.has_alpha {
        heap.transient(px * RAV1D_BYTES_PER_PX / 3 + (8 << 20));
    }
    frame
}

const RAV1D_BYTES_PER_PX: u64 = 16;

/// Whether this build writes AVIF (the `avif` cargo feature).
pub const ENCODES: bool = crate::format::AVIF.encodes;

/// ravif's speed (1 slowest .. 10 fastest), the one every AVIF answer uses. Measured in wasm on
/// a 1200x675 photo (one thread): speed 10 ~2 s/MP and by SSIM 11 % larger than libwebp;
/// speed 8 2.6-5.9 s/MP and 2 % smaller; speed 6 4.6-8.6 s/MP, 3 % smaller. Speed 10 would
/// make AVIF pointless (larger than the WebP fallback), 6 costs twice the CPU for 1 %.
pub const SPEED: u8 = 8;

/// `quality` (1-100, Cloudflare's scale) as ravif's quality: the same number. ravif's scale is
/// made to track JPEG's (its quantizer falls linearly to q82, then steeply), as Cloudflare's
/// AVIF `quality` does; alpha gets the midpoint to 100, as cavif does, because edges of a cut-out
/// show compression first.
pub fn ravif_quality(quality: u8) -> (f32, f32) {
    let q = quality.clamp(1, 100) as f32;
    (q, (q + 100.0) / 2.0)
}

/// The most bytes an AVIF of this frame may take: noise at quality 100 measured 3.7 bytes per
/// pixel (RGB) and 5.0 (RGBA) (`tests/avif_memory.rs`); then the container and metadata.
pub fn output_allowance(frame: FrameShape, metadata: u64) -> u64 {
    let per_pixel = if frame.layout == Layout::Rgba { 6 } else { 4 };
    frame.pixels() * per_pixel + metadata + (64 << 10)
}

/// rav1e's working set, from the counting allocator on corpus photos and on noise (the worst
/// case) at speed 8 with `TILE_PIXELS` tiles (`tests/avif_memory.rs`): about 48 bytes per
/// pixel of the 64 px-aligned frame for the frame-sized state (source and reconstruction
/// planes, block and restoration contexts, the recording of symbols at qualities up to 85),
/// plus, above quality 85, the recording of one whole tile's symbols, which grows in steps
/// with the quality (noise: 48 more bytes per tile pixel at q90-95, 333 at q100).
pub fn rav1e_bytes(width: u32, height: u32, quality: u8) -> u64 {
    let aligned = (width as u64).next_multiple_of(64) * (height as u64).next_multiple_of(64);
    // tiles split each axis in powers of two on 64 px superblocks: none is above twice the
    // target area
    let tile = aligned.min(2 * TILE_PIXELS);
    let per_tile_pixel = match quality {
        0..=85 => 0,
        86..=95 => 64,
        _ => 384,
    };
    aligned * 48 + tile * per_tile_pixel + (4 << 20)
}

/// What an encode allocates, replayed on the allocator model: our RGB(A) copy for ravif (and
/// ravif's copy of an RGBA frame with the colour under transparent pixels smoothed), rav1e's
/// working set for the colour planes, its packet, then (on one thread, after the colour's
/// state is gone) the alpha plane's, and the container. Returns the output's block.
pub fn encode_footprint(heap: &mut Heap, frame: FrameShape, quality: u8, allowance: u64) -> Block {
    let alpha = frame.layout == Layout::Rgba;
    let pixels = heap.alloc(frame.pixels() * frame.layout.channels() as u64);
    let clean = alpha.then(|| heap.alloc(frame.pixels() * 4));
    let work = rav1e_bytes(frame.width, frame.height, quality);
    let colour = heap.alloc(work);
    let colour_out = heap.alloc(allowance);
    heap.free(colour);
    let alpha_out = alpha.then(|| {
        // one plane of three
        let work = heap.alloc(work / 3 + (4 << 20));
        let out = heap.alloc(allowance);
        heap.free(work);
        out
    });
    let out = heap.alloc(allowance);
    for b in [Some(colour_out), alpha_out, clean, Some(pixels)]
        .into_iter()
        .flatten()
    {
        heap.free(b);
    }
    out
}

/// Lossy AVIF within `max_output` bytes (ravif writes into its own buffer: checked once it is
/// done; the budget counts that buffer, see `encode_footprint`).
pub fn encode_within(
    r: &Raster,
    quality: u8,
    exif: Option<&[u8]>,
    max_output: u64,
) -> Result<Vec<u8>> {
    let out = encode(r, quality, SPEED, exif)?;
    if out.len() as u64 > max_output {
        return Err(super::output::over_allowance("AVIF", max_output));
    }
    Ok(out)
}

/// Pixels per AV1 tile. rav1e records every symbol of a tile before writing it (at ravif's
/// high qualities, above 80, it decides the loop filters once per tile, so the whole tile's
/// symbols wait in memory): about 6 bytes per symbol, which grew to 400 bytes per pixel on
/// noise at quality 100 (`tests/avif_memory.rs`) in a single-tile frame. Tiles are encoded one
/// after the other, so the recording is bounded by one tile's pixels; each tile restarts the
/// entropy coder's statistics, which costs a little size.
pub const TILE_PIXELS: u64 = 256 * 256;

#[cfg(feature = "avif")]
fn tiles(w: u32, h: u32) -> usize {
    (w as u64 * h as u64).div_ceil(TILE_PIXELS).max(1) as usize
}

/// Lossy AVIF: 4:4:4, 8 bits, BT.601 full range (ravif's choices), at `speed`. `quality` is
/// Cloudflare's 1..=100 scale (`ravif_quality`); alpha is kept when the frame uses it.
#[cfg(feature = "avif")]
pub fn encode(r: &Raster, quality: u8, speed: u8, exif: Option<&[u8]>) -> Result<Vec<u8>> {
    use ravif::{BitDepth, Encoder, Img};

    let (q, alpha_q) = ravif_quality(quality);
    let mut enc = Encoder::new()
        .with_quality(q)
        .with_alpha_quality(alpha_q)
        .with_speed(speed.clamp(1, 10))
        .with_bit_depth(BitDepth::Eight)
        // rav1e has no threads here (maybe-rayon's serial pool): "threads" only sets the tile
        // count, and tiles are what bound its memory (see `TILE_PIXELS`)
        .with_num_threads(Some(tiles(r.width, r.height)));
    if let Some(exif) = exif {
        enc = enc.with_exif(exif);
    }
    let (w, h) = (r.width as usize, r.height as usize);
    let out = match r.layout {
        Layout::Rgb => {
            let px: Vec<ravif::RGB8> = r
                .data
                .chunks_exact(3)
                .map(|p| ravif::RGB8::new(p[0], p[1], p[2]))
                .collect();
            enc.encode_rgb(Img::new(&px[..], w, h))
        }
        Layout::Rgba => {
            let px: Vec<ravif::RGBA8> = r
                .data
                .chunks_exact(4)
                .map(|p| ravif::RGBA8::new(p[0], p[1], p[2], p[3]))
                .collect();
            enc.encode_rgba(Img::new(&px[..], w, h))
        }
    };
    out.map(|o| o.avif_file).map_err(Error::internal)
}

#[cfg(not(feature = "avif"))]
pub fn encode(_r: &Raster, _quality: u8, _speed: u8, _exif: Option<&[u8]>) -> Result<Vec<u8>> {
    Err(Error::new(
        ErrorCode::UnsupportedFormat,
        "AVIF output needs the `avif` feature",
    ))
}
