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
use crate::limits::Limits;
#[cfg(feature = "avif")]
use crate::pixels::Raster;

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
    use crate::pixels::Layout;

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
        scale_denominator: 1,
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

/// ravif's speed (1 slowest .. 10 fastest). Measured in wasm on a 1200x675 photo (one
/// thread): speed 10 ~2 s/MP and by SSIM 11 % larger than libwebp; speed 8 2.6-5.9 s/MP and
/// 2 % smaller; speed 6 4.6-8.6 s/MP, 3 % smaller. Cloudflare caps AVIF output at 1,200 px on
/// the long side and answers WebP when encoding would be slow: the caller decides that.
pub const DEFAULT_SPEED: u8 = 8;

/// Lossy AVIF. `quality` is ravif's 1..=100 scale (the same scale libavif's and Cloudflare's
/// `quality` use: higher is better); alpha is kept when the frame uses it.
#[cfg(feature = "avif")]
pub fn encode(r: &Raster, quality: u8, speed: u8, exif: Option<&[u8]>) -> Result<Vec<u8>> {
    use crate::pixels::Layout;
    use ravif::{Encoder, Img};

    let mut enc = Encoder::new()
        .with_quality(quality.clamp(1, 100) as f32)
        .with_alpha_quality(quality.clamp(1, 100) as f32)
        .with_speed(speed.clamp(1, 10))
        .with_num_threads(Some(1));
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
pub fn encode(
    _r: &crate::pixels::Raster,
    _quality: u8,
    _speed: u8,
    _exif: Option<&[u8]>,
) -> Result<Vec<u8>> {
    Err(Error::new(
        ErrorCode::UnsupportedFormat,
        "AVIF output needs the `avif` feature",
    ))
}
