/* Tests of ifstat/ifopen/ifclose and the link test responder, on a fake
 * network device whose driver records what it is asked to send. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/command.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include "unit.h"

struct fake_nic {
	int fail_open;
	int opened, closed;
	struct io_buffer *sent;      /* last frame transmitted (a copy) */
	unsigned int sent_count;
};

static int fake_open(struct net_device *netdev)
{
	struct fake_nic *f = netdev->priv;

	if (f->fail_open)
		return -EIO;
	f->opened++;
	return 0;
}

static void fake_close(struct net_device *netdev)
{
	struct fake_nic *f = netdev->priv;

	f->closed++;
}

static int fake_transmit(struct net_device *netdev, struct io_buffer *iob)
{
	struct fake_nic *f = netdev->priv;

	free_iob(f->sent);
	f->sent = alloc_iob(iob_len(iob));
	if (f->sent)
		memcpy(iob_put(f->sent, iob_len(iob)), iob->data, iob_len(iob));
	f->sent_count++;
	netdev_tx_complete(netdev, iob);
	return 0;
}

static void fake_poll(struct net_device *netdev)
{
	netdev_link_up(netdev);
}

static const struct net_device_operations fake_ops = {
	.open = fake_open,
	.close = fake_close,
	.transmit = fake_transmit,
	.poll = fake_poll,
};

static struct net_device *fake_add(uint16_t bdf, uint8_t last)
{
	struct net_device *netdev = alloc_etherdev(sizeof(struct fake_nic));
	static const uint8_t mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34 };

	memcpy(netdev->hw_addr, mac, ETH_ALEN);
	netdev->hw_addr[5] = last;
	netdev->op = &fake_ops;
	netdev->dev.bus_type = NETDEV_BUS_PCI;
	netdev->dev.location = bdf;
	check_eq(register_netdev(netdev), 0);
	return netdev;
}

static void fake_remove(struct net_device *netdev)
{
	struct fake_nic *f = netdev->priv;

	free_iob(f->sent);
	f->sent = NULL;
	unregister_netdev(netdev);
	netdev_put(netdev);
}

static const char *run(const char *line)
{
	host_capture_start();
	execute_line(line);
	return host_capture_stop();
}

UNIT_TEST(ifmgmt_stat_open_close)
{
	struct net_device *a = fake_add(0x0018, 0x56);   /* 00:03.0 */
	struct net_device *b = fake_add(0x0121, 0x57);   /* 01:04.1 */
	struct fake_nic *fb = b->priv;
	char line[128];
	const char *out;

	snprintf(line, sizeof(line),
		 "%s: 52:54:00:12:34:56 on PCI 00:03.0 (closed) [Link:down, "
		 "TX:0 TXE:0 RX:0 RXE:0 RXD:0]\n", a->name);
	out = run("ifstat");
	check(strstr(out, line) != NULL);
	check(strstr(out, "on PCI 01:04.1 (closed)") != NULL);

	/* A device that cannot open is named, with the cause. */
	fb->fail_open = 1;
	snprintf(line, sizeof(line), "ifopen: %s: ", b->name);
	out = run("ifopen");
	check(strstr(out, line) != NULL);
	check(strstr(out, "Input/output error") != NULL);
	check(netdev_is_open(a));
	check(!netdev_is_open(b));

	net_poll();
	snprintf(line, sizeof(line), "ifstat %s", a->name);
	out = run(line);
	check(strstr(out, "(open) [Link:up,") != NULL);

	out = run("ifopen nosuch0");
	check(strstr(out, "ifopen: nosuch0: ") != NULL);
	host_capture_start();
	check(rc_is(execute_line("ifclose nosuch0"), ENODEV_K));
	host_capture_stop();

	snprintf(line, sizeof(line), "ifclose %s", a->name);
	check_eq(execute_line(line), 0);
	check(!netdev_is_open(a));
	check_eq(((struct fake_nic *)a->priv)->closed, 1);

	fake_remove(a);
	fake_remove(b);
}

/* Deliver one frame to netdev as if its driver had received it. */
static void inject(struct net_device *netdev, const uint8_t *dest,
		   const uint8_t *src, uint16_t type, const char *payload,
		   size_t len)
{
	struct io_buffer *iob = alloc_iob(ETH_HLEN + len);

	memcpy(iob_put(iob, ETH_ALEN), dest, ETH_ALEN);
	memcpy(iob_put(iob, ETH_ALEN), src, ETH_ALEN);
	*(uint16_t *)iob_put(iob, 2) = htons(type);
	memcpy(iob_put(iob, len), payload, len);
	netdev_rx(netdev, iob);
	net_poll();
}

UNIT_TEST(ifecho_answers_requests_only)
{
	struct net_device *nd = fake_add(0x0018, 0x58);
	struct fake_nic *f = nd->priv;
	static const uint8_t peer[ETH_ALEN] = { 2, 0, 0, 0, 0, 9 };
	const uint8_t *s;

	check_eq(netdev_open(nd), 0);
	/* Off by default. */
	inject(nd, nd->ll_addr, peer, 0x88b5, "Qhello", 6);
	check_eq(f->sent_count, 0);

	check(strstr(run("ifecho on"), "ifecho: on, 0 replies") != NULL);
	inject(nd, nd->ll_addr, peer, 0x88b5, "Qhello", 6);
	check_eq(f->sent_count, 1);
	s = f->sent->data;
	check_mem(s, peer, ETH_ALEN);
	check_mem(s + 6, nd->ll_addr, ETH_ALEN);
	check(s[12] == 0x88 && s[13] == 0xb5);
	check_mem(s + 14, "Rhello", 6);
	check_eq(iob_len(f->sent), ETH_ZLEN);      /* padded by the core */

	/* Replies, broadcasts, other types and empty frames: no answer. */
	inject(nd, nd->ll_addr, peer, 0x88b5, "Rhello", 6);
	inject(nd, eth_broadcast, peer, 0x88b5, "Qhello", 6);
	inject(nd, nd->ll_addr, peer, 0x88b6, "Qhello", 6);
	inject(nd, nd->ll_addr, peer, 0x88b5, "", 0);
	check_eq(f->sent_count, 1);
	check_eq(nd->stats.rx_drop, 5);    /* the first one, and these four */

	check(strstr(run("ifecho off"), "ifecho: off, 1 replies") != NULL);
	check(strstr(run("ifecho maybe"), "usage: ifecho") != NULL);
	fake_remove(nd);
}
