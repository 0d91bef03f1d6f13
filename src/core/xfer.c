/* Data transfer interfaces (dust/xfer.h). */
#include <errno.h>
#include <string.h>
#include <dust/iobuf.h>
#include <dust/xfer.h>

void xfer_unplug(struct xfer *x)
{
	if (x->peer && x->peer->peer == x)
		x->peer->peer = NULL;
	x->peer = NULL;
}

void xfer_plug(struct xfer *a, struct xfer *b)
{
	xfer_unplug(a);
	xfer_unplug(b);
	a->peer = b;
	b->peer = a;
}

void xfer_close(struct xfer *x, int rc)
{
	struct xfer *peer = x->peer;
	struct refcnt *owner;

	if (!peer)
		return;
	xfer_unplug(x);
	owner = ref_get(peer->owner);
	if (peer->ops->close)
		peer->ops->close(peer, rc);
	ref_put(owner);
}

int xfer_deliver(struct xfer *x, struct io_buffer *iob,
		 const struct xfer_meta *meta)
{
	struct xfer *peer = x->peer;
	struct refcnt *owner;
	int rc;

	if (!peer || !peer->ops->deliver) {
		free_iob(iob);
		return -ENOTCONN;
	}
	owner = ref_get(peer->owner);
	rc = peer->ops->deliver(peer, iob, meta);
	ref_put(owner);
	return rc;
}

size_t xfer_window(struct xfer *x)
{
	struct xfer *peer = x->peer;

	if (!peer || !peer->ops->window)
		return 0;
	return peer->ops->window(peer);
}

void xfer_size_known(struct xfer *x, size_t size)
{
	struct xfer *peer = x->peer;
	struct refcnt *owner;

	if (!peer || !peer->ops->size_known)
		return;
	owner = ref_get(peer->owner);
	peer->ops->size_known(peer, size);
	ref_put(owner);
}

void xfer_window_open(struct xfer *x)
{
	struct xfer *peer = x->peer;
	struct refcnt *owner;

	if (!peer || !peer->ops->window_open)
		return;
	owner = ref_get(peer->owner);
	peer->ops->window_open(peer);
	ref_put(owner);
}

int xfer_deliver_raw(struct xfer *x, const void *data, size_t len,
		     const struct xfer_meta *meta)
{
	struct io_buffer *iob = alloc_iob(len);

	if (!iob)
		return -ENOMEM;
	memcpy(iob_put(iob, len), data, len);
	return xfer_deliver(x, iob, meta);
}

int xfer_open_socket(struct xfer *up, int type, const struct sockaddr *peer,
		     const struct sockaddr *local)
{
	const struct socket_opener *op;

	for_each_table_entry(op, struct socket_opener, "socket_openers")
		if (op->type == type)
			return op->open(up, peer, local);
	return -ENOTSUP;
}
