//! simd128 versions of the per-pixel hot spots for the wasm build: the 8x8 and 4x4 inverse
//! DCTs and YCbCr -> RGB. Each does exactly the integer operations of its scalar twin
//! (`idct::idct8_scalar`, `idct::idct4_scalar`, `convert::ycc`), four lanes at a time, so the
//! output is bit-identical; tests/wasm.rs checks decodes against the conformance references.

use super::idct::*;
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

#[inline(always)]
fn descale(x: v128, n: u32) -> v128 {
    i32x4_shr(add(x, k(1 << (n - 1))), n)
}

#[inline(always)]
fn kernel8(d: [v128; 8]) -> [v128; 8] {
    let z1 = mul(add(d[2], d[6]), FIX_0_541196100);
    let tmp2 = sub(z1, mul(d[6], FIX_1_847759065));
    let tmp3 = add(z1, mul(d[2], FIX_0_765366865));
    let tmp0 = i32x4_shl(add(d[0], d[4]), CONST_BITS);
    let tmp1 = i32x4_shl(sub(d[0], d[4]), CONST_BITS);
    let (tmp10, tmp13) = (add(tmp0, tmp3), sub(tmp0, tmp3));
    let (tmp11, tmp12) = (add(tmp1, tmp2), sub(tmp1, tmp2));

    let (t0, t1, t2, t3) = (d[7], d[5], d[3], d[1]);
    let z5 = mul(add(add(t0, t2), add(t1, t3)), FIX_1_175875602);
    let z1 = mul(add(t0, t3), -FIX_0_899976223);
    let z2 = mul(add(t1, t2), -FIX_2_562915447);
    let z3 = add(mul(add(t0, t2), -FIX_1_961570560), z5);
    let z4 = add(mul(add(t1, t3), -FIX_0_390180644), z5);
    let t0 = add(add(mul(t0, FIX_0_298631336), z1), z3);
    let t1 = add(add(mul(t1, FIX_2_053119869), z2), z4);
    let t2 = add(add(mul(t2, FIX_3_072711026), z2), z3);
    let t3 = add(add(mul(t3, FIX_1_501321110), z1), z4);
    [
        add(tmp10, t3),
        add(tmp11, t2),
        add(tmp12, t1),
        add(tmp13, t0),
        sub(tmp13, t0),
        sub(tmp12, t1),
        sub(tmp11, t2),
        sub(tmp10, t3),
    ]
}

#[inline(always)]
fn kernel4(d: [v128; 4]) -> [v128; 4] {
    let tmp10 = i32x4_shl(add(d[0], d[2]), CONST_BITS);
    let tmp12 = i32x4_shl(sub(d[0], d[2]), CONST_BITS);
    let z1 = mul(add(d[1], d[3]), FIX_0_541196100);
    let t0 = add(z1, mul(d[1], FIX_0_765366865));
    let t2 = sub(z1, mul(d[3], FIX_1_847759065));
    [
        add(tmp10, t0),
        add(tmp12, t2),
        sub(tmp12, t2),
        sub(tmp10, t0),
    ]
}

#[inline(always)]
fn transpose4(m: [v128; 4]) -> [v128; 4] {
    let t0 = i32x4_shuffle::<0, 4, 1, 5>(m[0], m[1]);
    let t1 = i32x4_shuffle::<2, 6, 3, 7>(m[0], m[1]);
    let t2 = i32x4_shuffle::<0, 4, 1, 5>(m[2], m[3]);
    let t3 = i32x4_shuffle::<2, 6, 3, 7>(m[2], m[3]);
    [
        i32x4_shuffle::<0, 1, 4, 5>(t0, t2),
        i32x4_shuffle::<2, 3, 6, 7>(t0, t2),
        i32x4_shuffle::<0, 1, 4, 5>(t1, t3),
        i32x4_shuffle::<2, 3, 6, 7>(t1, t3),
    ]
}

#[inline(always)]
fn load4(b: &[i32; 65], at: usize) -> v128 {
    i32x4(b[at], b[at + 1], b[at + 2], b[at + 3])
}

/// Eight i32 lanes (two vectors) + 128, saturated to 0..=255, as eight bytes.
#[inline(always)]
fn pixels8(lo: v128, hi: v128) -> [u8; 8] {
    let w = i16x8_narrow_i32x4(add(lo, k(128)), add(hi, k(128)));
    u64x2_extract_lane::<0>(u8x16_narrow_i16x8(w, w)).to_le_bytes()
}

pub(super) fn idct8(block: &[i32; 65], out: &mut [u8], stride: usize) {
    // pass 1: vertical, columns 0..4 and 4..8 as two sets of lanes
    let lo = kernel8(std::array::from_fn(|r| load4(block, r * 8)));
    let hi = kernel8(std::array::from_fn(|r| load4(block, r * 8 + 4)));
    let p1 = CONST_BITS - PASS1_BITS;
    let lo = lo.map(|v| descale(v, p1));
    let hi = hi.map(|v| descale(v, p1));
    // pass 2: horizontal; after transposing, vector x holds column x with rows as lanes
    let p2 = CONST_BITS + PASS1_BITS + 3;
    for half in 0..2 {
        let rows = half * 4;
        let a = transpose4([lo[rows], lo[rows + 1], lo[rows + 2], lo[rows + 3]]);
        let b = transpose4([hi[rows], hi[rows + 1], hi[rows + 2], hi[rows + 3]]);
        let o = kernel8([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]).map(|v| descale(v, p2));
        // back to rows: columns 0..4 and 4..8 of rows `rows..rows + 4`
        let left = transpose4([o[0], o[1], o[2], o[3]]);
        let right = transpose4([o[4], o[5], o[6], o[7]]);
        for r in 0..4 {
            let at = (rows + r) * stride;
            out[at..at + 8].copy_from_slice(&pixels8(left[r], right[r]));
        }
    }
}

pub(super) fn idct4(block: &[i32; 65], out: &mut [u8], stride: usize) {
    let p1 = CONST_BITS - PASS1_BITS;
    let ws = kernel4(std::array::from_fn(|r| load4(block, r * 8))).map(|v| descale(v, p1));
    let p2 = CONST_BITS + PASS1_BITS + 3;
    let o = kernel4(transpose4(ws)).map(|v| descale(v, p2));
    let rows = transpose4(o);
    let w01 = i16x8_narrow_i32x4(add(rows[0], k(128)), add(rows[1], k(128)));
    let w23 = i16x8_narrow_i32x4(add(rows[2], k(128)), add(rows[3], k(128)));
    let px = u8x16_narrow_i16x8(w01, w23);
    let lanes = [
        u32x4_extract_lane::<0>(px),
        u32x4_extract_lane::<1>(px),
        u32x4_extract_lane::<2>(px),
        u32x4_extract_lane::<3>(px),
    ];
    for (r, v) in lanes.iter().enumerate() {
        out[r * stride..r * stride + 4].copy_from_slice(&v.to_le_bytes());
    }
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
