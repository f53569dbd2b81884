use super::output::OutputBuf;
use super::{ColorInfo, Decoded};
use crate::error::{Error, Result};
use crate::heap::FrameShape;
use crate::heap::{Block, Heap};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};
use crate::probe::Probe;
use std::io::Cursor;

/// What a decode allocates: the inflated iCCP, the png crate's row buffers and inflater,
/// its output buffer (palette and tRNS expanded, 16-bit kept), the 8-bit copy of a 16-bit
/// image, and the RGB(A) expansion of grey. Returns the frame.
pub fn decode_footprint(heap: &mut Heap, probe: &Probe) -> Block {
    let pixels = probe.pixels();
    let has_trns = probe.has_alpha;
    let channels: u64 = match probe.png_color_type {
        Some(0) => 1 + has_trns as u64,
        Some(2) | Some(3) => 3 + has_trns as u64,
        Some(4) => 2,
        _ => 4,
    };
    let sample_bytes = if probe.bit_depth == 16 { 2 } else { 1 };
    let icc = heap.alloc(probe.icc_bytes);
    let state = heap.alloc(4 * probe.width as u64 * 8 + (256 << 10));
    let expanded = heap.alloc(pixels * channels * sample_bytes);
    let eight_bit = (sample_bytes == 2).then(|| heap.alloc(pixels * channels));
    let grey = (channels <= 2).then(|| heap.alloc(pixels * 4));
    heap.free(state);
    heap.free(icc);
    // the frame is whichever buffer was made last; the others go when `decode` returns
    match (grey, eight_bit) {
        (Some(g), e) => {
            if let Some(e) = e {
                heap.free(e);
            }
            heap.free(expanded);
            g
        }
        (None, Some(e)) => {
            heap.free(expanded);
            e
        }
        (None, None) => expanded,
    }
}

pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let err = |e: png::DecodingError| match e {
        png::DecodingError::LimitsExceeded => crate::Error::new(
            crate::ErrorCode::TooManyPixels,
            "the PNG needs more memory than one transform may use",
        ),
        other => Error::corrupt("PNG", other),
    };
    let mut d = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: limits.max_decoded_bytes,
        },
    );
    // expand palette, tRNS and low bit depths to 8-bit; 16-bit is reduced below with rounding
    d.set_transformations(png::Transformations::EXPAND);
    // No output carries tEXt/zTXt/iTXt: skipped as read, not buffered and copied into `Info`
    // (a large comment would otherwise be held twice, and count against the decode's limit).
    d.set_ignore_text_chunk(true);
    let mut reader = d.read_info().map_err(err)?;
    let info = reader.info();
    let (w, h) = (info.width, info.height);
    // The png crate counts its buffers and the inflated iCCP against `png::Limits` itself.
    let color = ColorInfo {
        icc: info.icc_profile.as_ref().map(|c| c.to_vec()),
        // `gama_chunk`, not `source_gamma`: png 0.18's decoder never fills the latter
        png_gamma: match (&info.icc_profile, info.srgb, info.gama_chunk) {
            (None, None, Some(g)) => Some(g.into_value()),
            _ => None,
        },
    };
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::corrupt("PNG", "image too large"))?;
    if size > limits.max_decoded_bytes {
        return Err(crate::Error::new(
            crate::ErrorCode::TooManyPixels,
            format!(
                "decoding {w}x{h} needs {} MB, above the {} MB the plan allows",
                size >> 20,
                limits.max_decoded_bytes >> 20
            ),
        ));
    }
    let mut buf = vec![0u8; size];
    let out = reader.next_frame(&mut buf).map_err(err)?;
    buf.truncate(out.buffer_size());
    let sixteen = out.bit_depth == png::BitDepth::Sixteen;
    let samples: Vec<u8> = if sixteen {
        // (v * 255 + 32767) / 65535 == round(v / 257): the exact nearest 8-bit value
        buf.chunks_exact(2)
            .map(|s| ((u16::from_be_bytes([s[0], s[1]]) as u32 + 128) / 257) as u8)
            .collect()
    } else {
        buf
    };
    let n = w as usize * h as usize;
    let raster = match out.color_type {
        png::ColorType::Rgb => Raster::new(w, h, Layout::Rgb, samples),
        png::ColorType::Rgba => Raster::new(w, h, Layout::Rgba, samples),
        png::ColorType::Grayscale => Raster::new(
            w,
            h,
            Layout::Rgb,
            samples.iter().take(n).flat_map(|&v| [v, v, v]).collect(),
        ),
        png::ColorType::GrayscaleAlpha => Raster::new(
            w,
            h,
            Layout::Rgba,
            samples
                .chunks_exact(2)
                .take(n)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
        ),
        png::ColorType::Indexed => return Err(Error::corrupt("PNG", "palette was not expanded")),
    };
    Ok(Decoded { raster, color })
}

/// The most bytes a PNG of this frame may take: deflate never expands by more than its block
/// headers, plus one filter byte per row and the chunk framing.
pub fn output_allowance(frame: FrameShape, metadata: u64) -> u64 {
    let raw = frame.bytes() + frame.height as u64;
    raw + raw / 1000 + metadata + (64 << 10)
}

/// What an encode allocates: the palette's index plane, the png crate's row buffers and
/// compressor, its zlib stream (a growing `Vec` that moves as it doubles), then the copy into
/// the output. Returns the output's block.
pub fn encode_footprint(heap: &mut Heap, frame: FrameShape, allowance: u64) -> Block {
    let indices = heap.alloc(frame.pixels());
    let state = heap.alloc(frame.bytes() / frame.height.max(1) as u64 * 8 + (1 << 20));
    let mut zlib = heap.alloc(64 << 10);
    let mut cap = 64u64 << 10;
    while cap < allowance {
        cap *= 2;
        let next = heap.alloc(cap);
        heap.free(zlib);
        zlib = next;
    }
    let out = heap.output_buffer(allowance);
    heap.free(zlib);
    heap.free(state);
    heap.free(indices);
    out
}

/// PNG out: a palette when the frame has at most 256 distinct colours (lossless and usually
/// several times smaller), otherwise RGB or RGBA with adaptive filtering.
pub fn encode(r: &Raster, exif: Option<&[u8]>, max_output: u64) -> Result<Vec<u8>> {
    let mut out = OutputBuf::new(max_output);
    let palette = palette_of(r);
    {
        let mut enc = png::Encoder::new(&mut out, r.width, r.height);
        enc.set_depth(png::BitDepth::Eight);
        match &palette {
            Some((colors, _)) => {
                enc.set_color(png::ColorType::Indexed);
                enc.set_palette(
                    colors
                        .iter()
                        .flat_map(|c| [c[0], c[1], c[2]])
                        .collect::<Vec<u8>>(),
                );
                if colors.iter().any(|c| c[3] != 255) {
                    enc.set_trns(colors.iter().map(|c| c[3]).collect::<Vec<u8>>());
                }
                enc.set_filter(png::Filter::NoFilter);
            }
            None => {
                enc.set_color(match r.layout {
                    Layout::Rgb => png::ColorType::Rgb,
                    Layout::Rgba => png::ColorType::Rgba,
                });
                enc.set_filter(png::Filter::Adaptive);
            }
        }
        enc.set_compression(png::Compression::Balanced);
        let written = (|| {
            let mut w = enc.write_header()?;
            if let Some(exif) = exif {
                w.write_chunk(png::chunk::ChunkType(*b"eXIf"), exif)?;
            }
            match &palette {
                Some((_, indices)) => w.write_image_data(indices)?,
                None => w.write_image_data(&r.data)?,
            }
            w.finish()
        })();
        if out.exceeded() {
            return Err(super::output::over_allowance("PNG", max_output));
        }
        written.map_err(Error::internal)?;
    }
    Ok(out.into_vec())
}

/// Distinct colours and per-pixel indices, or None past 256 colours (stops early).
fn palette_of(r: &Raster) -> Option<(Vec<[u8; 4]>, Vec<u8>)> {
    const SLOTS: usize = 1024; // open addressing, at most 256 used: probes stay short
    let mut keys = [0u32; SLOTS];
    let mut used = [false; SLOTS];
    let mut vals = [0u8; SLOTS];
    let mut colors: Vec<[u8; 4]> = Vec::new();
    let c = r.layout.channels();
    let mut indices = Vec::with_capacity(r.width as usize * r.height as usize);
    for p in r.data.chunks_exact(c) {
        let rgba = [p[0], p[1], p[2], if c == 4 { p[3] } else { 255 }];
        let key = u32::from_le_bytes(rgba);
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        while used[slot] && keys[slot] != key {
            slot = (slot + 1) % SLOTS;
        }
        if !used[slot] {
            if colors.len() == 256 {
                return None;
            }
            used[slot] = true;
            keys[slot] = key;
            vals[slot] = colors.len() as u8;
            colors.push(rgba);
        }
        indices.push(vals[slot]);
    }
    Some((colors, indices))
}
