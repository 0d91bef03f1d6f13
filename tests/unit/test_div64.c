/* Tests of the firmware's 64-bit division (it replaces libgcc's). */
#include <stdint.h>
#include <dust/div64.h>
#include "unit.h"

static void one(uint64_t n, uint64_t d)
{
	uint64_t r = 12345, q = div64(n, d, &r);

	if (q != n / d || r != n % d)
		unit_fail(__FILE__, __LINE__, "%llu / %llu gave %llu rem %llu",
			  (unsigned long long)n, (unsigned long long)d,
			  (unsigned long long)q, (unsigned long long)r);
	unit_checks++;
}

UNIT_TEST(div64_edges)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 7, 10, 255, 512, 0xffffffffull, 0x100000000ull,
		0x100000001ull, 0x123456789abcdefull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0xfffffffffffffffeull,
		0xffffffffffffffffull, 1000000000000000000ull,
	};
	unsigned int i, j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (j = 0; j < sizeof(v) / sizeof(v[0]); j++)
			if (v[j])
				one(v[i], v[j]);
	check_eq(div64(100, 7, NULL), 14);
}

UNIT_TEST(div64_random)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, n, d;
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		/* xorshift64; divisors of every width */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = x;
		d = x >> (x % 64) | 1;
		if (i & 1)
			d >>= (unsigned int)(n % 40);
		if (!d)
			d = 3;
		one(n, d);
		one(n >> (i % 64), d);
	}
}
