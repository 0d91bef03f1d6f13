/* TFTP client (RFC 1350) with option negotiation (RFC 2347): blksize
 * (RFC 2348), tsize and timeout (RFC 2349) and windowsize (RFC 7440).
 * A server that ignores the options gets plain RFC 1350 with 512-byte
 * blocks.  Block numbers wrap at 65536; a 32-bit count keeps the place. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/dns.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/tcpip.h>
#include <dust/timer.h>
#include <dust/tftp.h>
#include <dust/udp.h>
#include <dust/uri.h>
#include <dust/xfer.h>

#define TFTP_PORT 69
#define TFTP_RRQ   1
#define TFTP_DATA  3
#define TFTP_ACK   4
#define TFTP_ERROR 5
#define TFTP_OACK  6

#define TFTP_WINDOW 64            /* blocks asked for per window */
#define TFTP_RRQ_TRIES 5
#define TFTP_ACK_TRIES 8          /* retransmissions of one ACK */
#define TFTP_FIRST_TIMEOUT_MS 1000
#define TFTP_MAX_TIMEOUT_MS 4000

static struct tftp_stats {
	unsigned long blocks, duplicates, out_of_order, timeouts;
} tftp_stats;

unsigned long tftp_stats_timeouts(void)
{
	return tftp_stats.timeouts;
}

struct tftp {
	struct refcnt refcnt;
	struct xfer xfer;            /* to the downloader */
	struct xfer socket;          /* to UDP */
	struct timer timer;
	struct uri *uri;
	struct sockaddr_in server;   /* port: 69, then the server's TID */
	int have_tid;
	int resolving;
	size_t blksize;
	size_t blksize_asked;
	unsigned int windowsize;
	uint32_t blocks;             /* blocks received in order */
	uint32_t window_end;         /* ACK when this block arrives */
	size_t tsize;                /* the size the server announced, or 0 */
	int gap_acked;               /* already asked to resume this window */
	unsigned int tries;
	uint32_t timeout;
	int started;                 /* a first reply came */
	int closed;
};

/* End the transfer (once): close both ends and drop the reference the
 * running transfer held (callers are inside a call that holds one). */
static void tftp_done(struct tftp *t, int rc)
{
	if (t->closed)
		return;
	t->closed = 1;
	timer_stop(&t->timer);
	xfer_close(&t->socket, 0);
	xfer_close(&t->xfer, rc);
	ref_put(&t->refcnt);
}

static int tftp_send(struct tftp *t, const void *data, size_t len)
{
	struct xfer_meta meta;

	memset(&meta, 0, sizeof(meta));
	meta.dest = (struct sockaddr *)&t->server;
	return xfer_deliver_raw(&t->socket, data, len, &meta);
}

static size_t put_str(uint8_t *buf, size_t pos, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(buf + pos, s, n);
	return pos + n;
}

static int tftp_send_rrq(struct tftp *t)
{
	uint8_t buf[512 + 100];
	char num[12];
	const char *path = t->uri->path ? t->uri->path : "/";
	size_t pos = 2, max_blk;

	/* A leading slash is not part of a TFTP file name. */
	if (*path == '/')
		path++;
	if (strlen(path) > 400)
		return -ENAMETOOLONG;
	buf[0] = 0;
	buf[1] = TFTP_RRQ;
	pos = put_str(buf, pos, path);
	pos = put_str(buf, pos, "octet");
	max_blk = tcpip_max_segment((struct sockaddr *)&t->server) - 8 - 4;
	t->blksize_asked = max_blk;
	snprintf(num, sizeof(num), "%zu", max_blk);
	pos = put_str(buf, pos, "blksize");
	pos = put_str(buf, pos, num);
	pos = put_str(buf, pos, "tsize");
	pos = put_str(buf, pos, "0");
	pos = put_str(buf, pos, "timeout");
	pos = put_str(buf, pos, "1");
	snprintf(num, sizeof(num), "%u", TFTP_WINDOW);
	pos = put_str(buf, pos, "windowsize");
	pos = put_str(buf, pos, num);
	return tftp_send(t, buf, pos);
}

static int tftp_send_ack(struct tftp *t)
{
	uint8_t ack[4];

	ack[0] = 0;
	ack[1] = TFTP_ACK;
	ack[2] = (uint8_t)(t->blocks >> 8);
	ack[3] = (uint8_t)t->blocks;
	return tftp_send(t, ack, sizeof(ack));
}

/* Acknowledge t->blocks and expect the next window. */
static void tftp_ack_window(struct tftp *t)
{
	t->window_end = t->blocks + t->windowsize;
	t->gap_acked = 0;
	t->tries = 0;
	t->timeout = TFTP_FIRST_TIMEOUT_MS;
	tftp_send_ack(t);
	timer_start(&t->timer, t->timeout);
}

static void tftp_expired(struct timer *tm)
{
	struct tftp *t = container_of(tm, struct tftp, timer);
	unsigned int limit = t->started ? TFTP_ACK_TRIES : TFTP_RRQ_TRIES;

	tftp_stats.timeouts++;
	if (++t->tries >= limit) {
		tftp_done(t, -ETIMEDOUT);
		return;
	}
	if (t->timeout < TFTP_MAX_TIMEOUT_MS)
		t->timeout *= 2;
	if (t->started) {
		/* Lost data or a lost ACK: ask again from where we are. */
		t->window_end = t->blocks + t->windowsize;
		t->gap_acked = 0;
		tftp_send_ack(t);
	} else {
		t->have_tid = 0;
		t->server.sin_port = htons((uint16_t)uri_port(t->uri, TFTP_PORT));
		tftp_send_rrq(t);
	}
	timer_start(&t->timer, t->timeout);
}

/* An option's value: decimal digits (strtoul would also take a sign or
 * spaces, and wrap where the number overflows). */
static int tftp_option_value(const char *s, unsigned long *v)
{
	unsigned long x = 0;

	if (!*s)
		return -EPROTO;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (d > 9 || x > ((unsigned long)-1 - d) / 10)
			return -EPROTO;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* Options the server accepted (RFC 2347 section "Option Acknowledgment"). */
static int tftp_rx_oack(struct tftp *t, const uint8_t *p, size_t len)
{
	size_t pos = 0;
	int sized = 0;

	/* An option the server leaves out is refused (RFC 2347): without
	 * windowsize the window is one block (RFC 7440), without blksize
	 * the block is 512 bytes (RFC 2348). */
	t->windowsize = 1;
	t->blksize = 512;
	t->tsize = 0;

	while (pos < len) {
		const char *name = (const char *)p + pos, *value;
		size_t nlen = strnlen(name, len - pos);
		unsigned long v;

		if (pos + nlen >= len)
			return -EPROTO;
		value = name + nlen + 1;
		pos += nlen + 1;
		if (strnlen(value, len - pos) >= len - pos)
			return -EPROTO;
		pos += strlen(value) + 1;
		if (tftp_option_value(value, &v))
			return -EPROTO;
		if (!strcasecmp(name, "blksize")) {
			if (v < 8 || v > t->blksize_asked)
				return -EPROTO;   /* never larger than asked */
			t->blksize = v;
		} else if (!strcasecmp(name, "windowsize")) {
			if (!v || v > TFTP_WINDOW)
				return -EPROTO;
			t->windowsize = (unsigned int)v;
		} else if (!strcasecmp(name, "tsize")) {
			t->tsize = v;
			sized = 1;
		}
	}
	/* Told only once the options are all acceptable. */
	if (sized)
		xfer_size_known(&t->xfer, t->tsize);
	return 0;
}

/* A DATA packet; iob->data is at the block number.  Takes the iob: the
 * data goes on to the consumer in it, without a copy. */
static void tftp_rx_data(struct tftp *t, struct io_buffer *iob)
{
	const uint8_t *p = iob->data;
	uint16_t block = (uint16_t)(p[0] << 8 | p[1]);
	uint16_t expect = (uint16_t)(t->blocks + 1);
	struct xfer_meta meta;
	size_t dlen = iob_len(iob) - 2;

	if (block != expect) {
		/* Behind us: a duplicate.  Ahead: something was lost.  Either
		 * way, say once where we are so the server resumes there. */
		if ((uint16_t)(block - expect) < 0x8000)
			tftp_stats.out_of_order++;
		else
			tftp_stats.duplicates++;
		if (!t->gap_acked) {
			t->gap_acked = 1;
			t->window_end = t->blocks + t->windowsize;
			tftp_send_ack(t);
		}
		free_iob(iob);
		return;
	}
	if (dlen > t->blksize) {
		free_iob(iob);
		tftp_done(t, -EPROTO);
		return;
	}
	tftp_stats.blocks++;
	/* Progress: the retry count and timer start over. */
	t->tries = 0;
	t->timeout = TFTP_FIRST_TIMEOUT_MS;
	memset(&meta, 0, sizeof(meta));
	meta.flags = XFER_ABSOLUTE;
	meta.offset = (size_t)t->blocks * t->blksize;
	t->blocks++;
	iob_pull(iob, 2);
	if (!dlen)
		free_iob(iob);
	else if (xfer_deliver(&t->xfer, iob, &meta) < 0) {
		tftp_done(t, -ENOMEM);
		return;
	}
	if (dlen < t->blksize) {
		/* The last block: the file is complete only if it is the size
		 * the server announced. */
		size_t total = (size_t)(t->blocks - 1) * t->blksize + dlen;

		tftp_send_ack(t);
		tftp_done(t, t->tsize && total != t->tsize ? -EIO : 0);
		return;
	}
	if (t->blocks == t->window_end) {
		tftp_ack_window(t);
	} else {
		t->gap_acked = 0;
		timer_start(&t->timer, t->timeout);
	}
}

static void tftp_rx_error(struct tftp *t, const uint8_t *p, size_t len)
{
	uint16_t code = (uint16_t)(p[0] << 8 | p[1]);
	char msg[80];
	size_t i, n = len - 2 < sizeof(msg) - 1 ? len - 2 : sizeof(msg) - 1;
	int rc;

	for (i = 0; i < n && p[2 + i]; i++)
		msg[i] = isprint(p[2 + i]) ? (char)p[2 + i] : '?';
	msg[i] = 0;
	switch (code) {
	case 1: rc = -ENOENT; break;      /* file not found */
	case 2: rc = -EACCES; break;      /* access violation */
	case 8: rc = -ENOTSUP; break;     /* option negotiation refused */
	default: rc = -EIO; break;
	}
	printf("\ntftp: server %s says: error %u: %s\n",
	       inet_ntoa(t->server.sin_addr), code, msg[0] ? msg : "(no text)");
	tftp_done(t, rc);
}

static int tftp_socket_deliver(struct xfer *x, struct io_buffer *iob,
			       const struct xfer_meta *meta)
{
	struct tftp *t = container_of(x, struct tftp, socket);
	const struct sockaddr_in *from =
		meta ? (const struct sockaddr_in *)meta->src : NULL;
	const uint8_t *p = iob->data;
	size_t len = iob_len(iob);
	uint16_t op;

	if (t->closed || !from || len < 4 ||
	    from->sin_addr.s_addr != t->server.sin_addr.s_addr)
		goto out;
	op = (uint16_t)(p[0] << 8 | p[1]);
	/* Only answers count: anything else neither fixes the server's
	 * transfer identifier nor starts the transfer (which would leave
	 * the block size unset for a server without options). */
	if (op != TFTP_DATA && op != TFTP_OACK && op != TFTP_ERROR)
		goto out;
	/* The first reply fixes the server's transfer identifier. */
	if (!t->have_tid) {
		t->have_tid = 1;
		t->server.sin_port = from->sin_port;
	} else if (from->sin_port != t->server.sin_port) {
		goto out;           /* another transfer's packet */
	}
	if (!t->started && op != TFTP_ERROR) {
		t->started = 1;
		if (op == TFTP_DATA) {
			/* No options understood: RFC 1350 as it was. */
			t->blksize = 512;
			t->windowsize = 1;
			t->window_end = 1;
		}
	}
	switch (op) {
	case TFTP_OACK:
		if (t->blocks) {
			break;      /* a late duplicate */
		}
		if (tftp_rx_oack(t, p + 2, len - 2)) {
			printf("\ntftp: server %s sent options we cannot use\n",
			       inet_ntoa(t->server.sin_addr));
			tftp_done(t, -EPROTO);
			break;
		}
		tftp_ack_window(t);
		break;
	case TFTP_DATA:
		iob_pull(iob, 2);
		tftp_rx_data(t, iob);
		return 0;
	case TFTP_ERROR:
		tftp_rx_error(t, p + 2, len - 2);
		break;
	default:
		break;
	}
out:
	free_iob(iob);
	return 0;
}

static void tftp_socket_close(struct xfer *x, int rc)
{
	struct tftp *t = container_of(x, struct tftp, socket);

	tftp_done(t, rc ? rc : -ECONNABORTED);
}

static void tftp_xfer_close(struct xfer *x, int rc)
{
	struct tftp *t = container_of(x, struct tftp, xfer);

	(void)rc;
	tftp_done(t, -ECANCELED);
}

static const struct xfer_ops tftp_socket_ops = {
	.deliver = tftp_socket_deliver,
	.close = tftp_socket_close,
};

static const struct xfer_ops tftp_xfer_ops = {
	.close = tftp_xfer_close,
};

static void tftp_free(struct refcnt *r)
{
	struct tftp *t = container_of(r, struct tftp, refcnt);

	free(t->uri);
	free(t);
}

/* The server address is known: open the socket and ask. */
static void tftp_resolved(void *ctx, int rc, struct in_addr addr)
{
	struct tftp *t = ctx;

	t->resolving = 0;
	if (!rc && !t->closed) {
		t->server.sin_addr = addr;
		rc = udp_open(&t->socket, NULL, NULL);
		if (!rc)
			rc = tftp_send_rrq(t);
		if (!rc)
			timer_start(&t->timer, t->timeout);
	}
	if (rc)
		tftp_done(t, rc);
	ref_put(&t->refcnt);
}

static int tftp_open(struct xfer *up, const struct uri *uri)
{
	struct tftp *t;
	int rc;

	if (!uri->host || !*uri->host)
		return -EINVAL;
	t = zalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	ref_init(&t->refcnt, tftp_free);
	xfer_init(&t->xfer, &tftp_xfer_ops, &t->refcnt);
	xfer_init(&t->socket, &tftp_socket_ops, &t->refcnt);
	timer_init(&t->timer, tftp_expired, &t->refcnt);
	t->uri = uri_dup(uri);
	if (!t->uri) {
		free(t);
		return -ENOMEM;
	}
	t->server.sin_family = AF_INET;
	t->server.sin_port = htons((uint16_t)uri_port(uri, TFTP_PORT));
	t->blksize = 1468;
	t->windowsize = TFTP_WINDOW;
	t->timeout = TFTP_FIRST_TIMEOUT_MS;
	xfer_plug(&t->xfer, up);
	ref_get(&t->refcnt);         /* for the resolver callback */
	t->resolving = 1;
	rc = resolv_start(uri->host, tftp_resolved, t, NULL);
	if (rc) {
		t->resolving = 0;
		xfer_unplug(&t->xfer);
		ref_put(&t->refcnt);
		ref_put(&t->refcnt);
		return rc;
	}
	/* The creator's reference is the running transfer's, dropped by
	 * tftp_done(); the resolver holds the other. */
	return 0;
}

URI_OPENER(tftp_opener) = { "tftp", tftp_open };
