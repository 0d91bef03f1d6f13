/* A simulated link between two dust TCP ends, for `make unit`.
 *
 * This program links tcp.c with a stand-in network layer: tcpip_tx()
 * puts a segment on a link with a bandwidth, a propagation delay, a
 * drop-tail queue and random loss, and the segment reaches the other
 * end's TCP when it arrives in simulated time.  The clock is the
 * simulator's own (microseconds; currtime_ms() derives from it), so the
 * times reported are simulated, not wall-clock.  The two ends connect by
 * simultaneous open (dust never listens).
 *
 * Scenarios: bulk exchange (data both ways at once) and request/response
 * (a 48-byte request, then a reply of a given size, like iSCSI reads),
 * with and without loss.  Every byte is checked; every allocation must be
 * freed at the end.  Exit status 0 when all pass. */
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

/* ---- the clock */

static uint64_t now_us;

uint32_t currtime_ms(void)
{
	return (uint32_t)(now_us / 1000);
}

uint64_t currtime_us(void)
{
	return now_us;
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

/* ---- randomness for loss (xorshift64, seeded per scenario) */

static uint64_t rng = 88172645463325252ull;

static uint32_t sim_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* ---- the stand-in network layer */

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
	uint32_t sum;

	sum = csum_partial(&s->sin_addr, 4, 0);
	sum = csum_partial(&d->sin_addr, 4, sum);
	return sum + proto + (uint32_t)len;
}

int tcpip_select_source(const struct sockaddr *dst, struct sockaddr *src)
{
	(void)dst;
	(void)src;
	return -ENETUNREACH;          /* the simulator always names both */
}

static size_t sim_mtu = 1500;

size_t tcpip_max_segment(const struct sockaddr *dst)
{
	(void)dst;
	return sim_mtu - 20;
}

uint16_t tcpip_ephemeral_port(void)
{
	static uint16_t next = 49152;

	return next++;
}

/* One direction of the link. */
struct pkt {
	struct pkt *next;
	uint64_t arrive;
	struct sockaddr_in src, dst;
	struct io_buffer *iob;
};

struct dir {
	struct pkt *head, *tail;
	uint64_t busy_until;         /* the sender side of the wire is busy */
	unsigned int queued;
	unsigned long sent, lost, qdrops;
};

static struct {
	uint32_t rate_mbps;
	uint32_t delay_us;
	uint32_t loss_ppm;
	unsigned int qlimit;
	struct dir dir[2];
	int corrupt;                 /* flip a bit in every 50th segment */
} link;

#define ADDR_A 0x0a000001u           /* 10.0.0.1, host order */
#define ADDR_B 0x0a000002u

int tcpip_tx(struct io_buffer *iob, uint8_t proto,
	     const struct sockaddr *src, const struct sockaddr *dst,
	     struct net_device *netdev)
{
	const struct sockaddr_in *d = (const struct sockaddr_in *)dst;
	struct dir *dir = &link.dir[ntohl(d->sin_addr.s_addr) == ADDR_A];
	uint64_t start, wire;
	struct pkt *p;

	(void)proto;
	(void)netdev;
	dir->sent++;
	if (dir->queued >= link.qlimit) {
		dir->qdrops++;
		free_iob(iob);
		return 0;
	}
	/* 20 bytes of IP, 38 of Ethernet framing, preamble and gap. */
	wire = ((uint64_t)(iob_len(iob) + 58) * 8) / link.rate_mbps;
	start = dir->busy_until > now_us ? dir->busy_until : now_us;
	dir->busy_until = start + wire;
	if (sim_rand() % 1000000 < link.loss_ppm) {
		dir->lost++;
		free_iob(iob);
		return 0;
	}
	if (link.corrupt && dir->sent % 50 == 0)
		((uint8_t *)iob->data)[iob_len(iob) - 1] ^= 0x10;
	p = malloc(sizeof(*p));
	if (!p) {
		free_iob(iob);
		return -ENOMEM;
	}
	p->next = NULL;
	p->arrive = dir->busy_until + link.delay_us;
	memcpy(&p->src, src, sizeof(p->src));
	memcpy(&p->dst, dst, sizeof(p->dst));
	p->iob = iob;
	if (dir->tail)
		dir->tail->next = p;
	else
		dir->head = p;
	dir->tail = p;
	dir->queued++;
	return 0;
}

static void link_rx(struct pkt *p)
{
	const struct tcpip_protocol *tp;
	uint32_t sum = tcpip_pseudo_sum((struct sockaddr *)&p->src,
					(struct sockaddr *)&p->dst, IP_TCP,
					iob_len(p->iob));

	for_each_table_entry(tp, struct tcpip_protocol, "tcpip_protocols") {
		if (tp->proto == IP_TCP) {
			tp->rx(p->iob, NULL, (struct sockaddr *)&p->src,
			       (struct sockaddr *)&p->dst, sum);
			return;
		}
	}
	free_iob(p->iob);
}

/* Deliver everything due by now; returns the next arrival time. */
static uint64_t link_run(void)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;
	struct pkt *p;

	for (i = 0; i < 2; i++) {
		struct dir *dir = &link.dir[i];

		while ((p = dir->head) && p->arrive <= now_us) {
			dir->head = p->next;
			if (!dir->head)
				dir->tail = NULL;
			dir->queued--;
			link_rx(p);
			free(p);
		}
		if (dir->head && dir->head->arrive < next)
			next = dir->head->arrive;
	}
	return next;
}

static void link_flush(void)
{
	unsigned int i;
	struct pkt *p;

	for (i = 0; i < 2; i++) {
		while ((p = link.dir[i].head)) {
			link.dir[i].head = p->next;
			free_iob(p->iob);
			free(p);
		}
		link.dir[i].tail = NULL;
		link.dir[i].queued = 0;
	}
}

/* ---- the applications at both ends */

#define REQ_LEN 48

enum { BULK, CLIENT, SERVER };

struct app {
	struct xfer xfer;
	const char *name;
	int mode;
	uint64_t to_send, sent;      /* bytes this end writes */
	uint64_t to_recv, received;  /* bytes it expects */
	uint8_t seed_tx, seed_rx;
	int closed, close_rc, bad;
	uint64_t done_us;
	/* request/response */
	uint32_t req_size;           /* reply bytes per request */
	unsigned int reqs_left;
	uint64_t reply_end;          /* CLIENT: received count that ends it */
	uint8_t req[REQ_LEN];
	unsigned int req_have;       /* SERVER: bytes of a request so far */
	uint32_t rwnd;               /* nonzero: a window op limiting to it */
};

static uint8_t pat(uint64_t i, uint8_t seed)
{
	return (uint8_t)((i * 7) ^ (i >> 8) ^ (i >> 17) ^ seed);
}

static void app_pump(struct app *a)
{
	while (a->sent < a->to_send && !a->closed) {
		size_t w = xfer_window(&a->xfer), n, k;
		struct io_buffer *iob;
		uint8_t *d;

		if (!w)
			return;
		n = (size_t)MIN((uint64_t)MIN(w, 16384u), a->to_send - a->sent);
		iob = alloc_iob(n);
		if (!iob)
			return;
		d = iob_put(iob, n);
		for (k = 0; k < n; k++)
			d[k] = pat(a->sent + k, a->seed_tx);
		a->sent += n;
		xfer_deliver(&a->xfer, iob, NULL);
	}
}

static void client_request(struct app *a)
{
	uint8_t req[REQ_LEN];
	uint32_t n = htonl(a->req_size);

	memset(req, 0, sizeof(req));
	memcpy(req, &n, 4);
	a->reqs_left--;
	a->reply_end = a->received + a->req_size;
	xfer_deliver_raw(&a->xfer, req, sizeof(req), NULL);
}

static int app_deliver(struct xfer *x, struct io_buffer *iob,
		       const struct xfer_meta *meta)
{
	struct app *a = container_of(x, struct app, xfer);
	const uint8_t *d = iob->data;
	size_t len = iob_len(iob), k;

	(void)meta;
	if (a->mode == SERVER) {
		for (k = 0; k < len; k++) {
			a->req[a->req_have++] = d[k];
			if (a->req_have == REQ_LEN) {
				uint32_t n;

				memcpy(&n, a->req, 4);
				a->to_send += ntohl(n);
				a->req_have = 0;
			}
		}
		a->received += len;
		free_iob(iob);
		app_pump(a);
		return 0;
	}
	for (k = 0; k < len; k++)
		if (d[k] != pat(a->received + k, a->seed_rx))
			a->bad++;
	a->received += len;
	free_iob(iob);
	if (a->received > a->to_recv)
		a->bad++;
	if (a->received == a->to_recv && !a->done_us)
		a->done_us = now_us;
	/* A client asks for the next reply from inside deliver. */
	if (a->mode == CLIENT && a->received == a->reply_end && a->reqs_left)
		client_request(a);
	return 0;
}

static size_t app_window(struct xfer *x)
{
	return container_of(x, struct app, xfer)->rwnd;
}

static void app_close(struct xfer *x, int rc)
{
	struct app *a = container_of(x, struct app, xfer);

	a->closed = 1;
	a->close_rc = rc;
}

static void app_window_open(struct xfer *x)
{
	app_pump(container_of(x, struct app, xfer));
}

static const struct xfer_ops app_ops = {
	.deliver = app_deliver,
	.close = app_close,
	.window_open = app_window_open,
};

static const struct xfer_ops app_ops_wnd = {
	.deliver = app_deliver,
	.window = app_window,
	.close = app_close,
	.window_open = app_window_open,
};

/* ---- scenarios */

struct scenario {
	const char *name;
	uint32_t rate_mbps, delay_us;
	uint32_t loss_pct;
	uint64_t a_to_b, b_to_a;     /* bulk */
	uint32_t req_size;           /* request/response if nonzero */
	unsigned int nreq;
	uint32_t rwnd;               /* receivers advertise through a window op */
	int corrupt;
	uint32_t mtu;                /* 0: 1500 */
};

static void sockaddr_set(struct sockaddr_in *s, uint32_t addr, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(addr);
	s->sin_port = htons(port);
}

static int verbose;

static int run(const struct scenario *sc, unsigned int seed)
{
	struct app a, b;
	struct sockaddr_in la, lb;
	struct tcp_conn_info info;
	unsigned long live;
	uint64_t limit = 900ull * 1000000, next, end;
	int rc, ok = 1, closing = 0;

	iob_cache_flush();   /* buffers kept for reuse are not leaks */
	live = malloc_live();

	memset(&tcp_stats, 0, sizeof(tcp_stats));
	memset(&link, 0, sizeof(link));
	link.rate_mbps = sc->rate_mbps;
	link.delay_us = sc->delay_us;
	link.loss_ppm = sc->loss_pct * 10000;
	link.qlimit = 512;
	link.corrupt = sc->corrupt;
	sim_mtu = sc->mtu ? sc->mtu : 1500;
	rng = 88172645463325252ull ^ ((uint64_t)seed * 0x9e3779b97f4a7c15ull);
	now_us = 1000000;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	xfer_init(&a.xfer, sc->rwnd ? &app_ops_wnd : &app_ops, NULL);
	xfer_init(&b.xfer, sc->rwnd ? &app_ops_wnd : &app_ops, NULL);
	a.name = "A";
	b.name = "B";
	a.rwnd = b.rwnd = sc->rwnd;
	a.seed_tx = b.seed_rx = 0x5a;
	b.seed_tx = a.seed_rx = 0xc3;
	if (sc->req_size) {
		a.mode = CLIENT;
		b.mode = SERVER;
		a.req_size = sc->req_size;
		a.reqs_left = sc->nreq;
		a.to_recv = (uint64_t)sc->req_size * sc->nreq;
		b.to_recv = (uint64_t)REQ_LEN * sc->nreq;
	} else {
		a.to_send = b.to_recv = sc->a_to_b;
		b.to_send = a.to_recv = sc->b_to_a;
	}
	sockaddr_set(&la, ADDR_A, 5001);
	sockaddr_set(&lb, ADDR_B, 3260);
	rc = tcp_open(&a.xfer, (struct sockaddr *)&lb, (struct sockaddr *)&la);
	if (!rc)
		rc = tcp_open(&b.xfer, (struct sockaddr *)&la,
			      (struct sockaddr *)&lb);
	if (rc) {
		sim_print("FAIL %s: tcp_open: %d\n", sc->name, rc);
		return 0;
	}
	while (now_us < limit) {
		next = link_run();
		timers_run();
		if (a.mode == CLIENT && !a.reply_end && a.reqs_left &&
		    xfer_window(&a.xfer))
			client_request(&a);
		app_pump(&a);
		app_pump(&b);
		/* Each end closes once it has received all and queued all. */
		if (!a.closed && a.received == a.to_recv &&
		    a.sent == a.to_send && !a.reqs_left &&
		    a.received == a.reply_end) {
			a.closed = 1;
			closing = 1;
			xfer_close(&a.xfer, 0);
		}
		if (!b.closed && b.received == b.to_recv &&
		    b.sent == b.to_send && a.mode != CLIENT) {
			b.closed = 1;
			xfer_close(&b.xfer, 0);
		}
		if (a.closed && b.closed && tcp_conn_info(0, &info) != 0 &&
		    next == UINT64_MAX)
			break;
		if (a.close_rc || b.close_rc)
			break;
		if (verbose > 1 && now_us % 1000000 == 0)
			sim_print("t=%llu a.closed %d b.closed %d conns %d next %llu\n",
				  (unsigned long long)now_us, a.closed, b.closed,
				  tcp_conn_info(0, &info),
				  (unsigned long long)next);
		end = (now_us / 1000 + 1) * 1000;
		now_us = next < end ? next : end;
	}
	(void)closing;
	end = a.done_us > b.done_us ? a.done_us : b.done_us;
	if (!a.to_recv)
		end = b.done_us;
	if (a.bad || b.bad || a.received != a.to_recv ||
	    b.received != b.to_recv || a.close_rc || b.close_rc ||
	    now_us >= limit) {
		sim_print("FAIL %s: A got %llu/%llu (%d bad, rc %d), "
			  "B got %llu/%llu (%d bad, rc %d)%s\n", sc->name,
			  (unsigned long long)a.received,
			  (unsigned long long)a.to_recv, a.bad, a.close_rc,
			  (unsigned long long)b.received,
			  (unsigned long long)b.to_recv, b.bad, b.close_rc,
			  now_us >= limit ? ", out of time" : "");
		ok = 0;
	}
	if (verbose) {
		unsigned int i;

		for (i = 0; tcp_conn_info(i, &info) == 0; i++)
			sim_print("     left: port %u state %s sendq %zu\n",
				  ntohs(info.local.sa_port), info.state,
				  info.send_queue);
	}
	/* Clean up whatever is left and check nothing leaks. */
	while (tcp_conn_info(0, &info) == 0) {
		xfer_close(&a.xfer, -ECANCELED);
		xfer_close(&b.xfer, -ECANCELED);
		now_us += 100000000;
		timers_run();
		link_run();
		if (now_us > limit * 4)
			break;
	}
	link_flush();
	iob_cache_flush();
	if (malloc_live() != live) {
		sim_print("FAIL %s: %lu allocation(s) leaked\n", sc->name,
			  malloc_live() - live);
		ok = 0;
	}
	{
		uint64_t t = end > 1000000 ? end - 1000000 : 0;
		uint64_t bytes = sc->req_size ? a.to_recv :
			MAX(sc->a_to_b, sc->b_to_a);
		uint64_t kbps = t ? bytes * 1000 / t : 0;   /* KB/s, 1000 */

		sim_print("%-4s %-34s %3u%% loss %8llu.%03llu ms  %5llu.%02llu MB/s"
			  "  segs %lu rtx %lu rto %lu tlp %lu fr %lu lost-rtx %lu ooo %lu\n",
			  ok ? "ok" : "FAIL", sc->name, sc->loss_pct,
			  (unsigned long long)(t / 1000),
			  (unsigned long long)(t % 1000),
			  (unsigned long long)(kbps / 1000),
			  (unsigned long long)(kbps % 1000 / 10),
			  tcp_stats.segs_out, tcp_stats.retrans, tcp_stats.rto,
			  tcp_stats.tlp, tcp_stats.fast_rtx, tcp_stats.lost_rtx,
			  tcp_stats.ooo_segs);
		if (verbose)
			sim_print("     link: A->B sent %lu lost %lu qdrop %lu, "
				  "B->A sent %lu lost %lu qdrop %lu; bad csum %lu\n",
				  link.dir[0].sent, link.dir[0].lost,
				  link.dir[0].qdrops, link.dir[1].sent,
				  link.dir[1].lost, link.dir[1].qdrops,
				  tcp_stats.bad_csum);
	}
	return ok;
}

#define MiB (1024ull * 1024)

static const struct scenario scenarios[] = {
	{ "bulk 4 MiB each way, 1 Gb/s 0.1 ms", 1000, 100, 0, 4 * MiB, 4 * MiB, 0, 0, 0, 0 },
	{ "bulk 4 MiB each way, 1 Gb/s 0.1 ms", 1000, 100, 10, 4 * MiB, 4 * MiB, 0, 0, 0, 0 },
	{ "bulk 4 MiB each way, 100 Mb/s 1 ms", 100, 1000, 0, 4 * MiB, 4 * MiB, 0, 0, 0, 0 },
	{ "bulk 4 MiB each way, 100 Mb/s 1 ms", 100, 1000, 10, 4 * MiB, 4 * MiB, 0, 0, 0, 0 },
	{ "bulk 1 MiB one way, window op 20000", 1000, 100, 0, 1 * MiB, 0, 0, 0, 20000, 0 },
	{ "bulk 1 MiB each way, corrupt 1/50", 1000, 100, 0, 1 * MiB, 1 * MiB, 0, 0, 0, 1 },
	{ "reads 64 x 64 KiB (iSCSI-like)", 1000, 100, 0, 0, 0, 65536, 64, 0, 0 },
	{ "reads 64 x 64 KiB (iSCSI-like)", 1000, 100, 10, 0, 0, 65536, 64, 0, 0 },
	{ "reads 1024 x 4 KiB (iSCSI-like)", 1000, 100, 0, 0, 0, 4096, 1024, 0, 0 },
	{ "reads 1024 x 4 KiB (iSCSI-like)", 1000, 100, 10, 0, 0, 4096, 1024, 0, 0 },
	/* Harder conditions: only that the data arrive intact matters. */
	{ "bulk 256 KiB each way, 30% loss", 1000, 100, 30, 256 << 10, 256 << 10, 0, 0, 0, 0, 0 },
	{ "bulk 1 MiB, window op 3000, loss", 1000, 100, 10, 1 * MiB, 64 << 10, 0, 0, 3000, 0, 0 },
	{ "bulk 1 MiB each way, MTU 576, loss", 100, 500, 10, 1 * MiB, 1 * MiB, 0, 0, 0, 0, 576 },
	{ "bulk 1 MiB each way, corrupt + loss", 1000, 100, 10, 1 * MiB, 1 * MiB, 0, 0, 0, 1, 0 },
};

int sim_main(int argc, char **argv)
{
	unsigned int i, seeds = 1, s, failed = 0;
	const char *only = NULL;
	int k;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-v"))
			verbose++;
		else if (!strcmp(argv[k], "-n") && k + 1 < argc)
			seeds = (unsigned int)strtoul(argv[++k], NULL, 10);
		else
			only = argv[k];
	}
	sim_print("TCP simulation (simulated time; two dust ends, one link)\n");
	for (s = 0; s < seeds; s++) {
		for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
			if (only && !strstr(scenarios[i].name, only))
				continue;
			if (!run(&scenarios[i], s + 1))
				failed++;
		}
	}
	sim_print("%u scenario(s) failed\n", failed);
	return failed ? 1 : 0;
}
