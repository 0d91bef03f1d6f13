/* What dust does after start-up: open the Ctrl-B window, boot by itself
 * (DHCP on each device; the filename it names, else its root-path), and
 * when that fails hand back to the BIOS or open the command line.  The
 * Ctrl-B window does not delay anything: keys are polled from the main
 * loop while bring-up runs, and Ctrl-B stops the bring-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/autoboot.h>
#include <dust/command.h>
#include <dust/console.h>
#include <dust/dhcp.h>
#include <dust/image.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/sanboot.h>
#include <dust/settings.h>
#include <dust/timer.h>
#include <config/general.h>

static int ctrlb_open;
static uint32_t ctrlb_deadline;

void ctrlb_start(unsigned long ms)
{
	ctrlb_open = 1;
	ctrlb_deadline = currtime_ms() + (uint32_t)ms;
	printf("Press Ctrl-B for the dust command line...\n");
}

int ctrlb_pressed(void)
{
	return break_requested();
}

void ctrlb_stop(void)
{
	ctrlb_open = 0;
}

static void ctrlb_step(void)
{
	if (!ctrlb_open)
		return;
	if (time_after_ms(currtime_ms(), ctrlb_deadline)) {
		ctrlb_open = 0;
		return;
	}
	if (peekkey() == CTRL('B')) {
		getkey();
		request_break();
		ctrlb_open = 0;
	}
}

PERMANENT_PROCESS(ctrlb_process) = { "ctrlb", ctrlb_step };

/* Boot what DHCP on netdev names. */
static int netboot(struct net_device *netdev)
{
	struct settings *block = settings_for_netdev(netdev);
	char *filename, *root_path;
	int rc;

	rc = dhcp(netdev);
	if (rc)
		return rc;
	filename = fetch_string_setting_copy(block, &filename_setting);
	root_path = fetch_string_setting_copy(block, &root_path_setting);
	if (filename && *filename) {
		char *argv[] = { "chain", filename, NULL };

		rc = find_command("chain")->exec(2, argv);
	} else if (root_path && *root_path) {
		rc = sanboot_root_path(root_path);
	} else {
		printf("%s: DHCP named neither a boot file nor a root-path\n",
		       netdev->name);
		rc = -ENOENT;
	}
	free(filename);
	free(root_path);
	return rc;
}

static int netboot_all(void)
{
	struct net_device *netdev;
	int rc = -ENODEV;

	for_each_netdev(netdev) {
		if (break_requested())
			return -ECANCELED;
		rc = netboot(netdev);
		if (rc == 0 || rc_is(rc, ECANCELED_K) || exit_requested())
			break;
	}
	return rc;
}

BOOT_SOURCE(50) net_boot_source = { "network", netboot_all };

int autoboot(void)
{
	const struct boot_source *src;
	int rc = -ENOENT;

	for_each_table_entry(src, struct boot_source, "boot_sources") {
		step();
		if (break_requested())
			return -ECANCELED;
		rc = src->boot();
		if (rc == 0 || !rc_is(rc, ENODEV_K))
			break;
	}
	return rc;
}

/* A script the boot loader handed over, if any. */
static struct image *embedded_script(void)
{
	struct image *image;

	for_each_image(image)
		if ((image->flags & IMAGE_AUTOEXEC) && image_probe(image) == 0 &&
		    !strcmp(image->type->name, "script"))
			return image;
	return NULL;
}

int startup(void)
{
	struct image *script = embedded_script();
	int rc;

	ctrlb_start(CONFIG_CTRLB_MS);
	if (script) {
		step();
		if (break_requested())
			goto shell;
		rc = image_exec(script);
		if (exit_requested())
			return rc;
		if (rc && !break_requested())
			printf("dust: script %s failed: %s\n", script->name,
			       strerror(rc));
		goto shell;
	}
	if (!list_empty(&net_devices)) {
		rc = autoboot();
		step();
		if (exit_requested())
			return 0;
		if (!break_requested()) {
			if (rc == 0)
				return 0;
			printf("dust: nothing booted (%s)\n", strerror(rc));
			if (!CONFIG_AUTOBOOT_FAIL_SHELL) {
				printf("dust: handing back to the BIOS\n");
				return rc;
			}
		}
	}
	/* Ctrl-B, nothing to boot from, or configured to stay. */
shell:
	ctrlb_stop();
	clear_break();
	return shell();
}
