/* Tests of I/O buffers. */
#include <string.h>
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
