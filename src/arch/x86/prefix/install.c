/* The install stub: position-independent 32-bit code run once by the
 * resident block.  It checks the payload (size and CRC-32), picks memory
 * from the BIOS map, unpacks and relocates the core there and reports where
 * everything went in struct boot_info.  It may not use absolute addresses
 * (the build rejects any absolute relocation) and has no C library. */

#include <bios/bootinfo.h>
#include <bios/regs.h>
#include <dust/payload.h>
#include "unzip.h"

#define MIB 0x100000u
#define PAGE 4096u
#define MAX_AVOID 3

struct range {
	uint64_t start, end;
};

struct e820_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t attr;
} __packed;

typedef __asmcall void (*real_call_fn)(struct rm_call *c);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* The compiler may emit calls to these for struct copies. */
void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* Append text and a number to the error message. */
static char *put_str(char *p, char *end, const char *s)
{
	while (*s && p < end - 1)
		*p++ = *s++;
	*p = 0;
	return p;
}

static char *put_num(char *p, char *end, uint32_t v)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && p < end - 1)
		*p++ = digits[--n];
	*p = 0;
	return p;
}

/* Record "dust: " a [n1 b [n2 c]] as the message the resident block prints;
 * returns the nonzero status the stub reports failure with. */
static uint32_t fail(struct boot_info *bi, const char *a, uint32_t n1,
		     const char *b, uint32_t n2, const char *c)
{
	char *p = bi->errmsg, *end = bi->errmsg + sizeof(bi->errmsg);

	p = put_str(p, end, "dust: ");
	p = put_str(p, end, a);
	if (b) {
		p = put_num(p, end, n1);
		p = put_str(p, end, b);
		if (c) {
			p = put_num(p, end, n2);
			put_str(p, end, c);
		}
	}
	return 1;
}

/* CRC-32 (IEEE 802.3, reflected, polynomial EDB88320), four bits at a time. */
static uint32_t crc32(const uint8_t *p, uint32_t len)
{
	uint32_t table[16], crc = 0xffffffff;
	unsigned int i, j;

	for (i = 0; i < 16; i++) {
		uint32_t c = i;

		for (j = 0; j < 4; j++)
			c = (c >> 1) ^ ((c & 1) ? 0xedb88320 : 0);
		table[i] = c;
	}
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ table[crc & 15];
		crc = (crc >> 4) ^ table[crc & 15];
	}
	return ~crc;
}

static int overlaps(uint64_t s, uint64_t e, const struct range *avoid,
		    unsigned int n, uint64_t *below)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (s < avoid[i].end && avoid[i].start < e) {
			*below = avoid[i].start;
			return 1;
		}
	}
	return 0;
}

/* Highest page-aligned block of `need` bytes inside [start, end) that
 * misses every avoided range, or 0. */
static uint32_t fit(uint64_t start, uint64_t end, uint32_t need,
		    const struct range *avoid, unsigned int navoid)
{
	uint64_t top = end, s, below;

	if (start < MIB)
		start = MIB;
	if (top > 0x100000000ull)
		top = 0x100000000ull;
	while (top > start && top - start >= need) {
		s = (top - need) & ~(uint64_t)(PAGE - 1);
		if (s < start)
			return 0;
		if (!overlaps(s, s + need, avoid, navoid, &below))
			return (uint32_t)s;
		top = below;
	}
	return 0;
}

/* Walk the BIOS memory map (INT 15h E820, or E801 on old machines) and
 * return the highest place `need` bytes fit. */
static uint32_t find_memory(struct boot_info *bi, uint32_t need,
			    const struct range *avoid, unsigned int navoid)
{
	uint8_t *res = (uint8_t *)(uintptr_t)bi->resident;
	real_call_fn real_call =
		(real_call_fn)(uintptr_t)(bi->resident + *(uint16_t *)(res + RES_REAL_CALL));
	uint16_t scratch = *(uint16_t *)(res + RES_SCRATCH);
	struct e820_entry *e = (void *)(res + scratch);
	struct rm_call c;
	uint32_t best = 0, got, cont = 0;
	unsigned int i;

	for (i = 0; i < 256; i++) {
		memset(&c, 0, sizeof(c));
		memset(e, 0, sizeof(*e));
		e->attr = 1;
		c.intno = 0x15;
		c.regs.eax = 0xe820;
		c.regs.edx = 0x534d4150; /* "SMAP" */
		c.regs.ebx = cont;
		c.regs.ecx = sizeof(*e);
		c.regs.es = (uint16_t)(bi->resident >> 4);
		c.regs.edi = scratch;
		c.regs.eflags = FLAG_IF;
		real_call(&c);
		if ((c.regs.eflags & FLAG_CF) || c.regs.eax != 0x534d4150)
			break;
		if (e->type == 1 && (c.regs.ecx < 24 || (e->attr & 1))) {
			got = fit(e->base, e->base + e->len, need, avoid, navoid);
			if (got > best)
				best = got;
		}
		cont = c.regs.ebx;
		if (!cont)
			break;
	}
	if (best || i)
		return best;

	/* No E820: memory from 1 MiB (AX KiB to 16 MiB), then BX * 64 KiB. */
	memset(&c, 0, sizeof(c));
	c.intno = 0x15;
	c.regs.eax = 0xe801;
	c.regs.eflags = FLAG_IF;
	real_call(&c);
	if (c.regs.eflags & FLAG_CF)
		return 0;
	if (!c.regs.ax && !c.regs.bx) {
		c.regs.ax = c.regs.cx;
		c.regs.bx = c.regs.dx;
	}
	if (c.regs.bx)
		best = fit(16 * MIB, 16 * MIB + (uint64_t)c.regs.bx * 65536, need,
			   avoid, navoid);
	if (!best)
		best = fit(MIB, MIB + (uint64_t)c.regs.ax * 1024, need, avoid,
			   navoid);
	return best;
}

/* Read one LEB128 varint; returns 0 when the input runs out. */
static int get_varint(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	uint32_t r = 0;
	unsigned int shift = 0;
	const uint8_t *p = *pp;

	while (p < end && shift < 35) {
		uint8_t b = *p++;

		r |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = r;
			return 1;
		}
		shift += 7;
	}
	return 0;
}

__asmcall uint32_t install(struct boot_info *bi);

/* Entry point, at offset 0 of the stub, called by the resident block's
 * pm_call: 0 on success, else nonzero with bi->errmsg saying why. */
__attribute__((section(".text.entry")))
__asmcall uint32_t install(struct boot_info *bi)
{
	const struct payload_hdr *h = (const void *)(uintptr_t)bi->payload;
	const uint8_t *z = (const uint8_t *)h + sizeof(*h);
	struct range avoid[MAX_AVOID];
	unsigned int navoid = 0;
	uint32_t mem, need, heap, base, i, off;
	const uint8_t *rp, *rend;
	long n;

	if (bi->payload_len < sizeof(*h) || h->magic != PAYLOAD_MAGIC ||
	    h->hdr_len != sizeof(*h))
		return fail(bi, "image is corrupt: no payload header found",
			    0, 0, 0, 0);
	if (h->zlen > bi->payload_len - sizeof(*h))
		return fail(bi, "image is truncated: payload has ",
			    bi->payload_len - (uint32_t)sizeof(*h), " of ",
			    h->zlen, " bytes");
	if (crc32(z, h->zlen) != h->crc)
		return fail(bi, "image is corrupt or truncated: payload checksum mismatch",
			    0, 0, 0, 0);
	if (h->image_len > h->mem_len || h->ulen < h->image_len ||
	    h->entry >= h->image_len || h->stack_top > h->mem_len)
		return fail(bi, "image is corrupt: bad payload header", 0, 0, 0, 0);

	/* Keep clear of the compressed payload and of a loader's initrd. */
	avoid[navoid].start = bi->payload;
	avoid[navoid++].end = (uint64_t)bi->payload + bi->payload_len;
	if (bi->initrd_len) {
		avoid[navoid].start = bi->initrd;
		avoid[navoid++].end = (uint64_t)bi->initrd + bi->initrd_len;
	}

	mem = (h->mem_len + PAGE - 1) & ~(PAGE - 1);
	if (h->ulen > mem)
		mem = (h->ulen + PAGE - 1) & ~(PAGE - 1);
	base = 0;
	for (heap = h->heap_len; ; heap /= 2) {
		if (heap < h->heap_min)
			heap = h->heap_min;
		need = mem + ((heap + PAGE - 1) & ~(PAGE - 1));
		base = find_memory(bi, need, avoid, navoid);
		if (base || heap == h->heap_min)
			break;
	}
	if (!base)
		return fail(bi, "not enough memory above 1 MiB: need ",
			    need >> 10, " KiB", 0, NULL);

	/* The decoder's model lives in the heap area, unused until later. */
	if (need - mem < UNZIP_WORKSPACE_SIZE)
		return fail(bi, "image is corrupt: bad payload header", 0, 0, 0, 0);
	n = unzip(z, h->zlen, (void *)(uintptr_t)base, mem,
		  (void *)(uintptr_t)(base + mem));
	if (n != (long)h->ulen)
		return fail(bi, "image is corrupt: payload does not unpack",
			    0, 0, 0, 0);

	rp = (const uint8_t *)(uintptr_t)base + h->image_len;
	rend = (const uint8_t *)(uintptr_t)base + h->ulen;
	off = 0;
	for (i = 0; i < h->nrelocs; i++) {
		uint32_t delta;

		if (!get_varint(&rp, rend, &delta) || delta > h->image_len ||
		    off + delta > h->image_len - 4)
			return fail(bi, "image is corrupt: bad relocation", 0, 0,
				    0, 0);
		off += delta;
		*(uint32_t *)(uintptr_t)(base + off) += base;
	}
	memset((void *)(uintptr_t)(base + h->image_len), 0,
	       mem - h->image_len);

	bi->core_base = base;
	bi->entry = base + h->entry;
	bi->stack = base + h->stack_top;
	bi->heap = base + mem;
	bi->core_end = base + need;
	bi->heap_end = base + need;
	return 0;
}
