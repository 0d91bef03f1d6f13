/* Tests of the TFTP client against a fake server: option negotiation,
 * windows, loss and reordering, fall-back without options, errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/settings.h>
#include <dust/umalloc.h>
#include <dust/tftp.h>
#include <dust/uri.h>
#include <dust/xfer.h>
#include "fakenet.h"
#include "unit.h"

#define FILE_LEN 300000

static struct {
	struct net_device *netdev;
	int armed;
	int no_options;          /* behave like RFC 1350 only */
	int no_window;           /* options, but not windowsize (dnsmasq) */
	int error_code;          /* answer the RRQ with this error */
	int junk_first;          /* a packet that is no answer comes first */
	const char *blksize_text; /* the OACK's blksize value, if not ours */
	unsigned int tsize_extra; /* announce this much more than there is */
	unsigned int window, blksize;
	uint16_t client_port;
	uint32_t next;           /* next block to send (32-bit count) */
	uint32_t acked;
	unsigned long sent, dropped;
	unsigned int drop_every; /* drop blocks at random, one in this many */
	int reorder;             /* swap pairs of blocks in each window */
	int opts_seen;
	uint8_t *file;
} ts;

static void ts_send(const uint8_t *p, size_t len)
{
	uint8_t frame[1600];

	fakenet_inject(ts.netdev, frame,
		       build_udp(frame, fake_mac, server_mac, "192.0.2.1", 40000,
				 "192.0.2.100", ts.client_port, p, len));
}

static size_t ts_block(uint32_t n, uint8_t *pkt)
{
	size_t off = (size_t)(n - 1) * ts.blksize, len;

	len = off >= FILE_LEN ? 0 : FILE_LEN - off;
	if (len > ts.blksize)
		len = ts.blksize;
	pkt[0] = 0;
	pkt[1] = 3;
	pkt[2] = (uint8_t)(n >> 8);
	pkt[3] = (uint8_t)n;
	memcpy(pkt + 4, ts.file + off, len);
	return len + 4;
}

/* The loss pattern: its own generator, so other tests cannot change it. */
static uint32_t ts_seed;

static uint32_t ts_rand(void)
{
	ts_seed = ts_seed * 1103515245u + 12345u;
	return ts_seed >> 8;
}

/* Send a window starting after block `from`. */
static void ts_window(uint32_t from)
{
	uint8_t pkt[2][1600];
	size_t len[2];
	int held = 0;
	uint32_t n;
	unsigned int i;

	for (i = 0; i < ts.window; i++) {
		n = from + 1 + i;
		if ((size_t)(n - 1) * ts.blksize > FILE_LEN)
			break;
		len[i & 1] = ts_block(n, pkt[i & 1]);
		ts.sent++;
		if (ts.drop_every && ts_rand() % ts.drop_every == 0) {
			ts.dropped++;
			if (len[i & 1] < ts.blksize + 4)
				break;
			continue;
		}
		if (ts.reorder && !(i & 1)) {
			held = 1;           /* sent after the next one */
		} else {
			ts_send(pkt[i & 1], len[i & 1]);
			if (held)
				ts_send(pkt[0], len[0]);
			held = 0;
		}
		if (len[i & 1] < ts.blksize + 4)
			break;
	}
	if (held)
		ts_send(pkt[0], len[0]);   /* nothing came after it */
}

/* Did the RRQ carry the windowsize option? */
static int asks_window(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 10 <= len; i++)
		if (!memcmp(p + i, "windowsize", 10))
			return 1;
	return 0;
}

static void ts_step(void)
{
	struct io_buffer *iob;

	if (!ts.armed)
		return;
	while ((iob = fakenet_take(ts.netdev))) {
		const uint8_t *q = iob->data;
		uint16_t sport, dport;
		size_t len;
		const uint8_t *p;

		if (iob_len(iob) >= 42 && q[12] == 0x08 && q[13] == 0x06) {
			uint8_t arp[60];

			memset(arp, 0, sizeof(arp));
			memcpy(arp, fake_mac, 6);
			memcpy(arp + 6, server_mac, 6);
			memcpy(arp + 12, q + 12, 10);
			arp[21] = 2;
			memcpy(arp + 22, server_mac, 6);
			memcpy(arp + 28, q + 38, 4);
			memcpy(arp + 32, q + 22, 10);
			fakenet_inject(ts.netdev, arp, sizeof(arp));
			free_iob(iob);
			continue;
		}
		p = parse_udp(iob, &len, &sport, &dport, NULL, NULL);
		if (!p || len < 4) {
			free_iob(iob);
			continue;
		}
		if (dport == 69 && p[1] == 1) {          /* RRQ */
			ts.client_port = sport;
			ts.opts_seen = asks_window(p, len);
			if (ts.error_code) {
				uint8_t err[32] = { 0, 5, 0, (uint8_t)ts.error_code };

				strcpy((char *)err + 4, "File not found");
				ts_send(err, 4 + 15);
			} else if (ts.no_options) {
				if (ts.junk_first) {
					/* An ACK opcode: nothing a client
					 * takes from a server. */
					static const uint8_t junk[4] = { 0, 4 };

					ts_send(junk, sizeof(junk));
				}
				ts.blksize = 512;
				ts.window = 1;
				ts_window(0);
			} else {
				uint8_t oack[64] = { 0, 6 };
				size_t n = 2;

				n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "blksize") + 1;
				if (ts.blksize_text)
					n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "%s", ts.blksize_text) + 1;
				else
					n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "%u", ts.blksize) + 1;
				n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "tsize") + 1;
				n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "%u", FILE_LEN + ts.tsize_extra) + 1;
				if (ts.no_window) {
					ts.window = 1;
				} else {
					n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "windowsize") + 1;
					n += (size_t)snprintf((char *)oack + n, sizeof(oack) - n, "%u", ts.window) + 1;
				}
				ts_send(oack, n);
			}
		} else if (dport == 40000 && p[1] == 4) { /* ACK */
			uint16_t b = (uint16_t)(p[2] << 8 | p[3]);
			uint32_t full = (ts.acked & ~0xffffu) | b;

			if (full + 0x8000 < ts.acked)
				full += 0x10000;
			ts.acked = full;
			if ((size_t)full * ts.blksize <= FILE_LEN)
				ts_window(full);
		}
		free_iob(iob);
	}
}

PERMANENT_PROCESS(fake_tftp_server) = { "test-tftp-server", ts_step };

static uint8_t arena[4 << 20] __attribute__((aligned(4096)));
static int arena_given;

static void ts_start(void)
{
	char name[32];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	size_t i;

	if (!arena_given) {
		arena_given = 1;
		umalloc_add(arena, sizeof(arena));
	}
	memset(&ts, 0, sizeof(ts));
	ts.file = malloc(FILE_LEN);
	for (i = 0; i < FILE_LEN; i++)
		ts.file[i] = (uint8_t)(i * 31 + (i >> 11));
	ts.netdev = fakenet_create(fake_mac);
	snprintf(name, sizeof(name), "%s/ip", ts.netdev->name);
	parse_setting_name(name, &block, &s, &tmp);
	storef_setting(block, s, "192.0.2.100");
	ts.window = 16;
	ts.blksize = 1400;
	ts.armed = 1;
}

static void ts_stop(void)
{
	struct image *image, *tmp;

	ts.armed = 0;
	list_for_each_entry_safe(image, tmp, &images, list)
		unregister_image(image);
	fakenet_destroy(ts.netdev);
	free(ts.file);
}

static int fetch(struct image **image)
{
	int rc;

	host_capture_start();
	rc = imgdownload("tftp://192.0.2.1/test.bin", image);
	host_capture_stop();
	return rc;
}

UNIT_TEST(tftp_windowed)
{
	struct image *image;

	ts_start();
	check_eq(fetch(&image), 0);
	check(ts.opts_seen);
	check(image && image->len == FILE_LEN);
	if (image)
		check_mem(image->data, ts.file, FILE_LEN);
	check_str(image ? image->name : "", "test.bin");
	ts_stop();
}

UNIT_TEST(tftp_loss_and_reordering)
{
	struct image *image;

	ts_start();
	ts_seed = 7;
	ts.drop_every = 7;
	ts.reorder = 1;
	check_eq(fetch(&image), 0);
	check(ts.dropped > 10);
	check(image && image->len == FILE_LEN);
	if (image)
		check_mem(image->data, ts.file, FILE_LEN);
	ts_stop();
}

UNIT_TEST(tftp_without_options)
{
	struct image *image;

	ts_start();
	ts.no_options = 1;
	check_eq(fetch(&image), 0);
	check(image && image->len == FILE_LEN);
	if (image)
		check_mem(image->data, ts.file, FILE_LEN);
	ts_stop();
}

UNIT_TEST(tftp_junk_before_the_first_block)
{
	struct image *image;

	ts_start();
	ts.no_options = 1;
	ts.junk_first = 1;
	check_eq(fetch(&image), 0);
	check(image && image->len == FILE_LEN);
	if (image)
		check_mem(image->data, ts.file, FILE_LEN);
	ts_stop();
}

/* A consumer that only counts, to see TFTP's own verdict (the downloader
 * would also compare the size announced with what came). */
struct probe {
	struct xfer xfer;
	int done, rc;
	size_t got;
	unsigned int sizes;
};

static int probe_deliver(struct xfer *x, struct io_buffer *iob,
			 const struct xfer_meta *meta)
{
	(void)meta;
	container_of(x, struct probe, xfer)->got += iob_len(iob);
	free_iob(iob);
	return 0;
}

static void probe_close(struct xfer *x, int rc)
{
	struct probe *p = container_of(x, struct probe, xfer);

	p->done = 1;
	p->rc = rc;
}

static void probe_size_known(struct xfer *x, size_t size)
{
	(void)size;
	container_of(x, struct probe, xfer)->sizes++;
}

static const struct xfer_ops probe_ops = {
	.deliver = probe_deliver,
	.close = probe_close,
	.size_known = probe_size_known,
};

/* Fetch test.bin into a probe. */
static void probe_fetch(struct probe *p)
{
	struct uri *uri;

	memset(p, 0, sizeof(*p));
	xfer_init(&p->xfer, &probe_ops, NULL);
	uri = parse_uri("tftp://192.0.2.1/test.bin");
	check_eq(xfer_open_uri(&p->xfer, uri), 0);
	free(uri);
	while (!p->done)
		step();
}

UNIT_TEST(tftp_size_disagrees)
{
	struct probe p;

	ts_start();
	ts.tsize_extra = 1000;
	probe_fetch(&p);
	check(rc_is(p.rc, EIO_K));
	check_eq(p.got, FILE_LEN);
	check_eq(p.sizes, 1);
	ts_stop();
}

UNIT_TEST(tftp_refused_oack_announces_nothing)
{
	struct probe p;

	/* tsize is fine, windowsize 0 is not: the OACK is refused whole. */
	ts_start();
	ts.window = 0;
	host_capture_start();
	probe_fetch(&p);
	host_capture_stop();
	check(rc_is(p.rc, EPROTO_K));
	check_eq(p.sizes, 0);
	ts_stop();
}

UNIT_TEST(tftp_options_without_windowsize)
{
	struct image *image;
	unsigned long timeouts = tftp_stats_timeouts();

	ts_start();
	ts.no_window = 1;
	check_eq(fetch(&image), 0);
	check(image && image->len == FILE_LEN);
	if (image)
		check_mem(image->data, ts.file, FILE_LEN);
	/* Lock-step with the server: no block waits for a timeout. */
	check_eq(tftp_stats_timeouts(), timeouts);
	ts_stop();
}

UNIT_TEST(tftp_errors)
{
	struct image *image;
	const char *out;
	int rc;

	ts_start();
	ts.error_code = 1;
	host_capture_start();
	rc = imgdownload("tftp://192.0.2.1/missing.bin", &image);
	out = host_capture_stop();
	check(rc_is(rc, ENOENT_K));
	check(image == NULL);
	check(strstr(out, "error 1: File not found") != NULL);
	check(strstr(out, "tftp://192.0.2.1/missing.bin: Not found") != NULL);
	/* An option value no integer holds: 2^64 + 1024 (strtoul wrapped it
	 * to 1024, a block size the client would then have used). */
	ts.error_code = 0;
	ts.blksize = 1024;
	ts.blksize_text = "18446744073709552640";
	host_capture_start();
	rc = imgdownload("tftp://192.0.2.1/test.bin", &image);
	out = host_capture_stop();
	check(rc_is(rc, EPROTO_K));
	check(image == NULL);
	check(strstr(out, "sent options we cannot use") != NULL);
	ts.blksize_text = NULL;
	/* Nobody answers at all: bounded retries, then a timeout. */
	ts.armed = 0;
	host_capture_start();
	rc = imgdownload("tftp://192.0.2.1/x", &image);
	host_capture_stop();
	check(rc_is(rc, ETIMEDOUT_K));
	fakenet_drop_all(ts.netdev);
	ts_stop();
}
