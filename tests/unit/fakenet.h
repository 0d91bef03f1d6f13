/* A network device for host tests: frames dust sends are kept for the
 * test to inspect; frames the test builds are received as if from the
 * wire.  Also builders for Ethernet/IPv4/UDP frames with real checksums. */
#ifndef FAKENET_H
#define FAKENET_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>

struct net_device;
struct io_buffer;

struct net_device *fakenet_create(const uint8_t *mac);
void fakenet_destroy(struct net_device *netdev);
/* Oldest frame sent and not yet taken (caller frees), or NULL. */
struct io_buffer *fakenet_take(struct net_device *netdev);
unsigned int fakenet_pending(struct net_device *netdev);
void fakenet_drop_all(struct net_device *netdev);
/* Receive a frame (copied). */
void fakenet_inject(struct net_device *netdev, const void *frame, size_t len);
/* The same with iobuf flags a driver may set (IOB_CSUM_OK). */
void fakenet_inject_flags(struct net_device *netdev, const void *frame,
			  size_t len, unsigned int flags);

/* Build a frame into buf; returns its length. */
size_t build_ipv4(uint8_t *buf, const uint8_t *dst_mac, const uint8_t *src_mac,
		  const char *src_ip, const char *dst_ip, uint8_t proto,
		  uint16_t ident, uint16_t frags, const void *payload,
		  size_t len);
size_t build_udp(uint8_t *buf, const uint8_t *dst_mac, const uint8_t *src_mac,
		 const char *src_ip, uint16_t sport, const char *dst_ip,
		 uint16_t dport, const void *payload, size_t len);
/* The UDP payload of a sent frame (NULL if it is not UDP/IPv4). */
const uint8_t *parse_udp(struct io_buffer *iob, size_t *len,
			 uint16_t *sport, uint16_t *dport,
			 struct in_addr *src, struct in_addr *dst);

/* A TCP segment from src to dst (checksums filled in). */
size_t build_tcp(uint8_t *buf, const char *src_ip, uint16_t sport,
		 const char *dst_ip, uint16_t dport, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint16_t win, const void *opts,
		 size_t optlen, const void *payload, size_t len);
/* The TCP segment (header onwards) of a sent frame, NULL if it is not
 * TCP/IPv4; *len is the segment length. */
const uint8_t *parse_tcp(struct io_buffer *iob, size_t *len);

extern const uint8_t fake_mac[6];
extern const uint8_t server_mac[6];

#endif
