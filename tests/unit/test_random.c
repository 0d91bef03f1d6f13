/* The random state takes in what differs between boots and machines. */
#include <stdlib.h>
#include "unit.h"

static long after(unsigned int seed, const void *data, size_t len)
{
	srandom(seed);
	random_mix(data, len);
	return random();
}

UNIT_TEST(random_mix_separates_machines)
{
	static const unsigned char mac1[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static const unsigned char mac2[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };
	static const unsigned char zeros[64];
	long a = after(1, mac1, sizeof(mac1));

	check(a == after(1, mac1, sizeof(mac1)));
	check(a != after(1, mac2, sizeof(mac2)));
	check(a != after(2, mac1, sizeof(mac1)));
	/* No input drives the state to zero, where xorshift would stay. */
	check(after(0, zeros, sizeof(zeros)) != 0);
	srandom(0);
}
