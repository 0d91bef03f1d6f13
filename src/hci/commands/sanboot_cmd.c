/* SAN commands: sanhook, sanboot, sanunhook. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>
#include <dust/sanboot.h>
#include <dust/settings.h>

/* ROOT-PATH from the argument, or ${root-path}. */
static char *root_path_arg(int argc, char **argv, int *drive)
{
	int i = 1;

	*drive = 0x80;
	if (argc > 2 && !strcmp(argv[1], "--drive")) {
		*drive = (int)strtoul(argv[2], NULL, 0);
		i = 3;
	}
	if (i < argc)
		return strdup(argv[i]);
	return fetch_string_setting_copy(NULL, &root_path_setting);
}

static int san_exec(int argc, char **argv, int boot)
{
	char *rp;
	int drive, rc;

	rp = root_path_arg(argc, argv, &drive);
	if (!rp || !*rp) {
		printf("%s: no root-path given and ${root-path} is not set\n",
		       argv[0]);
		free(rp);
		return -ENOENT;
	}
	if (drive < 0x80 || drive > 0xff) {
		printf("%s: drive must be 0x80 or above\n", argv[0]);
		free(rp);
		return -EINVAL;
	}
	if (boot)
		rc = sanboot_root_path(rp);
	else
		rc = san_hook(rp, (uint8_t)drive);
	free(rp);
	return rc;
}

static int sanhook_exec(int argc, char **argv)
{
	return san_exec(argc, argv, 0);
}

static int sanboot_exec(int argc, char **argv)
{
	return san_exec(argc, argv, 1);
}

static int sanunhook_exec(int argc, char **argv)
{
	int rc = san_unhook();

	(void)argc;
	if (rc_is(rc, ENOENT_K))
		printf("%s: no SAN disk is attached\n", argv[0]);
	return rc;
}

COMMAND(sanhook_cmd) = {
	.name = "sanhook",
	.usage = "[--drive N] [ROOT-PATH]  attach a SAN disk as a BIOS drive",
	.exec = sanhook_exec,
};

COMMAND(sanboot_cmd) = {
	.name = "sanboot",
	.usage = "[ROOT-PATH]  attach a SAN disk and boot from it",
	.exec = sanboot_exec,
};

COMMAND(sanunhook_cmd) = {
	.name = "sanunhook",
	.usage = " detach the SAN disk",
	.exec = sanunhook_exec,
};
