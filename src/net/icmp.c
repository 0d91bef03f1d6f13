/* ICMP (RFC 792): answering echo requests, and sending our own for the
 * ping command. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/icmp.h>
#include <dust/iobuf.h>
#include <dust/tcpip.h>

#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8

struct icmp_echo {
	uint8_t type;
	uint8_t code;
	uint16_t chksum;
	uint16_t ident;
	uint16_t seq;
} __packed;

struct icmp_stats icmp_stats;
static LIST_HEAD(echo_waiters);

void icmp_echo_listen(struct icmp_echo_waiter *w)
{
	list_add_tail(&w->list, &echo_waiters);
}

void icmp_echo_unlisten(struct icmp_echo_waiter *w)
{
	list_del(&w->list);
}

int icmp_echo_send(const struct sockaddr *dst, uint16_t ident, uint16_t seq,
		   size_t payload_len)
{
	struct io_buffer *iob = alloc_iob(sizeof(struct icmp_echo) + payload_len);
	struct icmp_echo *e;
	uint8_t *p;
	size_t i;

	if (!iob)
		return -ENOMEM;
	e = iob_put(iob, sizeof(*e));
	e->type = ICMP_ECHO_REQUEST;
	e->code = 0;
	e->chksum = 0;
	e->ident = htons(ident);
	e->seq = htons(seq);
	p = iob_put(iob, payload_len);
	for (i = 0; i < payload_len; i++)
		p[i] = (uint8_t)i;
	e->chksum = csum_fold(csum_partial(iob->data, iob_len(iob), 0));
	icmp_stats.echo_requests_sent++;
	return tcpip_tx(iob, IP_ICMP, NULL, dst, NULL);
}

static int icmp_rx(struct io_buffer *iob, struct net_device *netdev,
		   const struct sockaddr *src, const struct sockaddr *dst,
		   uint32_t pshdr_sum)
{
	struct icmp_echo *e = iob->data;
	struct icmp_echo_waiter *w;
	size_t len = iob_len(iob);

	(void)pshdr_sum;    /* ICMPv4 has no pseudo-header */
	if (len < sizeof(*e) || csum_fold(csum_partial(e, len, 0)) != 0) {
		icmp_stats.rx_bad++;
		free_iob(iob);
		return -EINVAL;
	}
	if (e->type == ICMP_ECHO_REQUEST && e->code == 0) {
		/* Turn the request around: same data, swapped addresses. */
		const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
		struct sockaddr_in from = *d;

		if (from.sin_addr.s_addr == INADDR_BROADCAST) {
			free_iob(iob);     /* no replies to broadcast pings */
			return 0;
		}
		e->type = ICMP_ECHO_REPLY;
		e->chksum = 0;
		e->chksum = csum_fold(csum_partial(e, len, 0));
		icmp_stats.echo_replies_sent++;
		return tcpip_tx(iob, IP_ICMP, (struct sockaddr *)&from, src,
				netdev);
	}
	if (e->type == ICMP_ECHO_REPLY) {
		list_for_each_entry(w, &echo_waiters, list) {
			if (w->ident == ntohs(e->ident)) {
				w->reply(w, src, ntohs(e->seq), len - sizeof(*e));
				break;
			}
		}
	}
	free_iob(iob);
	return 0;
}

TCPIP_PROTOCOL(icmp_protocol) = {
	.name = "ICMP",
	.proto = IP_ICMP,
	.rx = icmp_rx,
};
