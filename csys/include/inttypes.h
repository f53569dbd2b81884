#ifndef EDGEPIX_INTTYPES_H
#define EDGEPIX_INTTYPES_H
#include <stdint.h>
#endif
