/* dust's main flow: initialise, greet, boot or give a prompt, shut down. */
#include <stdio.h>
#include <dust/init.h>
#include <dust/autoboot.h>
#include <dust/version.h>

int dust_main(void)
{
	int rc;

	run_init_fns();
	printf("\ndust %s -- network boot firmware\n", dust_version);
	rc = startup();
	run_shutdown_fns(0);
	return rc;
}
