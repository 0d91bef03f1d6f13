/* Tests of TCP (src/net/tcp.c) through the real IPv4 stack and a fake
 * network device: the test plays the server with crafted segments and
 * checks every segment dust sends. */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/tcp.h>
#include <dust/tcpip.h>
#include <dust/timer.h>
#include <dust/xfer.h>
#include "fakenet.h"
#include "unit.h"

#define OUR_IP   "192.0.2.100"
#define SRV_IP   "192.0.2.1"
#define SRV_PORT 3260
#define ISS      1000u             /* ours */
#define SRV_ISS  50000u            /* the server's */

/* ---- the consumer plugged to the connection */

struct sink {
	struct xfer xfer;
	uint8_t *buf;                /* everything delivered, in order */
	size_t len, size;
	unsigned int deliveries;
	int closed, rc;
	unsigned int opened;         /* window_open calls */
	size_t rwnd;                 /* with the window op: what it allows */
	size_t close_at;             /* close from inside deliver at this */
	int close_rc;
};

static int sink_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	struct sink *k = container_of(x, struct sink, xfer);
	size_t n = iob_len(iob);

	(void)meta;
	if (k->len + n > k->size) {
		k->size = (k->len + n) * 2 + 4096;
		k->buf = realloc(k->buf, k->size);
	}
	memcpy(k->buf + k->len, iob->data, n);
	k->len += n;
	k->deliveries++;
	free_iob(iob);
	if (k->rwnd)
		k->rwnd = k->rwnd > n ? k->rwnd - n : 0;
	if (k->close_at && k->len >= k->close_at) {
		k->close_at = 0;
		k->closed = 1;
		k->rc = k->close_rc;
		xfer_close(x, k->close_rc);
	}
	return 0;
}

static void sink_close(struct xfer *x, int rc)
{
	struct sink *k = container_of(x, struct sink, xfer);

	k->closed = 1;
	k->rc = rc;
}

static void sink_window_open(struct xfer *x)
{
	container_of(x, struct sink, xfer)->opened++;
}

static size_t sink_window(struct xfer *x)
{
	return container_of(x, struct sink, xfer)->rwnd;
}

static const struct xfer_ops sink_ops = {
	.deliver = sink_deliver,
	.close = sink_close,
	.window_open = sink_window_open,
};

static const struct xfer_ops sink_ops_window = {
	.deliver = sink_deliver,
	.window = sink_window,
	.close = sink_close,
	.window_open = sink_window_open,
};

/* ---- the test's side of the wire */

struct t {
	struct net_device *netdev;
	struct sink k;
	uint16_t lport;              /* our port */
	uint32_t snd;                /* server's next sequence number */
	uint32_t rcv;                /* what the server acknowledges */
	uint32_t iss;
	uint32_t base;               /* server's first data sequence number */
};

/* A segment dust sent, parsed. */
struct seg {
	struct io_buffer *iob;
	uint32_t seq, ack;
	uint16_t sport, dport;
	uint8_t flags;
	uint16_t win;
	const uint8_t *data;
	size_t dlen;
	int mss, wscale, sackok;
	unsigned int nsack;
	uint32_t sack[4][2];
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

/* The next TCP segment dust sent (other frames are skipped); 0 if none. */
static int take(struct t *t, struct seg *s)
{
	struct io_buffer *iob;
	const uint8_t *h;
	size_t len, hlen, i;

	memset(s, 0, sizeof(*s));
	s->mss = s->wscale = -1;
	while ((iob = fakenet_take(t->netdev))) {
		h = parse_tcp(iob, &len);
		if (h)
			break;
		free_iob(iob);
	}
	if (!iob)
		return 0;
	s->iob = iob;
	hlen = (size_t)(h[12] >> 4) * 4;
	s->sport = (uint16_t)(h[0] << 8 | h[1]);
	s->dport = (uint16_t)(h[2] << 8 | h[3]);
	s->seq = be32(h + 4);
	s->ack = be32(h + 8);
	s->flags = h[13];
	s->win = (uint16_t)(h[14] << 8 | h[15]);
	s->data = h + hlen;
	s->dlen = len - hlen;
	/* The checksum must be right. */
	{
		struct sockaddr_in a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.sin_family = b.sin_family = AF_INET;
		inet_aton(OUR_IP, &a.sin_addr);
		inet_aton(SRV_IP, &b.sin_addr);
		check_eq(csum_fold(csum_partial(h, len,
			tcpip_pseudo_sum((struct sockaddr *)&a,
					 (struct sockaddr *)&b, IP_TCP, len))), 0);
	}
	for (i = 20; i < hlen;) {
		uint8_t kind = h[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (kind == TCPOPT_MSS)
			s->mss = h[i + 2] << 8 | h[i + 3];
		if (kind == TCPOPT_WSCALE)
			s->wscale = h[i + 2];
		if (kind == TCPOPT_SACK_PERM)
			s->sackok = 1;
		if (kind == TCPOPT_SACK) {
			for (s->nsack = 0; s->nsack < (h[i + 1] - 2u) / 8;
			     s->nsack++) {
				s->sack[s->nsack][0] = be32(h + i + 2 + 8 * s->nsack);
				s->sack[s->nsack][1] = be32(h + i + 6 + 8 * s->nsack);
			}
		}
		i += h[i + 1];
	}
	return 1;
}

static void seg_free(struct seg *s)
{
	free_iob(s->iob);
	s->iob = NULL;
}

/* Take the next segment, expecting one. */
static void expect(struct t *t, struct seg *s)
{
	int got = take(t, s);

	check(got);
	if (!got)
		s->iob = NULL;
}

static unsigned int drain(struct t *t)
{
	struct seg s;
	unsigned int n = 0;

	while (take(t, &s)) {
		seg_free(&s);
		n++;
	}
	return n;
}

/* The server sends a segment; the stack runs once. */
static void inject(struct t *t, uint32_t seq, uint32_t ack, uint8_t flags,
		   uint16_t win, const void *opts, size_t optlen,
		   const void *data, size_t len)
{
	uint8_t *frame = malloc(len + 128);
	size_t n = build_tcp(frame, SRV_IP, SRV_PORT, OUR_IP, t->lport, seq,
			     ack, flags, win, opts, optlen, data, len);

	fakenet_inject(t->netdev, frame, n);
	free(frame);
	step();
}

/* The server sends len bytes of pattern data at its next sequence. */
static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 13 + (i >> 7));
}

static void server_data(struct t *t, uint32_t seq, size_t len, uint8_t flags)
{
	uint8_t *d = malloc(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		d[i] = pattern(seq - t->base + (uint32_t)i);
	inject(t, seq, t->rcv, flags | TCP_ACK, 0xffff, NULL, 0, d, len);
	free(d);
}

/* Did the sink get the pattern bytes [0, len)? */
static int sink_has_pattern(struct sink *k, size_t len)
{
	size_t i;

	if (k->len != len)
		return 0;
	for (i = 0; i < len; i++)
		if (k->buf[i] != pattern((uint32_t)i))
			return 0;
	return 1;
}

/* Our side sends len bytes of a second pattern. */
static void user_send(struct t *t, size_t len)
{
	struct io_buffer *iob = alloc_iob(len);
	uint8_t *d = iob_put(iob, len);
	size_t i;

	for (i = 0; i < len; i++)
		d[i] = (uint8_t)(i ^ 0xa5);
	check_eq(xfer_deliver(&t->k.xfer, iob, NULL), 0);
}

static const uint8_t synack_opts[] = {
	TCPOPT_MSS, 4, 0x05, 0xb4,             /* 1460 */
	TCPOPT_NOP, TCPOPT_WSCALE, 3, 7,
	TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, 2,
};

static struct net_device *net_setup(void)
{
	struct net_device *netdev = fakenet_create(fake_mac);
	char name[32];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	uint8_t frame[60];
	struct in_addr a;

	snprintf(name, sizeof(name), "%s/ip", netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, OUR_IP);
	snprintf(name, sizeof(name), "%s/netmask", netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, "255.255.255.0");
	/* The server asks for us by ARP, so its address is known. */
	memset(frame, 0, sizeof(frame));
	memcpy(frame, eth_broadcast, 6);
	memcpy(frame + 6, server_mac, 6);
	frame[12] = 0x08; frame[13] = 0x06;
	frame[14] = 0; frame[15] = 1; frame[16] = 0x08; frame[17] = 0;
	frame[18] = 6; frame[19] = 4; frame[20] = 0; frame[21] = 1;
	memcpy(frame + 22, server_mac, 6);
	inet_aton(SRV_IP, &a);
	memcpy(frame + 28, &a, 4);
	inet_aton(OUR_IP, &a);
	memcpy(frame + 38, &a, 4);
	fakenet_inject(netdev, frame, sizeof(frame));
	step();
	fakenet_drop_all(netdev);
	return netdev;
}

static void srv_addr(struct sockaddr_in *sa, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	inet_aton(SRV_IP, &sa->sin_addr);
	sa->sin_port = htons(port);
}

/* Open a connection and send our SYN; returns with the SYN taken. */
static void open_only(struct t *t, const struct xfer_ops *ops, uint32_t iss,
		      struct seg *syn)
{
	struct sockaddr_in peer;

	memset(t, 0, sizeof(*t));
	t->netdev = net_setup();
	xfer_init(&t->k.xfer, ops ? ops : &sink_ops, NULL);
	srv_addr(&peer, SRV_PORT);
	tcp_set_next_iss(iss);
	t->iss = iss;
	check_eq(tcp_open(&t->k.xfer, (struct sockaddr *)&peer, NULL), 0);
	expect(t, syn);
	t->lport = syn->sport;
	t->rcv = iss + 1;
	t->snd = t->base = SRV_ISS + 1;
}

/* A connection in ESTABLISHED; the SYN-ACK carries opts (NULL: the
 * usual MSS 1460, window scale 7, SACK permitted). */
static void connect_opts(struct t *t, const struct xfer_ops *ops,
			 uint32_t iss, uint32_t srv_iss, const void *opts,
			 size_t optlen, uint16_t win)
{
	struct seg s;

	open_only(t, ops, iss, &s);
	seg_free(&s);
	t->snd = t->base = srv_iss + 1;
	/* A 100 ms round trip: loss probes and RTOs then stay well clear
	 * of the few milliseconds the fake clock moves within a test. */
	host_advance_ms(100);
	if (!opts) {
		opts = synack_opts;
		optlen = sizeof(synack_opts);
	}
	inject(t, srv_iss, iss + 1, TCP_SYN | TCP_ACK, win, opts, optlen,
	       NULL, 0);
	expect(t, &s);
	check_eq(s.flags, TCP_ACK);
	check_eq(s.seq, iss + 1);
	check_eq(s.ack, srv_iss + 1);
	seg_free(&s);
}

static void connect(struct t *t, const struct xfer_ops *ops)
{
	connect_opts(t, ops, ISS, SRV_ISS, NULL, 0, 0xffff);
}

/* Let the connection go (abort if still open) and clean up. */
static void finish(struct t *t)
{
	struct tcp_conn_info info;
	unsigned int i;

	xfer_close(&t->k.xfer, -ECANCELED);
	for (i = 0; i < 50 && tcp_conn_info(0, &info) == 0; i++) {
		host_advance_ms(30000);
		step();
		fakenet_drop_all(t->netdev);
	}
	check(tcp_conn_info(0, &info) != 0);
	fakenet_destroy(t->netdev);
	free(t->k.buf);
}

static const char *conn_state(void)
{
	static struct tcp_conn_info info;

	if (tcp_conn_info(0, &info))
		return "none";
	return info.state;
}

/* ---- handshake */

UNIT_TEST(tcp_handshake_and_options)
{
	static const uint8_t opts[] = {
		TCPOPT_NOP, TCPOPT_NOP,
		30, 4, 0xde, 0xad,                     /* unknown: skipped */
		TCPOPT_MSS, 4, 0x03, 0xe8,             /* 1000 */
		TCPOPT_WSCALE, 3, 7,
		TCPOPT_SACK_PERM, 2,
		TCPOPT_EOL, 0x55,                      /* after EOL: ignored */
	};
	unsigned long opens = tcp_stats.active_opens;
	unsigned long est = tcp_stats.established;
	struct tcp_conn_info info;
	struct t t;
	struct seg s;

	open_only(&t, NULL, ISS, &s);
	check_eq(s.flags, TCP_SYN);
	check_eq(s.seq, ISS);
	check_eq(s.ack, 0);
	check_eq(s.mss, 1460);
	check_eq(s.wscale, TCP_RCV_WSCALE);
	check(s.sackok);
	check_eq(s.dlen, 0);
	check_eq(s.dport, SRV_PORT);
	check(s.sport >= 49152);
	check_eq(s.win, 0xffff);
	seg_free(&s);
	check_str(conn_state(), "SYN_SENT");
	check_eq(xfer_window(&t.k.xfer), 0);
	check_eq(tcp_stats.active_opens, opens + 1);

	host_advance_ms(100);
	inject(&t, SRV_ISS, ISS + 1, TCP_SYN | TCP_ACK, 8192, opts,
	       sizeof(opts), NULL, 0);
	expect(&t, &s);
	check_eq(s.flags, TCP_ACK);
	check_eq(s.seq, ISS + 1);
	check_eq(s.ack, SRV_ISS + 1);
	check_eq(s.win, TCP_RCV_WINDOW >> TCP_RCV_WSCALE);
	check_eq(s.mss, -1);                      /* options only in SYN */
	seg_free(&s);
	check_str(conn_state(), "ESTABLISHED");
	check_eq(t.k.opened, 1);
	check(xfer_window(&t.k.xfer) >= 65536);
	check_eq(tcp_stats.established, est + 1);
	check_eq(tcp_conn_info(0, &info), 0);
	check_eq(info.peer.sa_port, htons(SRV_PORT));
	check(info.rto_ms >= 200);
	check(info.srtt_ms >= 100);

	/* The peer's MSS (1000) cuts the data; its SYN window (8192,
	 * unscaled) holds all of it. */
	user_send(&t, 2500);
	expect(&t, &s);
	check_eq(s.seq, ISS + 1);
	check_eq(s.dlen, 1000);
	check_eq(s.data[999], (uint8_t)(999 ^ 0xa5));
	check(!(s.flags & TCP_PSH));
	seg_free(&s);
	expect(&t, &s);
	check_eq(s.seq, ISS + 1001);
	check_eq(s.dlen, 1000);
	seg_free(&s);
	expect(&t, &s);
	check_eq(s.seq, ISS + 2001);
	check_eq(s.dlen, 500);
	check(s.flags & TCP_PSH);
	seg_free(&s);
	check(!take(&t, &s));
	/* ACKed with a scaled window (100 << 7). */
	inject(&t, t.snd, ISS + 2501, TCP_ACK, 100, NULL, 0, NULL, 0);
	check(!take(&t, &s));
	check_eq(tcp_conn_info(0, &info), 0);
	check_eq(info.send_queue, 0);
	finish(&t);
}

UNIT_TEST(tcp_bad_synack_options)
{
	static const uint8_t overrun[] = { TCPOPT_MSS, 8, 0x05, 0xb4 };
	static const uint8_t zero_len[] = { TCPOPT_NOP, 30, 0, 0 };
	static const uint8_t bad_mss[] = { TCPOPT_MSS, 3, 0x05, 0 };
	unsigned long bad = tcp_stats.bad_hdr;
	struct t t;
	struct seg s;

	open_only(&t, NULL, ISS, &s);
	seg_free(&s);
	inject(&t, SRV_ISS, ISS + 1, TCP_SYN | TCP_ACK, 8192, overrun,
	       sizeof(overrun), NULL, 0);
	inject(&t, SRV_ISS, ISS + 1, TCP_SYN | TCP_ACK, 8192, zero_len,
	       sizeof(zero_len), NULL, 0);
	inject(&t, SRV_ISS, ISS + 1, TCP_SYN | TCP_ACK, 8192, bad_mss,
	       sizeof(bad_mss), NULL, 0);
	check_eq(tcp_stats.bad_hdr, bad + 3);
	check(!take(&t, &s));
	check_str(conn_state(), "SYN_SENT");
	/* A SYN-ACK acknowledging something else is answered by a reset
	 * and otherwise ignored (RFC 9293 3.10.7.3)... */
	inject(&t, SRV_ISS, ISS + 7, TCP_SYN | TCP_ACK, 8192, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.flags, TCP_RST);
	check_eq(s.seq, ISS + 7);
	seg_free(&s);
	/* ...but for the SYN, sent again at once: the peer was holding an
	 * old connection on the same ports, which the reset ended. */
	expect(&t, &s);
	check_eq(s.flags, TCP_SYN);
	check_eq(s.seq, ISS);
	seg_free(&s);
	check_str(conn_state(), "SYN_SENT");
	/* Only once: a second stray ACK gets its reset and nothing else. */
	inject(&t, SRV_ISS, ISS + 9, TCP_ACK, 8192, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.flags, TCP_RST);
	check_eq(s.seq, ISS + 9);
	seg_free(&s);
	check(!take(&t, &s));
	/* No options at all: MSS 536, no scaling, no SACK. */
	inject(&t, SRV_ISS, ISS + 1, TCP_SYN | TCP_ACK, 4000, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.win, 0xffff);                  /* no scaling: the most */
	seg_free(&s);
	user_send(&t, 1000);
	expect(&t, &s);
	check_eq(s.dlen, 536);
	seg_free(&s);
	expect(&t, &s);
	check_eq(s.dlen, 464);
	seg_free(&s);
	finish(&t);
}

/* ---- receiving */

UNIT_TEST(tcp_inorder_and_delayed_ack)
{
	struct t t;
	struct seg s;
	unsigned int i;

	connect(&t, NULL);
	/* The first segments are ACKed at once (the peer's slow start). */
	for (i = 0; i < 16; i++) {
		server_data(&t, t.snd, 100, 0);
		t.snd += 100;
		expect(&t, &s);
		check_eq(s.ack, t.snd);
		seg_free(&s);
	}
	/* Then every TCP_ACK_EVERY-th segment ... */
	for (i = 1; i < TCP_ACK_EVERY; i++) {
		server_data(&t, t.snd, 100, 0);
		t.snd += 100;
		check(!take(&t, &s));
	}
	server_data(&t, t.snd, 100, 0);
	t.snd += 100;
	expect(&t, &s);
	check_eq(s.ack, t.snd);
	seg_free(&s);
	/* ... or after the delayed-ACK timer (40 ms). */
	server_data(&t, t.snd, 100, TCP_PSH);
	t.snd += 100;
	check(!take(&t, &s));
	host_advance_ms(20);
	step();
	check(!take(&t, &s));
	host_advance_ms(21);
	step();
	expect(&t, &s);
	check_eq(s.ack, t.snd);
	check_eq(s.flags, TCP_ACK);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 1700 + 100 * TCP_ACK_EVERY));
	finish(&t);
}

/* A virtual NIC with receive offloads hands over segments longer than
 * the MSS with checksums only the host finished (IOB_CSUM_OK). */
UNIT_TEST(tcp_offloaded_large_segments)
{
	unsigned long bad = tcp_stats.bad_csum;
	const size_t big = 40000;
	uint8_t *frame = malloc(big + 128), *d = malloc(big);
	struct t t;
	struct seg s;
	unsigned int i;
	size_t n;

	connect(&t, NULL);
	for (i = 0; i < 16; i++) {                 /* past the quick ACKs */
		server_data(&t, t.snd, 100, 0);
		t.snd += 100;
		expect(&t, &s);
		seg_free(&s);
	}
	for (i = 0; i < big; i++)
		d[i] = pattern(t.snd - t.base + i);
	n = build_tcp(frame, SRV_IP, SRV_PORT, OUR_IP, t.lport, t.snd, t.rcv,
		      TCP_ACK, 0xffff, NULL, 0, d, big);
	frame[54] ^= 0xff;                     /* the checksum is not ours */
	frame[54 + big - 1] ^= 0xff;
	/* Without the flag: a bad checksum. */
	fakenet_inject(t.netdev, frame, n);
	step();
	check_eq(tcp_stats.bad_csum, bad + 1);
	check(!take(&t, &s));
	frame[54] ^= 0xff;
	frame[54 + big - 1] ^= 0xff;
	frame[50] ^= 0x5a;                     /* checksum field */
	fakenet_inject_flags(t.netdev, frame, n, IOB_CSUM_OK);
	step();
	check_eq(tcp_stats.bad_csum, bad + 1);
	/* Taken, and worth many segments: ACKed at once, not delayed. */
	t.snd += (uint32_t)big;
	expect(&t, &s);
	check_eq(s.ack, t.snd);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 1600 + big));
	free(frame);
	free(d);
	finish(&t);
}

UNIT_TEST(tcp_out_of_order_with_sack)
{
	unsigned long ooo = tcp_stats.ooo_segs;
	unsigned long dups = tcp_stats.dup_segs;
	struct tcp_conn_info info;
	uint32_t b;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	b = t.snd;
	server_data(&t, b, 1000, 0);                   /* A: in order */
	expect(&t, &s);
	check_eq(s.ack, b + 1000);
	check_eq(s.nsack, 0);
	seg_free(&s);
	server_data(&t, b + 2000, 1000, 0);            /* C: a gap before */
	expect(&t, &s);
	check_eq(s.ack, b + 1000);
	check_eq(s.nsack, 1);
	check_eq(s.sack[0][0], b + 2000);
	check_eq(s.sack[0][1], b + 3000);
	seg_free(&s);
	check_eq(tcp_conn_info(0, &info), 0);
	check(info.ooo_queue >= 1000);
	server_data(&t, b + 4000, 1000, 0);            /* E */
	expect(&t, &s);
	check_eq(s.ack, b + 1000);
	check_eq(s.nsack, 2);                          /* newest first */
	check_eq(s.sack[0][0], b + 4000);
	check_eq(s.sack[0][1], b + 5000);
	check_eq(s.sack[1][0], b + 2000);
	check_eq(s.sack[1][1], b + 3000);
	seg_free(&s);
	server_data(&t, b + 2500, 1000, 0);            /* overlaps C, extends */
	expect(&t, &s);
	check_eq(s.nsack, 2);
	check_eq(s.sack[0][0], b + 2000);              /* C grew: it is newest */
	check_eq(s.sack[0][1], b + 3500);
	seg_free(&s);
	server_data(&t, b + 2000, 1000, 0);            /* nothing new */
	expect(&t, &s);
	check_eq(s.ack, b + 1000);
	seg_free(&s);
	check(tcp_stats.dup_segs > dups);
	check_eq(t.k.len, 1000);
	server_data(&t, b + 1000, 1000, 0);            /* B fills the gap */
	expect(&t, &s);
	check_eq(s.ack, b + 3500);
	check_eq(s.nsack, 1);
	check_eq(s.sack[0][0], b + 4000);
	seg_free(&s);
	server_data(&t, b + 3500, 500, 0);             /* D */
	expect(&t, &s);
	check_eq(s.ack, b + 5000);
	check_eq(s.nsack, 0);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 5000));
	check(tcp_stats.ooo_segs >= ooo + 3);
	check_eq(tcp_conn_info(0, &info), 0);
	check_eq(info.ooo_queue, 0);
	/* Old data again: dropped, ACKed at once; a segment that is half
	 * old delivers only its new half. */
	server_data(&t, b, 1000, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 5000);
	seg_free(&s);
	server_data(&t, b + 4500, 1000, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 5500);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 5500));
	finish(&t);
}

UNIT_TEST(tcp_many_sack_blocks)
{
	uint32_t b;
	unsigned int i;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	b = t.snd;
	/* Six islands: the ACK names the four newest, newest first. */
	for (i = 1; i <= 6; i++) {
		server_data(&t, b + i * 200, 100, 0);
		expect(&t, &s);
		check_eq(s.ack, b);
		check_eq(s.nsack, MIN(i, 4u));
		check_eq(s.sack[0][0], b + i * 200);
		check_eq(s.sack[0][1], b + i * 200 + 100);
		if (i >= 2)
			check_eq(s.sack[1][0], b + (i - 1) * 200);
		seg_free(&s);
	}
	/* Fill everything. */
	for (i = 0; i <= 5; i++) {
		server_data(&t, b + i * 200 + (i ? 100 : 0), i ? 100 : 200, 0);
		drain(&t);
	}
	check(sink_has_pattern(&t.k, 1300));
	finish(&t);
}

UNIT_TEST(tcp_receive_window_edges)
{
	struct t t;
	struct seg s;
	uint32_t b;

	/* The consumer takes 3008 bytes (a multiple of the scale unit, 32):
	 * the window never goes past. */
	memset(&t, 0, sizeof(t));
	connect_opts(&t, &sink_ops_window, ISS, SRV_ISS, NULL, 0, 0xffff);
	check_eq(t.k.len, 0);
	t.k.rwnd = 3008;
	xfer_window_open(&t.k.xfer);               /* tells the connection */
	expect(&t, &s);
	check_eq(s.win, 3008 >> TCP_RCV_WSCALE);
	seg_free(&s);
	b = t.snd;
	server_data(&t, b, 2016, 0);
	expect(&t, &s);                            /* quick ACK */
	check_eq(s.ack, b + 2016);
	check_eq(s.win, 992 >> TCP_RCV_WSCALE);    /* right edge kept */
	seg_free(&s);
	/* 1500 more: only 992 fit, the rest is cut. */
	server_data(&t, b + 2016, 1500, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 3008);
	check_eq(s.win, 0);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 3008));
	/* A zero-window probe is not acceptable: ACK, nothing taken. */
	server_data(&t, b + 3008, 1, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 3008);
	check_eq(s.win, 0);
	seg_free(&s);
	check_eq(t.k.len, 3008);
	/* The window is closed, yet the ACK in such a segment counts. */
	user_send(&t, 100);
	expect(&t, &s);
	check_eq(s.dlen, 100);
	seg_free(&s);
	{
		struct tcp_conn_info info;

		check_eq(tcp_conn_info(0, &info), 0);
		check_eq(info.send_queue, 100);
		inject(&t, b + 3008, ISS + 101, TCP_ACK, 0xffff, NULL, 0,
		       "z", 1);
		check_eq(tcp_conn_info(0, &info), 0);
		check_eq(info.send_queue, 0);
		t.rcv = ISS + 101;
	}
	expect(&t, &s);
	check_eq(s.ack, b + 3008);
	check_eq(s.win, 0);
	seg_free(&s);
	/* Entirely beyond the window: the same. */
	server_data(&t, b + 9000, 100, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 3008);
	seg_free(&s);
	/* The consumer can take more: a window update goes out. */
	t.k.rwnd = 100;
	xfer_window_open(&t.k.xfer);               /* too little: wait */
	check(!take(&t, &s));
	t.k.rwnd = 20000;
	xfer_window_open(&t.k.xfer);
	expect(&t, &s);
	check_eq(s.ack, b + 3008);
	check_eq(s.win, 20000 >> TCP_RCV_WSCALE);
	seg_free(&s);
	server_data(&t, b + 3008, 1000, 0);
	drain(&t);
	check(sink_has_pattern(&t.k, 4008));
	finish(&t);
}

UNIT_TEST(tcp_sequence_wrap)
{
	struct t t;
	struct seg s;
	uint32_t b;
	unsigned int i;

	connect_opts(&t, NULL, 0xfffffff0u, 0xfffffff8u, NULL, 0, 0xffff);
	b = t.snd;                                 /* 0xfffffff9 */
	/* In across the wrap, one segment out of order. */
	server_data(&t, b + 1000, 1000, 0);
	expect(&t, &s);
	check_eq(s.ack, b);
	check_eq(s.nsack, 1);
	check_eq(s.sack[0][0], b + 1000);
	seg_free(&s);
	server_data(&t, b, 1000, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 2000);
	check_eq(s.ack, 0x7c9u);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 2000));
	/* Out across the wrap. */
	user_send(&t, 3000);
	for (i = 0; i < 3; i++) {
		expect(&t, &s);
		check_eq(s.seq, 0xfffffff1u + 1460 * i);
		seg_free(&s);
	}
	inject(&t, b + 2000, 0xfffffff1u + 1460, TCP_ACK, 1000, NULL, 0,
	       NULL, 0);
	check(!take(&t, &s));
	inject(&t, b + 2000, 0xfffffff1u + 3000, TCP_ACK, 1000, NULL, 0,
	       NULL, 0);
	check(!take(&t, &s));
	{
		struct tcp_conn_info info;

		check_eq(tcp_conn_info(0, &info), 0);
		check_eq(info.send_queue, 0);
	}
	finish(&t);
}

/* ---- sending and retransmission */

UNIT_TEST(tcp_retransmit_backoff)
{
	unsigned long rto = tcp_stats.rto, tlp = tcp_stats.tlp;
	uint32_t times[12], start;
	unsigned int n = 0, ms;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	user_send(&t, 500);
	expect(&t, &s);
	check_eq(s.seq, ISS + 1);
	seg_free(&s);
	start = currtime_ms();
	for (ms = 0; ms < 6000 && n < ARRAY_SIZE(times); ms += 5) {
		host_advance_ms(5);
		step();
		while (take(&t, &s)) {
			check_eq(s.seq, ISS + 1);
			check_eq(s.dlen, 500);
			seg_free(&s);
			if (n < ARRAY_SIZE(times))
				times[n++] = currtime_ms() - start;
		}
	}
	/* A loss probe after about two round trips (a second one would
	 * come later than the RTO), then RTOs backing off. */
	check(n >= 5);
	check_eq(tcp_stats.tlp, tlp + 1);
	check(tcp_stats.rto >= rto + 4);
	check(times[0] >= 190 && times[0] < 260);        /* 2 * 100 + 2 */
	if (n >= 5) {
		uint32_t a = times[2] - times[1], b = times[3] - times[2];
		uint32_t c = times[4] - times[3];

		check(times[1] - times[0] >= 200);
		check(b > a + a / 2 && b < a * 3);
		check(c > b + b / 2 && c < b * 3);
	}
	/* The ACK ends it. */
	inject(&t, t.snd, ISS + 501, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
	drain(&t);
	host_advance_ms(5000);
	step();
	check(!take(&t, &s));
	check_str(conn_state(), "ESTABLISHED");
	finish(&t);
}

UNIT_TEST(tcp_syn_timeout)
{
	unsigned long timeouts = tcp_stats.timeouts;
	unsigned int syns = 0, sec;
	struct t t;
	struct seg s;

	open_only(&t, NULL, ISS, &s);
	seg_free(&s);
	syns++;
	for (sec = 0; sec < 200 && !t.k.closed; sec++) {
		host_advance_ms(1000);
		step();
		while (take(&t, &s)) {
			check_eq(s.flags, TCP_SYN);
			check_eq(s.seq, ISS);
			seg_free(&s);
			syns++;
		}
	}
	check(t.k.closed);
	check(rc_is(t.k.rc, ETIMEDOUT_K));
	check_eq(syns, 6);
	check(sec > 40 && sec < 70);               /* 1+2+4+8+16+32 s */
	check_eq(tcp_stats.timeouts, timeouts + 1);
	check_str(conn_state(), "none");
	finish(&t);
}

UNIT_TEST(tcp_data_timeout)
{
	unsigned int sec;
	struct t t;

	connect(&t, NULL);
	user_send(&t, 100);
	for (sec = 0; sec < 600 && !t.k.closed; sec++) {
		host_advance_ms(1000);
		step();
		drain(&t);
	}
	check(t.k.closed);
	check(rc_is(t.k.rc, ETIMEDOUT_K));
	check(sec > 60 && sec < 300);
	finish(&t);
}

static const uint8_t nosack_opts[] = {
	TCPOPT_MSS, 4, 0x03, 0xe8,             /* 1000 */
};

UNIT_TEST(tcp_fast_retransmit_newreno)
{
	unsigned long fr = tcp_stats.fast_rtx;
	unsigned int i;
	struct t t;
	struct seg s;

	connect_opts(&t, NULL, ISS, SRV_ISS, nosack_opts, sizeof(nosack_opts),
		     0xffff);
	user_send(&t, 6000);
	for (i = 0; i < 6; i++) {
		expect(&t, &s);
		check_eq(s.seq, ISS + 1 + 1000 * i);
		seg_free(&s);
	}
	/* The first is lost: the peer ACKs the first four... no, ACKs
	 * nothing new, five times (the other five arrived). */
	for (i = 0; i < 2; i++) {
		inject(&t, t.snd, ISS + 1, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
		check(!take(&t, &s));
	}
	inject(&t, t.snd, ISS + 1, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
	expect(&t, &s);                            /* third duplicate */
	check_eq(s.seq, ISS + 1);
	check_eq(s.dlen, 1000);
	seg_free(&s);
	check_eq(tcp_stats.fast_rtx, fr + 1);
	inject(&t, t.snd, ISS + 1, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
	inject(&t, t.snd, ISS + 1, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
	check(!take(&t, &s));
	/* A partial ACK: the third segment was lost too (NewReno). */
	inject(&t, t.snd, ISS + 2001, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.seq, ISS + 2001);
	seg_free(&s);
	check(!take(&t, &s));
	inject(&t, t.snd, ISS + 6001, TCP_ACK, 0xffff, NULL, 0, NULL, 0);
	check(!take(&t, &s));
	check_eq(tcp_stats.fast_rtx, fr + 1);
	/* New data flows again. */
	user_send(&t, 100);
	expect(&t, &s);
	check_eq(s.seq, ISS + 6001);
	seg_free(&s);
	finish(&t);
}

static void sack_opt(uint8_t *o, uint32_t l, uint32_t r)
{
	o[0] = TCPOPT_NOP;
	o[1] = TCPOPT_NOP;
	o[2] = TCPOPT_SACK;
	o[3] = 10;
	o[4] = (uint8_t)(l >> 24); o[5] = (uint8_t)(l >> 16);
	o[6] = (uint8_t)(l >> 8); o[7] = (uint8_t)l;
	o[8] = (uint8_t)(r >> 24); o[9] = (uint8_t)(r >> 16);
	o[10] = (uint8_t)(r >> 8); o[11] = (uint8_t)r;
}

UNIT_TEST(tcp_sack_recovery)
{
	unsigned long fr = tcp_stats.fast_rtx, rtx = tcp_stats.retrans;
	uint8_t o[12];
	unsigned int i;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	user_send(&t, 6 * 1460);
	for (i = 0; i < 6; i++) {
		expect(&t, &s);
		check_eq(s.seq, ISS + 1 + 1460 * i);
		seg_free(&s);
	}
	/* The first two are missing, the other four arrived. */
	sack_opt(o, ISS + 1 + 2 * 1460, ISS + 1 + 6 * 1460);
	inject(&t, t.snd, ISS + 1, TCP_ACK, 0xffff, o, sizeof(o), NULL, 0);
	expect(&t, &s);
	check_eq(s.seq, ISS + 1);
	seg_free(&s);
	expect(&t, &s);
	check_eq(s.seq, ISS + 1 + 1460);
	seg_free(&s);
	check(!take(&t, &s));
	check_eq(tcp_stats.fast_rtx, fr + 1);
	check_eq(tcp_stats.retrans, rtx + 2);
	/* The second retransmission is lost again: the ACK for the first
	 * shows it (it was sent before one that arrived). */
	sack_opt(o, ISS + 1 + 2 * 1460, ISS + 1 + 6 * 1460);
	inject(&t, t.snd, ISS + 1 + 1460, TCP_ACK, 0xffff, o, sizeof(o),
	       NULL, 0);
	check(!take(&t, &s));                     /* it may still come */
	inject(&t, t.snd, ISS + 1 + 6 * 1460, TCP_ACK, 0xffff, NULL, 0,
	       NULL, 0);
	check(!take(&t, &s));
	/* A SACK block outside what was sent is ignored. */
	user_send(&t, 100);
	drain(&t);
	sack_opt(o, ISS + 50000, ISS + 60000);
	inject(&t, t.snd, ISS + 1 + 6 * 1460, TCP_ACK, 0xffff, o, sizeof(o),
	       NULL, 0);
	check(!take(&t, &s));
	finish(&t);
}

UNIT_TEST(tcp_zero_window_persist)
{
	unsigned long probes = tcp_stats.probes;
	uint32_t t1 = 0, t2 = 0, t3 = 0;
	unsigned int ms;
	struct t t;
	struct seg s;

	connect_opts(&t, NULL, ISS, SRV_ISS, NULL, 0, 0);
	check(xfer_window(&t.k.xfer) > 0);         /* our buffer has room */
	user_send(&t, 100);
	check(!take(&t, &s));
	for (ms = 0; ms < 5000 && !t3; ms += 10) {
		host_advance_ms(10);
		step();
		if (!take(&t, &s))
			continue;
		check_eq(s.seq, ISS + 1);
		check_eq(s.dlen, 1);                  /* one byte beyond */
		seg_free(&s);
		if (!t1) {
			t1 = ms;
		} else if (!t2) {
			t2 = ms;
		} else {
			t3 = ms;
		}
		/* The peer still has no room. */
		inject(&t, t.snd, ISS + 1, TCP_ACK, 0, NULL, 0, NULL, 0);
		check(!take(&t, &s));
	}
	check(t3 > 0);
	check(t3 - t2 > t2 - t1);                  /* backing off */
	check(tcp_stats.probes >= probes + 3);
	check_str(conn_state(), "ESTABLISHED");
	/* The window opens: everything goes, the probe byte first. */
	inject(&t, t.snd, ISS + 1, TCP_ACK, 100, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.seq, ISS + 1);
	check_eq(s.dlen, 1);
	seg_free(&s);
	expect(&t, &s);
	check_eq(s.seq, ISS + 2);
	check_eq(s.dlen, 99);
	seg_free(&s);
	inject(&t, t.snd, ISS + 101, TCP_ACK, 100, NULL, 0, NULL, 0);
	check(!take(&t, &s));
	finish(&t);
}

/* ---- resets */

UNIT_TEST(tcp_refused)
{
	unsigned long refused = tcp_stats.refused;
	struct t t;
	struct seg s;

	open_only(&t, NULL, ISS, &s);
	seg_free(&s);
	/* A reset without ACK, or acknowledging something else, is
	 * ignored in SYN-SENT. */
	inject(&t, 0, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	inject(&t, 0, ISS + 5, TCP_RST | TCP_ACK, 0, NULL, 0, NULL, 0);
	check(!t.k.closed);
	check(!take(&t, &s));
	check_str(conn_state(), "SYN_SENT");
	inject(&t, 0, ISS + 1, TCP_RST | TCP_ACK, 0, NULL, 0, NULL, 0);
	check(t.k.closed);
	check(rc_is(t.k.rc, ECONNREFUSED_K));
	check_eq(tcp_stats.refused, refused + 1);
	check_str(conn_state(), "none");
	check(!take(&t, &s));
	finish(&t);
}

UNIT_TEST(tcp_reset_established)
{
	unsigned long resets = tcp_stats.resets_in;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	/* In the window but not exactly next: a challenge ACK (RFC 5961). */
	inject(&t, t.snd + 100, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.flags, TCP_ACK);
	check_eq(s.ack, t.snd);
	seg_free(&s);
	/* Outside the window: dropped without a word. */
	inject(&t, t.snd + 0x40000000u, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	check(!take(&t, &s));
	check(!t.k.closed);
	/* A SYN in the window: challenge ACK too. */
	inject(&t, t.snd + 10, 0, TCP_SYN, 0, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.ack, t.snd);
	seg_free(&s);
	check_str(conn_state(), "ESTABLISHED");
	/* Data whose ACK is far older than anything in flight is not
	 * taken (RFC 5961 5.2), just answered. */
	inject(&t, t.snd, ISS + 1 - 0x20000, TCP_ACK, 100, NULL, 0, "evil", 4);
	expect(&t, &s);
	check_eq(s.ack, t.snd);
	seg_free(&s);
	check_eq(t.k.len, 0);
	/* Exactly at the next sequence number: reset. */
	inject(&t, t.snd, 0, TCP_RST, 0, NULL, 0, NULL, 0);
	check(t.k.closed);
	check(rc_is(t.k.rc, ECONNRESET_K));
	check_eq(tcp_stats.resets_in, resets + 1);
	check(!take(&t, &s));
	check_str(conn_state(), "none");
	finish(&t);
}

UNIT_TEST(tcp_user_abort_and_stray_segments)
{
	unsigned long aborts = tcp_stats.aborts, noconn = tcp_stats.no_conn;
	uint16_t port;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	user_send(&t, 300);
	drain(&t);
	port = t.lport;
	xfer_close(&t.k.xfer, -ECANCELED);
	expect(&t, &s);
	check_eq(s.flags, TCP_RST | TCP_ACK);
	check_eq(s.seq, ISS + 301);
	seg_free(&s);
	check_eq(tcp_stats.aborts, aborts + 1);
	check_str(conn_state(), "none");
	/* Segments for no connection get resets (RFC 9293 3.10.7.1). */
	inject(&t, t.snd, ISS + 301, TCP_ACK, 100, NULL, 0, "x", 1);
	expect(&t, &s);
	check_eq(s.flags, TCP_RST);
	check_eq(s.seq, ISS + 301);
	check_eq(s.sport, port);
	check_eq(s.dport, SRV_PORT);
	seg_free(&s);
	inject(&t, 7777, 0, TCP_SYN, 100, NULL, 0, "abc", 3);
	expect(&t, &s);
	check_eq(s.flags, TCP_RST | TCP_ACK);
	check_eq(s.seq, 0);
	check_eq(s.ack, 7777 + 1 + 3);
	seg_free(&s);
	/* ... but never a reset for a reset. */
	inject(&t, 7777, 0, TCP_RST, 100, NULL, 0, NULL, 0);
	check(!take(&t, &s));
	check_eq(tcp_stats.no_conn, noconn + 3);
	finish(&t);
}

/* ---- checks on what arrives */

/* Inject a raw TCP segment, its checksum made right. */
static void inject_raw(struct t *t, uint8_t *seg, size_t len)
{
	struct sockaddr_in a, b;
	uint8_t frame[256];
	uint16_t c;
	size_t n;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sin_family = b.sin_family = AF_INET;
	inet_aton(SRV_IP, &a.sin_addr);
	inet_aton(OUR_IP, &b.sin_addr);
	seg[16] = seg[17] = 0;
	c = csum_fold(csum_partial(seg, len,
		tcpip_pseudo_sum((struct sockaddr *)&a, (struct sockaddr *)&b,
				 IP_TCP, len)));
	memcpy(seg + 16, &c, 2);
	n = build_ipv4(frame, fake_mac, server_mac, SRV_IP, OUR_IP, IP_TCP, 1,
		       0, seg, len);
	fakenet_inject(t->netdev, frame, n);
	step();
}

UNIT_TEST(tcp_bad_segments_dropped)
{
	unsigned long csum = tcp_stats.bad_csum, hdr = tcp_stats.bad_hdr;
	uint8_t frame[256], seg[64];
	size_t n;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	/* A wrong checksum: dropped and counted, nothing else happens. */
	n = build_tcp(frame, SRV_IP, SRV_PORT, OUR_IP, t.lport, t.snd, t.rcv,
		      TCP_ACK, 1000, NULL, 0, "hello", 5);
	frame[n - 1] ^= 0x01;
	fakenet_inject(t.netdev, frame, n);
	step();
	check_eq(tcp_stats.bad_csum, csum + 1);
	check_eq(t.k.len, 0);
	check(!take(&t, &s));
	/* Header length below 20, or past the segment. */
	memset(seg, 0, sizeof(seg));
	seg[0] = SRV_PORT >> 8;
	seg[1] = SRV_PORT & 0xff;
	seg[2] = (uint8_t)(t.lport >> 8);
	seg[3] = (uint8_t)t.lport;
	seg[13] = TCP_ACK;
	seg[12] = 4 << 4;
	inject_raw(&t, seg, 20);
	seg[12] = 6 << 4;
	inject_raw(&t, seg, 20);
	/* Shorter than a header. */
	inject_raw(&t, seg, 12);
	/* An option running past the header, and a SACK of odd length. */
	seg[12] = 6 << 4;
	seg[20] = TCPOPT_SACK;
	seg[21] = 6;
	seg[22] = seg[23] = TCPOPT_NOP;
	inject_raw(&t, seg, 24);
	seg[20] = TCPOPT_NOP;
	seg[21] = TCPOPT_NOP;
	seg[22] = 99;
	seg[23] = 1;
	inject_raw(&t, seg, 24);
	check_eq(tcp_stats.bad_hdr, hdr + 5);
	check(!take(&t, &s));
	check_str(conn_state(), "ESTABLISHED");
	/* Trailing bytes after a good header are data. */
	server_data(&t, t.snd, 10, 0);
	expect(&t, &s);
	check_eq(s.ack, t.snd + 10);
	seg_free(&s);
	check(sink_has_pattern(&t.k, 10));
	finish(&t);
}

/* ---- closing */

UNIT_TEST(tcp_fin_from_peer)
{
	struct t t;
	struct seg s;

	connect(&t, NULL);
	user_send(&t, 100);
	expect(&t, &s);
	seg_free(&s);
	/* Data and FIN together; our data not yet acknowledged. */
	server_data(&t, t.snd, 500, TCP_FIN);
	check(sink_has_pattern(&t.k, 500));
	check(t.k.closed);
	check_eq(t.k.rc, 0);
	/* We ACK the FIN and send ours (nothing else is queued). */
	expect(&t, &s);
	check_eq(s.ack, t.snd + 501);
	check_eq(s.seq, ISS + 101);
	check(s.flags & TCP_FIN);
	seg_free(&s);
	check_str(conn_state(), "LAST_ACK");
	/* A retransmitted FIN from the peer: ACKed again. */
	server_data(&t, t.snd, 500, TCP_FIN);
	expect(&t, &s);
	check_eq(s.ack, t.snd + 501);
	seg_free(&s);
	inject(&t, t.snd + 501, ISS + 102, TCP_ACK, 100, NULL, 0, NULL, 0);
	check_str(conn_state(), "none");
	check(!take(&t, &s));
	finish(&t);
}

UNIT_TEST(tcp_fin_from_us)
{
	struct t t;
	struct seg s;

	connect(&t, NULL);
	user_send(&t, 100);
	xfer_close(&t.k.xfer, 0);                  /* data first, then FIN */
	expect(&t, &s);
	check_eq(s.seq, ISS + 1);
	check_eq(s.dlen, 100);
	check(!(s.flags & TCP_FIN));
	seg_free(&s);
	expect(&t, &s);
	check_eq(s.seq, ISS + 101);
	check_eq(s.dlen, 0);
	check_eq(s.flags, TCP_FIN | TCP_ACK);
	seg_free(&s);
	check_str(conn_state(), "FIN_WAIT_1");
	inject(&t, t.snd, ISS + 102, TCP_ACK, 100, NULL, 0, NULL, 0);
	check_str(conn_state(), "FIN_WAIT_2");
	check(!take(&t, &s));
	inject(&t, t.snd, ISS + 102, TCP_FIN | TCP_ACK, 100, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.flags, TCP_ACK);
	check_eq(s.ack, t.snd + 1);
	seg_free(&s);
	check_str(conn_state(), "TIME_WAIT");
	/* The peer did not get our ACK and sends its FIN again. */
	inject(&t, t.snd, ISS + 102, TCP_FIN | TCP_ACK, 100, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.ack, t.snd + 1);
	seg_free(&s);
	host_advance_ms(1100);
	step();
	check_str(conn_state(), "none");
	finish(&t);
}

UNIT_TEST(tcp_simultaneous_close_and_fin_wait_2_timeout)
{
	struct t t;
	struct seg s;

	/* Both send FIN at once: CLOSING, then TIME-WAIT. */
	connect(&t, NULL);
	xfer_close(&t.k.xfer, 0);
	expect(&t, &s);
	check_eq(s.flags, TCP_FIN | TCP_ACK);
	seg_free(&s);
	inject(&t, t.snd, ISS + 1, TCP_FIN | TCP_ACK, 100, NULL, 0, NULL, 0);
	expect(&t, &s);
	check_eq(s.ack, t.snd + 1);
	seg_free(&s);
	check_str(conn_state(), "CLOSING");
	inject(&t, t.snd + 1, ISS + 2, TCP_ACK, 100, NULL, 0, NULL, 0);
	check_str(conn_state(), "TIME_WAIT");
	finish(&t);

	/* Our FIN is ACKed but the peer never closes: FIN-WAIT-2 ends. */
	connect(&t, NULL);
	xfer_close(&t.k.xfer, 0);
	drain(&t);
	inject(&t, t.snd, ISS + 2, TCP_ACK, 100, NULL, 0, NULL, 0);
	check_str(conn_state(), "FIN_WAIT_2");
	host_advance_ms(9000);
	step();
	check_str(conn_state(), "FIN_WAIT_2");
	host_advance_ms(1100);
	step();
	check_str(conn_state(), "none");
	finish(&t);
}

UNIT_TEST(tcp_data_after_close_resets)
{
	unsigned long aborts = tcp_stats.aborts;
	struct t t;
	struct seg s;

	connect(&t, NULL);
	xfer_close(&t.k.xfer, 0);
	drain(&t);
	server_data(&t, t.snd, 100, 0);            /* nobody will read it */
	expect(&t, &s);
	check(s.flags & TCP_RST);
	seg_free(&s);
	check_eq(tcp_stats.aborts, aborts + 1);
	check_str(conn_state(), "none");
	check_eq(t.k.len, 0);
	finish(&t);
}

UNIT_TEST(tcp_consumer_closes_inside_deliver)
{
	struct t t;
	struct seg s;

	/* Orderly close from inside deliver, with data still queued out
	 * of order behind it: the rest is dropped, our FIN goes out. */
	connect(&t, NULL);
	t.k.close_at = 1;
	server_data(&t, t.snd + 1000, 1000, 0);
	drain(&t);
	server_data(&t, t.snd, 1000, 0);
	check(t.k.closed);
	check_eq(t.k.len, 1000);
	expect(&t, &s);
	check(s.flags & TCP_FIN);
	seg_free(&s);
	check_str(conn_state(), "FIN_WAIT_1");
	finish(&t);

	/* An abort from inside deliver. */
	connect(&t, NULL);
	t.k.close_at = 1;
	t.k.close_rc = -ECANCELED;
	server_data(&t, t.snd + 1000, 1000, 0);
	drain(&t);
	server_data(&t, t.snd, 1000, TCP_FIN);
	check(t.k.closed);
	expect(&t, &s);
	check(s.flags & TCP_RST);
	seg_free(&s);
	check(!take(&t, &s));
	check_str(conn_state(), "none");
	finish(&t);
}

UNIT_TEST(tcp_two_connections)
{
	struct sockaddr_in peer;
	struct sink k2;
	struct t t;
	struct seg s;
	uint16_t p2;
	uint8_t frame[256];
	size_t n;

	connect(&t, NULL);
	memset(&k2, 0, sizeof(k2));
	xfer_init(&k2.xfer, &sink_ops, NULL);
	srv_addr(&peer, 80);
	tcp_set_next_iss(7000);
	check_eq(tcp_open(&k2.xfer, (struct sockaddr *)&peer, NULL), 0);
	expect(&t, &s);
	check_eq(s.dport, 80);
	check(s.sport != t.lport);
	p2 = s.sport;
	seg_free(&s);
	n = build_tcp(frame, SRV_IP, 80, OUR_IP, p2, 900, 7001,
		      TCP_SYN | TCP_ACK, 1000, synack_opts, sizeof(synack_opts),
		      NULL, 0);
	fakenet_inject(t.netdev, frame, n);
	step();
	drain(&t);
	check_eq(k2.opened, 1);
	/* Data for each lands where it belongs. */
	n = build_tcp(frame, SRV_IP, 80, OUR_IP, p2, 901, 7001, TCP_ACK, 1000,
		      NULL, 0, "second", 6);
	fakenet_inject(t.netdev, frame, n);
	step();
	server_data(&t, t.snd, 5, 0);
	drain(&t);
	check_eq(k2.len, 6);
	check(!memcmp(k2.buf, "second", 6));
	check(sink_has_pattern(&t.k, 5));
	{
		struct tcp_conn_info info;

		check_eq(tcp_conn_info(1, &info), 0);
		check(tcp_conn_info(2, &info) != 0);
	}
	xfer_close(&k2.xfer, -ECANCELED);
	free(k2.buf);
	finish(&t);
}

UNIT_TEST(tcp_fin_out_of_order)
{
	struct t t;
	struct seg s;
	uint32_t b;

	connect(&t, NULL);
	b = t.snd;
	/* The last data and the FIN arrive before a gap is filled. */
	server_data(&t, b + 1000, 500, TCP_FIN);
	expect(&t, &s);
	check_eq(s.ack, b);
	check_eq(s.nsack, 1);
	check_eq(s.sack[0][0], b + 1000);
	seg_free(&s);
	check(!t.k.closed);
	server_data(&t, b, 1000, 0);
	check(sink_has_pattern(&t.k, 1500));
	check(t.k.closed);
	check_eq(t.k.rc, 0);
	expect(&t, &s);
	check_eq(s.ack, b + 1501);               /* the FIN counted */
	check(s.flags & TCP_FIN);
	seg_free(&s);
	check_str(conn_state(), "LAST_ACK");
	/* A reset in a closing state just ends it. */
	inject(&t, b + 1501, ISS + 2, TCP_RST, 0, NULL, 0, NULL, 0);
	check_str(conn_state(), "none");
	finish(&t);
}

/* Islands of 50 bytes every 100 across the window. */
#define ISLANDS (TCP_RCV_WINDOW / 100 - 16)

UNIT_TEST(tcp_out_of_order_memory_bound)
{
	unsigned long drops = tcp_stats.ooo_drops;
	struct tcp_conn_info info;
	size_t most = 0;
	unsigned int i;
	uint32_t b;
	struct t t;

	connect(&t, NULL);
	b = t.snd;
	/* Small islands all over the window: their buffers cost far more
	 * than their data, the queue must stay bounded (by twice the
	 * window). */
	for (i = 1; i < ISLANDS; i++) {
		server_data(&t, b + 100 * i, 50, 0);
		drain(&t);
		check_eq(tcp_conn_info(0, &info), 0);
		if (info.ooo_queue > most)
			most = info.ooo_queue;
	}
	check(tcp_stats.ooo_drops > drops);
	check(most <= 2 * TCP_RCV_WINDOW);
	check(most > 2 * TCP_RCV_WINDOW / 10 * 8);
	/* The peer sends everything again, in order: the stream is whole. */
	for (i = 0; i < ISLANDS; i++) {
		server_data(&t, b + 100 * i, 100, 0);
		drain(&t);
	}
	check(sink_has_pattern(&t.k, ISLANDS * 100));
	check_eq(tcp_conn_info(0, &info), 0);
	check_eq(info.ooo_queue, 0);
	finish(&t);
}
