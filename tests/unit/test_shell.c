/* Tests of command-line splitting and execution. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <dust/command.h>
#include "unit.h"

static int seen_argc;
static char seen[4][32];

static int probe_exec(int argc, char **argv)
{
	int i;

	seen_argc = argc;
	for (i = 0; i < argc && i < 4; i++)
		strlcpy(seen[i], argv[i], sizeof(seen[i]));
	return argc > 1 && !strcmp(argv[1], "fail") ? -EIO : 0;
}

COMMAND(probe_cmd) = {
	.name = "testprobe",
	.usage = "ARGS  test command",
	.exec = probe_exec,
};

UNIT_TEST(shell_split_words)
{
	char **argv;
	int argc;

	argc = split_words("  set  name \"two words\" 'it''s' a\\ b \"x\\\"y\"",
			   &argv);
	check_eq(argc, 6);
	check_str(argv[0], "set");
	check_str(argv[1], "name");
	check_str(argv[2], "two words");
	check_str(argv[3], "its");
	check_str(argv[4], "a b");
	check_str(argv[5], "x\"y");
	check(argv[6] == NULL);
	free_words(argv);

	argc = split_words("", &argv);
	check_eq(argc, 0);
	free_words(argv);

	argc = split_words("\"\"", &argv);
	check_eq(argc, 1);
	check_str(argv[0], "");
	free_words(argv);
}

UNIT_TEST(shell_split_errors)
{
	char **argv;
	char *many;
	int i;

	check(rc_is(split_words("echo 'open", &argv), EINVAL_K));
	check(argv == NULL);
	many = malloc(200 * 2 + 1);
	for (i = 0; i < 200; i++) {
		many[2 * i] = 'x';
		many[2 * i + 1] = ' ';
	}
	many[400] = 0;
	check(rc_is(split_words(many, &argv), E2BIG_K));
	free(many);
}

UNIT_TEST(shell_execute)
{
	const char *out;

	check_eq(execute_line("testprobe a 'b c'"), 0);
	check_eq(seen_argc, 3);
	check_str(seen[2], "b c");
	check(rc_is(execute_line("testprobe fail"), EIO_K));
	check_eq(execute_line("   # a comment"), 0);
	check_eq(execute_line(""), 0);
	host_capture_start();
	check(rc_is(execute_line("nosuchcommand x"), ENOENT_K));
	out = host_capture_stop();
	check(strstr(out, "nosuchcommand: unknown command") != NULL);
	host_capture_start();
	execute_line("echo hello   world");
	check_str(host_capture_stop(), "hello world\n");
	host_capture_start();
	execute_line("echo -n x");
	check_str(host_capture_stop(), "x");
}

UNIT_TEST(shell_exit_and_prompt)
{
	const char *out;

	/* The shell reads lines from the console until `exit`. */
	host_input("echo one\rexit 3\r");
	host_capture_start();
	check_eq(shell(), 3);
	out = host_capture_stop();
	check(strstr(out, "dust> ") != NULL);
	check(strstr(out, "one\n") != NULL);
}

UNIT_TEST(shell_help)
{
	const char *out;

	host_capture_start();
	check_eq(execute_line("help"), 0);
	out = host_capture_stop();
	check(strstr(out, "echo") != NULL);
	check(strstr(out, "testprobe") != NULL);
	host_capture_start();
	execute_line("help testprobe");
	check(strstr(host_capture_stop(), "testprobe ARGS") != NULL);
}
