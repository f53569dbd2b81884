/* SSSE3 integer intrinsics on wasm32 simd128, the ones libwebp's enc_sse41.c, yuv_sse41.c and
 * lossless_enc_sse41.c call. Written for edgepix from Intel's documented semantics; checked
 * against the real instructions by scripts/test-simd-shim.sh. See emmintrin.h. */
#ifndef EDGEPIX_TMMINTRIN_H
#define EDGEPIX_TMMINTRIN_H

#include <emmintrin.h>

/* |a|; -32768 stays -32768 (the instruction wraps, as wasm's abs does) */
EDGEPIX_SSE_INLINE __m128i _mm_abs_epi16(__m128i a) { return wasm_i16x8_abs(a); }

/* a negated where b < 0 (wrapping), zeroed where b == 0, kept where b > 0 */
EDGEPIX_SSE_INLINE __m128i _mm_sign_epi16(__m128i a, __m128i b) {
  const v128_t zero = wasm_i64x2_const(0, 0);
  const v128_t negated = wasm_i16x8_sub(zero, a);
  const v128_t picked = wasm_v128_bitselect(negated, a, wasm_i16x8_lt(b, zero));
  return wasm_v128_andnot(picked, wasm_i16x8_eq(b, zero));
}

/* Byte gather: a control byte with its top bit set gives 0, otherwise its low 4 bits index a.
 * wasm's swizzle gives 0 for any index >= 16, so keeping bit 7 and bits 0-3 maps one onto the
 * other. */
EDGEPIX_SSE_INLINE __m128i _mm_shuffle_epi8(__m128i a, __m128i b) {
  return wasm_i8x16_swizzle(a, wasm_v128_and(b, wasm_i8x16_splat((int8_t)0x8f)));
}

/* pairwise sums, wrapping: a0+a1, a2+a3, b0+b1, b2+b3 */
EDGEPIX_SSE_INLINE __m128i _mm_hadd_epi32(__m128i a, __m128i b) {
  return wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
}

#endif /* EDGEPIX_TMMINTRIN_H */
