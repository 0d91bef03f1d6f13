/* HTTP/1.1 client (RFC 9110/9112): GET with keep-alive, chunked bodies,
 * redirects, Range and Basic authentication. */
#ifndef DUST_HTTP_H
#define DUST_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <dust/in.h>

struct xfer;
struct uri;

#define HTTP_MAX_REDIRECTS 5
#define HTTP_MAX_LINE 8192          /* one header line */
#define HTTP_MAX_HEADERS 32768      /* all headers of a response */

/* How HTTP makes connections: NULL (the default) opens a stream socket
 * (TCP); tests put a fake here. */
extern int (*http_connect)(struct xfer *up, const struct sockaddr *peer);

/* Open a GET of uri (http://...) plugged to up.  With len != 0 only bytes
 * [start, start + len) are asked for (Range); they are delivered at
 * offsets counted from `start`. */
int http_open(struct xfer *up, const struct uri *uri, uint64_t start,
	      uint64_t len);

/* Drop idle kept-alive connections (e.g. before booting). */
void http_pool_flush(void);

/* Parser pieces, separate for testing: a status line ("HTTP/1.1 200 OK"),
 * a Content-Length value (digits only; -EFBIG past what a size_t or an
 * int64_t holds) and a chunk-size line ("1a;ext=x"). */
int http_parse_status(const char *line, unsigned int *code,
		      const char **reason);
int http_parse_length(const char *text, uint64_t *len);
int http_parse_chunk_size(const char *line, size_t *size);

struct http_stats {
	unsigned long requests, reused, redirects, errors;
};
extern struct http_stats http_stats;

#endif
