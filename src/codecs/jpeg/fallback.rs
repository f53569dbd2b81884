//! jpeg-decoder, for the frames the fast path does not decode:
//! - lossless (SOF3): no DCT at all, predictive coding of 2..16-bit samples; rare outside
//!   medical imaging, and jpeg-decoder decodes it exactly (the reftest lossless pairs);
//! - precision other than 8 bits (12-bit DCT): jpeg-decoder refuses it with a clean 415;
//! - arithmetic coding (SOF9..SOF15): jpeg-decoder refuses it with a clean 415, the answer
//!   the conformance test expects until a decoder implements it;
//! - hierarchical frames, component counts other than 1, 3 or 4, and sampling factors that
//!   are zero, above 4 or not integer ratios of the largest: jpeg-decoder either decodes them
//!   or reports them as corrupt, as it did before the fast path existed.

use super::super::{check_decoded_size, ColorInfo, Decoded};
use crate::error::{Error, ErrorCode, Result};
use crate::heap::{Block, Heap};
use crate::limits::Limits;
use crate::pixels::{color, Layout, Raster};
use crate::probe::Probe;
use jpeg_decoder::PixelFormat;

pub(super) fn decode(bytes: &[u8], probe: &Probe, denom: u32, limits: &Limits) -> Result<Decoded> {
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
    // jpeg-decoder's `scale` takes the first scale at which *either* side reaches its request,
    // so ask for the chosen scale on the longer side only, which names it uniquely (the
    // caller only scales frames whose longer side is >= 8 px). Lossless frames have no IDCT:
    // jpeg-decoder reports a scaled size but decodes at full size, so never scale them.
    let lossless = probe.jpeg.is_some_and(|j| j.lossless);
    let scaled = |len: u32| (len.div_ceil(denom)).min(u16::MAX as u32) as u16;
    let (w, h) = if denom > 1 && !lossless {
        if probe.width >= probe.height {
            d.scale(scaled(probe.width), u16::MAX)
        } else {
            d.scale(u16::MAX, scaled(probe.height))
        }
    } else {
        d.scale(u16::MAX, u16::MAX)
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
        check_progressive_memory(probe, w as u64 * h as u64 * channels as u64, limits)?;
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
            });
        }
    };
    Ok(Decoded {
        raster,
        color: ColorInfo {
            icc,
            png_gamma: None,
        },
    })
}

/// A progressive JPEG decoded by jpeg-decoder keeps every DCT coefficient of the full-size
/// image (2 bytes each, for every component at its own sampling) until the last scan, whatever
/// the output size, and jpeg-decoder counts none of it against its buffer limit. Count it here.
fn check_progressive_memory(probe: &Probe, output_bytes: u64, limits: &Limits) -> Result<()> {
    let total = coefficient_bytes(probe) + output_bytes;
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

/// Per component, its blocks padded to whole MCUs (as jpeg-decoder allocates them) x 64 x 2.
fn coefficient_bytes(probe: &Probe) -> u64 {
    let (w, h) = (probe.width as u64, probe.height as u64);
    let sampling = sampling(probe);
    let hmax = sampling.iter().map(|s| s.0).max().unwrap_or(1);
    let vmax = sampling.iter().map(|s| s.1).max().unwrap_or(1);
    let (mcu_x, mcu_y) = (w.div_ceil(8 * hmax), h.div_ceil(8 * vmax));
    sampling
        .iter()
        .map(|&(hs, vs)| mcu_x * hs * mcu_y * vs * 128)
        .sum()
}

/// (h, v) per component from the probe, each at least 1 (jpeg-decoder rejects zero factors
/// before allocating anything).
fn sampling(probe: &Probe) -> Vec<(u64, u64)> {
    let Some(j) = probe.jpeg else {
        return vec![(1, 1); 3];
    };
    (0..(j.components as usize).max(1))
        .map(|i| {
            let (h, v) = j.sampling.get(i).copied().unwrap_or((1, 1));
            ((h as u64).max(1), (v as u64).max(1))
        })
        .collect()
}

/// What a decode at `size` (from `decoded_size`) allocates, in order: jpeg-decoder keeps, for
/// a progressive file, every coefficient of the full image; each component's plane padded to
/// whole MCUs (8/scale samples per block side); then the interleaved frame while the planes are
/// alive; grey and CMYK frames are then converted to a second, RGB frame (CMYK through its
/// profile's tables); the decoder and its coefficients go when `decode` returns.
pub(super) fn decode_footprint(heap: &mut Heap, probe: &Probe, size: (u32, u32)) -> Block {
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
            heap.transient(crate::pixels::color::working_bytes(probe));
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
        let probe = crate::probe::probe(&jpeg, &Limits::default()).unwrap();
        assert_eq!(coefficient_bytes(&probe), (98 + 49 + 49) * 128);
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
        let e = decode(&jpeg, &probe, 8, &tight).err().unwrap();
        assert_eq!(e.code, ErrorCode::TooManyPixels);
        let ok = decode(&jpeg, &probe, 8, &Limits::default()).unwrap();
        assert_eq!((ok.raster.width, ok.raster.height), (64, 64));
    }
}
