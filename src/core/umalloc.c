/* Image memory (dust/umalloc.h): a second heap, allocated top-down. */
#include <string.h>
#include <dust/heap.h>
#include <dust/umalloc.h>

static struct heap image_heap;
static int ready;
unsigned long umalloc_floor;

void umalloc_add(void *start, size_t len)
{
	if (!ready) {
		heap_init(&image_heap);
		ready = 1;
	}
	if (!umalloc_floor || (unsigned long)start < umalloc_floor)
		umalloc_floor = (unsigned long)start;
	heap_add(&image_heap, start, len);
}

void *umalloc(size_t size)
{
	return ready ? heap_alloc_high(&image_heap, size, 4096) : NULL;
}

void ufree(void *ptr)
{
	if (ptr)
		heap_free(&image_heap, ptr);
}

void *urealloc(void *ptr, size_t size)
{
	void *n;
	size_t old;

	if (!ptr)
		return umalloc(size);
	old = heap_usable(ptr);
	if (size <= old)
		return ptr;
	n = umalloc(size);
	if (!n)
		return NULL;
	memcpy(n, ptr, old);
	ufree(ptr);
	return n;
}

size_t umalloc_largest(void)
{
	return ready ? heap_largest(&image_heap) : 0;
}
