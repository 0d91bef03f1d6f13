/* The firmware's allocator: one heap over the memory the install stub
 * reserved after the core. */
#include <stdlib.h>
#include <string.h>
#include <dust/heap.h>

struct heap main_heap;

void *malloc(size_t size)
{
	return heap_alloc(&main_heap, size, 0);
}

void *zalloc(size_t size)
{
	void *p = malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *realloc(void *ptr, size_t size)
{
	void *n;
	size_t old;

	if (!ptr)
		return malloc(size);
	if (!size) {
		free(ptr);
		return NULL;
	}
	old = heap_usable(ptr);
	if (size <= old)
		return ptr;
	n = malloc(size);
	if (n) {
		memcpy(n, ptr, old);
		free(ptr);
	}
	return n;
}

void free(void *ptr)
{
	heap_free(&main_heap, ptr);
}

void *malloc_dma(size_t size, size_t align)
{
	return heap_alloc(&main_heap, size, align);
}

void free_dma(void *ptr, size_t size)
{
	(void)size;
	heap_free(&main_heap, ptr);
}

unsigned long malloc_live(void)
{
	return main_heap.live;
}
