/* The console layer: output to every enabled console, input from any, and
 * ANSI escape sequences from serial terminals turned into KEY_* codes. */
#include <stdio.h>
#include <dust/console.h>
#include <dust/process.h>
#include <dust/timer.h>

/* How long the rest of an escape sequence may take to arrive. */
#define ESC_TIMEOUT_MS 100

int putchar(int c)
{
	struct console_driver *con;

	for_each_table_entry(con, struct console_driver, "consoles")
		if (con->enabled && con->putchar)
			con->putchar(c);
	return c;
}

/* A raw byte from the first console that has one, or -1. */
static int getbyte(void)
{
	struct console_driver *con;

	for_each_table_entry(con, struct console_driver, "consoles")
		if (con->enabled && con->iskey && con->iskey())
			return con->getkey();
	return -1;
}

/* Bytes pulled from a console but not consumed yet (from a partial escape
 * sequence, or a KEY_* code waiting to be returned). */
static int pending[4];
static unsigned int npending;

static void push_pending(int c)
{
	if (npending < ARRAY_SIZE(pending))
		pending[npending++] = c;
}

static int pop_pending(void)
{
	int c = pending[0];
	unsigned int i;

	for (i = 1; i < npending; i++)
		pending[i - 1] = pending[i];
	npending--;
	return c;
}

int iskey(void)
{
	int c;

	if (npending)
		return 1;
	c = getbyte();
	if (c < 0)
		return 0;
	push_pending(c);
	return 1;
}

static int break_flag;

void request_break(void)
{
	break_flag = 1;
}

void clear_break(void)
{
	break_flag = 0;
}

int break_requested(void)
{
	return break_flag;
}

/* Keys are looked at every few milliseconds only: asking the BIOS costs
 * two mode switches, and busy loops (downloads) ask all the time. */
#define INTERRUPT_POLL_MS 20

int interrupted(void)
{
	static uint32_t last;
	uint32_t now = currtime_ms();

	if (break_flag)
		return 1;
	if (now - last < INTERRUPT_POLL_MS)
		return 0;
	last = now;
	if (peekkey() == CTRL('C')) {
		getkey();
		return 1;
	}
	return 0;
}

int peekkey(void)
{
	return iskey() ? pending[0] : -1;
}

/* The next byte in arrival order: one a peek pulled in comes first. */
static int nextbyte(void)
{
	return npending ? pop_pending() : getbyte();
}

static int getbyte_wait(unsigned long timeout_ms)
{
	uint32_t deadline = currtime_ms() + timeout_ms;
	int c;

	do {
		c = nextbyte();
		if (c >= 0)
			return c;
		/* A process may peek at the input and so queue a byte. */
		step();
	} while (!time_after_ms(currtime_ms(), deadline));
	return -1;
}

/* ESC [ A etc. (and ESC [ 3 ~ style) to KEY_* codes. */
static int decode_escape(void)
{
	int c = getbyte_wait(ESC_TIMEOUT_MS), n = 0;

	if (c != '[' && c != 'O') {
		if (c >= 0)
			push_pending(c);
		return 0x1b;
	}
	for (;;) {
		c = getbyte_wait(ESC_TIMEOUT_MS);
		if (c < 0)
			return 0x1b;
		if (c >= '0' && c <= '9') {
			n = n * 10 + (c - '0');
			continue;
		}
		break;
	}
	switch (c) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case '~':
		if (n == 1 || n == 7) return KEY_HOME;
		if (n == 4 || n == 8) return KEY_END;
		if (n == 3) return KEY_DELETE;
		return 0;
	default:
		return 0;
	}
}

int getkey_timeout(unsigned long timeout_ms)
{
	int c = getbyte_wait(timeout_ms);

	if (c == 0x1b)
		c = decode_escape();
	return c;
}

int getkey(void)
{
	int c;

	do {
		c = getkey_timeout(1000);
	} while (c < 0);
	return c;
}

int getchar(void)
{
	return getkey();
}
