//! SSE4.1 versions of the 8x8 and 4x4 inverse DCTs for native x86_64 builds, chosen at run
//! time (`available`): the same integer operations as `idct::idct8_scalar` /
//! `idct::idct4_scalar`, four lanes at a time, so the output is bit-identical (wrapping
//! 32-bit arithmetic, signed then unsigned saturation as the scalar clamp). A line-for-line
//! twin of `wasm_simd`'s transforms; SSE4.1 is needed for the 32-bit lane multiply.

use super::idct::*;
use core::arch::x86_64::*;

/// Whether this CPU runs the transforms here (std caches the CPUID answer).
#[inline]
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("sse4.1")
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn k(v: i32) -> __m128i {
    _mm_set1_epi32(v)
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn add(a: __m128i, b: __m128i) -> __m128i {
    _mm_add_epi32(a, b)
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn sub(a: __m128i, b: __m128i) -> __m128i {
    _mm_sub_epi32(a, b)
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn mul(a: __m128i, c: i32) -> __m128i {
    _mm_mullo_epi32(a, k(c))
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn shl(a: __m128i, n: u32) -> __m128i {
    _mm_sll_epi32(a, _mm_cvtsi32_si128(n as i32))
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn descale(x: __m128i, n: u32) -> __m128i {
    _mm_sra_epi32(add(x, k(1 << (n - 1))), _mm_cvtsi32_si128(n as i32))
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn kernel8(d: [__m128i; 8]) -> [__m128i; 8] {
    let z1 = mul(add(d[2], d[6]), FIX_0_541196100);
    let tmp2 = sub(z1, mul(d[6], FIX_1_847759065));
    let tmp3 = add(z1, mul(d[2], FIX_0_765366865));
    let tmp0 = shl(add(d[0], d[4]), CONST_BITS);
    let tmp1 = shl(sub(d[0], d[4]), CONST_BITS);
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

#[inline]
#[target_feature(enable = "sse4.1")]
fn kernel4(d: [__m128i; 4]) -> [__m128i; 4] {
    let tmp10 = shl(add(d[0], d[2]), CONST_BITS);
    let tmp12 = shl(sub(d[0], d[2]), CONST_BITS);
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

#[inline]
#[target_feature(enable = "sse4.1")]
fn transpose4(m: [__m128i; 4]) -> [__m128i; 4] {
    let t0 = _mm_unpacklo_epi32(m[0], m[1]);
    let t1 = _mm_unpackhi_epi32(m[0], m[1]);
    let t2 = _mm_unpacklo_epi32(m[2], m[3]);
    let t3 = _mm_unpackhi_epi32(m[2], m[3]);
    [
        _mm_unpacklo_epi64(t0, t2),
        _mm_unpackhi_epi64(t0, t2),
        _mm_unpacklo_epi64(t1, t3),
        _mm_unpackhi_epi64(t1, t3),
    ]
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn load4(b: &[i32; 65], at: usize) -> __m128i {
    _mm_set_epi32(b[at + 3], b[at + 2], b[at + 1], b[at])
}

#[inline]
#[target_feature(enable = "sse4.1")]
fn map(v: [__m128i; 8], n: u32) -> [__m128i; 8] {
    [
        descale(v[0], n),
        descale(v[1], n),
        descale(v[2], n),
        descale(v[3], n),
        descale(v[4], n),
        descale(v[5], n),
        descale(v[6], n),
        descale(v[7], n),
    ]
}

/// Eight i32 lanes (two vectors) + 128, saturated to 0..=255, as eight bytes.
#[inline]
#[target_feature(enable = "sse4.1")]
fn pixels8(lo: __m128i, hi: __m128i) -> [u8; 8] {
    let w = _mm_packs_epi32(add(lo, k(128)), add(hi, k(128)));
    (_mm_cvtsi128_si64(_mm_packus_epi16(w, w)) as u64).to_le_bytes()
}

/// # Safety
/// The CPU must have SSE4.1 (`available`).
#[target_feature(enable = "sse4.1")]
pub(super) unsafe fn idct8(block: &[i32; 65], out: &mut [u8], stride: usize) {
    // pass 1: vertical, columns 0..4 and 4..8 as two sets of lanes
    let col = |c: usize| {
        [
            load4(block, c),
            load4(block, 8 + c),
            load4(block, 16 + c),
            load4(block, 24 + c),
            load4(block, 32 + c),
            load4(block, 40 + c),
            load4(block, 48 + c),
            load4(block, 56 + c),
        ]
    };
    let p1 = CONST_BITS - PASS1_BITS;
    let lo = map(kernel8(col(0)), p1);
    let hi = map(kernel8(col(4)), p1);
    // pass 2: horizontal; after transposing, vector x holds column x with rows as lanes
    let p2 = CONST_BITS + PASS1_BITS + 3;
    for half in 0..2 {
        let rows = half * 4;
        let a = transpose4([lo[rows], lo[rows + 1], lo[rows + 2], lo[rows + 3]]);
        let b = transpose4([hi[rows], hi[rows + 1], hi[rows + 2], hi[rows + 3]]);
        let o = map(
            kernel8([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]),
            p2,
        );
        // back to rows: columns 0..4 and 4..8 of rows `rows..rows + 4`
        let left = transpose4([o[0], o[1], o[2], o[3]]);
        let right = transpose4([o[4], o[5], o[6], o[7]]);
        for r in 0..4 {
            let at = (rows + r) * stride;
            out[at..at + 8].copy_from_slice(&pixels8(left[r], right[r]));
        }
    }
}

/// # Safety
/// The CPU must have SSE4.1 (`available`).
#[target_feature(enable = "sse4.1")]
pub(super) unsafe fn idct4(block: &[i32; 65], out: &mut [u8], stride: usize) {
    let p1 = CONST_BITS - PASS1_BITS;
    let ws = kernel4([
        load4(block, 0),
        load4(block, 8),
        load4(block, 16),
        load4(block, 24),
    ]);
    let ws = [
        descale(ws[0], p1),
        descale(ws[1], p1),
        descale(ws[2], p1),
        descale(ws[3], p1),
    ];
    let p2 = CONST_BITS + PASS1_BITS + 3;
    let o = kernel4(transpose4(ws));
    let o = [
        descale(o[0], p2),
        descale(o[1], p2),
        descale(o[2], p2),
        descale(o[3], p2),
    ];
    let rows = transpose4(o);
    let w01 = _mm_packs_epi32(add(rows[0], k(128)), add(rows[1], k(128)));
    let w23 = _mm_packs_epi32(add(rows[2], k(128)), add(rows[3], k(128)));
    let px = _mm_packus_epi16(w01, w23);
    let lanes = [
        _mm_extract_epi32::<0>(px),
        _mm_extract_epi32::<1>(px),
        _mm_extract_epi32::<2>(px),
        _mm_extract_epi32::<3>(px),
    ];
    for (r, v) in lanes.iter().enumerate() {
        out[r * stride..r * stride + 4].copy_from_slice(&v.to_le_bytes());
    }
}
