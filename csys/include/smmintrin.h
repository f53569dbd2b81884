/* SSE4.1 integer intrinsics on wasm32 simd128, the ones libwebp's enc_sse41.c and yuv_sse41.c
 * call (with SSSE3's from tmmintrin.h, which the real smmintrin.h also brings in). Written for
 * edgepix from Intel's documented semantics; checked against the real instructions by
 * scripts/test-simd-shim.sh. See emmintrin.h. */
#ifndef EDGEPIX_SMMINTRIN_H
#define EDGEPIX_SMMINTRIN_H

#include <tmmintrin.h>

/* the low 8 bytes zero-extended to 16 bits */
EDGEPIX_SSE_INLINE __m128i _mm_cvtepu8_epi16(__m128i a) { return wasm_u16x8_extend_low_u8x16(a); }

#endif /* EDGEPIX_SMMINTRIN_H */
