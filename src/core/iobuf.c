/* I/O buffers: the data block and the descriptor in one allocation, the
 * descriptor after the data so that the data start keeps its alignment. */
#include <stdlib.h>
#include <string.h>
#include <dust/iobuf.h>

struct io_buffer *alloc_iob_raw(size_t len, size_t align)
{
	size_t dlen = ALIGN_UP(len, __alignof__(struct io_buffer));
	unsigned char *data;
	struct io_buffer *iob;

	if (len > ((size_t)-1 >> 2))
		return NULL;
	if (align < IOB_ALIGN)
		align = IOB_ALIGN;
	data = malloc_dma(dlen + sizeof(*iob), align);
	if (!data)
		return NULL;
	iob = (struct io_buffer *)(data + dlen);
	iob->head = iob->data = iob->tail = data;
	iob->end = data + len;
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
	if (iob)
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
