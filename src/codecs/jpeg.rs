use super::{check_decoded_size, ColorInfo, Decoded};
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
    let (w, h) = match scaled_idct(probe.width, probe.height, min_size) {
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
    enc.set_progressive(p.progressive);
    // optimised Huffman tables cost one extra pass over the coefficients and save 5-10 % bytes
    enc.set_optimized_huffman_tables(true);
    enc.set_sampling_factor(SamplingFactor::F_2_2);
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
