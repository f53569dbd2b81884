//! Inverse DCT of one block into 8x8, 4x4, 2x2 or 1x1 pixels. The 8x8 transform is libjpeg's
//! accurate integer algorithm (Loeffler-Ligtenberg-Moschytz, 13-bit constants); the reduced
//! ones are the N-point inverse DCT of the top-left NxN coefficients with the 8-point
//! normalisation (IJG libjpeg 7+ `jpeg_idct_4x4` / `2x2` / `1x1`), i.e. the block's low
//! frequencies sampled at the centres of NxN cells. So a reduced transform never reads a
//! coefficient outside its NxN corner, which is what lets the entropy decoder skip them.
//!
//! Input is dequantized, in natural (row-major) order. Arithmetic wraps: corrupt files can
//! hold coefficients that overflow i32 (as they do in libjpeg); they give wrong pixels, never a
//! panic. In wasm with simd128 and on x86_64 with SSE4.1 the 8x8 and 4x4 transforms run as
//! `idct_lanes`' (one source, the same integer operations four lanes at a time, with the
//! lanes of `wasm_simd` or `x86_simd`).

use std::num::Wrapping as W;

type I = W<i32>;

use super::idct_lanes::*;

#[inline(always)]
fn descale(x: I, n: u32) -> I {
    (x + W(1 << (n - 1))) >> n as usize
}

#[inline(always)]
fn pixel(x: I) -> u8 {
    (x + W(128)).0.clamp(0, 255) as u8
}

/// The 8-point kernel, outputs scaled by 2^CONST_BITS * sqrt(8) / 2.
#[inline(always)]
fn kernel8(d: [I; 8]) -> [I; 8] {
    let z1 = (d[2] + d[6]) * W(FIX_0_541196100);
    let tmp2 = z1 - d[6] * W(FIX_1_847759065);
    let tmp3 = z1 + d[2] * W(FIX_0_765366865);
    let tmp0 = (d[0] + d[4]) << CONST_BITS as usize;
    let tmp1 = (d[0] - d[4]) << CONST_BITS as usize;
    let (tmp10, tmp13) = (tmp0 + tmp3, tmp0 - tmp3);
    let (tmp11, tmp12) = (tmp1 + tmp2, tmp1 - tmp2);

    let (t0, t1, t2, t3) = (d[7], d[5], d[3], d[1]);
    let z5 = (t0 + t2 + t1 + t3) * W(FIX_1_175875602);
    let z1 = (t0 + t3) * W(-FIX_0_899976223);
    let z2 = (t1 + t2) * W(-FIX_2_562915447);
    let z3 = (t0 + t2) * W(-FIX_1_961570560) + z5;
    let z4 = (t1 + t3) * W(-FIX_0_390180644) + z5;
    let t0 = t0 * W(FIX_0_298631336) + z1 + z3;
    let t1 = t1 * W(FIX_2_053119869) + z2 + z4;
    let t2 = t2 * W(FIX_3_072711026) + z2 + z3;
    let t3 = t3 * W(FIX_1_501321110) + z1 + z4;
    [
        tmp10 + t3,
        tmp11 + t2,
        tmp12 + t1,
        tmp13 + t0,
        tmp13 - t0,
        tmp12 - t1,
        tmp11 - t2,
        tmp10 - t3,
    ]
}

/// The 4-point kernel on the low 4 coefficients, same scaling as `kernel8`.
#[inline(always)]
fn kernel4(d: [I; 4]) -> [I; 4] {
    let tmp10 = (d[0] + d[2]) << CONST_BITS as usize;
    let tmp12 = (d[0] - d[2]) << CONST_BITS as usize;
    let z1 = (d[1] + d[3]) * W(FIX_0_541196100);
    let t0 = z1 + d[1] * W(FIX_0_765366865);
    let t2 = z1 - d[3] * W(FIX_1_847759065);
    [tmp10 + t0, tmp12 + t2, tmp12 - t2, tmp10 - t0]
}

/// Full-size transform. `out` starts at the block's top-left pixel, rows `stride` apart.
pub(super) fn idct8(block: &[i32; 65], out: &mut [u8], stride: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return super::wasm_simd::idct8(block, out, stride);
    #[cfg(target_arch = "x86_64")]
    if super::x86_simd::available() {
        // SAFETY: the CPU has SSE4.1
        return unsafe { super::x86_simd::idct8(block, out, stride) };
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    idct8_scalar(block, out, stride)
}

/// 1/2 scale: 4x4 pixels from the top-left 4x4 coefficients.
pub(super) fn idct4(block: &[i32; 65], out: &mut [u8], stride: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return super::wasm_simd::idct4(block, out, stride);
    #[cfg(target_arch = "x86_64")]
    if super::x86_simd::available() {
        // SAFETY: the CPU has SSE4.1
        return unsafe { super::x86_simd::idct4(block, out, stride) };
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    idct4_scalar(block, out, stride)
}

#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128", not(test)),
    allow(dead_code)
)]
pub(super) fn idct8_scalar(block: &[i32; 65], out: &mut [u8], stride: usize) {
    let mut ws = [W(0i32); 64];
    for c in 0..8 {
        let col = |r: usize| W(block[r * 8 + c]);
        if (1..8).all(|r| block[r * 8 + c] == 0) {
            // same result as the kernel: its DC term, exactly
            let dc = col(0) << PASS1_BITS as usize;
            for r in 0..8 {
                ws[r * 8 + c] = dc;
            }
            continue;
        }
        let o = kernel8([
            col(0),
            col(1),
            col(2),
            col(3),
            col(4),
            col(5),
            col(6),
            col(7),
        ]);
        for r in 0..8 {
            ws[r * 8 + c] = descale(o[r], CONST_BITS - PASS1_BITS);
        }
    }
    for (r, row) in ws.chunks_exact(8).enumerate() {
        let dst = &mut out[r * stride..r * stride + 8];
        if row[1..].iter().all(|v| v.0 == 0) {
            dst.fill(pixel(descale(row[0], PASS1_BITS + 3)));
            continue;
        }
        let o = kernel8([
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
        ]);
        for (d, v) in dst.iter_mut().zip(o) {
            *d = pixel(descale(v, CONST_BITS + PASS1_BITS + 3));
        }
    }
}

#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128", not(test)),
    allow(dead_code)
)]
pub(super) fn idct4_scalar(block: &[i32; 65], out: &mut [u8], stride: usize) {
    let mut ws = [W(0i32); 16];
    for c in 0..4 {
        let o = kernel4([
            W(block[c]),
            W(block[8 + c]),
            W(block[16 + c]),
            W(block[24 + c]),
        ]);
        for r in 0..4 {
            ws[r * 4 + c] = descale(o[r], CONST_BITS - PASS1_BITS);
        }
    }
    for (r, row) in ws.chunks_exact(4).enumerate() {
        let o = kernel4([row[0], row[1], row[2], row[3]]);
        let dst = &mut out[r * stride..r * stride + 4];
        for (d, v) in dst.iter_mut().zip(o) {
            *d = pixel(descale(v, CONST_BITS + PASS1_BITS + 3));
        }
    }
}

/// 1/4 scale: 2x2 pixels from the top-left 2x2 coefficients.
pub(super) fn idct2(block: &[i32; 65], out: &mut [u8], stride: usize) {
    let (a, b, c, d) = (W(block[0]), W(block[1]), W(block[8]), W(block[9]));
    let (top0, top1) = (a + c, a - c); // rows: vertical frequency sign
    out[0] = pixel(descale(top0 + (b + d), 3));
    out[1] = pixel(descale(top0 - (b + d), 3));
    out[stride] = pixel(descale(top1 + (b - d), 3));
    out[stride + 1] = pixel(descale(top1 - (b - d), 3));
}

/// The pixel value of a block whose AC coefficients are all zero (at any size), and the whole
/// 1/8-scale transform: the block's mean.
#[inline(always)]
pub(super) fn dc_pixel(dc: i32) -> u8 {
    pixel(descale(W(dc), 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x, y) at the centre of n x n cells, from the top-left n x n coefficients with the
    /// 8-point normalisation, in floating point.
    fn reference(block: &[i32; 65], n: usize) -> Vec<f64> {
        let c = |u: usize| if u == 0 { 1.0 / 2f64.sqrt() } else { 1.0 };
        let pi = std::f64::consts::PI;
        let mut out = vec![0.0; n * n];
        for y in 0..n {
            for x in 0..n {
                let mut s = 0.0;
                for v in 0..n {
                    for u in 0..n {
                        s += c(u)
                            * c(v)
                            * block[v * 8 + u] as f64
                            * ((2 * x + 1) as f64 * u as f64 * pi / (2 * n) as f64).cos()
                            * ((2 * y + 1) as f64 * v as f64 * pi / (2 * n) as f64).cos();
                    }
                }
                out[y * n + x] = (s / 4.0 + 128.0).clamp(0.0, 255.0);
            }
        }
        out
    }

    fn blocks() -> Vec<[i32; 65]> {
        // a deterministic mix: DC only, sparse low frequencies, dense noise
        let mut seed = 0x1234_5678u32;
        let mut rnd = move |m: i32| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed % (2 * m as u32 + 1)) as i32 - m
        };
        let mut out = Vec::new();
        for i in 0..300 {
            let mut b = [0i32; 65];
            b[0] = rnd(1000);
            let dense = i % 3;
            for (k, c) in b.iter_mut().enumerate().take(64).skip(1) {
                let amp = match dense {
                    0 => 0,
                    1 if k % 9 == 1 => 300,
                    1 => 0,
                    _ => 600 / (1 + (k as i32 / 8) + (k as i32 % 8)),
                };
                if amp > 0 {
                    *c = rnd(amp);
                }
            }
            out.push(b);
        }
        out
    }

    #[test]
    fn every_size_matches_the_float_transform_within_one() {
        for b in blocks() {
            let mut px = [0u8; 64];
            for (n, f) in [
                (8, idct8_scalar as fn(&[i32; 65], &mut [u8], usize)),
                (4, idct4_scalar),
                (2, idct2),
            ] {
                f(&b, &mut px, 8);
                let want = reference(&b, n);
                for y in 0..n {
                    for x in 0..n {
                        let d = (px[y * 8 + x] as f64 - want[y * n + x]).abs();
                        assert!(
                            d <= 1.0,
                            "{n}x{n} at ({x},{y}): {} vs {}",
                            px[y * 8 + x],
                            want[y * n + x]
                        );
                    }
                }
            }
            let dc = dc_pixel(b[0]);
            assert!((dc as f64 - reference(&b, 1)[0]).abs() <= 0.5 + 1e-9);
        }
    }

    #[test]
    fn wild_coefficients_do_not_panic() {
        let b = [i32::MAX; 65];
        let mut px = [0u8; 64];
        idct8_scalar(&b, &mut px, 8);
        idct4_scalar(&b, &mut px, 8);
        idct2(&b, &mut px, 8);
        dc_pixel(b[0]);
    }

    /// The SSE4.1 transforms give the scalar ones' bytes on every test block, wild
    /// coefficients included (wrapping arithmetic, saturation as the clamp), with a stride
    /// wider than the block as in a real row buffer.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse41_transforms_equal_the_scalar_ones() {
        assert!(
            super::super::x86_simd::available(),
            "this test needs an SSE4.1 CPU to check the path it runs"
        );
        let mut cases = blocks();
        for v in [i32::MAX, i32::MIN, 1 << 20, -(1 << 20)] {
            cases.push([v; 65]);
            cases.push(std::array::from_fn(|i| {
                if i % 2 == 0 {
                    v
                } else {
                    v.wrapping_neg()
                }
            }));
        }
        for b in cases {
            for (n, simd, scalar) in [
                (
                    8,
                    super::super::x86_simd::idct8 as unsafe fn(&[i32; 65], &mut [u8], usize),
                    idct8_scalar as fn(&[i32; 65], &mut [u8], usize),
                ),
                (4, super::super::x86_simd::idct4, idct4_scalar),
            ] {
                let (mut got, mut want) = ([7u8; 8 * 13], [7u8; 8 * 13]);
                // SAFETY: SSE4.1 is present (asserted above)
                unsafe { simd(&b, &mut got, 13) };
                scalar(&b, &mut want, 13);
                assert_eq!(got, want, "{n}x{n}: {:?}", &b[..16]);
            }
        }
    }
}
