/* Runtime assertions, on in debug builds and host tests. */
#ifndef ASSERT_H
#define ASSERT_H

void assert_failed(const char *expr, const char *file, int line);

#if defined(DUST_HOST) || defined(DUST_ASSERT)
#define assert(x) do { if (!(x)) assert_failed(#x, __FILE__, __LINE__); } while (0)
#else
#define assert(x) do { (void)sizeof(x); } while (0)
#endif

#endif
