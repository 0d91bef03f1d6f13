/* DHCP (RFC 2131, options RFC 2132) and the PXE extensions dust uses. */
#ifndef DUST_DHCP_H
#define DUST_DHCP_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>

struct net_device;

#define BOOTPS_PORT 67
#define BOOTPC_PORT 68
#define PXE_PORT 4011

#define BOOTP_REQUEST 1
#define BOOTP_REPLY 2
#define DHCP_MAGIC 0x63825363

/* RFC 2131 section 2: the fixed part of every BOOTP/DHCP message. */
struct dhcphdr {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	struct in_addr ciaddr;
	struct in_addr yiaddr;
	struct in_addr siaddr;
	struct in_addr giaddr;
	uint8_t chaddr[16];
	char sname[64];
	char file[128];
	uint32_t magic;
} __packed;

#define DHCP_FLAG_BROADCAST 0x8000

/* Option tags used by the client (RFC 2132, RFC 4578, RFC 3004). */
#define DHCP_PAD               0
#define DHCP_NETMASK           1
#define DHCP_ROUTERS           3
#define DHCP_DNS               6
#define DHCP_HOSTNAME         12
#define DHCP_DOMAIN           15
#define DHCP_ROOT_PATH        17
#define DHCP_MTU              26
#define DHCP_BROADCAST        28
#define DHCP_VENDOR_ENCAP     43
#define DHCP_REQUESTED_IP     50
#define DHCP_LEASE_TIME       51
#define DHCP_OVERLOAD         52
#define DHCP_MESSAGE_TYPE     53
#define DHCP_SERVER_ID        54
#define DHCP_PARAM_LIST       55
#define DHCP_MAX_MESSAGE      57
#define DHCP_VENDOR_CLASS     60
#define DHCP_CLIENT_ID        61
#define DHCP_TFTP_SERVER      66
#define DHCP_BOOTFILE         67
#define DHCP_USER_CLASS       77
#define DHCP_CLIENT_ARCH      93
#define DHCP_CLIENT_NDI       94
#define DHCP_CLIENT_UUID      97
#define DHCP_DOMAIN_SEARCH   119
#define DHCP_END             255

#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPDECLINE  4
#define DHCPACK      5
#define DHCPNAK      6
#define DHCPRELEASE  7
#define DHCPINFORM   8

/* A parsed reply: the fixed part plus every option, each reassembled
 * from all of its pieces (RFC 3396) and from the file/sname fields when
 * the overload option says so. */
#define DHCP_MAX_OPTIONS 64
struct dhcp_option_ref {
	uint8_t tag;
	uint16_t len;
	uint16_t offset;                /* into dhcp_packet.data */
};
struct dhcp_packet {
	struct dhcphdr hdr;
	unsigned int noptions;
	struct dhcp_option_ref opt[DHCP_MAX_OPTIONS];
	size_t used;
	uint8_t data[1500];             /* option values, back to back */
};

/* Parse a received message.  0, or a negative error for a malformed one
 * (truncated options, no magic cookie, not a reply, ...). */
int dhcp_parse(const void *msg, size_t len, struct dhcp_packet *pkt);
/* An option's value and length, or NULL. */
const uint8_t *dhcp_option(const struct dhcp_packet *pkt, uint8_t tag,
			   size_t *len);
/* The DHCP message type, or 0 for plain BOOTP. */
int dhcp_msgtype(const struct dhcp_packet *pkt);
/* Does the reply name something to boot (filename or root-path)? */
int dhcp_has_boot_info(const struct dhcp_packet *pkt);
/* Is it a ProxyDHCP offer (PXEClient, no address)? */
int dhcp_is_proxy(const struct dhcp_packet *pkt);

/* Building a request: a buffer, and an options cursor. */
struct dhcp_builder {
	uint8_t *buf;
	size_t len, max;
	int overflow;
};
void dhcp_build_start(struct dhcp_builder *b, void *buf, size_t max,
		      uint8_t msgtype, uint32_t xid, const uint8_t *mac);
void dhcp_build_option(struct dhcp_builder *b, uint8_t tag, const void *data,
		       size_t len);
/* Finish with the end option; returns the message length or -ENOSPC. */
int dhcp_build_end(struct dhcp_builder *b);

/* The client.  Runs DHCP on netdev (opening it if needed), stores the
 * lease in its settings and returns 0, or a negative error after the
 * bounded retries (-ETIMEDOUT when no server answered). */
int dhcp(struct net_device *netdev);

/* The raw packets of the last DHCP run on a device (netdev->dhcp_pkt), as
 * PXE's GET_CACHED_INFO hands them to a chainloaded program: what dust
 * sent (DHCPDISCOVER), the DHCPACK that gave the address, and the
 * ProxyDHCP offer or boot server ACK that named what to boot (absent
 * without one).  netdev->dhcp_done says which device finished last. */
#define DHCP_CACHED_DISCOVER 0
#define DHCP_CACHED_ACK      1
#define DHCP_CACHED_REPLY    2
/* Keep a copy of packet `which` for netdev (data NULL: forget it). */
void dhcp_cache_put(struct net_device *netdev, unsigned int which,
		    const void *data, size_t len);

struct dhcp_stats {
	unsigned long tx;
	unsigned long rx_ok;
	unsigned long rx_bad;            /* malformed: dropped */
	unsigned long rx_ignored;        /* not ours: wrong xid, MAC, type */
};
extern struct dhcp_stats dhcp_stats;

#endif
