/* First-fit heap with address-ordered free list and coalescing.
 *
 * Every block is a multiple of HEAP_UNIT bytes and starts HEAP_UNIT-aligned.
 * An allocation takes a block [start, end) out of a free block; the header
 * just below the pointer it returns (16 bytes on i386) records that block
 * so free() can give it back whole, whatever alignment was asked for.
 */
#include <stdint.h>
#include <errno.h>
#include <assert.h>
#include <dust/heap.h>

#define HEAP_MAGIC 0x6475737fu

struct heap_free {
	size_t size;
	struct heap_free *next;
};

struct heap_hdr {
	uintptr_t start;   /* block start */
	size_t size;       /* block size */
	size_t req;        /* bytes requested */
	uint32_t magic;
} __aligned(HEAP_UNIT);

#define HDR_SIZE sizeof(struct heap_hdr)
BUILD_ASSERT(HDR_SIZE % HEAP_UNIT == 0);
BUILD_ASSERT(sizeof(struct heap_free) <= HEAP_UNIT);

void heap_init(struct heap *h)
{
	h->free = NULL;
	h->total = h->free_bytes = 0;
	h->live = 0;
	h->live_bytes = 0;
}

/* Put [start, start + size) back on the free list, merging neighbours. */
static void release(struct heap *h, uintptr_t start, size_t size)
{
	struct heap_free **pp = &h->free, *prev = NULL, *b;

	while (*pp && (uintptr_t)*pp < start) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	b = (struct heap_free *)start;
	b->size = size;
	b->next = *pp;
	*pp = b;
	h->free_bytes += size;
	if (b->next && start + b->size == (uintptr_t)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (uintptr_t)prev + prev->size == start) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

void heap_add(struct heap *h, void *start, size_t len)
{
	uintptr_t s = ALIGN_UP((uintptr_t)start, HEAP_UNIT);
	uintptr_t e = ((uintptr_t)start + len) & ~(uintptr_t)(HEAP_UNIT - 1);

	if (e <= s || e - s < HDR_SIZE + HEAP_UNIT)
		return;
	h->total += e - s;
	release(h, s, e - s);
}

/* Carve [s, e) out of free block *pp and hand it out. */
static void *take(struct heap *h, struct heap_free **pp, uintptr_t s,
		  uintptr_t e, size_t size)
{
	struct heap_free *b = *pp;
	uintptr_t bs = (uintptr_t)b, be = bs + b->size;
	struct heap_hdr *hdr;

	*pp = b->next;
	h->free_bytes -= b->size;
	if (s > bs)
		release(h, bs, s - bs);
	if (be > e)
		release(h, e, be - e);
	hdr = (struct heap_hdr *)s;
	hdr->start = s;
	hdr->size = e - s;
	hdr->req = size;
	hdr->magic = HEAP_MAGIC;
	h->live++;
	h->live_bytes += size;
	return (void *)(s + HDR_SIZE);
}

static int heap_args(size_t size, size_t *align, size_t *need)
{
	if (*align & (*align - 1))
		return -EINVAL;
	if (*align < HEAP_UNIT)
		*align = HEAP_UNIT;
	if (size > ((size_t)-1 >> 2))
		return -ENOMEM;
	*need = ALIGN_UP(size ? size : 1, HEAP_UNIT);
	return 0;
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	struct heap_free **pp, *b;
	size_t need;

	if (heap_args(size, &align, &need))
		return NULL;
	for (pp = &h->free; (b = *pp); pp = &b->next) {
		uintptr_t bs = (uintptr_t)b, be = bs + b->size;
		uintptr_t p = ALIGN_UP(bs + HDR_SIZE, align);

		if (p + need > be || p + need < p)
			continue;
		return take(h, pp, p - HDR_SIZE, p + need, size);
	}
	return NULL;
}

void *heap_alloc_high(struct heap *h, size_t size, size_t align)
{
	struct heap_free **pp, **best = NULL, *b;
	uintptr_t best_p = 0;
	size_t need;

	if (heap_args(size, &align, &need))
		return NULL;
	for (pp = &h->free; (b = *pp); pp = &b->next) {
		uintptr_t bs = (uintptr_t)b, be = bs + b->size, p;

		if (b->size < need + HDR_SIZE)
			continue;
		p = (be - need) & ~(uintptr_t)(align - 1);
		if (p < bs + HDR_SIZE || p <= best_p)
			continue;
		best = pp;
		best_p = p;
	}
	if (!best)
		return NULL;
	return take(h, best, best_p - HDR_SIZE, best_p + need, size);
}

void heap_free(struct heap *h, void *ptr)
{
	struct heap_hdr *hdr;

	if (!ptr)
		return;
	hdr = (struct heap_hdr *)ptr - 1;
	if (hdr->magic != HEAP_MAGIC || hdr->start != (uintptr_t)hdr) {
		assert_failed("heap_free: not a live heap block", __FILE__,
			      __LINE__);
		return;
	}
	hdr->magic = 0;
	h->live--;
	h->live_bytes -= hdr->req;
	release(h, hdr->start, hdr->size);
}

size_t heap_usable(const void *ptr)
{
	const struct heap_hdr *hdr = (const struct heap_hdr *)ptr - 1;

	return hdr->size - HDR_SIZE;
}

size_t heap_largest(const struct heap *h)
{
	const struct heap_free *b;
	size_t best = 0;

	for (b = h->free; b; b = b->next)
		if (b->size > best)
			best = b->size;
	return best > HDR_SIZE ? best - HDR_SIZE : 0;
}

int heap_check(const struct heap *h)
{
	const struct heap_free *b;
	size_t sum = 0;

	for (b = h->free; b; b = b->next) {
		if ((uintptr_t)b % HEAP_UNIT || b->size % HEAP_UNIT || !b->size)
			return -EFAULT;
		if (b->next && (uintptr_t)b + b->size >= (uintptr_t)b->next)
			return -EFAULT; /* overlapping or unmerged neighbours */
		sum += b->size;
	}
	return sum == h->free_bytes ? 0 : -EFAULT;
}
