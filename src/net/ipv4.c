/* IPv4 (RFC 791, RFC 1122): routes from the ip/netmask/gateway settings,
 * transmission through ARP, and reception with header checks and
 * fragment reassembly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/settings.h>
#include <dust/tcpip.h>
#include <dust/timer.h>

#define ETH_P_IP 0x0800
#define IPV4_TTL 64

/* Reassembly: a few datagrams at a time, each bounded in size and time. */
#define REASM_SLOTS 4
#define REASM_TIMEOUT_MS 10000

LIST_HEAD(ipv4_routes);
struct ipv4_stats ipv4_stats;
static uint16_t next_ident;

/* ---- routes */

static int ipv4_default_prefix(struct in_addr ip)
{
	uint8_t first = ((const uint8_t *)&ip.s_addr)[0];

	return first < 128 ? 8 : first < 192 ? 16 : 24;
}

void ipv4_update_routes(void)
{
	struct ipv4_route *r, *tmp;
	struct net_device *netdev;

	list_for_each_entry_safe(r, tmp, &ipv4_routes, list) {
		list_del(&r->list);
		netdev_put(r->netdev);
		free(r);
	}
	for_each_netdev(netdev) {
		struct settings *block = settings_for_netdev(netdev);
		struct in_addr ip, mask, gw;

		if (!block || fetch_ipv4_setting(block, &ip_setting, &ip) < 0 ||
		    ip.s_addr == INADDR_ANY)
			continue;
		if (fetch_ipv4_setting(block, &netmask_setting, &mask) < 0)
			mask.s_addr = htonl(~0u << (32 - ipv4_default_prefix(ip)));
		gw.s_addr = INADDR_ANY;
		fetch_ipv4_setting(block, &gateway_setting, &gw);
		r = zalloc(sizeof(*r));
		if (!r)
			return;
		r->netdev = netdev;
		ref_get(&netdev->refcnt);
		r->address = ip;
		r->netmask = mask;
		r->gateway = gw;
		list_add_tail(&r->list, &ipv4_routes);
	}
}

static void ipv4_settings_changed(void)
{
	ipv4_update_routes();
}

SETTINGS_OBSERVER(ipv4_settings_observer) = { ipv4_settings_changed };

int ipv4_route_to(struct in_addr dest, struct net_device **netdev,
		  struct in_addr *next_hop, struct in_addr *src)
{
	struct ipv4_route *r;

	/* On a directly attached subnet (or the limited broadcast)? */
	list_for_each_entry(r, &ipv4_routes, list) {
		if (!netdev_is_open(r->netdev))
			continue;
		if (dest.s_addr == INADDR_BROADCAST ||
		    !((dest.s_addr ^ r->address.s_addr) & r->netmask.s_addr)) {
			*netdev = r->netdev;
			*next_hop = dest;
			*src = r->address;
			return 0;
		}
	}
	/* Through a gateway. */
	list_for_each_entry(r, &ipv4_routes, list) {
		if (netdev_is_open(r->netdev) && r->gateway.s_addr != INADDR_ANY) {
			*netdev = r->netdev;
			*next_hop = r->gateway;
			*src = r->address;
			return 0;
		}
	}
	return -ENETUNREACH;
}

int ipv4_has_address(struct net_device *netdev)
{
	struct ipv4_route *r;

	list_for_each_entry(r, &ipv4_routes, list)
		if (r->netdev == netdev)
			return 1;
	return 0;
}

int ipv4_is_ours(struct net_device *netdev, struct in_addr addr)
{
	struct ipv4_route *r;

	if (addr.s_addr == INADDR_BROADCAST)
		return 1;
	list_for_each_entry(r, &ipv4_routes, list) {
		if (r->netdev != netdev)
			continue;
		if (addr.s_addr == r->address.s_addr)
			return 1;
		/* The subnet's broadcast address. */
		if ((addr.s_addr | r->netmask.s_addr) == INADDR_BROADCAST &&
		    !((addr.s_addr ^ r->address.s_addr) & r->netmask.s_addr))
			return 1;
	}
	return 0;
}

/* Is dest a broadcast on the route it leaves by? */
static int ipv4_is_broadcast(struct net_device *netdev, struct in_addr dest)
{
	struct ipv4_route *r;

	if (dest.s_addr == INADDR_BROADCAST)
		return 1;
	list_for_each_entry(r, &ipv4_routes, list)
		if (r->netdev == netdev && r->netmask.s_addr != INADDR_BROADCAST &&
		    (dest.s_addr | r->netmask.s_addr) == INADDR_BROADCAST &&
		    !((dest.s_addr ^ r->address.s_addr) & r->netmask.s_addr))
			return 1;
	return 0;
}

/* ---- transmit */

int ipv4_tx(struct io_buffer *iob, uint8_t proto, struct in_addr src,
	    struct in_addr dest, struct net_device *netdev)
{
	struct net_device *out = NULL;
	struct in_addr hop = dest, route_src = { INADDR_ANY };
	struct iphdr *ip;
	size_t len;
	int rc;

	rc = ipv4_route_to(dest, &out, &hop, &route_src);
	if (netdev && (rc || out != netdev)) {
		/* The caller chose the device (DHCP before it has an
		 * address): the destination is taken to be on the link. */
		out = netdev;
		hop = dest;
		rc = 0;
	}
	if (rc) {
		ipv4_stats.tx_no_route++;
		free_iob(iob);
		return rc;
	}
	if (src.s_addr == INADDR_ANY)
		src = route_src;
	len = iob_len(iob) + sizeof(*ip);
	if (len > out->mtu) {
		free_iob(iob);
		return -EMSGSIZE;
	}
	if (iob_headroom(iob) < sizeof(*ip) + ETH_HLEN) {
		iob = iob_ensure_headroom(iob, sizeof(*ip) + ETH_HLEN);
		if (!iob)
			return -ENOMEM;
	}
	ip = iob_push(iob, sizeof(*ip));
	ip->verhdrlen = 0x45;
	ip->service = 0;
	ip->len = htons((uint16_t)len);
	ip->ident = htons(next_ident++);
	ip->frags = 0;
	ip->ttl = IPV4_TTL;
	ip->protocol = proto;
	ip->chksum = 0;
	ip->src = src;
	ip->dest = dest;
	ip->chksum = csum_fold(csum_partial(ip, sizeof(*ip), 0));
	ipv4_stats.tx_ok++;
	if (ipv4_is_broadcast(out, dest))
		return eth_tx(iob, out, eth_broadcast, htons(ETH_P_IP));
	return arp_tx(iob, out, hop);
}

/* ---- reassembly (RFC 791 section 3.2, RFC 815's idea of tracking what
 * is still missing, here as a bitmap of 8-byte blocks) */

struct reasm {
	int used;
	struct in_addr src, dest;
	uint16_t ident;
	uint8_t proto;
	struct net_device *netdev;
	uint8_t *data;               /* IPV4_REASM_MAX bytes of payload */
	uint8_t have[IPV4_REASM_MAX / 8 / 8 + 1]; /* blocks received */
	size_t total;                /* payload length, once the last came */
	struct iphdr first;          /* header of the fragment at offset 0 */
	int have_first;
	struct timer timer;
};

static struct reasm reasm_slots[REASM_SLOTS];

static void reasm_free(struct reasm *ra)
{
	timer_stop(&ra->timer);
	free(ra->data);
	ra->data = NULL;
	if (ra->netdev)
		netdev_put(ra->netdev);
	ra->netdev = NULL;
	ra->used = 0;
}

static void reasm_expired(struct timer *t)
{
	struct reasm *ra = container_of(t, struct reasm, timer);

	ipv4_stats.rx_reasm_fail++;
	reasm_free(ra);
}

static struct reasm *reasm_find(const struct iphdr *ip,
				struct net_device *netdev)
{
	struct reasm *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < REASM_SLOTS; i++) {
		struct reasm *ra = &reasm_slots[i];

		if (!ra->used) {
			if (!free_slot)
				free_slot = ra;
			continue;
		}
		if (ra->src.s_addr == ip->src.s_addr &&
		    ra->dest.s_addr == ip->dest.s_addr &&
		    ra->ident == ip->ident && ra->proto == ip->protocol)
			return ra;
	}
	if (!free_slot)
		return NULL;
	free_slot->data = malloc(IPV4_REASM_MAX);
	if (!free_slot->data)
		return NULL;
	free_slot->used = 1;
	free_slot->src = ip->src;
	free_slot->dest = ip->dest;
	free_slot->ident = ip->ident;
	free_slot->proto = ip->protocol;
	free_slot->netdev = netdev;
	ref_get(&netdev->refcnt);
	free_slot->total = 0;
	free_slot->have_first = 0;
	memset(free_slot->have, 0, sizeof(free_slot->have));
	timer_init(&free_slot->timer, reasm_expired, NULL);
	timer_start(&free_slot->timer, REASM_TIMEOUT_MS);
	return free_slot;
}

static int reasm_complete(const struct reasm *ra)
{
	size_t b, blocks = (ra->total + 7) / 8;

	if (!ra->total || !ra->have_first)
		return 0;
	for (b = 0; b < blocks; b++)
		if (!(ra->have[b / 8] & (1 << (b % 8))))
			return 0;
	return 1;
}

/* Take one fragment (iob->data at its payload).  Returns the whole
 * datagram (header + payload) when it is complete, else NULL. */
static struct io_buffer *ipv4_reassemble(struct io_buffer *iob,
					 const struct iphdr *ip,
					 struct net_device *netdev)
{
	uint16_t frags = ntohs(ip->frags);
	size_t offset = (size_t)(frags & IP_FRAG_OFFSET) * 8;
	size_t len = iob_len(iob), b;
	struct io_buffer *whole;
	struct iphdr *hdr;
	struct reasm *ra;

	ipv4_stats.rx_frags++;
	ra = reasm_find(ip, netdev);
	if (!ra || offset + len > IPV4_REASM_MAX ||
	    ((frags & IP_MF) && (len % 8 || !len))) {
		ipv4_stats.rx_reasm_fail++;
		if (ra)
			reasm_free(ra);
		free_iob(iob);
		return NULL;
	}
	if (!(frags & IP_MF)) {
		if (ra->total && ra->total != offset + len) {
			ipv4_stats.rx_reasm_fail++;
			reasm_free(ra);
			free_iob(iob);
			return NULL;
		}
		ra->total = offset + len;
	}
	if (!offset) {
		ra->first = *ip;
		ra->have_first = 1;
	}
	memcpy(ra->data + offset, iob->data, len);
	for (b = offset / 8; b < (offset + len + 7) / 8; b++)
		ra->have[b / 8] |= (uint8_t)(1 << (b % 8));
	free_iob(iob);
	if (ra->total && ra->total < offset + len) {
		ipv4_stats.rx_reasm_fail++;
		reasm_free(ra);
		return NULL;
	}
	if (!reasm_complete(ra))
		return NULL;

	whole = alloc_iob(sizeof(*hdr) + ra->total);
	if (whole) {
		hdr = iob_put(whole, sizeof(*hdr));
		*hdr = ra->first;
		hdr->verhdrlen = 0x45;
		hdr->len = htons((uint16_t)(sizeof(*hdr) + ra->total));
		hdr->frags = 0;
		memcpy(iob_put(whole, ra->total), ra->data, ra->total);
		ipv4_stats.rx_reasm_ok++;
	}
	reasm_free(ra);
	return whole;
}

/* ---- receive */

static int ipv4_rx(struct io_buffer *iob, struct net_device *netdev,
		   const uint8_t *ll_dest, const uint8_t *ll_source,
		   unsigned int flags)
{
	struct iphdr *ip = iob->data, hdr;
	struct sockaddr_in src, dst;
	size_t hlen, len;
	uint32_t pshdr;

	if (iob_len(iob) < sizeof(*ip) || (ip->verhdrlen >> 4) != 4)
		goto bad;
	hlen = (size_t)(ip->verhdrlen & 0x0f) * 4;
	len = ntohs(ip->len);
	if (hlen < sizeof(*ip) || hlen > len || len > iob_len(iob))
		goto bad;
	if (csum_fold(csum_partial(ip, hlen, 0)) != 0)
		goto bad;
	/* Drop Ethernet padding after the datagram. */
	iob_unput(iob, iob_len(iob) - len);
	if (!ipv4_is_ours(netdev, ip->dest) && ipv4_has_address(netdev)) {
		ipv4_stats.rx_not_ours++;
		free_iob(iob);
		return -EINVAL;
	}
	hdr = *ip;
	iob_pull(iob, hlen);
	if (ntohs(hdr.frags) & (IP_MF | IP_FRAG_OFFSET)) {
		iob = ipv4_reassemble(iob, &hdr, netdev);
		if (!iob)
			return 0;
		iob_pull(iob, sizeof(struct iphdr));
	}
	ipv4_stats.rx_ok++;
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.sin_family = dst.sin_family = AF_INET;
	src.sin_addr = hdr.src;
	dst.sin_addr = hdr.dest;
	pshdr = tcpip_pseudo_sum((struct sockaddr *)&src,
				 (struct sockaddr *)&dst, hdr.protocol,
				 iob_len(iob));
	return tcpip_rx(iob, netdev, hdr.protocol, (struct sockaddr *)&src,
			(struct sockaddr *)&dst, pshdr);
bad:
	ipv4_stats.rx_bad++;
	free_iob(iob);
	return -EINVAL;
}

static void ipv4_netdev_closed(struct net_device *netdev)
{
	unsigned int i;

	for (i = 0; i < REASM_SLOTS; i++)
		if (reasm_slots[i].used && reasm_slots[i].netdev == netdev)
			reasm_free(&reasm_slots[i]);
}

static void ipv4_netdev_removed(struct net_device *netdev)
{
	struct ipv4_route *r, *tmp;

	ipv4_netdev_closed(netdev);
	list_for_each_entry_safe(r, tmp, &ipv4_routes, list) {
		if (r->netdev == netdev) {
			list_del(&r->list);
			netdev_put(r->netdev);
			free(r);
		}
	}
}

static int ipv4_netdev_added(struct net_device *netdev)
{
	ipv4_update_routes();
	return 0;
}

NET_PROTOCOL(ipv4_protocol) = {
	.name = "IPv4",
	.ethertype = htons(ETH_P_IP),
	.rx = ipv4_rx,
};

NET_OBSERVER(ipv4_observer) = {
	.name = "ipv4",
	.added = ipv4_netdev_added,
	.closed = ipv4_netdev_closed,
	.removed = ipv4_netdev_removed,
};
