//! simd128 for the wasm build's per-pixel hot spots: the lanes of `idct_lanes`' 8x8 and 4x4
//! inverse DCTs, and YCbCr -> RGB, which does exactly the integer operations of its scalar twin
//! (`convert::ycc`) four lanes at a time, so the output is bit-identical; tests/wasm.rs checks
//! decodes against the conformance references.

use super::idct_lanes::{self, Lanes};
use core::arch::wasm32::*;

#[inline(always)]
fn k(v: i32) -> v128 {
    i32x4_splat(v)
}

#[inline(always)]
fn add(a: v128, b: v128) -> v128 {
    i32x4_add(a, b)
}

#[inline(always)]
fn sub(a: v128, b: v128) -> v128 {
    i32x4_sub(a, b)
}

#[inline(always)]
fn mul(a: v128, c: i32) -> v128 {
    i32x4_mul(a, k(c))
}

#[derive(Clone, Copy)]
struct Simd(v128);

impl Lanes for Simd {
    #[inline(always)]
    fn splat(v: i32) -> Self {
        Simd(k(v))
    }
    #[inline(always)]
    fn load4(b: &[i32; 65], at: usize) -> Self {
        Simd(i32x4(b[at], b[at + 1], b[at + 2], b[at + 3]))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Simd(add(self.0, o.0))
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Simd(sub(self.0, o.0))
    }
    #[inline(always)]
    fn mul(self, c: i32) -> Self {
        Simd(mul(self.0, c))
    }
    #[inline(always)]
    fn shl(self, n: u32) -> Self {
        Simd(i32x4_shl(self.0, n))
    }
    #[inline(always)]
    fn sar(self, n: u32) -> Self {
        Simd(i32x4_shr(self.0, n))
    }
    #[inline(always)]
    fn transpose4(m: [Self; 4]) -> [Self; 4] {
        let t0 = i32x4_shuffle::<0, 4, 1, 5>(m[0].0, m[1].0);
        let t1 = i32x4_shuffle::<2, 6, 3, 7>(m[0].0, m[1].0);
        let t2 = i32x4_shuffle::<0, 4, 1, 5>(m[2].0, m[3].0);
        let t3 = i32x4_shuffle::<2, 6, 3, 7>(m[2].0, m[3].0);
        [
            Simd(i32x4_shuffle::<0, 1, 4, 5>(t0, t2)),
            Simd(i32x4_shuffle::<2, 3, 6, 7>(t0, t2)),
            Simd(i32x4_shuffle::<0, 1, 4, 5>(t1, t3)),
            Simd(i32x4_shuffle::<2, 3, 6, 7>(t1, t3)),
        ]
    }
    #[inline(always)]
    fn bytes8(lo: Self, hi: Self) -> [u8; 8] {
        let w = i16x8_narrow_i32x4(lo.0, hi.0);
        u64x2_extract_lane::<0>(u8x16_narrow_i16x8(w, w)).to_le_bytes()
    }
    #[inline(always)]
    fn bytes4x4(rows: [Self; 4]) -> [[u8; 4]; 4] {
        let w01 = i16x8_narrow_i32x4(rows[0].0, rows[1].0);
        let w23 = i16x8_narrow_i32x4(rows[2].0, rows[3].0);
        let px = u8x16_narrow_i16x8(w01, w23);
        [
            u32x4_extract_lane::<0>(px).to_le_bytes(),
            u32x4_extract_lane::<1>(px).to_le_bytes(),
            u32x4_extract_lane::<2>(px).to_le_bytes(),
            u32x4_extract_lane::<3>(px).to_le_bytes(),
        ]
    }
}

pub(super) fn idct8(block: &[i32; 65], out: &mut [u8], stride: usize) {
    idct_lanes::idct8::<Simd>(block, out, stride)
}

pub(super) fn idct4(block: &[i32; 65], out: &mut [u8], stride: usize) {
    idct_lanes::idct4::<Simd>(block, out, stride)
}

#[inline(always)]
fn load16(s: &[u8]) -> v128 {
    let lo = u64::from_le_bytes(s[..8].try_into().unwrap_or([0; 8]));
    let hi = u64::from_le_bytes(s[8..16].try_into().unwrap_or([0; 8]));
    u64x2(lo, hi)
}

/// Four i32x4 vectors of the 16 bytes' values minus `bias`.
#[inline(always)]
fn widen(v: v128, bias: i32) -> [v128; 4] {
    let lo = u16x8_extend_low_u8x16(v);
    let hi = u16x8_extend_high_u8x16(v);
    [
        sub(u32x4_extend_low_u16x8(lo), k(bias)),
        sub(u32x4_extend_high_u16x8(lo), k(bias)),
        sub(u32x4_extend_low_u16x8(hi), k(bias)),
        sub(u32x4_extend_high_u16x8(hi), k(bias)),
    ]
}

#[inline(always)]
fn narrow(v: [v128; 4]) -> v128 {
    u8x16_narrow_i16x8(
        i16x8_narrow_i32x4(v[0], v[1]),
        i16x8_narrow_i32x4(v[2], v[3]),
    )
}

/// YCbCr -> interleaved RGB for the first `width - width % 16` pixels (libjpeg's 16-bit
/// fixed point, see `convert::ycc`); returns how many pixels it converted.
pub(super) fn ycc_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], width: usize, out: &mut [u8]) -> usize {
    const HALF: i32 = 1 << 15;
    let n = width - width % 16;
    for i in (0..n).step_by(16) {
        let yv = widen(load16(&y[i..]), 0);
        let cbv = widen(load16(&cb[i..]), 128);
        let crv = widen(load16(&cr[i..]), 128);
        let r = narrow(std::array::from_fn(|j| {
            add(yv[j], i32x4_shr(add(mul(crv[j], 91881), k(HALF)), 16))
        }));
        let g = narrow(std::array::from_fn(|j| {
            let c = add(add(mul(cbv[j], -22554), mul(crv[j], -46802)), k(HALF));
            add(yv[j], i32x4_shr(c, 16))
        }));
        let b = narrow(std::array::from_fn(|j| {
            add(yv[j], i32x4_shr(add(mul(cbv[j], 116130), k(HALF)), 16))
        }));
        // interleave: r0 g0 b0 r1 g1 b1 ...; the 0s in the first shuffles are placeholders
        // the second shuffles overwrite with blue
        let t = i8x16_shuffle::<0, 16, 0, 1, 17, 0, 2, 18, 0, 3, 19, 0, 4, 20, 0, 5>(r, g);
        let o0 = i8x16_shuffle::<0, 1, 16, 3, 4, 17, 6, 7, 18, 9, 10, 19, 12, 13, 20, 15>(t, b);
        let t = i8x16_shuffle::<21, 0, 6, 22, 0, 7, 23, 0, 8, 24, 0, 9, 25, 0, 10, 26>(r, g);
        let o1 = i8x16_shuffle::<0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15>(t, b);
        let t = i8x16_shuffle::<0, 11, 27, 0, 12, 28, 0, 13, 29, 0, 14, 30, 0, 15, 31, 0>(r, g);
        let o2 = i8x16_shuffle::<26, 1, 2, 27, 4, 5, 28, 7, 8, 29, 10, 11, 30, 13, 14, 31>(t, b);
        let dst = &mut out[3 * i..3 * i + 48];
        for (j, v) in [o0, o1, o2].into_iter().enumerate() {
            dst[16 * j..16 * j + 8].copy_from_slice(&u64x2_extract_lane::<0>(v).to_le_bytes());
            dst[16 * j + 8..16 * j + 16].copy_from_slice(&u64x2_extract_lane::<1>(v).to_le_bytes());
        }
    }
    n
}
