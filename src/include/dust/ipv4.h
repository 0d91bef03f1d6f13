/* IPv4 (RFC 791): routes, transmission, reception with reassembly. */
#ifndef DUST_IPV4_H
#define DUST_IPV4_H

#include <stdint.h>
#include <dust/in.h>
#include <dust/list.h>

struct io_buffer;
struct net_device;

/* RFC 791 section 3.1 */
struct iphdr {
	uint8_t verhdrlen;      /* version 4, header length in 32-bit words */
	uint8_t service;
	uint16_t len;           /* total length */
	uint16_t ident;
	uint16_t frags;         /* flags and fragment offset (8-byte units) */
	uint8_t ttl;
	uint8_t protocol;
	uint16_t chksum;
	struct in_addr src;
	struct in_addr dest;
} __packed;

#define IP_MF      0x2000
#define IP_DF      0x4000
#define IP_FRAG_OFFSET 0x1fff

/* Largest datagram reassembled from fragments. */
#define IPV4_REASM_MAX 65535

/* One configured address on a device, and how to leave its subnet. */
struct ipv4_route {
	struct list_head list;
	struct net_device *netdev;
	struct in_addr address;
	struct in_addr netmask;
	struct in_addr gateway;   /* INADDR_ANY: none */
};
extern struct list_head ipv4_routes;

struct ipv4_stats {
	unsigned long rx_ok;
	unsigned long rx_bad;        /* bad header, length or checksum */
	unsigned long rx_not_ours;   /* addressed to someone else */
	unsigned long rx_frags;      /* fragments received */
	unsigned long rx_reasm_ok;   /* datagrams rebuilt from fragments */
	unsigned long rx_reasm_fail; /* reassemblies dropped (timeout, size) */
	unsigned long tx_ok;
	unsigned long tx_no_route;
};
extern struct ipv4_stats ipv4_stats;

/* Send a transport segment; takes ownership of iob.  With netdev set the
 * packet leaves through it (DHCP before an address exists). */
int ipv4_tx(struct io_buffer *iob, uint8_t proto, struct in_addr src,
	    struct in_addr dest, struct net_device *netdev);
/* Where a packet for dest goes: device, next hop and source address. */
int ipv4_route_to(struct in_addr dest, struct net_device **netdev,
		  struct in_addr *next_hop, struct in_addr *src);
/* Re-read ip/netmask/gateway settings of every device into the routes. */
void ipv4_update_routes(void);
/* Is addr one of ours (or a broadcast we accept) on netdev? */
int ipv4_is_ours(struct net_device *netdev, struct in_addr addr);
/* Does netdev have an IPv4 address? */
int ipv4_has_address(struct net_device *netdev);

/* ARP (RFC 826): the link address for an IPv4 next hop.  Sends iob
 * (already holding the IP packet) when the address is known, queues it
 * while a request is outstanding.  Takes ownership of iob. */
int arp_tx(struct io_buffer *iob, struct net_device *netdev,
	   struct in_addr next_hop);
struct arp_stats {
	unsigned long requests_sent;
	unsigned long replies_sent;
	unsigned long resolved;
	unsigned long failed;        /* gave up after the retries */
	unsigned long rx_bad;
};
extern struct arp_stats arp_stats;
/* Forget every entry of netdev (or all when NULL). */
void arp_flush(struct net_device *netdev);

#endif
