/* Downloading a URI into an image, with progress on the console. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/console.h>
#include <dust/image.h>
#include <dust/iobuf.h>
#include <dust/process.h>
#include <dust/timer.h>
#include <dust/umalloc.h>
#include <dust/uri.h>
#include <dust/xfer.h>

#define PROGRESS_MS 500

struct downloader {
	struct refcnt refcnt;
	struct xfer xfer;
	struct image *image;
	size_t cap;           /* bytes allocated at image->data */
	size_t pos;           /* next sequential offset */
	size_t total;         /* announced size, 0 if unknown */
	int done, rc;
	uint32_t start_ms, last_ms;
	char uri_text[128];
};

static int dl_reserve(struct downloader *dl, size_t need)
{
	size_t cap;
	void *n;

	if (need <= dl->cap)
		return 0;
	cap = dl->cap ? dl->cap * 2 : 256 * 1024;
	if (cap < need)
		cap = need;
	if (dl->total && need <= dl->total && cap > dl->total)
		cap = dl->total;
	n = urealloc(dl->image->data, cap);
	if (!n)
		return -ENOMEM;
	dl->image->data = n;
	dl->cap = cap;
	return 0;
}

static void dl_progress(struct downloader *dl, int final)
{
	size_t have = dl->image->len;

	if (!final && currtime_ms() - dl->last_ms < PROGRESS_MS)
		return;
	dl->last_ms = currtime_ms();
	if (dl->total)
		printf("\r%s... %zu%% (%zu of %zu KiB)", dl->uri_text,
		       (size_t)((unsigned long long)have * 100 / dl->total),
		       have >> 10, dl->total >> 10);
	else
		printf("\r%s... %zu KiB", dl->uri_text, have >> 10);
}

static int dl_deliver(struct xfer *x, struct io_buffer *iob,
		      const struct xfer_meta *meta)
{
	struct downloader *dl = container_of(x, struct downloader, xfer);
	size_t len = iob_len(iob), off = dl->pos;
	int rc;

	if (meta && (meta->flags & XFER_ABSOLUTE))
		off = meta->offset;
	if (off + len < off) {
		free_iob(iob);
		return -EFBIG;
	}
	rc = dl_reserve(dl, off + len);
	if (rc) {
		free_iob(iob);
		xfer_close(&dl->xfer, rc);
		dl->done = 1;
		dl->rc = rc;
		return rc;
	}
	memcpy((uint8_t *)dl->image->data + off, iob->data, len);
	free_iob(iob);
	dl->pos = off + len;
	if (dl->pos > dl->image->len)
		dl->image->len = dl->pos;
	dl_progress(dl, 0);
	return 0;
}

static size_t dl_window(struct xfer *x)
{
	(void)x;
	return 1 << 20;
}

static void dl_size_known(struct xfer *x, size_t size)
{
	struct downloader *dl = container_of(x, struct downloader, xfer);

	dl->total = size;
	if (size && size > dl->cap)
		dl_reserve(dl, size);
}

static void dl_close(struct xfer *x, int rc)
{
	struct downloader *dl = container_of(x, struct downloader, xfer);

	if (!rc && dl->total && dl->image->len != dl->total)
		rc = -EIO;           /* shorter (or longer) than announced */
	dl->done = 1;
	dl->rc = rc;
}

static const struct xfer_ops dl_ops = {
	.deliver = dl_deliver,
	.window = dl_window,
	.close = dl_close,
	.size_known = dl_size_known,
};

static void dl_free(struct refcnt *r)
{
	free(container_of(r, struct downloader, refcnt));
}

int imgdownload(const char *text, struct image **imagep)
{
	struct downloader *dl;
	struct uri *uri;
	int rc;

	*imagep = NULL;
	uri = parse_uri_relative(text);
	if (!uri)
		return -ENOMEM;
	if (!uri->scheme) {
		printf("%s: no server to fetch it from (give a URI such as "
		       "tftp://server/%s, or get DHCP's next-server first)\n",
		       text, text);
		free(uri);
		return -ENOENT;
	}
	dl = zalloc(sizeof(*dl));
	if (!dl) {
		free(uri);
		return -ENOMEM;
	}
	ref_init(&dl->refcnt, dl_free);
	xfer_init(&dl->xfer, &dl_ops, &dl->refcnt);
	format_uri(uri, dl->uri_text, sizeof(dl->uri_text));
	dl->image = alloc_image(uri);
	free(uri);
	if (!dl->image) {
		free(dl);
		return -ENOMEM;
	}
	dl->start_ms = dl->last_ms = currtime_ms();
	printf("%s...", dl->uri_text);
	rc = xfer_open_uri(&dl->xfer, dl->image->uri);
	if (rc) {
		dl->done = 1;
		dl->rc = rc;
	}
	while (!dl->done) {
		if (interrupted()) {
			xfer_close(&dl->xfer, -ECANCELED);
			dl->done = 1;
			dl->rc = -ECANCELED;
			break;
		}
		step();
	}
	rc = dl->rc;
	if (rc) {
		if (rc_is(rc, EPROTONOSUPPORT_K) && !dl->image->len)
			printf("\r%s: cannot fetch: this URI scheme is not "
			       "supported\n", dl->uri_text);
		else if (rc_is(rc, EIO_K) && dl->total)
			printf("\r%s: download incomplete: got %zu of %zu bytes\n",
			       dl->uri_text, dl->image->len, dl->total);
		else
			printf("\r%s: %s\n", dl->uri_text, strerror(rc));
		image_put(dl->image);
	} else {
		uint32_t ms = currtime_ms() - dl->start_ms;

		dl_progress(dl, 1);
		printf(" ok (%u ms)\n", ms);
		register_image(dl->image);
		*imagep = dl->image;
		image_put(dl->image);   /* the list holds it now */
	}
	ref_put(&dl->refcnt);
	return rc;
}
