/*
 * zpack - build-host compressor for dust payloads (DZ format).
 *
 *   zpack [options] IN OUT      compress IN into OUT
 *   zpack -d IN OUT             decompress IN into OUT
 *
 * Options (compression):
 *   -F          do not apply the x86 call/jmp filter
 *   -X          always apply it (by default it is applied when a quick
 *               look at the call/jmp words says it will help)
 *   -p LC,LP,PB use these literal/position parameters instead of searching
 *   -e          search more parameter combinations, and try the stream
 *               both with and without the filter (slower)
 *   -v          print sizes to stderr
 *
 * The stream format is documented in src/arch/x86/prefix/unzip.c.  That
 * file is compiled into this program unchanged, and every compressed
 * stream is decoded with it and compared before being written, so a
 * successful run also proves the firmware decoder on that input.
 *
 * Outline of the compressor:
 *   1. optional x86 filter (the exact inverse of the one in unzip.c);
 *   2. a binary-tree match finder lists, for every position, the closest
 *      match for each achievable length;
 *   3. an optimal parser walks forward over a window of positions,
 *      pricing literals, matches and repeats with the live adaptive
 *      model, keeps the cheapest way to reach each position, and emits
 *      the chosen path once all candidate paths meet;
 *   4. the range coder writes the symbols exactly as unzip.c reads them.
 * Output depends only on the input and options, never on timing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/arch/x86/prefix/unzip.c"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define MIN_LEN		2
#define MAX_LEN		273
#define NICE_LEN	273
#define OPT_WINDOW	4096
/* nodes: window + longest compound step (match, literal, repeat) */
#define NODES		(OPT_WINDOW + 2 * MAX_LEN + 2)
#define NIL		0xffffffffu
#define INF		0xffffffffu

/* Prices are in 1/64 bit. */
#define PRICE_SHIFT	6
#define PLAIN_PRICE	(1u << PRICE_SHIFT)

enum { OP_LIT = 0, OP_MATCH = 1, OP_REP = 2, OP_SHORT = 3 };

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "zpack: out of memory\n");
		exit(2);
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* Bit prices                                                          */

static u32 price_tab[DZ_PONE + 1];

/* -log2(v / DZ_PONE) in 1/64 bit, by repeated squaring (no libm). */
static void init_prices(void)
{
	u32 v;

	for (v = 1; v <= DZ_PONE; v++) {
		double x = (double)DZ_PONE / v;	/* >= 1 */
		double bits = 0, frac = 0.5;
		int k;

		while (x >= 2) {
			x /= 2;
			bits += 1;
		}
		for (k = 0; k < 20; k++) {
			x *= x;
			if (x >= 2) {
				x /= 2;
				bits += frac;
			}
			frac /= 2;
		}
		price_tab[v] = (u32)(bits * PLAIN_PRICE + 0.5);
	}
	price_tab[0] = price_tab[1] * 2;
}

static inline u32 price0(u16 p)
{
	return price_tab[p];
}

static inline u32 price1(u16 p)
{
	return price_tab[DZ_PONE - p];
}

static inline u32 price_bit(u16 p, u32 b)
{
	return b ? price1(p) : price0(p);
}

static u32 price_tree(const u16 *p, u32 nbits, u32 v)
{
	u32 m = 1, price = 0;

	while (nbits--) {
		u32 b = (v >> nbits) & 1;

		price += price_bit(p[m], b);
		m = (m << 1) | b;
	}
	return price;
}

/* ------------------------------------------------------------------ */
/* x86 filter (inverse of the one in unzip.c)                          */

static u32 x86_encode(u8 *buf, u32 n)
{
	u32 i, last = (u32)-4, count = 0;

	for (i = 0; i + 4 < n; i++) {
		u8 *q = buf + i;
		u32 v;

		if ((q[0] & 0xfe) != 0xe8)
			continue;
		if (i - last > 3 && (u8)(q[4] + 1) < 2) {
			v = q[1] | (u32)q[2] << 8 | (u32)q[3] << 16 |
			    (u32)q[4] << 24;
			v = (((v + i) & 0x1ffffffu) ^ 0x1000000u) - 0x1000000u;
			q[1] = (u8)v;
			q[2] = (u8)(v >> 8);
			q[3] = (u8)(v >> 16);
			q[4] = (u8)(v >> 24);
			i += 4;
			count++;
		} else {
			last = i;
		}
	}
	return count;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static size_t count_distinct(u32 *v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			d++;
	return d;
}

/*
 * Would the x86 filter help?  In linked code, calls to one function from
 * many places carry different relative displacements but the same
 * target, so rewriting makes the words repeat.  In an unlinked object
 * every displacement is the same placeholder and rewriting makes them
 * all differ.  Compare how many distinct words the candidate windows
 * hold before and after (the filter's decisions depend only on the
 * original bytes, so this scan mirrors x86_encode() exactly).
 */
static int x86_filter_helps(const u8 *buf, u32 n)
{
	u32 i, last = (u32)-4;
	size_t cnt = 0, before, after;
	u32 *orig = xmalloc(((size_t)n / 5 + 1) * sizeof(u32));
	u32 *conv = xmalloc(((size_t)n / 5 + 1) * sizeof(u32));

	for (i = 0; i + 4 < n; i++) {
		const u8 *q = buf + i;
		u32 v;

		if ((q[0] & 0xfe) != 0xe8)
			continue;
		if (i - last > 3 && (u8)(q[4] + 1) < 2) {
			v = q[1] | (u32)q[2] << 8 | (u32)q[3] << 16 |
			    (u32)q[4] << 24;
			orig[cnt] = v;
			conv[cnt++] = (((v + i) & 0x1ffffffu) ^ 0x1000000u) -
				      0x1000000u;
			i += 4;
		} else {
			last = i;
		}
	}
	before = count_distinct(orig, cnt);
	after = count_distinct(conv, cnt);
	free(orig);
	free(conv);
	return after < before;
}

/* ------------------------------------------------------------------ */
/* Match finder                                                        */

struct pair {
	u32 len;
	u32 dist;	/* distance - 1 */
};

struct matches {
	u32 *first;		/* [n + 1]: index of position's first pair */
	struct pair *pairs;
	size_t npairs, cap;
};

/*
 * For every position p, list matches of strictly increasing length, each
 * with the smallest distance found for it.  Positions sharing their first
 * two bytes form a binary search tree ordered by the following bytes;
 * each new position becomes the root, the old tree being split around it
 * while it is searched.
 */
static void find_matches(const u8 *buf, u32 n, u32 depth, struct matches *m)
{
	u32 *head = xmalloc(65536 * sizeof(u32));
	u32 *lt = xmalloc((size_t)(n ? n : 1) * sizeof(u32));
	u32 *gt = xmalloc((size_t)(n ? n : 1) * sizeof(u32));
	u32 p, i;

	for (i = 0; i < 65536; i++)
		head[i] = NIL;
	m->first = xmalloc(((size_t)n + 1) * sizeof(u32));
	m->cap = (size_t)n + 1024;
	m->pairs = xmalloc(m->cap * sizeof(struct pair));
	m->npairs = 0;

	for (p = 0; p < n; p++) {
		u32 maxlen, h, cur, len_lt, len_gt, best, left;
		u32 *link_lt, *link_gt;

		m->first[p] = (u32)m->npairs;
		if (n - p < MIN_LEN)
			continue;
		maxlen = n - p < NICE_LEN ? n - p : NICE_LEN;
		h = buf[p] | (u32)buf[p + 1] << 8;
		cur = head[h];
		head[h] = p;
		link_lt = &lt[p];
		link_gt = &gt[p];
		len_lt = len_gt = MIN_LEN;
		best = MIN_LEN - 1;
		left = depth;

		for (;;) {
			u32 len;

			if (cur == NIL || !left--) {
				*link_lt = *link_gt = NIL;
				break;
			}
			len = len_lt < len_gt ? len_lt : len_gt;
			while (len < maxlen && buf[cur + len] == buf[p + len])
				len++;
			if (len > best) {
				if (m->npairs == m->cap) {
					m->cap *= 2;
					m->pairs = realloc(m->pairs,
						m->cap * sizeof(struct pair));
					if (!m->pairs) {
						fprintf(stderr, "zpack: oom\n");
						exit(2);
					}
				}
				m->pairs[m->npairs].len = len;
				m->pairs[m->npairs].dist = p - cur - 1;
				m->npairs++;
				best = len;
			} else if (len == best &&
				   p - cur - 1 < m->pairs[m->npairs - 1].dist) {
				m->pairs[m->npairs - 1].dist = p - cur - 1;
			}
			if (len == maxlen) {
				/* p replaces cur in the tree */
				*link_lt = lt[cur];
				*link_gt = gt[cur];
				break;
			}
			if (buf[cur + len] < buf[p + len]) {
				*link_lt = cur;
				link_lt = &gt[cur];
				cur = gt[cur];
				len_lt = len;
			} else {
				*link_gt = cur;
				link_gt = &lt[cur];
				cur = lt[cur];
				len_gt = len;
			}
		}
	}
	m->first[n] = (u32)m->npairs;
	free(head);
	free(lt);
	free(gt);
}

/* ------------------------------------------------------------------ */
/* Model and range encoder                                             */

struct enc {
	u16 pr[DZ_NPROBS];
	u32 lc, lp, pb, lpm, pbm;
	u32 state, reps[4];
	/* range coder */
	u64 low;
	u32 range;
	u8 *out;
	size_t olen, ocap;
	/* cached prices, refreshed from pr[] now and then */
	u32 lenprice[2][DZ_NPS][MAX_LEN + 1];
	u32 slotprice[4][64];
	u32 lowprice[11][16];
	u32 since_refresh;
};

static void put_byte(struct enc *e, u8 b)
{
	if (e->olen == e->ocap) {
		e->ocap = e->ocap ? e->ocap * 2 : 65536;
		e->out = realloc(e->out, e->ocap);
		if (!e->out) {
			fprintf(stderr, "zpack: out of memory\n");
			exit(2);
		}
	}
	e->out[e->olen++] = b;
}

static void enc_bit(struct enc *e, u16 *p, u32 b)
{
	u32 v = *p, bound;

	if (e->range < DZ_TOP) {
		e->range <<= 8;
		put_byte(e, (u8)(e->low >> 24));
		e->low = (e->low << 8) & 0xffffffffu;
	}
	bound = (e->range >> DZ_PBITS) * v;
	if (!b) {
		e->range = bound;
		*p = (u16)(v + ((DZ_PONE - v) >> DZ_PMOVE));
	} else {
		e->low += bound;
		e->range -= bound;
		*p = (u16)(v - (v >> DZ_PMOVE));
		if (e->low >> 32) {
			/* carry into bytes already written */
			size_t i = e->olen;

			while (e->out[--i] == 0xff)
				e->out[i] = 0;
			e->out[i]++;
			e->low &= 0xffffffffu;
		}
	}
}

static void enc_plain(struct enc *e, u32 b)
{
	u16 half = DZ_PONE / 2;

	enc_bit(e, &half, b);
}

static void enc_flush(struct enc *e)
{
	int i;

	for (i = 0; i < 4; i++) {
		put_byte(e, (u8)(e->low >> 24));
		e->low = (e->low << 8) & 0xffffffffu;
	}
}

static void enc_tree(struct enc *e, u16 *p, u32 nbits, u32 v)
{
	u32 m = 1;

	while (nbits--) {
		u32 b = (v >> nbits) & 1;

		enc_bit(e, p + m, b);
		m = (m << 1) | b;
	}
}

static void enc_init(struct enc *e, u32 lc, u32 lp, u32 pb)
{
	u32 i;

	for (i = 0; i < DZ_NPROBS; i++)
		e->pr[i] = DZ_PONE / 2;
	e->lc = lc;
	e->lp = lp;
	e->pb = pb;
	e->lpm = (1u << lp) - 1;
	e->pbm = (1u << pb) - 1;
	e->state = 0;
	for (i = 0; i < 4; i++)
		e->reps[i] = 0;
	e->low = 0;
	e->range = 0xffffffffu;
	e->olen = 0;
	e->since_refresh = (u32)-1;
}

static u16 *lit_probs(struct enc *e, const u8 *buf, u32 pos)
{
	u32 prev = pos ? buf[pos - 1] : 0;

	return e->pr + DZ_P_LIT +
	       0x300 * (((pos & e->lpm) << e->lc) + (prev >> (8 - e->lc)));
}

static void enc_literal(struct enc *e, const u8 *buf, u32 pos)
{
	u16 *lp = lit_probs(e, buf, pos);
	u32 byte = buf[pos], sym = 1, i = 8, b;

	if (e->state & 3) {
		u32 m = buf[pos - e->reps[0] - 1], mb;

		do {
			i--;
			mb = (m >> i) & 1;
			b = (byte >> i) & 1;
			enc_bit(e, lp + ((1 + mb) << 8) + sym, b);
			sym = (sym << 1) | b;
		} while (i && b == mb);
	}
	while (i) {
		i--;
		b = (byte >> i) & 1;
		enc_bit(e, lp + sym, b);
		sym = (sym << 1) | b;
	}
}

static u32 lit_price(struct enc *e, const u8 *buf, u32 pos, u32 state,
		     u32 rep0)
{
	u16 *lp = lit_probs(e, buf, pos);
	u32 byte = buf[pos], sym = 1, i = 8, b, price = 0;

	if (state & 3) {
		u32 m = buf[pos - rep0 - 1], mb;

		do {
			i--;
			mb = (m >> i) & 1;
			b = (byte >> i) & 1;
			price += price_bit(lp[((1 + mb) << 8) + sym], b);
			sym = (sym << 1) | b;
		} while (i && b == mb);
	}
	while (i) {
		i--;
		b = (byte >> i) & 1;
		price += price_bit(lp[sym], b);
		sym = (sym << 1) | b;
	}
	return price;
}

static void enc_len(struct enc *e, u16 *p, u32 ps, u32 len)
{
	len -= MIN_LEN;
	if (len < 8) {
		enc_bit(e, p, 0);
		enc_tree(e, p + 2 + ps * 8, 3, len);
	} else if (len < 16) {
		enc_bit(e, p, 1);
		enc_bit(e, p + 1, 0);
		enc_tree(e, p + DZ_LEN_MID + ps * 8, 3, len - 8);
	} else {
		enc_bit(e, p, 1);
		enc_bit(e, p + 1, 1);
		enc_tree(e, p + DZ_LEN_HIGH, 8, len - 16);
	}
}

static u32 len_price_calc(const u16 *p, u32 ps, u32 len)
{
	len -= MIN_LEN;
	if (len < 8)
		return price0(p[0]) + price_tree(p + 2 + ps * 8, 3, len);
	if (len < 16)
		return price1(p[0]) + price0(p[1]) +
		       price_tree(p + DZ_LEN_MID + ps * 8, 3, len - 8);
	return price1(p[0]) + price1(p[1]) +
	       price_tree(p + DZ_LEN_HIGH, 8, len - 16);
}

static u32 dist_slot(u32 d)
{
	u32 nb = 0;

	if (d < 4)
		return d;
	while ((d >> nb) > 3)
		nb++;
	return 2 * (nb + 1) + ((d >> nb) & 1);
}

static u32 low_ctx(u32 slot)
{
	return (slot < 14 ? slot : 14) - 4;
}

static void enc_dist(struct enc *e, u32 d, u32 len)
{
	u32 lctx = len - MIN_LEN < 3 ? len - MIN_LEN : 3;
	u32 slot = dist_slot(d);

	enc_tree(e, e->pr + DZ_P_SLOT + lctx * 64, 6, slot);
	if (slot >= 4) {
		u32 nb = (slot >> 1) - 1, lo = nb < 4 ? nb : 4, i;

		for (i = nb; i > lo; i--)
			enc_plain(e, (d >> (i - 1)) & 1);
		enc_tree(e, e->pr + DZ_P_LOW + low_ctx(slot) * 16, lo,
			 d & ((1u << lo) - 1));
	}
}

static void refresh_prices(struct enc *e)
{
	u32 k, ps, len, s, v;

	for (k = 0; k < 2; k++) {
		const u16 *p = e->pr + (k ? DZ_P_RLEN : DZ_P_MLEN);

		for (ps = 0; ps <= e->pbm; ps++)
			for (len = MIN_LEN; len <= MAX_LEN; len++)
				e->lenprice[k][ps][len] =
					len_price_calc(p, ps, len);
	}
	for (k = 0; k < 4; k++)
		for (s = 0; s < 64; s++) {
			u32 pr = price_tree(e->pr + DZ_P_SLOT + k * 64, 6, s);

			if (s >= 4) {
				u32 nb = (s >> 1) - 1;

				pr += (nb - (nb < 4 ? nb : 4)) * PLAIN_PRICE;
			}
			e->slotprice[k][s] = pr;
		}
	for (s = 4; s < 15; s++) {
		u32 nb = (s >> 1) - 1, lo = nb < 4 ? nb : 4;

		for (v = 0; v < (1u << lo); v++)
			e->lowprice[s - 4][v] =
				price_tree(e->pr + DZ_P_LOW + (s - 4) * 16, lo, v);
	}
	e->since_refresh = 0;
}

static u32 dist_price(struct enc *e, u32 d, u32 lctx)
{
	u32 slot = dist_slot(d);
	u32 pr = e->slotprice[lctx][slot];

	if (slot >= 4)
		pr += e->lowprice[low_ctx(slot)][d & 15 &
			((1u << ((slot >> 1) - 1)) - 1)];
	return pr;
}

/* ------------------------------------------------------------------ */
/* Operations: encoding and pricing of the non-literal flags           */

struct op {
	u32 kind;
	u32 len;
	u32 arg;	/* match: distance - 1; repeat: index 0..3 */
};

static u32 next_state(u32 state, u32 kind)
{
	return ((state << 2) | kind) & 15;
}

static void apply_reps(u32 *reps, u32 kind, u32 arg)
{
	u32 i, d;

	if (kind == OP_LIT)
		return;
	if (kind == OP_MATCH) {
		i = 3;
		d = arg;
	} else {
		i = kind == OP_SHORT ? 0 : arg;
		d = reps[i];
	}
	for (; i; i--)
		reps[i] = reps[i - 1];
	reps[0] = d;
}

static void enc_op(struct enc *e, const u8 *buf, u32 pos, const struct op *o)
{
	u32 st = e->state, ps = pos & e->pbm, i;

	enc_bit(e, e->pr + DZ_P_MATCH + st * DZ_NPS + ps, o->kind != OP_LIT);
	if (o->kind == OP_LIT) {
		enc_literal(e, buf, pos);
	} else if (o->kind == OP_MATCH) {
		enc_bit(e, e->pr + DZ_P_REP + st, 0);
		enc_len(e, e->pr + DZ_P_MLEN, ps, o->len);
		enc_dist(e, o->arg, o->len);
	} else {
		u32 r = o->kind == OP_SHORT ? 0 : o->arg;

		enc_bit(e, e->pr + DZ_P_REP + st, 1);
		for (i = 0; i < 3; i++) {
			enc_bit(e, e->pr + DZ_P_SEL + i * DZ_NSTATE + st, i < r);
			if (i >= r)
				break;
		}
		if (r == 0)
			enc_bit(e, e->pr + DZ_P_LONG + st * DZ_NPS + ps,
				o->kind == OP_REP);
		if (o->kind == OP_REP)
			enc_len(e, e->pr + DZ_P_RLEN, ps, o->len);
	}
	apply_reps(e->reps, o->kind, o->arg);
	e->state = next_state(st, o->kind);
	e->since_refresh++;
}

/* Price of choosing repeat slot r (flags only, no length). */
static u32 rep_sel_price(struct enc *e, u32 st, u32 ps, u32 r, int is_short)
{
	const u16 *p = e->pr;
	u32 price = price1(p[DZ_P_MATCH + st * DZ_NPS + ps]) +
		    price1(p[DZ_P_REP + st]);
	u32 i;

	for (i = 0; i < 3; i++) {
		price += price_bit(p[DZ_P_SEL + i * DZ_NSTATE + st], i < r);
		if (i >= r)
			break;
	}
	if (r == 0)
		price += price_bit(p[DZ_P_LONG + st * DZ_NPS + ps], !is_short);
	return price;
}

/* ------------------------------------------------------------------ */
/* Optimal parse                                                       */

struct node {
	u32 price;
	u32 from;
	u32 nseq;		/* operations leading here from node 'from' */
	struct op seq[3];
	u32 state;
	u32 reps[4];
};

struct parser {
	struct node *nd;
	struct op *ops;
};

static u32 match_len(const u8 *buf, u32 a, u32 b, u32 max)
{
	u32 len = 0;

	while (len < max && buf[a + len] == buf[b + len])
		len++;
	return len;
}

static inline void extend(struct node *nd, u32 *far, u32 j)
{
	while (*far < j)
		nd[++*far].price = INF;
}

static inline void relax(struct node *nd, u32 *far, u32 j, u32 price,
			 u32 from, u32 kind, u32 len, u32 arg)
{
	extend(nd, far, j);
	if (price < nd[j].price) {
		nd[j].price = price;
		nd[j].from = from;
		nd[j].nseq = 1;
		nd[j].seq[0].kind = kind;
		nd[j].seq[0].len = len;
		nd[j].seq[0].arg = arg;
	}
}

/* Relax j with a compound path: first, [a literal,] then repeat 0. */
static inline void relax_seq(struct node *nd, u32 *far, u32 j, u32 price,
			     u32 from, const struct op *first, int lit,
			     u32 len2)
{
	struct node *t = &nd[j];
	u32 k = 0;

	extend(nd, far, j);
	if (price >= t->price)
		return;
	t->price = price;
	t->from = from;
	t->seq[k++] = *first;
	if (lit) {
		t->seq[k].kind = OP_LIT;
		t->seq[k].len = 1;
		t->seq[k++].arg = 0;
	}
	t->seq[k].kind = OP_REP;
	t->seq[k].len = len2;
	t->seq[k++].arg = 0;
	t->nseq = k;
}

/*
 * Try following an operation that ends at node qi (absolute position q,
 * leaving the given state and reps[0], at total cost price) with one
 * literal and then a repeat of reps[0]; relaxes the node where that ends.
 */
static void try_tail(struct enc *e, struct node *nd, u32 *far, const u8 *buf,
		     u32 n, u32 from, u32 qi, u32 q, u32 price,
		     const struct op *first, u32 state, u32 rep0)
{
	u32 len2, max2, ps;

	if (q + 1 + MIN_LEN > n || rep0 >= q || buf[q] == buf[q - rep0 - 1])
		return;
	max2 = n - q - 1;
	if (max2 > MAX_LEN)
		max2 = MAX_LEN;
	len2 = match_len(buf, q + 1, q - rep0, max2);
	if (len2 < MIN_LEN)
		return;
	ps = q & e->pbm;
	price += price0(e->pr[DZ_P_MATCH + state * DZ_NPS + ps]) +
		 lit_price(e, buf, q, state, rep0);
	state = next_state(state, OP_LIT);
	ps = (q + 1) & e->pbm;
	price += rep_sel_price(e, state, ps, 0, 0) + e->lenprice[1][ps][len2];
	relax_seq(nd, far, qi + 1 + len2, price, from, first, 1, len2);
}

/* Force node j to be reached from node i by a single operation. */
static void force(struct node *nd, u32 *far, u32 i, u32 j, u32 kind, u32 len,
		  u32 arg)
{
	extend(nd, far, j);
	nd[j].price = 0;
	nd[j].from = i;
	nd[j].nseq = 1;
	nd[j].seq[0].kind = kind;
	nd[j].seq[0].len = len;
	nd[j].seq[0].arg = arg;
}

/*
 * Choose operations for the bytes starting at pos and encode them.
 * Each node of the window holds the cheapest known way to reach its
 * position, plus the coder state and distance list that way leaves.
 * The window closes as soon as every candidate path passes through one
 * position (or the window is full, or a long match is simply taken).
 * Returns the number of bytes covered.
 */
static u32 parse_block(struct enc *e, struct parser *pa, const u8 *buf,
		       u32 n, u32 pos, const struct matches *mm)
{
	struct node *nd = pa->nd;
	u32 far = 0, i, cut, k, nops;

	nd[0].price = 0;
	nd[0].state = e->state;
	memcpy(nd[0].reps, e->reps, sizeof(e->reps));

	for (i = 0;; i++) {
		struct node *cn = &nd[i];
		u32 p = pos + i, st, ps, avail, maxl, r, base, L;
		u32 replen[4], best_rep = 0, best_rep_len = 0;
		const struct pair *pp, *pe;
		u32 longest;
		struct op first;

		if (i > 0 && (i == far || i >= OPT_WINDOW || p >= n)) {
			cut = i;
			break;
		}
		if (i > 0) {
			const struct node *fn = &nd[cn->from];

			memcpy(cn->reps, fn->reps, sizeof(cn->reps));
			st = fn->state;
			for (k = 0; k < cn->nseq; k++) {
				apply_reps(cn->reps, cn->seq[k].kind,
					   cn->seq[k].arg);
				st = next_state(st, cn->seq[k].kind);
			}
			cn->state = st;
		}
		st = cn->state;
		ps = p & e->pbm;
		avail = n - p;
		maxl = avail < MAX_LEN ? avail : MAX_LEN;

		for (r = 0; r < 4; r++) {
			u32 d = cn->reps[r];

			replen[r] = 0;
			if (d < p && maxl >= MIN_LEN)
				replen[r] = match_len(buf, p, p - d - 1, maxl);
			if (replen[r] > best_rep_len) {
				best_rep_len = replen[r];
				best_rep = r;
			}
		}
		pp = mm->pairs + mm->first[p];
		pe = mm->pairs + mm->first[p + 1];
		longest = pe > pp ? pe[-1].len : 0;

		/* a long enough match is simply taken */
		if (best_rep_len >= NICE_LEN || longest >= NICE_LEN) {
			if (best_rep_len >= longest) {
				cut = i + best_rep_len;
				force(nd, &far, i, cut, OP_REP, best_rep_len,
				      best_rep);
			} else {
				cut = i + longest;
				force(nd, &far, i, cut, OP_MATCH, longest,
				      pe[-1].dist);
			}
			break;
		}

		/* literal, and literal followed by a repeat of reps[0] */
		base = cn->price + price0(e->pr[DZ_P_MATCH + st * DZ_NPS + ps]) +
		       lit_price(e, buf, p, st, cn->reps[0]);
		relax(nd, &far, i + 1, base, i, OP_LIT, 1, 0);
		if (cn->reps[0] < p && avail > MIN_LEN &&
		    buf[p] != buf[p - cn->reps[0] - 1]) {
			u32 d = cn->reps[0], len2, st2 = next_state(st, OP_LIT);
			u32 ps2 = (p + 1) & e->pbm;

			len2 = match_len(buf, p + 1, p - d, maxl - 1);
			if (len2 >= MIN_LEN) {
				first.kind = OP_LIT;
				first.len = 1;
				first.arg = 0;
				relax_seq(nd, &far, i + 1 + len2,
					  base + rep_sel_price(e, st2, ps2, 0, 0) +
					  e->lenprice[1][ps2][len2],
					  i, &first, 0, len2);
			}
		}

		/* short repeat */
		if (cn->reps[0] < p && buf[p] == buf[p - cn->reps[0] - 1])
			relax(nd, &far, i + 1,
			      cn->price + rep_sel_price(e, st, ps, 0, 1),
			      i, OP_SHORT, 1, 0);

		/* repeats */
		for (r = 0; r < 4; r++) {
			if (replen[r] < MIN_LEN)
				continue;
			base = cn->price + rep_sel_price(e, st, ps, r, 0);
			for (L = MIN_LEN; L <= replen[r]; L++)
				relax(nd, &far, i + L,
				      base + e->lenprice[1][ps][L],
				      i, OP_REP, L, r);
			first.kind = OP_REP;
			first.len = replen[r];
			first.arg = r;
			try_tail(e, nd, &far, buf, n, i, i + replen[r],
				 p + replen[r], base + e->lenprice[1][ps][replen[r]],
				 &first, next_state(st, OP_REP), cn->reps[r]);
		}

		/* matches */
		if (pp < pe) {
			base = cn->price +
			       price1(e->pr[DZ_P_MATCH + st * DZ_NPS + ps]) +
			       price0(e->pr[DZ_P_REP + st]);
			L = MIN_LEN;
			for (; pp < pe; pp++) {
				u32 dp[4], c;

				for (c = 0; c < 4; c++)
					dp[c] = base + dist_price(e, pp->dist, c);
				for (; L <= pp->len; L++) {
					c = L - MIN_LEN < 3 ? L - MIN_LEN : 3;
					relax(nd, &far, i + L,
					      dp[c] + e->lenprice[0][ps][L],
					      i, OP_MATCH, L, pp->dist);
				}
				first.kind = OP_MATCH;
				first.len = pp->len;
				first.arg = pp->dist;
				try_tail(e, nd, &far, buf, n, i, i + pp->len,
					 p + pp->len,
					 dp[3 < pp->len - MIN_LEN ? 3 :
					    pp->len - MIN_LEN] +
					 e->lenprice[0][ps][pp->len],
					 &first, next_state(st, OP_MATCH),
					 pp->dist);
			}
		}
	}

	/* walk back from the cut, then emit front to back */
	nops = 0;
	for (k = cut; k > 0; k = nd[k].from) {
		u32 s = nd[k].nseq;

		while (s--)
			pa->ops[nops++] = nd[k].seq[s];
	}
	while (nops--) {
		enc_op(e, buf, pos, &pa->ops[nops]);
		pos += pa->ops[nops].len;
	}
	if (e->since_refresh >= 64)
		refresh_prices(e);
	return cut;
}

static void compress_with(struct enc *e, const u8 *buf, u32 n,
			  const struct matches *mm, u32 lc, u32 lp, u32 pb,
			  int filtered)
{
	struct parser ps;
	u32 pos = 0;

	ps.nd = xmalloc(NODES * sizeof(struct node));
	ps.ops = xmalloc(NODES * sizeof(struct op));
	enc_init(e, lc, lp, pb);
	put_byte(e, DZ_MAGIC);
	put_byte(e, (u8)(lc | lp << 3 | pb << 5 | (filtered ? DZ_FILTER : 0)));
	put_byte(e, (u8)n);
	put_byte(e, (u8)(n >> 8));
	put_byte(e, (u8)(n >> 16));
	put_byte(e, (u8)(n >> 24));
	refresh_prices(e);
	while (pos < n)
		pos += parse_block(e, &ps, buf, n, pos, mm);
	enc_flush(e);
	free(ps.nd);
	free(ps.ops);
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */

static u8 *read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	size_t cap = 1 << 16, n = 0, r;
	u8 *buf;

	if (!f) {
		perror(name);
		exit(1);
	}
	buf = xmalloc(cap);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf) {
				fprintf(stderr, "zpack: out of memory\n");
				exit(2);
			}
		}
	}
	if (ferror(f)) {
		perror(name);
		exit(1);
	}
	fclose(f);
	*len = n;
	return buf;
}

static void write_file(const char *name, const u8 *buf, size_t len)
{
	FILE *f = fopen(name, "wb");

	if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f)) {
		perror(name);
		exit(1);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: zpack [-F|-X] [-e] [-v] [-p LC,LP,PB] IN OUT\n"
		"       zpack -d IN OUT\n");
	exit(1);
}

static int decompress_file(const char *in, const char *out)
{
	size_t slen;
	u8 *src = read_file(in, &slen);
	long n = unzip_length(src, slen);
	void *work = xmalloc(UNZIP_WORKSPACE_SIZE);
	u8 *dst;
	long r;

	if (n < 0) {
		fprintf(stderr, "zpack: %s: not a DZ stream\n", in);
		return 1;
	}
	dst = xmalloc((size_t)n);
	r = unzip(src, slen, dst, (unsigned long)n, work);
	if (r != n) {
		fprintf(stderr, "zpack: %s: corrupt stream\n", in);
		return 1;
	}
	write_file(out, dst, (size_t)n);
	free(src);
	free(dst);
	free(work);
	return 0;
}

struct best {
	u8 *data;
	size_t len;
};

/*
 * Compress raw[0..n) with the filter on or off, trying each parameter
 * set in cand[]; keep the result in *b if it beats what is there.
 */
static void try_all(const u8 *raw, u32 n, int filter, u32 (*cand)[3],
		    u32 ncand, u32 depth, int verbose, struct enc *e,
		    struct best *b)
{
	u8 *buf = xmalloc(n ? n : 1);
	struct matches mm;
	u32 c;

	memcpy(buf, raw, n);
	if (filter)
		x86_encode(buf, n);
	find_matches(buf, n, depth, &mm);
	for (c = 0; c < ncand; c++) {
		compress_with(e, buf, n, &mm, cand[c][0], cand[c][1],
			      cand[c][2], filter);
		if (verbose)
			fprintf(stderr, "zpack: x86=%d lc=%u lp=%u pb=%u -> %zu\n",
				filter, cand[c][0], cand[c][1], cand[c][2],
				e->olen);
		if (!b->data || e->olen < b->len) {
			free(b->data);
			b->data = xmalloc(e->olen);
			memcpy(b->data, e->out, e->olen);
			b->len = e->olen;
		}
	}
	free(buf);
	free(mm.first);
	free(mm.pairs);
}

int main(int argc, char **argv)
{
	static const u32 quick[][3] = { {3, 0, 0}, {3, 0, 2} };
	static const u32 slow[][3] = {
		{3, 0, 0}, {1, 0, 0}, {2, 0, 0}, {0, 0, 0},
		{3, 0, 2}, {1, 0, 2}, {2, 1, 0}, {1, 2, 0},
	};
	int decompress = 0, filter = -1, extra = 0, verbose = 0, fixed = 0;
	u32 flc = 0, flp = 0, fpb = 0;
	const char *in, *out;
	size_t len;
	u8 *raw, *check;
	struct best best = { NULL, 0 };
	struct enc *e;
	void *work;
	u32 n, cand[16][3], ncand = 0, c;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-d"))
			decompress = 1;
		else if (!strcmp(a, "-F"))
			filter = 0;
		else if (!strcmp(a, "-X"))
			filter = 1;
		else if (!strcmp(a, "-e"))
			extra = 1;
		else if (!strcmp(a, "-v"))
			verbose = 1;
		else if (!strcmp(a, "-p") && i + 1 < argc) {
			if (sscanf(argv[++i], "%u,%u,%u", &flc, &flp,
				   &fpb) != 3 || flc > 4 || flp > 3 ||
			    fpb > 3 || flc + flp > DZ_MAX_LCLP)
				usage();
			fixed = 1;
		} else
			usage();
	}
	if (argc - i != 2)
		usage();
	in = argv[i];
	out = argv[i + 1];
	if (decompress)
		return decompress_file(in, out);

	raw = read_file(in, &len);
	if (len > 0x7fffffffu) {
		fprintf(stderr, "zpack: %s: too large\n", in);
		return 1;
	}
	n = (u32)len;

	if (fixed) {
		cand[0][0] = flc;
		cand[0][1] = flp;
		cand[0][2] = fpb;
		ncand = 1;
	} else if (extra) {
		for (c = 0; c < sizeof(slow) / sizeof(slow[0]); c++)
			memcpy(cand[ncand++], slow[c], sizeof(cand[0]));
	} else {
		for (c = 0; c < sizeof(quick) / sizeof(quick[0]); c++)
			memcpy(cand[ncand++], quick[c], sizeof(cand[0]));
	}

	init_prices();
	e = xmalloc(sizeof(*e));
	e->out = NULL;
	e->ocap = 0;
	if (filter < 0 && !extra) {
		filter = x86_filter_helps(raw, n);
		if (verbose)
			fprintf(stderr, "zpack: x86 filter %s\n",
				filter ? "helps" : "does not help");
	}
	if (filter != 0)
		try_all(raw, n, 1, cand, ncand, extra ? 256 : 64, verbose, e,
			&best);
	if (filter <= 0)
		try_all(raw, n, 0, cand, ncand, extra ? 256 : 64, verbose, e,
			&best);

	/* prove the stream with the firmware decoder before writing it */
	check = xmalloc(len ? len : 1);
	work = xmalloc(UNZIP_WORKSPACE_SIZE);
	if (unzip(best.data, best.len, check, len, work) != (long)len ||
	    (len && memcmp(check, raw, len))) {
		fprintf(stderr, "zpack: internal error: round trip failed\n");
		return 2;
	}
	write_file(out, best.data, best.len);
	if (verbose)
		fprintf(stderr, "zpack: %zu -> %zu bytes (%.2f%%)\n", len,
			best.len, len ? 100.0 * best.len / len : 0.0);
	free(raw);
	free(best.data);
	free(check);
	free(work);
	free(e->out);
	free(e);
	return 0;
}
