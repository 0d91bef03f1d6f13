/* What dust does after start-up: open the Ctrl-B window, try to boot by
 * itself, and fall back to the command line.  The window does not delay
 * anything: keys are polled from the main loop while bring-up runs. */
#include <errno.h>
#include <stdio.h>
#include <dust/autoboot.h>
#include <dust/command.h>
#include <dust/console.h>
#include <dust/process.h>
#include <dust/timer.h>
#include <config/general.h>

static int ctrlb_open;
static int ctrlb_hit;
static uint32_t ctrlb_deadline;

void ctrlb_start(unsigned long ms)
{
	ctrlb_hit = 0;
	ctrlb_open = 1;
	ctrlb_deadline = currtime_ms() + (uint32_t)ms;
	printf("Press Ctrl-B for the dust command line...\n");
}

int ctrlb_pressed(void)
{
	return ctrlb_hit;
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
		ctrlb_hit = 1;
		ctrlb_open = 0;
	}
}

PERMANENT_PROCESS(ctrlb_process) = { "ctrlb", ctrlb_step };

int autoboot(void)
{
	const struct boot_source *src;
	int rc = -ENOENT;

	for_each_table_entry(src, struct boot_source, "boot_sources") {
		step();
		if (ctrlb_pressed())
			return -ECANCELED;
		rc = src->boot();
		if (rc == 0 || !rc_is(rc, ENOENT_K))
			break;
	}
	return rc;
}

int startup(void)
{
	int rc;

	ctrlb_start(CONFIG_CTRLB_MS);
	rc = autoboot();
	step();
	if (rc == 0 && !ctrlb_pressed())
		return 0;
	if (!ctrlb_pressed() && !rc_is(rc, ENOENT_K))
		printf("dust: boot failed: %s\n", strerror(rc));
	ctrlb_stop();
	return shell();
}
