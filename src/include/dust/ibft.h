/* The iSCSI Boot Firmware Table (IBM iBFT 1.03): how a booted operating
 * system finds the disk it was booted from. */
#ifndef DUST_IBFT_H
#define DUST_IBFT_H

#include <stdint.h>
#include <stddef.h>
#include <dust/in.h>

struct net_device;

/* What a SAN protocol says about its connection. */
struct ibft_target {
	struct in_addr ip;
	uint16_t port;
	uint8_t lun[8];
	char *name;                 /* target IQN */
	char *initiator;            /* initiator IQN */
	char *chap_name, *chap_secret;                 /* NULL: none */
	char *reverse_chap_name, *reverse_chap_secret; /* NULL: none */
	struct net_device *netdev;  /* the device the connection uses */
};

/* iBFT 1.03 structure ids and flags */
#define IBFT_CONTROL_ID    1
#define IBFT_INITIATOR_ID  2
#define IBFT_NIC_ID        3
#define IBFT_TARGET_ID     4
#define IBFT_FL_VALID      0x01
#define IBFT_FL_BOOT       0x02
#define IBFT_FL_GLOBAL     0x04    /* NIC: address not link-local */
/* NIC origin: the IP_PREFIX_ORIGIN enumeration the iBFT refers to
 * (0 other, 1 manual, 2 well-known, 3 DHCP, 4 router advertisement),
 * not RFC 4293's IpAddressOriginTC, where DHCP is 4. */
#define IBFT_ORIGIN_MANUAL 1
#define IBFT_ORIGIN_DHCP   3
#define IBFT_CHAP_NONE     0
#define IBFT_CHAP_ONE_WAY  1
#define IBFT_CHAP_MUTUAL   2

struct ibft_hdr {
	uint8_t id;
	uint8_t version;
	uint16_t length;
	uint8_t index;
	uint8_t flags;
} __packed;

/* Table header: an ACPI table header plus reserved space. */
struct ibft_table {
	char signature[4];          /* "iBFT" */
	uint32_t length;
	uint8_t revision;           /* 1 */
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint8_t reserved[24];
} __packed;

struct ibft_control {
	struct ibft_hdr hdr;
	uint16_t extensions;
	uint16_t initiator;
	uint16_t nic0;
	uint16_t target0;
	uint16_t nic1;
	uint16_t target1;
} __packed;

struct ibft_initiator {
	struct ibft_hdr hdr;
	uint8_t isns[16];
	uint8_t slp[16];
	uint8_t radius1[16];
	uint8_t radius2[16];
	uint16_t name_len;
	uint16_t name_off;
} __packed;

struct ibft_nic {
	struct ibft_hdr hdr;
	uint8_t ip[16];
	uint8_t prefix;
	uint8_t origin;
	uint8_t gateway[16];
	uint8_t dns1[16];
	uint8_t dns2[16];
	uint8_t dhcp[16];
	uint16_t vlan;
	uint8_t mac[6];
	uint16_t pci_bdf;
	uint16_t hostname_len;
	uint16_t hostname_off;
} __packed;

struct ibft_target_s {
	struct ibft_hdr hdr;
	uint8_t ip[16];
	uint16_t port;
	uint8_t lun[8];
	uint8_t chap_type;
	uint8_t nic;
	uint16_t name_len, name_off;
	uint16_t chap_name_len, chap_name_off;
	uint16_t chap_secret_len, chap_secret_off;
	uint16_t rchap_name_len, rchap_name_off;
	uint16_t rchap_secret_len, rchap_secret_off;
} __packed;

BUILD_ASSERT(sizeof(struct ibft_table) == 48);
BUILD_ASSERT(sizeof(struct ibft_control) == 18);
BUILD_ASSERT(sizeof(struct ibft_initiator) == 74);
BUILD_ASSERT(sizeof(struct ibft_nic) == 102);
BUILD_ASSERT(sizeof(struct ibft_target_s) == 54);

/* The NIC facts the table records (filled from settings by the caller). */
struct ibft_nic_info {
	struct in_addr ip, netmask, gateway, dns[2], dhcp_server;
	int from_dhcp;
	uint8_t mac[6];
	uint16_t pci_bdf;
	const char *hostname;
};

/* Build a complete table into buf (len bytes); returns its length, or
 * -ENOSPC.  The table is position-independent (offsets are relative). */
int ibft_build(void *buf, size_t len, const struct ibft_target *t,
	       const struct ibft_nic_info *nic);

/* Fill nic from netdev's settings. */
void ibft_nic_from_netdev(struct net_device *netdev, struct ibft_nic_info *nic);

/* Place the table where operating systems look (16-byte aligned in
 * 512 KiB..1 MiB; linked from ACPI where possible).  Returns 0 or -err. */
int ibft_install(const struct ibft_target *t);
/* Remove it again (sanunhook). */
void ibft_uninstall(void);

#endif
