/* Everyday commands: help, echo, exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>

static int help_exec(int argc, char **argv)
{
	const struct command *cmd;

	(void)argv;
	if (argc > 1) {
		cmd = find_command(argv[1]);
		if (!cmd) {
			printf("help: no command \"%s\"\n", argv[1]);
			return -1;
		}
		printf("%s %s\n", cmd->name, cmd->usage);
		return 0;
	}
	printf("Commands:\n");
	for_each_table_entry(cmd, struct command, "commands")
		printf("  %-10s %s\n", cmd->name, cmd->usage);
	return 0;
}

COMMAND(help_cmd) = {
	.name = "help",
	.usage = "[COMMAND]  list commands, or show how to use one",
	.exec = help_exec,
};

static int echo_exec(int argc, char **argv)
{
	int i = 1, newline = 1;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		newline = 0;
		i++;
	}
	for (; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	if (newline)
		printf("\n");
	return 0;
}

COMMAND(echo_cmd) = {
	.name = "echo",
	.usage = "[-n] TEXT...  print the words given",
	.exec = echo_exec,
};

static int exit_exec(int argc, char **argv)
{
	request_exit(argc > 1 ? (int)strtoul(argv[1], NULL, 0) : 0);
	return 0;
}

COMMAND(exit_cmd) = {
	.name = "exit",
	.usage = "[CODE]  leave dust; the BIOS tries its next boot device",
	.exec = exit_exec,
};
