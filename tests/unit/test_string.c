/* Tests of the string and memory functions. */
#include <string.h>
#include <stdlib.h>
#include "unit.h"

UNIT_TEST(string_memmove_overlap)
{
	char buf[16] = "abcdefghij";

	memmove(buf + 2, buf, 5);
	check_str(buf, "ababcdehij");
	memmove(buf, buf + 3, 5);
	check_str(buf, "bcdehdehij");
	memset(buf, 'x', 3);
	check_mem(buf, "xxxeh", 5);
}

UNIT_TEST(string_compare)
{
	check(strcmp("abc", "abc") == 0);
	check(strcmp("abc", "abd") < 0);
	check(strcmp("abd", "abc") > 0);
	check(strcmp("ab", "abc") < 0);
	check(strncmp("abcx", "abcy", 3) == 0);
	check(strcasecmp("HeLLo", "hello") == 0);
	check(strncasecmp("DUSTy", "dustx", 4) == 0);
	check(memcmp("\x01\xff", "\x01\x01", 2) > 0);
}

UNIT_TEST(string_search)
{
	const char *s = "root-path=iscsi:1.2.3.4::::iqn";

	check(strchr(s, ':') == s + 15);
	check(strrchr(s, ':') == s + 26);
	check(strchr(s, 'z') == NULL);
	check(strchr(s, 0) == s + strlen(s));
	check(strstr(s, "iscsi") == s + 10);
	check(strstr(s, "nope") == NULL);
	check(strspn("  x", " ") == 2);
	check(strcspn("abc:d", ":") == 3);
	check(memchr("abc", 'c', 3) != NULL);
	check(memchr("abc", 'c', 2) == NULL);
}

UNIT_TEST(string_copy)
{
	char buf[8];
	char *d;

	check_eq(strlcpy(buf, "hello world", sizeof(buf)), 11);
	check_str(buf, "hello w");
	check_eq(strlcpy(buf, "hi", sizeof(buf)), 2);
	check_str(buf, "hi");
	d = strdup("dust");
	check_str(d, "dust");
	free(d);
	d = strndup("dusty", 4);
	check_str(d, "dust");
	free(d);
	check_eq(strnlen("abc", 2), 2);
}

UNIT_TEST(string_strsep)
{
	char line[] = "a,b,,c";
	char *p = line;

	check_str(strsep(&p, ","), "a");
	check_str(strsep(&p, ","), "b");
	check_str(strsep(&p, ","), "");
	check_str(strsep(&p, ","), "c");
	check(p == NULL);
	check(strsep(&p, ",") == NULL);
}

UNIT_TEST(string_strtoul)
{
	char *end;

	check_eq(strtoul("1234", &end, 10), 1234);
	check_eq(*end, 0);
	check_eq(strtoul("0x1F", NULL, 0), 31);
	check_eq(strtoul("0x1F", NULL, 16), 31);
	check_eq(strtoul("017", NULL, 0), 15);
	check_eq(strtoul("  42z", &end, 10), 42);
	check_eq(*end, 'z');
	check_eq(strtol("-5", NULL, 10), -5);
	check_eq(strtoull("0xffffffffffff", NULL, 0), 0xffffffffffffull);
	/* No digits: end points at the start of the input. */
	{
		const char *in = " x";

		check_eq(strtoul(in, &end, 10), 0);
		check(end == in);
	}
}
