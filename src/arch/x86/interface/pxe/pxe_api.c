/* The PXE API dust offers a program it chainloads (PXE 2.1 chapter 3),
 * on top of dust's own network stack:
 *
 *  preboot  GET_CACHED_INFO hands out the packets of dust's DHCP run
 *           (netdev->dhcp_pkt); UNLOAD_STACK ends dust's network (the
 *           platform closes the NICs and removes its hooks);
 *           START/STOP_BASE and START_UNDI only say yes.
 *  TFTP     in pxe_tftp.c (not in every image: see the Makefile).
 *  UDP      one endpoint that takes datagrams for every port dust itself
 *           does not use; UDP_READ picks the oldest one matching the
 *           program's filter and never waits.
 *  UNDI     the raw NIC: frames go out as given (with the Ethernet header
 *           built for P_IP/P_ARP/P_RARP), and UNDI_ISR hands out received
 *           frames before dust's protocols see them: what the NIC
 *           delivers (ours, broadcast, multicast), whatever packet filter
 *           the program asks for.  There is no interrupt: the program is
 *           told IRQ 0 and polls.
 *
 * The services wait for the network by running dust's main loop (step);
 * the UNDI ones poll the driver only, so dust's protocols never take a
 * frame the program is waiting for.  Argument checking is described in
 * bios/pxe_server.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <bios/pxe_server.h>
#include <dust/dhcp.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/udp.h>
#include <dust/xfer.h>

#define PXE_LOWEST          0x500  /* below: vectors and BIOS data */
#define PXE_UDP_QUEUE_MAX   16     /* datagrams kept for UDP_READ */

uintptr_t pxe_lowmem;

/* What UDP_READ reports of a queued datagram (pushed in front of it). */
struct pxe_udp_meta {
	uint32_t src_ip, dest_ip;
	uint16_t s_port, d_port;
} __packed;

static struct {
	struct net_device *netdev;  /* counted; NULL: not offered */
	struct pxe_area *area;
	unsigned int undi_state;    /* PXE_UNDI_STATE_* */
	int unloaded;               /* the program ended the network */
	int was_open;               /* the device was open at the start */
	int shut_down;              /* UNDI_SHUTDOWN/CLEANUP seen */
	unsigned int tx_events;     /* sent frames UNDI_ISR has not told */
	int forced;                 /* UNDI_FORCE_INTERRUPT: say "ours" */
	struct xfer udp;
	int udp_open;
	struct list_head udp_rx;
	unsigned int udp_queued;
} pxe;

/* ---- addresses */

void *pxe_ptr(uint32_t segoff, size_t len)
{
	uint32_t off = segoff & 0xffff, lin = (segoff >> 16) * 16 + off;

	if (off + len > 0x10000 || lin < PXE_LOWEST || lin + len > 0x100000)
		return NULL;
	return (void *)(pxe_lowmem + lin);
}

uint32_t pxe_segoff(const void *p)
{
	uint32_t lin = (uint32_t)((uintptr_t)p - pxe_lowmem);

	return (lin >> 4) << 16 | (lin & 15);
}

/* ---- preboot services */

static unsigned int pxe_get_cached_info(void *blk)
{
	struct pxenv_get_cached_info *p = blk;
	struct net_device *netdev = pxe.netdev;
	unsigned int which = p->packet_type - 1u;
	size_t len;
	void *dst;

	if (which > DHCP_CACHED_REPLY)
		return PXENV_STATUS_BAD_FUNC;
	/* Without a ProxyDHCP or boot server reply, the DHCPACK is what
	 * named the boot file. */
	if (!netdev->dhcp_pkt[which] && which == DHCP_CACHED_REPLY)
		which = DHCP_CACHED_ACK;
	len = netdev->dhcp_pkt_len[which];
	if (!len)
		return PXENV_STATUS_FAILURE;
	if (!p->buffer_size) {
		/* Point at our own copy (cut to a BOOTPLAYER). */
		p->buffer = pxe_segoff(pxe.area->cached[which]);
		p->buffer_size = (uint16_t)(len < PXE_BOOTPLAYER_SIZE ? len :
					    PXE_BOOTPLAYER_SIZE);
		p->buffer_limit = PXE_BOOTPLAYER_SIZE;
		return PXENV_STATUS_SUCCESS;
	}
	if (len > p->buffer_size)
		len = p->buffer_size;
	dst = pxe_ptr(p->buffer, len);
	if (!dst)
		return PXENV_STATUS_BAD_FUNC;
	memcpy(dst, netdev->dhcp_pkt[which], len);
	p->buffer_size = (uint16_t)len;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int pxe_ok(void *blk)
{
	(void)blk;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int pxe_unload_stack(void *blk)
{
	unsigned int status;

	(void)blk;
	if (pxe.unloaded)
		return PXENV_STATUS_SUCCESS;
	status = pxe_platform_unload();
	if (status == PXENV_STATUS_SUCCESS)
		pxe.unloaded = 1;
	return status;
}

/* ---- UNDI: the raw NIC */

static unsigned int undi_need_open(void)
{
	if (!netdev_is_open(pxe.netdev))
		return PXENV_STATUS_UNDI_INVALID_STATE;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_open(void *blk)
{
	(void)blk;
	if (netdev_open(pxe.netdev))
		return PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC;
	pxe.undi_state = PXE_UNDI_STATE_OPENED;
	pxe.shut_down = 0;
	return PXENV_STATUS_SUCCESS;
}

/* UNDI_CLOSE, UNDI_INITIALIZE (initialised, closed), UNDI_SHUTDOWN and
 * UNDI_CLEANUP (started, closed). */
static unsigned int undi_close(void *blk)
{
	(void)blk;
	/* A SAN disk needs the NIC: it stays open behind the program. */
	if (!pxe_platform_keep_nic())
		netdev_close(pxe.netdev);
	pxe.tx_events = 0;
	if (pxe.undi_state == PXE_UNDI_STATE_OPENED)
		pxe.undi_state = PXE_UNDI_STATE_INITIALIZED;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_initialize(void *blk)
{
	undi_close(blk);
	pxe.undi_state = PXE_UNDI_STATE_INITIALIZED;
	pxe.shut_down = 0;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_shutdown(void *blk)
{
	undi_close(blk);
	pxe.undi_state = PXE_UNDI_STATE_STARTED;
	pxe.shut_down = 1;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_reset_adapter(void *blk)
{
	int was_open = netdev_is_open(pxe.netdev);

	undi_close(blk);
	if (was_open && netdev_open(pxe.netdev))
		return PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC;
	return PXENV_STATUS_SUCCESS;
}

static const uint16_t undi_ethertypes[] = {
	[P_IP] = 0x0800, [P_ARP] = 0x0806, [P_RARP] = 0x8035,
};

/* Append len bytes from a transmit descriptor piece: seg:off, or a
 * linear address (which may lie above 1 MiB).  0 if out of reach. */
static int undi_gather(struct io_buffer *iob, uint32_t ptr, int linear,
		       size_t len)
{
	const void *src;

	if (!len)
		return 1;
	if (linear)
		src = ptr >= PXE_LOWEST && ptr + len > ptr ?
		      (void *)(pxe_lowmem + ptr) : NULL;
	else
		src = pxe_ptr(ptr, len);
	if (!src)
		return 0;
	memcpy(iob_put(iob, len), src, len);
	return 1;
}

static unsigned int undi_transmit(void *blk)
{
	struct pxenv_undi_transmit *p = blk;
	struct pxenv_undi_tbd *tbd = pxe_ptr(p->tbd, sizeof(*tbd));
	struct io_buffer *iob;
	const uint8_t *dest;
	unsigned int i;
	size_t len;

	if (undi_need_open())
		return PXENV_STATUS_UNDI_INVALID_STATE;
	if (!tbd || p->protocol > P_RARP ||
	    tbd->data_blk_count > PXE_MAX_DATA_BLKS)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	len = p->protocol ? ETH_HLEN : 0;     /* the header we add */
	len += tbd->immed_length;
	for (i = 0; i < tbd->data_blk_count; i++)
		len += tbd->data_block[i].len;
	if (len > ETH_FRAME_LEN)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	iob = alloc_iob(len);       /* headroom for a media header */
	if (!iob)
		return PXENV_STATUS_OUT_OF_RESOURCES;
	if (!undi_gather(iob, tbd->xmit, 0, tbd->immed_length))
		goto bad;
	for (i = 0; i < tbd->data_blk_count; i++)
		if (!undi_gather(iob, tbd->data_block[i].ptr,
				 tbd->data_block[i].ptr_type,
				 tbd->data_block[i].len))
			goto bad;
	if (p->protocol != P_UNKNOWN) {
		uint8_t *eh = iob_push(iob, ETH_HLEN);
		uint16_t type = htons(undi_ethertypes[p->protocol]);

		dest = p->xmit_flag == XMT_BROADCAST ? eth_broadcast :
		       pxe_ptr(p->dest_addr, ETH_ALEN);
		if (!dest)
			goto bad;
		memcpy(eh, dest, ETH_ALEN);
		memcpy(eh + ETH_ALEN, pxe.netdev->ll_addr, ETH_ALEN);
		memcpy(eh + 2 * ETH_ALEN, &type, 2);
	} else if (iob_len(iob) < ETH_HLEN) {
		goto bad;     /* P_UNKNOWN: the frame carries its header */
	}
	if (netdev_tx(pxe.netdev, iob))
		return PXENV_STATUS_UNDI_TRANSMIT_ERROR;
	pxe.tx_events++;
	return PXENV_STATUS_SUCCESS;
bad:
	free_iob(iob);
	return PXENV_STATUS_UNDI_INVALID_PARAMETER;
}

static unsigned int undi_set_station_address(void *blk)
{
	struct pxenv_undi_set_station_address *p = blk;

	/* Only while closed: the driver programs it when opening. */
	if (netdev_is_open(pxe.netdev))
		return PXENV_STATUS_UNDI_INVALID_STATE;
	memcpy(pxe.netdev->ll_addr, p->station_address, ETH_ALEN);
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_get_information(void *blk)
{
	struct pxenv_undi_get_information *p = blk;

	memset(&p->base_io, 0, sizeof(*p) - 2);
	/* No I/O base or IRQ to share: the program polls UNDI_ISR. */
	p->max_tran_unit = ETH_DATA_LEN;
	p->hw_type = PXE_HWTYPE_ETHER;
	p->hw_addr_len = ETH_ALEN;
	memcpy(p->current_node_address, pxe.netdev->ll_addr, ETH_ALEN);
	memcpy(p->perm_node_address, pxe.netdev->hw_addr, ETH_ALEN);
	p->rx_buf_ct = 1;
	p->tx_buf_ct = 1;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_get_statistics(void *blk)
{
	struct pxenv_undi_get_statistics *p = blk;
	const struct net_device_stats *st = &pxe.netdev->stats;

	p->xmt_good_frames = (uint32_t)st->tx_ok;
	p->rcv_good_frames = (uint32_t)st->rx_ok;
	p->rcv_crc_errors = (uint32_t)st->rx_err;
	p->rcv_resource_errors = (uint32_t)st->rx_drop;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_clear_statistics(void *blk)
{
	(void)blk;
	memset(&pxe.netdev->stats, 0, sizeof(pxe.netdev->stats));
	return PXENV_STATUS_SUCCESS;
}

/* There is no interrupt line: the next UNDI_ISR IN_START says "ours",
 * as the handler of a forced interrupt would. */
static unsigned int undi_force_interrupt(void *blk)
{
	(void)blk;
	pxe.forced = 1;
	return undi_need_open();
}

static unsigned int pxe_unsupported(void *blk)
{
	(void)blk;
	return PXENV_STATUS_UNSUPPORTED;
}

static unsigned int undi_get_mcast_address(void *blk)
{
	struct pxenv_undi_get_mcast_address *p = blk;
	uint32_t ip = ntohl(p->inet_addr);

	/* RFC 1112 section 6.4: 01:00:5e and the low 23 bits. */
	if ((ip >> 28) != 0xe)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	memset(p->media_addr, 0, sizeof(p->media_addr));
	p->media_addr[0] = 0x01;
	p->media_addr[2] = 0x5e;
	p->media_addr[3] = (uint8_t)(ip >> 16 & 0x7f);
	p->media_addr[4] = (uint8_t)(ip >> 8);
	p->media_addr[5] = (uint8_t)ip;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_get_nic_type(void *blk)
{
	struct pxenv_undi_get_nic_type *p = blk;
	const struct net_device_location *loc = &pxe.netdev->dev;

	memset(&p->nic_type, 0, sizeof(*p) - 2);
	if (loc->location == 0xffff)
		return PXENV_STATUS_UNSUPPORTED;   /* where it is is unknown */
	p->nic_type = PCI_NIC;
	p->info.pci.vendor_id = loc->vendor;
	p->info.pci.dev_id = loc->device;
	p->info.pci.base_class = 0x02;        /* network controller */
	p->info.pci.bus_dev_func = loc->location;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int undi_get_iface_info(void *blk)
{
	struct pxenv_undi_get_iface_info *p = blk;

	memset(p->iface_type, 0, sizeof(*p) - 2);
	strcpy(p->iface_type, "DIX+802.3");
	p->link_speed = 100000000;
	p->service_flags = NDIS_SUPPORTED_BROADCAST | NDIS_SUPPORTED_MULTICAST |
			   NDIS_SUPPORTED_SET_STATION_ADDRESS |
			   NDIS_SUPPORTED_STATISTICS | NDIS_SUPPORTED_RESET |
			   NDIS_SUPPORTED_OPEN_CLOSE;
	return PXENV_STATUS_SUCCESS;
}

/* 0x0015 is both STOP_UNDI and UNDI_GET_STATE in the spec: after the
 * program shut the UNDI down (UNDI_SHUTDOWN, UNDI_CLEANUP, UNLOAD_STACK)
 * it can only mean STOP_UNDI, which ends the network as UNLOAD_STACK
 * does; before, it asks for the state. */
static unsigned int undi_get_state_or_stop(void *blk)
{
	if (pxe.shut_down || pxe.unloaded)
		return pxe_unload_stack(blk);
	((struct pxenv_undi_get_state *)blk)->undi_state =
		(uint8_t)pxe.undi_state;
	return PXENV_STATUS_SUCCESS;
}

/* UNDI_ISR as a polled interrupt handler: IN_START polls the NIC and
 * says whether anything waits; IN_PROCESS and IN_GET_NEXT hand out one
 * event each (a finished transmission, then received frames, whole, in
 * base memory) until OUT_DONE. */
static unsigned int undi_isr(void *blk)
{
	struct pxenv_undi_isr *p = blk;
	struct net_device *netdev = pxe.netdev;
	struct io_buffer *iob;
	const uint8_t *eh;
	uint16_t type;
	size_t len;

	if (undi_need_open())
		return PXENV_STATUS_UNDI_INVALID_STATE;
	if (p->func_flag == PXENV_UNDI_ISR_IN_START) {
		netdev->op->poll(netdev);
		p->func_flag = pxe.forced || pxe.tx_events ||
			       !list_empty(&netdev->rx_queue) ?
			       PXENV_UNDI_ISR_OUT_OURS :
			       PXENV_UNDI_ISR_OUT_NOT_OURS;
		pxe.forced = 0;
		return PXENV_STATUS_SUCCESS;
	}
	if (p->func_flag != PXENV_UNDI_ISR_IN_PROCESS &&
	    p->func_flag != PXENV_UNDI_ISR_IN_GET_NEXT)
		return PXENV_STATUS_UNDI_INVALID_PARAMETER;
	if (pxe.tx_events) {
		pxe.tx_events--;
		p->func_flag = PXENV_UNDI_ISR_OUT_TRANSMIT;
		return PXENV_STATUS_SUCCESS;
	}
	while ((iob = list_first_entry_or_null(&netdev->rx_queue,
					       struct io_buffer, list))) {
		list_del(&iob->list);
		eh = iob->data;
		len = iob_len(iob);
		if (len < ETH_HLEN || len > sizeof(pxe.area->frame)) {
			netdev->stats.rx_drop++;
			free_iob(iob);
			continue;
		}
		memcpy(pxe.area->frame, eh, len);
		free_iob(iob);
		eh = pxe.area->frame;
		type = (uint16_t)(eh[12] << 8 | eh[13]);
		p->buffer_length = p->frame_length = (uint16_t)len;
		p->frame_header_length = ETH_HLEN;
		p->frame = pxe_segoff(pxe.area->frame);
		p->prot_type = type == 0x0800 ? P_IP : type == 0x0806 ? P_ARP :
			       type == 0x8035 ? P_RARP : P_UNKNOWN;
		p->pkt_type = !memcmp(eh, eth_broadcast, ETH_ALEN) ?
			      P_BROADCAST : (eh[0] & 1) ? P_MULTICAST :
			      P_DIRECTED;
		p->func_flag = PXENV_UNDI_ISR_OUT_RECEIVE;
		return PXENV_STATUS_SUCCESS;
	}
	p->func_flag = PXENV_UNDI_ISR_OUT_DONE;
	return PXENV_STATUS_SUCCESS;
}

/* ---- UDP */

static void udp_drop_oldest(void)
{
	struct io_buffer *iob = list_first_entry_or_null(&pxe.udp_rx,
							 struct io_buffer, list);

	if (iob) {
		list_del(&iob->list);
		free_iob(iob);
		pxe.udp_queued--;
	}
}

static int pxe_udp_deliver(struct xfer *x, struct io_buffer *iob,
			   const struct xfer_meta *meta)
{
	const struct sockaddr_in *src, *dest;
	struct pxe_udp_meta *m;

	(void)x;
	if (!meta || !meta->src || !meta->dest ||
	    iob_headroom(iob) < sizeof(*m)) {
		free_iob(iob);
		return -EINVAL;
	}
	src = (const struct sockaddr_in *)meta->src;
	dest = (const struct sockaddr_in *)meta->dest;
	m = iob_push(iob, sizeof(*m));
	m->src_ip = src->sin_addr.s_addr;
	m->dest_ip = dest->sin_addr.s_addr;
	m->s_port = src->sin_port;
	m->d_port = dest->sin_port;
	if (pxe.udp_queued == PXE_UDP_QUEUE_MAX)
		udp_drop_oldest();
	list_add_tail(&iob->list, &pxe.udp_rx);
	pxe.udp_queued++;
	return 0;
}

static void pxe_udp_closed(struct xfer *x, int rc)
{
	(void)x;
	(void)rc;
	pxe.udp_open = 0;
}

static const struct xfer_ops pxe_udp_ops = {
	.deliver = pxe_udp_deliver,
	.close = pxe_udp_closed,
};

static unsigned int pxe_udp_open(void *blk)
{
	(void)blk;
	if (pxe.udp_open)
		return PXENV_STATUS_UDP_OPEN;
	if (netdev_open(pxe.netdev))
		return PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC;
	/* src_ip: dust keeps the address DHCP gave it. */
	xfer_init(&pxe.udp, &pxe_udp_ops, NULL);
	if (udp_open_any(&pxe.udp))
		return PXENV_STATUS_OUT_OF_RESOURCES;
	pxe.udp_open = 1;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int pxe_udp_close(void *blk)
{
	(void)blk;
	if (!pxe.udp_open)
		return PXENV_STATUS_UDP_CLOSED;
	xfer_close(&pxe.udp, 0);
	pxe.udp_open = 0;
	while (pxe.udp_queued)
		udp_drop_oldest();
	return PXENV_STATUS_SUCCESS;
}

static unsigned int pxe_udp_write(void *blk)
{
	struct pxenv_udp_write *p = blk;
	struct sockaddr_in src, dest;
	struct xfer_meta meta;
	const void *data = p->buffer_size ?
		pxe_ptr(p->buffer, p->buffer_size) : p;

	if (!pxe.udp_open)
		return PXENV_STATUS_UDP_CLOSED;
	if (!data)
		return PXENV_STATUS_BAD_FUNC;
	memset(&src, 0, sizeof(src));
	memset(&dest, 0, sizeof(dest));
	src.sin_family = dest.sin_family = AF_INET;
	src.sin_port = p->src_port ? p->src_port : htons(PXE_UDP_DEFAULT_PORT);
	dest.sin_port = p->dst_port;
	dest.sin_addr.s_addr = p->ip;
	memset(&meta, 0, sizeof(meta));
	meta.src = (struct sockaddr *)&src;
	meta.dest = (struct sockaddr *)&dest;
	meta.netdev = pxe.netdev;
	if (xfer_deliver_raw(&pxe.udp, data, p->buffer_size, &meta))
		return PXENV_STATUS_FAILURE;
	return PXENV_STATUS_SUCCESS;
}

static unsigned int pxe_udp_read(void *blk)
{
	struct pxenv_udp_read *p = blk;
	struct pxe_udp_meta *m;
	struct io_buffer *iob;
	size_t len;
	void *dst;

	if (!pxe.udp_open)
		return PXENV_STATUS_UDP_CLOSED;
	/* One turn of the main loop, then whatever has come: never wait. */
	step();
	list_for_each_entry(iob, &pxe.udp_rx, list) {
		m = iob->data;
		if ((p->dest_ip && p->dest_ip != m->dest_ip) ||
		    (p->d_port && p->d_port != m->d_port))
			continue;
		len = iob_len(iob) - sizeof(*m);
		if (len > p->buffer_size)
			len = p->buffer_size;
		dst = len ? pxe_ptr(p->buffer, len) : p;
		if (!dst)
			return PXENV_STATUS_BAD_FUNC;
		memcpy(dst, m + 1, len);
		p->src_ip = m->src_ip;
		p->dest_ip = m->dest_ip;
		p->s_port = m->s_port;
		p->d_port = m->d_port;
		p->buffer_size = (uint16_t)len;
		list_del(&iob->list);
		free_iob(iob);
		pxe.udp_queued--;
		return PXENV_STATUS_SUCCESS;
	}
	return PXENV_STATUS_FAILURE;
}

/* ---- dispatch */

PXE_SERVICES(pxe_core_services) = {
	SVC(PXENV_START_UNDI, struct pxenv_start_undi, PXE_UNDI_CALL, pxe_ok),
	SVC(PXENV_UNDI_STARTUP, struct pxenv_status_only, PXE_UNDI_CALL,
	    pxe_ok),
	SVC(PXENV_UNDI_CLEANUP, struct pxenv_status_only,
	    PXE_UNDI_CALL | PXE_ANY_TIME, undi_shutdown),
	SVC(PXENV_UNDI_INITIALIZE, struct pxenv_undi_initialize,
	    PXE_UNDI_CALL, undi_initialize),
	SVC(PXENV_UNDI_RESET_ADAPTER, struct pxenv_undi_reset, PXE_UNDI_CALL,
	    undi_reset_adapter),
	SVC(PXENV_UNDI_SHUTDOWN, struct pxenv_status_only,
	    PXE_UNDI_CALL | PXE_ANY_TIME, undi_shutdown),
	SVC(PXENV_UNDI_OPEN, struct pxenv_undi_open, PXE_UNDI_CALL, undi_open),
	SVC(PXENV_UNDI_CLOSE, struct pxenv_status_only,
	    PXE_UNDI_CALL | PXE_ANY_TIME, undi_close),
	SVC(PXENV_UNDI_TRANSMIT, struct pxenv_undi_transmit, PXE_UNDI_CALL,
	    undi_transmit),
	SVC(PXENV_UNDI_SET_MCAST_ADDRESS, struct pxenv_undi_reset,
	    PXE_UNDI_CALL, pxe_ok),
	SVC(PXENV_UNDI_SET_STATION_ADDRESS,
	    struct pxenv_undi_set_station_address, PXE_UNDI_CALL,
	    undi_set_station_address),
	SVC(PXENV_UNDI_SET_PACKET_FILTER, struct pxenv_undi_set_packet_filter,
	    PXE_UNDI_CALL, pxe_ok),
	SVC(PXENV_UNDI_GET_INFORMATION, struct pxenv_undi_get_information,
	    PXE_UNDI_CALL, undi_get_information),
	SVC(PXENV_UNDI_GET_STATISTICS, struct pxenv_undi_get_statistics,
	    PXE_UNDI_CALL, undi_get_statistics),
	SVC(PXENV_UNDI_CLEAR_STATISTICS, struct pxenv_status_only,
	    PXE_UNDI_CALL, undi_clear_statistics),
	SVC(PXENV_UNDI_INITIATE_DIAGS, struct pxenv_status_only,
	    PXE_UNDI_CALL, pxe_unsupported),
	SVC(PXENV_UNDI_FORCE_INTERRUPT, struct pxenv_status_only,
	    PXE_UNDI_CALL, undi_force_interrupt),
	SVC(PXENV_UNDI_GET_MCAST_ADDRESS, struct pxenv_undi_get_mcast_address,
	    PXE_UNDI_CALL, undi_get_mcast_address),
	SVC(PXENV_UNDI_GET_NIC_TYPE, struct pxenv_undi_get_nic_type,
	    PXE_UNDI_CALL, undi_get_nic_type),
	SVC(PXENV_UNDI_GET_IFACE_INFO, struct pxenv_undi_get_iface_info,
	    PXE_UNDI_CALL, undi_get_iface_info),
	SVC(PXENV_UNDI_ISR, struct pxenv_undi_isr, PXE_UNDI_CALL, undi_isr),
	SVC(PXENV_UNDI_GET_STATE, struct pxenv_undi_get_state,
	    PXE_UNDI_CALL | PXE_ANY_TIME, undi_get_state_or_stop),
	SVC(PXENV_UDP_OPEN, struct pxenv_udp_open, 0, pxe_udp_open),
	SVC(PXENV_UDP_CLOSE, struct pxenv_status_only, PXE_ANY_TIME,
	    pxe_udp_close),
	SVC(PXENV_UDP_READ, struct pxenv_udp_read, 0, pxe_udp_read),
	SVC(PXENV_UDP_WRITE, struct pxenv_udp_write, 0, pxe_udp_write),
	SVC(PXENV_UNLOAD_STACK, struct pxenv_unload_stack, PXE_ANY_TIME,
	    pxe_unload_stack),
	SVC(PXENV_GET_CACHED_INFO, struct pxenv_get_cached_info, 0,
	    pxe_get_cached_info),
	SVC(PXENV_START_BASE, struct pxenv_status_only, 0, pxe_ok),
	SVC(PXENV_STOP_BASE, struct pxenv_status_only, PXE_ANY_TIME, pxe_ok),
};

unsigned int pxe_api_call(unsigned int opcode, uint32_t segoff)
{
	const struct pxe_service *s, *found = NULL;
	unsigned int status;
	uint16_t *blk;

	for_each_table_entry(s, struct pxe_service, "pxe_services")
		if (s->opcode == opcode)
			found = s;
	s = found;
	blk = pxe_ptr(segoff, s ? s->len : sizeof(*blk));
	if (!blk)
		return PXENV_EXIT_FAILURE;      /* nowhere to say why */
	if (!s)
		status = PXENV_STATUS_UNSUPPORTED;
	else if (pxe.netdev)
		/* The program's own stack gets the frames UNDI hands out:
		 * they must be as on the wire. */
		status = (s->flags & PXE_UNDI_CALL) &&
			 netdev_plain_rx(pxe.netdev) ?
			 PXENV_STATUS_UNDI_CANNOT_INITIALIZE_NIC : s->fn(blk);
	else if (s->flags & PXE_ANY_TIME)
		status = PXENV_STATUS_SUCCESS;  /* gone already: nothing to do */
	else
		status = s->flags & PXE_UNDI_CALL ?
			 PXENV_STATUS_UNDI_INVALID_STATE : PXENV_STATUS_FAILURE;
	if (status == PXENV_STATUS_BAD_FUNC && s && (s->flags & PXE_UNDI_CALL))
		status = PXENV_STATUS_UNDI_INVALID_PARAMETER;
	*blk = (uint16_t)status;
	return status ? PXENV_EXIT_FAILURE : PXENV_EXIT_SUCCESS;
}

/* ---- start and stop */

int pxe_api_start(struct net_device *netdev, struct pxe_area *area)
{
	unsigned int i;
	size_t len;

	memset(&pxe, 0, sizeof(pxe));
	INIT_LIST_HEAD(&pxe.udp_rx);
	pxe.netdev = netdev;
	ref_get(&netdev->refcnt);
	pxe.area = area;
	pxe.was_open = netdev_is_open(netdev);
	pxe.undi_state = pxe.was_open ? PXE_UNDI_STATE_OPENED :
			 PXE_UNDI_STATE_INITIALIZED;
	for (i = 0; i < ARRAY_SIZE(area->cached); i++) {
		len = netdev->dhcp_pkt_len[i];
		if (len > sizeof(area->cached[i]))
			len = sizeof(area->cached[i]);
		if (len)
			memcpy(area->cached[i], netdev->dhcp_pkt[i], len);
	}
	return 0;
}

void pxe_api_stop(int restore)
{
	const pxe_stop_fn *fn;

	if (!pxe.netdev)
		return;
	for_each_table_entry(fn, pxe_stop_fn, "pxe_stop_fns")
		(*fn)();
	if (pxe.udp_open)
		pxe_udp_close(NULL);
	/* A program that closed the NIC and came back leaves it as dust
	 * had it (a PXE ROM's own code reopens it the same way). */
	if (restore && pxe.was_open)
		netdev_open(pxe.netdev);
	pxe.netdev->state &= ~NETDEV_RX_PLAIN;
	netdev_put(pxe.netdev);
	pxe.netdev = NULL;
}

int pxe_api_unloaded(void)
{
	return pxe.unloaded;
}

struct net_device *pxe_api_netdev(void)
{
	return pxe.netdev;
}
