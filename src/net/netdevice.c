/* Network devices: registration, open/close, transmit queue, receive
 * queue, and the poll that drives them from the main loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/timer.h>

/* Frames processed per device per poll: bounded, so one busy device
 * cannot starve the rest of the main loop. */
#define RX_BUDGET 64

LIST_HEAD(net_devices);
static unsigned int next_index;

void ref_put(struct refcnt *r)
{
	if (!r)
		return;
	if (r->count-- == 0 && r->free)
		r->free(r);
}

static void netdev_free(struct refcnt *r)
{
	struct net_device *netdev = container_of(r, struct net_device, refcnt);

	free(netdev->dhcp_pkt[0]);
	free(netdev->dhcp_pkt[1]);
	free(netdev->dhcp_pkt[2]);
	free(netdev);
}

struct net_device *alloc_etherdev(size_t priv_size)
{
	struct net_device *netdev;
	size_t size = ALIGN_UP(sizeof(*netdev), 16);

	netdev = zalloc(size + priv_size);
	if (!netdev)
		return NULL;
	ref_init(&netdev->refcnt, netdev_free);
	INIT_LIST_HEAD(&netdev->list);
	INIT_LIST_HEAD(&netdev->tx_queue);
	INIT_LIST_HEAD(&netdev->rx_queue);
	netdev->priv = (uint8_t *)netdev + size;
	netdev->mtu = ETH_DATA_LEN;
	return netdev;
}

int register_netdev(struct net_device *netdev)
{
	const struct net_observer *obs;
	int rc;

	if (!netdev->ll_addr[0] && !netdev->ll_addr[1] && !netdev->ll_addr[2] &&
	    !netdev->ll_addr[3] && !netdev->ll_addr[4] && !netdev->ll_addr[5])
		memcpy(netdev->ll_addr, netdev->hw_addr, ETH_ALEN);
	random_mix(netdev->ll_addr, ETH_ALEN);
	netdev->index = next_index++;
	snprintf(netdev->name, sizeof(netdev->name), "net%u", netdev->index);
	ref_get(&netdev->refcnt);
	list_add_tail(&netdev->list, &net_devices);
	for_each_table_entry(obs, struct net_observer, "net_observers") {
		if (obs->added && (rc = obs->added(netdev)) != 0) {
			printf("%s: %s: %s\n", netdev->name, obs->name,
			       strerror(rc));
			unregister_netdev(netdev);
			return rc;
		}
	}
	return 0;
}

static void flush_queues(struct net_device *netdev)
{
	struct io_buffer *iob, *tmp;

	list_for_each_entry_safe(iob, tmp, &netdev->tx_queue, list)
		netdev_tx_complete_err(netdev, iob, -ECANCELED);
	list_for_each_entry_safe(iob, tmp, &netdev->rx_queue, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
}

int netdev_open(struct net_device *netdev)
{
	const struct net_observer *obs;
	int rc;

	if (netdev_is_open(netdev))
		return 0;
	rc = netdev->op->open(netdev);
	if (rc)
		return rc;
	netdev->state |= NETDEV_OPEN;
	netdev->open_time_ms = currtime_ms();
	for_each_table_entry(obs, struct net_observer, "net_observers")
		if (obs->opened)
			obs->opened(netdev);
	return 0;
}

void netdev_close(struct net_device *netdev)
{
	const struct net_observer *obs;

	if (!netdev_is_open(netdev))
		return;
	for_each_table_entry(obs, struct net_observer, "net_observers")
		if (obs->closed)
			obs->closed(netdev);
	netdev->op->close(netdev);
	netdev->state &= ~(NETDEV_OPEN | NETDEV_LINK_UP | NETDEV_RX_OFFLOAD);
	flush_queues(netdev);
}

int netdev_plain_rx(struct net_device *netdev)
{
	netdev->state |= NETDEV_RX_PLAIN;
	if (!(netdev->state & NETDEV_RX_OFFLOAD))
		return 0;
	netdev_close(netdev);
	return netdev_open(netdev);
}

void unregister_netdev(struct net_device *netdev)
{
	const struct net_observer *obs;

	netdev_close(netdev);
	for_each_table_entry(obs, struct net_observer, "net_observers")
		if (obs->removed)
			obs->removed(netdev);
	list_del(&netdev->list);
	netdev_put(netdev);
}

int netdev_tx(struct net_device *netdev, struct io_buffer *iob)
{
	int rc;

	if (!netdev_is_open(netdev)) {
		rc = -ENETDOWN;
		goto fail;
	}
	/* Pad short frames to the Ethernet minimum. */
	if (iob_len(iob) < ETH_ZLEN) {
		size_t pad = ETH_ZLEN - iob_len(iob);

		if (iob_tailroom(iob) < pad) {
			struct io_buffer *n = alloc_iob(ETH_ZLEN);

			if (!n) {
				rc = -ENOMEM;
				goto fail;
			}
			memcpy(iob_put(n, iob_len(iob)), iob->data, iob_len(iob));
			free_iob(iob);
			iob = n;
		}
		memset(iob_put(iob, pad), 0, pad);
	}
	list_add_tail(&iob->list, &netdev->tx_queue);
	rc = netdev->op->transmit(netdev, iob);
	if (rc) {
		list_del(&iob->list);
		goto fail;
	}
	return 0;
fail:
	netdev->stats.tx_err++;
	free_iob(iob);
	return rc;
}

void netdev_tx_complete(struct net_device *netdev, struct io_buffer *iob)
{
	list_del(&iob->list);
	netdev->stats.tx_ok++;
	free_iob(iob);
}

void netdev_tx_complete_err(struct net_device *netdev, struct io_buffer *iob,
			    int rc)
{
	(void)rc;
	list_del(&iob->list);
	netdev->stats.tx_err++;
	free_iob(iob);
}

struct io_buffer *netdev_tx_next(struct net_device *netdev)
{
	return list_first_entry_or_null(&netdev->tx_queue, struct io_buffer,
					list);
}

void netdev_rx(struct net_device *netdev, struct io_buffer *iob)
{
	netdev->stats.rx_ok++;
	list_add_tail(&iob->list, &netdev->rx_queue);
}

void netdev_rx_err(struct net_device *netdev, struct io_buffer *iob, int rc)
{
	(void)rc;
	netdev->stats.rx_err++;
	free_iob(iob);
}

void netdev_link_up(struct net_device *netdev)
{
	netdev->state |= NETDEV_LINK_UP;
}

void netdev_link_down(struct net_device *netdev)
{
	netdev->state &= ~NETDEV_LINK_UP;
}

struct net_device *find_netdev(const char *name)
{
	struct net_device *netdev;

	for_each_netdev(netdev)
		if (!strcmp(netdev->name, name))
			return netdev;
	return NULL;
}

struct net_device *find_netdev_by_location(unsigned int bus_type,
					   uint16_t location)
{
	struct net_device *netdev;

	for_each_netdev(netdev)
		if (netdev->dev.bus_type == bus_type &&
		    netdev->dev.location == location)
			return netdev;
	return NULL;
}

/* ---- Ethernet (IEEE 802.3 / DIX framing) */

struct ethhdr {
	uint8_t dest[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type;
} __packed;

const uint8_t eth_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int eth_tx(struct io_buffer *iob, struct net_device *netdev,
	   const uint8_t *dest, uint16_t ethertype)
{
	struct ethhdr *eh;

	if (iob_headroom(iob) < sizeof(*eh)) {
		iob = iob_ensure_headroom(iob, sizeof(*eh));
		if (!iob)
			return -ENOMEM;
	}
	eh = iob_push(iob, sizeof(*eh));
	memcpy(eh->dest, dest, ETH_ALEN);
	memcpy(eh->src, netdev->ll_addr, ETH_ALEN);
	eh->type = ethertype;
	return netdev_tx(netdev, iob);
}

static int eth_rx(struct net_device *netdev, struct io_buffer *iob)
{
	const struct net_protocol *proto;
	struct ethhdr *eh = (struct ethhdr *)iob->data;
	uint8_t dest[ETH_ALEN], src[ETH_ALEN];
	unsigned int flags = 0;

	if (iob_len(iob) < sizeof(*eh)) {
		free_iob(iob);
		return -EINVAL;
	}
	if (!memcmp(eh->dest, eth_broadcast, ETH_ALEN))
		flags |= LL_BROADCAST;
	else if (eh->dest[0] & 1)
		flags |= LL_MULTICAST;
	else if (memcmp(eh->dest, netdev->ll_addr, ETH_ALEN)) {
		free_iob(iob);
		return -EINVAL;       /* for another host */
	}
	memcpy(dest, eh->dest, ETH_ALEN);
	memcpy(src, eh->src, ETH_ALEN);
	for_each_table_entry(proto, struct net_protocol, "net_protocols") {
		if (proto->ethertype == eh->type) {
			iob_pull(iob, sizeof(*eh));
			return proto->rx(iob, netdev, dest, src, flags);
		}
	}
	free_iob(iob);
	return -EPROTONOSUPPORT;
}

void net_poll(void)
{
	struct net_device *netdev, *tmp;
	struct io_buffer *iob;
	unsigned int budget;

	list_for_each_entry_safe(netdev, tmp, &net_devices, list) {
		if (!netdev_is_open(netdev))
			continue;
		ref_get(&netdev->refcnt);
		netdev->op->poll(netdev);
		for (budget = RX_BUDGET; budget; budget--) {
			iob = list_first_entry_or_null(&netdev->rx_queue,
						       struct io_buffer, list);
			if (!iob)
				break;
			list_del(&iob->list);
			if (eth_rx(netdev, iob) < 0)
				netdev->stats.rx_drop++;
		}
		netdev_put(netdev);
	}
}

PERMANENT_PROCESS(net_process) = { "net", net_poll };

const char *eth_ntoa(const uint8_t *mac)
{
	static char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int eth_aton(const char *s, uint8_t *mac)
{
	unsigned int i;
	char *end;

	for (i = 0; i < ETH_ALEN; i++) {
		unsigned long v = strtoul(s, &end, 16);

		if (end == s || end - s > 2 || v > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v;
		s = end;
		if (i < ETH_ALEN - 1) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	return *s ? -EINVAL : 0;
}
