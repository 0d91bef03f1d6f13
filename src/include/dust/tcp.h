/* TCP connections (RFC 9293). */
#ifndef DUST_TCP_H
#define DUST_TCP_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>

struct xfer;

/* Open a connection to `peer` (family, address, port) and plug it to
 * `up`: received data is delivered to up, data up delivers to the
 * connection is sent, and either side's close ends it.  `local` may be
 * NULL (address from the route, ephemeral port) or name the address
 * and/or port.  Returns 0 or a negative error; the outcome of the
 * handshake arrives later, as window_open (connected) or close
 * (-ECONNREFUSED, -ETIMEDOUT, ...).  Any number of connections may be
 * open at once.
 *
 * How a connection behaves towards `up`:
 *  - Received data is delivered in order as soon as it arrives; the
 *    connection keeps nothing the consumer could take.  Out-of-order data
 *    waits in the connection until the gap is filled.
 *  - The receive window: a consumer without a window op gets the full
 *    receive buffer (256 KiB when the heap allows, less on small heaps).
 *    If up has a window op, the window the connection advertises never
 *    reaches past what that op returns at the time an ACK is sent, so a
 *    consumer that stops accepting closes the window; it calls
 *    xfer_window_open() on its end when it can take more, and the
 *    connection sends a window update once the window can grow by at
 *    least a segment.  TCP never shrinks a window it has advertised: if
 *    the op's value drops, data the peer was already allowed to send is
 *    still delivered (deliver always takes the buffer).
 *  - xfer_window() on the connection is the free space of its send
 *    buffer (256 KiB; 0 until the connection is established and after
 *    it is closed); window_open is called when the connection is
 *    established and whenever acknowledged data frees space or the peer
 *    opens its window.  Data delivered beyond the window is still taken,
 *    up to twice the buffer; more is refused with -ENOBUFS.  There is no
 *    Nagle algorithm: each deliver is sent as soon as windows allow, so
 *    deliver whole messages.
 *  - up may close the connection, or deliver to it, from inside any of
 *    the calls the connection makes to it (deliver included).
 *  - up closing with rc 0: everything queued is sent, then FIN; data
 *    that still arrives from the peer after that has nobody to go to and
 *    is answered by a reset.  Closing with an error, or before the
 *    handshake completed, resets the connection.
 *  - When the peer's FIN arrives, everything before it is delivered and
 *    up is closed with rc 0; the connection then sends what is still
 *    queued, its own FIN, and goes away by itself.  A reset from the
 *    peer closes up with -ECONNRESET; one that gets no answer to eight
 *    backed-off retransmissions (about 100 s on a LAN) or to six SYNs
 *    (about a minute) closes it with -ETIMEDOUT. */
int tcp_open(struct xfer *up, const struct sockaddr *peer,
	     const struct sockaddr *local);

/* The wire header. */
struct tcphdr {
	uint16_t src;
	uint16_t dest;
	uint32_t seq;
	uint32_t ack;
	uint8_t doff;           /* header length in 32-bit words, << 4 */
	uint8_t flags;
	uint16_t win;
	uint16_t csum;
	uint16_t urg;
} __packed;

/* Receive side (tcp.c explains the choices). */
#define TCP_RCV_WINDOW   (1024u << 10) /* receive window when memory allows */
#define TCP_RCV_WSCALE   5             /* fits TCP_RCV_WINDOW in 16 bits */
#define TCP_ACK_EVERY    4             /* segments per ACK, in order */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#define TCPOPT_EOL       0
#define TCPOPT_NOP       1
#define TCPOPT_MSS       2
#define TCPOPT_WSCALE    3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK      5
#define TCPOPT_TIMESTAMP 8

/* Counters since start-up, for a netstat-like command. */
struct tcp_stats {
	unsigned long active_opens;   /* tcp_open() calls that sent a SYN */
	unsigned long established;    /* handshakes completed */
	unsigned long refused;        /* SYN answered by a reset */
	unsigned long resets_in;      /* connections reset by the peer */
	unsigned long aborts;         /* connections reset by their user */
	unsigned long timeouts;       /* connections given up (no answer) */
	unsigned long segs_in;        /* segments received (all) */
	unsigned long segs_out;       /* segments sent */
	unsigned long bad_csum;       /* dropped: checksum */
	unsigned long bad_hdr;        /* dropped: header or option lengths */
	unsigned long no_conn;        /* for no connection (answered by RST) */
	unsigned long rst_out;        /* resets sent */
	unsigned long unacceptable;   /* outside the receive window */
	unsigned long dup_segs;       /* carried only data already had */
	unsigned long ooo_segs;       /* queued out of order */
	unsigned long ooo_drops;      /* out-of-order data dropped (memory) */
	unsigned long retrans;        /* segments retransmitted */
	unsigned long rto;            /* retransmission timeouts */
	unsigned long fast_rtx;       /* fast retransmit / recovery entries */
	unsigned long lost_rtx;       /* retransmissions found lost (SACK) */
	unsigned long probes;         /* zero-window probes */
	unsigned long tlp;            /* tail-loss probes */
	unsigned long tx_errors;      /* segments the network layer refused */
};
extern struct tcp_stats tcp_stats;

/* One connection, as a netstat-like command shows it. */
struct tcp_conn_info {
	struct sockaddr local;
	struct sockaddr peer;
	const char *state;            /* "ESTABLISHED", ... */
	size_t send_queue;            /* bytes queued, not yet acknowledged */
	size_t ooo_queue;             /* buffer memory held out of order */
	uint32_t cwnd;                /* congestion window (bytes) */
	uint32_t srtt_ms;             /* smoothed round-trip time */
	uint32_t rto_ms;              /* current retransmission timeout */
};

/* Fill `info` for the index-th connection; -ENOENT past the last. */
int tcp_conn_info(unsigned int index, struct tcp_conn_info *info);

/* Tests and debugging: the next tcp_open() starts at this initial
 * sequence number instead of a random one. */
void tcp_set_next_iss(uint32_t iss);

#endif
