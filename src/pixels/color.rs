//! Colour management: every output is sRGB, because that is what an untagged image means to a
//! browser. Embedded ICC profiles go through moxcms (pure Rust, builds for wasm32); PNG gAMA
//! without a profile goes through a lookup table; CMYK goes through its profile, or a naive
//! formula when there is none (what browsers do for untagged CMYK).

use super::{Layout, Raster};
use crate::error::{Error, Result};
use crate::probe::Probe;
use moxcms::{ColorProfile, DataColorSpace, Layout as CmsLayout, TransformOptions};

/// moxcms's parsed profile (its curves and tables as floats: a few times the stored bytes)
/// and the transform's lookup table, larger for CMYK's four inputs.
pub fn working_bytes(probe: &Probe) -> u64 {
    if !probe.has_icc {
        return 0;
    }
    let cmyk = probe.jpeg.is_some_and(|j| j.components == 4);
    probe.icc_bytes * 8 + if cmyk { 8 << 20 } else { 2 << 20 }
}

/// Rows converted per call, so the temporary buffer stays small whatever the frame size.
const STRIP_ROWS: usize = 64;

fn parse_profile(icc: &[u8]) -> Option<ColorProfile> {
    ColorProfile::new_from_slice(icc).ok()
}

/// True when converting would be a no-op: an sRGB profile by name, or colorants and curves
/// within rounding of sRGB's. Most phone photos carry sRGB; skipping saves a full pass.
fn is_srgb(p: &ColorProfile) -> bool {
    let srgb = ColorProfile::new_srgb();
    let a = p.rgb_to_xyz_matrix();
    let b = srgb.rgb_to_xyz_matrix();
    let close =
        a.v.iter()
            .flatten()
            .zip(b.v.iter().flatten())
            .all(|(x, y)| (x - y).abs() < 0.002);
    close && p.red_trc.is_some() && p.red_trc == p.green_trc && p.green_trc == p.blue_trc && {
        // a parametric or sampled curve: compare a few points against sRGB's
        match &p.red_trc {
            Some(trc) => trc_matches_srgb(trc),
            None => false,
        }
    }
}

fn trc_matches_srgb(trc: &moxcms::ToneReprCurve) -> bool {
    let Ok(eval) = trc.make_linear_evaluator() else {
        return false;
    };
    [0.05f32, 0.2, 0.5, 0.8, 0.98].iter().all(|&x| {
        let expected = if x <= 0.04045 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        };
        (eval.evaluate_value(x) - expected).abs() < 0.002
    })
}

/// Convert an RGB(A) frame tagged with `icc` to sRGB, in place. Profiles that cannot be parsed
/// or are not RGB are left alone: the pixels are still valid, only the tint may differ.
pub fn icc_to_srgb(raster: &mut Raster, icc: &[u8]) -> Result<()> {
    let Some(profile) = parse_profile(icc) else {
        return Ok(());
    };
    if profile.color_space != DataColorSpace::Rgb || is_srgb(&profile) {
        return Ok(());
    }
    let layout = match raster.layout {
        Layout::Rgb => CmsLayout::Rgb,
        Layout::Rgba => CmsLayout::Rgba,
    };
    let srgb = ColorProfile::new_srgb();
    // A profile moxcms parses but cannot build a transform for (e.g. an unsupported profile
    // connection) is treated like an unparsable one: the pixels are kept as they are.
    let Ok(transform) =
        profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
    else {
        return Ok(());
    };
    let row = raster.width as usize * raster.layout.channels();
    let mut tmp = vec![0u8; row * STRIP_ROWS];
    for strip in raster.data.chunks_mut(row * STRIP_ROWS) {
        let out = &mut tmp[..strip.len()];
        transform
            .transform(strip, out)
            .map_err(|e| Error::internal(format!("colour transform: {e:?}")))?;
        strip.copy_from_slice(out);
    }
    Ok(())
}

/// CMYK (ink amounts, 0 = no ink) to sRGB RGB. With a profile the conversion goes through it;
/// without one, the naive formula that browsers and the reference decodes use.
pub fn cmyk_to_rgb(cmyk: &[u8], width: u32, height: u32, icc: Option<&[u8]>) -> Result<Raster> {
    let n = width as usize * height as usize;
    let mut out = vec![0u8; n * 3];
    let profile = icc
        .and_then(parse_profile)
        .filter(|p| p.color_space == DataColorSpace::Cmyk);
    match profile {
        Some(p) => {
            let srgb = ColorProfile::new_srgb();
            let t = p
                .create_transform_8bit(
                    CmsLayout::Rgba,
                    &srgb,
                    CmsLayout::Rgb,
                    TransformOptions::default(),
                )
                .map_err(|e| Error::internal(format!("CMYK transform: {e:?}")))?;
            let px = width as usize * STRIP_ROWS;
            for (src, dst) in cmyk.chunks(px * 4).zip(out.chunks_mut(px * 3)) {
                t.transform(src, dst)
                    .map_err(|e| Error::internal(format!("CMYK transform: {e:?}")))?;
            }
        }
        None => {
            for (src, dst) in cmyk.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
                let k = 255 - src[3] as u32;
                for i in 0..3 {
                    dst[i] = (((255 - src[i] as u32) * k + 127) / 255) as u8;
                }
            }
        }
    }
    Ok(Raster::new(width, height, Layout::Rgb, out))
}

fn srgb_encode(linear: f64) -> f64 {
    if linear <= 0.003_130_8 {
        linear * 12.92
    } else {
        1.055 * linear.powf(1.0 / 2.4) - 0.055
    }
}

/// PNG gAMA without iCCP/sRGB: the file says its samples are `v^gamma`-encoded; re-encode them
/// with the sRGB curve. A gamma near 1/2.2 is already sRGB-like and is left alone.
pub fn png_gamma_to_srgb(raster: &mut Raster, file_gamma: f32) {
    if !(0.01..=10.0).contains(&file_gamma) || (file_gamma - 1.0 / 2.2).abs() < 0.01 {
        return;
    }
    let mut lut = [0u8; 256];
    for (i, v) in lut.iter_mut().enumerate() {
        let linear = (i as f64 / 255.0).powf(1.0 / file_gamma as f64);
        *v = (srgb_encode(linear) * 255.0).round().clamp(0.0, 255.0) as u8;
    }
    let c = raster.layout.channels();
    for p in raster.data.chunks_exact_mut(c) {
        for v in &mut p[..3] {
            *v = lut[*v as usize];
        }
    }
}
