/* 64-bit unsigned division with remainder (src/core/div64.c). */
#ifndef DUST_DIV64_H
#define DUST_DIV64_H

#include <stdint.h>

uint64_t div64(uint64_t n, uint64_t d, uint64_t *rem);

#if defined(__i386__) || defined(__x86_64__)
/* hi:lo / d in one hardware division, for hi < d (else the CPU faults:
 * the quotient would not fit in 32 bits). */
static inline uint32_t div64_32(uint32_t hi, uint32_t lo, uint32_t d,
				uint32_t *rem)
{
	uint32_t q, r;

	__asm__("divl %4" : "=a"(q), "=d"(r) : "0"(lo), "1"(hi), "rm"(d));
	if (rem)
		*rem = r;
	return q;
}
#endif

#endif
