/* MD5 (RFC 1321).  Used by iSCSI CHAP (RFC 1994), so: not for security
 * beyond what that protocol asks. */
#include <string.h>
#include <dust/crypto.h>

/* Per-round shift amounts and the sine-derived constants (RFC 1321 3.4). */
static const uint8_t md5_shift[4][4] = {
	{ 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 },
};
static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static uint32_t rol(uint32_t x, unsigned int n)
{
	return x << n | x >> (32 - n);
}

static void md5_block(struct md5_ctx *c, const uint8_t *p)
{
	uint32_t m[16], a = c->h[0], b = c->h[1], d = c->h[3], cc = c->h[2];
	unsigned int i;

	for (i = 0; i < 16; i++)
		m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (i = 0; i < 64; i++) {
		uint32_t f, t;
		unsigned int g, r = i / 16;

		switch (r) {
		case 0: f = (b & cc) | (~b & d); g = i; break;
		case 1: f = (d & b) | (~d & cc); g = (5 * i + 1) % 16; break;
		case 2: f = b ^ cc ^ d; g = (3 * i + 5) % 16; break;
		default: f = cc ^ (b | ~d); g = (7 * i) % 16; break;
		}
		t = d;
		d = cc;
		cc = b;
		b = b + rol(a + f + md5_k[i] + m[g], md5_shift[r][i % 4]);
		a = t;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
}

void md5_init(struct md5_ctx *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->len = 0;
}

void md5_update(struct md5_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = c->len % 64;

	c->len += len;
	while (len) {
		size_t n = 64 - used < len ? 64 - used : len;

		memcpy(c->buf + used, p, n);
		used += n;
		p += n;
		len -= n;
		if (used == 64) {
			md5_block(c, c->buf);
			used = 0;
		}
	}
}

void md5_final(struct md5_ctx *c, uint8_t out[MD5_DIGEST_SIZE])
{
	uint64_t bits = c->len * 8;
	uint8_t pad = 0x80, zero = 0, len[8];
	unsigned int i;

	md5_update(c, &pad, 1);
	while (c->len % 64 != 56)
		md5_update(c, &zero, 1);
	for (i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (8 * i));
	md5_update(c, len, 8);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(c->h[i / 4] >> (8 * (i % 4)));
}

const struct digest md5_digest = {
	sizeof(struct md5_ctx), MD5_DIGEST_SIZE,
	(void (*)(void *))md5_init,
	(void (*)(void *, const void *, size_t))md5_update,
	(void (*)(void *, uint8_t *))md5_final,
};
