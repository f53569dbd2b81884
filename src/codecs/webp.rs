use super::{check_decoded_size, ColorInfo, Decoded};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;
use crate::pixels::{Layout, Raster};
use std::io::Cursor;
use vaam_webp::{ColorType, EncoderParams, WebPDecoder, WebPEncoder};

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
        scale_denominator: 1,
    })
}

/// Lossy VP8 below quality 100, lossless VP8L at 100 (as Cloudflare and sharp's `lossless`).
pub fn encode(r: &Raster, quality: u8, exif: Option<&[u8]>) -> Result<Vec<u8>> {
    if r.width > 16383 || r.height > 16383 {
        return Err(Error::new(
            ErrorCode::OutputTooLarge,
            "WebP cannot be wider or taller than 16,383 px",
        ));
    }
    let mut out = Vec::new();
    let mut enc = WebPEncoder::new(&mut out);
    let mut params = EncoderParams::default();
    params.use_lossy = quality < 100;
    params.lossy_quality = quality.clamp(1, 100);
    enc.set_params(params);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif.to_vec());
    }
    let color = match r.layout {
        Layout::Rgb => ColorType::Rgb8,
        Layout::Rgba => ColorType::Rgba8,
    };
    enc.encode(&r.data, r.width, r.height, color)
        .map_err(Error::internal)?;
    Ok(out)
}
