/* The command line: word splitting, command lookup and the prompt loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>
#include <dust/readline.h>
#include <dust/settings.h>

#define MAX_WORDS 64

static int exit_flag;
static int exit_code;

void request_exit(int code)
{
	exit_flag = 1;
	exit_code = code;
}

int exit_requested(void)
{
	return exit_flag;
}

const struct command *find_command(const char *name)
{
	const struct command *cmd;

	for_each_table_entry(cmd, struct command, "commands")
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

void free_words(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

int split_words(const char *line, char ***argvp)
{
	char **argv = zalloc((MAX_WORDS + 1) * sizeof(*argv));
	size_t len = strlen(line);
	char *word;
	int argc = 0, rc;

	*argvp = NULL;
	if (!argv)
		return -ENOMEM;
	while (*line) {
		char quote = 0;
		size_t n = 0;
		int any = 0;

		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			break;
		if (argc == MAX_WORDS) {
			rc = -E2BIG;
			goto fail;
		}
		word = malloc(len + 1);
		if (!word) {
			rc = -ENOMEM;
			goto fail;
		}
		for (; *line; line++) {
			char c = *line;

			if (!quote && (c == ' ' || c == '\t'))
				break;
			if (!quote && (c == '"' || c == '\'')) {
				quote = c;
				any = 1;
				continue;
			}
			if (quote && c == quote) {
				quote = 0;
				continue;
			}
			if (c == '\\' && quote != '\'' && line[1]) {
				c = *++line;
			}
			word[n++] = c;
		}
		word[n] = 0;
		argv[argc++] = word;
		if (quote) {
			rc = -EINVAL;
			goto fail;
		}
		(void)any;
	}
	*argvp = argv;
	return argc;
fail:
	free_words(argv);
	return rc;
}

int command_usage(const struct command *cmd)
{
	printf("usage: %s %s\n", cmd->name, cmd->usage);
	return -EINVAL;
}

int command_error(const char *name, int rc, const char *what)
{
	if (what)
		printf("%s: %s: %s\n", name, what, strerror(rc));
	else
		printf("%s: %s\n", name, strerror(rc));
	return rc;
}

int execute_line(const char *line)
{
	const struct command *cmd;
	char **argv;
	int argc, rc, i;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return 0;
	argc = split_words(line, &argv);
	if (argc < 0) {
		printf("%s\n", rc_is(argc, EINVAL_K) ? "unterminated quote"
						       : strerror(argc));
		return argc;
	}
	if (!argc) {
		free_words(argv);
		return 0;
	}
	/* ${name} references expand word by word, so a value with blanks
	 * stays one word. */
	for (i = 0; i < argc; i++) {
		char *expanded;

		if (!strstr(argv[i], "${"))
			continue;
		expanded = expand_settings(argv[i]);
		if (!expanded) {
			free_words(argv);
			return -ENOMEM;
		}
		free(argv[i]);
		argv[i] = expanded;
	}
	cmd = find_command(argv[0]);
	if (!cmd) {
		printf("%s: unknown command (type \"help\" for a list)\n",
		       argv[0]);
		rc = -ENOENT;
	} else {
		rc = cmd->exec(argc, argv);
	}
	free_words(argv);
	return rc;
}

int shell(void)
{
	struct history hist;
	char *line;

	memset(&hist, 0, sizeof(hist));
	exit_flag = 0;
	while (!exit_flag) {
		line = readline("dust> ", &hist);
		if (line)
			execute_line(line);
		free(line);
	}
	history_free(&hist);
	return exit_code;
}
