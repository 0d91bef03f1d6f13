/* Line editing: cursor movement, insert/delete, kill and history, echoing
 * with plain characters and backspaces so it works on a VGA teletype and a
 * serial terminal alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/console.h>
#include <dust/readline.h>

static void out_str(struct line_editor *le, const char *s, size_t n)
{
	while (n--)
		le->out(*s++, le->ctx);
}

static void cursor_left(struct line_editor *le, size_t n)
{
	while (n--)
		le->out('\b', le->ctx);
}

/* Redraw from the cursor to the end, blanking `extra` old characters, and
 * put the cursor back. */
static void redraw_tail(struct line_editor *le, size_t extra)
{
	size_t i;

	out_str(le, le->buf + le->pos, le->len - le->pos);
	for (i = 0; i < extra; i++)
		le->out(' ', le->ctx);
	cursor_left(le, le->len - le->pos + extra);
}

/* Replace the whole line with s. */
static void replace_line(struct line_editor *le, const char *s)
{
	size_t old = le->len;

	cursor_left(le, le->pos);
	le->len = strlcpy(le->buf, s, sizeof(le->buf));
	if (le->len >= sizeof(le->buf))
		le->len = sizeof(le->buf) - 1;
	le->pos = 0;
	redraw_tail(le, old > le->len ? old - le->len : 0);
	out_str(le, le->buf, le->len);
	le->pos = le->len;
}

static void insert_char(struct line_editor *le, int c)
{
	if (le->len + 1 >= sizeof(le->buf))
		return;
	memmove(le->buf + le->pos + 1, le->buf + le->pos, le->len - le->pos);
	le->buf[le->pos] = (char)c;
	le->len++;
	le->out(c, le->ctx);
	le->pos++;
	redraw_tail(le, 0);
}

/* Delete n characters at the cursor. */
static void delete_chars(struct line_editor *le, size_t n)
{
	if (n > le->len - le->pos)
		n = le->len - le->pos;
	if (!n)
		return;
	memmove(le->buf + le->pos, le->buf + le->pos + n,
		le->len - le->pos - n);
	le->len -= n;
	redraw_tail(le, n);
}

static void move_to(struct line_editor *le, size_t pos)
{
	if (pos < le->pos)
		cursor_left(le, le->pos - pos);
	else
		out_str(le, le->buf + le->pos, pos - le->pos);
	le->pos = pos;
}

static const char *history_get(struct history *hist, int back)
{
	unsigned int slot;

	if (back < 0 || (unsigned int)back >= hist->count)
		return NULL;
	slot = (hist->next + ARRAY_SIZE(hist->lines) - 1 - (unsigned int)back) %
	       ARRAY_SIZE(hist->lines);
	return hist->lines[slot];
}

static void history_browse(struct line_editor *le, int dir)
{
	int target = le->hist_pos + dir;
	const char *line;

	if (!le->hist || target < -1)
		return;
	if (target == -1) {
		le->hist_pos = -1;
		replace_line(le, le->saved);
		return;
	}
	line = history_get(le->hist, target);
	if (!line)
		return;
	if (le->hist_pos == -1) {
		le->buf[le->len] = 0;
		strlcpy(le->saved, le->buf, sizeof(le->saved));
	}
	le->hist_pos = target;
	replace_line(le, line);
}

void line_editor_init(struct line_editor *le, struct history *hist,
		      void (*out)(int c, void *ctx), void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->hist = hist;
	le->hist_pos = -1;
	le->out = out;
	le->ctx = ctx;
}

int line_editor_key(struct line_editor *le, int key)
{
	size_t p;

	switch (key) {
	case '\r':
	case '\n':
		le->buf[le->len] = 0;
		return LE_DONE;
	case CTRL('C'):
		return LE_CANCEL;
	case '\b':
	case 0x7f:
		if (le->pos) {
			move_to(le, le->pos - 1);
			delete_chars(le, 1);
		}
		break;
	case KEY_DELETE:
	case CTRL('D'):
		delete_chars(le, 1);
		break;
	case KEY_LEFT:
	case CTRL('B'):
		if (le->pos)
			move_to(le, le->pos - 1);
		break;
	case KEY_RIGHT:
	case CTRL('F'):
		if (le->pos < le->len)
			move_to(le, le->pos + 1);
		break;
	case KEY_HOME:
	case CTRL('A'):
		move_to(le, 0);
		break;
	case KEY_END:
	case CTRL('E'):
		move_to(le, le->len);
		break;
	case CTRL('K'):
		delete_chars(le, le->len - le->pos);
		break;
	case CTRL('U'):
		p = le->pos;
		move_to(le, 0);
		delete_chars(le, p);
		break;
	case CTRL('W'):
		p = le->pos;
		while (p && le->buf[p - 1] == ' ')
			p--;
		while (p && le->buf[p - 1] != ' ')
			p--;
		{
			size_t n = le->pos - p;

			move_to(le, p);
			delete_chars(le, n);
		}
		break;
	case KEY_UP:
	case CTRL('P'):
		history_browse(le, +1);
		break;
	case KEY_DOWN:
	case CTRL('N'):
		history_browse(le, -1);
		break;
	default:
		if (key >= 0x20 && key < 0x7f)
			insert_char(le, key);
		break;
	}
	return LE_CONTINUE;
}

void history_add(struct history *hist, const char *line)
{
	const char *last = history_get(hist, 0);
	unsigned int slot = hist->next;
	char *copy;

	if (!*line || (last && !strcmp(last, line)))
		return;
	copy = strdup(line);
	if (!copy)
		return;
	free(hist->lines[slot]);
	hist->lines[slot] = copy;
	hist->next = (slot + 1) % ARRAY_SIZE(hist->lines);
	if (hist->count < ARRAY_SIZE(hist->lines))
		hist->count++;
}

void history_free(struct history *hist)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hist->lines); i++) {
		free(hist->lines[i]);
		hist->lines[i] = NULL;
	}
	hist->count = hist->next = 0;
}

static void console_echo(int c, void *ctx)
{
	(void)ctx;
	putchar(c);
}

char *readline(const char *prompt, struct history *hist)
{
	struct line_editor *le = malloc(sizeof(*le));
	char *line = NULL;
	int rc;

	if (!le)
		return NULL;
	line_editor_init(le, hist, console_echo, NULL);
	printf("%s", prompt);
	do {
		rc = line_editor_key(le, getkey());
	} while (rc == LE_CONTINUE);
	printf("\n");
	if (rc == LE_DONE) {
		line = strdup(le->buf);
		if (hist && line)
			history_add(hist, line);
	}
	free(le);
	return line;
}
