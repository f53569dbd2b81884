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
mod layout;
mod markers;
mod output;
mod progressive;
mod sequential;
mod upsample;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm_simd;

use super::{ColorInfo, Decoded};
use crate::error::{Error, ErrorCode, Result};
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
            Outcome::Decoded(img) => return into_decoded(img, denom),
            // The probe and this parser read the same first SOF, so this only happens for
            // files whose headers the two read differently; jpeg-decoder decides then.
            Outcome::Unsupported => {}
        }
    }
    fallback::decode(bytes, probe, denom, limits)
}

fn into_decoded(img: decoder::Image, denom: u32) -> Result<Decoded> {
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
            scale_denominator: denom,
        },
        _ => Decoded {
            raster: Raster::new(width, height, Layout::Rgb, pixels),
            color: ColorInfo {
                icc,
                png_gamma: None,
            },
            scale_denominator: denom,
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

/// Upper bound of the heap bytes decoding this JPEG at 1/`scale_denominator` holds at once:
/// the output frame (and the RGB copy CMYK needs), the decoder's row buffers and tables, one
/// MCU row of coefficients for progressive or multi-scan frames, and the ICC profile; for
/// frames left to jpeg-decoder, its component planes, output and full-size coefficients.
/// From header facts only (`probe` and its `jpeg` header), for the plan's memory budget.
/// The input bytes themselves are not included.
pub fn decode_peak_bytes(probe: &Probe, scale_denominator: u32) -> u64 {
    let denom = match scale_denominator {
        1 | 2 | 4 | 8 => scale_denominator,
        _ => 1,
    };
    let Some(j) = probe.jpeg else {
        return fallback::peak_bytes(probe, denom);
    };
    if !fast_path_supports(probe) {
        return fallback::peak_bytes(probe, denom);
    }
    let n = (j.components as usize).min(4);
    let sampling: Vec<(u8, u8)> = j.sampling[..n].iter().map(|&f| (f >> 4, f & 15)).collect();
    let Some(layout) = layout::Layout::new(probe.width, probe.height, &sampling, denom) else {
        return fallback::peak_bytes(probe, denom);
    };
    // CMYK and YCCK frames have four components; the output then has four channels
    let channels = if n == 4 { 4 } else { 3 };
    // A sequential frame may still carry one scan per component; only the SOS tells, so
    // count the multi-scan buffers for every frame (one MCU row of coefficients: small).
    decoder::peak_bytes(&layout, channels, true, j.icc_bytes as u64)
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
    let sampling: Vec<(u8, u8)> = j.sampling[..n].iter().map(|&f| (f >> 4, f & 15)).collect();
    decoder::frame_supported(
        coding,
        probe.bit_depth,
        &sampling,
        probe.width,
        probe.height,
    )
    .is_ok()
}

pub struct JpegParams<'a> {
    pub quality: u8,
    pub progressive: bool,
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
    let mut out = Vec::with_capacity(r.data.len() / 8);
    let mut enc = Encoder::new(&mut out, p.quality.clamp(1, 100));
    if p.progressive {
        // jpeg-encoder writes no EOB runs, so every extra spectral band costs an EOB symbol
        // per block: its default 4 scans made files 4-11 % larger than libjpeg's baseline at
        // the same quantisation. Two scans (DC, then all AC) keep the early 1/8-scale preview
        // at baseline size (-0.7..+1.5 % vs sharp on five corpus photos, q80).
        enc.set_progressive_scans(2);
    }
    // optimised Huffman tables cost one extra pass over the coefficients and save 5-10 % bytes
    enc.set_optimized_huffman_tables(true);
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
    enc.encode(&r.data, w, h, ColorType::Rgb)
        .map_err(Error::internal)?;
    Ok(out)
}
