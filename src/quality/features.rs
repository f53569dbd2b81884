//! Cheap features of a rendered frame that predict how much quality it needs: what the
//! predictor reads. One pass over the luma of every other row, a few ms on a 1200 px frame.
//!
//! Why each one: JPEG and WebP artefacts hide in texture and noise (masking) and show on flat
//! areas and smooth gradients (blocking, banding); chroma subsampling costs most on saturated
//! colour edges; a source that was already a low-quality JPEG gains nothing from a high
//! setting; a downscaled frame has denser detail per pixel than its source.

use crate::cursor::Cursor;
use crate::pixels::{Layout, Raster};

/// Feature names in the order of [`Features::values`], as the model file and the CSV use them.
pub const NAMES: [&str; 8] = [
    "source_quality",
    "log_pixels",
    "scale",
    "gradient",
    "flat_share",
    "chroma",
    "noise",
    "alpha",
];

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// The libjpeg quality whose luma table is closest to the source's (JPEG sources), else 100.
    pub source_quality: f64,
    /// ln(output pixels).
    pub log_pixels: f64,
    /// Output size over the size of the source region it was made from (linear, <= 1 when
    /// shrinking).
    pub scale: f64,
    /// Mean absolute luma difference to the right and below neighbours, in 0..255.
    pub gradient: f64,
    /// Share of 8x8 luma blocks whose values span at most 4 levels (where blocking shows).
    pub flat_share: f64,
    /// Mean distance of the chroma from grey (|Cb - 128| + |Cr - 128|) / 2, in 0..128.
    pub chroma: f64,
    /// Immerkaer's noise estimate (standard deviation of the luma noise, 0..255).
    pub noise: f64,
    /// 1 when some pixel is not opaque.
    pub alpha: f64,
}

impl Features {
    pub fn values(&self) -> [f64; 8] {
        [
            self.source_quality,
            self.log_pixels,
            self.scale,
            self.gradient,
            self.flat_share,
            self.chroma,
            self.noise,
            self.alpha,
        ]
    }
}

/// The features of `frame`, made from a source region of `source_pixels` pixels whose encoded
/// bytes are `source`.
pub fn measure(frame: &Raster, source: &[u8], source_pixels: f64) -> Features {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let c = frame.layout.channels();
    let luma_at = |x: usize, y: usize| -> i32 {
        let i = (y * w + x) * c;
        let d = &frame.data;
        (77 * d[i] as i32 + 150 * d[i + 1] as i32 + 29 * d[i + 2] as i32) >> 8
    };
    let (mut grad, mut grad_n) = (0u64, 0u64);
    let (mut noise, mut noise_n) = (0u64, 0u64);
    let (mut chroma, mut chroma_n) = (0u64, 0u64);
    let mut alpha = false;
    for y in (0..h).step_by(2) {
        for x in 0..w {
            let i = (y * w + x) * c;
            let (r, g, b) = (
                frame.data[i] as i32,
                frame.data[i + 1] as i32,
                frame.data[i + 2] as i32,
            );
            // BT.601 chroma, as JPEG stores it
            let cb = (-43 * r - 85 * g + 128 * b) >> 8;
            let cr = (128 * r - 107 * g - 21 * b) >> 8;
            chroma += (cb.unsigned_abs() + cr.unsigned_abs()) as u64;
            chroma_n += 2;
            if frame.layout == Layout::Rgba && frame.data[i + 3] != 255 {
                alpha = true;
            }
            let l = luma_at(x, y);
            if x + 1 < w && y + 1 < h {
                grad += ((l - luma_at(x + 1, y)).unsigned_abs()
                    + (l - luma_at(x, y + 1)).unsigned_abs()) as u64;
                grad_n += 2;
            }
            if x >= 1 && y >= 1 && x + 1 < w && y + 1 < h {
                let n = luma_at(x - 1, y - 1) - 2 * luma_at(x, y - 1) + luma_at(x + 1, y - 1)
                    - 2 * luma_at(x - 1, y)
                    + 4 * l
                    - 2 * luma_at(x + 1, y)
                    + luma_at(x - 1, y + 1)
                    - 2 * luma_at(x, y + 1)
                    + luma_at(x + 1, y + 1);
                noise += n.unsigned_abs() as u64;
                noise_n += 1;
            }
        }
    }
    let (mut flat, mut blocks) = (0u64, 0u64);
    for by in (0..h / 8).step_by(2) {
        for bx in 0..w / 8 {
            let (mut lo, mut hi) = (255, 0);
            for y in by * 8..by * 8 + 8 {
                for x in bx * 8..bx * 8 + 8 {
                    let l = luma_at(x, y);
                    lo = lo.min(l);
                    hi = hi.max(l);
                }
            }
            blocks += 1;
            flat += (hi - lo <= 4) as u64;
        }
    }
    let mean = |s: u64, n: u64| if n == 0 { 0.0 } else { s as f64 / n as f64 };
    let pixels = (w * h).max(1) as f64;
    Features {
        source_quality: source_jpeg_quality(source).unwrap_or(100) as f64,
        log_pixels: pixels.ln(),
        scale: (pixels / source_pixels.max(1.0)).sqrt().min(4.0),
        gradient: mean(grad, grad_n),
        flat_share: mean(flat, blocks),
        chroma: mean(chroma, chroma_n),
        // Immerkaer 1996: sigma = sqrt(pi / 2) / 6 * mean |I * N|
        noise: (std::f64::consts::PI / 2.0).sqrt() / 6.0 * mean(noise, noise_n),
        alpha: alpha as u8 as f64,
    }
}

/// The IJG (libjpeg) luminance table at quality 50, in zigzag order as DQT stores it; only its
/// sum is compared, so the order does not matter.
const IJG_LUMA: [u16; 64] = [
    16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37,
    29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81,
    87, 95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];

/// The libjpeg quality (1..=100) whose scaled luminance table has the sum closest to the
/// source's first quantisation table, or None when `bytes` is not a JPEG with a DQT before its
/// first scan. Encoders with their own tables get the libjpeg quality of the same coarseness.
pub fn source_jpeg_quality(bytes: &[u8]) -> Option<u8> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut c = Cursor::at(bytes, 2);
    while c.remaining() >= 4 {
        if c.u8()? != 0xFF {
            return None;
        }
        let mut marker = c.u8()?;
        while marker == 0xFF {
            marker = c.u8()?; // fill bytes before the marker
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = c.be16()?;
        let seg = c.take((len as u64).checked_sub(2)?)?;
        if marker == 0xDB {
            let (&pq_tq, rest) = seg.split_first()?;
            let sum: u64 = if pq_tq >> 4 == 0 {
                rest.get(..64)?.iter().map(|&v| v as u64).sum()
            } else {
                rest.get(..128)?
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]) as u64)
                    .sum()
            };
            return (1..=100u8).min_by_key(|&q| {
                let scale = if q < 50 {
                    5000 / q as u32
                } else {
                    200 - 2 * q as u32
                };
                let t: u64 = IJG_LUMA
                    .iter()
                    .map(|&b| ((b as u32 * scale + 50) / 100).clamp(1, 255) as u64)
                    .sum();
                t.abs_diff(sum)
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(q: u8) -> Vec<u8> {
        let data: Vec<u8> = (0..64 * 64 * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, q)
            .encode(&data, 64, 64, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    #[test]
    fn source_quality_reads_back_the_encoder_setting() {
        for q in [30u8, 50, 75, 85, 95] {
            let est = source_jpeg_quality(&jpeg(q)).unwrap();
            assert!(est.abs_diff(q) <= 2, "q{q} read as {est}");
        }
        assert_eq!(source_jpeg_quality(b"\x89PNG"), None);
        assert_eq!(
            source_jpeg_quality(&[0xFF, 0xD8, 0xFF, 0xDB, 0xFF, 0xFF]),
            None
        );
    }

    #[test]
    fn flat_frames_are_flat_and_noisy_frames_are_noisy() {
        let flat = Raster::new(64, 64, Layout::Rgb, vec![120; 64 * 64 * 3]);
        let f = measure(&flat, &[], 64.0 * 64.0);
        assert_eq!(
            (f.flat_share, f.gradient, f.noise, f.chroma),
            (1.0, 0.0, 0.0, 0.0)
        );
        let mut s = 1u32;
        let noisy: Vec<u8> = (0..64 * 64 * 3)
            .map(|_| {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (s >> 24) as u8
            })
            .collect();
        let n = measure(&Raster::new(64, 64, Layout::Rgb, noisy), &[], 4096.0);
        assert!(n.noise > 20.0 && n.flat_share == 0.0, "{n:?}");
        assert_eq!(n.source_quality, 100.0);
    }
}
