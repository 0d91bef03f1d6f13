/* Shell commands, registered in a linker table. */
#ifndef DUST_COMMAND_H
#define DUST_COMMAND_H

#include <dust/tables.h>

struct command {
	const char *name;
	/* One line: "ARGS  what it does". */
	const char *usage;
	int (*exec)(int argc, char **argv);
};

#define COMMAND(name) TABLE_ENTRY(struct command, "commands", 50) name

const struct command *find_command(const char *name);
/* Split a command line into words: blanks separate, "..." and '...' group,
 * backslash quotes the next character.  Returns argc (argv[argc] = NULL)
 * or a negative error; free the result with free_words(). */
int split_words(const char *line, char ***argv);
void free_words(char **argv);
/* Run one command line; returns the command's rc. */
int execute_line(const char *line);
/* Print "usage: NAME ARGS" and return -EINVAL. */
int command_usage(const struct command *cmd);
/* Print "NAME: what: <strerror(rc)>" and return rc. */
int command_error(const char *name, int rc, const char *what);

/* The interactive shell; returns when `exit` is run. */
int shell(void);
/* Ask the shell (and whatever runs dust's main loop) to finish with code. */
void request_exit(int code);
int exit_requested(void);

#endif
