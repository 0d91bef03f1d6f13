/* I/O buffers: one contiguous block with room reserved in front (headroom)
 * for lower-layer headers.  Whoever is handed an iobuf owns it and must free
 * or pass it on, also on failure.
 *
 *   head <= data <= tail <= end
 *   [head, data)  headroom     [data, tail)  payload     [tail, end) tailroom
 */
#ifndef DUST_IOBUF_H
#define DUST_IOBUF_H

#include <stddef.h>
#include <dust/list.h>

/* Headroom every buffer gets by default: Ethernet + IPv6 + TCP with options. */
#define IOB_HEADROOM 128
/* Alignment of the payload start, so DMA engines are happy. */
#define IOB_ALIGN 16

struct io_buffer {
	struct list_head list;  /* for whoever currently owns the buffer */
	void *head;
	void *data;
	void *tail;
	void *end;
	unsigned int flags;     /* IOB_* below; zero when allocated */
};

/* The NIC (or the host behind a virtual one) vouches for the TCP or UDP
 * checksum: the receiver need not verify it. */
#define IOB_CSUM_OK 1

/* A buffer with `len` bytes of tailroom (no headroom reserved). */
struct io_buffer *alloc_iob_raw(size_t len, size_t align);
/* A buffer with IOB_HEADROOM headroom and `len` bytes of tailroom. */
struct io_buffer *alloc_iob(size_t len);
void free_iob(struct io_buffer *iob);
/* Give the buffers kept for reuse back to the heap (before counting
 * what is allocated, or handing memory over). */
void iob_cache_flush(void);

static inline size_t iob_len(const struct io_buffer *iob)
{
	return (size_t)(iob->tail - iob->data);
}
static inline size_t iob_headroom(const struct io_buffer *iob)
{
	return (size_t)(iob->data - iob->head);
}
static inline size_t iob_tailroom(const struct io_buffer *iob)
{
	return (size_t)(iob->end - iob->tail);
}
/* Extend the payload at the front into the headroom; returns new start. */
static inline void *iob_push(struct io_buffer *iob, size_t len)
{
	iob->data -= len;
	return iob->data;
}
/* Remove len bytes from the front; returns the new start. */
static inline void *iob_pull(struct io_buffer *iob, size_t len)
{
	iob->data += len;
	return iob->data;
}
/* Extend the payload at the back; returns where the new bytes go. */
static inline void *iob_put(struct io_buffer *iob, size_t len)
{
	void *old = iob->tail;
	iob->tail += len;
	return old;
}
/* Shorten the payload to len bytes. */
static inline void iob_unput(struct io_buffer *iob, size_t len)
{
	iob->tail -= len;
}
static inline void iob_reserve(struct io_buffer *iob, size_t len)
{
	iob->data += len;
	iob->tail += len;
}

/* Make sure at least `len` bytes of headroom exist (may reallocate).
 * Returns the same or a new buffer, or NULL (the old buffer is then freed). */
struct io_buffer *iob_ensure_headroom(struct io_buffer *iob, size_t len);

#endif
