/* URI parsing and resolution (RFC 3986). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/uri.h>

struct uri *cwuri;

/* Decode %XX escapes in place. */
static void uri_decode(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], 0 };

			*out++ = (char)strtoul(hex, NULL, 16);
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

struct uri *parse_uri(const char *text)
{
	size_t len = strlen(text);
	struct uri *uri = zalloc(sizeof(*uri) + len + 1);
	char *raw, *p, *end;

	if (!uri)
		return NULL;
	raw = (char *)(uri + 1);
	memcpy(raw, text, len + 1);

	/* Fragment and query come off the end first. */
	p = strchr(raw, '#');
	if (p) {
		*p = 0;
		uri->fragment = p + 1;
	}
	/* Scheme: letters, digits, + - . before the first colon. */
	for (p = raw; isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
		      *p == '.'; p++)
		;
	if (*p == ':' && p != raw && isalpha((unsigned char)raw[0])) {
		*p = 0;
		uri->scheme = raw;
		raw = p + 1;
		if (raw[0] != '/' && raw[0]) {
			/* Opaque: "iscsi:1.2.3.4::::iqn" */
			uri->opaque = raw;
			return uri;
		}
	}
	p = strchr(raw, '?');
	if (p) {
		*p = 0;
		uri->query = p + 1;
	}
	if (raw[0] == '/' && raw[1] == '/') {
		char *auth = raw + 2, *at, *colon;

		end = strchr(auth, '/');
		if (end) {
			/* The path keeps its leading slash: move the authority
			 * down one byte to terminate it. */
			memmove(auth - 1, auth, (size_t)(end - auth));
			end[-1] = 0;
			auth--;
			uri->path = end;
		}
		at = strrchr(auth, '@');
		if (at) {
			*at = 0;
			uri->user = auth;
			colon = strchr(auth, ':');
			if (colon) {
				*colon = 0;
				uri->password = colon + 1;
				uri_decode(uri->password);
			}
			uri_decode(uri->user);
			auth = at + 1;
		}
		if (auth[0] == '[') {       /* IPv6 literal */
			end = strchr(auth, ']');
			if (end) {
				*end = 0;
				uri->host = auth + 1;
				if (end[1] == ':')
					uri->port = end + 2;
			}
		} else {
			colon = strrchr(auth, ':');
			if (colon) {
				*colon = 0;
				uri->port = colon + 1;
			}
			uri->host = auth;
		}
	} else if (*raw) {
		uri->path = raw;
	}
	if (uri->path)
		uri_decode(uri->path);
	return uri;
}

unsigned int uri_port(const struct uri *uri, unsigned int def)
{
	char *end;
	unsigned long port;

	if (!uri->port || !*uri->port)
		return def;
	port = strtoul(uri->port, &end, 10);
	return (*end || port > 65535) ? def : (unsigned int)port;
}

/* Append src to *p, counting (snprintf style). */
static void put(char **p, size_t *left, size_t *total, const char *src)
{
	size_t n = strlen(src);

	if (*left > 1) {
		size_t c = n < *left - 1 ? n : *left - 1;

		memcpy(*p, src, c);
		*p += c;
		*left -= c;
		**p = 0;
	}
	*total += n;
}

int format_uri(const struct uri *uri, char *buf, size_t len)
{
	size_t total = 0, left = len;
	char *p = buf;

	if (buf && len)
		buf[0] = 0;
	if (!buf)
		left = 0;
	if (uri->scheme) {
		put(&p, &left, &total, uri->scheme);
		put(&p, &left, &total, ":");
	}
	if (uri->opaque) {
		put(&p, &left, &total, uri->opaque);
		return (int)total;
	}
	if (uri->host) {
		put(&p, &left, &total, "//");
		if (uri->user) {
			put(&p, &left, &total, uri->user);
			put(&p, &left, &total, "@");
		}
		put(&p, &left, &total, uri->host);
		if (uri->port) {
			put(&p, &left, &total, ":");
			put(&p, &left, &total, uri->port);
		}
	}
	if (uri->path)
		put(&p, &left, &total, uri->path);
	if (uri->query) {
		put(&p, &left, &total, "?");
		put(&p, &left, &total, uri->query);
	}
	if (uri->fragment) {
		put(&p, &left, &total, "#");
		put(&p, &left, &total, uri->fragment);
	}
	return (int)total;
}

/* Build a URI from parts (each may be NULL), copying the strings. */
static struct uri *uri_build(const struct uri *parts)
{
	const char *const *f = (const char *const *)parts;
	size_t n = sizeof(*parts) / sizeof(char *), i, len = 0;
	struct uri *uri;
	char *s, **out;

	for (i = 0; i < n; i++)
		if (f[i])
			len += strlen(f[i]) + 1;
	uri = zalloc(sizeof(*uri) + len);
	if (!uri)
		return NULL;
	s = (char *)(uri + 1);
	out = (char **)uri;
	for (i = 0; i < n; i++) {
		if (!f[i])
			continue;
		strcpy(s, f[i]);
		out[i] = s;
		s += strlen(s) + 1;
	}
	return uri;
}

struct uri *uri_dup(const struct uri *uri)
{
	return uri_build(uri);
}

/* RFC 3986 section 5.2.4: remove "." and ".." segments. */
static void remove_dot_segments(char *path)
{
	char *in = path, *out = path;

	while (*in) {
		if (!strncmp(in, "./", 2)) {
			in += 2;
		} else if (!strncmp(in, "../", 3)) {
			in += 3;
		} else if (!strncmp(in, "/./", 3)) {
			in += 2;
		} else if (!strcmp(in, "/.")) {
			in[1] = 0;
		} else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
			in += 3;
			if (!*in)
				*--in = '/';
			else
				*in = '/';
			while (out > path && *--out != '/')
				;
		} else if (!strcmp(in, ".") || !strcmp(in, "..")) {
			in += strlen(in);
		} else {
			do {
				*out++ = *in++;
			} while (*in && *in != '/');
		}
	}
	*out = 0;
}

struct uri *resolve_uri(const struct uri *base, const struct uri *rel)
{
	struct uri t;
	struct uri *result;
	char *merged = NULL;

	if (!base || rel->scheme)
		return uri_dup(rel);
	memset(&t, 0, sizeof(t));
	t.scheme = base->scheme;
	t.fragment = rel->fragment;
	if (rel->host) {
		t.user = rel->user;
		t.password = rel->password;
		t.host = rel->host;
		t.port = rel->port;
		t.path = rel->path;
		t.query = rel->query;
	} else {
		t.user = base->user;
		t.password = base->password;
		t.host = base->host;
		t.port = base->port;
		if (!rel->path || !*rel->path) {
			t.path = base->path;
			t.query = rel->query ? rel->query : base->query;
		} else {
			t.query = rel->query;
			if (rel->path[0] == '/') {
				merged = strdup(rel->path);
			} else {
				/* Merge: base path up to its last slash. */
				const char *bp = base->path ? base->path : "";
				const char *slash = strrchr(bp, '/');
				size_t keep = slash ? (size_t)(slash - bp) + 1 : 0;

				merged = malloc(keep + strlen(rel->path) + 2);
				if (merged) {
					size_t n = 0;

					if (!keep && base->host)
						merged[n++] = '/';
					memcpy(merged + n, bp, keep);
					strcpy(merged + n + keep, rel->path);
				}
			}
			if (!merged)
				return NULL;
			remove_dot_segments(merged);
			t.path = merged;
		}
	}
	result = uri_build(&t);
	free(merged);
	return result;
}

void set_cwuri(const struct uri *uri)
{
	struct uri *copy = uri ? uri_dup(uri) : NULL;

	free(cwuri);
	cwuri = copy;
}

struct uri *parse_uri_relative(const char *text)
{
	struct uri *rel = parse_uri(text), *abs;

	if (!rel)
		return NULL;
	abs = resolve_uri(cwuri, rel);
	free(rel);
	return abs;
}
