/* Realtek RTL8139 Fast Ethernet, polled.
 *
 * Layouts follow the RTL8139 datasheet.  The chip receives into one ring
 * buffer: each frame is a 4-byte header (status, length including the
 * CRC) followed by the data, the next frame starting at the next 4-byte
 * boundary.  With WRAP off the chip continues at the start of the ring,
 * so a frame may be split in two; the copy below joins it.  Transmission
 * uses four fixed slots, each a register pair (address, status), used in
 * strict rotation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/pci.h>
#include <dust/timer.h>
#include <x86/io.h>

#define RTL_IDR0     0x00
#define RTL_MAR0     0x08
#define RTL_TSD0     0x10         /* + 4 * slot */
#define  TSD_OWN     (1u << 13)   /* DMA to the FIFO done */
#define  TSD_TUN     (1u << 14)
#define  TSD_TOK     (1u << 15)
#define  TSD_ERTXTH_FULL (48u << 16)
#define  TSD_TABT    (1u << 30)
#define RTL_TSAD0    0x20         /* + 4 * slot */
#define RTL_RBSTART  0x30
#define RTL_CR       0x37
#define  CR_BUFE     0x01
#define  CR_TE       0x04
#define  CR_RE       0x08
#define  CR_RST      0x10
#define RTL_CAPR     0x38
#define RTL_IMR      0x3c
#define RTL_ISR      0x3e
#define RTL_TCR      0x40
#define RTL_RCR      0x44
#define  RCR_APM     0x02         /* our address */
#define  RCR_AM      0x04         /* multicast (hash) */
#define  RCR_AB      0x08         /* broadcast */
#define  RCR_RBLEN_8K 0x0000
#define  RCR_MXDMA_ALL (7u << 8)
#define  RCR_RXFTH_NONE (7u << 13)
#define RTL_CONFIG1  0x52
#define RTL_BMSR     0x64
#define  BMSR_LINK   0x0004

/* Receive header status bits. */
#define RXS_ROK      0x0001
#define RXS_BAD      0x003e       /* FAE, CRC, LONG, RUNT, ISE */

#define RX_RING      8192
#define RX_ALLOC     (RX_RING + 16)
#define RX_MIN       (ETH_HLEN + 4)
#define RX_MAX       (ETH_FRAME_LEN + 4 + 4)   /* VLAN tag + CRC */
/* The chip's header while it is still copying a frame. */
#define RX_EARLY     0xfff0
#define NUM_TX       4
#define TX_BUF_LEN   1536

struct rtl {
	uint16_t io;
	uint8_t *rx;                  /* ring */
	uint8_t *txbuf;               /* NUM_TX bounce buffers */
	struct io_buffer *tx_iob[NUM_TX];
	unsigned int tx_prod, tx_cons;
	unsigned int rx_off;          /* where the next frame starts */
};

static int rtl_reset(struct rtl *nic)
{
	uint32_t start;

	outb(nic->io + RTL_CR, CR_RST);
	start = currtime_ms();
	while (inb(nic->io + RTL_CR) & CR_RST) {
		if (time_after_ms(currtime_ms(), start + 100))
			return -ETIMEDOUT;
		udelay(100);
	}
	outw(nic->io + RTL_IMR, 0);
	outw(nic->io + RTL_ISR, 0xffff);
	return 0;
}

/* (Re)start the receiver at the start of the ring.  Turning RE off drops
 * the chip's ring position; writing RCR sets the ring size again. */
static void rtl_rx_start(struct rtl *nic)
{
	outb(nic->io + RTL_CR, CR_TE);
	outl(nic->io + RTL_RBSTART, virt_to_phys(nic->rx));
	outb(nic->io + RTL_CR, CR_TE | CR_RE);
	outl(nic->io + RTL_RCR, RCR_APM | RCR_AM | RCR_AB | RCR_RBLEN_8K |
					RCR_MXDMA_ALL | RCR_RXFTH_NONE);
	nic->rx_off = 0;
	outw(nic->io + RTL_CAPR, (uint16_t)(0u - 16));
}

static void rtl_close(struct net_device *netdev)
{
	struct rtl *nic = netdev->priv;

	rtl_reset(nic);
	free_dma(nic->rx, RX_ALLOC);
	free_dma(nic->txbuf, NUM_TX * TX_BUF_LEN);
	nic->rx = nic->txbuf = NULL;
}

static int rtl_open(struct net_device *netdev)
{
	struct rtl *nic = netdev->priv;
	unsigned int i;
	int rc;

	rc = rtl_reset(nic);
	if (rc)
		return rc;
	nic->rx = malloc_dma(RX_ALLOC, 16);
	nic->txbuf = malloc_dma(NUM_TX * TX_BUF_LEN, 16);
	if (!nic->rx || !nic->txbuf) {
		free_dma(nic->rx, RX_ALLOC);
		free_dma(nic->txbuf, NUM_TX * TX_BUF_LEN);
		nic->rx = nic->txbuf = NULL;
		return -ENOMEM;
	}
	memset(nic->rx, 0, RX_ALLOC);
	/* Wake the chip (LWAKE active high, no power management). */
	outb(nic->io + RTL_CONFIG1, 0);
	for (i = 0; i < ETH_ALEN; i++)
		outb(nic->io + RTL_IDR0 + i, netdev->ll_addr[i]);
	/* Every multicast hash bucket open: the protocols filter. */
	outl(nic->io + RTL_MAR0, 0xffffffff);
	outl(nic->io + RTL_MAR0 + 4, 0xffffffff);
	nic->tx_prod = nic->tx_cons = 0;
	rtl_rx_start(nic);
	/* Largest DMA burst, standard inter-frame gap. */
	outl(nic->io + RTL_TCR, (7u << 8) | (3u << 24));
	return 0;
}

static void rtl_poll_tx(struct net_device *netdev, struct rtl *nic)
{
	while (nic->tx_cons != nic->tx_prod) {
		unsigned int slot = nic->tx_cons % NUM_TX;
		uint32_t tsd = inl(nic->io + RTL_TSD0 + 4 * slot);
		struct io_buffer *iob = nic->tx_iob[slot];

		if (!(tsd & (TSD_TOK | TSD_TABT | TSD_TUN)))
			break;
		nic->tx_cons++;
		nic->tx_iob[slot] = NULL;
		if (tsd & TSD_TOK)
			netdev_tx_complete(netdev, iob);
		else
			netdev_tx_complete_err(netdev, iob, -EIO);
	}
}

static int rtl_transmit(struct net_device *netdev, struct io_buffer *iob)
{
	struct rtl *nic = netdev->priv;
	unsigned int slot = nic->tx_prod % NUM_TX;
	size_t len = iob_len(iob);
	uint8_t *buf = nic->txbuf + slot * TX_BUF_LEN;

	if (nic->tx_prod - nic->tx_cons >= NUM_TX)
		rtl_poll_tx(netdev, nic);
	if (nic->tx_prod - nic->tx_cons >= NUM_TX)
		return -ENOBUFS;
	if (len > TX_BUF_LEN)
		return -EMSGSIZE;
	/* The chip wants 32-bit aligned buffers; frames seldom are. */
	memcpy(buf, iob->data, len);
	nic->tx_iob[slot] = iob;
	nic->tx_prod++;
	wmb();
	outl(nic->io + RTL_TSAD0 + 4 * slot, virt_to_phys(buf));
	/* Size with OWN clear starts the transmission.  The early-transmit
	 * threshold (32-byte units) at 1536 bytes: the whole frame is in the
	 * FIFO before it goes out, so a slow bus cannot cause underruns. */
	outl(nic->io + RTL_TSD0 + 4 * slot, (uint32_t)len | TSD_ERTXTH_FULL);
	return 0;
}

/* Copy len bytes from ring offset off, across the end of the ring. */
static void rtl_ring_copy(struct rtl *nic, void *dst, unsigned int off,
			  size_t len)
{
	size_t first = MIN(len, (size_t)(RX_RING - off));

	memcpy(dst, nic->rx + off, first);
	memcpy((uint8_t *)dst + first, nic->rx, len - first);
}

static void rtl_poll_rx(struct net_device *netdev, struct rtl *nic)
{
	unsigned int budget;

	for (budget = 64; budget; budget--) {
		unsigned int off = nic->rx_off;
		uint16_t status, len;
		struct io_buffer *iob;

		if (inb(nic->io + RTL_CR) & CR_BUFE)
			break;
		status = *(volatile uint16_t *)(nic->rx + off);
		len = *(volatile uint16_t *)(nic->rx + off + 2);
		if (len == RX_EARLY)
			break;        /* still being written */
		rmb();
		if (!(status & RXS_ROK) || (status & RXS_BAD) ||
		    len < RX_MIN || len > RX_MAX) {
			/* Nothing after a bad header can be trusted:
			 * drop what the ring holds and start again. */
			netdev_rx_err(netdev, NULL, -EIO);
			rtl_rx_start(nic);
			break;
		}
		iob = alloc_iob(len - 4);
		if (iob) {
			rtl_ring_copy(nic, iob_put(iob, len - 4),
				      (off + 4) % RX_RING, len - 4);
			netdev_rx(netdev, iob);
		} else {
			netdev_rx_err(netdev, NULL, -ENOMEM);
		}
		nic->rx_off = ((off + 4 + len + 3) & ~3u) % RX_RING;
		outw(nic->io + RTL_CAPR, (uint16_t)(nic->rx_off - 16));
	}
}

static void rtl_poll(struct net_device *netdev)
{
	struct rtl *nic = netdev->priv;

	outw(nic->io + RTL_ISR, inw(nic->io + RTL_ISR));   /* acknowledge */
	rtl_poll_tx(netdev, nic);
	rtl_poll_rx(netdev, nic);
	if (inw(nic->io + RTL_BMSR) & BMSR_LINK)
		netdev_link_up(netdev);
	else
		netdev_link_down(netdev);
}

static const struct net_device_operations rtl_ops = {
	.open = rtl_open,
	.close = rtl_close,
	.transmit = rtl_transmit,
	.poll = rtl_poll,
};

static const struct pci_id rtl_ids[] = {
	{ 0x10ec, 0x8139, "rtl8139" },
};

static int rtl_probe(struct pci_device *pci, const struct pci_id *id)
{
	struct net_device *netdev;
	struct rtl *nic;
	unsigned int i;
	int rc;

	(void)id;
	if (!pci_bar_is_io(pci, 0) || !pci_bar_start(pci, 0))
		return -ENODEV;
	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev)
		return -ENOMEM;
	nic = netdev->priv;
	nic->io = (uint16_t)pci_bar_start(pci, 0);
	pci_enable(pci);
	rc = rtl_reset(nic);
	if (rc)
		goto fail;
	/* The chip loads its address from the EEPROM at power-on. */
	for (i = 0; i < ETH_ALEN; i++)
		netdev->hw_addr[i] = inb(nic->io + RTL_IDR0 + i);
	netdev->op = &rtl_ops;
	netdev->dev.bus_type = NETDEV_BUS_PCI;
	netdev->dev.location = pci->bdf;
	netdev->dev.vendor = pci->vendor;
	netdev->dev.device = pci->device;
	rc = register_netdev(netdev);
	if (rc)
		goto fail;
	pci->priv = netdev;
	return 0;
fail:
	netdev_put(netdev);
	return rc;
}

static void rtl_remove(struct pci_device *pci)
{
	struct net_device *netdev = pci->priv;

	unregister_netdev(netdev);
	netdev_put(netdev);
}

PCI_DRIVER(rtl8139_driver) = {
	.name = "rtl8139",
	.ids = rtl_ids,
	.id_count = ARRAY_SIZE(rtl_ids),
	.probe = rtl_probe,
	.remove = rtl_remove,
};
