/* Runs every registered unit test, with a leak check after each. */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <dust/iobuf.h>
#include "unit.h"

unsigned long unit_checks;
static unsigned int failures_now;
static const char *current;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failures_now++;
	printf("FAIL %s (%s:%d): ", current, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int main(int argc, char **argv);
int main(int argc, char **argv)
{
	const struct unit_test *t;
	unsigned int passed = 0, failed = 0;

	for_each_table_entry(t, struct unit_test, "unit_tests") {
		unsigned long live;

		/* Buffers kept for reuse are not leaks. */
		iob_cache_flush();
		live = malloc_live();

		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		current = t->name;
		failures_now = 0;
		t->fn();
		iob_cache_flush();
		if (malloc_live() != live) {
			unit_fail(__FILE__, __LINE__,
				  "leak: %lu allocation(s) not freed",
				  malloc_live() - live);
		}
		if (failures_now)
			failed++;
		else
			passed++;
	}
	printf("%lu checks\n", unit_checks);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
