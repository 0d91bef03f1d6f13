/* Start-up and shut-down steps, registered in linker tables and run in order. */
#ifndef DUST_INIT_H
#define DUST_INIT_H

#include <dust/tables.h>

struct init_fn {
	const char *name;
	void (*init)(void);
};

/* Orders for init steps (two-digit literals): earlier numbers run first. */
#define INIT_CLOCK   05  /* the timer, which everything else may use */
#define INIT_EARLY   10  /* consoles */
#define INIT_MEMORY  20  /* memory map and its hook */
#define INIT_PXE     25  /* the ROM's PXE stack, before drivers probe */
#define INIT_HW      30  /* bus and device probing */
#define INIT_NORMAL  50
#define INIT_LATE    70

#define INIT_FN(order) TABLE_ENTRY(struct init_fn, "init", order)

struct shutdown_fn {
	const char *name;
	/* booting: nonzero when control goes to a booted program that may keep
	 * using resident services; zero when dust exits to the BIOS. */
	void (*shutdown)(int booting);
};
#define SHUTDOWN_FN(order) TABLE_ENTRY(struct shutdown_fn, "shutdown", order)

void run_init_fns(void);
/* Everything dust does once the platform has handed over; returns the
 * exit code the prefix leaves with. */
int dust_main(void);
void run_shutdown_fns(int booting);

#endif
