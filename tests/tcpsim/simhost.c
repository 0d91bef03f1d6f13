/* Host side of the TCP simulator (tests/tcpsim/sim.c): allocation with
 * leak counting and output, compiled against the C library.  The
 * simulator itself is compiled against dust's headers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *dust_malloc(size_t n);
void *dust_zalloc(size_t n);
void *dust_realloc(void *p, size_t n);
void dust_free(void *p);
void *dust_malloc_dma(size_t n, size_t align);
void dust_free_dma(void *p, size_t n);
unsigned long malloc_live(void);
void assert_failed(const char *e, const char *f, int l);
void sim_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sim_main(int argc, char **argv);
int main(int argc, char **argv);

static unsigned long live;

void *dust_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p)
		live++;
	return p;
}

void *dust_zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p)
		live++;
	return p;
}

void dust_free(void *p)
{
	if (p) {
		live--;
		free(p);
	}
}

void *dust_realloc(void *p, size_t n)
{
	if (!p)
		return dust_malloc(n);
	if (!n) {
		dust_free(p);
		return NULL;
	}
	return realloc(p, n);
}

void *dust_malloc_dma(size_t n, size_t align)
{
	void *p;

	if (align < 16)
		align = 16;
	if (posix_memalign(&p, align, n ? n : 1))
		return NULL;
	live++;
	return p;
}

void dust_free_dma(void *p, size_t n)
{
	(void)n;
	dust_free(p);
}

unsigned long malloc_live(void)
{
	return live;
}

void assert_failed(const char *e, const char *f, int l)
{
	fprintf(stderr, "assertion failed: %s at %s:%d\n", e, f, l);
	abort();
}

void sim_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	return sim_main(argc, argv);
}
