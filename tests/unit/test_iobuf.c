/* Tests of I/O buffers. */
#include <string.h>
#include <stdlib.h>
#include <dust/iobuf.h>
#include "unit.h"

UNIT_TEST(iobuf_layout)
{
	struct io_buffer *iob = alloc_iob(100);
	unsigned char *p;

	check(iob != NULL);
	check_eq(iob_headroom(iob), IOB_HEADROOM);
	check_eq(iob_len(iob), 0);
	check(iob_tailroom(iob) >= 100);
	check_eq((uintptr_t)iob->head % IOB_ALIGN, 0);
	memcpy(iob_put(iob, 5), "hello", 5);
	check_eq(iob_len(iob), 5);
	p = iob_push(iob, 3);
	memcpy(p, "hdr", 3);
	check_mem(iob->data, "hdrhello", 8);
	iob_pull(iob, 3);
	check_mem(iob->data, "hello", 5);
	iob_unput(iob, 2);
	check_eq(iob_len(iob), 3);
	free_iob(iob);
	free_iob(NULL);
}

UNIT_TEST(iobuf_headroom)
{
	struct io_buffer *iob = alloc_iob_raw(10, 0), *n;

	memcpy(iob_put(iob, 4), "data", 4);
	check_eq(iob_headroom(iob), 0);
	n = iob_ensure_headroom(iob, 40);
	check(n != NULL);
	check(iob_headroom(n) >= 40);
	check_mem(n->data, "data", 4);
	check(iob_ensure_headroom(n, 10) == n);
	free_iob(n);
}

UNIT_TEST(iobuf_cache_reuses_frame_buffers)
{
	struct io_buffer *a, *b, *many[80];
	unsigned long live;
	unsigned int i;
	void *head;

	iob_cache_flush();
	live = malloc_live();
	a = alloc_iob_raw(2048, 16);
	check(a != NULL);
	head = a->head;
	iob_put(a, 100);
	free_iob(a);
	/* Kept: the allocation is still there, and the next one of the
	 * same size gets it back, empty and whole. */
	check_eq(malloc_live(), live + 1);
	b = alloc_iob_raw(2048, 16);
	check(b->head == head);
	check_eq(iob_len(b), 0);
	check_eq(iob_tailroom(b), 2048);
	check(list_empty(&b->list));
	free_iob(b);
	/* Another size, or an alignment the cached one lacks: the heap. */
	b = alloc_iob_raw(1536, 16);
	check(b->head != head);
	free_iob(b);
	b = alloc_iob_raw(2048, 1 << 20);
	check(((uintptr_t)b->head & ((1 << 20) - 1)) == 0);
	free_iob(b);
	/* Each size finds its own kind; large buffers are not kept. */
	iob_cache_flush();
	check_eq(malloc_live(), live);
	free_iob(alloc_iob_raw(65536, 16));
	check_eq(malloc_live(), live);
	a = alloc_iob(60);
	b = alloc_iob_raw(2048, 16);
	head = a->head;
	free_iob(a);
	free_iob(b);
	a = alloc_iob(60);
	check(a->head == head);
	check_eq(iob_headroom(a), IOB_HEADROOM);
	check_eq(iob_tailroom(a), 60);
	free_iob(a);
	/* At most a bounded number wait. */
	for (i = 0; i < 80; i++)
		many[i] = alloc_iob_raw(2048, 16);
	for (i = 0; i < 80; i++)
		free_iob(many[i]);
	check(malloc_live() - live <= 64);
	check(malloc_live() - live >= 32);
	iob_cache_flush();
	check_eq(malloc_live(), live);
}

UNIT_TEST(iobuf_cache_sizes_give_way)
{
	static const size_t once[] = { 300, 700, 900, 1100, 1300 };
	struct io_buffer *a;
	unsigned long live;
	unsigned int i;
	void *head;

	iob_cache_flush();
	live = malloc_live();
	/* Sizes seen once fill every list... */
	for (i = 0; i < 5; i++)
		free_iob(alloc_iob_raw(once[i], 0));
	/* ...yet the size that streams takes one over (the first free
	 * gives an old size's buffer back to the heap), and from then on a
	 * freed buffer stays allocated, waiting, and comes back. */
	free_iob(alloc_iob_raw(2048, 16));
	for (i = 0; i < 3; i++) {
		unsigned long before;

		a = alloc_iob_raw(2048, 16);
		head = a->head;
		before = malloc_live();
		free_iob(a);
		check_eq(malloc_live(), before);
		a = alloc_iob_raw(2048, 16);
		check(a->head == head);
		free_iob(a);
	}
	iob_cache_flush();
	check_eq(malloc_live(), live);
}
