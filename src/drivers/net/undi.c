/* UNDI: drive the NIC through the PXE stack of the ROM that loaded
 * undionly.kpxe, so one image works on every NIC with a PXE ROM.
 *
 * The sequence, and why (PXE 2.1 chapter 3 leaves room, ROMs differ):
 *
 *  probe   STOP_BASE: the ROM's DHCP/TFTP code is done; dust has its own.
 *          UNDI_GET_INFORMATION: MAC, IRQ, MTU.  The ROM has already
 *          started and initialised the UNDI to load us, so dust does not
 *          repeat UNDI_STARTUP (the spec wants a zeroed data segment for
 *          it, which a running UNDI does not have); only if the UNDI
 *          answers UNDI_INVALID_STATE are UNDI_STARTUP and
 *          UNDI_INITIALIZE called and the question asked again.
 *          UNDI_GET_NIC_TYPE: where the NIC is (PCI bus:dev.fn, ids).
 *          UNDI_CLOSE: the base code left the NIC open; dust starts from
 *          "initialised, closed" and opens it when something needs it.
 *  open    UNDI_OPEN, directed + broadcast frames.
 *  send    the frame is copied to base memory and handed over whole
 *          (P_UNKNOWN: it carries its own Ethernet header) in the
 *          immediate part of a transmit descriptor.
 *  poll    dust polls: the NIC's IRQ is masked at the PIC while dust owns
 *          it, and UNDI_ISR is driven as its interrupt handler would be:
 *          IN_START (is anything pending?), then IN_PROCESS and
 *          IN_GET_NEXT until OUT_DONE, a bounded number of events per
 *          poll.  A frame may arrive in several pieces (BufferLength <
 *          FrameLength): they are joined.
 *  close   finish the ISR sequence (to OUT_DONE), UNDI_CLOSE.
 *  exit    back to the ROM: the NIC is left initialised and closed, the
 *          state the ROM's own code can reopen or shut down; the PIC mask
 *          is put back.  Handing over to a booted system: also
 *          UNDI_SHUTDOWN, so the NIC is quiet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bios/bootinfo.h>
#include <bios/pxe_client.h>
#include <bios/realmode.h>
#include <dust/init.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/pci.h>
#include <x86/io.h>

#define WHO "undi"

/* Events taken from UNDI_ISR per poll, and when closing. */
#define UNDI_POLL_BUDGET 32
#define UNDI_DRAIN_MAX   256
/* Polls answered OUT_BUSY before the sequence is started afresh. */
#define UNDI_BUSY_MAX    64
/* The largest frame accepted (with room for a VLAN tag). */
#define UNDI_RX_MAX      (ETH_FRAME_LEN + 4)

struct undi_nic {
	struct pxe_stack pxe;
	unsigned int irq;            /* 0: none, else 1..15 */
	int irq_was_masked;          /* PIC mask bit before dust */
	int in_isr;                  /* between IN_PROCESS and OUT_DONE */
	unsigned int busy_polls;
	struct io_buffer *rx_iob;    /* frame being joined, or NULL */
	size_t rx_left;              /* bytes of it still to come */
	unsigned int tx_events;      /* OUT_TRANSMIT seen */
	unsigned int reported;       /* poll-time failures printed */
};

static struct net_device *undi_netdev;

/* ---- the PIC: mask the NIC's line while dust polls */

static uint16_t pic_port(unsigned int irq)
{
	return irq < 8 ? 0x21 : 0xa1;
}

static int pic_masked(unsigned int irq)
{
	return (inb(pic_port(irq)) >> (irq & 7)) & 1;
}

static void pic_set_mask(unsigned int irq, int masked)
{
	uint16_t port = pic_port(irq);
	uint8_t v = inb(port), bit = (uint8_t)(1u << (irq & 7));

	outb(port, masked ? (v | bit) : (v & ~bit));
}

/* ---- receive */

static void undi_rx_drop_partial(struct net_device *netdev)
{
	struct undi_nic *nic = netdev->priv;

	if (nic->rx_left) {
		free_iob(nic->rx_iob);
		nic->rx_iob = NULL;
		nic->rx_left = 0;
		netdev->stats.rx_err++;
	}
}

/* One OUT_RECEIVE: a whole frame or the next piece of one. */
static void undi_rx_piece(struct net_device *netdev,
			  const struct pxenv_undi_isr *isr)
{
	struct undi_nic *nic = netdev->priv;
	size_t len = isr->buffer_length;

	if (!nic->rx_left) {
		/* A new frame. */
		size_t total = isr->frame_length > len ? isr->frame_length : len;

		if (!total)
			return;
		nic->rx_left = total;
		nic->rx_iob = total <= UNDI_RX_MAX ? alloc_iob(total) : NULL;
	}
	if (len > nic->rx_left)
		len = nic->rx_left;
	if (nic->rx_iob)
		memcpy(iob_put(nic->rx_iob, len), far_ptr(isr->frame), len);
	nic->rx_left -= len;
	if (nic->rx_left)
		return;
	if (nic->rx_iob)
		netdev_rx(netdev, nic->rx_iob);
	else
		netdev->stats.rx_err++;   /* too big, or no memory */
	nic->rx_iob = NULL;
}

/* One UNDI_ISR call; returns the answer (ISR_OUT_*) or -1 on failure. */
static int undi_isr(struct net_device *netdev, unsigned int func,
		    struct pxenv_undi_isr *isr)
{
	struct undi_nic *nic = netdev->priv;
	int rc;

	memset(isr, 0, sizeof(*isr));
	isr->func_flag = (uint16_t)func;
	rc = pxe_call(&nic->pxe, PXENV_UNDI_ISR, isr, sizeof(*isr));
	if (rc) {
		/* Say it once per open: a poll failing keeps failing. */
		if (!nic->reported++)
			printf(WHO ": %s: UNDI_ISR (%s) failed: status %#04x "
			       "(%s)\n", netdev->name,
			       func == PXENV_UNDI_ISR_IN_START ? "START" :
			       func == PXENV_UNDI_ISR_IN_PROCESS ? "PROCESS" :
			       "GET_NEXT", isr->status,
			       pxe_status_name(isr->status));
		return -1;
	}
	return isr->func_flag;
}

/* Take up to `budget` events; returns 1 once the UNDI says OUT_DONE. */
static int undi_events(struct net_device *netdev, unsigned int budget)
{
	struct undi_nic *nic = netdev->priv;
	struct pxenv_undi_isr isr;
	unsigned int func;

	if (!nic->in_isr) {
		if (undi_isr(netdev, PXENV_UNDI_ISR_IN_START, &isr) !=
		    PXENV_UNDI_ISR_OUT_OURS)
			return 1;
		func = PXENV_UNDI_ISR_IN_PROCESS;
		nic->in_isr = 1;
	} else {
		func = PXENV_UNDI_ISR_IN_GET_NEXT;
	}
	while (budget--) {
		switch (undi_isr(netdev, func, &isr)) {
		case PXENV_UNDI_ISR_OUT_DONE:
			undi_rx_drop_partial(netdev);
			nic->in_isr = 0;
			nic->busy_polls = 0;
			return 1;
		case PXENV_UNDI_ISR_OUT_TRANSMIT:
			nic->tx_events++;
			break;
		case PXENV_UNDI_ISR_OUT_RECEIVE:
			undi_rx_piece(netdev, &isr);
			break;
		case PXENV_UNDI_ISR_OUT_BUSY:
			/* Come back with IN_GET_NEXT; start over if it
			 * stays busy. */
			if (++nic->busy_polls > UNDI_BUSY_MAX) {
				nic->busy_polls = 0;
				nic->in_isr = 0;
			}
			return 0;
		default:
			/* A failed call or an answer the spec does not
			 * have: give up on this sequence. */
			undi_rx_drop_partial(netdev);
			nic->in_isr = 0;
			return 1;
		}
		func = PXENV_UNDI_ISR_IN_GET_NEXT;
	}
	return 0;
}

static void undi_poll(struct net_device *netdev)
{
	undi_events(netdev, UNDI_POLL_BUDGET);
}

/* ---- transmit */

struct undi_tx_area {
	struct pxenv_undi_tbd tbd;
	uint8_t dest[PXE_MAC_ADDR_LEN];
	uint8_t frame[ETH_FRAME_LEN];
} __packed;

BUILD_ASSERT(sizeof(struct undi_tx_area) <= PXE_XFER_SIZE);

static int undi_transmit(struct net_device *netdev, struct io_buffer *iob)
{
	struct undi_nic *nic = netdev->priv;
	struct undi_tx_area *tx = pxe_xfer_buf();
	struct pxenv_undi_transmit t;
	size_t len = iob_len(iob);

	if (len > sizeof(tx->frame) || len < ETH_HLEN)
		return -EMSGSIZE;
	memset(tx, 0, offsetof(struct undi_tx_area, frame));
	memcpy(tx->frame, iob->data, len);
	/* The header is in the frame; the destination is named too, for
	 * stacks that look at it whatever the protocol. */
	memcpy(tx->dest, tx->frame, ETH_ALEN);
	tx->tbd.immed_length = (uint16_t)len;
	tx->tbd.xmit = pxe_xfer_segoff(tx->frame);
	tx->tbd.data_blk_count = 0;
	memset(&t, 0, sizeof(t));
	t.protocol = P_UNKNOWN;
	t.xmit_flag = memcmp(tx->dest, eth_broadcast, ETH_ALEN) ?
		      XMT_DESTADDR : XMT_BROADCAST;
	t.dest_addr = pxe_xfer_segoff(tx->dest);
	t.tbd = pxe_xfer_segoff(&tx->tbd);
	if (pxe_call_report(&nic->pxe, WHO, PXENV_UNDI_TRANSMIT, &t,
			    sizeof(t)))
		return -EIO;
	/* The stack has taken the frame (it is copied out of the transfer
	 * area before the call returns: the area is reused right away). */
	netdev_tx_complete(netdev, iob);
	return 0;
}

/* ---- open / close */

static int undi_open(struct net_device *netdev)
{
	struct undi_nic *nic = netdev->priv;
	struct pxenv_undi_open o;

	memset(&o, 0, sizeof(o));
	o.pkt_filter = FLTR_DIRECTED | FLTR_BRDCST;
	/* No multicast addresses yet: nothing in dust joins a group. */
	if (pxe_call_report(&nic->pxe, WHO, PXENV_UNDI_OPEN, &o, sizeof(o)))
		return -EIO;
	nic->in_isr = 0;
	nic->busy_polls = 0;
	nic->reported = 0;
	/* UNDI has no link state to ask for (2.1): assume it is up. */
	netdev_link_up(netdev);
	return 0;
}

static void undi_close(struct net_device *netdev)
{
	struct undi_nic *nic = netdev->priv;
	unsigned int n;

	/* Finish an ISR sequence so the stack is not left mid-way. */
	for (n = 0; nic->in_isr && n < UNDI_DRAIN_MAX / UNDI_POLL_BUDGET; n++)
		undi_events(netdev, UNDI_POLL_BUDGET);
	undi_rx_drop_partial(netdev);
	/* Frames still queued for the protocols are flushed by the core. */
	pxe_call_simple(&nic->pxe, WHO, PXENV_UNDI_CLOSE);
	nic->in_isr = 0;
}

static const struct net_device_operations undi_ops = {
	.open = undi_open,
	.close = undi_close,
	.transmit = undi_transmit,
	.poll = undi_poll,
};

/* ---- probe and remove */

static int undi_get_info(struct undi_nic *nic,
			 struct pxenv_undi_get_information *info)
{
	struct pxenv_undi_initialize init;
	struct pxenv_status_only st;

	memset(info, 0, sizeof(*info));
	if (pxe_call(&nic->pxe, PXENV_UNDI_GET_INFORMATION, info,
		     sizeof(*info)) == 0)
		return 0;
	if (info->status != PXENV_STATUS_UNDI_INVALID_STATE)
		goto fail;
	/* The UNDI is loaded but not started: bring it up as the ROM
	 * would have (UNDI_STARTUP, then UNDI_INITIALIZE). */
	printf(WHO ": the UNDI is not initialised; starting it\n");
	if (pxe_call_report(&nic->pxe, WHO, PXENV_UNDI_STARTUP, &st,
			    sizeof(st)) &&
	    st.status != PXENV_STATUS_UNDI_INVALID_STATE)
		return -EIO;
	memset(&init, 0, sizeof(init));
	if (pxe_call_report(&nic->pxe, WHO, PXENV_UNDI_INITIALIZE, &init,
			    sizeof(init)))
		return -EIO;
	memset(info, 0, sizeof(*info));
	if (pxe_call(&nic->pxe, PXENV_UNDI_GET_INFORMATION, info,
		     sizeof(*info)) == 0)
		return 0;
fail:
	printf(WHO ": %s failed: status %#04x (%s)\n",
	       pxe_opcode_name(PXENV_UNDI_GET_INFORMATION), info->status,
	       pxe_status_name(info->status));
	return -EIO;
}

/* Where the NIC is, if the stack says (not every UNDI answers). */
static void undi_locate(struct net_device *netdev)
{
	struct undi_nic *nic = netdev->priv;
	struct pxenv_undi_get_nic_type t;

	netdev->dev.bus_type = NETDEV_BUS_UNDI;
	netdev->dev.location = 0xffff;
	memset(&t, 0, sizeof(t));
	if (pxe_call_report(&nic->pxe, WHO, PXENV_UNDI_GET_NIC_TYPE, &t,
			    sizeof(t)))
		return;
	if (t.nic_type == PCI_NIC || t.nic_type == CardBus_NIC) {
		netdev->dev.location = t.info.pci.bus_dev_func;
		netdev->dev.vendor = t.info.pci.vendor_id;
		netdev->dev.device = t.info.pci.dev_id;
	}
}

static void undi_probe(void)
{
	struct pxenv_undi_get_information info;
	struct net_device *netdev;
	struct undi_nic *nic;
	unsigned int irq;
	char where[40];
	int rc;

	if (bootinfo.type != IMAGE_KPXE)
		return;
	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev) {
		printf(WHO ": %s\n", strerror(-ENOMEM));
		return;
	}
	nic = netdev->priv;
	if (pxe_find(&nic->pxe, WHO))
		goto fail;
	/* The base code is done with the NIC: dust has its own protocols.
	 * A stack that refuses still works at the UNDI level. */
	pxe_call_simple(&nic->pxe, WHO, PXENV_STOP_BASE);
	if (undi_get_info(nic, &info))
		goto fail;
	if (info.hw_type != PXE_HWTYPE_ETHER || info.hw_addr_len != ETH_ALEN) {
		printf(WHO ": not an Ethernet NIC (hardware type %u, address "
		       "length %u)\n", info.hw_type, info.hw_addr_len);
		goto fail;
	}
	memcpy(netdev->hw_addr, info.perm_node_address, ETH_ALEN);
	memcpy(netdev->ll_addr, info.current_node_address, ETH_ALEN);
	if (info.max_tran_unit >= 576 && info.max_tran_unit < ETH_DATA_LEN)
		netdev->mtu = info.max_tran_unit;
	/* IRQ 2 is the cascade: an ISA card "on IRQ 2" is wired to 9. */
	irq = info.int_number == 2 ? 9 : info.int_number;
	if (irq > 15)
		irq = 0;
	nic->irq = irq;
	if (irq) {
		nic->irq_was_masked = pic_masked(irq);
		pic_set_mask(irq, 1);
	}
	undi_locate(netdev);
	/* Start from "initialised, closed"; a stack that had it closed
	 * already may complain, which changes nothing. */
	pxe_call_simple(&nic->pxe, WHO, PXENV_UNDI_CLOSE);
	netdev->op = &undi_ops;
	rc = register_netdev(netdev);
	if (rc) {
		if (irq)
			pic_set_mask(irq, nic->irq_was_masked);
		goto fail;
	}
	undi_netdev = netdev;
	if (netdev->dev.location != 0xffff)
		snprintf(where, sizeof(where), "PCI %02x:%02x.%x %04x:%04x",
			 PCI_BUS(netdev->dev.location),
			 PCI_SLOT(netdev->dev.location),
			 PCI_FUNC(netdev->dev.location), netdev->dev.vendor,
			 netdev->dev.device);
	else
		snprintf(where, sizeof(where), "NIC location unknown");
	printf("%s: %s via UNDI (%s entry %04x:%04x), %s, IRQ %u%s\n",
	       netdev->name, eth_ntoa(netdev->ll_addr),
	       nic->pxe.via_ppxe ? "!PXE" : "PXENV+", nic->pxe.entry >> 16,
	       nic->pxe.entry & 0xffff, where, irq, irq ? " (polled)" : "");
	return;
fail:
	netdev_put(netdev);
}

static void undi_remove(int booting)
{
	struct net_device *netdev = undi_netdev;
	struct undi_nic *nic;
	struct pxe_stack pxe;

	if (!netdev)
		return;
	nic = netdev->priv;
	pxe = nic->pxe;
	undi_netdev = NULL;
	/* Closes it (UNDI_CLOSE) if it is open. */
	unregister_netdev(netdev);
	if (booting)
		pxe_call_simple(&pxe, WHO, PXENV_UNDI_SHUTDOWN);
	if (nic->irq)
		pic_set_mask(nic->irq, nic->irq_was_masked);
	netdev_put(netdev);
}

INIT_FN(INIT_HW) undi_init_fn = { "undi", undi_probe };
SHUTDOWN_FN(INIT_HW) undi_shutdown_fn = { "undi", undi_remove };
