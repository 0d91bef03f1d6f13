/* Tests of ARP, IPv4 (checks, reassembly), ICMP echo and UDP, through a
 * fake network device. */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/icmp.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/tcpip.h>
#include <dust/udp.h>
#include <dust/xfer.h>
#include "fakenet.h"
#include "unit.h"

#define OUR_IP "192.0.2.100"
#define SERVER_IP "192.0.2.1"

static struct net_device *setup(void)
{
	struct net_device *netdev = fakenet_create(fake_mac);
	char name[32];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;

	snprintf(name, sizeof(name), "%s/ip", netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, OUR_IP);
	snprintf(name, sizeof(name), "%s/netmask", netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, "255.255.255.0");
	return netdev;
}

/* A UDP receiver for the tests. */
struct sink {
	struct xfer xfer;
	struct list_head got;
	unsigned int n;
	int closed;
};

static int sink_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	struct sink *k = container_of(x, struct sink, xfer);

	(void)meta;
	list_add_tail(&iob->list, &k->got);
	k->n++;
	return 0;
}

static void sink_close(struct xfer *x, int rc)
{
	container_of(x, struct sink, xfer)->closed = rc ? rc : 1;
}

static const struct xfer_ops sink_ops = {
	.deliver = sink_deliver,
	.close = sink_close,
};

static void sink_open(struct sink *k, uint16_t port)
{
	struct sockaddr_in local;

	memset(k, 0, sizeof(*k));
	INIT_LIST_HEAD(&k->got);
	xfer_init(&k->xfer, &sink_ops, NULL);
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	local.sin_port = htons(port);
	check_eq(udp_open(&k->xfer, NULL, (struct sockaddr *)&local), 0);
}

static void sink_close_all(struct sink *k)
{
	struct io_buffer *iob, *tmp;

	xfer_close(&k->xfer, 0);
	list_for_each_entry_safe(iob, tmp, &k->got, list) {
		list_del(&iob->list);
		free_iob(iob);
	}
}

UNIT_TEST(arp_reply_and_learn)
{
	struct net_device *netdev = setup();
	uint8_t frame[60];
	struct io_buffer *iob;
	const uint8_t *f;
	struct in_addr a;

	/* An ARP request for our address from the server. */
	memset(frame, 0, sizeof(frame));
	memcpy(frame, eth_broadcast, 6);
	memcpy(frame + 6, server_mac, 6);
	frame[12] = 0x08; frame[13] = 0x06;
	frame[14] = 0; frame[15] = 1; frame[16] = 0x08; frame[17] = 0;
	frame[18] = 6; frame[19] = 4; frame[20] = 0; frame[21] = 1;
	memcpy(frame + 22, server_mac, 6);
	inet_aton(SERVER_IP, &a);
	memcpy(frame + 28, &a, 4);
	inet_aton(OUR_IP, &a);
	memcpy(frame + 38, &a, 4);
	fakenet_inject(netdev, frame, sizeof(frame));
	step();
	iob = fakenet_take(netdev);
	check(iob != NULL);
	if (iob) {
		f = iob->data;
		check_mem(f, server_mac, 6);            /* unicast reply */
		check_eq(f[12], 0x08);
		check_eq(f[13], 0x06);
		check_eq(f[21], 2);                     /* ARP reply */
		check_mem(f + 22, fake_mac, 6);
		check_mem(f + 28, &a, 4);               /* we are OUR_IP */
		check_mem(f + 32, server_mac, 6);
		free_iob(iob);
	}
	/* The server was learned: a ping goes straight to its MAC. */
	{
		struct sockaddr_in dst;

		memset(&dst, 0, sizeof(dst));
		dst.sin_family = AF_INET;
		inet_aton(SERVER_IP, &dst.sin_addr);
		check_eq(icmp_echo_send((struct sockaddr *)&dst, 7, 1, 8), 0);
		iob = fakenet_take(netdev);
		check(iob != NULL);
		if (iob) {
			check_mem(iob->data, server_mac, 6);
			check_eq(((uint8_t *)iob->data)[23], IP_ICMP);
			free_iob(iob);
		}
	}
	/* A malformed ARP packet is dropped and counted. */
	{
		unsigned long bad = arp_stats.rx_bad;

		frame[19] = 16;      /* protocol address length 16: not IPv4 */
		fakenet_inject(netdev, frame, sizeof(frame));
		step();
		check_eq(arp_stats.rx_bad, bad + 1);
		check_eq(fakenet_pending(netdev), 0);
	}
	fakenet_destroy(netdev);
}

UNIT_TEST(arp_unresolved_gives_up)
{
	struct net_device *netdev = setup();
	struct sockaddr_in dst;
	unsigned long failed = arp_stats.failed;
	unsigned int requests = 0, i;
	struct io_buffer *iob;

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	inet_aton("192.0.2.50", &dst.sin_addr);
	check_eq(icmp_echo_send((struct sockaddr *)&dst, 7, 1, 8), 0);
	for (i = 0; i < 20; i++) {
		host_advance_ms(300);
		step();
	}
	while ((iob = fakenet_take(netdev))) {
		const uint8_t *f = iob->data;

		if (f[12] == 0x08 && f[13] == 0x06 && f[21] == 1)
			requests++;
		free_iob(iob);
	}
	/* Bounded: a few requests, then the held packet is dropped. */
	check(requests >= 2 && requests <= 5);
	check_eq(arp_stats.failed, failed + 1);
	fakenet_destroy(netdev);
}

UNIT_TEST(ipv4_bad_packets_dropped)
{
	struct net_device *netdev = setup();
	uint8_t frame[200], payload[20] = "hello";
	struct sink k;
	size_t n;
	unsigned long bad = ipv4_stats.rx_bad;

	sink_open(&k, 9999);
	/* A good datagram first, with Ethernet padding after it. */
	n = build_udp(frame, fake_mac, server_mac, SERVER_IP, 1234, OUR_IP,
		      9999, payload, 5);
	memset(frame + n, 0xee, 20);
	fakenet_inject(netdev, frame, n + 20);
	step();
	check_eq(k.n, 1);
	if (k.n) {
		struct io_buffer *iob = list_first_entry(&k.got,
							 struct io_buffer, list);

		check_eq(iob_len(iob), 5);
		check_mem(iob->data, "hello", 5);
	}
	/* Header checksum wrong. */
	n = build_udp(frame, fake_mac, server_mac, SERVER_IP, 1234, OUR_IP,
		      9999, payload, 5);
	frame[24] ^= 0x55;
	fakenet_inject(netdev, frame, n);
	/* Total length beyond the frame. */
	n = build_udp(frame, fake_mac, server_mac, SERVER_IP, 1234, OUR_IP,
		      9999, payload, 5);
	frame[16] = 0x05;
	frame[24] = frame[25] = 0;
	{
		uint16_t c = csum_fold(csum_partial(frame + 14, 20, 0));

		memcpy(frame + 24, &c, 2);
	}
	fakenet_inject(netdev, frame, n);
	/* Truncated below the header, and a wrong version. */
	fakenet_inject(netdev, frame, 14 + 10);
	n = build_udp(frame, fake_mac, server_mac, SERVER_IP, 1234, OUR_IP,
		      9999, payload, 5);
	frame[14] = 0x65;
	fakenet_inject(netdev, frame, n);
	step();
	check_eq(ipv4_stats.rx_bad, bad + 4);
	check_eq(k.n, 1);
	check(netdev->stats.rx_drop >= 4);
	/* UDP with a wrong checksum is dropped too. */
	n = build_udp(frame, fake_mac, server_mac, SERVER_IP, 1234, OUR_IP,
		      9999, payload, 5);
	frame[n - 1] ^= 1;
	fakenet_inject(netdev, frame, n);
	step();
	check_eq(k.n, 1);
	/* Unless the NIC vouches for it (a host's partial checksum). */
	fakenet_inject_flags(netdev, frame, n, IOB_CSUM_OK);
	step();
	check_eq(k.n, 2);
	sink_close_all(&k);
	fakenet_destroy(netdev);
}

/* Send a UDP payload of `len` bytes as IPv4 fragments of `chunk` bytes,
 * in the order given by `order`. */
static void send_fragments(struct net_device *netdev, uint16_t ident,
			   const uint8_t *data, size_t len, size_t chunk,
			   const unsigned int *order, unsigned int n)
{
	uint8_t *seg = malloc(len + 8), *frame = malloc(chunk + 64);
	struct sockaddr_in s, d;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.sin_family = d.sin_family = AF_INET;
	inet_aton(SERVER_IP, &s.sin_addr);
	inet_aton(OUR_IP, &d.sin_addr);
	seg[0] = 0x04; seg[1] = 0xd2;             /* 1234 */
	seg[2] = 0x27; seg[3] = 0x0f;             /* 9999 */
	seg[4] = (uint8_t)((len + 8) >> 8);
	seg[5] = (uint8_t)(len + 8);
	seg[6] = seg[7] = 0;
	memcpy(seg + 8, data, len);
	{
		uint16_t c = csum_fold(csum_partial(seg, len + 8,
			tcpip_pseudo_sum((struct sockaddr *)&s,
					 (struct sockaddr *)&d, IP_UDP, len + 8)));

		memcpy(seg + 6, &c, 2);
	}
	for (i = 0; i < n; i++) {
		size_t off = order[i] * chunk, flen = chunk;
		uint16_t frags = (uint16_t)(off / 8);

		if (off >= len + 8)
			continue;
		if (off + flen >= len + 8)
			flen = len + 8 - off;
		else
			frags |= IP_MF;
		fakenet_inject(netdev, frame,
			       build_ipv4(frame, fake_mac, server_mac, SERVER_IP,
					  OUR_IP, IP_UDP, ident, frags,
					  seg + off, flen));
	}
	free(seg);
	free(frame);
}

UNIT_TEST(ipv4_reassembly)
{
	struct net_device *netdev = setup();
	static uint8_t data[20000];
	const unsigned int shuffled[] = { 3, 0, 3, 4, 1, 0, 2 };
	const unsigned int missing[] = { 0, 2, 3 };
	struct sink k;
	size_t i;
	unsigned long fail = ipv4_stats.rx_reasm_fail;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	sink_open(&k, 9999);
	/* 3000 bytes in five fragments, out of order, two duplicated (a
	 * duplicate after completion would start a new reassembly). */
	send_fragments(netdev, 1, data, 3000, 640, shuffled, 7);
	step();
	check_eq(k.n, 1);
	if (k.n) {
		struct io_buffer *iob = list_first_entry(&k.got,
							 struct io_buffer, list);

		check_eq(iob_len(iob), 3000);
		check_mem(iob->data, data, 3000);
	}
	/* A big one: 20000 bytes in 1480-byte fragments. */
	{
		unsigned int order[14];

		for (i = 0; i < 14; i++)
			order[i] = (unsigned int)(13 - i);
		send_fragments(netdev, 2, data, 20000, 1480, order, 14);
		step();
		check_eq(k.n, 2);
	}
	/* One fragment never comes: the reassembly is dropped on timeout. */
	send_fragments(netdev, 3, data, 3000, 640, missing, 3);
	step();
	check_eq(k.n, 2);
	host_advance_ms(11000);
	step();
	check_eq(ipv4_stats.rx_reasm_fail, fail + 1);
	/* A fragment reaching past 64 KiB is refused. */
	{
		uint8_t frame[200], junk[64] = { 0 };

		fakenet_inject(netdev, frame,
			       build_ipv4(frame, fake_mac, server_mac, SERVER_IP,
					  OUR_IP, IP_UDP, 4, 8190 | IP_MF,
					  junk, 64));
		step();
		check_eq(ipv4_stats.rx_reasm_fail, fail + 2);
	}
	check_eq(k.n, 2);
	sink_close_all(&k);
	fakenet_destroy(netdev);
}

UNIT_TEST(icmp_echo_reply)
{
	struct net_device *netdev = setup();
	uint8_t frame[200], echo[24];
	struct io_buffer *iob;
	size_t n;
	uint16_t c;

	/* The server is known so the reply needs no ARP. */
	memset(echo, 0, sizeof(echo));
	echo[0] = 8;                     /* echo request */
	echo[4] = 0x12; echo[5] = 0x34;  /* ident */
	echo[7] = 5;                     /* seq */
	memcpy(echo + 8, "ping-payload-16b", 16);
	c = csum_fold(csum_partial(echo, sizeof(echo), 0));
	memcpy(echo + 2, &c, 2);
	n = build_ipv4(frame, fake_mac, server_mac, SERVER_IP, OUR_IP, IP_ICMP,
		       9, 0, echo, sizeof(echo));
	fakenet_inject(netdev, frame, n);
	step();
	/* Either the reply, or an ARP request first (server not cached). */
	iob = fakenet_take(netdev);
	check(iob != NULL);
	while (iob && ((uint8_t *)iob->data)[13] == 0x06) {
		free_iob(iob);
		iob = fakenet_take(netdev);
	}
	if (!iob) {
		/* Answer the ARP request so the held reply goes out. */
		uint8_t arp[60];
		struct in_addr a;

		memset(arp, 0, sizeof(arp));
		memcpy(arp, fake_mac, 6);
		memcpy(arp + 6, server_mac, 6);
		arp[12] = 0x08; arp[13] = 0x06; arp[15] = 1; arp[16] = 0x08;
		arp[18] = 6; arp[19] = 4; arp[21] = 2;
		memcpy(arp + 22, server_mac, 6);
		inet_aton(SERVER_IP, &a);
		memcpy(arp + 28, &a, 4);
		memcpy(arp + 32, fake_mac, 6);
		inet_aton(OUR_IP, &a);
		memcpy(arp + 38, &a, 4);
		fakenet_inject(netdev, arp, sizeof(arp));
		step();
		iob = fakenet_take(netdev);
	}
	check(iob != NULL);
	if (iob) {
		const uint8_t *f = iob->data;

		check_eq(f[23], IP_ICMP);
		check_eq(f[34], 0);                   /* echo reply */
		check_mem(f + 38, echo + 4, 4);       /* same ident and seq */
		check_mem(f + 42, echo + 8, 16);      /* same payload */
		check_eq(csum_fold(csum_partial(f + 34, 24, 0)), 0);
		free_iob(iob);
	}
	fakenet_destroy(netdev);
}

UNIT_TEST(inet_ntoa_several_in_one_call)
{
	struct in_addr a, b;
	char out[64];

	inet_aton("192.0.2.1", &a);
	inet_aton("198.51.100.7", &b);
	snprintf(out, sizeof(out), "%s %s", inet_ntoa(a), inet_ntoa(b));
	check_str(out, "192.0.2.1 198.51.100.7");
	check(!inet_aton("1.2.3.4.5", &a));
	check(!inet_aton("1.2.3", &a));
	check(!inet_aton("1.2.3.256", &a));
	check(!inet_aton("1.2.3.0004", &a));
}

/* The textbook one's-complement sum, for comparison. */
static uint32_t slow_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

UNIT_TEST(checksum_matches_reference)
{
	/* RFC 1071 section 3 example: the sum of these bytes is ddf2. */
	const uint8_t ex[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t buf[1600];
	size_t len, off, i;

	check_eq(csum_fold(csum_partial(ex, 8, 0)), htons((uint16_t)~0xddf2));
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)host_rand();
	for (len = 0; len < 70; len++)
		for (off = 0; off < 4; off++)
			check_eq(csum_fold(csum_partial(buf + off, len, 0x1234)),
				 csum_fold(slow_sum(buf + off, len, 0x1234)));
	check_eq(csum_fold(csum_partial(buf, 1500, 0xfffe)),
		 csum_fold(slow_sum(buf, 1500, 0xfffe)));
	memset(buf, 0xff, sizeof(buf));
	check_eq(csum_fold(csum_partial(buf, 1600, 0)),
		 csum_fold(slow_sum(buf, 1600, 0)));
}
