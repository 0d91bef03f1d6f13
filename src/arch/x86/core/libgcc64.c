/* The 64-bit division helpers gcc calls on a 32-bit target, over div64():
 * the firmware does not link the system's libgcc (see div64.c). */
#include <stdint.h>
#include <stddef.h>
#include <dust/div64.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	return div64(n, d, rem);
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return div64(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	div64(n, d, &r);
	return r;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

/* Signed: the quotient rounds toward zero, the remainder takes the
 * dividend's sign (C99 6.5.5). */
int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t q = div64(magnitude(n), magnitude(d), NULL);

	return (int64_t)((n < 0) != (d < 0) ? -q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;

	div64(magnitude(n), magnitude(d), &r);
	return (int64_t)(n < 0 ? -r : r);
}
