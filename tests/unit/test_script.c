/* Tests of script images: goto, ||, &&, failure ending the script. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <dust/command.h>
#include <dust/image.h>
#include <dust/umalloc.h>
#include "unit.h"

static int run_script(const char *text, const char **out)
{
	struct image *image = alloc_image(NULL);
	int rc;

	image->data = malloc(strlen(text));
	memcpy(image->data, text, strlen(text));
	image->len = strlen(text);
	strcpy(image->name, "test.ipxe");
	host_capture_start();
	rc = image_exec(image);
	*out = host_capture_stop();
	free(image->data);
	image->data = NULL;      /* not umalloc'd: don't let ufree see it */
	image_put(image);
	return rc;
}

UNIT_TEST(script_flow)
{
	const char *out;

	check_eq(run_script("#!ipxe\n"
			    "echo one\n"
			    "goto skip\n"
			    "echo never\n"
			    ":skip\n"
			    "echo two || echo not-run\n"
			    "nosuchcmd || echo recovered\n"
			    "iseq a b && echo not-equal-ran ||\n"
			    "iseq a a && echo equal\r\n"
			    "isset ${nothing} || echo unset\n"
			    "nosuchcmd && echo x || echo chained\n", &out), 0);
	check_str(out, "one\ntwo\nnosuchcmd: unknown command (type \"help\" "
		  "for a list)\nrecovered\nequal\nunset\n"
		  "nosuchcmd: unknown command (type \"help\" for a list)\n"
		  "chained\n");
}

UNIT_TEST(script_failure_ends_it)
{
	const char *out;
	int rc = run_script("#!dust\necho a\nnosuchcmd\necho b\n", &out);

	check(rc_is(rc, ENOENT_K));
	check(strstr(out, "a\n") != NULL);
	check(strstr(out, "b\n") == NULL);
	rc = run_script("#!dust\ngoto nowhere\necho after\n", &out);
	check(rc_is(rc, ENOENT_K));
	check(strstr(out, "no label \"nowhere\"") != NULL);
}

UNIT_TEST(script_probe_types)
{
	struct image *image = alloc_image(NULL);
	char text[] = "#!bash\necho x\n";

	image->data = text;
	image->len = strlen(text);
	host_capture_start();
	/* Not a script, not a kernel: the catch-all is not linked here. */
	check(rc_is(image_exec(image), ENOEXEC_K));
	host_capture_stop();
	image->data = NULL;
	image_put(image);
}
