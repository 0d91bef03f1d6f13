/* A first-fit heap allocator over caller-supplied memory regions, with
 * aligned allocations and leak accounting.  The firmware's malloc() is one
 * instance; host unit tests exercise it on an arena. */
#ifndef DUST_HEAP_H
#define DUST_HEAP_H

#include <stddef.h>

#define HEAP_UNIT 16

struct heap_free;

struct heap {
	struct heap_free *free;   /* free blocks, in address order */
	size_t total;             /* bytes handed to heap_add() */
	size_t free_bytes;
	unsigned long live;       /* allocations not yet freed */
	size_t live_bytes;
};

void heap_init(struct heap *h);
/* Give the heap [start, start + len); may be called several times. */
void heap_add(struct heap *h, void *start, size_t len);
/* size bytes aligned to `align` (a power of two; 0 means HEAP_UNIT). */
void *heap_alloc(struct heap *h, size_t size, size_t align);
/* The same, taken from the highest address that fits (keeps low memory,
 * where boot images must go, free as long as possible). */
void *heap_alloc_high(struct heap *h, size_t size, size_t align);
void heap_free(struct heap *h, void *ptr);
/* Bytes usable at ptr (at least what was asked for). */
size_t heap_usable(const void *ptr);
/* Largest single allocation that would currently succeed (align 16). */
size_t heap_largest(const struct heap *h);
/* Check internal consistency; returns 0 or a negative error. */
int heap_check(const struct heap *h);

#endif
