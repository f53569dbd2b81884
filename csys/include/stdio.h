#ifndef EDGEPIX_STDIO_H
#define EDGEPIX_STDIO_H
#include <stddef.h>
#include <stdarg.h>
typedef struct EDGEPIX_FILE FILE;
extern FILE *const stderr;
extern FILE *const stdout;
int fprintf(FILE *, const char *, ...);
int printf(const char *, ...);
int snprintf(char *, size_t, const char *, ...);
int vsnprintf(char *, size_t, const char *, va_list);
#endif
