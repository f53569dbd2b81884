/* SSE2 integer intrinsics on wasm32 simd128, for libwebp's encoder DSP files only.
 *
 * Written for edgepix from Intel's documented semantics of each intrinsic; only the ones that
 * libwebp's enc_sse2.c, cost_sse2.c, yuv_sse2.c and lossless_enc_sse2.c (and common_sse2.h)
 * call are here. Every one
 * is checked against the real instructions by scripts/test-simd-shim.sh (the same C test
 * compiled natively for x86_64 with gcc and for wasm32 with these headers; outputs must match
 * byte for byte). csys/wasm32-clang decides which libwebp files see these (WEBP_USE_SSE2).
 *
 * SSE semantics that wasm does not share, and how they are kept:
 * - shift counts are not taken modulo the lane width: a count >= the width gives 0 (logical)
 *   or the sign fill (arithmetic), so counts are clamped before the wasm shift;
 * - byte shifts and shuffles take immediates, so they are macros expanding to constant
 *   shuffle indices (libwebp passes literals and _MM_SHUFFLE(...) there).
 */
#ifndef EDGEPIX_EMMINTRIN_H
#define EDGEPIX_EMMINTRIN_H

#include <wasm_simd128.h>

typedef v128_t __m128i;

#define EDGEPIX_SSE_INLINE static __inline__ __attribute__((__always_inline__, __nodebug__))

#define _MM_SHUFFLE(z, y, x, w) (((z) << 6) | ((y) << 4) | ((x) << 2) | (w))

/* ---- loads, stores, constants ---- */

EDGEPIX_SSE_INLINE __m128i _mm_setzero_si128(void) { return wasm_i64x2_const(0, 0); }
EDGEPIX_SSE_INLINE __m128i _mm_load_si128(const __m128i* p) { return wasm_v128_load(p); }
EDGEPIX_SSE_INLINE __m128i _mm_loadu_si128(const __m128i* p) { return wasm_v128_load(p); }
/* low 8 bytes from memory, high 8 bytes zero */
EDGEPIX_SSE_INLINE __m128i _mm_loadl_epi64(const __m128i* p) { return wasm_v128_load64_zero(p); }
EDGEPIX_SSE_INLINE void _mm_store_si128(__m128i* p, __m128i a) { wasm_v128_store(p, a); }
EDGEPIX_SSE_INLINE void _mm_storeu_si128(__m128i* p, __m128i a) { wasm_v128_store(p, a); }
/* stores the low 8 bytes only */
EDGEPIX_SSE_INLINE void _mm_storel_epi64(__m128i* p, __m128i a) { wasm_v128_store64_lane(p, a, 0); }

EDGEPIX_SSE_INLINE __m128i _mm_cvtsi32_si128(int a) { return wasm_i32x4_make(a, 0, 0, 0); }
EDGEPIX_SSE_INLINE int _mm_cvtsi128_si32(__m128i a) { return wasm_i32x4_extract_lane(a, 0); }

EDGEPIX_SSE_INLINE __m128i _mm_set1_epi8(char a) { return wasm_i8x16_splat((int8_t)a); }
EDGEPIX_SSE_INLINE __m128i _mm_set1_epi16(short a) { return wasm_i16x8_splat(a); }
EDGEPIX_SSE_INLINE __m128i _mm_set1_epi32(int a) { return wasm_i32x4_splat(a); }
/* _mm_set_* name the lanes from the highest down */
EDGEPIX_SSE_INLINE __m128i _mm_set_epi16(short e7, short e6, short e5, short e4, short e3,
                                         short e2, short e1, short e0) {
  return wasm_i16x8_make(e0, e1, e2, e3, e4, e5, e6, e7);
}
EDGEPIX_SSE_INLINE __m128i _mm_set_epi32(int e3, int e2, int e1, int e0) {
  return wasm_i32x4_make(e0, e1, e2, e3);
}
/* _mm_setr_* name them from the lowest up */
EDGEPIX_SSE_INLINE __m128i _mm_setr_epi8(char e0, char e1, char e2, char e3, char e4, char e5,
                                         char e6, char e7, char e8, char e9, char e10, char e11,
                                         char e12, char e13, char e14, char e15) {
  return wasm_i8x16_make(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15);
}
EDGEPIX_SSE_INLINE __m128i _mm_set_epi8(char e15, char e14, char e13, char e12, char e11,
                                        char e10, char e9, char e8, char e7, char e6, char e5,
                                        char e4, char e3, char e2, char e1, char e0) {
  return wasm_i8x16_make(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15);
}

/* ---- bitwise ---- */

EDGEPIX_SSE_INLINE __m128i _mm_and_si128(__m128i a, __m128i b) { return wasm_v128_and(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_or_si128(__m128i a, __m128i b) { return wasm_v128_or(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_xor_si128(__m128i a, __m128i b) { return wasm_v128_xor(a, b); }
/* (~a) & b; wasm's andnot is a & ~b */
EDGEPIX_SSE_INLINE __m128i _mm_andnot_si128(__m128i a, __m128i b) { return wasm_v128_andnot(b, a); }

/* ---- arithmetic ---- */

EDGEPIX_SSE_INLINE __m128i _mm_add_epi8(__m128i a, __m128i b) { return wasm_i8x16_add(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_add_epi16(__m128i a, __m128i b) { return wasm_i16x8_add(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_add_epi32(__m128i a, __m128i b) { return wasm_i32x4_add(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_sub_epi8(__m128i a, __m128i b) { return wasm_i8x16_sub(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_sub_epi16(__m128i a, __m128i b) { return wasm_i16x8_sub(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_sub_epi32(__m128i a, __m128i b) { return wasm_i32x4_sub(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_adds_epi16(__m128i a, __m128i b) { return wasm_i16x8_add_sat(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_adds_epu16(__m128i a, __m128i b) { return wasm_u16x8_add_sat(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_subs_epi16(__m128i a, __m128i b) { return wasm_i16x8_sub_sat(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_subs_epu8(__m128i a, __m128i b) { return wasm_u8x16_sub_sat(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_subs_epu16(__m128i a, __m128i b) { return wasm_u16x8_sub_sat(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_max_epi16(__m128i a, __m128i b) { return wasm_i16x8_max(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_min_epi16(__m128i a, __m128i b) { return wasm_i16x8_min(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_min_epu8(__m128i a, __m128i b) { return wasm_u8x16_min(a, b); }
/* (a + b + 1) >> 1 without overflow, as wasm's rounding average */
EDGEPIX_SSE_INLINE __m128i _mm_avg_epu8(__m128i a, __m128i b) { return wasm_u8x16_avgr(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_mullo_epi16(__m128i a, __m128i b) { return wasm_i16x8_mul(a, b); }

/* high 16 bits of each 32-bit product: the odd 16-bit halves of the widened products */
EDGEPIX_SSE_INLINE __m128i _mm_mulhi_epi16(__m128i a, __m128i b) {
  const v128_t lo = wasm_i32x4_extmul_low_i16x8(a, b);
  const v128_t hi = wasm_i32x4_extmul_high_i16x8(a, b);
  return wasm_i16x8_shuffle(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
}
EDGEPIX_SSE_INLINE __m128i _mm_mulhi_epu16(__m128i a, __m128i b) {
  const v128_t lo = wasm_u32x4_extmul_low_u16x8(a, b);
  const v128_t hi = wasm_u32x4_extmul_high_u16x8(a, b);
  return wasm_i16x8_shuffle(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
}
/* pairwise products summed into 32 bits; both wrap the one overflowing case
 * (-32768 * -32768 * 2) to INT32_MIN */
EDGEPIX_SSE_INLINE __m128i _mm_madd_epi16(__m128i a, __m128i b) { return wasm_i32x4_dot_i16x8(a, b); }

/* sum of absolute byte differences per 8-byte half, in the low 16 bits of each 64-bit lane */
EDGEPIX_SSE_INLINE __m128i _mm_sad_epu8(__m128i a, __m128i b) {
  const v128_t d = wasm_i8x16_sub(wasm_u8x16_max(a, b), wasm_u8x16_min(a, b));
  const v128_t s32 = wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(d));
  /* each 64-bit lane holds two 32-bit sums (at most 1020 each): add them as 64-bit values */
  return wasm_i64x2_add(wasm_v128_and(s32, wasm_i64x2_const(0xffffffff, 0xffffffff)),
                        wasm_u64x2_shr(s32, 32));
}

/* ---- compares, masks ---- */

EDGEPIX_SSE_INLINE __m128i _mm_cmpeq_epi8(__m128i a, __m128i b) { return wasm_i8x16_eq(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_cmpeq_epi16(__m128i a, __m128i b) { return wasm_i16x8_eq(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_cmpeq_epi32(__m128i a, __m128i b) { return wasm_i32x4_eq(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_cmpgt_epi8(__m128i a, __m128i b) { return wasm_i8x16_gt(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_cmpgt_epi16(__m128i a, __m128i b) { return wasm_i16x8_gt(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_cmpgt_epi32(__m128i a, __m128i b) { return wasm_i32x4_gt(a, b); }
EDGEPIX_SSE_INLINE int _mm_movemask_epi8(__m128i a) { return (int)wasm_i8x16_bitmask(a); }

/* ---- packs: signed inputs, saturated to the narrower type ---- */

EDGEPIX_SSE_INLINE __m128i _mm_packs_epi16(__m128i a, __m128i b) { return wasm_i8x16_narrow_i16x8(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_packs_epi32(__m128i a, __m128i b) { return wasm_i16x8_narrow_i32x4(a, b); }
EDGEPIX_SSE_INLINE __m128i _mm_packus_epi16(__m128i a, __m128i b) { return wasm_u8x16_narrow_i16x8(a, b); }

/* ---- interleaves ---- */

EDGEPIX_SSE_INLINE __m128i _mm_unpacklo_epi8(__m128i a, __m128i b) {
  return wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpackhi_epi8(__m128i a, __m128i b) {
  return wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpacklo_epi16(__m128i a, __m128i b) {
  return wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpackhi_epi16(__m128i a, __m128i b) {
  return wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpacklo_epi32(__m128i a, __m128i b) {
  return wasm_i32x4_shuffle(a, b, 0, 4, 1, 5);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpackhi_epi32(__m128i a, __m128i b) {
  return wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpacklo_epi64(__m128i a, __m128i b) {
  return wasm_i64x2_shuffle(a, b, 0, 2);
}
EDGEPIX_SSE_INLINE __m128i _mm_unpackhi_epi64(__m128i a, __m128i b) {
  return wasm_i64x2_shuffle(a, b, 1, 3);
}

/* ---- shuffles by immediate (macros: the indices must be constants) ---- */

#define _mm_shuffle_epi32(a, imm)                                                  \
  ((__m128i)wasm_i32x4_shuffle((a), (a), (imm) & 3, ((imm) >> 2) & 3, ((imm) >> 4) & 3, \
                               ((imm) >> 6) & 3))
#define _mm_shufflelo_epi16(a, imm)                                                 \
  ((__m128i)wasm_i16x8_shuffle((a), (a), (imm) & 3, ((imm) >> 2) & 3, ((imm) >> 4) & 3, \
                               ((imm) >> 6) & 3, 4, 5, 6, 7))
#define _mm_shufflehi_epi16(a, imm)                                                 \
  ((__m128i)wasm_i16x8_shuffle((a), (a), 0, 1, 2, 3, 4 + ((imm) & 3),              \
                               4 + (((imm) >> 2) & 3), 4 + (((imm) >> 4) & 3),          \
                               4 + (((imm) >> 6) & 3)))

#define _mm_insert_epi16(a, v, imm) ((__m128i)wasm_i16x8_replace_lane((a), (imm) & 7, (v)))

/* Whole-register byte shifts: counts above 15 give zero. Index 16 picks a zero byte. */
#define EDGEPIX_SRLI_IX(i, n) (((unsigned)(n) > 15u || (i) + (n) > 15) ? 16 : (i) + (n))
#define EDGEPIX_SLLI_IX(i, n) (((unsigned)(n) > 15u || (i) < (n)) ? 16 : (i) - (n))
#define _mm_srli_si128(a, imm)                                                          \
  ((__m128i)wasm_i8x16_shuffle(                                                         \
      (a), wasm_i64x2_const(0, 0), EDGEPIX_SRLI_IX(0, imm), EDGEPIX_SRLI_IX(1, imm),    \
      EDGEPIX_SRLI_IX(2, imm), EDGEPIX_SRLI_IX(3, imm), EDGEPIX_SRLI_IX(4, imm),         \
      EDGEPIX_SRLI_IX(5, imm), EDGEPIX_SRLI_IX(6, imm), EDGEPIX_SRLI_IX(7, imm),         \
      EDGEPIX_SRLI_IX(8, imm), EDGEPIX_SRLI_IX(9, imm), EDGEPIX_SRLI_IX(10, imm),        \
      EDGEPIX_SRLI_IX(11, imm), EDGEPIX_SRLI_IX(12, imm), EDGEPIX_SRLI_IX(13, imm),      \
      EDGEPIX_SRLI_IX(14, imm), EDGEPIX_SRLI_IX(15, imm)))
#define _mm_slli_si128(a, imm)                                                          \
  ((__m128i)wasm_i8x16_shuffle(                                                         \
      (a), wasm_i64x2_const(0, 0), EDGEPIX_SLLI_IX(0, imm), EDGEPIX_SLLI_IX(1, imm),    \
      EDGEPIX_SLLI_IX(2, imm), EDGEPIX_SLLI_IX(3, imm), EDGEPIX_SLLI_IX(4, imm),         \
      EDGEPIX_SLLI_IX(5, imm), EDGEPIX_SLLI_IX(6, imm), EDGEPIX_SLLI_IX(7, imm),         \
      EDGEPIX_SLLI_IX(8, imm), EDGEPIX_SLLI_IX(9, imm), EDGEPIX_SLLI_IX(10, imm),        \
      EDGEPIX_SLLI_IX(11, imm), EDGEPIX_SLLI_IX(12, imm), EDGEPIX_SLLI_IX(13, imm),      \
      EDGEPIX_SLLI_IX(14, imm), EDGEPIX_SLLI_IX(15, imm)))

/* ---- element shifts by an immediate count ---- */

EDGEPIX_SSE_INLINE __m128i _mm_slli_epi16(__m128i a, int n) {
  return (unsigned)n > 15u ? wasm_i64x2_const(0, 0) : wasm_i16x8_shl(a, (uint32_t)n);
}
EDGEPIX_SSE_INLINE __m128i _mm_srli_epi16(__m128i a, int n) {
  return (unsigned)n > 15u ? wasm_i64x2_const(0, 0) : wasm_u16x8_shr(a, (uint32_t)n);
}
EDGEPIX_SSE_INLINE __m128i _mm_srai_epi16(__m128i a, int n) {
  return wasm_i16x8_shr(a, (unsigned)n > 15u ? 15u : (uint32_t)n);
}
EDGEPIX_SSE_INLINE __m128i _mm_srli_epi32(__m128i a, int n) {
  return (unsigned)n > 31u ? wasm_i64x2_const(0, 0) : wasm_u32x4_shr(a, (uint32_t)n);
}
EDGEPIX_SSE_INLINE __m128i _mm_slli_epi64(__m128i a, int n) {
  return (unsigned)n > 63u ? wasm_i64x2_const(0, 0) : wasm_i64x2_shl(a, (uint32_t)n);
}
EDGEPIX_SSE_INLINE __m128i _mm_srai_epi32(__m128i a, int n) {
  return wasm_i32x4_shr(a, (unsigned)n > 31u ? 31u : (uint32_t)n);
}

#endif /* EDGEPIX_EMMINTRIN_H */
