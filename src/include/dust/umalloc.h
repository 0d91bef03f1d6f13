/* Large allocations for images: memory below dust's own region, taken
 * from the top down so that low memory (where kernels and boot sectors
 * are placed) stays free as long as possible. */
#ifndef DUST_UMALLOC_H
#define DUST_UMALLOC_H

#include <stddef.h>

void *umalloc(size_t size);
void ufree(void *ptr);
/* Grow or shrink; the data moves (NULL on failure, old block kept). */
void *urealloc(void *ptr, size_t size);
/* Bytes of the largest allocation that would succeed now. */
size_t umalloc_largest(void);
/* Hand the allocator its memory (the platform does this at start-up). */
void umalloc_add(void *start, size_t len);
/* The lowest address image memory may use (loaders keep clear of it). */
extern unsigned long umalloc_floor;

#endif
