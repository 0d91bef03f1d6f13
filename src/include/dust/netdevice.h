/* Network devices: the layer between NIC drivers and the protocols.
 *
 * A driver allocates a device with alloc_etherdev(), fills in its MAC and
 * registers it.  dust polls open devices from the main loop: the driver's
 * poll() reaps finished transmissions (netdev_tx_complete) and hands up
 * received frames (netdev_rx).  Received frames are queued and processed
 * after the poll, outside the driver.
 */
#ifndef DUST_NETDEVICE_H
#define DUST_NETDEVICE_H

#include <stdint.h>
#include <stddef.h>
#include <dust/list.h>
#include <dust/refcnt.h>
#include <dust/tables.h>

struct io_buffer;
struct net_device;
struct settings;

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60          /* minimum frame length without FCS */
#define ETH_FRAME_LEN 1514   /* maximum frame length without FCS */
#define ETH_DATA_LEN 1500

struct net_device_operations {
	/* Bring the hardware up (rings, receive enable).  0 or -errno. */
	int (*open)(struct net_device *netdev);
	/* Stop it; every queued transmission is completed by the core. */
	void (*close)(struct net_device *netdev);
	/* Queue one frame (headers included, no FCS).  On success the driver
	 * owns iob until it calls netdev_tx_complete(); on failure the caller
	 * still owns it. */
	int (*transmit)(struct net_device *netdev, struct io_buffer *iob);
	/* Reap transmissions, hand up received frames, check link state. */
	void (*poll)(struct net_device *netdev);
};

struct net_device_stats {
	unsigned long tx_ok;     /* frames sent */
	unsigned long tx_err;    /* frames the driver or core failed to send */
	unsigned long rx_ok;     /* frames received and handed up */
	unsigned long rx_err;    /* frames the hardware reported bad */
	unsigned long rx_drop;   /* frames dropped by the protocols (bad,
				    unwanted, no buffer) */
};

/* Bus location, for the iBFT and the PXE API. */
#define NETDEV_BUS_PCI   1
#define NETDEV_BUS_UNDI  2

struct net_device_location {
	unsigned int bus_type;
	uint16_t location;      /* PCI bus:dev.fn */
	uint16_t vendor, device;
};

/* state bits */
#define NETDEV_OPEN    0x01
#define NETDEV_LINK_UP 0x02
/* The driver took receive offloads at open: frames may be longer than
 * the MTU and carry IOB_CSUM_OK instead of a finished checksum. */
#define NETDEV_RX_OFFLOAD 0x04
/* Frames must arrive as on the wire (another stack gets them raw): the
 * driver takes no receive offloads at open. */
#define NETDEV_RX_PLAIN 0x08

struct net_device {
	struct refcnt refcnt;
	struct list_head list;         /* registered devices, by index */
	char name[8];                  /* "net0" */
	unsigned int index;
	const struct net_device_operations *op;
	void *priv;                    /* driver data (alloc_etherdev) */
	struct net_device_location dev;
	uint8_t hw_addr[ETH_ALEN];     /* burned-in address */
	uint8_t ll_addr[ETH_ALEN];     /* address in use */
	size_t mtu;                    /* largest IP packet */
	unsigned int state;
	struct list_head tx_queue;     /* frames the driver owns */
	struct list_head rx_queue;     /* frames waiting for the protocols */
	struct net_device_stats stats;
	struct settings *settings;     /* this device's settings block */
	unsigned long open_time_ms;    /* when it was opened (for timing) */
	/* The last DHCP exchange as it went over the wire (dhcp.c keeps it
	 * for the PXE API): DHCP_CACHED_* packets, malloc'd, and when it
	 * succeeded (a count across devices, 0: never). */
	void *dhcp_pkt[3];
	uint16_t dhcp_pkt_len[3];
	unsigned int dhcp_done;
};

/* A protocol carried directly in Ethernet frames (IPv4, ARP, IPv6). */
struct net_protocol {
	const char *name;
	uint16_t ethertype;            /* network byte order */
	/* Handle a received packet (iob->data at the protocol header).
	 * Owns iob.  ll_source is the sender's MAC; flags says broadcast. */
	int (*rx)(struct io_buffer *iob, struct net_device *netdev,
		  const uint8_t *ll_dest, const uint8_t *ll_source,
		  unsigned int flags);
};
#define NET_PROTOCOL(name) TABLE_ENTRY(struct net_protocol, "net_protocols", 50) name

#define LL_BROADCAST 0x01
#define LL_MULTICAST 0x02

/* Something that follows devices as they come and go (settings, routes,
 * DHCP...).  Every hook is optional. */
struct net_observer {
	const char *name;
	int (*added)(struct net_device *netdev);     /* registered */
	void (*opened)(struct net_device *netdev);
	void (*closed)(struct net_device *netdev);
	void (*removed)(struct net_device *netdev);  /* unregistered */
};
#define NET_OBSERVER(name) TABLE_ENTRY(struct net_observer, "net_observers", 50) name

/* ---- for drivers */
struct net_device *alloc_etherdev(size_t priv_size);
int register_netdev(struct net_device *netdev);
void unregister_netdev(struct net_device *netdev);
static inline void netdev_put(struct net_device *netdev)
{
	ref_put(&netdev->refcnt);
}
void netdev_tx_complete(struct net_device *netdev, struct io_buffer *iob);
void netdev_tx_complete_err(struct net_device *netdev, struct io_buffer *iob,
			    int rc);
/* The next transmission the driver still owns (oldest first), or NULL. */
struct io_buffer *netdev_tx_next(struct net_device *netdev);
void netdev_rx(struct net_device *netdev, struct io_buffer *iob);
void netdev_rx_err(struct net_device *netdev, struct io_buffer *iob, int rc);
void netdev_link_up(struct net_device *netdev);
void netdev_link_down(struct net_device *netdev);

static inline int netdev_is_open(const struct net_device *netdev)
{
	return netdev->state & NETDEV_OPEN;
}
static inline int netdev_link_ok(const struct net_device *netdev)
{
	return netdev->state & NETDEV_LINK_UP;
}

/* ---- for the rest of dust */
extern struct list_head net_devices;
#define for_each_netdev(nd) list_for_each_entry(nd, &net_devices, list)

int netdev_open(struct net_device *netdev);
void netdev_close(struct net_device *netdev);
/* Set NETDEV_RX_PLAIN; a device open with receive offloads is reopened
 * without them.  0 or the reopening's error. */
int netdev_plain_rx(struct net_device *netdev);
/* Send a complete frame.  Takes ownership of iob whatever happens. */
int netdev_tx(struct net_device *netdev, struct io_buffer *iob);
struct net_device *find_netdev(const char *name);
/* The device matching a bus location, or NULL. */
struct net_device *find_netdev_by_location(unsigned int bus_type,
					   uint16_t location);
/* Poll every open device and process what they received. */
void net_poll(void);

/* ---- Ethernet */
/* Prepend an Ethernet header and send. Takes ownership of iob. */
int eth_tx(struct io_buffer *iob, struct net_device *netdev,
	   const uint8_t *dest, uint16_t ethertype);
extern const uint8_t eth_broadcast[ETH_ALEN];
/* "52:54:00:12:34:56" (static buffer). */
const char *eth_ntoa(const uint8_t *mac);
int eth_aton(const char *s, uint8_t *mac);

#endif
