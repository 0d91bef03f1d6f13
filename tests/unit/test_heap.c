/* Tests of the firmware heap allocator, run on an arena. */
#include <string.h>
#include <dust/heap.h>
#include "unit.h"

static unsigned char arena[256 * 1024] __attribute__((aligned(4096)));

UNIT_TEST(heap_basic)
{
	struct heap h;
	void *a, *b, *c;
	size_t before;

	heap_init(&h);
	heap_add(&h, arena, sizeof(arena));
	before = h.free_bytes;
	check_eq(heap_check(&h), 0);
	a = heap_alloc(&h, 100, 0);
	b = heap_alloc(&h, 1, 0);
	c = heap_alloc(&h, 5000, 0);
	check(a && b && c);
	check_eq((uintptr_t)a % HEAP_UNIT, 0);
	check(heap_usable(a) >= 100);
	check_eq(h.live, 3);
	memset(a, 1, 100);
	memset(c, 3, 5000);
	check_eq(heap_check(&h), 0);
	heap_free(&h, b);
	heap_free(&h, a);
	heap_free(&h, c);
	check_eq(h.live, 0);
	check_eq(h.free_bytes, before);
	/* Everything coalesced back into one block. */
	check(h.free && !((struct { size_t s; void *n; } *)h.free)->n);
	check_eq(heap_check(&h), 0);
}

UNIT_TEST(heap_alignment)
{
	struct heap h;
	void *p[6];
	size_t before;
	int i;

	heap_init(&h);
	heap_add(&h, arena + 3, sizeof(arena) - 3);
	before = h.free_bytes;
	p[0] = heap_alloc(&h, 10, 4096);
	p[1] = heap_alloc(&h, 10, 64);
	p[2] = heap_alloc(&h, 2048, 2048);
	p[3] = heap_alloc(&h, 7, 16);
	p[4] = heap_alloc(&h, 1, 8192);
	p[5] = heap_alloc(&h, 1, 3);     /* not a power of two */
	check_eq((uintptr_t)p[0] % 4096, 0);
	check_eq((uintptr_t)p[1] % 64, 0);
	check_eq((uintptr_t)p[2] % 2048, 0);
	check_eq((uintptr_t)p[3] % 16, 0);
	check_eq((uintptr_t)p[4] % 8192, 0);
	check(p[5] == NULL);
	check_eq(heap_check(&h), 0);
	for (i = 0; i < 5; i++)
		heap_free(&h, p[i]);
	check_eq(h.free_bytes, before);
	check_eq(heap_check(&h), 0);
}

UNIT_TEST(heap_exhaustion)
{
	struct heap h;
	void *big, *more;

	heap_init(&h);
	heap_add(&h, arena, 4096);
	check(heap_alloc(&h, 8192, 0) == NULL);
	check(heap_alloc(&h, (size_t)-1, 0) == NULL);
	big = heap_alloc(&h, heap_largest(&h), 0);
	check(big != NULL);
	more = heap_alloc(&h, 1, 0);
	check(more == NULL);
	heap_free(&h, big);
	heap_free(&h, NULL);
	check_eq(h.live, 0);
}

/* Random allocations and frees: blocks never overlap, contents survive,
 * and everything merges back at the end. */
UNIT_TEST(heap_random)
{
	struct heap h;
	struct { unsigned char *p; size_t n; unsigned char v; } blk[64];
	size_t before;
	int i, round;

	memset(blk, 0, sizeof(blk));
	heap_init(&h);
	heap_add(&h, arena, sizeof(arena) / 2);
	heap_add(&h, arena + sizeof(arena) / 2 + 100, sizeof(arena) / 2 - 100);
	before = h.free_bytes;
	for (round = 0; round < 5000; round++) {
		i = (int)(host_rand() % 64);
		if (blk[i].p) {
			size_t k;

			for (k = 0; k < blk[i].n; k++)
				if (blk[i].p[k] != blk[i].v)
					break;
			check_eq(k, blk[i].n);
			heap_free(&h, blk[i].p);
			blk[i].p = NULL;
		} else {
			size_t align = (size_t)1 << (host_rand() % 10);

			blk[i].n = host_rand() % 3000;
			blk[i].v = (unsigned char)round;
			blk[i].p = heap_alloc(&h, blk[i].n, align);
			if (blk[i].p) {
				check_eq((uintptr_t)blk[i].p % (align < 16 ? 16 : align), 0);
				memset(blk[i].p, blk[i].v, blk[i].n);
			}
		}
		if (round % 500 == 0)
			check_eq(heap_check(&h), 0);
	}
	for (i = 0; i < 64; i++)
		heap_free(&h, blk[i].p);
	check_eq(h.live, 0);
	check_eq(h.free_bytes, before);
	check_eq(heap_check(&h), 0);
}

UNIT_TEST(heap_high_allocations)
{
	struct heap h;
	unsigned char *a, *b, *c;
	size_t before;

	heap_init(&h);
	heap_add(&h, arena, sizeof(arena));
	before = h.free_bytes;
	a = heap_alloc_high(&h, 1000, 0);
	b = heap_alloc_high(&h, 5000, 4096);
	c = heap_alloc(&h, 100, 0);
	check(a && b && c);
	/* High ones come from the top, low ones from the bottom. */
	check(a + 1000 <= arena + sizeof(arena));
	check(a > arena + sizeof(arena) - 1100);
	check(b < a);
	check_eq((uintptr_t)b % 4096, 0);
	check(c < b);
	check(c < arena + 200);
	check_eq(heap_check(&h), 0);
	heap_free(&h, a);
	heap_free(&h, c);
	heap_free(&h, b);
	check_eq(h.free_bytes, before);
	check(heap_alloc_high(&h, sizeof(arena), 0) == NULL);
	check_eq(heap_check(&h), 0);
}
