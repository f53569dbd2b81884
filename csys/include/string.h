#ifndef EDGEPIX_STRING_H
#define EDGEPIX_STRING_H
#include <stddef.h>
void *memcpy(void *restrict, const void *restrict, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
/* -ffreestanding turns off builtin recognition, which made every memcpy a call, even the
 * 4-byte ones libwebp uses for unaligned loads in its DSP loops. As builtins, constant sizes
 * become plain loads/stores and the rest memory.copy/memory.fill (-mbulk-memory) or a call. */
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
#endif
