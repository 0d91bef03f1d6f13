/* URIs (RFC 3986): parsing, resolving relative references, printing. */
#ifndef DUST_URI_H
#define DUST_URI_H

#include <stddef.h>

/* Every field is NULL when absent.  "iscsi:server::::target" style URIs
 * (no "//") keep everything after the scheme in `opaque`. */
struct uri {
	char *scheme;
	char *opaque;
	char *user;
	char *password;
	char *host;
	char *port;
	char *path;
	char *query;
	char *fragment;
};

/* Parse text into a new URI (one allocation; free with free()).  Returns
 * NULL when out of memory.  Percent-escapes are decoded in user, password
 * and path. */
struct uri *parse_uri(const char *text);
/* Resolve `rel` against `base` (RFC 3986 section 5.2).  base may be NULL. */
struct uri *resolve_uri(const struct uri *base, const struct uri *rel);
/* Print a URI (without the password); snprintf-like length. */
int format_uri(const struct uri *uri, char *buf, size_t len);
/* The port, or `def` when none is given or it is not a number. */
unsigned int uri_port(const struct uri *uri, unsigned int def);
/* A copy of a URI. */
struct uri *uri_dup(const struct uri *uri);

/* The current working URI: what relative names are resolved against.
 * DHCP sets it to tftp://next-server/filename; running an image sets it
 * to the image's own URI. */
extern struct uri *cwuri;
void set_cwuri(const struct uri *uri);
/* Parse text and resolve it against the current working URI. */
struct uri *parse_uri_relative(const char *text);

#endif
