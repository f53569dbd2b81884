#ifndef EDGEPIX_MATH_H
#define EDGEPIX_MATH_H
double pow(double, double);
double log(double);
double exp(double);
float logf(float);
float expf(float);
float powf(float, float);
double log2(double);
float log2f(float);
double floor(double);
double ceil(double);
#define sqrt(x) __builtin_sqrt(x)
#define sqrtf(x) __builtin_sqrtf(x)
#define fabs(x) __builtin_fabs(x)
#define fabsf(x) __builtin_fabsf(x)
#define floor(x) __builtin_floor(x)
#define ceil(x) __builtin_ceil(x)
#define floorf(x) __builtin_floorf(x)
#define ceilf(x) __builtin_ceilf(x)
double round(double);
float roundf(float);
long lrint(double);
double log10(double);
float log10f(float);
double exp2(double);
float exp2f(float);
double sin(double);
double cos(double);
double atan(double);
double atan2(double, double);
double tan(double);
double fmod(double, double);
float fmodf(float, float);
double cbrt(double);
float cbrtf(float);
double trunc(double);
float truncf(float);
long lround(double);
double ldexp(double, int);
double frexp(double, int *);
double fmin(double, double);
double fmax(double, double);
float fminf(float, float);
float fmaxf(float, float);
#define HUGE_VAL __builtin_huge_val()
#endif
