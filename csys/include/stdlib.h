#ifndef EDGEPIX_STDLIB_H
#define EDGEPIX_STDLIB_H
#include <stddef.h>
void *malloc(size_t);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
void free(void *);
void abort(void);
void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
static inline int abs(int x) { return x < 0 ? -x : x; }
static inline long labs(long x) { return x < 0 ? -x : x; }
char *getenv(const char *);
int atoi(const char *);
#endif
