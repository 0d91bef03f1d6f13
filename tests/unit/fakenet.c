/* The fake network device and frame builders (see fakenet.h). */
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/tcpip.h>
#include "fakenet.h"

const uint8_t fake_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
const uint8_t server_mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

struct fakenet {
	struct list_head sent;
	unsigned int nsent;
};

static int fake_open(struct net_device *netdev)
{
	netdev_link_up(netdev);
	return 0;
}

static void fake_close(struct net_device *netdev)
{
	(void)netdev;
}

static int fake_transmit(struct net_device *netdev, struct io_buffer *iob)
{
	struct fakenet *f = netdev->priv;
	struct io_buffer *copy = alloc_iob_raw(iob_len(iob), 0);

	if (!copy)
		return -1;
	memcpy(iob_put(copy, iob_len(iob)), iob->data, iob_len(iob));
	list_add_tail(&copy->list, &f->sent);
	f->nsent++;
	netdev_tx_complete(netdev, iob);
	return 0;
}

static void fake_poll(struct net_device *netdev)
{
	(void)netdev;
}

static const struct net_device_operations fake_ops = {
	fake_open, fake_close, fake_transmit, fake_poll,
};

struct net_device *fakenet_create(const uint8_t *mac)
{
	struct net_device *netdev = alloc_etherdev(sizeof(struct fakenet));
	struct fakenet *f;

	f = netdev->priv;
	INIT_LIST_HEAD(&f->sent);
	netdev->op = &fake_ops;
	memcpy(netdev->hw_addr, mac, 6);
	register_netdev(netdev);
	netdev_open(netdev);
	return netdev;
}

void fakenet_drop_all(struct net_device *netdev)
{
	struct io_buffer *iob;

	while ((iob = fakenet_take(netdev)))
		free_iob(iob);
}

void fakenet_destroy(struct net_device *netdev)
{
	fakenet_drop_all(netdev);
	unregister_netdev(netdev);
	netdev_put(netdev);
}

struct io_buffer *fakenet_take(struct net_device *netdev)
{
	struct fakenet *f = netdev->priv;
	struct io_buffer *iob = list_first_entry_or_null(&f->sent,
							 struct io_buffer, list);

	if (iob) {
		list_del(&iob->list);
		f->nsent--;
	}
	return iob;
}

unsigned int fakenet_pending(struct net_device *netdev)
{
	return ((struct fakenet *)netdev->priv)->nsent;
}

void fakenet_inject_flags(struct net_device *netdev, const void *frame,
			  size_t len, unsigned int flags)
{
	struct io_buffer *iob = alloc_iob(len);

	memcpy(iob_put(iob, len), frame, len);
	iob->flags = flags;
	netdev_rx(netdev, iob);
}

void fakenet_inject(struct net_device *netdev, const void *frame, size_t len)
{
	fakenet_inject_flags(netdev, frame, len, 0);
}

static size_t put_eth(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
		      uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	return 14;
}

size_t build_ipv4(uint8_t *buf, const uint8_t *dst_mac, const uint8_t *src_mac,
		  const char *src_ip, const char *dst_ip, uint8_t proto,
		  uint16_t ident, uint16_t frags, const void *payload,
		  size_t len)
{
	size_t n = put_eth(buf, dst_mac, src_mac, 0x0800);
	struct iphdr *ip = (struct iphdr *)(buf + n);

	memset(ip, 0, sizeof(*ip));
	ip->verhdrlen = 0x45;
	ip->len = htons((uint16_t)(sizeof(*ip) + len));
	ip->ident = htons(ident);
	ip->frags = htons(frags);
	ip->ttl = 64;
	ip->protocol = proto;
	{
		struct in_addr a;

		inet_aton(src_ip, &a);
		ip->src = a;
		inet_aton(dst_ip, &a);
		ip->dest = a;
	}
	ip->chksum = csum_fold(csum_partial(ip, sizeof(*ip), 0));
	memcpy(buf + n + sizeof(*ip), payload, len);
	return n + sizeof(*ip) + len;
}

size_t build_udp(uint8_t *buf, const uint8_t *dst_mac, const uint8_t *src_mac,
		 const char *src_ip, uint16_t sport, const char *dst_ip,
		 uint16_t dport, const void *payload, size_t len)
{
	uint8_t *seg = malloc(len + 8);
	struct sockaddr_in s, d;
	size_t n;

	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.sin_family = d.sin_family = AF_INET;
	inet_aton(src_ip, &s.sin_addr);
	inet_aton(dst_ip, &d.sin_addr);
	seg[0] = (uint8_t)(sport >> 8);
	seg[1] = (uint8_t)sport;
	seg[2] = (uint8_t)(dport >> 8);
	seg[3] = (uint8_t)dport;
	seg[4] = (uint8_t)((len + 8) >> 8);
	seg[5] = (uint8_t)(len + 8);
	seg[6] = seg[7] = 0;
	memcpy(seg + 8, payload, len);
	{
		uint16_t c = csum_fold(csum_partial(seg, len + 8,
			tcpip_pseudo_sum((struct sockaddr *)&s,
					 (struct sockaddr *)&d, IP_UDP, len + 8)));

		memcpy(seg + 6, &c, 2);
	}
	n = build_ipv4(buf, dst_mac, src_mac, src_ip, dst_ip, IP_UDP, 1, 0,
		       seg, len + 8);
	free(seg);
	return n;
}

const uint8_t *parse_udp(struct io_buffer *iob, size_t *len,
			 uint16_t *sport, uint16_t *dport,
			 struct in_addr *src, struct in_addr *dst)
{
	const uint8_t *f = iob->data;
	const struct iphdr *ip = (const struct iphdr *)(f + 14);
	const uint8_t *u;

	if (iob_len(iob) < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 ||
	    ip->protocol != IP_UDP)
		return NULL;
	u = f + 14 + (ip->verhdrlen & 0x0f) * 4;
	*sport = (uint16_t)(u[0] << 8 | u[1]);
	*dport = (uint16_t)(u[2] << 8 | u[3]);
	*len = (size_t)(u[4] << 8 | u[5]) - 8;
	if (src)
		*src = ip->src;
	if (dst)
		*dst = ip->dest;
	return u + 8;
}

size_t build_tcp(uint8_t *buf, const char *src_ip, uint16_t sport,
		 const char *dst_ip, uint16_t dport, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint16_t win, const void *opts,
		 size_t optlen, const void *payload, size_t len)
{
	size_t hlen = 20 + ((optlen + 3) & ~(size_t)3), n;
	uint8_t *seg = zalloc(hlen + len);
	struct sockaddr_in s, d;
	uint16_t c;

	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.sin_family = d.sin_family = AF_INET;
	inet_aton(src_ip, &s.sin_addr);
	inet_aton(dst_ip, &d.sin_addr);
	seg[0] = (uint8_t)(sport >> 8);
	seg[1] = (uint8_t)sport;
	seg[2] = (uint8_t)(dport >> 8);
	seg[3] = (uint8_t)dport;
	seg[4] = (uint8_t)(seq >> 24);
	seg[5] = (uint8_t)(seq >> 16);
	seg[6] = (uint8_t)(seq >> 8);
	seg[7] = (uint8_t)seq;
	seg[8] = (uint8_t)(ack >> 24);
	seg[9] = (uint8_t)(ack >> 16);
	seg[10] = (uint8_t)(ack >> 8);
	seg[11] = (uint8_t)ack;
	seg[12] = (uint8_t)((hlen / 4) << 4);
	seg[13] = flags;
	seg[14] = (uint8_t)(win >> 8);
	seg[15] = (uint8_t)win;
	if (optlen)
		memcpy(seg + 20, opts, optlen);
	if (len)
		memcpy(seg + hlen, payload, len);
	c = csum_fold(csum_partial(seg, hlen + len,
		tcpip_pseudo_sum((struct sockaddr *)&s, (struct sockaddr *)&d,
				 IP_TCP, hlen + len)));
	memcpy(seg + 16, &c, 2);
	n = build_ipv4(buf, fake_mac, server_mac, src_ip, dst_ip, IP_TCP, 1, 0,
		       seg, hlen + len);
	free(seg);
	return n;
}

const uint8_t *parse_tcp(struct io_buffer *iob, size_t *len)
{
	const uint8_t *f = iob->data;
	const struct iphdr *ip = (const struct iphdr *)(f + 14);
	size_t ihl;

	if (iob_len(iob) < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 ||
	    ip->protocol != IP_TCP)
		return NULL;
	ihl = (size_t)(ip->verhdrlen & 0x0f) * 4;
	*len = (size_t)ntohs(ip->len) - ihl;
	return f + 14 + ihl;
}
