//! SSE4.1 lanes for `idct_lanes`' transforms in native x86_64 builds, chosen at run time
//! (`available`). SSE4.1 is needed for the 32-bit lane multiply and extract.

use super::idct_lanes::{self, Lanes};
use core::arch::x86_64::*;

/// Whether this CPU runs the transforms here (std caches the CPUID answer).
#[inline]
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("sse4.1")
}

#[derive(Clone, Copy)]
struct Sse(__m128i);

// SAFETY (every block below): `Sse` values exist only inside `idct8` / `idct4`, whose callers
// checked `available()`; the other intrinsics are SSE2, part of every x86_64 CPU.
impl Lanes for Sse {
    #[inline(always)]
    fn splat(v: i32) -> Self {
        Sse(unsafe { _mm_set1_epi32(v) })
    }
    #[inline(always)]
    fn load4(b: &[i32; 65], at: usize) -> Self {
        Sse(unsafe { _mm_set_epi32(b[at + 3], b[at + 2], b[at + 1], b[at]) })
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Sse(unsafe { _mm_add_epi32(self.0, o.0) })
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Sse(unsafe { _mm_sub_epi32(self.0, o.0) })
    }
    #[inline(always)]
    fn mul(self, c: i32) -> Self {
        Sse(unsafe { _mm_mullo_epi32(self.0, _mm_set1_epi32(c)) })
    }
    #[inline(always)]
    fn shl(self, n: u32) -> Self {
        Sse(unsafe { _mm_sll_epi32(self.0, _mm_cvtsi32_si128(n as i32)) })
    }
    #[inline(always)]
    fn sar(self, n: u32) -> Self {
        Sse(unsafe { _mm_sra_epi32(self.0, _mm_cvtsi32_si128(n as i32)) })
    }
    #[inline(always)]
    fn transpose4(m: [Self; 4]) -> [Self; 4] {
        unsafe {
            let t0 = _mm_unpacklo_epi32(m[0].0, m[1].0);
            let t1 = _mm_unpackhi_epi32(m[0].0, m[1].0);
            let t2 = _mm_unpacklo_epi32(m[2].0, m[3].0);
            let t3 = _mm_unpackhi_epi32(m[2].0, m[3].0);
            [
                Sse(_mm_unpacklo_epi64(t0, t2)),
                Sse(_mm_unpackhi_epi64(t0, t2)),
                Sse(_mm_unpacklo_epi64(t1, t3)),
                Sse(_mm_unpackhi_epi64(t1, t3)),
            ]
        }
    }
    #[inline(always)]
    fn bytes8(lo: Self, hi: Self) -> [u8; 8] {
        unsafe {
            let w = _mm_packs_epi32(lo.0, hi.0);
            (_mm_cvtsi128_si64(_mm_packus_epi16(w, w)) as u64).to_le_bytes()
        }
    }
    #[inline(always)]
    fn bytes4x4(rows: [Self; 4]) -> [[u8; 4]; 4] {
        unsafe {
            let w01 = _mm_packs_epi32(rows[0].0, rows[1].0);
            let w23 = _mm_packs_epi32(rows[2].0, rows[3].0);
            let px = _mm_packus_epi16(w01, w23);
            [
                _mm_extract_epi32::<0>(px).to_le_bytes(),
                _mm_extract_epi32::<1>(px).to_le_bytes(),
                _mm_extract_epi32::<2>(px).to_le_bytes(),
                _mm_extract_epi32::<3>(px).to_le_bytes(),
            ]
        }
    }
}

/// # Safety
/// The CPU must have SSE4.1 (`available`).
#[target_feature(enable = "sse4.1")]
pub(super) unsafe fn idct8(block: &[i32; 65], out: &mut [u8], stride: usize) {
    idct_lanes::idct8::<Sse>(block, out, stride)
}

/// # Safety
/// The CPU must have SSE4.1 (`available`).
#[target_feature(enable = "sse4.1")]
pub(super) unsafe fn idct4(block: &[i32; 65], out: &mut [u8], stride: usize) {
    idct_lanes::idct4::<Sse>(block, out, stride)
}
