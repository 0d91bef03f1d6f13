/* libFuzzer harness for TCP (src/net/tcp.c): a connection is opened and
 * the input is played as a script of events: segments from the peer
 * (checksum and ports fixed up so they reach the connection, sequence and
 * acknowledgment numbers relative to both initial sequence numbers so
 * deep states are reachable), time passing, the user sending, closing or
 * changing its window.  Built and run by `make fuzz` (tests/fuzz/run.sh).
 * The network layer below is a stand-in that counts and frees what TCP
 * sends; at the end everything must be gone (ASan checks leaks). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <byteswap.h>
#include <dust/iobuf.h>
#include <dust/tcp.h>
#include <dust/tcpip.h>
#include <dust/timer.h>
#include <dust/xfer.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The C library's, which dust's headers do not declare. */
int posix_memalign(void **p, size_t align, size_t size);

/* ---- what the rest of dust would provide */

static uint32_t now_ms;

uint32_t currtime_ms(void)
{
	return now_ms;
}

void *zalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p)
		memset(p, 0, n);
	return p;
}

void *malloc_dma(size_t n, size_t align)
{
	void *p;

	if (align < 16)
		align = 16;
	return posix_memalign(&p, align, n ? n : 1) ? NULL : p;
}

void free_dma(void *p, size_t n)
{
	(void)n;
	free(p);
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
	s->sin_addr.s_addr = htonl(0x0a000001);
	return 0;
}

static size_t mtu = 1500;

size_t tcpip_max_segment(const struct sockaddr *dst)
{
	(void)dst;
	return mtu - 20;
}

uint16_t tcpip_ephemeral_port(void)
{
	return 50000;
}

static unsigned long sent;

int tcpip_tx(struct io_buffer *iob, uint8_t proto, const struct sockaddr *src,
	     const struct sockaddr *dst, struct net_device *netdev)
{
	const uint8_t *h = iob->data;
	size_t len = iob_len(iob);

	(void)proto;
	(void)netdev;
	/* What TCP sends must be a well-formed segment. */
	if (len < 20 || (size_t)(h[12] >> 4) * 4 > len || len > mtu - 20 ||
	    csum_fold(csum_partial(h, len, tcpip_pseudo_sum(src, dst, IP_TCP,
							    len))) != 0)
		__builtin_trap();
	sent++;
	free_iob(iob);
	return 0;
}

/* ---- the user of the connection */

struct user {
	struct xfer xfer;
	int closed;
	size_t got;
	size_t rwnd;
	size_t close_at;
	int close_rc;
};

static int user_deliver(struct xfer *x, struct io_buffer *iob,
			const struct xfer_meta *meta)
{
	struct user *u = container_of(x, struct user, xfer);

	(void)meta;
	u->got += iob_len(iob);
	free_iob(iob);
	if (u->close_at && u->got >= u->close_at) {
		u->close_at = 0;
		u->closed = 1;
		xfer_close(x, u->close_rc);
	}
	return 0;
}

static void user_close(struct xfer *x, int rc)
{
	(void)rc;
	container_of(x, struct user, xfer)->closed = 1;
}

static size_t user_window(struct xfer *x)
{
	return container_of(x, struct user, xfer)->rwnd;
}

static const struct xfer_ops user_ops = {
	.deliver = user_deliver,
	.close = user_close,
};

static const struct xfer_ops user_ops_window = {
	.deliver = user_deliver,
	.window = user_window,
	.close = user_close,
};

#define OUR_ISS  0xfffff000u
#define PEER_ISS 0x7ffffff0u

static int (*tcp_rx_fn)(struct io_buffer *, struct net_device *,
			const struct sockaddr *, const struct sockaddr *,
			uint32_t);

static void peer_segment(struct sockaddr_in *us, struct sockaddr_in *peer,
			 const uint8_t *in, size_t len, uint8_t how)
{
	struct io_buffer *iob = alloc_iob(len + 20);
	uint8_t *h;
	uint32_t v;
	uint16_t c;

	if (!iob)
		return;
	h = iob_put(iob, len < 20 ? 20 : len);
	memset(h, 0, 20);
	memcpy(h, in, len);
	if (len < 20 && !(how & 0x10))
		iob_unput(iob, 20 - len);            /* a runt, sometimes */
	if (!(how & 0x01) && iob_len(iob) >= 4) {
		memcpy(h, &peer->sin_port, 2);
		memcpy(h + 2, &us->sin_port, 2);
	}
	if (!(how & 0x02) && iob_len(iob) >= 12) {
		memcpy(&v, h + 4, 4);
		v = htonl(ntohl(v) + PEER_ISS);
		memcpy(h + 4, &v, 4);
		memcpy(&v, h + 8, 4);
		v = htonl(ntohl(v) + OUR_ISS);
		memcpy(h + 8, &v, 4);
	}
	if (!(how & 0x04) && iob_len(iob) >= 18) {
		h[16] = h[17] = 0;
		c = csum_fold(csum_partial(h, iob_len(iob),
			tcpip_pseudo_sum((struct sockaddr *)peer,
					 (struct sockaddr *)us, IP_TCP,
					 iob_len(iob))));
		memcpy(h + 16, &c, 2);
	}
	tcp_rx_fn(iob, NULL, (struct sockaddr *)peer, (struct sockaddr *)us,
		  tcpip_pseudo_sum((struct sockaddr *)peer,
				   (struct sockaddr *)us, IP_TCP, iob_len(iob)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tcpip_protocol *tp;
	struct sockaddr_in peer, us;
	struct tcp_conn_info info;
	struct user u;
	size_t i = 0;
	unsigned int n;

	for_each_table_entry(tp, struct tcpip_protocol, "tcpip_protocols")
		if (tp->proto == IP_TCP)
			tcp_rx_fn = tp->rx;
	if (!tcp_rx_fn || size < 2)
		return 0;
	now_ms = 0x12345678;
	mtu = 576 + (data[0] & 0x3f) * 16;
	memset(&u, 0, sizeof(u));
	xfer_init(&u.xfer, (data[1] & 1) ? &user_ops_window : &user_ops, NULL);
	u.rwnd = (size_t)(data[1] >> 1) << 10;
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_addr.s_addr = htonl(0x0a000002);
	peer.sin_port = htons(3260);
	tcp_set_next_iss(OUR_ISS);
	if (tcp_open(&u.xfer, (struct sockaddr *)&peer, NULL))
		return 0;
	us.sin_family = AF_INET;
	memset(&us, 0, sizeof(us));
	us.sin_family = AF_INET;
	us.sin_addr.s_addr = htonl(0x0a000001);
	us.sin_port = htons(50000);
	i = 2;
	while (i + 2 <= size) {
		uint8_t op = data[i], arg = data[i + 1];

		i += 2;
		switch (op & 7) {
		case 0: case 1: case 2:             /* a segment of arg bytes */
			n = MIN((size_t)arg + 20, size - i);
			peer_segment(&us, &peer, data + i, n, op >> 3);
			i += n;
			break;
		case 3:                             /* time passes */
			now_ms += (uint32_t)arg << (op >> 4);
			timers_run();
			break;
		case 4:                             /* the user sends */
			if (!u.closed) {
				size_t len = (size_t)arg << (op >> 5);
				struct io_buffer *iob = alloc_iob(len);

				if (iob) {
					memset(iob_put(iob, len), op, len);
					xfer_deliver(&u.xfer, iob, NULL);
				}
			}
			break;
		case 5:                             /* the user closes */
			if (!u.closed) {
				u.closed = 1;
				xfer_close(&u.xfer, (op & 8) ? -ECANCELED : 0);
			}
			break;
		case 6:                             /* the user's window */
			u.rwnd = (size_t)arg << (op >> 4);
			xfer_window_open(&u.xfer);
			break;
		case 7:                             /* close inside deliver */
			u.close_at = u.got + arg + 1;
			u.close_rc = (op & 8) ? -ECANCELED : 0;
			break;
		}
	}
	/* Whatever state it is in, the connection must go away. */
	if (!u.closed)
		xfer_close(&u.xfer, (data[1] & 2) ? -ECANCELED : 0);
	for (n = 0; n < 64 && tcp_conn_info(0, &info) == 0; n++) {
		now_ms += 30000;
		timers_run();
	}
	if (tcp_conn_info(0, &info) == 0)
		__builtin_trap();
	return 0;
}
