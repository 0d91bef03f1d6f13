/* UDP (RFC 768): datagram connections plugged to an xfer end. */
#ifndef DUST_UDP_H
#define DUST_UDP_H

#include <dust/in.h>

struct xfer;

/* Open a UDP endpoint plugged to `up`.  peer (may be NULL) is the default
 * destination; local (may be NULL) picks the local port (0: ephemeral).
 * Datagrams from anyone to the local port are delivered with meta->src
 * set; when peer is given, only datagrams from it (address and port) are.
 * A delivery to the endpoint sends a datagram to meta->dest if set, else
 * to peer. */
int udp_open(struct xfer *up, const struct sockaddr *peer,
	     const struct sockaddr *local);

/* Open an endpoint that receives datagrams for every local port no other
 * endpoint takes (the PXE UDP API: the program picks its ports); it
 * sends from the port in meta->src, to meta->dest. */
int udp_open_any(struct xfer *up);

/* Widen the filter of the endpoint plugged to `up` to any sender (TFTP
 * replies come from a new port). */
int udp_set_peer_port_any(struct xfer *up);

#endif
