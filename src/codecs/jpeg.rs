use super::output::OutputBuf;
use super::{check_decoded_size, ColorInfo, Decoded};
use crate::budget::FrameShape;
use crate::budget::{Block, Heap};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;
use crate::pixels::{color, Layout, Raster};
use crate::probe::Probe;
use jpeg_decoder::PixelFormat;

pub fn decode(
    bytes: &[u8],
    probe: &Probe,
    min_size: (u32, u32),
    limits: &Limits,
) -> Result<Decoded> {
    let err = |e: jpeg_decoder::Error| match e {
        jpeg_decoder::Error::Unsupported(f) => Error::new(
            ErrorCode::UnsupportedFormat,
            format!("unsupported JPEG feature: {f:?}"),
        ),
        other => Error::corrupt("JPEG", other),
    };
    let mut d = jpeg_decoder::Decoder::new(bytes);
    d.set_max_decoding_buffer_size(limits.max_decoded_bytes);
    d.read_info().map_err(err)?;
    // Scaled IDCT: the decoder picks the smallest of 1/8, 1/4, 1/2, 1 that is still at least
    // `min_size`, which the plan sets to twice the target so Lanczos has room and nothing aliases.
    // jpeg-decoder's `scale` takes the first scale at which *either* side reaches its request
    // (a 1000x1 image asked for 1000x1 would decode at 125x1), so pick the scale where *both*
    // do here and request it on the longer side only, which identifies it uniquely.
    let scaled = scaled_request(probe, min_size);
    let (w, h) = match scaled {
        Some((sw, _)) if probe.width >= probe.height => d.scale(sw, u16::MAX),
        Some((_, sh)) => d.scale(u16::MAX, sh),
        None => d.scale(u16::MAX, u16::MAX),
    }
    .map_err(err)?;
    let info = d
        .info()
        .ok_or_else(|| Error::corrupt("JPEG", "no frame header"))?;
    let channels = match info.pixel_format {
        PixelFormat::CMYK32 => 4,
        _ => 3,
    };
    check_decoded_size(w as u32, h as u32, channels, limits)?;
    if probe.progressive {
        check_progressive_memory(bytes, w as u64 * h as u64 * channels as u64, limits)?;
    }
    let pixels = d.decode().map_err(err)?;
    let icc = d.icc_profile();
    let (w, h) = (w as u32, h as u32);
    let n = w as usize * h as usize;
    let raster = match info.pixel_format {
        PixelFormat::RGB24 => Raster::new(w, h, Layout::Rgb, pixels),
        PixelFormat::L8 => Raster::new(
            w,
            h,
            Layout::Rgb,
            pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        ),
        PixelFormat::L16 => {
            // native-endian samples of 9..16 bits (lossless files): keep the top 8 bits
            let shift = probe.bit_depth.saturating_sub(8) as u32;
            let data = pixels
                .chunks_exact(2)
                .take(n)
                .flat_map(|s| {
                    let v = (u16::from_ne_bytes([s[0], s[1]]) >> shift).min(255) as u8;
                    [v, v, v]
                })
                .collect();
            Raster::new(w, h, Layout::Rgb, data)
        }
        PixelFormat::CMYK32 => {
            let r = color::cmyk_to_rgb(&pixels, w, h, icc.as_deref())?;
            return Ok(Decoded {
                raster: r,
                color: ColorInfo::default(),
                scale_denominator: probe.width.div_ceil(w.max(1)),
            });
        }
    };
    Ok(Decoded {
        raster,
        color: ColorInfo {
            icc,
            png_gamma: None,
        },
        scale_denominator: probe.width.div_ceil(w.max(1)),
    })
}

/// What a decode at `size` (from `decoded_size`) allocates, in order: jpeg-decoder keeps, for
/// a progressive file, every coefficient of the full image; each component's plane padded to
/// whole MCUs (8/scale samples per block side); then the interleaved frame while the planes are
/// alive; grey and CMYK frames are then converted to a second, RGB frame (CMYK through its
/// profile's tables); the decoder and its coefficients go when `decode` returns.
pub fn decode_footprint(heap: &mut Heap, probe: &Probe, size: (u32, u32)) -> Block {
    let Some(hdr) = probe.jpeg else {
        return heap.alloc(0);
    };
    let (hmax, vmax) = hdr.max_sampling();
    let (w, h) = (probe.width as u64, probe.height as u64);
    let (mcu_x, mcu_y) = (w.div_ceil(8 * hmax as u64), h.div_ceil(8 * vmax as u64));
    let components = (hdr.components as usize).clamp(1, 4);
    let scale = probe.width.div_ceil(size.0.max(1)).clamp(1, 8) as u64;
    let per_block = (8 / scale).max(1).pow(2);
    let blocks = |&(hs, vs): &(u8, u8)| mcu_x * hs as u64 * mcu_y * vs as u64;
    let tables = heap.alloc(256 << 10);
    let coefficients: Vec<Block> = if probe.progressive {
        hdr.sampling[..components]
            .iter()
            .map(|s| heap.alloc(blocks(s) * 128))
            .collect()
    } else {
        Vec::new()
    };
    let planes: Vec<Block> = hdr.sampling[..components]
        .iter()
        .map(|s| heap.alloc(blocks(s) * per_block))
        .collect();
    let pixels = size.0 as u64 * size.1 as u64;
    let mut frame = heap.alloc(pixels * components as u64);
    for p in planes {
        heap.free(p);
    }
    if components != 3 {
        if components == 4 {
            heap.transient(crate::budget::colour_bytes(probe));
        }
        let rgb = heap.alloc(pixels * 3);
        heap.free(frame);
        frame = rgb;
    }
    for c in coefficients {
        heap.free(c);
    }
    heap.free(tables);
    frame
}

/// A progressive JPEG is decoded by keeping every DCT coefficient of the full-size image
/// (2 bytes each, for every component at its own sampling) until the last scan, whatever the
/// scaled-IDCT output size, and jpeg-decoder counts none of it against its buffer limit. For
/// elephants-progressive.jpg (5640x3172, 4:2:2) that is 68 MiB before the 13 MiB output, so a
/// 100 MP progressive file would abort a 128 MB isolate instead of being refused. Count it here.
fn check_progressive_memory(bytes: &[u8], output_bytes: u64, limits: &Limits) -> Result<()> {
    let Some(coefficients) = coefficient_bytes(bytes) else {
        return Ok(()); // no frame header we can read: jpeg-decoder reports the error
    };
    let total = coefficients + output_bytes;
    if total > limits.max_decoded_bytes as u64 {
        return Err(Error::new(
            ErrorCode::TooManyPixels,
            format!(
                "decoding this progressive JPEG needs {} MB of coefficients and pixels, above the {} MB budget of one transform",
                total >> 20,
                limits.max_decoded_bytes >> 20
            ),
        ));
    }
    Ok(())
}

/// Bytes of the i16 coefficient planes a progressive decode holds: per component, its blocks
/// padded to whole MCUs (as jpeg-decoder allocates them) x 64 x 2. None without a SOFn.
fn coefficient_bytes(bytes: &[u8]) -> Option<u64> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let seg = bytes.get(i + 4..i + 2 + len)?;
            let h = u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]) as u64;
            let w = u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]) as u64;
            let n = *seg.get(5)? as usize;
            let comps = seg.get(6..6 + 3 * n)?;
            let sampling: Vec<(u64, u64)> = comps
                .chunks_exact(3)
                .map(|c| ((c[1] >> 4).max(1) as u64, (c[1] & 15).max(1) as u64))
                .collect();
            let hmax = sampling.iter().map(|s| s.0).max()?;
            let vmax = sampling.iter().map(|s| s.1).max()?;
            let (mcu_x, mcu_y) = (w.div_ceil(8 * hmax), h.div_ceil(8 * vmax));
            let blocks: u64 = sampling
                .iter()
                .map(|&(hs, vs)| mcu_x * hs * mcu_y * vs)
                .sum();
            return Some(blocks * 64 * 2);
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// The frame size a decode asked for at least `min_size` returns.
pub fn decoded_size(probe: &Probe, min_size: (u32, u32)) -> (u32, u32) {
    match scaled_request(probe, min_size) {
        Some((w, h)) => (w as u32, h as u32),
        None => (probe.width, probe.height),
    }
}

/// Lossless (SOF3) frames have no IDCT: jpeg-decoder reports a scaled size but decodes at full
/// size, so they are never scaled.
fn scaled_request(probe: &Probe, min_size: (u32, u32)) -> Option<(u16, u16)> {
    let lossless = probe.jpeg.is_some_and(|j| j.lossless);
    scaled_idct(probe.width, probe.height, min_size).filter(|_| !lossless)
}

/// Output size of the smallest scaled IDCT (1/8, 1/4, 1/2) whose output is at least `min` on
/// both axes, or None for a full-size decode. Only offered when the longer side is >= 8 px,
/// where its scaled length grows strictly with the scale and so names one scale.
fn scaled_idct(w: u32, h: u32, min: (u32, u32)) -> Option<(u16, u16)> {
    let scaled = |len: u32, s: u32| (len * s).div_ceil(8);
    if w.max(h) < 8 || w > u16::MAX as u32 || h > u16::MAX as u32 {
        return None;
    }
    [1, 2, 4]
        .into_iter()
        .find(|&s| scaled(w, s) >= min.0 && scaled(h, s) >= min.1)
        .map(|s| (scaled(w, s) as u16, scaled(h, s) as u16))
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
    if let Some(exif) = p.exif {
        let mut seg = b"Exif\0\0".to_vec();
        seg.extend_from_slice(exif);
        if seg.len() < 65_000 {
            enc.add_app_segment(1, seg).map_err(Error::internal)?;
        }
    }
    if let Some(xmp) = p.xmp {
        let mut seg = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        seg.extend_from_slice(xmp);
        if seg.len() < 65_000 {
            enc.add_app_segment(1, seg).map_err(Error::internal)?;
        }
    }
    let written = enc.encode(&r.data, w, h, ColorType::Rgb);
    if out.exceeded() {
        return Err(super::output::over_allowance("JPEG", p.max_output));
    }
    written.map_err(Error::internal)?;
    Ok(out.into_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progressive(w: u16, h: u16) -> Vec<u8> {
        let data: Vec<u8> = (0..w as usize * h as usize * 3)
            .map(|i| (i % 251) as u8)
            .collect();
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
        enc.set_progressive(true);
        enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_1);
        enc.encode(&data, w, h, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    #[test]
    fn coefficient_bytes_follow_the_sampling() {
        // 4:2:2, 100x50: MCUs of 16x8 -> 7 x 7; Y 14x7 blocks, Cb and Cr 7x7 each.
        let jpeg = progressive(100, 50);
        assert_eq!(coefficient_bytes(&jpeg), Some((98 + 49 + 49) * 128));
        assert_eq!(coefficient_bytes(b"\xFF\xD8\xFF\xD9"), None);
    }

    #[test]
    fn progressive_coefficients_count_against_the_decode_budget() {
        let jpeg = progressive(512, 512);
        let probe = crate::probe::probe(&jpeg, &Limits::default()).unwrap();
        assert!(probe.progressive);
        // 1/8 scale output is 64x64x3 = 12 KiB, but the coefficients need 512 KiB.
        let tight = Limits {
            max_decoded_bytes: 256 * 1024,
            ..Limits::default()
        };
        let e = decode(&jpeg, &probe, (64, 64), &tight).err().unwrap();
        assert_eq!(e.code, ErrorCode::TooManyPixels);
        let ok = decode(&jpeg, &probe, (64, 64), &Limits::default()).unwrap();
        assert_eq!((ok.raster.width, ok.raster.height), (64, 64));
    }
}
