/* SSE4.1 integer intrinsics on wasm32 simd128, the ones libwebp's enc_sse41.c, yuv_sse41.c and
 * lossless_enc_sse41.c call (with SSSE3's from tmmintrin.h, which the real smmintrin.h also
 * brings in). Written for edgepix from Intel's documented semantics; checked against the real
 * instructions by scripts/test-simd-shim.sh. See emmintrin.h. */
#ifndef EDGEPIX_SMMINTRIN_H
#define EDGEPIX_SMMINTRIN_H

#include <tmmintrin.h>

/* the low 8 bytes zero-extended to 16 bits */
EDGEPIX_SSE_INLINE __m128i _mm_cvtepu8_epi16(__m128i a) { return wasm_u16x8_extend_low_u8x16(a); }

/* low 32 bits of each 32-bit product */
EDGEPIX_SSE_INLINE __m128i _mm_mullo_epi32(__m128i a, __m128i b) { return wasm_i32x4_mul(a, b); }

/* byte lane imm (its low 4 bits), zero-extended */
#define _mm_extract_epi8(a, imm) ((int)wasm_u8x16_extract_lane((a), (imm) & 15))

#endif /* EDGEPIX_SMMINTRIN_H */
