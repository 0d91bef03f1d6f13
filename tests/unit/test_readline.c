/* Tests of the line editor, fed keys directly. */
#include <string.h>
#include <dust/console.h>
#include <dust/readline.h>
#include <dust/process.h>
#include "unit.h"

static char screen[1024];
static size_t nscreen;

static void out(int c, void *ctx)
{
	(void)ctx;
	if (nscreen + 1 < sizeof(screen))
		screen[nscreen++] = (char)c;
}

static int feed(struct line_editor *le, const int *keys)
{
	int rc = LE_CONTINUE;

	for (; *keys && rc == LE_CONTINUE; keys++)
		rc = line_editor_key(le, *keys);
	return rc;
}

UNIT_TEST(readline_editing)
{
	struct line_editor le;
	const int keys[] = { 'e', 'c', 'o', KEY_LEFT, 'h', KEY_END, ' ', 'x',
			     '\b', 'y', KEY_HOME, KEY_DELETE, 'E', '\r', 0 };

	nscreen = 0;
	line_editor_init(&le, NULL, out, NULL);
	check_eq(feed(&le, keys), LE_DONE);
	check_str(le.buf, "Echo y");
}

UNIT_TEST(readline_kill)
{
	struct line_editor le;
	const int keys1[] = { 'a', 'b', ' ', 'c', 'd', CTRL('W'), 'e', '\r', 0 };
	const int keys2[] = { 'a', 'b', 'c', KEY_LEFT, KEY_LEFT, CTRL('K'),
			      '\r', 0 };
	const int keys3[] = { 'a', 'b', 'c', KEY_LEFT, CTRL('U'), '\r', 0 };
	const int keys4[] = { 'a', CTRL('C'), 0 };

	line_editor_init(&le, NULL, out, NULL);
	feed(&le, keys1);
	check_str(le.buf, "ab e");
	line_editor_init(&le, NULL, out, NULL);
	feed(&le, keys2);
	check_str(le.buf, "a");
	line_editor_init(&le, NULL, out, NULL);
	feed(&le, keys3);
	check_str(le.buf, "c");
	line_editor_init(&le, NULL, out, NULL);
	check_eq(feed(&le, keys4), LE_CANCEL);
}

UNIT_TEST(readline_history)
{
	struct history hist;
	struct line_editor le;
	const int up2[] = { 'n', KEY_UP, KEY_UP, '\r', 0 };
	const int updown[] = { 'n', 'e', 'w', KEY_UP, KEY_DOWN, '\r', 0 };
	const int upedit[] = { KEY_UP, '!', '\r', 0 };
	int i;

	memset(&hist, 0, sizeof(hist));
	history_add(&hist, "first");
	history_add(&hist, "second");
	history_add(&hist, "second");   /* repeated: kept once */
	history_add(&hist, "");         /* empty: not kept */
	check_eq(hist.count, 2);

	line_editor_init(&le, &hist, out, NULL);
	feed(&le, up2);
	check_str(le.buf, "first");
	line_editor_init(&le, &hist, out, NULL);
	feed(&le, updown);
	check_str(le.buf, "new");
	line_editor_init(&le, &hist, out, NULL);
	feed(&le, upedit);
	check_str(le.buf, "second!");

	for (i = 0; i < 40; i++) {
		char line[8] = "cmd";

		line[3] = (char)('A' + i);
		line[4] = 0;
		history_add(&hist, line);
	}
	check_eq(hist.count, 16);
	history_free(&hist);
}

UNIT_TEST(readline_long_line)
{
	struct line_editor le;
	int i;

	line_editor_init(&le, NULL, out, NULL);
	for (i = 0; i < READLINE_MAX + 50; i++)
		line_editor_key(&le, 'z');
	check_eq(line_editor_key(&le, '\r'), LE_DONE);
	check_eq(strlen(le.buf), READLINE_MAX - 1);
}

UNIT_TEST(console_escape_sequences)
{
	/* A serial terminal's arrow keys arrive as ESC [ A ... */
	host_input("\x1b[A\x1b[D\x1b[3~\x1b" "Oz");
	check_eq(getkey(), KEY_UP);
	check_eq(getkey(), KEY_LEFT);
	check_eq(getkey(), KEY_DELETE);
	check_eq(getkey(), 0);    /* ESC O z: not a key we know */
	host_input("\x1b" "a");
	check_eq(getkey(), 0x1b);
	check_eq(getkey(), 'a');
	check_eq(iskey(), 0);
	check_eq(getkey_timeout(10), -1);
}

/* A process that peeks at the keyboard from the main loop, as the Ctrl-B
 * window does while start-up runs. */
static int peeker_on;

static void peeker_step(void)
{
	if (peeker_on)
		peekkey();
}

PERMANENT_PROCESS(peeker) = { "test-peeker", peeker_step };

UNIT_TEST(console_peek_keeps_order)
{
	/* Keys that arrive while getkey() waits, and which a process peeks
	 * at from step(), still come out in the order they were typed. */
	peeker_on = 1;
	host_input_delayed("version", 3);
	check_eq(getkey(), 'v');
	check_eq(getkey(), 'e');
	check_eq(getkey(), 'r');
	peeker_on = 0;
	check_eq(getkey(), 's');
	while (iskey())
		getkey();
}
