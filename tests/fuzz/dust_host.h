/* Host services for harnesses built with dust_libc.h (see dust_host.c). */
#ifndef FUZZ_DUST_HOST_H
#define FUZZ_DUST_HOST_H

#include <stdint.h>

/* Blocks dust allocated (malloc, zalloc, iobufs) and has not freed. */
extern long fuzz_live_blocks;
/* The clock currtime_ms() reads; harnesses move it. */
extern uint32_t fuzz_now_ms;
/* Answer the name resolutions asked for (resolv_start()), as the main
 * loop would; fuzz_resolve_failed is set when one fails (harnesses clear
 * it). */
void fuzz_run_resolves(void);
extern int fuzz_resolve_failed;
/* The tail of the console output (NUL-terminated). */
extern char fuzz_console[512];
void fuzz_console_clear(void);

/* Report a broken invariant on stderr (with the console tail) and stop. */
int dprintf(int fd, const char *fmt, ...);
#define FUZZ_FAIL(...) do {                                               \
		dprintf(2, "\n" __FILE__ ":%d: ", __LINE__);               \
		dprintf(2, __VA_ARGS__);                                   \
		dprintf(2, "\nconsole: %s\n", fuzz_console);               \
		__builtin_trap();                                          \
	} while (0)
#define FUZZ_CHECK(cond, ...) do {                                        \
		if (!(cond))                                               \
			FUZZ_FAIL(__VA_ARGS__);                            \
	} while (0)

#endif
