/* Allocation and number parsing. */
#ifndef STDLIB_H
#define STDLIB_H

#include <stddef.h>

#ifdef DUST_HOST
/* Host unit tests route allocations through a counting wrapper around the
 * C library's allocator so that AddressSanitizer sees every block. */
#define malloc  dust_malloc
#define zalloc  dust_zalloc
#define realloc dust_realloc
#define free    dust_free
#define malloc_dma dust_malloc_dma
#define free_dma   dust_free_dma
#endif

void *malloc(size_t size);
void *zalloc(size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
/* Memory a device may DMA to: physically contiguous, aligned to `align`. */
void *malloc_dma(size_t size, size_t align);
void free_dma(void *ptr, size_t size);

/* Number of blocks currently allocated (for leak checks). */
unsigned long malloc_live(void);

unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int abs(int x);

/* Pseudo-random numbers (xorshift); seed with srandom(). */
long random(void);
void srandom(unsigned int seed);
/* Stir bytes that differ between boots or machines into the state. */
void random_mix(const void *data, size_t len);

#endif
