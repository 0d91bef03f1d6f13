/* Tests of URI parsing, printing and resolution (RFC 3986 examples). */
#include <string.h>
#include <stdlib.h>
#include <dust/uri.h>
#include "unit.h"

static const char *show(const struct uri *u)
{
	static char buf[256];

	format_uri(u, buf, sizeof(buf));
	return buf;
}

UNIT_TEST(uri_parse)
{
	struct uri *u = parse_uri("http://user:p%40ss@boot.lab.test:8080/a/b%20c.ipxe?x=1#frag");

	check_str(u->scheme, "http");
	check_str(u->user, "user");
	check_str(u->password, "p@ss");
	check_str(u->host, "boot.lab.test");
	check_str(u->port, "8080");
	check_eq(uri_port(u, 80), 8080);
	check_str(u->path, "/a/b c.ipxe");
	check_str(u->query, "x=1");
	check_str(u->fragment, "frag");
	check_str(show(u), "http://user@boot.lab.test:8080/a/b c.ipxe?x=1#frag");
	free(u);

	u = parse_uri("iscsi:192.0.2.1::::iqn.2026-11.test:disk");
	check_str(u->scheme, "iscsi");
	check_str(u->opaque, "192.0.2.1::::iqn.2026-11.test:disk");
	check(u->host == NULL);
	free(u);

	u = parse_uri("tftp://192.0.2.1");
	check_str(u->host, "192.0.2.1");
	check(u->path == NULL);
	check_eq(uri_port(u, 69), 69);
	free(u);

	u = parse_uri("boot/kernel");
	check(u->scheme == NULL && u->host == NULL);
	check_str(u->path, "boot/kernel");
	free(u);

	u = parse_uri("http://[2001:db8::1]:81/x");
	check_str(u->host, "2001:db8::1");
	check_str(u->port, "81");
	free(u);
}

UNIT_TEST(uri_resolve_rfc3986)
{
	/* RFC 3986 section 5.4 normal examples, base http://a/b/c/d;p?q */
	static const char *const cases[][2] = {
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ "./../g", "http://a/b/g" },
		{ "g/../h", "http://a/b/c/h" },
		{ "tftp://x/y", "tftp://x/y" },
	};
	struct uri *base = parse_uri("http://a/b/c/d;p?q");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct uri *rel = parse_uri(cases[i][0]);
		struct uri *r = resolve_uri(base, rel);

		check_str(show(r), cases[i][1]);
		free(r);
		free(rel);
	}
	free(base);
}

UNIT_TEST(uri_cwuri)
{
	struct uri *base = parse_uri("tftp://192.0.2.1/boot/pxelinux.0");
	struct uri *u;

	set_cwuri(base);
	free(base);
	u = parse_uri_relative("dust.ipxe");
	check_str(show(u), "tftp://192.0.2.1/boot/dust.ipxe");
	free(u);
	u = parse_uri_relative("http://192.0.2.1/x");
	check_str(show(u), "http://192.0.2.1/x");
	free(u);
	set_cwuri(NULL);
	u = parse_uri_relative("plain");
	check_str(show(u), "plain");
	free(u);
}
