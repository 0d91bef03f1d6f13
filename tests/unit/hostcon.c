/* The console the unit tests run with: output to stdout (or a capture
 * buffer), input from keys the tests queue (hostshim.c). */
#include <dust/console.h>

void host_putc(int c);
int host_input_pending(void);
int host_input_get(void);

static void hostcon_putchar(int c)
{
	host_putc(c);
}

static int hostcon_iskey(void)
{
	return host_input_pending();
}

static int hostcon_getkey(void)
{
	return host_input_get();
}

CONSOLE_DRIVER(host_console) = {
	.name = "host",
	.enabled = 1,
	.putchar = hostcon_putchar,
	.iskey = hostcon_iskey,
	.getkey = hostcon_getkey,
};
