/* Host services for the unit tests, compiled against the C library (the
 * code under test is compiled against dust's own headers). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static unsigned long live;

void *dust_malloc(size_t n);
void *dust_zalloc(size_t n);
void *dust_realloc(void *p, size_t n);
void dust_free(void *p);
void *dust_malloc_dma(size_t n, size_t align);
void dust_free_dma(void *p, size_t n);
unsigned long malloc_live(void);
void host_putc(int c);
int host_input_pending(void);
int host_input_get(void);
void host_input(const char *keys);
void assert_failed(const char *e, const char *f, int l);
uint32_t currtime_ms(void);
uint64_t currtime_us(void);
void udelay(unsigned long us);
void mdelay(unsigned long ms);
void host_capture_start(void);
const char *host_capture_stop(void);
void host_advance_ms(unsigned long ms);
unsigned int host_rand(void);

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

static char *cap;
static size_t cap_len, cap_size;
static int capturing;

void host_capture_start(void)
{
	cap_len = 0;
	capturing = 1;
}

const char *host_capture_stop(void)
{
	capturing = 0;
	if (!cap) {
		cap_size = 256;
		cap = malloc(cap_size);
	}
	cap[cap_len] = 0;
	return cap;
}

/* The host console (tests/unit/hostcon.c) writes through here. */
void host_putc(int c)
{
	if (capturing) {
		if (cap_len + 2 > cap_size) {
			cap_size = cap_size ? cap_size * 2 : 256;
			cap = realloc(cap, cap_size);
		}
		cap[cap_len++] = (char)c;
	} else {
		fputc(c, stdout);
	}
}

/* Keys the tests type at the host console. */
static char input[4096];
static size_t in_head, in_tail;

void host_input(const char *keys)
{
	while (*keys && in_tail < sizeof(input))
		input[in_tail++] = *keys++;
}

static unsigned int in_delay;

/* Keys that arrive only after the console has been polled `polls` times. */
void host_input_delayed(const char *keys, unsigned int polls);
void host_input_delayed(const char *keys, unsigned int polls)
{
	host_input(keys);
	in_delay = polls;
}

int host_input_pending(void)
{
	if (in_head == in_tail)
		in_head = in_tail = 0;
	if (in_delay) {
		in_delay--;
		return 0;
	}
	return in_head < in_tail;
}

int host_input_get(void)
{
	return host_input_pending() ? (unsigned char)input[in_head++] : -1;
}

void assert_failed(const char *e, const char *f, int l)
{
	fprintf(stderr, "assertion failed: %s at %s:%d\n", e, f, l);
	abort();
}

static unsigned long fake_ms;

uint32_t currtime_ms(void)
{
	/* Time passes a little with every look, so polling loops end. */
	return (uint32_t)fake_ms++;
}

uint64_t currtime_us(void)
{
	return (uint64_t)fake_ms++ * 1000;
}

void host_advance_ms(unsigned long ms)
{
	fake_ms += ms;
}

void udelay(unsigned long us)
{
	fake_ms += us / 1000;
}

void mdelay(unsigned long ms)
{
	fake_ms += ms;
}

static unsigned int rnd = 12345;

unsigned int host_rand(void)
{
	rnd = rnd * 1103515245u + 12345u;
	return rnd >> 8;
}

/* Line-buffered output, so nothing is lost if a sanitizer ends the run. */
__attribute__((constructor)) static void unbuffer(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

__attribute__((destructor)) static void free_capture(void)
{
	free(cap);
}
