/* Version strings and the `version` command. */
#include <stdio.h>
#include <dust/command.h>
#include <dust/version.h>

const char dust_version[] = DUST_VERSION;
const char dust_build[] = DUST_BUILD;

static int version_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("dust %s (%s)\n", dust_version, dust_build);
	printf("image: %s\n", image_type_name());
	return 0;
}

COMMAND(version_cmd) = {
	.name = "version",
	.usage = " show the version and build of this dust",
	.exec = version_exec,
};
