/* Pseudo-random numbers for back-off jitter, DHCP transaction ids, TCP
 * ports and initial sequence numbers (xorshift32).  The state takes in
 * what differs between boots and between machines: the time-stamp
 * counter at calibration and each NIC's MAC address.  Without that every
 * boot picked the same TCP port and sequence number, and a client that
 * rebooted ran into its own previous connection still open on the
 * server (a second lost to the SYN's retransmission). */
#include <stdlib.h>

static uint32_t rnd_state = 0x2545f491;

void srandom(unsigned int seed)
{
	rnd_state = seed ? seed : 0x2545f491;
}

void random_mix(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t x = rnd_state;

	while (len--)
		x = (x ^ *p++) * 16777619u;          /* FNV-1a step */
	rnd_state = x ? x : 0x2545f491;
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
