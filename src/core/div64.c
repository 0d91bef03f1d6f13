/* 64-bit division for a 32-bit build, in place of the compiler's runtime
 * library: the firmware is built with register arguments (-mregparm=3),
 * and gcc calls these helpers with the same convention, which the
 * system's libgcc does not use.  The work is done in 32-bit halves, so
 * the same code runs (and is tested) on the host, x86 hosts included
 * for the hardware division of the common case. */
#include <stdint.h>
#include <dust/div64.h>

uint64_t div64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint32_t nh = (uint32_t)(n >> 32), nl = (uint32_t)n;
	uint32_t dh = (uint32_t)(d >> 32), dl = (uint32_t)d;
	uint64_t q = 0;
	int shift = 0;

	if (!dh) {
		if (!dl) {
			/* As the hardware does for 32 bits: a fault, not a
			 * made-up answer.  Callers check their divisors. */
			__builtin_trap();
		}
		if (!nh) {
			if (rem)
				*rem = nl % dl;
			return nl / dl;
		}
#if defined(__i386__) || defined(__x86_64__)
		/* A 32-bit divisor (the clock's ticks per millisecond, on
		 * every poll): two hardware divisions.  The high half's
		 * remainder is below dl, so the second quotient fits. */
		{
			uint32_t qh = nh / dl, r;
			uint32_t ql = div64_32(nh % dl, nl, dl, &r);

			if (rem)
				*rem = r;
			return (uint64_t)qh << 32 | ql;
		}
#endif
	}
	if (d > n) {
		if (rem)
			*rem = n;
		return 0;
	}
	/* Shift-subtract, one quotient bit per round, at most 64 rounds. */
	while (!(d >> 63) && (d << 1) <= n) {
		d <<= 1;
		shift++;
	}
	for (; shift >= 0; shift--) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
		d >>= 1;
	}
	if (rem)
		*rem = n;
	return q;
}
