/* Exercises every SSE intrinsic that csys/include implements for wasm32, on edge values
 * (saturation limits, sign bits, -32768, shift counts 0..255, every shuffle immediate), and
 * prints the results as hex lines. scripts/test-simd-shim.sh compiles this file twice: natively
 * for x86_64 with gcc (the real instructions) and for wasm32 with clang-16 and csys/include (the
 * shim), and requires the two outputs to be identical. */
#include <smmintrin.h>
#include <stdint.h>

#define NV 40
static uint8_t vec[NV][16];
static char out[24 << 20]; /* about 10 MB are written */
static unsigned long pos;

#ifdef __wasm__
/* freestanding wasm32: the compiler may call these for array copies */
void* memset(void* d, int c, unsigned long n) {
  unsigned char* p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void* memcpy(void* d, const void* s, unsigned long n) {
  unsigned char* p = d;
  const unsigned char* q = s;
  while (n--) *p++ = *q++;
  return d;
}
#endif

static void put_str(const char* s) {
  while (*s) out[pos++] = *s++;
}
static void put_int(int v) {
  char t[12];
  int n = 0;
  unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
  if (v < 0) out[pos++] = '-';
  do t[n++] = (char)('0' + u % 10); while (u /= 10);
  while (n) out[pos++] = t[--n];
}
static void put_bytes(const uint8_t* p, int n) {
  static const char hex[] = "0123456789abcdef";
  int i;
  for (i = 0; i < n; ++i) {
    out[pos++] = hex[p[i] >> 4];
    out[pos++] = hex[p[i] & 15];
  }
}
static void line_v(const char* name, int i, int j, __m128i r) {
  uint8_t b[16];
  _mm_storeu_si128((__m128i*)b, r);
  put_str(name);
  out[pos++] = ' ';
  put_int(i);
  out[pos++] = ' ';
  put_int(j);
  out[pos++] = ' ';
  put_bytes(b, 16);
  out[pos++] = '\n';
}
static void line_i(const char* name, int i, int j, int r) {
  put_str(name);
  out[pos++] = ' ';
  put_int(i);
  out[pos++] = ' ';
  put_int(j);
  out[pos++] = ' ';
  put_int(r);
  out[pos++] = '\n';
}
static __m128i V(int i) { return _mm_loadu_si128((const __m128i*)vec[i]); }

static void fill_vectors(void) {
  /* lanes of each width at their limits, then mixed, then pseudo-random */
  static const int16_t w16[][8] = {
      {0, 0, 0, 0, 0, 0, 0, 0},
      {-1, -1, -1, -1, -1, -1, -1, -1},
      {32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767},
      {-32768, -32768, -32768, -32768, -32768, -32768, -32768, -32768},
      {1, -1, 32767, -32768, 255, 256, -256, -255},
      {0, 1, 2, 127, 128, -128, -129, 16384},
      {-32767, 32766, 0x00ff, 0x7f80, 0x0180, 0x80ff, 1000, -1000},
      {0x7fff, 0x7ffe, -2, 2, 0x4000, -0x4000, 0x3fff, -0x3fff},
  };
  static const int32_t w32[][4] = {
      {0x7fffffff, (int32_t)0x80000000, 0x00008000, (int32_t)0xffff8000},
      {0x7fff0000, 0x00007fff, 0x10000, -0x10000},
      {0x3fffffff, -0x40000000, 1, -1},
  };
  static const uint8_t b8[][16] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
      {0x80, 0x81, 0x8f, 0x90, 0x0f, 0x10, 0x1f, 0x7f, 0xff, 0xfe, 0x00, 0x01, 0x40, 0xc0, 0x8e,
       0x0e},
      {255, 0, 255, 0, 255, 0, 255, 0, 0, 255, 0, 255, 0, 255, 0, 255},
      {127, 128, 129, 126, 1, 254, 64, 192, 32, 224, 16, 240, 8, 248, 4, 252},
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0},
  };
  int i, k, n = 0;
  uint32_t s = 12345u;
  for (i = 0; i < (int)(sizeof(w16) / sizeof(w16[0])); ++i, ++n)
    for (k = 0; k < 8; ++k) {
      vec[n][2 * k] = (uint8_t)w16[i][k];
      vec[n][2 * k + 1] = (uint8_t)((uint16_t)w16[i][k] >> 8);
    }
  for (i = 0; i < (int)(sizeof(w32) / sizeof(w32[0])); ++i, ++n)
    for (k = 0; k < 16; ++k) vec[n][k] = (uint8_t)((uint32_t)w32[i][k / 4] >> (8 * (k % 4)));
  for (i = 0; i < (int)(sizeof(b8) / sizeof(b8[0])); ++i, ++n)
    for (k = 0; k < 16; ++k) vec[n][k] = b8[i][k];
  for (; n < NV; ++n)
    for (k = 0; k < 16; ++k) {
      s = s * 1103515245u + 12345u;
      vec[n][k] = (uint8_t)(s >> 16);
    }
}

#define BIN(name, expr)                                                      \
  for (i = 0; i < NV; ++i)                                                   \
    for (j = 0; j < NV; ++j) {                                               \
      const __m128i a = V(i), b = V(j);                                      \
      line_v(name, i, j, expr);                                              \
    }
#define UN(name, expr)                                                       \
  for (i = 0; i < NV; ++i) {                                                 \
    const __m128i a = V(i);                                                  \
    line_v(name, i, 0, expr);                                                \
  }

/* every immediate 0..255 as a constant (the shuffles and byte shifts need constants) */
#define R4(F, n) F(n) F(n + 1) F(n + 2) F(n + 3)
#define R16(F, n) R4(F, n) R4(F, n + 4) R4(F, n + 8) R4(F, n + 12)
#define R64(F, n) R16(F, n) R16(F, n + 16) R16(F, n + 32) R16(F, n + 48)
#define R256(F) R64(F, 0) R64(F, 64) R64(F, 128) R64(F, 192)

#define IMM_ALL(name, call)                                                  \
  for (i = 0; i < NV; ++i) {                                                 \
    const __m128i a = V(i);                                                  \
    R256(call)                                                               \
  }
#define C_SHUF32(n) line_v("shuffle_epi32", i, n, _mm_shuffle_epi32(a, n));
#define C_SHUFLO(n) line_v("shufflelo_epi16", i, n, _mm_shufflelo_epi16(a, n));
#define C_SHUFHI(n) line_v("shufflehi_epi16", i, n, _mm_shufflehi_epi16(a, n));
#define C_SRLI128(n) line_v("srli_si128", i, n, _mm_srli_si128(a, n));
#define C_SLLI128(n) line_v("slli_si128", i, n, _mm_slli_si128(a, n));
#define C_SLLI16(n) line_v("slli_epi16", i, n, _mm_slli_epi16(a, n));
#define C_SRLI16(n) line_v("srli_epi16", i, n, _mm_srli_epi16(a, n));
#define C_SRAI16(n) line_v("srai_epi16", i, n, _mm_srai_epi16(a, n));
#define C_SRLI32(n) line_v("srli_epi32", i, n, _mm_srli_epi32(a, n));
#define C_SRAI32(n) line_v("srai_epi32", i, n, _mm_srai_epi32(a, n));
#define C_SLLI64(n) line_v("slli_epi64", i, n, _mm_slli_epi64(a, n));
#define C_EXTRACT8(n) line_i("extract_epi8", i, n, _mm_extract_epi8(a, n));

static const int ints[] = {0, 1, -1, 127, 128, -128, 255, 256, 32767, -32768, 65535, 65536,
                           0x12345678, 0x7fffffff, (int)0x80000000, -2};
#define NI ((int)(sizeof(ints) / sizeof(ints[0])))

static void run_all(void) {
  int i, j, k;
  fill_vectors();

  BIN("and_si128", _mm_and_si128(a, b));
  BIN("or_si128", _mm_or_si128(a, b));
  BIN("xor_si128", _mm_xor_si128(a, b));
  BIN("andnot_si128", _mm_andnot_si128(a, b));
  BIN("add_epi8", _mm_add_epi8(a, b));
  BIN("add_epi16", _mm_add_epi16(a, b));
  BIN("add_epi32", _mm_add_epi32(a, b));
  BIN("sub_epi8", _mm_sub_epi8(a, b));
  BIN("sub_epi16", _mm_sub_epi16(a, b));
  BIN("sub_epi32", _mm_sub_epi32(a, b));
  BIN("adds_epi16", _mm_adds_epi16(a, b));
  BIN("adds_epu16", _mm_adds_epu16(a, b));
  BIN("subs_epi16", _mm_subs_epi16(a, b));
  BIN("subs_epu8", _mm_subs_epu8(a, b));
  BIN("subs_epu16", _mm_subs_epu16(a, b));
  BIN("max_epi16", _mm_max_epi16(a, b));
  BIN("min_epi16", _mm_min_epi16(a, b));
  BIN("min_epu8", _mm_min_epu8(a, b));
  BIN("avg_epu8", _mm_avg_epu8(a, b));
  BIN("mullo_epi16", _mm_mullo_epi16(a, b));
  BIN("mulhi_epi16", _mm_mulhi_epi16(a, b));
  BIN("mulhi_epu16", _mm_mulhi_epu16(a, b));
  BIN("madd_epi16", _mm_madd_epi16(a, b));
  BIN("sad_epu8", _mm_sad_epu8(a, b));
  BIN("cmpeq_epi8", _mm_cmpeq_epi8(a, b));
  BIN("cmpeq_epi16", _mm_cmpeq_epi16(a, b));
  BIN("cmpgt_epi16", _mm_cmpgt_epi16(a, b));
  BIN("cmpeq_epi32", _mm_cmpeq_epi32(a, b));
  BIN("cmpgt_epi8", _mm_cmpgt_epi8(a, b));
  BIN("cmpgt_epi32", _mm_cmpgt_epi32(a, b));
  BIN("hadd_epi32", _mm_hadd_epi32(a, b));
  BIN("mullo_epi32", _mm_mullo_epi32(a, b));
  BIN("packs_epi16", _mm_packs_epi16(a, b));
  BIN("packs_epi32", _mm_packs_epi32(a, b));
  BIN("packus_epi16", _mm_packus_epi16(a, b));
  BIN("unpacklo_epi8", _mm_unpacklo_epi8(a, b));
  BIN("unpackhi_epi8", _mm_unpackhi_epi8(a, b));
  BIN("unpacklo_epi16", _mm_unpacklo_epi16(a, b));
  BIN("unpackhi_epi16", _mm_unpackhi_epi16(a, b));
  BIN("unpacklo_epi32", _mm_unpacklo_epi32(a, b));
  BIN("unpackhi_epi32", _mm_unpackhi_epi32(a, b));
  BIN("unpacklo_epi64", _mm_unpacklo_epi64(a, b));
  BIN("unpackhi_epi64", _mm_unpackhi_epi64(a, b));
  /* SSSE3 / SSE4.1 */
  BIN("sign_epi16", _mm_sign_epi16(a, b));
  BIN("shuffle_epi8", _mm_shuffle_epi8(a, b));
  UN("abs_epi16", _mm_abs_epi16(a));
  UN("cvtepu8_epi16", _mm_cvtepu8_epi16(a));

  for (i = 0; i < NV; ++i) {
    line_i("movemask_epi8", i, 0, _mm_movemask_epi8(V(i)));
    line_i("cvtsi128_si32", i, 0, _mm_cvtsi128_si32(V(i)));
  }
  IMM_ALL("shuffle_epi32", C_SHUF32);
  IMM_ALL("shufflelo_epi16", C_SHUFLO);
  IMM_ALL("shufflehi_epi16", C_SHUFHI);
  IMM_ALL("srli_si128", C_SRLI128);
  IMM_ALL("slli_si128", C_SLLI128);
  IMM_ALL("slli_epi16", C_SLLI16);
  IMM_ALL("srli_epi16", C_SRLI16);
  IMM_ALL("srai_epi16", C_SRAI16);
  IMM_ALL("srli_epi32", C_SRLI32);
  IMM_ALL("srai_epi32", C_SRAI32);
  IMM_ALL("slli_epi64", C_SLLI64);
  /* gcc accepts only the lanes that exist, 0..15 */
  for (i = 0; i < NV; ++i) {
    const __m128i a = V(i);
    R16(C_EXTRACT8, 0)
  }

  for (i = 0; i < NV; ++i)
    for (k = 0; k < NI; ++k) {
      const __m128i a = V(i);
      const int v = ints[k];
      line_v("insert_epi16", i, 8 * k + 0, _mm_insert_epi16(a, v, 0));
      line_v("insert_epi16", i, 8 * k + 1, _mm_insert_epi16(a, v, 1));
      line_v("insert_epi16", i, 8 * k + 2, _mm_insert_epi16(a, v, 2));
      line_v("insert_epi16", i, 8 * k + 3, _mm_insert_epi16(a, v, 3));
      line_v("insert_epi16", i, 8 * k + 4, _mm_insert_epi16(a, v, 4));
      line_v("insert_epi16", i, 8 * k + 5, _mm_insert_epi16(a, v, 5));
      line_v("insert_epi16", i, 8 * k + 6, _mm_insert_epi16(a, v, 6));
      line_v("insert_epi16", i, 8 * k + 7, _mm_insert_epi16(a, v, 7));
    }

  for (k = 0; k < NI; ++k) {
    const int v = ints[k];
    line_v("cvtsi32_si128", k, 0, _mm_cvtsi32_si128(v));
    line_v("set1_epi8", k, 0, _mm_set1_epi8((char)v));
    line_v("set1_epi16", k, 0, _mm_set1_epi16((short)v));
    line_v("set1_epi32", k, 0, _mm_set1_epi32(v));
    line_v("set_epi16", k, 0,
           _mm_set_epi16((short)v, 1, -2, 3, (short)(v >> 3), -32768, 32767, (short)~v));
    line_v("set_epi32", k, 0, _mm_set_epi32(v, -v, ~v, 7));
    line_v("setr_epi8", k, 0,
           _mm_setr_epi8((char)v, 1, -2, 3, (char)(v >> 3), -128, 127, (char)~v, 0, (char)(v >> 8),
                         (char)255, 16, 32, 64, (char)128, (char)(v >> 16)));
    line_v("set_epi8", k, 0,
           _mm_set_epi8((char)v, 1, -2, 3, (char)(v >> 3), -128, 127, (char)~v, 0, (char)(v >> 8),
                        (char)255, 16, 32, 64, (char)128, (char)(v >> 16)));
  }
  line_v("setzero_si128", 0, 0, _mm_setzero_si128());

  /* loads at every offset within a buffer (unaligned loadu/loadl), aligned load/store, and
   * stores that must touch exactly 16 or 8 bytes */
  {
    static uint8_t buf[48];
    __attribute__((aligned(16))) static uint8_t abuf[32];
    uint8_t dst[32];
    for (k = 0; k < 48; ++k) buf[k] = (uint8_t)(k * 37 + 11);
    for (k = 0; k < 32; ++k) abuf[k] = (uint8_t)(k * 91 + 5);
    for (k = 0; k < 17; ++k) {
      line_v("loadu_si128", k, 0, _mm_loadu_si128((const __m128i*)(buf + k)));
      line_v("loadl_epi64", k, 0, _mm_loadl_epi64((const __m128i*)(buf + k)));
    }
    line_v("load_si128", 0, 0, _mm_load_si128((const __m128i*)abuf));
    line_v("load_si128", 16, 0, _mm_load_si128((const __m128i*)(abuf + 16)));
    for (i = 0; i < NV; ++i) {
      for (k = 0; k < 32; ++k) dst[k] = 0xaa;
      _mm_storel_epi64((__m128i*)(dst + 3), V(i));
      put_str("storel_epi64 ");
      put_bytes(dst, 32);
      out[pos++] = '\n';
      for (k = 0; k < 32; ++k) dst[k] = 0x55;
      _mm_storeu_si128((__m128i*)(dst + 5), V(i));
      put_str("storeu_si128 ");
      put_bytes(dst, 32);
      out[pos++] = '\n';
      _mm_store_si128((__m128i*)abuf, V(i));
      put_str("store_si128 ");
      put_bytes(abuf, 32);
      out[pos++] = '\n';
    }
  }
}

#ifdef __wasm__
__attribute__((export_name("run"))) unsigned long run(void) {
  run_all();
  return pos;
}
__attribute__((export_name("out_ptr"))) char* out_ptr(void) { return out; }
#else
#include <stdio.h>
int main(void) {
  run_all();
  return fwrite(out, 1, pos, stdout) == pos ? 0 : 1;
}
#endif
