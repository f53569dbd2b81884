//! Point adjustments: `brightness`, `contrast`, `gamma` and `saturation`, in place.
//!
//! Each is the CSS Filter Effects function of the same name (or its SVG transfer function),
//! applied to gamma-encoded sRGB values with straight (not premultiplied) alpha, alpha left
//! unchanged, as browsers apply `filter: brightness() contrast() saturate()`:
//!   brightness b:  v * b
//!   contrast c:    (v - 0.5) * c + 0.5
//!   gamma g:       v ^ (1 / g)          (feFuncX type="gamma", exponent 1/g: 2 lightens)
//!   saturation s:  the `saturate(s)` matrix (Rec. 709 luma weights, 0 is grey)
//! The first three are one 256-entry table, computed in floating point and rounded once.

use super::{Layout, Raster};
use crate::options::Effects;

/// The table for brightness, then contrast, then gamma; `None` when none is given.
pub fn curve(e: &Effects) -> Option<[u8; 256]> {
    if e.brightness.is_none() && e.contrast.is_none() && e.gamma.is_none() {
        return None;
    }
    let mut table = [0u8; 256];
    for (i, out) in table.iter_mut().enumerate() {
        let mut v = i as f64 / 255.0;
        if let Some(b) = e.brightness {
            v = (v * b as f64).clamp(0.0, 1.0);
        }
        if let Some(c) = e.contrast {
            v = ((v - 0.5) * c as f64 + 0.5).clamp(0.0, 1.0);
        }
        if let Some(g) = e.gamma {
            v = v.powf(1.0 / g as f64);
        }
        *out = (v * 255.0).round().clamp(0.0, 255.0) as u8;
    }
    Some(table)
}

/// Maps every colour sample (not alpha) through `table`.
pub fn apply_curve(r: &mut Raster, table: &[u8; 256]) {
    match r.layout {
        Layout::Rgb => r.data.iter_mut().for_each(|v| *v = table[*v as usize]),
        Layout::Rgba => r.data.chunks_exact_mut(4).for_each(|p| {
            for v in &mut p[..3] {
                *v = table[*v as usize];
            }
        }),
    }
}

/// The `saturate(s)` matrix of the Filter Effects specification, rows R, G, B.
pub fn saturation_matrix(s: f32) -> [[f32; 3]; 3] {
    let s = s as f64;
    let m = [
        [0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s],
        [0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s],
        [0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s],
    ];
    m.map(|row| row.map(|v| v as f32))
}

/// Applies `saturate(s)` to every pixel, in 16.16 fixed point.
pub fn saturate(r: &mut Raster, s: f32) {
    let m = saturation_matrix(s).map(|row| row.map(|v| (v * 65536.0).round() as i32));
    let c = r.layout.channels();
    for p in r.data.chunks_exact_mut(c) {
        let (red, green, blue) = (p[0] as i32, p[1] as i32, p[2] as i32);
        for (out, row) in p[..3].iter_mut().zip(&m) {
            let v = row[0] * red + row[1] * green + row[2] * blue;
            *out = ((v + 32768) >> 16).clamp(0, 255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(b: Option<f32>, c: Option<f32>, g: Option<f32>) -> Effects {
        Effects {
            brightness: b,
            contrast: c,
            gamma: g,
            ..Effects::default()
        }
    }

    #[test]
    fn curves_follow_their_formulas() {
        let t = curve(&effects(Some(0.5), None, None)).unwrap();
        assert_eq!((t[0], t[200], t[255]), (0, 100, 128));
        let t = curve(&effects(Some(2.0), None, None)).unwrap();
        assert_eq!((t[100], t[200]), (200, 255));
        // 1.5 * v - 63.75 on the 0-255 scale
        let t = curve(&effects(None, Some(1.5), None)).unwrap();
        assert_eq!((t[0], t[100], t[200], t[255]), (0, 86, 236, 255));
        let t = curve(&effects(None, None, Some(2.0))).unwrap();
        // 2 lightens: (64/255)^(1/2) = 0.501
        assert_eq!((t[0], t[64], t[255]), (0, 128, 255));
        assert!(curve(&Effects::default()).is_none());
    }

    #[test]
    fn saturation_zero_is_grey_and_one_is_identity() {
        let mut r = Raster::new(2, 1, Layout::Rgb, vec![255, 0, 0, 10, 200, 30]);
        saturate(&mut r, 1.0);
        assert_eq!(r.data, vec![255, 0, 0, 10, 200, 30]);
        saturate(&mut r, 0.0);
        // Rec. 709 luma of pure red: 0.213 * 255 = 54
        assert_eq!(&r.data[..3], &[54, 54, 54]);
        assert!(r.data[3] == r.data[4] && r.data[4] == r.data[5]);
    }
}
