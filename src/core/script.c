/* Scripts: "#!dust" (or "#!ipxe", so existing iPXE scripts run where their
 * commands exist).  One command per line, `:label` lines, `goto`, and
 * `||` / `&&` between commands.  A failing command ends the script with
 * its error unless `||` follows it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>
#include <dust/console.h>
#include <dust/image.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/timer.h>

#define SCRIPT_MAX_STEPS 1000000      /* lines run: a runaway loop ends */

/* The script being run, for goto. */
struct script_run {
	const char *text;
	size_t len, next;            /* offset of the next line */
	const char *goto_label;
};
static struct script_run *current_script;

static int script_probe(struct image *image)
{
	const char *d = image->data;

	if (image->len < 6)
		return -ENOEXEC;
	if ((!memcmp(d, "#!dust", 6) || !memcmp(d, "#!ipxe", 6) ||
	     (image->len >= 6 && !memcmp(d, "#!gpxe", 6))) &&
	    (image->len == 6 || isspace((unsigned char)d[6])))
		return 0;
	return -ENOEXEC;
}

/* Find ":label" at the start of a line; returns the offset after it. */
static int find_label(const struct script_run *s, const char *label,
		      size_t *off)
{
	size_t pos = 0, n = strlen(label);

	while (pos < s->len) {
		const char *line = s->text + pos;
		const char *end = memchr(line, '\n', s->len - pos);
		size_t llen = end ? (size_t)(end - line) : s->len - pos;

		while (llen && isspace((unsigned char)line[llen - 1]))
			llen--;
		if (llen == n + 1 && line[0] == ':' && !memcmp(line + 1, label, n)) {
			*off = pos + (end ? (size_t)(end - line) + 1 : llen);
			return 0;
		}
		pos += end ? (size_t)(end - line) + 1 : s->len - pos;
	}
	return -ENOENT;
}

/* Run one line with its || and && operators: after `a || b` b runs only
 * if a failed, after `a && b` only if a worked; a skipped command leaves
 * the result as it was.  The line's result is the last one run. */
static int run_line(char *line)
{
	int rc = 0, run = 1;

	for (;;) {
		char *or = strstr(line, "||"), *and = strstr(line, "&&");
		char *op = or && (!and || or < and) ? or : and;
		int is_or = op && op == or;

		if (op)
			*op = 0;
		if (run)
			rc = execute_line(line);
		if (!op)
			return rc;
		run = is_or ? (rc != 0) : (rc == 0);
		line = op + 2;
	}
}

static int script_exec(struct image *image)
{
	struct script_run run, *outer = current_script;
	unsigned long steps = 0;
	int rc = 0;

	run.text = image->data;
	run.len = image->len;
	run.goto_label = NULL;
	/* Skip the #! line. */
	run.next = 0;
	while (run.next < run.len && run.text[run.next] != '\n')
		run.next++;
	current_script = &run;
	while (run.next < run.len && !exit_requested()) {
		const char *start = run.text + run.next;
		const char *end = memchr(start, '\n', run.len - run.next);
		size_t llen = end ? (size_t)(end - start) : run.len - run.next;
		char *line;

		run.next += end ? llen + 1 : llen;
		if (++steps > SCRIPT_MAX_STEPS) {
			printf("%s: script ran %u lines without ending\n",
			       image->name, SCRIPT_MAX_STEPS);
			rc = -ELOOP;
			break;
		}
		if (interrupted()) {
			printf("%s: stopped by Ctrl-C\n", image->name);
			rc = -ECANCELED;
			break;
		}
		line = strndup(start, llen);
		if (!line) {
			rc = -ENOMEM;
			break;
		}
		if (llen && line[llen - 1] == '\r')
			line[llen - 1] = 0;
		if (line[0] == ':') {
			free(line);
			continue;
		}
		rc = run_line(line);
		free(line);
		if (run.goto_label) {
			size_t off;

			if (find_label(&run, run.goto_label, &off)) {
				printf("%s: no label \"%s\"\n", image->name,
				       run.goto_label);
				rc = -ENOENT;
			} else {
				run.next = off;
				rc = 0;
			}
			free((char *)run.goto_label);
			run.goto_label = NULL;
		}
		if (rc)
			break;
	}
	current_script = outer;
	return rc;
}

IMAGE_TYPE(IMAGE_ORDER_SCRIPT) script_type = {
	.name = "script",
	.probe = script_probe,
	.exec = script_exec,
};

/* ---- commands that belong to scripts */

static int goto_exec(int argc, char **argv)
{
	if (argc != 2)
		return command_usage(find_command("goto"));
	if (!current_script) {
		printf("goto: only in a script\n");
		return -ENOTSUP;
	}
	current_script->goto_label = strdup(argv[1]);
	return current_script->goto_label ? 0 : -ENOMEM;
}

COMMAND(goto_cmd) = {
	.name = "goto",
	.usage = "LABEL  continue the script after the line :LABEL",
	.exec = goto_exec,
};

static int isset_exec(int argc, char **argv)
{
	/* The shell has expanded the argument: set means non-empty. */
	if (argc != 2)
		return command_usage(find_command("isset"));
	return argv[1][0] ? 0 : -ENOENT;
}

COMMAND(isset_cmd) = {
	.name = "isset",
	.usage = "VALUE  succeed if VALUE (e.g. ${name}) is not empty",
	.exec = isset_exec,
};

static int iseq_exec(int argc, char **argv)
{
	if (argc != 3)
		return command_usage(find_command("iseq"));
	return strcmp(argv[1], argv[2]) ? -ERANGE : 0;
}

COMMAND(iseq_cmd) = {
	.name = "iseq",
	.usage = "A B  succeed if A and B are the same text",
	.exec = iseq_exec,
};

static int sleep_exec(int argc, char **argv)
{
	uint32_t end;

	if (argc != 2)
		return command_usage(find_command("sleep"));
	end = currtime_ms() + (uint32_t)strtoul(argv[1], NULL, 0) * 1000;
	while (!time_after_ms(currtime_ms(), end)) {
		if (interrupted()) {
			return -ECANCELED;
		}
		step();
	}
	return 0;
}

COMMAND(sleep_cmd) = {
	.name = "sleep",
	.usage = "SECONDS  wait (Ctrl-C stops)",
	.exec = sleep_exec,
};

static int prompt_exec(int argc, char **argv)
{
	unsigned long timeout = 0;
	int key = 0, i = 1, c;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			timeout = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			key = (unsigned char)argv[++i][0];
		else
			return command_usage(find_command("prompt"));
		i++;
	}
	for (; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	c = timeout ? getkey_timeout(timeout) : getkey();
	printf("\n");
	if (c < 0)
		return -ETIMEDOUT;
	return (key && c != key) ? -ECANCELED : 0;
}

COMMAND(prompt_cmd) = {
	.name = "prompt",
	.usage = "[-k KEY] [-t MS] [TEXT]  wait for a key (or KEY, or time)",
	.exec = prompt_exec,
};
