/* What the rest of dust provides to a protocol under fuzzing, for harnesses
 * built with dust_libc.h: memory (counted, so a harness can demand that
 * everything dust allocated for an input is gone at its end, even what a
 * global list would keep reachable from LeakSanitizer's point of view),
 * reference counts, the clock, and a console that keeps the tail of what
 * was printed for the harness's failure messages. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <dust/refcnt.h>
#include "dust_host.h"

void ref_put(struct refcnt *r)
{
	if (!r)
		return;
	if (r->count < 0)
		__builtin_trap();          /* put after the last reference */
	if (r->count-- == 0 && r->free)
		r->free(r);
}

long fuzz_live_blocks;
uint32_t fuzz_now_ms;

uint32_t currtime_ms(void)
{
	return fuzz_now_ms;
}

/* The console: the last bytes printed, for failure reports. */
char fuzz_console[512];
static size_t console_pos;

int putchar(int c)
{
	if (console_pos == sizeof(fuzz_console) - 1) {
		memmove(fuzz_console, fuzz_console + 128,
			sizeof(fuzz_console) - 129);
		console_pos -= 128;
	}
	fuzz_console[console_pos++] = (char)c;
	fuzz_console[console_pos] = 0;
	return c;
}

void fuzz_console_clear(void)
{
	console_pos = 0;
	fuzz_console[0] = 0;
}

/* Last, as the names are undone here: the C library's allocator under
 * the names dust_libc.h gave dust. */
#undef malloc
#undef realloc
#undef free
void *malloc(size_t n);
void *realloc(void *p, size_t n);
void free(void *p);
int posix_memalign(void **p, size_t align, size_t size);

void *fuzz_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p)
		fuzz_live_blocks++;
	return p;
}

void *fuzz_realloc(void *p, size_t n)
{
	if (!p)
		return fuzz_malloc(n);
	return realloc(p, n ? n : 1);
}

void fuzz_free(void *p)
{
	if (p) {
		fuzz_live_blocks--;
		free(p);
	}
}

void *zalloc(size_t n)
{
	void *p = fuzz_malloc(n);

	if (p)
		memset(p, 0, n);
	return p;
}

void *malloc_dma(size_t n, size_t align)
{
	void *p;

	if (align < 16)
		align = 16;
	if (posix_memalign(&p, align, n ? n : 1))
		return NULL;
	fuzz_live_blocks++;
	return p;
}

void free_dma(void *p, size_t n)
{
	(void)n;
	fuzz_free(p);
}
