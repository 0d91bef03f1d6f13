/* DNS messages (RFC 1035 section 4): queries, and careful reading of
 * responses: every length checked, compression pointers only backwards,
 * CNAME chains bounded. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <byteswap.h>
#include <dust/dns.h>

#define DNS_TYPE_A     1
#define DNS_TYPE_CNAME 5
#define DNS_CLASS_IN   1
#define DNS_FLAG_QR    0x8000
#define DNS_FLAG_TC    0x0200
#define DNS_FLAG_RD    0x0100
#define DNS_RCODE(f)   ((f) & 0x000f)
#define DNS_OPCODE(f)  (((f) >> 11) & 0xf)
#define DNS_NXDOMAIN   3
#define DNS_MAX_RECORDS 64

struct dnshdr {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
} __packed;

int dns_encode_name(const char *name, uint8_t *buf, size_t len)
{
	size_t n = 0, total = strlen(name);

	if (total > DNS_MAX_NAME - 2)
		return -EINVAL;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t label = dot ? (size_t)(dot - name) : strlen(name);

		if (!label || label > 63)
			return -EINVAL;
		if (n + 1 + label + 1 > len)
			return -ENOSPC;
		buf[n++] = (uint8_t)label;
		memcpy(buf + n, name, label);
		n += label;
		name += label;
		if (*name == '.') {
			name++;
			if (!*name)
				break;      /* a trailing dot is allowed */
		}
	}
	if (n + 1 > len)
		return -ENOSPC;
	buf[n++] = 0;
	return (int)n;
}

int dns_decode_name(const uint8_t *msg, size_t len, size_t *off, char *out,
		    size_t outlen)
{
	size_t pos = *off, n = 0, limit = len;
	int jumped = 0;

	if (!outlen)
		return -EINVAL;
	for (;;) {
		uint8_t l;

		if (pos >= limit)
			return -EINVAL;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return -EINVAL;
			target = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			/* Only backwards, and never into the current name:
			 * every jump strictly shrinks the limit. */
			if (target >= pos)
				return -EINVAL;
			if (!jumped)
				*off = pos + 2;
			jumped = 1;
			limit = pos;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -EINVAL;     /* reserved label types */
		if (!l) {
			if (!jumped)
				*off = pos + 1;
			break;
		}
		if (pos + 1 + l > limit)
			return -EINVAL;
		if (n + (n ? 1 : 0) + l + 1 > outlen || n + l + 1 > DNS_MAX_NAME)
			return -EINVAL;
		if (n)
			out[n++] = '.';
		memcpy(out + n, msg + pos + 1, l);
		n += l;
		pos += 1 + (size_t)l;
	}
	out[n] = 0;
	return 0;
}

int dns_build_query(uint16_t id, const char *name, uint8_t *buf, size_t len)
{
	struct dnshdr *h = (struct dnshdr *)buf;
	int n;

	if (len < sizeof(*h) + 4)
		return -ENOSPC;
	memset(h, 0, sizeof(*h));
	h->id = htons(id);
	h->flags = htons(DNS_FLAG_RD);
	h->qdcount = htons(1);
	n = dns_encode_name(name, buf + sizeof(*h), len - sizeof(*h) - 4);
	if (n < 0)
		return n;
	n += (int)sizeof(*h);
	buf[n++] = 0;
	buf[n++] = DNS_TYPE_A;
	buf[n++] = 0;
	buf[n++] = DNS_CLASS_IN;
	return n;
}

struct rr {
	char owner[DNS_MAX_NAME + 1];
	uint16_t type, class;
	size_t rdata, rdlen;
};

static int read_rr(const uint8_t *msg, size_t len, size_t *off, struct rr *rr)
{
	size_t p;

	if (dns_decode_name(msg, len, off, rr->owner, sizeof(rr->owner)))
		return -EINVAL;
	p = *off;
	if (p + 10 > len)
		return -EINVAL;
	rr->type = (uint16_t)(msg[p] << 8 | msg[p + 1]);
	rr->class = (uint16_t)(msg[p + 2] << 8 | msg[p + 3]);
	rr->rdlen = (size_t)(msg[p + 8] << 8 | msg[p + 9]);
	rr->rdata = p + 10;
	if (rr->rdata + rr->rdlen > len)
		return -EINVAL;
	*off = rr->rdata + rr->rdlen;
	return 0;
}

int dns_parse_response(const uint8_t *msg, size_t len, uint16_t id,
		       const char *qname, struct dns_result *result)
{
	const struct dnshdr *h = (const struct dnshdr *)msg;
	char name[DNS_MAX_NAME + 1];
	unsigned int i, hops, qd, an;
	uint16_t flags;
	size_t off, answers;
	struct rr rr;

	if (len < sizeof(*h) || ntohs(h->id) != id)
		return -EINVAL;
	flags = ntohs(h->flags);
	if (!(flags & DNS_FLAG_QR) || DNS_OPCODE(flags))
		return -EINVAL;
	if (DNS_RCODE(flags) == DNS_NXDOMAIN)
		return -ENOENT;
	if (DNS_RCODE(flags))
		return -EIO;
	qd = ntohs(h->qdcount);
	an = ntohs(h->ancount);
	if (qd > 4 || an > DNS_MAX_RECORDS)
		return -EINVAL;
	off = sizeof(*h);
	for (i = 0; i < qd; i++) {
		if (dns_decode_name(msg, len, &off, name, sizeof(name)) ||
		    off + 4 > len)
			return -EINVAL;
		off += 4;
	}
	/* Check every answer is well formed before using any. */
	answers = off;
	for (i = 0; i < an; i++)
		if (read_rr(msg, len, &off, &rr))
			return -EINVAL;

	strncpy(name, qname, sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	if (name[0] && name[strlen(name) - 1] == '.')
		name[strlen(name) - 1] = 0;
	for (hops = 0; hops <= DNS_MAX_CNAMES; hops++) {
		int followed = 0;

		off = answers;
		for (i = 0; i < an; i++) {
			read_rr(msg, len, &off, &rr);
			if (rr.class != DNS_CLASS_IN || strcasecmp(rr.owner, name))
				continue;
			if (rr.type == DNS_TYPE_A && rr.rdlen == 4) {
				memcpy(&result->addr.s_addr, msg + rr.rdata, 4);
				return 0;
			}
			if (rr.type == DNS_TYPE_CNAME && !followed) {
				size_t r = rr.rdata;
				char target[DNS_MAX_NAME + 1];

				if (dns_decode_name(msg, rr.rdata + rr.rdlen, &r,
						    target, sizeof(target)) ||
				    r != rr.rdata + rr.rdlen)
					return -EINVAL;
				strcpy(name, target);
				followed = 1;
			}
		}
		if (!followed)
			break;
	}
	if (hops > DNS_MAX_CNAMES)
		return -ELOOP;
	if (strcasecmp(name, qname) && hops) {
		strcpy(result->cname, name);
		return 1;
	}
	return -ENOENT;
}

int dns_parse_search_list(const uint8_t *opt, size_t len,
			  char (*names)[DNS_MAX_NAME + 1], unsigned int max)
{
	size_t off = 0;
	unsigned int n = 0;

	while (off < len && n < max) {
		if (dns_decode_name(opt, len, &off, names[n], DNS_MAX_NAME + 1))
			break;
		if (names[n][0])
			n++;
	}
	return (int)n;
}
