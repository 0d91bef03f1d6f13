/* The TFTP services of the PXE API (PXE 2.1 "TFTP API"): one session at
 * a time through dust's TFTP client, handed out in packets of the size
 * the program asked for (at most PXE_TFTP_PACKET_MAX), whatever block size
 * and window the server agreed to; and whole files (TFTP_GET_FSIZE,
 * TFTP_READ_FILE).  Data waits in the core heap (never in memory the
 * program may own) until it is taken.  Kept out of the PCI option ROMs,
 * which have no room for it (see the Makefile). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <bios/pxe_server.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/uri.h>
#include <dust/xfer.h>

#define PXE_TFTP_PACKET_MAX 1432

/* A download for the TFTP services: what has come and not been taken. */
struct pxe_tftp {
	struct refcnt refcnt;
	struct xfer xfer;
	uint8_t *buf;              /* [pos, len) not taken yet */
	size_t pos, len;
	size_t total;              /* bytes delivered in all */
	size_t size;               /* size the server announced (tsize) */
	int have_size;
	int done;                  /* the transfer ended, with rc */
	int rc;
};

/* The session TFTP_OPEN opened, and the packets handed out from it. */
static struct {
	struct pxe_tftp *t;
	uint16_t packet_size;
	uint16_t packet;
} pxe_tftp_session;

static void pxe_tftp_free(struct refcnt *r)
{
	struct pxe_tftp *t = container_of(r, struct pxe_tftp, refcnt);

	free(t->buf);
	free(t);
}

static int pxe_tftp_deliver(struct xfer *x, struct io_buffer *iob,
			    const struct xfer_meta *meta)
{
	struct pxe_tftp *t = container_of(x, struct pxe_tftp, xfer);
	size_t n = iob_len(iob);
	uint8_t *buf = realloc(t->buf, t->len + n);

	(void)meta;                 /* TFTP delivers in file order */
	if (buf) {
		memcpy(buf + t->len, iob->data, n);
		t->buf = buf;
		t->len += n;
		t->total += n;
	}
	free_iob(iob);
	return buf ? 0 : -ENOMEM;
}

static void pxe_tftp_size(struct xfer *x, size_t size)
{
	struct pxe_tftp *t = container_of(x, struct pxe_tftp, xfer);

	t->size = size;
	t->have_size = 1;
}

static void pxe_tftp_closed(struct xfer *x, int rc)
{
	struct pxe_tftp *t = container_of(x, struct pxe_tftp, xfer);

	t->done = 1;
	t->rc = rc;
}

static const struct xfer_ops pxe_tftp_ops = {
	.deliver = pxe_tftp_deliver,
	.size_known = pxe_tftp_size,
	.close = pxe_tftp_closed,
};

/* What went wrong, as a PXE status. */
static unsigned int pxe_tftp_status(int rc, int started)
{
	if (rc_is(rc, ENOENT_K))
		return PXENV_STATUS_TFTP_FILE_NOT_FOUND;
	if (rc_is(rc, EACCES_K))
		return PXENV_STATUS_TFTP_ACCESS_VIOLATION;
	if (rc_is(rc, ETIMEDOUT_K))
		return started ? PXENV_STATUS_TFTP_READ_TIMEOUT :
				 PXENV_STATUS_TFTP_OPEN_TIMEOUT;
	if (rc_is(rc, ENOMEM_K))
		return PXENV_STATUS_OUT_OF_RESOURCES;
	return started ? PXENV_STATUS_TFTP_CANNOT_READ_FROM_CONNECTION :
			 PXENV_STATUS_TFTP_CANNOT_OPEN_CONNECTION;
}

/* Run the main loop until `need` bytes are queued, the announced size
 * is known (need 0), or the transfer ends. */
static void pxe_tftp_wait(struct pxe_tftp *t, size_t need)
{
	while (!t->done && (need ? t->len - t->pos < need :
				   !t->have_size && !t->total))
		step();
}

/* Start fetching name (128 bytes, maybe unterminated) from server:port
 * and wait for its first sign of life.  Returns a status; *tp is set on
 * success. */
static unsigned int pxe_tftp_start(uint32_t server, uint16_t port,
				   const char *name, struct pxe_tftp **tp)
{
	struct in_addr addr = { server };
	char portnum[6];
	struct uri uri;
	struct pxe_tftp *t;
	unsigned int status;

	if (!server || !memchr(name, 0, 128))
		return PXENV_STATUS_BAD_FUNC;
	if (netdev_open(pxe_api_netdev()))
		return PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC;
	t = zalloc(sizeof(*t));
	if (!t)
		return PXENV_STATUS_OUT_OF_RESOURCES;
	ref_init(&t->refcnt, pxe_tftp_free);
	xfer_init(&t->xfer, &pxe_tftp_ops, &t->refcnt);
	/* A URI made by hand: the name is taken as it is, unescaped. */
	memset(&uri, 0, sizeof(uri));
	snprintf(portnum, sizeof(portnum), "%u", port ? ntohs(port) : 69);
	uri.scheme = "tftp";
	uri.host = (char *)inet_ntoa(addr);
	uri.port = portnum;
	uri.path = (char *)name;
	t->rc = xfer_open_uri(&t->xfer, &uri);
	t->done = t->rc != 0;
	pxe_tftp_wait(t, 0);
	if (t->done && t->rc) {
		status = pxe_tftp_status(t->rc, 0);
		ref_put(&t->refcnt);
		return status;
	}
	*tp = t;
	return PXENV_STATUS_SUCCESS;
}

static void pxe_tftp_end(struct pxe_tftp *t)
{
	xfer_close(&t->xfer, 0);    /* cancels it if still running */
	ref_put(&t->refcnt);
}

/* Move up to len waiting bytes to dst; returns how many. */
static size_t pxe_tftp_take(struct pxe_tftp *t, void *dst, size_t len)
{
	if (len > t->len - t->pos)
		len = t->len - t->pos;
	memcpy(dst, t->buf + t->pos, len);
	t->pos += len;
	if (t->pos == t->len)
		t->pos = t->len = 0;    /* all taken: start over */
	return len;
}

static unsigned int pxe_tftp_open(void *blk)
{
	struct pxenv_tftp_open *p = blk;
	unsigned int status;

	if (pxe_tftp_session.t)
		return PXENV_STATUS_TFTP_OPEN;
	if (p->packet_size < 512)
		return PXENV_STATUS_TFTP_INVALID_PACKET_SIZE;
	status = pxe_tftp_start(p->server_ip, p->tftp_port, p->file_name,
				&pxe_tftp_session.t);
	if (status)
		return status;
	if (p->packet_size > PXE_TFTP_PACKET_MAX)
		p->packet_size = PXE_TFTP_PACKET_MAX;
	pxe_tftp_session.packet_size = p->packet_size;
	pxe_tftp_session.packet = 0;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int pxe_tftp_close(void *blk)
{
	(void)blk;
	if (!pxe_tftp_session.t)
		return PXENV_STATUS_TFTP_CLOSED;
	pxe_tftp_end(pxe_tftp_session.t);
	pxe_tftp_session.t = NULL;
	return PXENV_STATUS_SUCCESS;
}

/* The next packet: packet_size bytes, fewer only for the last one. */
static unsigned int pxe_tftp_read(void *blk)
{
	struct pxenv_tftp_read *p = blk;
	struct pxe_tftp *t = pxe_tftp_session.t;
	size_t size = pxe_tftp_session.packet_size;
	void *dst;

	if (!t)
		return PXENV_STATUS_TFTP_CLOSED;
	pxe_tftp_wait(t, size);
	if (t->done && t->rc && t->len - t->pos < size)
		return pxe_tftp_status(t->rc, 1);
	dst = pxe_ptr(p->buffer, size);
	if (!dst)
		return PXENV_STATUS_BAD_FUNC;
	p->buffer_size = (uint16_t)pxe_tftp_take(t, dst, size);
	p->packet_number = ++pxe_tftp_session.packet;
	return PXENV_STATUS_SUCCESS;
}

/* TFTP_GET_FSIZE and TFTP_READ_FILE: a whole transfer; the file goes to
 * dst (room bytes) or, when dst is NULL, only its size is wanted.
 * Returns a status; *size is the file's. */
static unsigned int pxe_tftp_whole(uint32_t server, uint16_t port,
				   const char *name, uint8_t *dst,
				   size_t room, uint32_t *size)
{
	struct pxe_tftp *t = NULL;
	unsigned int status;
	size_t got = 0;

	status = pxe_tftp_start(server, port, name, &t);
	while (!status) {
		if (!dst) {
			/* The announced size will do; without one, count. */
			t->pos = t->len = 0;
			if (t->have_size || t->done)
				break;
		} else if (t->len - t->pos > room - got) {
			status = PXENV_STATUS_OUT_OF_RESOURCES;
		} else {
			got += pxe_tftp_take(t, dst + got, room - got);
			if (t->done)
				break;
		}
		step();
	}
	if (!status) {
		if (t->rc && !(t->have_size && !dst))
			status = pxe_tftp_status(t->rc, 1);
		*size = (uint32_t)(dst ? got : t->have_size ? t->size :
				   t->total);
	}
	if (t)
		pxe_tftp_end(t);
	return status;
}

static unsigned int pxe_tftp_get_fsize(void *blk)
{
	struct pxenv_tftp_get_fsize *p = blk;
	uint32_t size = 0;
	unsigned int status = pxe_tftp_whole(p->server_ip, 0, p->file_name,
					     NULL, 0, &size);

	p->file_size = size;
	return status;
}

static unsigned int pxe_tftp_read_file(void *blk)
{
	struct pxenv_tftp_read_file *p = blk;
	uint32_t size = 0;
	unsigned int status;

	if (p->mcast_ip)
		return PXENV_STATUS_UNSUPPORTED;   /* multicast TFTP */
	if (!pxe_platform_mem_ok(p->buffer, p->buffer_size))
		return PXENV_STATUS_BAD_FUNC;
	status = pxe_tftp_whole(p->server_ip, p->tftp_srv_port, p->file_name,
				(uint8_t *)(pxe_lowmem + p->buffer),
				p->buffer_size, &size);
	p->buffer_size = size;
	return status;
}

static void pxe_tftp_stop(void)
{
	if (pxe_tftp_session.t)
		pxe_tftp_close(NULL);
}

PXE_STOP_FN(pxe_tftp_stop_fn) = pxe_tftp_stop;

PXE_SERVICES(pxe_tftp_services) = {
	SVC(PXENV_TFTP_OPEN, struct pxenv_tftp_open, 0, pxe_tftp_open),
	SVC(PXENV_TFTP_CLOSE, struct pxenv_status_only, 0, pxe_tftp_close),
	SVC(PXENV_TFTP_READ, struct pxenv_tftp_read, 0, pxe_tftp_read),
	SVC(PXENV_TFTP_READ_FILE, struct pxenv_tftp_read_file, 0,
	    pxe_tftp_read_file),
	SVC(PXENV_TFTP_GET_FSIZE, struct pxenv_tftp_get_fsize, 0,
	    pxe_tftp_get_fsize),
};
