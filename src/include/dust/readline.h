/* Line input with editing and history. */
#ifndef DUST_READLINE_H
#define DUST_READLINE_H

#include <stddef.h>

#define READLINE_MAX 512

struct history {
	char *lines[16];
	unsigned int count;  /* lines stored (<= 16) */
	unsigned int next;   /* slot the next line goes into */
};

/* Read one line after printing `prompt`.  Returns a malloc'd string (no
 * newline), or NULL if the user cancelled with Ctrl-C. */
char *readline(const char *prompt, struct history *hist);
void history_free(struct history *hist);

/* The editing engine, separate from console I/O so it can be unit-tested:
 * feed keys, it edits the buffer and reports what to echo. */
struct line_editor {
	char buf[READLINE_MAX];
	size_t len, pos;
	struct history *hist;
	int hist_pos;             /* -1: editing a new line */
	char saved[READLINE_MAX]; /* the new line while browsing history */
	void (*out)(int c, void *ctx);
	void *ctx;
};

#define LE_CONTINUE 0
#define LE_DONE     1
#define LE_CANCEL   2

void line_editor_init(struct line_editor *le, struct history *hist,
		      void (*out)(int c, void *ctx), void *ctx);
int line_editor_key(struct line_editor *le, int key);
void history_add(struct history *hist, const char *line);

#endif
