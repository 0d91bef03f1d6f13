/* Tests of linker tables: entries sorted by order, counted, iterable. */
#include <string.h>
#include <errno.h>
#include <stdio.h>
#include <dust/tables.h>
#include <dust/command.h>
#include "unit.h"

struct probe {
	int value;
};

TABLE_ENTRY(struct probe, "test_probes", 30) probe_c = { 3 };
TABLE_ENTRY(struct probe, "test_probes", 10) probe_a = { 1 };
TABLE_ENTRY(struct probe, "test_probes", 20) probe_b = { 2 };
TABLE_ENTRY(struct probe, "test_probes", 20) probe_b2 = { 2 };

UNIT_TEST(tables_order)
{
	const struct probe *p;
	int last = 0, n = 0;

	check_eq(table_count(struct probe, "test_probes"), 4);
	for_each_table_entry(p, struct probe, "test_probes") {
		check(p->value >= last);
		last = p->value;
		n++;
	}
	check_eq(n, 4);
	check_eq(table_start(struct probe, "test_probes")[0].value, 1);
	check_eq(table_end(struct probe, "test_probes")[-1].value, 3);
}

UNIT_TEST(tables_empty)
{
	check_eq(table_count(struct probe, "no_such_table"), 0);
}

UNIT_TEST(strerror_names_file)
{
	char **argv;
	int rc = split_words("echo \"unterminated", &argv);

	/* The code says what went wrong and in which file. */
	check(rc_is(rc, EINVAL_K));
	check(!rc_is(rc, ENOMEM_K));
	check(strstr(strerror(rc), "Invalid argument") != NULL);
	check(strstr(strerror(rc), "shell.c") != NULL);
	check(strstr(strerror(-ETIMEDOUT_K), "Connection timed out") != NULL);
	check_str(strerror(0), "No error");
	check(strstr(strerror(-0x7f), "Unknown error") != NULL);
}
