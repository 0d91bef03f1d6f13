/* Start-up policy: the Ctrl-B window and the automatic boot. */
#ifndef DUST_AUTOBOOT_H
#define DUST_AUTOBOOT_H

#include <dust/tables.h>

/* Ways dust can boot by itself, tried in table order. */
struct boot_source {
	const char *name;
	/* 0: it booted something that came back or finished; -ENOENT: not
	 * configured here; other negative: it tried and failed. */
	int (*boot)(void);
};
#define BOOT_SOURCE(order) TABLE_ENTRY(struct boot_source, "boot_sources", order)

/* Open the Ctrl-B window for `ms` milliseconds from now. */
void ctrlb_start(unsigned long ms);
/* Has the user asked for the command line? */
int ctrlb_pressed(void);
/* Close the window early (the command line is starting anyway). */
void ctrlb_stop(void);

/* Try the boot sources; returns -ENOENT when none is configured. */
int autoboot(void);
/* Banner, Ctrl-B window, autoboot or shell: what dust does after init. */
int startup(void);

#endif
