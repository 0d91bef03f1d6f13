/* Tests of the PXE API dust offers the programs it chainloads: checking
 * of what callers hand over (seg:off pointers, block and buffer sizes,
 * opcodes, states), the services over a fake NIC, and the chainload
 * loop guard.  "Base memory" is a
 * buffer here: pxe_lowmem points the API at it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <bios/pxe_server.h>
#include <dust/dhcp.h>
#include <dust/image.h>
#include <dust/payload.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include "fakenet.h"
#include "unit.h"

#define LOWMEM_SIZE 0x110000
#define AREA_LIN    0x90000
#define BLK         0x20000       /* where tests put parameter blocks */
#define BUF         0x30000       /* ... and buffers */

static uint8_t *lowmem;
static struct pxe_area *area;
static unsigned int unloads;
static int keep_all;           /* as with a SAN disk hooked */

/* The platform side, as the firmware's pxe_entry.c would do it. */
unsigned int pxe_platform_unload(void)
{
	unloads++;
	if (keep_all)
		return PXENV_STATUS_KEEP_ALL;
	pxe_api_stop(0);
	return PXENV_STATUS_SUCCESS;
}

int pxe_platform_keep_nic(void)
{
	return keep_all;
}

int pxe_platform_mem_ok(uint32_t start, uint32_t len)
{
	return start >= 0x500 && start + len >= start &&
	       start + len <= AREA_LIN;
}

static void *at(uint32_t lin)
{
	return lowmem + lin;
}

/* seg:off of a 16-byte aligned linear address. */
static uint32_t so(uint32_t lin)
{
	return lin << 12;
}

static void mem_setup(void)
{
	lowmem = zalloc(LOWMEM_SIZE);
	pxe_lowmem = (uintptr_t)lowmem;
	area = at(AREA_LIN);
	unloads = 0;
	keep_all = 0;
}

static struct net_device *api_setup(void)
{
	struct net_device *netdev;

	mem_setup();
	netdev = fakenet_create(fake_mac);
	check_eq(pxe_api_start(netdev, area), 0);
	return netdev;
}

static void api_teardown(struct net_device *netdev)
{
	pxe_api_stop(0);
	fakenet_destroy(netdev);
	free(lowmem);
	pxe_lowmem = 0;
}

/* Call opcode with the block at BLK; returns the exit code. */
static unsigned int call(unsigned int opcode, const void *blk, size_t len)
{
	memcpy(at(BLK), blk, len);
	return pxe_api_call(opcode, so(BLK));
}

static uint16_t status(void)
{
	return *(uint16_t *)at(BLK);
}

UNIT_TEST(pxeapi_pointer_checks)
{
	mem_setup();
	check(pxe_ptr(0x10000010, 16) == at(0x10010));
	/* The interrupt table and BIOS data area are never a buffer. */
	check(pxe_ptr(0x00000100, 4) == NULL);
	check(pxe_ptr(0x004f0000, 16) == NULL);
	check(pxe_ptr(0x00500000, 16) == at(0x500));
	/* Running past the end of the segment, or past 1 MiB. */
	check(pxe_ptr(0x2000fff8, 16) == NULL);
	check(pxe_ptr(0x2000fff0, 16) == at(0x2fff0));
	check(pxe_ptr(0xffff0010, 1) == NULL);
	check(pxe_ptr(0xffff0000, 16) == at(0xffff0));
	check(pxe_ptr(0xffff0001, 16) == NULL);
	check(pxe_ptr(0x9000ffff, 0x20000) == NULL);
	check_eq(pxe_segoff(at(0x12345)), 0x12340005);
	free(lowmem);
	pxe_lowmem = 0;
}

UNIT_TEST(pxeapi_bad_blocks_and_opcodes)
{
	struct net_device *netdev;
	uint8_t before[16], blk[16];

	/* Nothing offered yet: calls fail, the block says why. */
	mem_setup();
	memset(blk, 0, sizeof(blk));
	check_eq(call(PXENV_UDP_OPEN, blk, 6), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_FAILURE);
	check_eq(call(PXENV_UNDI_GET_INFORMATION, blk, 16), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_STATE);
	free(lowmem);

	netdev = api_setup();
	/* Unknown opcodes, gPXE's file API among them. */
	memset(blk, 0xee, sizeof(blk));
	check_eq(call(0x00e6, blk, sizeof(blk)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNSUPPORTED);
	check_eq(call(0x0024, blk, sizeof(blk)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNSUPPORTED);
	check_eq(call(0xffff, blk, sizeof(blk)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNSUPPORTED);
	/* A block in the interrupt table: nothing is written there. */
	memcpy(before, at(0x100), sizeof(before));
	check_eq(pxe_api_call(PXENV_GET_CACHED_INFO, 0x00000100),
		 PXENV_EXIT_FAILURE);
	check_mem(at(0x100), before, sizeof(before));
	/* A block running off its segment or past 1 MiB. */
	check_eq(pxe_api_call(PXENV_GET_CACHED_INFO, 0x3000fffa),
		 PXENV_EXIT_FAILURE);
	check_eq(pxe_api_call(PXENV_TFTP_OPEN, 0xfff00000),
		 PXENV_EXIT_FAILURE);
	check_eq(pxe_api_call(PXENV_UNDI_GET_INFORMATION, 0xffff0000),
		 PXENV_EXIT_FAILURE);
	/* The same blocks in reach work. */
	check_eq(pxe_api_call(PXENV_UNDI_GET_INFORMATION, so(0xfff00)),
		 PXENV_EXIT_SUCCESS);
	api_teardown(netdev);
}

static void make_packet(uint8_t *p, size_t len, uint8_t type)
{
	struct dhcphdr *h = (struct dhcphdr *)p;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + type);
	h->op = type == DHCPDISCOVER ? BOOTP_REQUEST : BOOTP_REPLY;
	p[240] = DHCP_MESSAGE_TYPE;
	p[241] = 1;
	p[242] = type;
}

UNIT_TEST(pxeapi_get_cached_info)
{
	static uint8_t discover[300], ack[1400];
	struct pxenv_get_cached_info c, *out;
	struct net_device *netdev;

	mem_setup();
	out = at(BLK);
	netdev = fakenet_create(fake_mac);
	make_packet(discover, sizeof(discover), DHCPDISCOVER);
	make_packet(ack, sizeof(ack), DHCPACK);
	dhcp_cache_put(netdev, DHCP_CACHED_DISCOVER, discover,
		       sizeof(discover));
	dhcp_cache_put(netdev, DHCP_CACHED_ACK, ack, sizeof(ack));
	check_eq(pxe_api_start(netdev, area), 0);

	/* No buffer: a pointer to the stack's own copy. */
	memset(&c, 0, sizeof(c));
	c.packet_type = PXENV_PACKET_TYPE_DHCP_DISCOVER;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_SUCCESS);
	check_eq(out->status, 0);
	check_eq(out->buffer_size, sizeof(discover));
	check_eq(out->buffer_limit, PXE_BOOTPLAYER_SIZE);
	check(pxe_ptr(out->buffer, out->buffer_size) == area->cached[0]);
	check_mem(area->cached[0], discover, sizeof(discover));
	/* The ACK is longer than a BOOTPLAYER: our copy is cut there. */
	c.packet_type = PXENV_PACKET_TYPE_DHCP_ACK;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_SUCCESS);
	check_eq(out->buffer_size, PXE_BOOTPLAYER_SIZE);
	check(pxe_ptr(out->buffer, 1) == area->cached[1]);
	/* No ProxyDHCP reply: the cached reply is the ACK. */
	c.packet_type = PXENV_PACKET_TYPE_CACHED_REPLY;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_SUCCESS);
	check(pxe_ptr(out->buffer, 1) == area->cached[1]);

	/* The caller's buffer: the whole packet when it fits... */
	c.packet_type = PXENV_PACKET_TYPE_DHCP_ACK;
	c.buffer_size = 4096;
	c.buffer = so(BUF);
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_SUCCESS);
	check_eq(out->buffer_size, sizeof(ack));
	check_eq(out->buffer, so(BUF));
	check_mem(at(BUF), ack, sizeof(ack));
	/* ...what fits when it is short, and not a byte more. */
	memset(at(BUF), 0xcc, 600);
	c.buffer_size = 500;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_SUCCESS);
	check_eq(out->buffer_size, 500);
	check_mem(at(BUF), ack, 500);
	check_eq(*(uint8_t *)at(BUF + 500), 0xcc);
	/* A buffer out of reach, an unknown packet type. */
	c.buffer = 0x00000400;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	c.buffer = 0x3000ff00;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	c.buffer = so(BUF);
	c.packet_type = 4;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	c.packet_type = 0;
	check_eq(call(PXENV_GET_CACHED_INFO, &c, sizeof(c)), PXENV_EXIT_FAILURE);
	api_teardown(netdev);
}

/* The oldest frame the fake NIC sent, whole; NULL if none. */
static struct io_buffer *sent(struct net_device *netdev)
{
	return fakenet_take(netdev);
}

UNIT_TEST(pxeapi_udp)
{
	struct net_device *netdev = api_setup();
	struct pxenv_udp_open o = { 0, 0 };
	struct pxenv_udp_write w;
	struct pxenv_udp_read r, *out = at(BLK);
	struct pxenv_status_only c = { 0 };
	struct io_buffer *iob;
	uint8_t frame[200];
	const uint8_t *p;
	uint16_t sport, dport;
	size_t len;

	/* Not open yet. */
	memset(&r, 0, sizeof(r));
	check_eq(call(PXENV_UDP_READ, &r, sizeof(r)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UDP_CLOSED);
	check_eq(call(PXENV_UDP_CLOSE, &c, sizeof(c)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UDP_CLOSED);
	check_eq(call(PXENV_UDP_OPEN, &o, sizeof(o)), PXENV_EXIT_SUCCESS);
	check_eq(call(PXENV_UDP_OPEN, &o, sizeof(o)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UDP_OPEN);

	/* A datagram out, from the default port when none is given. */
	memcpy(at(BUF), "hello", 5);
	memset(&w, 0, sizeof(w));
	w.ip = 0xffffffff;
	w.dst_port = htons(4011);
	w.buffer_size = 5;
	w.buffer = so(BUF);
	check_eq(call(PXENV_UDP_WRITE, &w, sizeof(w)), PXENV_EXIT_SUCCESS);
	iob = sent(netdev);
	check(iob != NULL);
	if (iob) {
		p = parse_udp(iob, &len, &sport, &dport, NULL, NULL);
		check(p && len == 5 && !memcmp(p, "hello", 5));
		check_eq(sport, PXE_UDP_DEFAULT_PORT);
		check_eq(dport, 4011);
		free_iob(iob);
	}
	w.src_port = htons(1234);
	check_eq(call(PXENV_UDP_WRITE, &w, sizeof(w)), PXENV_EXIT_SUCCESS);
	iob = sent(netdev);
	if (iob) {
		parse_udp(iob, &len, &sport, &dport, NULL, NULL);
		check_eq(sport, 1234);
		free_iob(iob);
	}
	/* A buffer out of reach. */
	w.buffer = 0xffff0000;
	w.buffer_size = 100;
	check_eq(call(PXENV_UDP_WRITE, &w, sizeof(w)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);

	/* Datagrams in, to two ports; reads pick by port, never wait. */
	fakenet_inject(netdev, frame, build_udp(frame, fake_mac, server_mac,
		"192.0.2.1", 69, "192.0.2.100", 2000, "first", 5));
	fakenet_inject(netdev, frame, build_udp(frame, fake_mac, server_mac,
		"192.0.2.1", 70, "192.0.2.100", 3000, "second!", 7));
	memset(&r, 0, sizeof(r));
	r.d_port = htons(3000);
	r.buffer_size = 100;
	r.buffer = so(BUF);
	check_eq(call(PXENV_UDP_READ, &r, sizeof(r)), PXENV_EXIT_SUCCESS);
	check_eq(out->buffer_size, 7);
	check_mem(at(BUF), "second!", 7);
	check_eq(ntohs(out->s_port), 70);
	check_eq(ntohl(out->src_ip), 0xc0000201);
	check_eq(ntohl(out->dest_ip), 0xc0000264);
	/* A short buffer gets what fits. */
	r.d_port = 0;
	r.buffer_size = 3;
	memset(at(BUF), 0, 8);
	check_eq(call(PXENV_UDP_READ, &r, sizeof(r)), PXENV_EXIT_SUCCESS);
	check_eq(out->buffer_size, 3);
	check_mem(at(BUF), "fir\0", 4);
	check_eq(ntohs(out->d_port), 2000);
	check_eq(call(PXENV_UDP_READ, &r, sizeof(r)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_FAILURE);
	/* Filtered by destination address. */
	fakenet_inject(netdev, frame, build_udp(frame, fake_mac, server_mac,
		"192.0.2.1", 69, "192.0.2.100", 2000, "x", 1));
	r.dest_ip = htonl(0xc0000265);
	check_eq(call(PXENV_UDP_READ, &r, sizeof(r)), PXENV_EXIT_FAILURE);
	r.dest_ip = 0;
	r.buffer = 0x00000010;
	check_eq(call(PXENV_UDP_READ, &r, sizeof(r)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	/* Closing drops what is queued. */
	check_eq(call(PXENV_UDP_CLOSE, &c, sizeof(c)), PXENV_EXIT_SUCCESS);
	check_eq(call(PXENV_UDP_WRITE, &w, sizeof(w)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UDP_CLOSED);
	/* Left open, the program's endpoint is closed by the stop. */
	check_eq(call(PXENV_UDP_OPEN, &o, sizeof(o)), PXENV_EXIT_SUCCESS);
	api_teardown(netdev);
}

UNIT_TEST(pxeapi_undi_transmit)
{
	struct net_device *netdev = api_setup();
	struct pxenv_undi_transmit t;
	struct pxenv_undi_tbd *tbd = at(BUF);
	struct pxenv_undi_get_information info, *io = at(BLK);
	struct io_buffer *iob;
	const uint8_t *f;
	static const uint8_t dest[6] = { 2, 3, 4, 5, 6, 7 };

	memset(&info, 0, sizeof(info));
	check_eq(call(PXENV_UNDI_GET_INFORMATION, &info, sizeof(info)),
		 PXENV_EXIT_SUCCESS);
	check_eq(io->hw_type, PXE_HWTYPE_ETHER);
	check_eq(io->hw_addr_len, 6);
	check_eq(io->int_number, 0);
	check_eq(io->max_tran_unit, 1500);
	check_mem(io->current_node_address, fake_mac, 6);

	/* An IP packet: the stack adds the Ethernet header; the payload is
	 * an immediate part and two data blocks, seg:off and linear. */
	memset(tbd, 0, sizeof(*tbd));
	memcpy(at(BUF + 0x100), "ABCD", 4);
	memcpy(at(BUF + 0x200), "EF", 2);
	memcpy(at(BUF + 0x300), "GHIJ", 4);
	memcpy(at(BUF + 0x400), dest, 6);
	tbd->immed_length = 4;
	tbd->xmit = so(BUF + 0x100);
	tbd->data_blk_count = 2;
	tbd->data_block[0].len = 2;
	tbd->data_block[0].ptr = so(BUF + 0x200);
	tbd->data_block[1].ptr_type = 1;
	tbd->data_block[1].len = 4;
	tbd->data_block[1].ptr = BUF + 0x300;
	memset(&t, 0, sizeof(t));
	t.protocol = P_IP;
	t.xmit_flag = XMT_DESTADDR;
	t.dest_addr = so(BUF + 0x400);
	t.tbd = so(BUF);
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_SUCCESS);
	iob = sent(netdev);
	check(iob != NULL);
	if (iob) {
		f = iob->data;
		check(iob_len(iob) >= 24);
		check_mem(f, dest, 6);
		check_mem(f + 6, fake_mac, 6);
		check(f[12] == 0x08 && f[13] == 0x00);
		check_mem(f + 14, "ABCDEFGHIJ", 10);
		free_iob(iob);
	}
	/* P_UNKNOWN: sent exactly as given (padded to the minimum). */
	memcpy(at(BUF + 0x100), "\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34"
	       "\x56\x88\xb5QQ", 16);
	tbd->immed_length = 16;
	tbd->data_blk_count = 0;
	t.protocol = P_UNKNOWN;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_SUCCESS);
	iob = sent(netdev);
	if (iob) {
		check_mem(iob->data, at(BUF + 0x100), 16);
		free_iob(iob);
	}
	/* Bad descriptors: out of reach, too many blocks, too long, a bad
	 * protocol, a frame without room for its header. */
	t.tbd = 0x00000010;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	t.tbd = so(BUF);
	tbd->data_blk_count = 9;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	tbd->data_blk_count = 1;
	tbd->data_block[0].len = 1600;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	tbd->data_block[0].len = 2;
	tbd->data_block[0].ptr = 0xffff0010;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	tbd->data_blk_count = 0;
	t.protocol = 9;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	t.protocol = P_UNKNOWN;
	tbd->immed_length = 10;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	t.protocol = P_ARP;
	t.dest_addr = 0x00000001;
	check_eq(call(PXENV_UNDI_TRANSMIT, &t, sizeof(t)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	check_eq(fakenet_pending(netdev), 0);
	api_teardown(netdev);
}

/* One UNDI_ISR call; returns the FuncFlag answer. */
static unsigned int isr(unsigned int func)
{
	struct pxenv_undi_isr i;

	memset(&i, 0, sizeof(i));
	i.func_flag = (uint16_t)func;
	check_eq(call(PXENV_UNDI_ISR, &i, sizeof(i)), PXENV_EXIT_SUCCESS);
	return ((struct pxenv_undi_isr *)at(BLK))->func_flag;
}

UNIT_TEST(pxeapi_undi_isr_and_states)
{
	struct net_device *netdev = api_setup();
	struct pxenv_undi_isr *io = at(BLK);
	struct pxenv_undi_get_state st = { 0, 0 };
	struct pxenv_undi_get_mcast_address m;
	struct pxenv_status_only s = { 0 };
	struct pxenv_undi_open o;
	struct pxenv_unload_stack u;
	uint8_t frame[100];
	size_t len;

	check_eq(isr(PXENV_UNDI_ISR_IN_START), PXENV_UNDI_ISR_OUT_NOT_OURS);
	/* A frame for us and a broadcast (the NIC filters out the rest). */
	len = build_udp(frame, fake_mac, server_mac, "192.0.2.1", 69,
			"192.0.2.100", 2000, "data", 4);
	fakenet_inject(netdev, frame, len);
	build_udp(frame, eth_broadcast, server_mac, "192.0.2.1", 69,
		  "192.0.2.255", 2000, "data", 4);
	fakenet_inject(netdev, frame, len);
	check_eq(isr(PXENV_UNDI_ISR_IN_START), PXENV_UNDI_ISR_OUT_OURS);
	check_eq(isr(PXENV_UNDI_ISR_IN_PROCESS), PXENV_UNDI_ISR_OUT_RECEIVE);
	check_eq(io->frame_length, len);
	check_eq(io->buffer_length, len);
	check_eq(io->frame_header_length, 14);
	check_eq(io->prot_type, P_IP);
	check_eq(io->pkt_type, P_DIRECTED);
	check(pxe_ptr(io->frame, len) == area->frame);
	check_mem(area->frame, fake_mac, 6);
	check_eq(isr(PXENV_UNDI_ISR_IN_GET_NEXT), PXENV_UNDI_ISR_OUT_RECEIVE);
	check_eq(io->pkt_type, P_BROADCAST);
	check_eq(isr(PXENV_UNDI_ISR_IN_GET_NEXT), PXENV_UNDI_ISR_OUT_DONE);
	/* UNDI_OPEN while open is fine. */
	memset(&o, 0, sizeof(o));
	o.pkt_filter = FLTR_DIRECTED;
	check_eq(call(PXENV_UNDI_OPEN, &o, sizeof(o)), PXENV_EXIT_SUCCESS);
	check_eq(isr(PXENV_UNDI_ISR_IN_START), PXENV_UNDI_ISR_OUT_NOT_OURS);
	{
		struct pxenv_undi_isr i;

		memset(&i, 0, sizeof(i));
		i.func_flag = 7;
		check_eq(call(PXENV_UNDI_ISR, &i, sizeof(i)),
			 PXENV_EXIT_FAILURE);
		check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	}

	/* Multicast addresses (RFC 1112). */
	memset(&m, 0, sizeof(m));
	m.inet_addr = htonl(0xe0818283);
	check_eq(call(PXENV_UNDI_GET_MCAST_ADDRESS, &m, sizeof(m)),
		 PXENV_EXIT_SUCCESS);
	check_mem(((struct pxenv_undi_get_mcast_address *)at(BLK))->media_addr,
		  "\x01\x00\x5e\x01\x82\x83", 6);
	m.inet_addr = htonl(0xc0000201);
	check_eq(call(PXENV_UNDI_GET_MCAST_ADDRESS, &m, sizeof(m)),
		 PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_PARAMETER);
	check_eq(call(PXENV_UNDI_INITIATE_DIAGS, &s, sizeof(s)),
		 PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNSUPPORTED);
	/* A forced "interrupt": the next IN_START is ours, with nothing. */
	check_eq(call(PXENV_UNDI_FORCE_INTERRUPT, &s, sizeof(s)),
		 PXENV_EXIT_SUCCESS);
	check_eq(isr(PXENV_UNDI_ISR_IN_START), PXENV_UNDI_ISR_OUT_OURS);
	check_eq(isr(PXENV_UNDI_ISR_IN_PROCESS), PXENV_UNDI_ISR_OUT_DONE);
	check_eq(isr(PXENV_UNDI_ISR_IN_START), PXENV_UNDI_ISR_OUT_NOT_OURS);

	/* States: opened, closed (no sending, no ISR), open again. */
	check_eq(call(PXENV_UNDI_GET_STATE, &st, sizeof(st)), PXENV_EXIT_SUCCESS);
	check_eq(((struct pxenv_undi_get_state *)at(BLK))->undi_state,
		 PXE_UNDI_STATE_OPENED);
	check_eq(call(PXENV_UNDI_CLOSE, &s, sizeof(s)), PXENV_EXIT_SUCCESS);
	check(!netdev_is_open(netdev));
	check_eq(call(PXENV_UNDI_GET_STATE, &st, sizeof(st)), PXENV_EXIT_SUCCESS);
	check_eq(((struct pxenv_undi_get_state *)at(BLK))->undi_state,
		 PXE_UNDI_STATE_INITIALIZED);
	memset(at(BLK), 0, 20);
	((struct pxenv_undi_isr *)at(BLK))->func_flag = PXENV_UNDI_ISR_IN_START;
	check_eq(pxe_api_call(PXENV_UNDI_ISR, so(BLK)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_STATE);
	o.pkt_filter = FLTR_DIRECTED | FLTR_BRDCST;
	check_eq(call(PXENV_UNDI_OPEN, &o, sizeof(o)), PXENV_EXIT_SUCCESS);
	check(netdev_is_open(netdev));

	/* With a SAN disk, dust keeps its NIC open whatever the program
	 * shuts down, and UNLOAD_STACK says it must stay. */
	keep_all = 1;
	check_eq(call(PXENV_UNDI_SHUTDOWN, &s, sizeof(s)), PXENV_EXIT_SUCCESS);
	check(netdev_is_open(netdev));
	memset(&u, 0, sizeof(u));
	check_eq(call(PXENV_UNLOAD_STACK, &u, sizeof(u)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_KEEP_ALL);
	check(!pxe_api_unloaded());
	check_eq(isr(PXENV_UNDI_ISR_IN_START), PXENV_UNDI_ISR_OUT_NOT_OURS);
	keep_all = 0;
	check_eq(call(PXENV_UNDI_OPEN, &o, sizeof(o)), PXENV_EXIT_SUCCESS);

	/* After UNDI_SHUTDOWN, 0x0015 is STOP_UNDI: the end. */
	check_eq(call(PXENV_UNDI_SHUTDOWN, &s, sizeof(s)), PXENV_EXIT_SUCCESS);
	check_eq(call(PXENV_STOP_UNDI, &st, sizeof(st)), PXENV_EXIT_SUCCESS);
	check_eq(unloads, 2);
	check(pxe_api_unloaded());
	/* Taking it down again is fine; anything else fails. */
	check_eq(call(PXENV_UNLOAD_STACK, &u, sizeof(u)), PXENV_EXIT_SUCCESS);
	check_eq(call(PXENV_UNDI_CLEANUP, &s, sizeof(s)), PXENV_EXIT_SUCCESS);
	check_eq(unloads, 2);
	check_eq(call(PXENV_UNDI_TRANSMIT, &s, sizeof(s)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNDI_INVALID_STATE);
	check_eq(call(PXENV_GET_CACHED_INFO, &s, sizeof(s)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_FAILURE);
	api_teardown(netdev);
}

UNIT_TEST(pxeapi_tftp_arguments)
{
	struct net_device *netdev = api_setup();
	struct pxenv_tftp_open o;
	struct pxenv_tftp_read r;
	struct pxenv_tftp_read_file f;
	struct pxenv_status_only c = { 0 };

	memset(&r, 0, sizeof(r));
	check_eq(call(PXENV_TFTP_READ, &r, sizeof(r)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_TFTP_CLOSED);
	check_eq(call(PXENV_TFTP_CLOSE, &c, sizeof(c)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_TFTP_CLOSED);
	memset(&o, 0, sizeof(o));
	o.server_ip = htonl(0xc0000201);
	strcpy(o.file_name, "pxelinux.0");
	o.packet_size = 100;
	check_eq(call(PXENV_TFTP_OPEN, &o, sizeof(o)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_TFTP_INVALID_PACKET_SIZE);
	/* No server, an unterminated name. */
	o.packet_size = 512;
	o.server_ip = 0;
	check_eq(call(PXENV_TFTP_OPEN, &o, sizeof(o)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	o.server_ip = htonl(0xc0000201);
	memset(o.file_name, 'a', sizeof(o.file_name));
	check_eq(call(PXENV_TFTP_OPEN, &o, sizeof(o)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	/* A whole file over dust's own memory, or wrapping past 4 GiB;
	 * multicast TFTP. */
	memset(&f, 0, sizeof(f));
	strcpy(f.file_name, "vmlinuz");
	f.server_ip = htonl(0xc0000201);
	f.buffer = AREA_LIN - 0x100;
	f.buffer_size = 0x1000;
	check_eq(call(PXENV_TFTP_READ_FILE, &f, sizeof(f)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	f.buffer = 0xfffff000;
	check_eq(call(PXENV_TFTP_READ_FILE, &f, sizeof(f)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_BAD_FUNC);
	f.mcast_ip = htonl(0xe0000001);
	check_eq(call(PXENV_TFTP_READ_FILE, &f, sizeof(f)), PXENV_EXIT_FAILURE);
	check_eq(status(), PXENV_STATUS_UNSUPPORTED);
	check_eq(fakenet_pending(netdev), 0);
	api_teardown(netdev);
}

/* ---- the chainload loop guard */

UNIT_TEST(loop_guard_knows_its_own_payload)
{
	struct payload_hdr self = {
		PAYLOAD_MAGIC, sizeof(struct payload_hdr), 40000, 0x1234abcd,
		90000, 80000, 150000, 0x40, 0x20000, 900, 4 << 20, 256 << 10,
	};
	struct payload_hdr other = self;
	uint8_t *img = zalloc(8192);
	struct image *image;
	const char *out;
	int rc;

	memcpy(img + 4096, &self, sizeof(self));
	check(payload_in_image(img, 8192, &self));
	/* Another build (another CRC), or a header not where a prefix puts
	 * it, or an image cut short: not dust itself. */
	other.crc ^= 1;
	check(!payload_in_image(img, 8192, &other));
	check(!payload_in_image(img, 4096 + sizeof(self) - 1, &self));
	memmove(img + 4100, img + 4096, sizeof(self));
	check(!payload_in_image(img, 8192, &self));
	memmove(img + 4096, img + 4100, sizeof(self));
	/* Nothing is recognised when our own header is unknown. */
	other = self;
	other.magic = 0;
	check(!payload_in_image(img, 8192, &other));

	/* image_exec refuses it in one line, and starts nothing. */
	image = alloc_image(NULL);
	strcpy(image->name, "undionly.kpxe");
	image->data = img;
	image->len = 8192;
	payload_self = self;
	host_capture_start();
	rc = image_exec(image);
	out = host_capture_stop();
	check(rc_is(rc, ELOOP_K));
	check(strstr(out, "undionly.kpxe is this very dust: not chaining "
		      "it again") != NULL);
	check(strchr(out, '\n') == out + strlen(out) - 1);
	check(image->type == NULL);
	memset(&payload_self, 0, sizeof(payload_self));
	image->data = NULL;
	image_put(image);
	free(img);
}
