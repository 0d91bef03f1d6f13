/* Data transfer interfaces: how a connection (TCP, UDP), a download
 * (TFTP, HTTP) and whatever consumes it talk to each other.
 *
 * Each party embeds a struct xfer; two ends are plugged together and each
 * calls the other through xfer_deliver(), xfer_window() and xfer_close().
 * The calls hold a reference to the receiving object for their duration,
 * so a party may close and drop its own references inside a callback.
 */
#ifndef DUST_XFER_H
#define DUST_XFER_H

#include <stddef.h>
#include <dust/in.h>
#include <dust/refcnt.h>
#include <dust/tables.h>

struct io_buffer;
struct net_device;
struct xfer;

/* Where data came from or goes to, and where in the stream it belongs. */
struct xfer_meta {
	unsigned int flags;
	size_t offset;                 /* with XFER_ABSOLUTE: byte position */
	const struct sockaddr *src;    /* datagrams: sender */
	const struct sockaddr *dest;   /* datagrams: destination override */
	struct net_device *netdev;     /* datagrams: device to send through
					  (DHCP) or that it arrived on */
};
#define XFER_ABSOLUTE 0x01             /* offset is a position in the file */

struct xfer_ops {
	/* Take data (ownership of iob passes, also on error). */
	int (*deliver)(struct xfer *x, struct io_buffer *iob,
		       const struct xfer_meta *meta);
	/* How many bytes this end will accept now (0: wait). */
	size_t (*window)(struct xfer *x);
	/* The other end is done: rc 0 for a normal end, else why it failed.
	 * The ends are already unplugged when this is called. */
	void (*close)(struct xfer *x, int rc);
	/* The size of what will be delivered is known (downloads). */
	void (*size_known)(struct xfer *x, size_t size);
	/* The window grew (optional): the end may send again. */
	void (*window_open)(struct xfer *x);
};

struct xfer {
	const struct xfer_ops *ops;
	struct xfer *peer;
	struct refcnt *owner;          /* kept alive across calls into us */
};

static inline void xfer_init(struct xfer *x, const struct xfer_ops *ops,
			     struct refcnt *owner)
{
	x->ops = ops;
	x->peer = NULL;
	x->owner = owner;
}

/* Connect two ends (each may have been plugged before: that is undone). */
void xfer_plug(struct xfer *a, struct xfer *b);
/* Disconnect without telling the peer. */
void xfer_unplug(struct xfer *x);
/* Disconnect and tell the peer why (its close op gets rc). */
void xfer_close(struct xfer *x, int rc);

/* Calls on the peer of x; with no peer they fail (or give 0). */
int xfer_deliver(struct xfer *x, struct io_buffer *iob,
		 const struct xfer_meta *meta);
size_t xfer_window(struct xfer *x);
void xfer_size_known(struct xfer *x, size_t size);
void xfer_window_open(struct xfer *x);

/* Sockets: transports register how they open a connection of a kind. */
#define SOCK_STREAM 1
#define SOCK_DGRAM  2

struct socket_opener {
	int type;                      /* SOCK_STREAM or SOCK_DGRAM */
	int (*open)(struct xfer *up, const struct sockaddr *peer,
		    const struct sockaddr *local);
};
#define SOCKET_OPENER(name) \
	TABLE_ENTRY(struct socket_opener, "socket_openers", 50) name

/* Open a connection of `type` to peer plugged to up (-ENOTSUP if no
 * transport for it is linked in). */
int xfer_open_socket(struct xfer *up, int type, const struct sockaddr *peer,
		     const struct sockaddr *local);

/* Copy a buffer into a new iobuf and deliver it. */
int xfer_deliver_raw(struct xfer *x, const void *data, size_t len,
		     const struct xfer_meta *meta);

#endif
