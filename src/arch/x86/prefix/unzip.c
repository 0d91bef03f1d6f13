/*
 * unzip.c - decoder for the dust payload compression format ("DZ").
 *
 * Built twice: freestanding for the 32-bit install stub, and on the host
 * inside util/zpack (which #includes this file) so that every host
 * round-trip exercises exactly the code the firmware runs.
 *
 * Stream layout
 * -------------
 *   byte 0     magic 0x44 ('D')
 *   byte 1     properties: bits 0-2 lc, bits 3-4 lp, bits 5-6 pb,
 *              bit 7 set when the x86 branch filter was applied
 *   bytes 2-5  uncompressed length, little endian (< 2^31)
 *   bytes 6-   range-coded data: the first four bytes seed the decoder's
 *              32-bit code register (big endian), then one byte is taken
 *              each time the range has to be widened.
 *
 * Entropy coder
 * -------------
 * A binary arithmetic (range) coder.  Each modelled bit has an 11-bit
 * probability P of being 0 which moves 1/32 of the way towards the value
 * just seen.  Before every bit the range is widened by 8 bits if it has
 * fallen below 2^24; then the split point is (range >> 11) * P and the
 * lower part stands for 0.  "Plain" bits (high distance bits) are coded
 * with a fresh P of one half.  Bit trees code an n-bit number MSB first,
 * the probability used for each bit being picked by the bits above it.
 *
 * Symbols
 * -------
 * The payload is a sequence of LZ77 operations that rebuild the output
 * front to back.  A 4-bit history "state" remembers the kinds of the last
 * two operations (2 bits each: literal 0, match 1, repeat 2, short
 * repeat 3); pos is the output position, ps = pos mod 2^pb.
 *
 *   flag[state][ps] = 0  literal.  Eight bits through a 256-leaf tree
 *       chosen by the lp low bits of pos and the lc high bits of the
 *       previous byte.  When the last operation was not a literal, the
 *       byte at the most recent distance ("match byte") steers the tree:
 *       while the decoded bits agree with the match byte's bits, one of
 *       two alternative probability sets (by the match byte's next bit)
 *       is used.
 *   flag = 1, rep[state] = 0  match: length, then distance.
 *   flag = 1, rep[state] = 1  repeat one of the four most recent
 *       distances: up to three selector bits pick which (0..3); for the
 *       newest one a further bit[state][ps] = 0 means "one byte only"
 *       (short repeat), otherwise a length follows.  The chosen distance
 *       moves to the front of the list; a new match distance is pushed
 *       at the front and the oldest is forgotten.
 *
 * Lengths (2..273) use one of two coders (match, repeat): bit A = 0 gives
 * 2 + a 3-bit tree per ps, else bit B = 0 gives 10 + another 3-bit tree
 * per ps, else 18 + an 8-bit tree.  Distances (stored minus one) start
 * with a 6-bit "slot" tree chosen by min(length - 2, 3).  Slots 0..3 are
 * the distance itself; slot s >= 4 means n = s/2 - 1 extra bits below a
 * leading "1x" pair (x = s & 1).  Of the extra bits, all but the lowest
 * min(n, 4) are plain bits; the low ones go through a small tree, one per
 * slot for slots 4..13 and one shared by all larger slots.
 *
 * x86 filter
 * ----------
 * When enabled, the encoder rewrote the 32-bit displacement of E8 (call)
 * and E9 (jmp) opcodes into position-independent targets before
 * compressing.  Scanning forward from offset 0: a byte E8/E9 at offset i
 * whose fourth following byte is 00 or FF, and which is not within three
 * bytes after an earlier E8/E9 that was left alone, has its displacement
 * word v replaced by sign-extend-25(v + i); the four displacement bytes
 * are then skipped.  The decoder undoes this with sign-extend-25(v - i)
 * over the same scan.  Every other E8/E9 examined is "left alone".
 *
 * Workspace: UNZIP_WORKSPACE_SIZE bytes of 16-bit probabilities; all
 * lc/lp choices fit (lc + lp <= 3).  Stack use is about 300 bytes.
 *
 * Speed: nearly all bits go through the loop in dz_tree(), about 22
 * instructions per bit when built -m32 -Os.  On 32-bit x86 code that is
 * roughly 240 instructions per output byte, literals (8-9 bits each)
 * being most of it; the x86 filter pass adds about 9 per byte.
 */
#include "unzip.h"

typedef unsigned char dz_u8;
typedef unsigned short dz_u16;
typedef unsigned int dz_u32;

#define DZ_MAGIC	0x44
#define DZ_PBITS	11
#define DZ_PONE		(1u << DZ_PBITS)
#define DZ_PMOVE	5
#define DZ_TOP		(1u << 24)
#define DZ_MAX_LCLP	3	/* lc + lp limit; sizes the literal tables */
#define DZ_FILTER	0x80

/*
 * Model layout: offsets (in probabilities) into the workspace.  The slot
 * trees come first: a tree never uses its entry 0, so every probability
 * decoded on its own sits at offset >= 1 (dz_bit() relies on that).
 */
#define DZ_NSTATE	16
#define DZ_NPS		8	/* 1 << max pb */
#define DZ_LEN_MID	(2 + DZ_NPS * 8)
#define DZ_LEN_HIGH	(2 + 2 * DZ_NPS * 8)
#define DZ_LEN_SIZE	(DZ_LEN_HIGH + 256)
#define DZ_P_SLOT	0				/* [4][64] */
#define DZ_P_MATCH	(DZ_P_SLOT + 4 * 64)		/* [state][ps] */
#define DZ_P_LONG	(DZ_P_MATCH + DZ_NSTATE * DZ_NPS) /* [state][ps] */
#define DZ_P_REP	(DZ_P_LONG + DZ_NSTATE * DZ_NPS)  /* [state] */
#define DZ_P_SEL	(DZ_P_REP + DZ_NSTATE)		/* [3][state] */
#define DZ_P_MLEN	(DZ_P_SEL + 3 * DZ_NSTATE)
#define DZ_P_RLEN	(DZ_P_MLEN + DZ_LEN_SIZE)
#define DZ_P_LOW	(DZ_P_RLEN + DZ_LEN_SIZE)	/* [11][16] */
#define DZ_P_LIT	(DZ_P_LOW + 11 * 16)		/* [ctx][0x300] */
#define DZ_NPROBS	(DZ_P_LIT + (0x300 << DZ_MAX_LCLP))

_Static_assert(DZ_NPROBS * 2 == UNZIP_WORKSPACE_SIZE,
	       "UNZIP_WORKSPACE_SIZE out of step with the model layout");

struct dz_rc {
	const dz_u8 *in;
	const dz_u8 *end;
	dz_u32 range;
	dz_u32 code;
	dz_u32 bad;	/* set once the decoder wanted bytes past the end */
};

/* Next input byte; past the end, 0 and the stream is marked bad. */
static __attribute__((noinline)) dz_u32 dz_next(struct dz_rc *rc)
{
	if (rc->in != rc->end)
		return *rc->in++;
	rc->bad = 1;
	return 0;
}

/*
 * Bit-tree decoder, the loop where nearly all bits are decoded.  Walks
 * from node m (>= 1) down to the leaves, whose node numbers reach top (a
 * power of two), and returns the leaf index, m - top.  The probability
 * for node m is p[m].
 */
static __attribute__((noinline)) dz_u32 dz_tree(struct dz_rc *rc, dz_u16 *p,
						dz_u32 m, dz_u32 top)
{
	dz_u32 range = rc->range, code = rc->code;

	do {
		dz_u32 v = p[m], bound;

		if (range < DZ_TOP) {
			range <<= 8;
			code = (code << 8) | dz_next(rc);
		}
		bound = (range >> DZ_PBITS) * v;
		if (code < bound) {
			range = bound;
			p[m] = (dz_u16)(v + ((DZ_PONE - v) >> DZ_PMOVE));
			m <<= 1;
		} else {
			range -= bound;
			code -= bound;
			p[m] = (dz_u16)(v - (v >> DZ_PMOVE));
			m = (m << 1) | 1;
		}
	} while (m < top);
	rc->range = range;
	rc->code = code;
	return m - top;
}

/* Decode one bit with adaptive probability *p (p[-1] must exist). */
static dz_u32 dz_bit(struct dz_rc *rc, dz_u16 *p)
{
	return dz_tree(rc, p - 1, 1, 2);
}

/* Decode a length with the coder at p; returns length - 2. */
static dz_u32 dz_len(struct dz_rc *rc, dz_u16 *p, dz_u32 ps)
{
	if (!dz_bit(rc, p))
		return dz_tree(rc, p + 2 + ps * 8, 1, 8);
	if (!dz_bit(rc, p + 1))
		return 8 + dz_tree(rc, p + DZ_LEN_MID + ps * 8, 1, 8);
	return 16 + dz_tree(rc, p + DZ_LEN_HIGH, 1, 256);
}

long unzip_length(const void *src, unsigned long srclen)
{
	const dz_u8 *s = src;
	dz_u32 n;

	if (srclen < UNZIP_HEADER_SIZE || s[0] != DZ_MAGIC)
		return -1;
	n = s[2] | (dz_u32)s[3] << 8 | (dz_u32)s[4] << 16 | (dz_u32)s[5] << 24;
	if (n > 0x7fffffffu)
		return -1;
	return (long)n;
}

long unzip(const void *src, unsigned long srclen, void *dst,
	   unsigned long dstcap, void *work)
{
	const dz_u8 *s = src;
	dz_u8 *out = dst;
	dz_u16 *pr = work;
	struct dz_rc rc;
	dz_u32 reps[4];
	dz_u32 ulen, pos = 0, state = 0, i, len, d, op, lc, lpm, pbm;
	long n = unzip_length(src, srclen);

	if (n < 0 || (unsigned long)n > dstcap)
		return -1;
	ulen = (dz_u32)n;
	lc = s[1] & 7;
	i = (s[1] >> 3) & 3;
	lpm = (1u << i) - 1;
	pbm = (1u << ((s[1] >> 5) & 3)) - 1;
	if (lc + i > DZ_MAX_LCLP)
		return -1;

	for (i = 0; i < DZ_NPROBS; i++)
		pr[i] = DZ_PONE / 2;
	for (i = 0; i < 4; i++)
		reps[i] = 0;
	rc.in = s + UNZIP_HEADER_SIZE;
	rc.end = s + srclen;
	rc.range = 0xffffffffu;
	rc.code = 0;
	rc.bad = 0;
	for (i = 0; i < 4; i++)
		rc.code = (rc.code << 8) | dz_next(&rc);

	while (pos < ulen) {
		dz_u32 ps = pos & pbm;

		if (rc.bad)
			return -1;
		if (!dz_bit(&rc, pr + DZ_P_MATCH + state * DZ_NPS + ps)) {
			dz_u32 prev = pos ? out[pos - 1] : 0, sym = 1;
			dz_u16 *lp = pr + DZ_P_LIT + 0x300 *
				(((pos & lpm) << lc) + (prev >> (8 - lc)));

			if (state & 3) {
				/* reps[0] < pos holds: checked when it was used */
				dz_u32 m = out[pos - reps[0] - 1], mb, b;

				do {
					mb = (m >> 7) & 1;
					m <<= 1;
					b = dz_bit(&rc, lp + ((1 + mb) << 8) + sym);
					sym = (sym << 1) | b;
				} while (sym < 0x100 && b == mb);
			}
			if (sym < 0x100)
				sym = dz_tree(&rc, lp, sym, 0x100);
			out[pos++] = (dz_u8)sym;
			state = (state << 2) & 15;
			continue;
		}
		if (!dz_bit(&rc, pr + DZ_P_REP + state)) {
			dz_u32 slot;

			len = dz_len(&rc, pr + DZ_P_MLEN, ps);
			slot = dz_tree(&rc, pr + DZ_P_SLOT +
				       (len < 3 ? len : 3) * 64, 1, 64);
			d = slot;
			if (slot >= 4) {
				dz_u32 nb = (slot >> 1) - 1;
				dz_u32 lo = nb < 4 ? nb : 4;

				d = 2 | (slot & 1);
				for (nb -= lo; nb; nb--) {
					dz_u16 half[2];

					half[1] = DZ_PONE / 2;
					d = (d << 1) | dz_bit(&rc, &half[1]);
				}
				d = (d << lo) + dz_tree(&rc, pr + DZ_P_LOW +
					((slot < 14 ? slot : 14) - 4) * 16,
					1, 1u << lo);
			}
			i = 3;
			op = 1;
		} else {
			i = 0;
			while (i < 3 && dz_bit(&rc, pr + DZ_P_SEL +
					       i * DZ_NSTATE + state))
				i++;
			op = 2;
			if (!i && !dz_bit(&rc, pr + DZ_P_LONG +
					  state * DZ_NPS + ps)) {
				len = (dz_u32)-1;	/* one byte */
				op = 3;
			} else {
				len = dz_len(&rc, pr + DZ_P_RLEN, ps);
			}
			d = reps[i];
		}
		for (; i; i--)
			reps[i] = reps[i - 1];
		reps[0] = d;
		state = ((state << 2) | op) & 15;
		len += 2;
		if (d >= pos || len > ulen - pos)
			return -1;
		d = pos - d - 1;
		do
			out[pos++] = out[d++];
		while (--len);
	}
	if (rc.bad)
		return -1;

	if (s[1] & DZ_FILTER) {
		dz_u32 last = (dz_u32)-4;

		for (i = 0; i + 4 < ulen; i++) {
			dz_u8 *q = out + i;

			if ((q[0] & 0xfe) != 0xe8)
				continue;
			if (i - last > 3 && (dz_u8)(q[4] + 1) < 2) {
				d = q[1] | (dz_u32)q[2] << 8 |
				    (dz_u32)q[3] << 16 | (dz_u32)q[4] << 24;
				d = (((d - i) & 0x1ffffffu) ^ 0x1000000u) -
				    0x1000000u;
				q[1] = (dz_u8)d;
				q[2] = (dz_u8)(d >> 8);
				q[3] = (dz_u8)(d >> 16);
				q[4] = (dz_u8)(d >> 24);
				i += 4;
			} else {
				last = i;
			}
		}
	}
	return (long)ulen;
}
