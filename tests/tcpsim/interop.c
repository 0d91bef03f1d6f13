/* Interop check of dust's TCP against the Linux kernel's (manual, needs
 * root: tests/tcpsim/interop.sh sets up a network namespace with a TUN
 * device and a Linux server, then runs this).  dust's TCP runs here on
 * the host with a stand-in network layer that speaks raw IPv4 over the
 * TUN device and drops a given share of packets each way.
 *
 * The server answers each 48-byte request (a big-endian length first)
 * with that many bytes of a known pattern, like iSCSI reads; every byte
 * is checked.  Times are wall-clock. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/tcp.h>
#include <dust/tcpip.h>
#include <dust/timer.h>
#include <dust/xfer.h>

void sim_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sim_main(int argc, char **argv);
int tun_open(const char *name);
long tun_read(int fd, void *buf, unsigned long len, int timeout_ms);
long tun_write(int fd, const void *buf, unsigned long len);
uint64_t host_now_us(void);

#define OUR_ADDR  0x0a090002u        /* 10.9.0.2 */
#define SRV_ADDR  0x0a090001u        /* 10.9.0.1 */

static int tun = -1;
static uint32_t loss_ppm;
static unsigned long drops_out, drops_in, pkts_out, pkts_in;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

uint32_t currtime_ms(void)
{
	return (uint32_t)(host_now_us() / 1000);
}

uint64_t currtime_us(void)
{
	return host_now_us();
}

void udelay(unsigned long us)
{
	(void)us;
}

void mdelay(unsigned long ms)
{
	(void)ms;
}

void ref_put(struct refcnt *r)
{
	if (r && r->count-- == 0 && r->free)
		r->free(r);
}

uint32_t csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint32_t tcpip_pseudo_sum(const struct sockaddr *src,
			  const struct sockaddr *dst, uint8_t proto,
			  size_t len)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)src;
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;

	return csum_partial(&d->sin_addr, 4,
			    csum_partial(&s->sin_addr, 4, 0)) + proto +
		(uint32_t)len;
}

int tcpip_select_source(const struct sockaddr *dst, struct sockaddr *src)
{
	struct sockaddr_in *s = (struct sockaddr_in *)src;

	(void)dst;
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(OUR_ADDR);
	return 0;
}

size_t tcpip_max_segment(const struct sockaddr *dst)
{
	(void)dst;
	return 1500 - 20;
}

uint16_t tcpip_ephemeral_port(void)
{
	return (uint16_t)(49152 + rnd() % 16000);
}

int tcpip_tx(struct io_buffer *iob, uint8_t proto, const struct sockaddr *src,
	     const struct sockaddr *dst, struct net_device *netdev)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)src;
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
	static uint16_t ident;
	uint8_t *ip;
	uint16_t c;
	size_t len = iob_len(iob) + 20;

	(void)netdev;
	pkts_out++;
	if (rnd() % 1000000 < loss_ppm) {
		drops_out++;
		free_iob(iob);
		return 0;
	}
	ip = iob_push(iob, 20);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[4] = (uint8_t)(ident >> 8);
	ip[5] = (uint8_t)ident++;
	ip[6] = 0x40;                                /* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &s->sin_addr, 4);
	memcpy(ip + 16, &d->sin_addr, 4);
	c = csum_fold(csum_partial(ip, 20, 0));
	memcpy(ip + 10, &c, 2);
	tun_write(tun, ip, len);
	free_iob(iob);
	return 0;
}

static void poll_tun(int timeout_ms)
{
	static uint8_t buf[65536];
	const struct tcpip_protocol *tp;
	struct sockaddr_in src, dst;
	struct io_buffer *iob;
	long n;
	size_t ihl, len;

	while ((n = tun_read(tun, buf, sizeof(buf), timeout_ms)) > 0) {
		timeout_ms = 0;
		if (n < 20 || (buf[0] >> 4) != 4 || buf[9] != IP_TCP)
			continue;
		ihl = (size_t)(buf[0] & 15) * 4;
		len = (size_t)(buf[2] << 8 | buf[3]);
		if (len > (size_t)n || len < ihl + 20)
			continue;
		pkts_in++;
		if (rnd() % 1000000 < loss_ppm) {
			drops_in++;
			continue;
		}
		memset(&src, 0, sizeof(src));
		memset(&dst, 0, sizeof(dst));
		src.sin_family = dst.sin_family = AF_INET;
		memcpy(&src.sin_addr, buf + 12, 4);
		memcpy(&dst.sin_addr, buf + 16, 4);
		iob = alloc_iob(len - ihl);
		memcpy(iob_put(iob, len - ihl), buf + ihl, len - ihl);
		for_each_table_entry(tp, struct tcpip_protocol, "tcpip_protocols")
			if (tp->proto == IP_TCP)
				tp->rx(iob, NULL, (struct sockaddr *)&src,
				       (struct sockaddr *)&dst,
				       tcpip_pseudo_sum((struct sockaddr *)&src,
							(struct sockaddr *)&dst,
							IP_TCP, len - ihl));
	}
}

/* ---- uploading: dust sends, Linux receives */

struct uploader {
	struct xfer xfer;
	uint64_t sent, total;
	int closed, done, connected;
	char answer;
};

static uint8_t pat(uint64_t i);

static void up_pump(struct uploader *u)
{
	while (u->connected && u->sent < u->total) {
		size_t w = xfer_window(&u->xfer), n, k;
		struct io_buffer *iob;
		uint8_t *d;

		if (!w)
			return;
		n = (size_t)MIN((uint64_t)MIN(w, 16384u), u->total - u->sent);
		iob = alloc_iob(n);
		d = iob_put(iob, n);
		for (k = 0; k < n; k++)
			d[k] = pat(u->sent + k);
		u->sent += n;
		xfer_deliver(&u->xfer, iob, NULL);
	}
}

static int up_deliver(struct xfer *x, struct io_buffer *iob,
		      const struct xfer_meta *meta)
{
	struct uploader *u = container_of(x, struct uploader, xfer);

	(void)meta;
	if (iob_len(iob)) {
		u->answer = *(char *)iob->data;
		u->done = 1;
	}
	free_iob(iob);
	return 0;
}

static void up_close(struct xfer *x, int rc)
{
	(void)rc;
	container_of(x, struct uploader, xfer)->closed = 1;
}

static void up_window_open(struct xfer *x)
{
	struct uploader *u = container_of(x, struct uploader, xfer);

	if (!u->connected) {
		uint8_t req[48];
		uint32_t n = htonl((uint32_t)u->total | 0x80000000u);

		u->connected = 1;
		memset(req, 0, sizeof(req));
		memcpy(req, &n, 4);
		xfer_deliver_raw(&u->xfer, req, sizeof(req), NULL);
	}
	up_pump(u);
}

static const struct xfer_ops up_ops = {
	.deliver = up_deliver,
	.close = up_close,
	.window_open = up_window_open,
};

static int upload(uint64_t total, unsigned int loss_pct)
{
	struct sockaddr_in peer;
	struct tcp_conn_info info;
	struct uploader u;
	uint64_t start, end;
	unsigned long rtx = tcp_stats.retrans, rto = tcp_stats.rto;
	unsigned long tlp = tcp_stats.tlp, fr = tcp_stats.fast_rtx;

	loss_ppm = loss_pct * 10000;
	drops_in = drops_out = pkts_in = pkts_out = 0;
	memset(&u, 0, sizeof(u));
	xfer_init(&u.xfer, &up_ops, NULL);
	u.total = total;
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(SRV_ADDR);
	peer.sin_port = htons(3260);
	start = host_now_us();
	if (tcp_open(&u.xfer, (struct sockaddr *)&peer, NULL))
		return 0;
	while (!u.closed && !u.done && host_now_us() < start + 300000000ull) {
		poll_tun(1);
		timers_run();
		up_pump(&u);
	}
	end = host_now_us();
	xfer_close(&u.xfer, 0);
	while (tcp_conn_info(0, &info) == 0 && host_now_us() < end + 3000000) {
		poll_tun(1);
		timers_run();
	}
	{
		uint64_t t = end - start;
		uint64_t kbps = t ? total * 1000 / t : 0;

		sim_print("%s upload %llu B, %2u%% loss each way: %3llu.%03llu s "
			  "%4llu.%02llu MB/s  rtx %lu rto %lu tlp %lu fr %lu probes %lu\n",
			  u.answer == 'K' ? "ok  " : "FAIL",
			  (unsigned long long)total, loss_pct,
			  (unsigned long long)(t / 1000000),
			  (unsigned long long)(t / 1000 % 1000),
			  (unsigned long long)(kbps / 1000),
			  (unsigned long long)(kbps % 1000 / 10),
			  tcp_stats.retrans - rtx, tcp_stats.rto - rto,
			  tcp_stats.tlp - tlp, tcp_stats.fast_rtx - fr,
			  tcp_stats.probes);
	}
	return u.answer == 'K';
}

/* ---- the client */

struct client {
	struct xfer xfer;
	uint64_t received, reply_end, total;
	unsigned int reqs_left, bad;
	uint32_t req_size;
	unsigned int depth;          /* requests kept outstanding */
	int closed, rc, connected;
};

static uint8_t pat(uint64_t i)
{
	return (uint8_t)((i * 7) ^ (i >> 8));
}

static void request(struct client *c)
{
	uint8_t req[48];
	uint32_t n = htonl(c->req_size);

	memset(req, 0, sizeof(req));
	memcpy(req, &n, 4);
	c->reqs_left--;
	xfer_deliver_raw(&c->xfer, req, sizeof(req), NULL);
}

static int client_deliver(struct xfer *x, struct io_buffer *iob,
			  const struct xfer_meta *meta)
{
	struct client *c = container_of(x, struct client, xfer);
	const uint8_t *d = iob->data;
	size_t k, len = iob_len(iob);

	(void)meta;
	for (k = 0; k < len; k++)
		if (d[k] != pat(c->received + k))
			c->bad++;
	/* Each completed reply makes room for one more request. */
	while (c->reqs_left && c->received + len >= c->reply_end) {
		c->reply_end += c->req_size;
		request(c);
	}
	c->received += len;
	free_iob(iob);
	return 0;
}

static void client_close(struct xfer *x, int rc)
{
	struct client *c = container_of(x, struct client, xfer);

	c->closed = 1;
	c->rc = rc;
}

static void client_window_open(struct xfer *x)
{
	struct client *c = container_of(x, struct client, xfer);

	unsigned int i;

	if (!c->connected) {
		c->connected = 1;
		c->reply_end = c->req_size;
		for (i = 0; i < c->depth && c->reqs_left; i++)
			request(c);
	}
}

static const struct xfer_ops client_ops = {
	.deliver = client_deliver,
	.close = client_close,
	.window_open = client_window_open,
};

static int run(uint32_t req_size, unsigned int nreq, unsigned int loss_pct,
	       unsigned int depth)
{
	struct sockaddr_in peer;
	struct tcp_conn_info info;
	struct client c;
	uint64_t start, end, deadline;
	unsigned long rtx = tcp_stats.retrans, rto = tcp_stats.rto;
	unsigned long tlp = tcp_stats.tlp, fr = tcp_stats.fast_rtx;
	unsigned long ooo = tcp_stats.ooo_segs;

	loss_ppm = loss_pct * 10000;
	drops_in = drops_out = pkts_in = pkts_out = 0;
	memset(&c, 0, sizeof(c));
	xfer_init(&c.xfer, &client_ops, NULL);
	c.req_size = req_size;
	c.depth = depth ? depth : 1;
	c.reqs_left = nreq;
	c.total = (uint64_t)req_size * nreq;
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(SRV_ADDR);
	peer.sin_port = htons(3260);
	start = host_now_us();
	deadline = start + 300 * 1000000ull;
	if (tcp_open(&c.xfer, (struct sockaddr *)&peer, NULL)) {
		sim_print("tcp_open failed\n");
		return 0;
	}
	while (!c.closed && c.received < c.total && host_now_us() < deadline) {
		poll_tun(1);
		timers_run();
	}
	end = host_now_us();
	xfer_close(&c.xfer, 0);
	while (tcp_conn_info(0, &info) == 0 && host_now_us() < end + 3000000) {
		poll_tun(1);
		timers_run();
	}
	{
		uint64_t t = end - start;
		uint64_t kbps = t ? c.received * 1000 / t : 0;

		sim_print("%s %4u x %6u B, depth %u, %2u%% loss each way: %3llu.%03llu s "
			  "%4llu.%02llu MB/s  rtx %lu rto %lu tlp %lu fr %lu ooo-in %lu"
			  "  (dropped %lu/%lu out, %lu/%lu in)\n",
			  c.received == c.total && !c.bad ? "ok  " : "FAIL",
			  nreq, req_size, c.depth, loss_pct,
			  (unsigned long long)(t / 1000000),
			  (unsigned long long)(t / 1000 % 1000),
			  (unsigned long long)(kbps / 1000),
			  (unsigned long long)(kbps % 1000 / 10),
			  tcp_stats.retrans - rtx, tcp_stats.rto - rto,
			  tcp_stats.tlp - tlp, tcp_stats.fast_rtx - fr,
			  tcp_stats.ooo_segs - ooo, drops_out, pkts_out,
			  drops_in, pkts_in);
	}
	return c.received == c.total && !c.bad;
}

int sim_main(int argc, char **argv)
{
	unsigned int loss = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 0;
	uint32_t size = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 65536;
	unsigned int n = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 10) : 64;
	unsigned int depth = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 10) : 1;

	tun = tun_open("dtun");
	if (tun < 0) {
		sim_print("cannot open the TUN device dtun\n");
		return 2;
	}
	if (argc > 4 && !strcmp(argv[4], "up"))
		return upload((uint64_t)size * n, loss) ? 0 : 1;
	return run(size, n, loss, depth) ? 0 : 1;
}
