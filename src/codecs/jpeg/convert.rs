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

const SCALEBITS: u32 = 16;
const ONE_HALF: i32 = 1 << (SCALEBITS - 1);

const fn table(mul: i32, add: i32, shift: bool) -> [i32; 256] {
    let mut t = [0i32; 256];
    let mut i = 0;
    while i < 256 {
        let x = i as i32 - 128;
        t[i] = if shift {
            (mul * x + add) >> SCALEBITS
        } else {
            mul * x + add
        };
        i += 1;
    }
    t
}

// FIX(1.40200), FIX(1.77200), FIX(0.71414), FIX(0.34414) at 16 bits, as in libjpeg's jdcolor.c
static CR_R: [i32; 256] = table(91881, ONE_HALF, true);
static CB_B: [i32; 256] = table(116130, ONE_HALF, true);
static CR_G: [i32; 256] = table(-46802, 0, false);
static CB_G: [i32; 256] = table(-22554, ONE_HALF, false);

#[inline(always)]
fn ycc(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = y as i32;
    let (cb, cr) = (cb as usize, cr as usize);
    [
        (y + CR_R[cr]).clamp(0, 255) as u8,
        (y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS)).clamp(0, 255) as u8,
        (y + CB_B[cb]).clamp(0, 255) as u8,
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
            for (i, o) in out[..3 * width].chunks_exact_mut(3).enumerate() {
                o.copy_from_slice(&ycc(y[i], cb[i], cr[i]));
            }
        }
        ColorSpace::Rgb => {
            let (r, g, b) = (&rows[0][..width], &rows[1][..width], &rows[2][..width]);
            for (i, o) in out[..3 * width].chunks_exact_mut(3).enumerate() {
                o.copy_from_slice(&[r[i], g[i], b[i]]);
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
