/* Pseudo-random numbers for back-off jitter and initial sequence numbers
 * (xorshift32; seeded from the clock at start-up). */
#include <stdlib.h>

static uint32_t rnd_state = 0x2545f491;

void srandom(unsigned int seed)
{
	rnd_state = seed ? seed : 0x2545f491;
}

long random(void)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rnd_state = x;
	return (long)(x & 0x7fffffff);
}
