/* Consoles: every output goes to all enabled consoles, input comes from any. */
#ifndef DUST_CONSOLE_H
#define DUST_CONSOLE_H

#include <dust/tables.h>

/* Special keys above the byte range, as returned by getkey(). */
#define KEY_UP     0x101
#define KEY_DOWN   0x102
#define KEY_RIGHT  0x103
#define KEY_LEFT   0x104
#define KEY_HOME   0x105
#define KEY_END    0x106
#define KEY_DELETE 0x107
#define CTRL(c)    ((c) & 0x1f)

struct console_driver {
	const char *name;
	/* Cleared at run time when the device is missing or must stay quiet. */
	int enabled;
	void (*putchar)(int c);
	/* Nonzero when a byte is waiting. */
	int (*iskey)(void);
	/* The next byte or special key (blocks only if !iskey()). */
	int (*getkey)(void);
};

#define CONSOLE_DRIVER(name) \
	TABLE_ENTRY_RW(struct console_driver, "consoles", 50) name

/* Is input waiting on any console? */
int iskey(void);
/* The next key without taking it, or -1 if none is waiting. */
int peekkey(void);
/* Wait for a key from any console; escape sequences become KEY_* codes. */
int getkey(void);
/* Has the user asked to stop what is running?  True after Ctrl-C (which
 * is taken from the input) or while a break is requested (Ctrl-B during
 * start-up: stop bring-up, go to the command line). */
int interrupted(void);
void request_break(void);
void clear_break(void);
int break_requested(void);

/* Like getkey() but gives up after timeout_ms, returning -1. */
int getkey_timeout(unsigned long timeout_ms);

#endif
