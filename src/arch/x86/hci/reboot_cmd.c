/* reboot: reset the machine. */
#include <stdio.h>
#include <dust/command.h>
#include <dust/init.h>
#include <dust/machine.h>

static int reboot_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Rebooting...\n");
	run_shutdown_fns(0);
	machine_reboot();
}

COMMAND(reboot_cmd) = {
	.name = "reboot",
	.usage = " reset the machine",
	.exec = reboot_exec,
};
