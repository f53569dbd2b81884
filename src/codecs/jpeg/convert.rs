//! Colour conversion of one output row: libjpeg's fixed-point YCbCr -> RGB (16-bit tables,
//! so results match libjpeg exactly), and CMYK / YCCK to the ink amounts the pipeline's
//! `color::cmyk_to_rgb` expects (0 = no ink; Adobe files store inverted values).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ColorSpace {
    Gray,
    YCbCr,
    Rgb,
    Cmyk,
    Ycck,
}

impl ColorSpace {
    /// Bytes per output pixel: RGB for grey and colour, four ink channels for CMYK/YCCK.
    pub fn channels(self) -> usize {
        match self {
            ColorSpace::Cmyk | ColorSpace::Ycck => 4,
            _ => 3,
        }
    }
}

/// libjpeg's jdcolor.c at 16 bits: FIX(1.40200), FIX(0.34414), FIX(0.71414), FIX(1.77200),
/// with the same rounding, so the result equals libjpeg's tables exactly.
#[inline(always)]
fn ycc(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    const HALF: i32 = 1 << 15;
    let (y, cb, cr) = (y as i32, cb as i32 - 128, cr as i32 - 128);
    [
        (y + ((91881 * cr + HALF) >> 16)).clamp(0, 255) as u8,
        (y + ((-22554 * cb - 46802 * cr + HALF) >> 16)).clamp(0, 255) as u8,
        (y + ((116130 * cb + HALF) >> 16)).clamp(0, 255) as u8,
    ]
}

/// Converts `width` pixels; `rows` holds one row per component, each at least `width` long.
pub(super) fn convert_row(space: ColorSpace, rows: &[&[u8]], width: usize, out: &mut [u8]) {
    match space {
        ColorSpace::Gray => {
            for (o, &g) in out.chunks_exact_mut(3).zip(&rows[0][..width]) {
                o.fill(g);
            }
        }
        ColorSpace::YCbCr => {
            let (y, cb, cr) = (&rows[0][..width], &rows[1][..width], &rows[2][..width]);
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            let (y, cb, cr, out) = {
                let n = super::wasm_simd::ycc_to_rgb(y, cb, cr, width, out);
                (&y[n..], &cb[n..], &cr[n..], &mut out[3 * n..])
            };
            let pixels = out[..3 * y.len()].chunks_exact_mut(3);
            for (((o, &y), &cb), &cr) in pixels.zip(y).zip(cb).zip(cr) {
                o.copy_from_slice(&ycc(y, cb, cr));
            }
        }
        ColorSpace::Rgb => {
            let (r, g, b) = (&rows[0][..width], &rows[1][..width], &rows[2][..width]);
            let pixels = out[..3 * width].chunks_exact_mut(3);
            for (((o, &r), &g), &b) in pixels.zip(r).zip(g).zip(b) {
                o.copy_from_slice(&[r, g, b]);
            }
        }
        ColorSpace::Cmyk => {
            let (c, m, y, k) = (
                &rows[0][..width],
                &rows[1][..width],
                &rows[2][..width],
                &rows[3][..width],
            );
            for (i, o) in out[..4 * width].chunks_exact_mut(4).enumerate() {
                o.copy_from_slice(&[255 - c[i], 255 - m[i], 255 - y[i], 255 - k[i]]);
            }
        }
        ColorSpace::Ycck => {
            // libjpeg turns YCC into inverted CMY (255 - RGB) and passes K through; inverting
            // that again for ink amounts leaves RGB as it is and K inverted.
            let (y, cb, cr, k) = (
                &rows[0][..width],
                &rows[1][..width],
                &rows[2][..width],
                &rows[3][..width],
            );
            for (i, o) in out[..4 * width].chunks_exact_mut(4).enumerate() {
                let [r, g, b] = ycc(y[i], cb[i], cr[i]);
                o.copy_from_slice(&[r, g, b, 255 - k[i]]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ycc_matches_the_float_formula_within_one() {
        for y in (0..=255).step_by(17) {
            for cb in (0..=255).step_by(15) {
                for cr in (0..=255).step_by(15) {
                    let [r, g, b] = ycc(y as u8, cb as u8, cr as u8);
                    let (yf, cbf, crf) = (y as f64, cb as f64 - 128.0, cr as f64 - 128.0);
                    let want = [
                        yf + 1.402 * crf,
                        yf - 0.344136 * cbf - 0.714136 * crf,
                        yf + 1.772 * cbf,
                    ];
                    for (got, w) in [r, g, b].into_iter().zip(want) {
                        assert!((got as f64 - w.clamp(0.0, 255.0)).abs() <= 1.0);
                    }
                }
            }
        }
    }

    #[test]
    fn cmyk_is_inverted_to_ink() {
        let mut out = [0u8; 4];
        convert_row(
            ColorSpace::Cmyk,
            &[&[255], &[0], &[10], &[200]],
            1,
            &mut out,
        );
        assert_eq!(out, [0, 255, 245, 55]);
    }
}
