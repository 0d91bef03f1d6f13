/* What the rest of dust provides to a protocol under fuzzing, for harnesses
 * built with dust_libc.h: memory (counted, so a harness can demand that
 * everything dust allocated for an input is gone at its end, even what a
 * global list would keep reachable from LeakSanitizer's point of view),
 * reference counts, the clock, name resolution, and a console that keeps
 * the tail of what was printed for the harness's failure messages. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <byteswap.h>
#include <dust/dns.h>
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

/* Name resolution as dust's behaves: a dotted quad or a known name
 * answers from the main loop (fuzz_run_resolves()), an unknown name fails
 * there, an empty one at once. */
struct pending {
	resolv_done_t done;
	void *ctx;
	int rc;
	struct in_addr addr;
};
static struct pending pend[16];
static unsigned int npend;
int fuzz_resolve_failed;

static int dotted_quad(const char *s, uint32_t *out)
{
	uint32_t v = 0, part;
	int i, digits;

	for (i = 0; i < 4; i++) {
		part = 0;
		digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			part = part * 10 + (uint32_t)(*s++ - '0');
			digits++;
		}
		if (!digits || part > 255)
			return 0;
		v = v << 8 | part;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	if (*s)
		return 0;
	*out = v;
	return 1;
}

int resolv_start(const char *name, resolv_done_t done, void *ctx,
		 struct resolv_request **req)
{
	struct pending *p;
	uint32_t a = 0;

	if (req)
		*req = NULL;
	if (!*name) {
		fuzz_resolve_failed = 1;
		return -EINVAL;
	}
	if (npend == ARRAY_SIZE(pend))
		FUZZ_FAIL("more name resolutions pending than can be needed");
	p = &pend[npend++];
	p->done = done;
	p->ctx = ctx;
	p->rc = 0;
	if (dotted_quad(name, &a))
		;
	else if (!strcmp(name, "boot.test"))
		a = 0xc0000207;
	else if (!strcmp(name, "alias.test"))
		a = 0xc0000201;       /* the same server as 192.0.2.1 */
	else
		p->rc = -ENOENT;
	if (p->rc)
		fuzz_resolve_failed = 1;
	p->addr.s_addr = htonl(a);
	return 0;
}

void fuzz_run_resolves(void)
{
	while (npend) {
		struct pending p = pend[0];

		npend--;
		memmove(pend, pend + 1, npend * sizeof(pend[0]));
		p.done(p.ctx, p.rc, p.addr);
	}
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

/* A 16 MiB quarantine (not 256) for freed blocks: transfers of tens of
 * thousands of packets stay quick, and a use after free is still caught
 * well beyond one packet's lifetime. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
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

	/* The C library's malloc() aligns to 16 and is the sanitizer's
	 * quickest path. */
	if (align <= 16)
		p = malloc(n ? n : 1);
	else if (posix_memalign(&p, align, n ? n : 1))
		p = NULL;
	if (!p)
		return NULL;
	fuzz_live_blocks++;
	return p;
}

void free_dma(void *p, size_t n)
{
	(void)n;
	fuzz_free(p);
}
