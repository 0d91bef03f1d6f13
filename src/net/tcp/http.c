/* HTTP/1.1 client (RFC 9112 message syntax, RFC 9110 semantics).
 *
 * A request resolves the host, takes a kept-alive connection to it from
 * the pool or opens one, sends GET, and parses the response a byte
 * stream at a time: status line, header lines (bounded), then the body as
 * Content-Length, chunked, or until the connection closes.  Redirects are
 * followed a bounded number of times; a complete response leaves its
 * connection in the pool for the next request. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/dns.h>
#include <dust/http.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/timer.h>
#include <dust/uri.h>
#include <dust/version.h>
#include <dust/xfer.h>

#define HTTP_PORT 80
#define HTTP_POOL_MAX 4
#define HTTP_IDLE_MS 30000
#define HTTP_STALL_MS 30000       /* no byte for this long: give up */

struct http_stats http_stats;

int (*http_connect)(struct xfer *up, const struct sockaddr *peer);

/* ---- the pool of idle connections */

struct http_idle {
	struct refcnt refcnt;
	struct xfer xfer;             /* plugged to the connection */
	struct sockaddr_in peer;
	uint32_t since_ms;
	int in_use;
};

static struct http_idle pool[HTTP_POOL_MAX];

static void idle_drop(struct http_idle *c)
{
	c->in_use = 0;
	xfer_close(&c->xfer, 0);
}

static int idle_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	/* Nothing should arrive on an idle connection: it is unusable. */
	(void)meta;
	free_iob(iob);
	idle_drop(container_of(x, struct http_idle, xfer));
	return 0;
}

static void idle_close(struct xfer *x, int rc)
{
	(void)rc;
	container_of(x, struct http_idle, xfer)->in_use = 0;
}

static const struct xfer_ops idle_ops = {
	.deliver = idle_deliver,
	.close = idle_close,
};

void http_pool_flush(void)
{
	unsigned int i;

	for (i = 0; i < HTTP_POOL_MAX; i++)
		if (pool[i].in_use)
			idle_drop(&pool[i]);
}

/* Park the connection plugged to `end` in the pool. */
static void pool_put(struct xfer *end, const struct sockaddr_in *peer)
{
	struct xfer *conn = end->peer;
	unsigned int i, oldest = 0;

	if (!conn)
		return;
	for (i = 0; i < HTTP_POOL_MAX; i++) {
		if (!pool[i].in_use)
			break;
		if ((int32_t)(pool[i].since_ms - pool[oldest].since_ms) < 0)
			oldest = i;
	}
	if (i == HTTP_POOL_MAX) {
		idle_drop(&pool[oldest]);
		i = oldest;
	}
	xfer_init(&pool[i].xfer, &idle_ops, NULL);
	xfer_plug(&pool[i].xfer, conn);
	pool[i].peer = *peer;
	pool[i].since_ms = currtime_ms();
	pool[i].in_use = 1;
}

/* Take an idle connection to peer and plug it to `end`. */
static int pool_get(struct xfer *end, const struct sockaddr_in *peer)
{
	unsigned int i;

	for (i = 0; i < HTTP_POOL_MAX; i++) {
		struct http_idle *c = &pool[i];

		if (!c->in_use || !c->xfer.peer)
			continue;
		if (currtime_ms() - c->since_ms > HTTP_IDLE_MS) {
			idle_drop(c);
			continue;
		}
		if (c->peer.sin_addr.s_addr != peer->sin_addr.s_addr ||
		    c->peer.sin_port != peer->sin_port)
			continue;
		c->in_use = 0;
		xfer_plug(end, c->xfer.peer);
		return 1;
	}
	return 0;
}

/* ---- a request */

enum http_state {
	HTTP_RESOLVING,
	HTTP_CONNECTING,
	HTTP_STATUS,
	HTTP_HEADERS,
	HTTP_BODY,
	HTTP_CHUNK_SIZE,
	HTTP_CHUNK_DATA,
	HTTP_CHUNK_END,
	HTTP_TRAILERS,
	HTTP_DONE,
};

struct http_request {
	struct refcnt refcnt;
	struct xfer xfer;             /* to the consumer */
	struct xfer socket;           /* to the connection */
	struct timer timer;           /* stall watchdog */
	struct uri *uri;
	struct sockaddr_in peer;
	uint64_t range_start, range_len;
	enum http_state state;
	unsigned int redirects;
	int reused;                   /* on a pooled connection */
	int got_bytes;                /* anything arrived for this request */
	int closed;
	int keepalive;
	int chunked;
	int until_close;              /* body ends when the connection does */
	unsigned int code;
	int64_t content_length;       /* -1: unknown */
	uint64_t remaining;           /* body or chunk bytes still to come */
	uint64_t offset;              /* next body byte's position */
	char *location;
	char reason[48];
	char line[HTTP_MAX_LINE];
	size_t line_len, header_bytes;
};

static void http_start(struct http_request *r);

static void http_done(struct http_request *r, int rc)
{
	if (r->closed)
		return;
	r->closed = 1;
	r->state = HTTP_DONE;
	timer_stop(&r->timer);
	if (rc)
		http_stats.errors++;
	if (!rc && r->keepalive && r->socket.peer)
		pool_put(&r->socket, &r->peer);
	else
		xfer_close(&r->socket, rc);
	xfer_close(&r->xfer, rc);
	ref_put(&r->refcnt);          /* the running request's reference */
}

static int http_send_request(struct http_request *r)
{
	char *req, host[300], auth[200] = "", range[64] = "";
	const char *path = r->uri->path && *r->uri->path ? r->uri->path : "/";
	size_t len;
	int n;

	if (r->uri->port)
		snprintf(host, sizeof(host), "%s:%s", r->uri->host, r->uri->port);
	else
		snprintf(host, sizeof(host), "%s", r->uri->host);
	if (r->uri->user) {
		/* RFC 7617 Basic: base64 of "user:password". */
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "abcdefghijklmnopqrstuvwxyz0123456789+/";
		char cred[160];
		size_t i, o = strlen("Authorization: Basic ");
		int cl = snprintf(cred, sizeof(cred), "%s:%s", r->uri->user,
				  r->uri->password ? r->uri->password : "");

		if (cl < 0 || (size_t)cl >= sizeof(cred))
			return -ENAMETOOLONG;
		strcpy(auth, "Authorization: Basic ");
		for (i = 0; i < (size_t)cl; i += 3) {
			uint32_t v = (uint32_t)(uint8_t)cred[i] << 16;

			if (i + 1 < (size_t)cl)
				v |= (uint32_t)(uint8_t)cred[i + 1] << 8;
			if (i + 2 < (size_t)cl)
				v |= (uint8_t)cred[i + 2];
			auth[o++] = b64[v >> 18];
			auth[o++] = b64[(v >> 12) & 63];
			auth[o++] = i + 1 < (size_t)cl ? b64[(v >> 6) & 63] : '=';
			auth[o++] = i + 2 < (size_t)cl ? b64[v & 63] : '=';
		}
		strcpy(auth + o, "\r\n");
	}
	if (r->range_len)
		snprintf(range, sizeof(range), "Range: bytes=%llu-%llu\r\n",
			 (unsigned long long)r->range_start,
			 (unsigned long long)(r->range_start + r->range_len - 1));
	len = strlen(path) + strlen(host) + strlen(auth) + strlen(range) + 256 +
	      (r->uri->query ? strlen(r->uri->query) + 1 : 0);
	req = malloc(len);
	if (!req)
		return -ENOMEM;
	n = snprintf(req, len,
		     "GET %s%s%s HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "User-Agent: dust/" DUST_VERSION "\r\n"
		     "Connection: keep-alive\r\n"
		     "%s%s\r\n",
		     path, r->uri->query ? "?" : "",
		     r->uri->query ? r->uri->query : "", host, auth, range);
	http_stats.requests++;
	n = xfer_deliver_raw(&r->socket, req, (size_t)n, NULL);
	free(req);
	return n < 0 ? n : 0;
}

/* Follow a redirect to r->location. */
static void http_redirect(struct http_request *r)
{
	struct uri *rel = parse_uri(r->location), *abs;

	http_stats.redirects++;
	abs = rel ? resolve_uri(r->uri, rel) : NULL;
	free(rel);
	if (!abs || !abs->scheme || strcasecmp(abs->scheme, "http") ||
	    !abs->host) {
		printf("\nhttp: cannot follow the redirect to %s\n", r->location);
		free(abs);
		http_done(r, -ENOTSUP);
		return;
	}
	if (++r->redirects > HTTP_MAX_REDIRECTS) {
		printf("\nhttp: more than %u redirects\n", HTTP_MAX_REDIRECTS);
		free(abs);
		http_done(r, -ELOOP);
		return;
	}
	/* This connection may stay for the next request if it is clean. */
	if (r->keepalive && r->state == HTTP_DONE)
		pool_put(&r->socket, &r->peer);
	else
		xfer_close(&r->socket, 0);
	free(r->uri);
	r->uri = abs;
	free(r->location);
	r->location = NULL;
	http_start(r);
}

/* The response headers are complete. */
static void http_headers_done(struct http_request *r)
{
	int rc;

	if (r->code < 200 && r->code != 101) {
		/* Interim (100 Continue, 103 Early Hints): the final response
		 * follows on the same connection (RFC 9110 section 15.2). */
		r->state = HTTP_STATUS;
		r->content_length = -1;
		r->chunked = 0;
		free(r->location);
		r->location = NULL;
		r->header_bytes = 0;
		return;
	}
	if (r->code >= 300 && r->code < 400 && r->code != 304 && r->location) {
		/* Follow on a new connection; this one closes with whatever
		 * body the redirect has unread. */
		r->keepalive = 0;
		http_redirect(r);
		return;
	}
	if (r->code >= 400 || (r->code != 200 && r->code != 206)) {
		printf("\nhttp: server answered %u %s\n", r->code, r->reason);
		rc = r->code == 404 ? -ENOENT :
		     (r->code == 401 || r->code == 403) ? -EACCES :
		     r->code == 416 ? -ERANGE : -EIO;
		r->keepalive = 0;
		http_done(r, rc);
		return;
	}
	if (r->range_len && r->code != 206) {
		printf("\nhttp: server ignored the byte range\n");
		r->keepalive = 0;
		http_done(r, -ENOTSUP);
		return;
	}
	if (r->chunked) {
		r->state = HTTP_CHUNK_SIZE;
		return;
	}
	if (r->content_length >= 0) {
		xfer_size_known(&r->xfer, (size_t)r->content_length);
		r->remaining = (uint64_t)r->content_length;
		r->state = HTTP_BODY;
		if (!r->remaining)
			http_done(r, 0);
		return;
	}
	/* No length: the body ends when the connection closes. */
	r->keepalive = 0;
	r->until_close = 1;
	r->remaining = UINT64_MAX;
	r->state = HTTP_BODY;
}

int http_parse_status(const char *line, unsigned int *code,
		      const char **reason)
{
	char *end;
	unsigned long c;

	if (strncmp(line, "HTTP/1.", 7) || !isdigit((unsigned char)line[7]) ||
	    line[8] != ' ')
		return -EPROTO;
	c = strtoul(line + 9, &end, 10);
	if (end != line + 12 || c < 100 || c > 999 || (*end && *end != ' '))
		return -EPROTO;
	*code = (unsigned int)c;
	*reason = *end ? end + 1 : "";
	return 0;
}

int http_parse_length(const char *text, uint64_t *len)
{
	/* No more than both a size_t and an int64_t hold; the sums are in
	 * a size_t, 32 bits in the firmware. */
	const size_t max = (uint64_t)SIZE_MAX > (uint64_t)INT64_MAX ?
			   (size_t)INT64_MAX : SIZE_MAX;
	size_t v = 0;
	const char *p = text;

	/* Digits only: no sign, no space (strtoull would take both, and
	 * wrap where it overflows). */
	if (!isdigit((unsigned char)*p))
		return -EPROTO;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > max / 10 || v * 10 > max - d)
			return -EFBIG;
		v = v * 10 + d;
	}
	if (*p)
		return -EPROTO;
	*len = v;
	return 0;
}

int http_parse_chunk_size(const char *line, size_t *size)
{
	size_t v = 0;
	const char *p = line;

	if (!isxdigit((unsigned char)*p))
		return -EPROTO;
	for (; isxdigit((unsigned char)*p); p++) {
		int d = isdigit((unsigned char)*p) ? *p - '0'
						   : tolower((unsigned char)*p) - 'a' + 10;

		if (v > ((size_t)-1 >> 5))
			return -EFBIG;        /* absurdly large */
		v = v * 16 + (size_t)d;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && *p != ';')
		return -EPROTO;
	*size = v;
	return 0;
}

/* Is token in the comma-separated list?  (Tokens ignore case.) */
static int http_has_token(const char *list, const char *token)
{
	size_t n = strlen(token);
	const char *p = list, *e;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!strncasecmp(p, token, n)) {
			for (e = p + n; *e == ' ' || *e == '\t'; e++)
				;
			if (!*e || *e == ',')
				return 1;
		}
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

/* One complete line (without CRLF) in the status/header/chunk states. */
static void http_line(struct http_request *r, char *line)
{
	const char *reason;
	char *colon, *value, *tail;
	size_t size;

	switch (r->state) {
	case HTTP_STATUS:
		if (http_parse_status(line, &r->code, &reason)) {
			printf("\nhttp: not an HTTP response\n");
			http_done(r, -EPROTO);
			return;
		}
		r->keepalive = !strncmp(line, "HTTP/1.1", 8);
		r->state = HTTP_HEADERS;
		strlcpy(r->reason, reason, sizeof(r->reason));
		return;
	case HTTP_HEADERS:
		if (!*line) {
			http_headers_done(r);
			return;
		}
		colon = strchr(line, ':');
		if (!colon) {
			http_done(r, -EPROTO);
			return;
		}
		*colon = 0;
		value = colon + 1;
		/* Whitespace around a value is not part of it (RFC 9112
		 * section 5.1). */
		while (*value == ' ' || *value == '\t')
			value++;
		tail = value + strlen(value);
		while (tail > value && (tail[-1] == ' ' || tail[-1] == '\t'))
			*--tail = 0;
		if (!strcasecmp(line, "Content-Length")) {
			uint64_t v;
			int rc = http_parse_length(value, &v);

			/* A second one must agree (RFC 9112 section 6.3). */
			if (!rc && r->content_length >= 0 &&
			    (uint64_t)r->content_length != v)
				rc = -EPROTO;
			if (rc) {
				printf("\nhttp: bad Content-Length \"%.24s\"\n",
				       value);
				http_done(r, rc);
				return;
			}
			r->content_length = (int64_t)v;
		} else if (!strcasecmp(line, "Transfer-Encoding")) {
			if (strcasecmp(value, "chunked")) {
				printf("\nhttp: unsupported transfer coding %s\n",
				       value);
				http_done(r, -ENOTSUP);
				return;
			}
			r->chunked = 1;
		} else if (!strcasecmp(line, "Location")) {
			free(r->location);
			r->location = strdup(value);
		} else if (!strcasecmp(line, "Connection")) {
			if (http_has_token(value, "close"))
				r->keepalive = 0;
		}
		return;
	case HTTP_CHUNK_SIZE:
		if (http_parse_chunk_size(line, &size)) {
			printf("\nhttp: bad chunk size \"%.20s\"\n", line);
			r->keepalive = 0;
			http_done(r, -EPROTO);
			return;
		}
		if (!size) {
			r->state = HTTP_TRAILERS;
			r->header_bytes = 0;  /* trailers: a block of their own */
			return;
		}
		r->remaining = size;
		r->state = HTTP_CHUNK_DATA;
		return;
	case HTTP_CHUNK_END:
		if (*line) {
			r->keepalive = 0;
			http_done(r, -EPROTO);
			return;
		}
		r->state = HTTP_CHUNK_SIZE;
		return;
	case HTTP_TRAILERS:
		if (!*line)
			http_done(r, 0);
		return;
	default:
		return;
	}
}

/* Pass body bytes on; returns how many were taken.  When they are all
 * of *iobp (the usual case: a segment of body), the buffer itself goes
 * on and *iobp becomes NULL; otherwise the bytes are copied. */
static size_t http_body(struct http_request *r, const uint8_t *p, size_t len,
			struct io_buffer **iobp)
{
	struct xfer_meta meta;
	int rc = 0;

	if (len > r->remaining)
		len = (size_t)r->remaining;
	memset(&meta, 0, sizeof(meta));
	meta.flags = XFER_ABSOLUTE;
	meta.offset = (size_t)r->offset;
	if (len && p == (*iobp)->data && len == iob_len(*iobp)) {
		struct io_buffer *iob = *iobp;

		*iobp = NULL;
		rc = xfer_deliver(&r->xfer, iob, &meta);
	} else if (len) {
		rc = xfer_deliver_raw(&r->xfer, p, len, &meta);
	}
	if (rc < 0) {
		http_done(r, -ENOMEM);
		return len;
	}
	r->offset += len;
	if (r->until_close)
		return len;
	r->remaining -= len;
	if (!r->remaining) {
		if (r->state == HTTP_CHUNK_DATA)
			r->state = HTTP_CHUNK_END;
		else
			http_done(r, 0);
	}
	return len;
}

static int http_socket_deliver(struct xfer *x, struct io_buffer *iob,
			       const struct xfer_meta *meta)
{
	struct http_request *r = container_of(x, struct http_request, socket);
	struct xfer *conn = x->peer;
	const uint8_t *p = iob->data;
	size_t len = iob_len(iob);

	(void)meta;
	r->got_bytes = 1;
	timer_start(&r->timer, HTTP_STALL_MS);
	/* The rest of this delivery belongs to the response only while the
	 * request stays on this connection: after a redirect it is the old
	 * response's unread body. */
	while (len && !r->closed && r->state != HTTP_DONE &&
	       r->socket.peer == conn) {
		if (r->state == HTTP_BODY || r->state == HTTP_CHUNK_DATA) {
			size_t n;

			iob_pull(iob, (size_t)(p - (const uint8_t *)iob->data));
			n = http_body(r, p, len, &iob);

			p += n;
			len -= n;
			continue;
		}
		/* Line-oriented states: gather up to CRLF. */
		if (*p == '\n') {
			if (r->line_len && r->line[r->line_len - 1] == '\r')
				r->line_len--;
			r->line[r->line_len] = 0;
			r->line_len = 0;
			http_line(r, r->line);
		} else if (r->line_len + 1 >= sizeof(r->line) ||
			   ((r->state == HTTP_STATUS ||
			     r->state == HTTP_HEADERS ||
			     r->state == HTTP_TRAILERS) &&
			    ++r->header_bytes > HTTP_MAX_HEADERS)) {
			/* The bound is on header blocks; chunk-size lines
			 * have only the line bound. */
			printf("\nhttp: response header too long\n");
			http_done(r, -E2BIG);
		} else {
			r->line[r->line_len++] = (char)*p;
		}
		p++;
		len--;
	}
	free_iob(iob);
	return 0;
}

static void http_socket_close(struct xfer *x, int rc)
{
	struct http_request *r = container_of(x, struct http_request, socket);

	if (r->closed)
		return;
	if (r->state == HTTP_BODY && r->until_close && !rc) {
		http_done(r, 0);           /* length was "until close" */
		return;
	}
	if (r->reused && !r->got_bytes) {
		/* The kept-alive connection had gone stale: try afresh. */
		r->reused = 0;
		http_start(r);
		return;
	}
	if (r->state == HTTP_BODY || r->state == HTTP_CHUNK_DATA ||
	    r->state == HTTP_CHUNK_SIZE || r->state == HTTP_CHUNK_END) {
		printf("\nhttp: connection closed %llu bytes into the body\n",
		       (unsigned long long)r->offset);
		http_done(r, rc ? rc : -EIO);
		return;
	}
	http_done(r, rc ? rc : -ECONNRESET);
}

static void http_socket_window_open(struct xfer *x)
{
	struct http_request *r = container_of(x, struct http_request, socket);
	int rc;

	if (r->state != HTTP_CONNECTING)
		return;
	r->state = HTTP_STATUS;
	rc = http_send_request(r);
	if (rc)
		http_done(r, rc);
}

static size_t http_socket_window(struct xfer *x)
{
	(void)x;
	return 1 << 20;     /* everything is passed straight on */
}

static const struct xfer_ops http_socket_ops = {
	.deliver = http_socket_deliver,
	.window = http_socket_window,
	.close = http_socket_close,
	.window_open = http_socket_window_open,
};

static void http_xfer_close(struct xfer *x, int rc)
{
	(void)rc;
	http_done(container_of(x, struct http_request, xfer), -ECANCELED);
}

static const struct xfer_ops http_xfer_ops = {
	.close = http_xfer_close,
};

static void http_stalled(struct timer *t)
{
	struct http_request *r = container_of(t, struct http_request, timer);

	printf("\nhttp: no data from the server for %u s\n",
	       HTTP_STALL_MS / 1000);
	http_done(r, -ETIMEDOUT);
}

/* (Re)start the exchange for r->uri: resolve, connect, ask. */
static void http_resolved(void *ctx, int rc, struct in_addr addr)
{
	struct http_request *r = ctx;

	if (!r->closed) {
		if (rc) {
			http_done(r, rc);
		} else {
			r->peer.sin_family = AF_INET;
			r->peer.sin_addr = addr;
			r->peer.sin_port = htons((uint16_t)uri_port(r->uri,
								    HTTP_PORT));
			r->state = HTTP_CONNECTING;
			r->reused = pool_get(&r->socket, &r->peer);
			if (r->reused) {
				http_stats.reused++;
				http_socket_window_open(&r->socket);
			} else {
				rc = http_connect ?
					http_connect(&r->socket,
						     (struct sockaddr *)&r->peer) :
					xfer_open_socket(&r->socket, SOCK_STREAM,
						(struct sockaddr *)&r->peer,
						NULL);
				if (rc)
					http_done(r, rc);
			}
			if (!r->closed)
				timer_start(&r->timer, HTTP_STALL_MS);
		}
	}
	ref_put(&r->refcnt);
}

static void http_start(struct http_request *r)
{
	int rc;

	r->state = HTTP_RESOLVING;
	r->code = 0;
	r->chunked = 0;
	r->until_close = 0;
	r->keepalive = 0;
	r->content_length = -1;
	r->line_len = r->header_bytes = 0;
	r->got_bytes = 0;
	r->offset = 0;
	ref_get(&r->refcnt);
	rc = resolv_start(r->uri->host, http_resolved, r, NULL);
	if (rc) {
		ref_put(&r->refcnt);
		http_done(r, rc);
	}
}

static void http_free(struct refcnt *rc)
{
	struct http_request *r = container_of(rc, struct http_request, refcnt);

	free(r->uri);
	free(r->location);
	free(r);
}

int http_open(struct xfer *up, const struct uri *uri, uint64_t start,
	      uint64_t len)
{
	struct http_request *r;

	if (!uri->host || !*uri->host)
		return -EINVAL;
	r = zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	ref_init(&r->refcnt, http_free);
	xfer_init(&r->xfer, &http_xfer_ops, &r->refcnt);
	xfer_init(&r->socket, &http_socket_ops, &r->refcnt);
	timer_init(&r->timer, http_stalled, &r->refcnt);
	r->uri = uri_dup(uri);
	if (!r->uri) {
		free(r);
		return -ENOMEM;
	}
	r->range_start = start;
	r->range_len = len;
	xfer_plug(&r->xfer, up);
	/* The creator's reference is the running request's (http_done). */
	http_start(r);
	return 0;
}

static int http_uri_open(struct xfer *up, const struct uri *uri)
{
	return http_open(up, uri, 0, 0);
}

URI_OPENER(http_opener) = { "http", http_uri_open };
