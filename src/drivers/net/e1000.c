/* Intel 8254x / 82574 gigabit Ethernet, polled, legacy descriptors.
 *
 * Register and descriptor layouts follow Intel's "PCI/PCI-X Family of
 * Gigabit Ethernet Controllers Software Developer's Manual" (8254x) and
 * the 82574 datasheet; both parts accept the legacy descriptor formats
 * used here, so one path drives them.
 *
 * The chip is reset on open and on close: whatever dust hands over to
 * finds it quiet, with no DMA pointing at memory dust no longer owns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/pci.h>
#include <dust/timer.h>
#include <x86/io.h>

/* Registers (offsets into the memory BAR). */
#define E1K_CTRL     0x0000
#define  CTRL_ASDE   (1u << 5)
#define  CTRL_SLU    (1u << 6)
#define  CTRL_RST    (1u << 26)
#define E1K_STATUS   0x0008
#define  STATUS_LU   (1u << 1)
#define E1K_EERD     0x0014
#define E1K_ICR      0x00c0
#define E1K_IMC      0x00d8
#define E1K_RCTL     0x0100
#define  RCTL_EN     (1u << 1)
#define  RCTL_BAM    (1u << 15)   /* accept broadcast */
#define  RCTL_SECRC  (1u << 26)   /* strip the CRC */
/* BSIZE 00 with BSEX 0: 2048-byte receive buffers. */
#define E1K_TCTL     0x0400
#define  TCTL_EN     (1u << 1)
#define  TCTL_PSP    (1u << 3)    /* pad short packets */
#define  TCTL_CT(n)  ((uint32_t)(n) << 4)
#define  TCTL_COLD(n) ((uint32_t)(n) << 12)
#define E1K_TIPG     0x0410
#define E1K_RDBAL    0x2800
#define E1K_RDBAH    0x2804
#define E1K_RDLEN    0x2808
#define E1K_RDH      0x2810
#define E1K_RDT      0x2818
#define E1K_TDBAL    0x3800
#define E1K_TDBAH    0x3804
#define E1K_TDLEN    0x3808
#define E1K_TDH      0x3810
#define E1K_TDT      0x3818
#define E1K_MTA      0x5200       /* 128 multicast hash words */
#define E1K_RAL0     0x5400
#define E1K_RAH0     0x5404
#define  RAH_AV      (1u << 31)

/* Legacy transmit descriptor. */
struct e1k_tx_desc {
	uint64_t addr;
	uint16_t len;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
#define TXCMD_EOP   0x01
#define TXCMD_IFCS  0x02
#define TXCMD_RS    0x08
#define TXST_DD     0x01

/* Legacy receive descriptor. */
struct e1k_rx_desc {
	uint64_t addr;
	uint16_t len;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
#define RXST_DD     0x01
#define RXST_EOP    0x02
/* CRC, symbol, sequence, carrier extension and RX data errors; the
 * checksum-offload bits (TCPE, IPE) are not ours to judge. */
#define RXERR_FRAME 0x97

BUILD_ASSERT(sizeof(struct e1k_tx_desc) == 16);
BUILD_ASSERT(sizeof(struct e1k_rx_desc) == 16);

#define NUM_TX 16
#define NUM_RX 32
#define RX_BUF_LEN 2048

/* EERD differs between generations: where DONE sits and how far the word
 * address is shifted. */
struct e1k_variant {
	uint8_t eerd_done;
	uint8_t eerd_addr_shift;
};

struct e1k {
	uint8_t *regs;
	const struct e1k_variant *var;
	struct e1k_tx_desc *tx;
	struct e1k_rx_desc *rx;
	struct io_buffer *tx_iob[NUM_TX];
	struct io_buffer *rx_iob[NUM_RX];
	unsigned int tx_prod, tx_cons;   /* free-running counters */
	unsigned int rx_cons;            /* next descriptor to look at */
	int rx_discard;                  /* inside a frame being dropped */
	int quiet;                       /* reset and idle since (no DMA) */
	uint32_t link_checked;           /* when STATUS was last read */
};

static const struct e1k_variant e1k_8254x = { 4, 8 };
static const struct e1k_variant e1k_82574 = { 1, 2 };

static inline uint32_t e1k_rd(struct e1k *nic, unsigned int reg)
{
	return readl(nic->regs + reg);
}

static inline void e1k_wr(struct e1k *nic, unsigned int reg, uint32_t v)
{
	writel(v, nic->regs + reg);
}

/* Reset the MAC: stops all DMA.  The reset bit clears itself. */
static int e1k_reset(struct e1k *nic)
{
	uint32_t start;

	e1k_wr(nic, E1K_IMC, 0xffffffff);
	e1k_wr(nic, E1K_RCTL, 0);
	e1k_wr(nic, E1K_TCTL, 0);
	(void)e1k_rd(nic, E1K_STATUS);   /* flush posted writes */
	mdelay(10);
	e1k_wr(nic, E1K_CTRL, e1k_rd(nic, E1K_CTRL) | CTRL_RST);
	mdelay(1);
	start = currtime_ms();
	while (e1k_rd(nic, E1K_CTRL) & CTRL_RST) {
		if (time_after_ms(currtime_ms(), start + 500))
			return -ETIMEDOUT;
		mdelay(1);
	}
	e1k_wr(nic, E1K_IMC, 0xffffffff);
	(void)e1k_rd(nic, E1K_ICR);
	return 0;
}

/* One word of the EEPROM via EERD, or -1 on time-out. */
static int e1k_eeprom_word(struct e1k *nic, unsigned int word)
{
	unsigned int i;
	uint32_t v;

	e1k_wr(nic, E1K_EERD, (word << nic->var->eerd_addr_shift) | 1);
	for (i = 0; i < 100; i++) {
		v = e1k_rd(nic, E1K_EERD);
		if (v & (1u << nic->var->eerd_done))
			return (int)(v >> 16);
		udelay(50);
	}
	return -1;
}

static int e1k_read_mac(struct e1k *nic, uint8_t *mac)
{
	uint32_t lo = e1k_rd(nic, E1K_RAL0), hi = e1k_rd(nic, E1K_RAH0);
	unsigned int i;
	int w;

	if (hi & RAH_AV) {
		for (i = 0; i < 4; i++)
			mac[i] = (uint8_t)(lo >> (8 * i));
		mac[4] = (uint8_t)hi;
		mac[5] = (uint8_t)(hi >> 8);
		return 0;
	}
	/* Nothing loaded into the filter yet: words 0-2 of the EEPROM. */
	for (i = 0; i < 3; i++) {
		w = e1k_eeprom_word(nic, i);
		if (w < 0)
			return -ETIMEDOUT;
		mac[2 * i] = (uint8_t)w;
		mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	return 0;
}

/* Give descriptor `i` a fresh buffer; -ENOMEM leaves the old one there. */
static int e1k_rx_fill(struct e1k *nic, unsigned int i)
{
	struct io_buffer *iob = alloc_iob_raw(RX_BUF_LEN, 16);

	if (!iob)
		return -ENOMEM;
	nic->rx_iob[i] = iob;
	nic->rx[i].addr = virt_to_phys(iob->data);
	return 0;
}

static void e1k_free_rings(struct e1k *nic)
{
	unsigned int i;

	for (i = 0; i < NUM_RX; i++) {
		free_iob(nic->rx_iob[i]);
		nic->rx_iob[i] = NULL;
	}
	free_dma(nic->rx, NUM_RX * sizeof(*nic->rx));
	free_dma(nic->tx, NUM_TX * sizeof(*nic->tx));
	nic->rx = NULL;
	nic->tx = NULL;
}

static void e1k_close(struct net_device *netdev)
{
	struct e1k *nic = netdev->priv;

	/* Transmissions still queued are completed by the core. */
	e1k_reset(nic);
	nic->quiet = 1;
	e1k_free_rings(nic);
}

static int e1k_open(struct net_device *netdev)
{
	struct e1k *nic = netdev->priv;
	const uint8_t *mac = netdev->ll_addr;
	unsigned int i;
	int rc;

	/* A reset restarts link negotiation, which takes the link down for
	 * half a second or more: skip it when the chip has been idle since
	 * the last one (probe or close). */
	if (!nic->quiet) {
		rc = e1k_reset(nic);
		if (rc)
			return rc;
	}
	nic->quiet = 0;
	nic->tx = malloc_dma(NUM_TX * sizeof(*nic->tx), 128);
	nic->rx = malloc_dma(NUM_RX * sizeof(*nic->rx), 128);
	if (!nic->tx || !nic->rx) {
		rc = -ENOMEM;
		goto fail;
	}
	memset(nic->tx, 0, NUM_TX * sizeof(*nic->tx));
	memset(nic->rx, 0, NUM_RX * sizeof(*nic->rx));
	memset(nic->rx_iob, 0, sizeof(nic->rx_iob));
	for (i = 0; i < NUM_RX; i++) {
		rc = e1k_rx_fill(nic, i);
		if (rc)
			goto fail;
	}
	nic->tx_prod = nic->tx_cons = 0;
	nic->rx_cons = 0;
	nic->rx_discard = 0;

	/* Link: auto speed detection, set link up. */
	e1k_wr(nic, E1K_CTRL, (e1k_rd(nic, E1K_CTRL) | CTRL_ASDE | CTRL_SLU));

	/* Address filter: our unicast address, no multicast hash bits. */
	e1k_wr(nic, E1K_RAL0, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 |
				     (uint32_t)mac[2] << 16 |
				     (uint32_t)mac[3] << 24);
	e1k_wr(nic, E1K_RAH0, (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | RAH_AV);
	for (i = 0; i < 128; i++)
		e1k_wr(nic, E1K_MTA + 4 * i, 0);

	e1k_wr(nic, E1K_TDBAL, virt_to_phys(nic->tx));
	e1k_wr(nic, E1K_TDBAH, 0);
	e1k_wr(nic, E1K_TDLEN, NUM_TX * sizeof(*nic->tx));
	e1k_wr(nic, E1K_TDH, 0);
	e1k_wr(nic, E1K_TDT, 0);
	/* Inter-packet gap: the values the manual gives for copper. */
	e1k_wr(nic, E1K_TIPG, 10 | 8 << 10 | 6 << 20);
	e1k_wr(nic, E1K_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT(0x0f) |
				      TCTL_COLD(0x40));

	e1k_wr(nic, E1K_RDBAL, virt_to_phys(nic->rx));
	e1k_wr(nic, E1K_RDBAH, 0);
	e1k_wr(nic, E1K_RDLEN, NUM_RX * sizeof(*nic->rx));
	e1k_wr(nic, E1K_RDH, 0);
	/* All descriptors but one belong to the hardware. */
	e1k_wr(nic, E1K_RDT, NUM_RX - 1);
	e1k_wr(nic, E1K_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
	return 0;
fail:
	e1k_free_rings(nic);
	return rc;
}

static void e1k_poll_tx(struct net_device *netdev, struct e1k *nic)
{
	while (nic->tx_cons != nic->tx_prod) {
		unsigned int i = nic->tx_cons % NUM_TX;

		if (!(*(volatile uint8_t *)&nic->tx[i].status & TXST_DD))
			break;
		nic->tx_cons++;
		netdev_tx_complete(netdev, nic->tx_iob[i]);
		nic->tx_iob[i] = NULL;
	}
}

static int e1k_transmit(struct net_device *netdev, struct io_buffer *iob)
{
	struct e1k *nic = netdev->priv;
	unsigned int i = nic->tx_prod % NUM_TX;
	struct e1k_tx_desc *d = &nic->tx[i];

	/* Replies to a burst can outrun the poll: reap before giving up. */
	if (nic->tx_prod - nic->tx_cons >= NUM_TX)
		e1k_poll_tx(netdev, nic);
	if (nic->tx_prod - nic->tx_cons >= NUM_TX)
		return -ENOBUFS;
	nic->tx_iob[i] = iob;
	d->addr = virt_to_phys(iob->data);
	d->len = (uint16_t)iob_len(iob);
	d->cso = 0;
	d->cmd = TXCMD_EOP | TXCMD_IFCS | TXCMD_RS;
	d->status = 0;
	d->css = 0;
	d->special = 0;
	nic->tx_prod++;
	wmb();
	e1k_wr(nic, E1K_TDT, nic->tx_prod % NUM_TX);
	return 0;
}

static void e1k_poll_rx(struct net_device *netdev, struct e1k *nic)
{
	unsigned int budget, last = NUM_RX;

	for (budget = NUM_RX; budget; budget--) {
		unsigned int i = nic->rx_cons;
		struct e1k_rx_desc *d = &nic->rx[i];
		uint8_t status = *(volatile uint8_t *)&d->status;
		struct io_buffer *iob;
		size_t len;

		if (!(status & RXST_DD))
			break;
		rmb();
		len = d->len;
		iob = nic->rx_iob[i];
		if (nic->rx_discard || !(status & RXST_EOP) ||
		    (d->errors & RXERR_FRAME) || len == 0 || len > RX_BUF_LEN) {
			/* A bad frame, or a piece of one too long for a
			 * buffer: drop it (every piece), keep the buffer. */
			if (!nic->rx_discard)
				netdev_rx_err(netdev, NULL, -EIO);
			nic->rx_discard = !(status & RXST_EOP);
		} else if (e1k_rx_fill(nic, i) == 0) {
			iob_put(iob, len);
			netdev_rx(netdev, iob);
		} else {
			netdev_rx_err(netdev, NULL, -ENOMEM);
		}
		d->status = 0;
		d->errors = 0;
		last = i;
		nic->rx_cons = (i + 1) % NUM_RX;
	}
	/* Hand the refilled descriptors back in one register write: each
	 * write is a trip through the device model. */
	if (last != NUM_RX) {
		wmb();
		e1k_wr(nic, E1K_RDT, last);
	}
}

static void e1k_poll(struct net_device *netdev)
{
	struct e1k *nic = netdev->priv;

	e1k_poll_tx(netdev, nic);
	e1k_poll_rx(netdev, nic);
	/* The link rarely changes: look every few milliseconds. */
	if (currtime_ms() - nic->link_checked >= 10 ||
	    !netdev_link_ok(netdev)) {
		nic->link_checked = currtime_ms();
		(void)e1k_rd(nic, E1K_ICR);      /* acknowledge causes */
		if (e1k_rd(nic, E1K_STATUS) & STATUS_LU)
			netdev_link_up(netdev);
		else
			netdev_link_down(netdev);
	}
}

static const struct net_device_operations e1k_ops = {
	.open = e1k_open,
	.close = e1k_close,
	.transmit = e1k_transmit,
	.poll = e1k_poll,
};

static const struct pci_id e1k_ids[] = {
	{ 0x8086, 0x100e, "82540em" },
	{ 0x8086, 0x100f, "82545em" },
	{ 0x8086, 0x10d3, "82574l" },
};

static int e1k_probe(struct pci_device *pci, const struct pci_id *id)
{
	struct net_device *netdev;
	struct e1k *nic;
	int rc;

	if (pci_bar_is_io(pci, 0) || !pci_bar_start(pci, 0))
		return -ENODEV;
	if ((pci_read32(pci->bdf, PCI_BAR0) & 0x6) == PCI_BAR_MEM64 &&
	    pci_read32(pci->bdf, PCI_BAR0 + 4))
		return -ENOTSUP;      /* above 4 GiB: out of reach */
	netdev = alloc_etherdev(sizeof(*nic));
	if (!netdev)
		return -ENOMEM;
	nic = netdev->priv;
	nic->regs = phys_to_virt(pci_bar_start(pci, 0));
	nic->var = id->device == 0x10d3 ? &e1k_82574 : &e1k_8254x;
	pci_enable(pci);
	rc = e1k_read_mac(nic, netdev->hw_addr);
	if (rc == 0)
		rc = e1k_reset(nic);
	if (rc)
		goto fail;
	nic->quiet = 1;
	netdev->op = &e1k_ops;
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

static void e1k_remove(struct pci_device *pci)
{
	struct net_device *netdev = pci->priv;

	unregister_netdev(netdev);
	netdev_put(netdev);
}

PCI_DRIVER(e1000_driver) = {
	.name = "e1000",
	.ids = e1k_ids,
	.id_count = ARRAY_SIZE(e1k_ids),
	.probe = e1k_probe,
	.remove = e1k_remove,
};
