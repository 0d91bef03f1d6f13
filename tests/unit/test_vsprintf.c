/* Tests of printf-style formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char out[128];

static const char *fmt(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(out, sizeof(out), f, ap);
	va_end(ap);
	return out;
}

UNIT_TEST(printf_integers)
{
	check_str(fmt("%d", 0), "0");
	check_str(fmt("%d", -42), "-42");
	check_str(fmt("%u", 4000000000u), "4000000000");
	check_str(fmt("%5d|%-5d|", 42, 42), "   42|42   |");
	check_str(fmt("%05d", -42), "-0042");
	check_str(fmt("%+d % d", 5, 5), "+5  5");
	check_str(fmt("%x %X %#x %#o", 255, 255, 255, 8), "ff FF 0xff 010");
	check_str(fmt("%08x", 0xdeadu), "0000dead");
	check_str(fmt("%.3d", 7), "007");
	check_str(fmt("%lld", -9000000000ll), "-9000000000");
	check_str(fmt("%llx", 0x123456789abcdefull), "123456789abcdef");
	check_str(fmt("%zu", (size_t)77), "77");
	check_str(fmt("%hhu", 300), "44");
	check_str(fmt("%02x:%02x", 0x52, 0x5), "52:05");
	check_str(fmt("%#06x", 0x2a), "0x002a");
}

UNIT_TEST(printf_strings)
{
	check_str(fmt("%s", "dust"), "dust");
	check_str(fmt("[%6s]", "ab"), "[    ab]");
	check_str(fmt("[%-6s]", "ab"), "[ab    ]");
	check_str(fmt("%.2s", "abcdef"), "ab");
	{
		const char *volatile none = NULL;

		check_str(fmt("%s", none), "(null)");
	}
	check_str(fmt("%c%c", 'o', 'k'), "ok");
	check_str(fmt("100%%"), "100%");
	check_str(fmt("%*d", 4, 1), "   1");
	check_str(fmt("%p", (void *)0x1234), "0x1234");
}

UNIT_TEST(printf_truncation)
{
	char small[5];
	int n;
	char *s;

	n = snprintf(small, sizeof(small), "%s", "abcdefgh");
	check_eq(n, 8);
	check_str(small, "abcd");
	n = snprintf(NULL, 0, "%d", 12345);
	check_eq(n, 5);
	check_eq(asprintf(&s, "%s-%d", "net", 0), 5);
	check_str(s, "net-0");
	free(s);
}
