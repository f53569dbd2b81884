//! WebP encoding through libwebp (C, from libwebp-sys) with sharp's defaults: method 4
//! (sharp's `effort: 4`), the default preset, no sharp-YUV, alpha at quality 100; quality 100
//! selects lossless (libwebp's lossless preset 6 = method 4, as sharp's `lossless: true`).
//! EXIF goes into a VP8X container written here, so libwebp's mux library is not needed.

use crate::error::{Error, Result};
use crate::pixels::{Layout, Raster};
use libwebp_sys::{
    WebPConfig, WebPConfigLosslessPreset, WebPEncode, WebPMemoryWrite, WebPMemoryWriter,
    WebPMemoryWriterClear, WebPMemoryWriterInit, WebPPicture, WebPPictureFree,
    WebPPictureImportRGB, WebPPictureImportRGBA, WebPPreset,
};

pub fn encode(r: &Raster, quality: u8, exif: Option<&[u8]>) -> Result<Vec<u8>> {
    let lossless = quality >= 100;
    let mut config =
        WebPConfig::new_with_preset(WebPPreset::WEBP_PRESET_DEFAULT, quality.min(100) as f32)
            .map_err(|_| Error::internal("libwebp rejected its configuration"))?;
    config.method = 4;
    if lossless {
        // SAFETY: config is a valid, initialised WebPConfig.
        if unsafe { WebPConfigLosslessPreset(&mut config, 6) } == 0 {
            return Err(Error::internal("libwebp rejected the lossless preset"));
        }
    }
    let mut pic = WebPPicture::new().map_err(|_| Error::internal("libwebp picture init"))?;
    pic.width = r.width as i32;
    pic.height = r.height as i32;
    pic.use_argb = lossless as i32;
    let channels = r.layout.channels();
    let stride = r.width as i32 * channels as i32;
    // SAFETY: r.data holds width x height pixels of `channels` bytes (Raster's invariant), and
    // every picture and writer buffer libwebp allocates is released on every path below.
    unsafe {
        let imported = match r.layout {
            Layout::Rgb => WebPPictureImportRGB(&mut pic, r.data.as_ptr(), stride),
            Layout::Rgba => WebPPictureImportRGBA(&mut pic, r.data.as_ptr(), stride),
        };
        if imported == 0 {
            WebPPictureFree(&mut pic);
            return Err(Error::internal(
                "libwebp could not take the frame (out of memory?)",
            ));
        }
        let mut writer: WebPMemoryWriter = std::mem::zeroed();
        WebPMemoryWriterInit(&mut writer);
        pic.writer = Some(WebPMemoryWrite);
        pic.custom_ptr = (&mut writer as *mut WebPMemoryWriter).cast();
        let ok = WebPEncode(&config, &mut pic);
        let code = pic.error_code;
        WebPPictureFree(&mut pic);
        if ok == 0 {
            WebPMemoryWriterClear(&mut writer);
            return Err(Error::internal(format!("libwebp failed: {code:?}")));
        }
        let out = std::slice::from_raw_parts(writer.mem, writer.size).to_vec();
        WebPMemoryWriterClear(&mut writer);
        match exif {
            Some(exif) if !exif.is_empty() => with_exif(&out, exif, r),
            _ => Ok(out),
        }
    }
}

/// RIFF chunk: fourcc, little-endian size, payload, pad byte to an even size.
fn chunk(out: &mut Vec<u8>, fourcc: &[u8; 4], payload: &[u8]) {
    out.extend_from_slice(fourcc);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
}

/// Adds an EXIF chunk to libwebp's output: a simple file (one VP8/VP8L chunk) gets a VP8X
/// header in front; an extended one gets its EXIF flag set. The EXIF chunk goes last, after
/// the image data, as the container spec orders it.
fn with_exif(webp: &[u8], exif: &[u8], r: &Raster) -> Result<Vec<u8>> {
    const EXIF_FLAG: u8 = 0x08;
    const ALPHA_FLAG: u8 = 0x10;
    if webp.len() < 20 || &webp[..4] != b"RIFF" || &webp[8..12] != b"WEBP" {
        return Err(Error::internal("libwebp wrote no RIFF/WEBP header"));
    }
    let body = &webp[12..];
    let mut out = Vec::with_capacity(webp.len() + exif.len() + 32);
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    if &body[..4] == b"VP8X" {
        out.extend_from_slice(body);
        out[20] |= EXIF_FLAG; // 12 (RIFF header) + 8 (VP8X chunk header): the flags byte
    } else {
        let mut vp8x = [0u8; 10];
        vp8x[0] = EXIF_FLAG | if r.uses_alpha() { ALPHA_FLAG } else { 0 };
        vp8x[4..7].copy_from_slice(&(r.width - 1).to_le_bytes()[..3]);
        vp8x[7..10].copy_from_slice(&(r.height - 1).to_le_bytes()[..3]);
        chunk(&mut out, b"VP8X", &vp8x);
        out.extend_from_slice(body);
    }
    chunk(&mut out, b"EXIF", exif);
    let riff_size = u32::try_from(out.len() - 8)
        .map_err(|_| Error::internal("WebP output larger than 4 GB"))?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Ok(out)
}
