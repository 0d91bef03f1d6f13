/* ARP (RFC 826) for IPv4 over Ethernet: a small cache, requests with
 * bounded retries, packets held while their next hop is resolved, and
 * replies to requests for our addresses. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/timer.h>

#define ETH_P_ARP  0x0806
#define ETH_P_IP   0x0800
#define ARP_REQUEST 1
#define ARP_REPLY   2

#define ARP_ENTRIES 16
#define ARP_RETRY_MS 500        /* between requests */
#define ARP_TRIES 4             /* requests before giving up (2 s) */
#define ARP_HOLD 8              /* packets held per unresolved entry */
#define ARP_LIFETIME_MS (10 * 60 * 1000)

/* RFC 826 packet for Ethernet and IPv4. */
struct arphdr {
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	struct in_addr spa;
	uint8_t tha[ETH_ALEN];
	struct in_addr tpa;
} __packed;

struct arp_entry {
	struct net_device *netdev;      /* NULL: slot free */
	struct in_addr ip;
	uint8_t mac[ETH_ALEN];
	int resolved;
	unsigned int tries;
	uint32_t used_ms;               /* last use, for replacement */
	struct timer timer;             /* retry while unresolved */
	struct list_head held;          /* packets waiting for the answer */
	unsigned int nheld;
};

struct arp_stats arp_stats;
static struct arp_entry arp_cache[ARP_ENTRIES];

static void arp_drop_held(struct arp_entry *e)
{
	struct io_buffer *iob, *tmp;

	list_for_each_entry_safe(iob, tmp, &e->held, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
	e->nheld = 0;
}

static void arp_free_entry(struct arp_entry *e)
{
	timer_stop(&e->timer);
	arp_drop_held(e);
	if (e->netdev)
		netdev_put(e->netdev);
	e->netdev = NULL;
}

void arp_flush(struct net_device *netdev)
{
	unsigned int i;

	for (i = 0; i < ARP_ENTRIES; i++)
		if (arp_cache[i].netdev &&
		    (!netdev || arp_cache[i].netdev == netdev))
			arp_free_entry(&arp_cache[i]);
}

static struct arp_entry *arp_find(struct net_device *netdev,
				  struct in_addr ip)
{
	unsigned int i;

	for (i = 0; i < ARP_ENTRIES; i++)
		if (arp_cache[i].netdev == netdev &&
		    arp_cache[i].ip.s_addr == ip.s_addr)
			return &arp_cache[i];
	return NULL;
}

static void arp_timer_expired(struct timer *t);

/* A slot for a new entry: a free one, else the least recently used. */
static struct arp_entry *arp_new(struct net_device *netdev, struct in_addr ip)
{
	struct arp_entry *e = NULL;
	unsigned int i;

	for (i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *c = &arp_cache[i];

		if (!c->netdev) {
			e = c;
			break;
		}
		if (!e || (int32_t)(c->used_ms - e->used_ms) < 0)
			e = c;
	}
	if (e->netdev)
		arp_free_entry(e);
	memset(e, 0, sizeof(*e));
	e->netdev = netdev;
	ref_get(&netdev->refcnt);
	e->ip = ip;
	e->used_ms = currtime_ms();
	INIT_LIST_HEAD(&e->held);
	timer_init(&e->timer, arp_timer_expired, NULL);
	return e;
}

static int arp_send(struct net_device *netdev, uint16_t op,
		    struct in_addr spa, const uint8_t *tha, struct in_addr tpa,
		    const uint8_t *dest)
{
	struct io_buffer *iob = alloc_iob(sizeof(struct arphdr));
	struct arphdr *a;

	if (!iob)
		return -ENOMEM;
	a = iob_put(iob, sizeof(*a));
	a->htype = htons(1);
	a->ptype = htons(ETH_P_IP);
	a->hlen = ETH_ALEN;
	a->plen = 4;
	a->op = htons(op);
	memcpy(a->sha, netdev->ll_addr, ETH_ALEN);
	a->spa = spa;
	memcpy(a->tha, tha, ETH_ALEN);
	a->tpa = tpa;
	return eth_tx(iob, netdev, dest, htons(ETH_P_ARP));
}

static void arp_request(struct arp_entry *e)
{
	static const uint8_t zero[ETH_ALEN];
	struct in_addr spa = { INADDR_ANY }, hop;
	struct net_device *out;

	/* Ask from our address on the target's subnet, if we have one. */
	if (ipv4_route_to(e->ip, &out, &hop, &spa) || out != e->netdev)
		spa.s_addr = INADDR_ANY;
	e->tries++;
	arp_stats.requests_sent++;
	arp_send(e->netdev, ARP_REQUEST, spa, zero, e->ip, eth_broadcast);
	timer_start(&e->timer, ARP_RETRY_MS);
}

static void arp_timer_expired(struct timer *t)
{
	struct arp_entry *e = container_of(t, struct arp_entry, timer);

	if (e->resolved)
		return;
	if (e->tries >= ARP_TRIES) {
		/* Nobody answers: drop what waits for this host. */
		arp_stats.failed++;
		arp_free_entry(e);
		return;
	}
	arp_request(e);
}

int arp_tx(struct io_buffer *iob, struct net_device *netdev,
	   struct in_addr next_hop)
{
	struct arp_entry *e = arp_find(netdev, next_hop);

	if (next_hop.s_addr == INADDR_BROADCAST)
		return eth_tx(iob, netdev, eth_broadcast, htons(ETH_P_IP));
	if (e && e->resolved &&
	    (int32_t)(currtime_ms() - e->used_ms) < ARP_LIFETIME_MS) {
		e->used_ms = currtime_ms();
		return eth_tx(iob, netdev, e->mac, htons(ETH_P_IP));
	}
	if (e && e->resolved) {
		/* Stale: ask again, and hold this packet meanwhile. */
		e->resolved = 0;
		e->tries = 0;
		arp_request(e);
	}
	if (!e) {
		e = arp_new(netdev, next_hop);
		arp_request(e);
	}
	if (e->nheld >= ARP_HOLD) {
		free_iob(iob);
		return -ENOBUFS;
	}
	list_add_tail(&iob->list, &e->held);
	e->nheld++;
	return 0;
}

/* Learn (or refresh) ip -> mac and send what was waiting for it. */
static void arp_learn(struct net_device *netdev, struct in_addr ip,
		      const uint8_t *mac, int create)
{
	struct arp_entry *e = arp_find(netdev, ip);
	struct io_buffer *iob, *tmp;

	if (!e) {
		if (!create)
			return;
		e = arp_new(netdev, ip);
	}
	memcpy(e->mac, mac, ETH_ALEN);
	if (!e->resolved)
		arp_stats.resolved++;
	e->resolved = 1;
	e->used_ms = currtime_ms();
	timer_stop(&e->timer);
	list_for_each_entry_safe(iob, tmp, &e->held, list) {
		list_del(&iob->list);
		eth_tx(iob, netdev, e->mac, htons(ETH_P_IP));
	}
	e->nheld = 0;
}

static int arp_rx(struct io_buffer *iob, struct net_device *netdev,
		  const uint8_t *ll_dest, const uint8_t *ll_source,
		  unsigned int flags)
{
	struct arphdr *a = iob->data;
	int for_us;

	if (iob_len(iob) < sizeof(*a) || a->htype != htons(1) ||
	    a->ptype != htons(ETH_P_IP) || a->hlen != ETH_ALEN ||
	    a->plen != 4 || (a->sha[0] & 1)) {
		arp_stats.rx_bad++;
		free_iob(iob);
		return -EINVAL;
	}
	for_us = ipv4_is_ours(netdev, a->tpa) &&
		 a->tpa.s_addr != INADDR_BROADCAST;
	/* RFC 826 merge: update what we know; add the sender only when the
	 * packet is for us (it will surely talk to us). */
	if (a->spa.s_addr != INADDR_ANY)
		arp_learn(netdev, a->spa, a->sha, for_us);
	if (for_us && a->op == htons(ARP_REQUEST)) {
		arp_stats.replies_sent++;
		arp_send(netdev, ARP_REPLY, a->tpa, a->sha, a->spa, a->sha);
	}
	free_iob(iob);
	return 0;
}

static void arp_netdev_closed(struct net_device *netdev)
{
	arp_flush(netdev);
}

NET_PROTOCOL(arp_protocol) = {
	.name = "ARP",
	.ethertype = htons(ETH_P_ARP),
	.rx = arp_rx,
};

NET_OBSERVER(arp_observer) = {
	.name = "arp",
	.closed = arp_netdev_closed,
	.removed = arp_netdev_closed,
};
