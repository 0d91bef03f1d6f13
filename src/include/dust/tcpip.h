/* The transport/network boundary: what TCP, UDP and ICMP need from IPv4
 * (and later IPv6), and how received segments reach them. */
#ifndef DUST_TCPIP_H
#define DUST_TCPIP_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>
#include <dust/tables.h>

struct io_buffer;
struct net_device;

struct tcpip_protocol {
	const char *name;
	uint8_t proto;              /* IP protocol number */
	/* A received segment; iob->data is at the transport header and
	 * iob_len() is the transport length.  pshdr_sum is the partial
	 * checksum of the pseudo-header, so a transport verifies with
	 * csum_fold(csum_partial(iob->data, len, pshdr_sum)) == 0.  Owns iob;
	 * returns negative when it dropped the segment as bad or unwanted. */
	int (*rx)(struct io_buffer *iob, struct net_device *netdev,
		  const struct sockaddr *src, const struct sockaddr *dst,
		  uint32_t pshdr_sum);
};
#define TCPIP_PROTOCOL(name) \
	TABLE_ENTRY(struct tcpip_protocol, "tcpip_protocols", 50) name

/* Internet checksum (RFC 1071): add data to a running 32-bit sum, and
 * fold a sum into the 16-bit one's-complement checksum to store. */
uint32_t csum_partial(const void *data, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);

/* Sum of the pseudo-header for a transport segment of `len` bytes. */
uint32_t tcpip_pseudo_sum(const struct sockaddr *src,
			  const struct sockaddr *dst, uint8_t proto,
			  size_t len);

/* Fill in the local address dust would send from to reach dst (family and
 * address; the port is left alone).  -ENETUNREACH without a route. */
int tcpip_select_source(const struct sockaddr *dst, struct sockaddr *src);

/* Largest transport segment that fits the path to dst without
 * fragmentation (MTU minus network header). */
size_t tcpip_max_segment(const struct sockaddr *dst);

/* Send a transport segment whose checksum is already filled in.
 * netdev may be NULL (route by destination).  Takes ownership of iob. */
int tcpip_tx(struct io_buffer *iob, uint8_t proto,
	     const struct sockaddr *src, const struct sockaddr *dst,
	     struct net_device *netdev);

/* Hand a received segment to its transport (called by IPv4/IPv6). */
int tcpip_rx(struct io_buffer *iob, struct net_device *netdev, uint8_t proto,
	     const struct sockaddr *src, const struct sockaddr *dst,
	     uint32_t pshdr_sum);

/* Ports: a free ephemeral port for a new connection (host order). */
uint16_t tcpip_ephemeral_port(void);

#endif
