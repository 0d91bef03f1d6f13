/* I/O buffers: the data block and the descriptor in one allocation, the
 * descriptor after the data so that the data start keeps its alignment. */
#include <stdlib.h>
#include <string.h>
#include <dust/iobuf.h>

/* Packet buffers come and go with every frame, received ones and the
 * ACKs sent back, in a handful of sizes; some freed ones wait, one list
 * per size, for the next allocation of the same size instead of going
 * through the heap's free list and back (a sixth of the work of
 * receiving, by the instruction profile).  The descriptor sits at the
 * end of the data, so its place gives the size a buffer was made for. */
#define IOB_CACHE_SIZES 4
#define IOB_CACHE_DEPTH 32
#define IOB_CACHE_LARGEST 4096       /* bigger ones are not for frames */
static struct iob_cache {
	size_t dlen;
	unsigned int count;
	unsigned long used;          /* iob_clock at the last free */
	struct list_head list;
} iob_cache[IOB_CACHE_SIZES];
static unsigned long iob_clock;

static size_t iob_dlen(const struct io_buffer *iob)
{
	return (size_t)((const unsigned char *)iob -
			(const unsigned char *)iob->head);
}

static void cache_empty(struct iob_cache *c)
{
	struct io_buffer *iob, *tmp;

	if (c->count)
		list_for_each_entry_safe(iob, tmp, &c->list, list)
			free_dma(iob->head, 0);
	c->count = 0;
	c->used = 0;
}

/* The list for buffers of dlen bytes; with claim, a new size takes over
 * the list used least recently (its buffers go back to the heap), so
 * sizes seen once during start-up give way to the ones that stream. */
static struct iob_cache *cache_for(size_t dlen, int claim)
{
	struct iob_cache *c, *victim = iob_cache;

	for (c = iob_cache; c < iob_cache + IOB_CACHE_SIZES; c++) {
		if (c->used && c->dlen == dlen) {
			if (claim)
				c->used = ++iob_clock;
			return c;
		}
		if (c->used < victim->used)
			victim = c;
	}
	if (!claim)
		return NULL;
	cache_empty(victim);
	victim->dlen = dlen;
	victim->used = ++iob_clock;
	INIT_LIST_HEAD(&victim->list);
	return victim;
}

static struct io_buffer *cache_take(size_t dlen, size_t align)
{
	struct iob_cache *c = cache_for(dlen, 0);
	struct io_buffer *iob;

	if (!c || !c->count)
		return NULL;
	iob = list_first_entry(&c->list, struct io_buffer, list);
	if ((uintptr_t)iob->head & (align - 1))
		return NULL;
	list_del(&iob->list);
	c->count--;
	return iob;
}

void iob_cache_flush(void)
{
	struct iob_cache *c;

	for (c = iob_cache; c < iob_cache + IOB_CACHE_SIZES; c++)
		cache_empty(c);
}

struct io_buffer *alloc_iob_raw(size_t len, size_t align)
{
	size_t dlen = ALIGN_UP(len, __alignof__(struct io_buffer));
	unsigned char *data;
	struct io_buffer *iob;

	if (len > ((size_t)-1 >> 2))
		return NULL;
	if (align < IOB_ALIGN)
		align = IOB_ALIGN;
	iob = cache_take(dlen, align);
	if (iob) {
		data = iob->head;
	} else {
		data = malloc_dma(dlen + sizeof(*iob), align);
		if (!data)
			return NULL;
		iob = (struct io_buffer *)(data + dlen);
	}
	iob->head = iob->data = iob->tail = data;
	iob->end = data + len;
	iob->flags = 0;
	INIT_LIST_HEAD(&iob->list);
	return iob;
}

struct io_buffer *alloc_iob(size_t len)
{
	struct io_buffer *iob = alloc_iob_raw(IOB_HEADROOM + len, 0);

	if (iob)
		iob_reserve(iob, IOB_HEADROOM);
	return iob;
}

void free_iob(struct io_buffer *iob)
{
	struct iob_cache *c;

	if (!iob)
		return;
	c = iob_dlen(iob) <= IOB_CACHE_LARGEST ?
	    cache_for(iob_dlen(iob), 1) : NULL;
	if (c && c->count < IOB_CACHE_DEPTH) {
		list_add(&iob->list, &c->list);
		c->count++;
		return;
	}
	free_dma(iob->head, 0);
}

struct io_buffer *iob_ensure_headroom(struct io_buffer *iob, size_t len)
{
	struct io_buffer *n;

	if (iob_headroom(iob) >= len)
		return iob;
	n = alloc_iob_raw(len + iob_len(iob), 0);
	if (n) {
		iob_reserve(n, len);
		memcpy(iob_put(n, iob_len(iob)), iob->data, iob_len(iob));
	}
	free_iob(iob);
	return n;
}
