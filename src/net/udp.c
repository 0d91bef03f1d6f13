/* UDP (RFC 768): endpoints plugged to xfer users (DHCP, DNS, TFTP). */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/list.h>
#include <dust/tcpip.h>
#include <dust/udp.h>
#include <dust/xfer.h>

struct udphdr {
	uint16_t src;
	uint16_t dest;
	uint16_t len;
	uint16_t chksum;
} __packed;

struct udp_conn {
	struct refcnt refcnt;
	struct list_head list;
	struct xfer xfer;
	struct sockaddr_in local;     /* port always set; address may be any */
	struct sockaddr_in peer;      /* family 0: no default peer */
	int peer_port_any;            /* accept the peer from any port */
	int any_port;                 /* takes what no other endpoint does */
};

struct udp_stats {
	unsigned long rx_ok, rx_bad, rx_no_port, tx_ok;
} udp_stats;

static LIST_HEAD(udp_conns);

static int udp_port_used(uint16_t port)
{
	struct udp_conn *c;

	list_for_each_entry(c, &udp_conns, list)
		if (c->local.sin_port == port)
			return 1;
	return 0;
}

static void udp_free(struct refcnt *r)
{
	free(container_of(r, struct udp_conn, refcnt));
}

static int udp_deliver(struct xfer *x, struct io_buffer *iob,
		       const struct xfer_meta *meta)
{
	struct udp_conn *c = container_of(x, struct udp_conn, xfer);
	const struct sockaddr *dest = (meta && meta->dest) ?
		meta->dest : (const struct sockaddr *)&c->peer;
	struct sockaddr_in src = c->local;
	struct udphdr *u;

	/* An endpoint of every port sends from the one it is told. */
	if (c->any_port && meta && meta->src)
		src.sin_port = meta->src->sa_port;
	size_t len;

	if (dest->sa_family != AF_INET) {
		free_iob(iob);
		return -ENOTCONN;
	}
	if (src.sin_addr.s_addr == INADDR_ANY &&
	    tcpip_select_source(dest, (struct sockaddr *)&src) < 0)
		src.sin_addr.s_addr = INADDR_ANY;    /* DHCP: no address yet */
	if (iob_headroom(iob) < sizeof(*u) + 64) {
		iob = iob_ensure_headroom(iob, sizeof(*u) + 64);
		if (!iob)
			return -ENOMEM;
	}
	len = iob_len(iob) + sizeof(*u);
	u = iob_push(iob, sizeof(*u));
	u->src = src.sin_port;
	u->dest = dest->sa_port;
	u->len = htons((uint16_t)len);
	u->chksum = 0;
	u->chksum = csum_fold(csum_partial(u, len,
		tcpip_pseudo_sum((struct sockaddr *)&src, dest, IP_UDP, len)));
	if (!u->chksum)
		u->chksum = 0xffff;
	udp_stats.tx_ok++;
	return tcpip_tx(iob, IP_UDP, (struct sockaddr *)&src, dest,
			meta ? meta->netdev : NULL);
}

static void udp_close(struct xfer *x, int rc)
{
	struct udp_conn *c = container_of(x, struct udp_conn, xfer);

	(void)rc;
	list_del(&c->list);
	INIT_LIST_HEAD(&c->list);
	ref_put(&c->refcnt);
}

static const struct xfer_ops udp_xfer_ops = {
	.deliver = udp_deliver,
	.close = udp_close,
};

int udp_open(struct xfer *up, const struct sockaddr *peer,
	     const struct sockaddr *local)
{
	struct udp_conn *c = zalloc(sizeof(*c));
	uint16_t port = local ? local->sa_port : 0;
	unsigned int tries;

	if (!c)
		return -ENOMEM;
	ref_init(&c->refcnt, udp_free);
	xfer_init(&c->xfer, &udp_xfer_ops, &c->refcnt);
	if (local)
		memcpy(&c->local, local, sizeof(c->local));
	c->local.sin_family = AF_INET;
	if (peer) {
		if (peer->sa_family != AF_INET) {
			free(c);
			return -EAFNOSUPPORT;
		}
		memcpy(&c->peer, peer, sizeof(c->peer));
	}
	if (!port) {
		for (tries = 0; tries < 16384; tries++) {
			port = htons(tcpip_ephemeral_port());
			if (!udp_port_used(port))
				break;
		}
	}
	if (udp_port_used(port)) {
		free(c);
		return -EADDRINUSE;
	}
	c->local.sin_port = port;
	list_add_tail(&c->list, &udp_conns);
	xfer_plug(&c->xfer, up);
	return 0;
}

int udp_open_any(struct xfer *up)
{
	struct udp_conn *c = zalloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	ref_init(&c->refcnt, udp_free);
	xfer_init(&c->xfer, &udp_xfer_ops, &c->refcnt);
	c->local.sin_family = AF_INET;
	c->any_port = 1;
	list_add_tail(&c->list, &udp_conns);
	xfer_plug(&c->xfer, up);
	return 0;
}

int udp_set_peer_port_any(struct xfer *up)
{
	struct udp_conn *c;

	if (!up->peer || up->peer->ops != &udp_xfer_ops)
		return -ENOTCONN;
	c = container_of(up->peer, struct udp_conn, xfer);
	c->peer_port_any = 1;
	return 0;
}

static struct udp_conn *udp_demux(const struct sockaddr_in *src,
				  const struct sockaddr_in *dst,
				  uint16_t sport, uint16_t dport)
{
	struct udp_conn *c, *any = NULL;

	list_for_each_entry(c, &udp_conns, list) {
		if (c->any_port) {
			any = any ? any : c;
			continue;
		}
		if (c->local.sin_port != dport)
			continue;
		if (c->local.sin_addr.s_addr != INADDR_ANY &&
		    c->local.sin_addr.s_addr != dst->sin_addr.s_addr)
			continue;
		if (c->peer.sin_family == AF_INET &&
		    c->peer.sin_addr.s_addr != INADDR_ANY &&
		    c->peer.sin_addr.s_addr != INADDR_BROADCAST &&
		    (c->peer.sin_addr.s_addr != src->sin_addr.s_addr ||
		     (!c->peer_port_any && c->peer.sin_port != sport)))
			continue;
		return c;
	}
	return any;
}

static int udp_rx(struct io_buffer *iob, struct net_device *netdev,
		  const struct sockaddr *src, const struct sockaddr *dst,
		  uint32_t pshdr_sum)
{
	struct udphdr *u = iob->data;
	struct sockaddr_in from, to;
	struct xfer_meta meta;
	struct udp_conn *c;
	size_t len;

	if (iob_len(iob) < sizeof(*u))
		goto bad;
	len = ntohs(u->len);
	if (len < sizeof(*u) || len > iob_len(iob))
		goto bad;
	iob_unput(iob, iob_len(iob) - len);
	/* The pseudo-header sum was made for the IP payload length, which
	 * equals len once trailing bytes are cut. */
	if (u->chksum && !(iob->flags & IOB_CSUM_OK) &&
	    csum_fold(csum_partial(u, len, pshdr_sum)) != 0)
		goto bad;
	memcpy(&from, src, sizeof(from));
	memcpy(&to, dst, sizeof(to));
	from.sin_port = u->src;
	to.sin_port = u->dest;
	c = udp_demux(&from, &to, u->src, u->dest);
	if (!c) {
		udp_stats.rx_no_port++;
		free_iob(iob);
		return -ENOTCONN;
	}
	iob_pull(iob, sizeof(*u));
	udp_stats.rx_ok++;
	memset(&meta, 0, sizeof(meta));
	meta.src = (struct sockaddr *)&from;
	meta.dest = (struct sockaddr *)&to;
	meta.netdev = netdev;
	xfer_deliver(&c->xfer, iob, &meta);
	return 0;
bad:
	udp_stats.rx_bad++;
	free_iob(iob);
	return -EINVAL;
}

TCPIP_PROTOCOL(udp_protocol) = {
	.name = "UDP",
	.proto = IP_UDP,
	.rx = udp_rx,
};

SOCKET_OPENER(udp_socket_opener) = { SOCK_DGRAM, udp_open };
