/* TCP connections (RFC 9293). */
#ifndef DUST_TCP_H
#define DUST_TCP_H

#include <dust/in.h>

struct xfer;

/* Open a connection to `peer` (family, address, port) and plug it to
 * `up`: received data is delivered to up, data up delivers to the
 * connection is sent, and either side's close ends it (rc 0: orderly
 * FIN; otherwise a reset).  `local` may be NULL (ephemeral port).
 * Returns 0 or a negative error; the outcome of the handshake arrives
 * later, as window_open (connected) or close (refused, timed out). */
int tcp_open(struct xfer *up, const struct sockaddr *peer,
	     const struct sockaddr *local);

#endif
