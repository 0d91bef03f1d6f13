/* What transports and network layers share: address text, the Internet
 * checksum, the pseudo-header, and dispatch between them by family and
 * protocol number. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/tcpip.h>

const char *inet_ntoa(struct in_addr in)
{
	/* A few buffers in turn, so one printf can show several addresses. */
	static char bufs[4][16];
	static unsigned int next;
	char *buf = bufs[next++ % 4];
	const uint8_t *b = (const uint8_t *)&in.s_addr;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

int inet_aton(const char *s, struct in_addr *in)
{
	uint8_t b[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned long v = 0;
		const char *start = s;

		while (*s >= '0' && *s <= '9') {
			if (s - start == 3)
				return 0;
			v = v * 10 + (unsigned long)(*s++ - '0');
		}
		if (s == start || v > 255)
			return 0;
		b[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	if (*s)
		return 0;
	memcpy(&in->s_addr, b, 4);
	return 1;
}

const char *sock_ntoa(const struct sockaddr *sa)
{
	static char buf[64];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (sa->sa_family != AF_INET)
		return "(unknown address family)";
	if (sin->sin_port)
		snprintf(buf, sizeof(buf), "%s:%u", inet_ntoa(sin->sin_addr),
			 ntohs(sin->sin_port));
	else
		snprintf(buf, sizeof(buf), "%s", inet_ntoa(sin->sin_addr));
	return buf;
}

/* A 32-bit load from any address (x86 allows it). */
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_any;
typedef uint16_t __attribute__((may_alias, aligned(1))) u16_any;

/* The one's-complement sum does not care about byte order (RFC 1071
 * 2(B)): add little-endian 32-bit words, fold, and swap the bytes of the
 * result into the big-endian sum callers keep.  data must start at an
 * even offset of the message being summed. */
uint32_t csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint32_t acc = 0, w;

#if defined(__i386__) || defined(__x86_64__)
	/* Every received byte passes here: one add-with-carry per word,
	 * the carry running on through the loop (lea and dec leave it
	 * alone) and added back at the end, is a third of what the C
	 * below costs on a 32-bit CPU, and far less under emulation. */
	if (len >= 32) {
		size_t blocks = len / 32;

		__asm__("clc\n"
			"1:\n\t"
			"adcl 0(%1), %0\n\t"
			"adcl 4(%1), %0\n\t"
			"adcl 8(%1), %0\n\t"
			"adcl 12(%1), %0\n\t"
			"adcl 16(%1), %0\n\t"
			"adcl 20(%1), %0\n\t"
			"adcl 24(%1), %0\n\t"
			"adcl 28(%1), %0\n\t"
			"lea 32(%1), %1\n\t"
			"dec %2\n\t"
			"jnz 1b\n\t"
			"adcl $0, %0"
			: "+r"(acc), "+r"(p), "+r"(blocks)
			: : "cc", "memory");
		len %= 32;
	}
#endif
	/* 32-bit words with the carry added back (end-around). */
	for (; len >= 4; len -= 4, p += 4) {
		w = *(const u32_any *)p;
		acc += w;
		acc += acc < w;
	}
	if (len >= 2) {
		w = *(const u16_any *)p;
		acc += w;
		acc += acc < w;
		p += 2;
		len -= 2;
	}
	if (len) {
		acc += *p;
		acc += acc < *p;
	}
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	sum += (acc & 0xff) << 8 | acc >> 8;
	if (sum & 0x80000000u)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	/* Stored in network order: the sum was over big-endian words. */
	return htons((uint16_t)~sum);
}

uint32_t tcpip_pseudo_sum(const struct sockaddr *src,
			  const struct sockaddr *dst, uint8_t proto,
			  size_t len)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)src;
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
	uint32_t a = ntohl(s->sin_addr.s_addr), b = ntohl(d->sin_addr.s_addr);

	/* The addresses' big-endian 16-bit words, unfolded: the sum is
	 * folded where it ends. */
	return (a >> 16) + (a & 0xffff) + (b >> 16) + (b & 0xffff) +
	       proto + (uint32_t)len;
}

int tcpip_select_source(const struct sockaddr *dst, struct sockaddr *src)
{
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
	struct sockaddr_in *s = (struct sockaddr_in *)src;
	struct net_device *netdev;
	struct in_addr hop;
	int rc;

	if (dst->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	rc = ipv4_route_to(d->sin_addr, &netdev, &hop, &s->sin_addr);
	if (rc)
		return rc;
	s->sin_family = AF_INET;
	return 0;
}

size_t tcpip_max_segment(const struct sockaddr *dst)
{
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
	struct net_device *netdev;
	struct in_addr hop, src;

	if (dst->sa_family != AF_INET ||
	    ipv4_route_to(d->sin_addr, &netdev, &hop, &src))
		return 576 - sizeof(struct iphdr);
	return netdev->mtu - sizeof(struct iphdr);
}

int tcpip_tx(struct io_buffer *iob, uint8_t proto,
	     const struct sockaddr *src, const struct sockaddr *dst,
	     struct net_device *netdev)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)src;
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
	struct in_addr any = { INADDR_ANY };

	if (dst->sa_family != AF_INET) {
		free_iob(iob);
		return -EAFNOSUPPORT;
	}
	return ipv4_tx(iob, proto, src ? s->sin_addr : any, d->sin_addr,
		       netdev);
}

int tcpip_rx(struct io_buffer *iob, struct net_device *netdev, uint8_t proto,
	     const struct sockaddr *src, const struct sockaddr *dst,
	     uint32_t pshdr_sum)
{
	const struct tcpip_protocol *tp;

	for_each_table_entry(tp, struct tcpip_protocol, "tcpip_protocols")
		if (tp->proto == proto)
			return tp->rx(iob, netdev, src, dst, pshdr_sum);
	free_iob(iob);
	return -EPROTONOSUPPORT;
}

/* Ephemeral ports (RFC 6335 dynamic range), starting at a random point so
 * that a rebooted client does not reuse the ports of its last life. */
uint16_t tcpip_ephemeral_port(void)
{
	static uint16_t next;

	if (!next)
		next = (uint16_t)(49152 + random() % 16384);
	if (++next < 49152)
		next = 49152;
	return next;
}
