/* The Internet checksum (RFC 1071) against a plain big-endian word sum:
 * every length and alignment around the fast path's 32-byte blocks,
 * carry-heavy data, and sums carried on from one piece to the next. */
#include <stdint.h>
#include <string.h>
#include <dust/tcpip.h>
#include "unit.h"

static uint16_t reference(const uint8_t *p, size_t len, uint32_t start)
{
	uint64_t sum = start;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* csum_fold's result in host order, un-complemented: the folded sum. */
static uint16_t folded(uint32_t sum)
{
	uint16_t net = csum_fold(sum);

	return (uint16_t)~(uint16_t)(((net & 0xff) << 8) | (net >> 8));
}

static uint8_t buf[4096 + 8];

static void fill(uint32_t seed, int ones)
{
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = ones ? (uint8_t)(0xff - (seed >> 29 == 0)) :
			 (uint8_t)(seed >> 16);
	}
}

UNIT_TEST(csum_lengths_and_alignments)
{
	unsigned int off, kind;
	size_t len;

	for (kind = 0; kind < 2; kind++) {
		fill(7 + kind, kind);
		for (off = 0; off < 4; off++)
			for (len = 0; len <= 300; len++) {
				uint16_t want = reference(buf + off, len, 0);
				uint16_t got = folded(csum_partial(buf + off,
								   len, 0));

				unit_checks++;
				if (want != got && !(want == 0xffff && !got) &&
				    !(want == 0 && got == 0xffff))
					unit_fail(__FILE__, __LINE__,
						  "len %zu off %u: %04x, want %04x",
						  len, off, got, want);
			}
	}
}

UNIT_TEST(csum_large_and_chained)
{
	static const size_t sizes[] = { 1460, 1480, 2048, 4096 };
	unsigned int i, kind;

	for (kind = 0; kind < 2; kind++) {
		fill(99 + kind, kind);
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i], cut = (n / 3) & ~(size_t)1;
			uint16_t want = reference(buf + 1, n, 0);
			uint32_t s = csum_partial(buf + 1, cut, 0);

			s = csum_partial(buf + 1 + cut, n - cut, s);
			check_eq(folded(csum_partial(buf + 1, n, 0)), want);
			check_eq(folded(s), want);
			/* A starting sum (a pseudo-header's) carries in. */
			check_eq(folded(csum_partial(buf, n, 0x1fffe)),
				 reference(buf, n, 0x1fffe));
		}
	}
	/* All ones: every word carries. */
	memset(buf, 0xff, sizeof(buf));
	check_eq(folded(csum_partial(buf, 4096, 0)), 0xffff);
}
