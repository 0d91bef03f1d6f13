/* Name resolution: DNS (RFC 1035) A records over UDP, with search
 * domains (options 15 and 119) and CNAME chains. */
#ifndef DUST_DNS_H
#define DUST_DNS_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>

#define DNS_PORT 53
#define DNS_MAX_NAME 255
#define DNS_MAX_CNAMES 8

struct resolv_request;
typedef void (*resolv_done_t)(void *ctx, int rc, struct in_addr addr);

/* Start resolving `name` (a dotted quad resolves at once).  done() is
 * called exactly once, from the main loop, unless the request is
 * cancelled first.  *req may be NULL if the caller never cancels. */
int resolv_start(const char *name, resolv_done_t done, void *ctx,
		 struct resolv_request **req);
void resolv_cancel(struct resolv_request *req);
/* Resolve and wait (the main loop runs meanwhile; Ctrl-C cancels). */
int resolv_wait(const char *name, struct in_addr *addr);

/* ---- message handling, separate so it can be tested on the host */

/* Encode "a.b.c" as DNS labels; returns the length or -EINVAL. */
int dns_encode_name(const char *name, uint8_t *buf, size_t len);
/* Decode the (possibly compressed) name at *off in msg into out as
 * dotted text; *off moves past it.  Pointers must point backwards, so a
 * loop cannot be expressed.  Returns 0 or -EINVAL. */
int dns_decode_name(const uint8_t *msg, size_t len, size_t *off, char *out,
		    size_t outlen);
int dns_build_query(uint16_t id, const char *name, uint8_t *buf, size_t len);

struct dns_result {
	struct in_addr addr;          /* the answer, when rc == 0 */
	char cname[DNS_MAX_NAME + 1]; /* where the chain ended, when rc == 1 */
};
/* Read a response to query `id` for `qname`: 0 with an address; 1 when
 * the answer is a CNAME chain without the final address (ask again for
 * result->cname); -ENOENT for "no such name" or no A record; -EIO for a
 * server failure; -EINVAL for a malformed or unrelated message. */
int dns_parse_response(const uint8_t *msg, size_t len, uint16_t id,
		       const char *qname, struct dns_result *result);
/* The search domains of an option 119 value (RFC 3397): up to max names
 * of up to DNS_MAX_NAME+1 bytes each; returns how many. */
int dns_parse_search_list(const uint8_t *opt, size_t len,
			  char (*names)[DNS_MAX_NAME + 1], unsigned int max);

#endif
