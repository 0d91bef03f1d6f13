/* The PXE API: entry structures, opcodes, parameter blocks and status
 * codes, for dust as a client of a ROM's stack (undionly.kpxe, dust.pxe)
 * and as the stack a chainloaded program calls (pxe_api.c).
 *
 * Source: Intel/SystemSoft, "Preboot Execution Environment (PXE)
 * Specification", version 2.1 (September 1999).  Chapter 3 ("PXE API")
 * defines the installation structures (PXENV+, !PXE), the calling
 * conventions and the services; the parameter block names below are the
 * spec's (t_PXENV_...), so each can be looked up there.  Every structure
 * is packed: the spec lays them out byte by byte for 16-bit code.
 *
 * Addresses in parameter blocks are real-mode seg:off pairs, stored offset
 * first (SEGOFF16); this file keeps them as one uint32_t seg << 16 | off,
 * which is the same bytes in little-endian order.
 */
#ifndef BIOS_PXE_API_H
#define BIOS_PXE_API_H

#include <stdint.h>

/* ---- basic types (spec: "Type definitions") */
typedef uint32_t segoff16_t;       /* offset in the low word, segment high */

struct pxe_segdesc {               /* SEGDESC */
	uint16_t seg_addr;         /* real-mode segment */
	uint32_t phys_addr;        /* linear address */
	uint16_t seg_size;         /* bytes */
} __packed;

#define PXE_MAC_ADDR_LEN 16        /* MAC_ADDR: 16 bytes, Ethernet uses 6 */

/* ---- the installation structures (spec: "PXENV+ Structure",
 * "!PXE Structure").  The NBP is started with ES:BX -> PXENV+ and the !PXE
 * far pointer at SS:[SP+4]; INT 1Ah AX=5650h also returns ES:BX -> PXENV+. */
struct pxenv_struct {              /* PXENV+ */
	char signature[6];         /* "PXENV+" */
	uint16_t version;          /* BCD-ish: 0x0201 for 2.1 */
	uint8_t length;            /* bytes covered by the checksum */
	uint8_t checksum;          /* makes the byte sum over length zero */
	segoff16_t rm_entry;       /* real-mode API entry (BX, ES:DI) */
	uint32_t pm_offset;        /* do not use (spec) */
	uint16_t pm_selector;      /* do not use (spec) */
	uint16_t stack_seg, stack_size;
	uint16_t bc_code_seg, bc_code_size;
	uint16_t bc_data_seg, bc_data_size;
	uint16_t undi_data_seg, undi_data_size;
	uint16_t undi_code_seg, undi_code_size;
	segoff16_t pxe_ptr;        /* !PXE: only from version 2.1 on */
} __packed;

#define PXENV_LEN_20  0x28         /* a 2.0 structure ends before pxe_ptr */
#define PXENV_LEN_21  0x2c

struct ppxe_struct {               /* !PXE */
	char signature[4];         /* "!PXE" */
	uint8_t struct_length;     /* bytes covered by the checksum */
	uint8_t struct_cksum;
	uint8_t struct_rev;        /* 0 */
	uint8_t reserved_1;
	segoff16_t undi_rom_id;
	segoff16_t base_rom_id;
	segoff16_t entry_sp;       /* 16-bit entry: stack-based calls */
	segoff16_t entry_esp;      /* 32-bit protected-mode entry */
	segoff16_t status_callout;
	uint8_t reserved_2;
	uint8_t seg_desc_cnt;
	uint16_t first_selector;
	struct pxe_segdesc stack;
	struct pxe_segdesc undi_data;
	struct pxe_segdesc undi_code;
	struct pxe_segdesc undi_code_write;
	struct pxe_segdesc bc_data;
	struct pxe_segdesc bc_code;
	struct pxe_segdesc bc_code_write;
} __packed;

#define PPXE_LEN 0x58

BUILD_ASSERT(sizeof(struct pxenv_struct) == PXENV_LEN_21);
BUILD_ASSERT(sizeof(struct ppxe_struct) == PPXE_LEN);

/* ---- calling conventions (spec: "API Entry Points")
 * !PXE:    push parameter block segment, offset, then the opcode word;
 *          far call entry_sp; AX = exit code; the caller pops 6 bytes.
 * PXENV+:  BX = opcode, ES:DI -> parameter block; far call rm_entry;
 *          AX = exit code, CF set on failure.
 * The status word at the start of every parameter block says why. */
#define PXENV_EXIT_SUCCESS 0x0000
#define PXENV_EXIT_FAILURE 0x0001

/* ---- opcodes (spec: "API Function Codes") */
#define PXENV_START_UNDI              0x0000
#define PXENV_UNDI_STARTUP            0x0001
#define PXENV_UNDI_CLEANUP            0x0002
#define PXENV_UNDI_INITIALIZE         0x0003
#define PXENV_UNDI_RESET_ADAPTER      0x0004
#define PXENV_UNDI_SHUTDOWN           0x0005
#define PXENV_UNDI_OPEN               0x0006
#define PXENV_UNDI_CLOSE              0x0007
#define PXENV_UNDI_TRANSMIT           0x0008
#define PXENV_UNDI_SET_MCAST_ADDRESS  0x0009
#define PXENV_UNDI_SET_STATION_ADDRESS 0x000a
#define PXENV_UNDI_SET_PACKET_FILTER  0x000b
#define PXENV_UNDI_GET_INFORMATION    0x000c
#define PXENV_UNDI_GET_STATISTICS     0x000d
#define PXENV_UNDI_CLEAR_STATISTICS   0x000e
#define PXENV_UNDI_INITIATE_DIAGS     0x000f
#define PXENV_UNDI_FORCE_INTERRUPT    0x0010
#define PXENV_UNDI_GET_MCAST_ADDRESS  0x0011
#define PXENV_UNDI_GET_NIC_TYPE       0x0012
#define PXENV_UNDI_GET_IFACE_INFO     0x0013
#define PXENV_UNDI_ISR                0x0014
#define PXENV_STOP_UNDI               0x0015  /* the spec gives
						 UNDI_GET_STATE 0x0015 too */
#define PXENV_UNDI_GET_STATE          0x0015
#define PXENV_TFTP_OPEN               0x0020
#define PXENV_TFTP_CLOSE              0x0021
#define PXENV_TFTP_READ               0x0022
#define PXENV_TFTP_READ_FILE          0x0023
#define PXENV_TFTP_GET_FSIZE          0x0025
#define PXENV_UDP_OPEN                0x0030
#define PXENV_UDP_CLOSE               0x0031
#define PXENV_UDP_READ                0x0032
#define PXENV_UDP_WRITE               0x0033
#define PXENV_UNLOAD_STACK            0x0070
#define PXENV_GET_CACHED_INFO         0x0071
#define PXENV_START_BASE              0x0075
#define PXENV_STOP_BASE               0x0076

/* ---- status codes (spec: "PXENV_STATUS" values); the ones dust names */
#define PXENV_STATUS_SUCCESS                  0x00
#define PXENV_STATUS_FAILURE                  0x01
#define PXENV_STATUS_BAD_FUNC                 0x02
#define PXENV_STATUS_UNSUPPORTED              0x03
#define PXENV_STATUS_KEEP_UNDI                0x04
#define PXENV_STATUS_KEEP_ALL                 0x05
#define PXENV_STATUS_OUT_OF_RESOURCES         0x06
#define PXENV_STATUS_ARP_TIMEOUT              0x11
#define PXENV_STATUS_UDP_CLOSED               0x18
#define PXENV_STATUS_UDP_OPEN                 0x19
#define PXENV_STATUS_TFTP_CLOSED              0x1a
#define PXENV_STATUS_TFTP_OPEN                0x1b
#define PXENV_STATUS_TFTP_CANNOT_ARP_ADDRESS  0x30
#define PXENV_STATUS_TFTP_OPEN_TIMEOUT        0x32
#define PXENV_STATUS_TFTP_READ_TIMEOUT        0x35
#define PXENV_STATUS_TFTP_CANNOT_OPEN_CONNECTION 0x38
#define PXENV_STATUS_TFTP_CANNOT_READ_FROM_CONNECTION 0x39
#define PXENV_STATUS_TFTP_FILE_NOT_FOUND      0x3b
#define PXENV_STATUS_TFTP_ACCESS_VIOLATION    0x3c
#define PXENV_STATUS_TFTP_NO_FILESIZE         0x3e
#define PXENV_STATUS_TFTP_INVALID_PACKET_SIZE 0x3f
#define PXENV_STATUS_UNDI_INVALID_FUNCTION    0x60
#define PXENV_STATUS_UNDI_MEDIATEST_FAILED    0x61
#define PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC 0x63
#define PXENV_STATUS_UNDI_CANNOT_INITIALIZE_PHY 0x64
#define PXENV_STATUS_UNDI_INVALID_STATE       0x6a
#define PXENV_STATUS_UNDI_TRANSMIT_ERROR      0x6b
#define PXENV_STATUS_UNDI_INVALID_PARAMETER   0x6c

/* ---- parameter blocks (spec: chapter 3 service descriptions) */

/* Services whose block is only the status word: UNDI_STARTUP,
 * UNDI_CLEANUP, UNDI_SHUTDOWN, UNDI_CLOSE, STOP_UNDI, STOP_BASE. */
struct pxenv_status_only {
	uint16_t status;
} __packed;

struct pxenv_unload_stack {        /* t_PXENV_UNLOAD_STACK */
	uint16_t status;
	uint8_t reserved[10];
} __packed;

struct pxenv_undi_initialize {     /* t_PXENV_UNDI_INITIALIZE */
	uint16_t status;
	uint32_t protocol_ini;     /* NDIS 2.0 PROTOCOL.INI image; 0 */
	uint8_t reserved[8];
} __packed;

#define PXE_MAXNUM_MCADDR 8
struct pxenv_undi_mcast {          /* t_PXENV_UNDI_MCAST_ADDRESS */
	uint16_t count;
	uint8_t addr[PXE_MAXNUM_MCADDR][PXE_MAC_ADDR_LEN];
} __packed;

struct pxenv_undi_open {           /* t_PXENV_UNDI_OPEN */
	uint16_t status;
	uint16_t open_flag;        /* reserved: 0 */
	uint16_t pkt_filter;       /* FLTR_* */
	struct pxenv_undi_mcast mcast;
} __packed;

#define FLTR_DIRECTED 0x0001
#define FLTR_BRDCST   0x0002
#define FLTR_PRMSCS   0x0004
#define FLTR_SRC_RTG  0x0008

struct pxenv_undi_transmit {       /* t_PXENV_UNDI_TRANSMIT */
	uint16_t status;
	uint8_t protocol;          /* P_*: P_UNKNOWN = the frame carries its
				      own media header */
	uint8_t xmit_flag;         /* XMT_* */
	segoff16_t dest_addr;      /* destination MAC (XMT_DESTADDR) */
	segoff16_t tbd;            /* -> struct pxenv_undi_tbd */
	uint32_t reserved[2];
} __packed;

#define P_UNKNOWN 0
#define P_IP      1
#define P_ARP     2
#define P_RARP    3

#define XMT_DESTADDR  0
#define XMT_BROADCAST 1

#define PXE_MAX_DATA_BLKS 8
struct pxenv_undi_tbd {            /* t_PXENV_UNDI_TBD */
	uint16_t immed_length;     /* bytes at xmit */
	segoff16_t xmit;
	uint16_t data_blk_count;
	struct {
		uint8_t ptr_type;  /* 0: seg:off, 1: linear address */
		uint8_t reserved;
		uint16_t len;
		uint32_t ptr;
	} __packed data_block[PXE_MAX_DATA_BLKS];
} __packed;

struct pxenv_undi_get_information { /* t_PXENV_UNDI_GET_INFORMATION */
	uint16_t status;
	uint16_t base_io;
	uint16_t int_number;       /* IRQ; 0 when the NIC has none */
	uint16_t max_tran_unit;
	uint16_t hw_type;          /* ETHER_TYPE = 1 */
	uint16_t hw_addr_len;
	uint8_t current_node_address[PXE_MAC_ADDR_LEN];
	uint8_t perm_node_address[PXE_MAC_ADDR_LEN];
	uint16_t rom_address;      /* segment */
	uint16_t rx_buf_ct;
	uint16_t tx_buf_ct;
} __packed;

#define PXE_HWTYPE_ETHER 1

struct pxenv_undi_get_nic_type {   /* t_PXENV_UNDI_GET_NIC_TYPE */
	uint16_t status;
	uint8_t nic_type;          /* *_NIC */
	union {
		struct {           /* PCI_NIC and CardBus_NIC */
			uint16_t vendor_id;
			uint16_t dev_id;
			uint8_t base_class;
			uint8_t sub_class;
			uint8_t prog_intf;
			uint8_t rev;
			uint16_t bus_dev_func;
			uint16_t sub_vendor_id;
			uint16_t sub_device_id;
		} __packed pci;
		struct {           /* PnP_NIC */
			uint32_t eisa_dev_id;
			uint8_t base_class;
			uint8_t sub_class;
			uint8_t prog_intf;
			uint16_t card_sel_num;
		} __packed pnp;
	} info;
} __packed;

#define PCI_NIC     2
#define PnP_NIC     3
#define CardBus_NIC 4

struct pxenv_undi_get_iface_info { /* t_PXENV_UNDI_GET_IFACE_INFO */
	uint16_t status;
	char iface_type[16];       /* NDIS 2.0 name, e.g. "DIX+802.3" */
	uint32_t link_speed;
	uint32_t service_flags;    /* NDIS 2.0 MAC service flags */
	uint32_t reserved[4];
} __packed;

/* The NDIS 2.0 service flags dust looks at. */
#define NDIS_SUPPORTED_SET_STATION_ADDRESS 0x0010
#define NDIS_SUPPORTED_OPEN_CLOSE          0x0800
#define NDIS_SUPPORTED_IRQ                 0x1000

struct pxenv_undi_isr {            /* t_PXENV_UNDI_ISR */
	uint16_t status;
	uint16_t func_flag;        /* in: ISR_IN_*, out: ISR_OUT_* */
	uint16_t buffer_length;    /* bytes of the frame at `frame` */
	uint16_t frame_length;     /* bytes of the whole frame */
	uint16_t frame_header_length;
	segoff16_t frame;          /* in the UNDI's memory: copy it out */
	uint8_t prot_type;         /* P_* */
	uint8_t pkt_type;          /* P_DIRECTED... */
} __packed;

#define PXENV_UNDI_ISR_IN_START     1
#define PXENV_UNDI_ISR_IN_PROCESS   2
#define PXENV_UNDI_ISR_IN_GET_NEXT  3
/* answers to IN_START */
#define PXENV_UNDI_ISR_OUT_OURS     0
#define PXENV_UNDI_ISR_OUT_NOT_OURS 1
/* answers to IN_PROCESS and IN_GET_NEXT */
#define PXENV_UNDI_ISR_OUT_DONE     0
#define PXENV_UNDI_ISR_OUT_TRANSMIT 2
#define PXENV_UNDI_ISR_OUT_RECEIVE  3
#define PXENV_UNDI_ISR_OUT_BUSY     4

#define P_DIRECTED  0
#define P_BROADCAST 1
#define P_MULTICAST 2

/* ---- the parameter blocks only the serving side needs */

struct pxenv_start_undi {          /* t_PXENV_START_UNDI */
	uint16_t status;
	uint16_t ax, bx, dx, di, es;  /* what the ROM loader was given */
} __packed;

struct pxenv_undi_reset {          /* t_PXENV_UNDI_RESET, also
				      t_PXENV_UNDI_SET_MCAST_ADDRESS */
	uint16_t status;
	struct pxenv_undi_mcast mcast;
} __packed;

struct pxenv_undi_set_station_address { /* t_PXENV_UNDI_SET_STATION_ADDRESS */
	uint16_t status;
	uint8_t station_address[PXE_MAC_ADDR_LEN];
} __packed;

struct pxenv_undi_set_packet_filter { /* t_PXENV_UNDI_SET_PACKET_FILTER */
	uint16_t status;
	uint8_t filter;            /* FLTR_* */
} __packed;

struct pxenv_undi_get_statistics { /* t_PXENV_UNDI_GET_STATISTICS */
	uint16_t status;
	uint32_t xmt_good_frames;
	uint32_t rcv_good_frames;
	uint32_t rcv_crc_errors;
	uint32_t rcv_resource_errors;
} __packed;

struct pxenv_undi_get_mcast_address { /* t_PXENV_UNDI_GET_MCAST_ADDRESS */
	uint16_t status;
	uint32_t inet_addr;        /* IPv4 multicast group, network order */
	uint8_t media_addr[PXE_MAC_ADDR_LEN];
} __packed;

struct pxenv_undi_get_state {      /* t_PXENV_UNDI_GET_STATE */
	uint16_t status;
	uint8_t undi_state;        /* PXE_UNDI_STATE_* */
} __packed;

#define PXE_UNDI_STATE_STARTED     1
#define PXE_UNDI_STATE_INITIALIZED 2
#define PXE_UNDI_STATE_OPENED      3

/* The NDIS 2.0 service flags dust offers beyond those above. */
#define NDIS_SUPPORTED_BROADCAST  0x0001
#define NDIS_SUPPORTED_MULTICAST  0x0002
#define NDIS_SUPPORTED_STATISTICS 0x0020
#define NDIS_SUPPORTED_RESET      0x0400

struct pxenv_get_cached_info {     /* t_PXENV_GET_CACHED_INFO */
	uint16_t status;
	uint16_t packet_type;      /* PXENV_PACKET_TYPE_* */
	uint16_t buffer_size;      /* in: the caller's buffer, 0: none;
				      out: bytes of the packet there */
	segoff16_t buffer;         /* in: the caller's buffer; out (size 0
				      in): the stack's own copy */
	uint16_t buffer_limit;     /* out: size of the stack's buffer */
} __packed;

#define PXENV_PACKET_TYPE_DHCP_DISCOVER 1
#define PXENV_PACKET_TYPE_DHCP_ACK      2
#define PXENV_PACKET_TYPE_CACHED_REPLY  3

/* BOOTPLAYER: the BOOTP fixed part (236 bytes) and a 1024-byte vendor
 * area; the stack's own packet buffers are exactly this size. */
#define PXE_BOOTPLAYER_SIZE 1260

struct pxenv_tftp_open {           /* t_PXENV_TFTP_OPEN */
	uint16_t status;
	uint32_t server_ip;        /* network order, as every address */
	uint32_t gateway_ip;
	char file_name[128];
	uint16_t tftp_port;        /* network order */
	uint16_t packet_size;      /* in: wanted (>= 512); out: in use */
} __packed;

struct pxenv_tftp_read {           /* t_PXENV_TFTP_READ */
	uint16_t status;
	uint16_t packet_number;    /* out: 1, 2, ... */
	uint16_t buffer_size;      /* out: bytes written */
	segoff16_t buffer;         /* in: room for packet_size bytes */
} __packed;

struct pxenv_tftp_read_file {      /* t_PXENV_TFTP_READ_FILE */
	uint16_t status;
	char file_name[128];
	uint32_t buffer_size;      /* in: room; out: file size */
	uint32_t buffer;           /* linear address */
	uint32_t server_ip;
	uint32_t gateway_ip;
	uint32_t mcast_ip;         /* multicast TFTP: not offered */
	uint16_t tftp_clnt_port;
	uint16_t tftp_srv_port;
	uint16_t tftp_open_timeout;
	uint16_t tftp_reopen_delay;
} __packed;

struct pxenv_tftp_get_fsize {      /* t_PXENV_TFTP_GET_FSIZE */
	uint16_t status;
	uint32_t server_ip;
	uint32_t gateway_ip;
	char file_name[128];
	uint32_t file_size;        /* out */
} __packed;

struct pxenv_udp_open {            /* t_PXENV_UDP_OPEN */
	uint16_t status;
	uint32_t src_ip;           /* our address (0: keep DHCP's) */
} __packed;

struct pxenv_udp_write {           /* t_PXENV_UDP_WRITE */
	uint16_t status;
	uint32_t ip;               /* destination */
	uint32_t gw;               /* relay: dust routes by itself */
	uint16_t src_port;         /* network order; 0: 2069 */
	uint16_t dst_port;
	uint16_t buffer_size;
	segoff16_t buffer;
} __packed;

struct pxenv_udp_read {            /* t_PXENV_UDP_READ */
	uint16_t status;
	uint32_t src_ip;           /* in: filter (0: any); out: sender */
	uint32_t dest_ip;          /* in: filter (0: any); out */
	uint16_t s_port;           /* in: filter (0: any); out */
	uint16_t d_port;           /* in: filter (0: any); out */
	uint16_t buffer_size;      /* in: room; out: bytes */
	segoff16_t buffer;
} __packed;

#define PXE_UDP_DEFAULT_PORT 2069  /* spec: source port when 0 is given */

BUILD_ASSERT(sizeof(struct pxenv_get_cached_info) == 12);
BUILD_ASSERT(sizeof(struct pxenv_tftp_open) == 142);
BUILD_ASSERT(sizeof(struct pxenv_tftp_read) == 10);
BUILD_ASSERT(sizeof(struct pxenv_tftp_read_file) == 158);
BUILD_ASSERT(sizeof(struct pxenv_tftp_get_fsize) == 142);
BUILD_ASSERT(sizeof(struct pxenv_udp_write) == 20);
BUILD_ASSERT(sizeof(struct pxenv_udp_read) == 20);
BUILD_ASSERT(sizeof(struct pxenv_undi_reset) == 132);
BUILD_ASSERT(sizeof(struct pxenv_undi_get_statistics) == 18);
BUILD_ASSERT(sizeof(struct pxenv_undi_get_mcast_address) == 22);
BUILD_ASSERT(sizeof(struct pxenv_undi_transmit) == 20);
BUILD_ASSERT(sizeof(struct pxenv_undi_tbd) == 72);
BUILD_ASSERT(sizeof(struct pxenv_undi_get_information) == 50);
BUILD_ASSERT(sizeof(struct pxenv_undi_open) == 136);
BUILD_ASSERT(sizeof(struct pxenv_undi_isr) == 16);
BUILD_ASSERT(sizeof(struct pxenv_undi_get_nic_type) == 17);
BUILD_ASSERT(sizeof(struct pxenv_undi_get_iface_info) == 42);
BUILD_ASSERT(sizeof(struct pxenv_unload_stack) == 12);

#endif
