/* 64-bit unsigned division with remainder (src/core/div64.c). */
#ifndef DUST_DIV64_H
#define DUST_DIV64_H

#include <stdint.h>

uint64_t div64(uint64_t n, uint64_t d, uint64_t *rem);

#endif
