/* virtio-net, polled: legacy/transitional (1af4:1000) and virtio 1.0
 * (1af4:1041) devices.
 *
 * Queue 0 receives, queue 1 transmits.  Every frame travels as a chain
 * of two descriptors: the virtio-net header (10 bytes legacy, 12 bytes
 * with VIRTIO_F_VERSION_1), then the frame.  Slot s of a queue always
 * uses descriptors 2s and 2s+1, so the head index the device returns
 * names the slot.
 *
 * Receive offloads: where the heap has room for NUM_RX_BIG buffers of
 * 64 KiB, the driver takes GUEST_CSUM and GUEST_TSO4.  The host then
 * hands over TCP segments of up to 64 KiB (what its stack sent, not cut
 * to the MTU) whose checksums it vouches for, so a download costs a
 * fraction of the frames and no checksum work.  Without MRG_RXBUF every
 * buffer must hold the largest such segment (virtio 1.x 5.1.6.3.1).
 * Small frames are copied out of the big buffer, which stays posted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>
#include <dust/pci.h>
#include <dust/virtio.h>
#include <x86/io.h>

#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_MAC     5
#define VIRTIO_NET_F_STATUS  16
#define VIRTIO_NET_S_LINK_UP 1
#define VNET_CFG_MAC         0
#define VNET_CFG_STATUS      6

#define VNET_HDR_MAX  12
#define VNET_HDR_F_NEEDS_CSUM 1   /* checksum left partial by the host */
#define VNET_HDR_F_DATA_VALID 2   /* checksum checked by the host */
#define VNET_HDR_GSO_TCPV4    1   /* gso_type: a TCP segment not cut up */
#define NUM_RX        32
#define NUM_RX_BIG    16
#define RX_BIG_LEN    65550    /* 65562 bytes less the 12-byte header */
#define NUM_TX        16
#define RX_BUF_LEN    1536     /* a full frame with a VLAN tag */
#define RXQ           0
#define TXQ           1

struct vnet {
	struct virtio_pci vp;
	struct vring rxq, txq;
	uint64_t features;
	unsigned int hdr_len;
	unsigned int rx_slots, tx_slots;
	unsigned int rx_len;           /* RX_BUF_LEN or RX_BIG_LEN */
	uint8_t *hdrs;                 /* RX headers, then one TX header */
	struct io_buffer *rx_iob[NUM_RX];
	struct io_buffer *tx_iob[NUM_TX];
	unsigned int tx_next;          /* where to look for a free slot */
};

#define WANTED ((1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) | \
		(1ull << VIRTIO_F_VERSION_1))
#define OFFLOADS ((1ull << VIRTIO_NET_F_GUEST_CSUM) | \
		  (1ull << VIRTIO_NET_F_GUEST_TSO4))

static int vnet_has(struct vnet *vn, unsigned int bit)
{
	return (vn->features >> bit) & 1;
}

/* Reset, then acknowledge the device and agree on features. */
static int vnet_start(struct vnet *vn, uint64_t wanted)
{
	int rc = vpci_reset(&vn->vp);

	if (rc)
		return rc;
	vpci_add_status(&vn->vp, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER);
	vn->features = vpci_negotiate(&vn->vp, wanted, &rc);
	if (rc) {
		vpci_add_status(&vn->vp, VIRTIO_FAILED);
		return rc;
	}
	vn->hdr_len = vn->vp.modern ? 12 : 10;
	return 0;
}

/* Hand RX slot s (with its buffer) to the device. */
static void vnet_rx_post(struct vnet *vn, unsigned int s)
{
	struct vring_desc *d = &vn->rxq.desc[2 * s];

	d[0].addr = virt_to_phys(vn->hdrs + s * VNET_HDR_MAX);
	d[0].len = vn->hdr_len;
	d[0].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	d[0].next = (uint16_t)(2 * s + 1);
	d[1].addr = virt_to_phys(vn->rx_iob[s]->data);
	d[1].len = vn->rx_len;
	d[1].flags = VRING_DESC_F_WRITE;
	d[1].next = 0;
	vring_post(&vn->rxq, (uint16_t)(2 * s));
}

static void vnet_free(struct vnet *vn)
{
	unsigned int i;

	for (i = 0; i < NUM_RX; i++) {
		free_iob(vn->rx_iob[i]);
		vn->rx_iob[i] = NULL;
	}
	vring_free(&vn->rxq);
	vring_free(&vn->txq);
	free_dma(vn->hdrs, 0);
	vn->hdrs = NULL;
}

static void vnet_close(struct net_device *netdev)
{
	struct vnet *vn = netdev->priv;

	/* The reset stops the device using the queues; transmissions
	 * still queued are completed by the core. */
	vpci_reset(&vn->vp);
	vnet_free(vn);
	memset(vn->tx_iob, 0, sizeof(vn->tx_iob));
}

static int vnet_setup(struct vnet *vn, uint64_t wanted, unsigned int rx_len,
		      unsigned int rx_slots)
{
	unsigned int s;
	int rc;

	vn->rx_len = rx_len;
	rc = vnet_start(vn, wanted);
	if (rc)
		return rc;
	vn->hdrs = malloc_dma((NUM_RX + 1) * VNET_HDR_MAX, 16);
	if (!vn->hdrs) {
		rc = -ENOMEM;
		goto fail;
	}
	memset(vn->hdrs, 0, (NUM_RX + 1) * VNET_HDR_MAX);
	if ((rc = vring_setup(&vn->vp, &vn->rxq, RXQ, 2 * NUM_RX)) != 0 ||
	    (rc = vring_setup(&vn->vp, &vn->txq, TXQ, 2 * NUM_TX)) != 0)
		goto fail;
	vn->rx_slots = MIN(rx_slots, vn->rxq.num / 2);
	vn->tx_slots = MIN(NUM_TX, vn->txq.num / 2);
	/* Interrupts are no use to a polled driver. */
	vn->rxq.avail->flags = 1;
	vn->txq.avail->flags = 1;
	for (s = 0; s < vn->rx_slots; s++) {
		vn->rx_iob[s] = alloc_iob_raw(rx_len, 16);
		if (!vn->rx_iob[s]) {
			rc = -ENOMEM;
			goto fail;
		}
		vnet_rx_post(vn, s);
	}
	memset(vn->tx_iob, 0, sizeof(vn->tx_iob));
	vn->tx_next = 0;
	vpci_add_status(&vn->vp, VIRTIO_DRIVER_OK);
	vring_kick(&vn->vp, &vn->rxq);
	return 0;
fail:
	vpci_reset(&vn->vp);
	vnet_free(vn);
	return rc;
}

static int vnet_open(struct net_device *netdev)
{
	struct vnet *vn = netdev->priv;
	int rc;

	/* Offloads if frames may differ from the wire's and there is
	 * memory for their buffers, else without. */
	if (!(netdev->state & NETDEV_RX_PLAIN)) {
		rc = vnet_setup(vn, WANTED | OFFLOADS, RX_BIG_LEN, NUM_RX_BIG);
		if (rc != -ENOMEM) {
			if (rc == 0)
				netdev->state |= NETDEV_RX_OFFLOAD;
			return rc;
		}
	}
	return vnet_setup(vn, WANTED, RX_BUF_LEN, NUM_RX);
}

/* The slot a used entry names, or -1 if the device returned nonsense. */
static int vnet_used_slot(struct vring *vq, unsigned int slots,
			  uint32_t *len)
{
	volatile struct vring_used_elem *e =
		&vq->used->ring[vq->last_used & (vq->num - 1)];
	uint32_t id = e->id;

	*len = e->len;
	vq->last_used++;
	if ((id & 1) || id / 2 >= slots)
		return -1;
	return (int)(id / 2);
}

static void vnet_poll_tx(struct net_device *netdev, struct vnet *vn)
{
	unsigned int budget = vn->txq.num;
	uint32_t len;
	int s;

	while (budget-- && vring_has_used(&vn->txq)) {
		rmb();
		s = vnet_used_slot(&vn->txq, vn->tx_slots, &len);
		if (s < 0 || !vn->tx_iob[s])
			continue;
		netdev_tx_complete(netdev, vn->tx_iob[s]);
		vn->tx_iob[s] = NULL;
	}
}

static int vnet_transmit(struct net_device *netdev, struct io_buffer *iob)
{
	struct vnet *vn = netdev->priv;
	struct vring_desc *d;
	unsigned int i, s;

	vnet_poll_tx(netdev, vn);
	for (i = 0; i < vn->tx_slots; i++) {
		s = (vn->tx_next + i) % vn->tx_slots;
		if (!vn->tx_iob[s])
			break;
	}
	if (i == vn->tx_slots)
		return -ENOBUFS;
	vn->tx_next = (s + 1) % vn->tx_slots;
	vn->tx_iob[s] = iob;
	d = &vn->txq.desc[2 * s];
	d[0].addr = virt_to_phys(vn->hdrs + NUM_RX * VNET_HDR_MAX);
	d[0].len = vn->hdr_len;
	d[0].flags = VRING_DESC_F_NEXT;
	d[0].next = (uint16_t)(2 * s + 1);
	d[1].addr = virt_to_phys(iob->data);
	d[1].len = (uint32_t)iob_len(iob);
	d[1].flags = 0;
	d[1].next = 0;
	vring_post(&vn->txq, (uint16_t)(2 * s));
	vring_kick(&vn->vp, &vn->txq);
	return 0;
}

static void vnet_poll_rx(struct net_device *netdev, struct vnet *vn)
{
	unsigned int budget = vn->rxq.num, posted = 0, copy;
	struct io_buffer *iob, *up;
	const uint8_t *hdr;
	uint32_t len;
	int s;

	while (budget-- && vring_has_used(&vn->rxq)) {
		rmb();
		s = vnet_used_slot(&vn->rxq, vn->rx_slots, &len);
		if (s < 0)
			continue;
		iob = vn->rx_iob[s];
		hdr = vn->hdrs + s * VNET_HDR_MAX;
		len -= vn->hdr_len;
		copy = vn->rx_len > RX_BUF_LEN && len <= RX_BUF_LEN;
		/* Longer than a frame only as a segment the host left whole. */
		if ((int32_t)len <= 0 || len > vn->rx_len ||
		    (len > RX_BUF_LEN && (hdr[1] & 0x7f) != VNET_HDR_GSO_TCPV4)) {
			netdev_rx_err(netdev, NULL, -EIO);
		} else if (!(up = alloc_iob_raw(copy ? len : vn->rx_len, 16))) {
			netdev_rx_err(netdev, NULL, -ENOMEM);
		} else {
			if (copy) {
				memcpy(iob_put(up, len), iob->data, len);
			} else {
				vn->rx_iob[s] = up;
				up = iob;
				iob_put(up, len);
			}
			if (hdr[0] & (VNET_HDR_F_NEEDS_CSUM |
				      VNET_HDR_F_DATA_VALID))
				up->flags |= IOB_CSUM_OK;
			netdev_rx(netdev, up);
		}
		vnet_rx_post(vn, (unsigned int)s);
		posted++;
	}
	if (posted)
		vring_kick(&vn->vp, &vn->rxq);
}

static void vnet_poll(struct net_device *netdev)
{
	struct vnet *vn = netdev->priv;

	vnet_poll_tx(netdev, vn);
	vnet_poll_rx(netdev, vn);
	if (!vnet_has(vn, VIRTIO_NET_F_STATUS) ||
	    (vpci_config8(&vn->vp, VNET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP))
		netdev_link_up(netdev);
	else
		netdev_link_down(netdev);
}

static const struct net_device_operations vnet_ops = {
	.open = vnet_open,
	.close = vnet_close,
	.transmit = vnet_transmit,
	.poll = vnet_poll,
};

static const struct pci_id vnet_ids[] = {
	{ 0x1af4, 0x1000, "virtio-net" },
	{ 0x1af4, 0x1041, "virtio-net" },
};

static int vnet_probe(struct pci_device *pci, const struct pci_id *id)
{
	struct net_device *netdev;
	struct vnet *vn;
	unsigned int i;
	int rc;

	netdev = alloc_etherdev(sizeof(*vn));
	if (!netdev)
		return -ENOMEM;
	vn = netdev->priv;
	rc = vpci_init(&vn->vp, pci, id->device == 0x1000);
	if (rc == 0)
		rc = vnet_start(vn, WANTED);
	if (rc)
		goto fail;
	if (vnet_has(vn, VIRTIO_NET_F_MAC)) {
		for (i = 0; i < ETH_ALEN; i++)
			netdev->hw_addr[i] = vpci_config8(&vn->vp,
							  VNET_CFG_MAC + i);
	} else {
		/* No address of its own: a random local one. */
		for (i = 0; i < ETH_ALEN; i++)
			netdev->hw_addr[i] = (uint8_t)random();
		netdev->hw_addr[0] = (netdev->hw_addr[0] & 0xfe) | 0x02;
	}
	vpci_reset(&vn->vp);
	netdev->op = &vnet_ops;
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

static void vnet_remove(struct pci_device *pci)
{
	struct net_device *netdev = pci->priv;

	unregister_netdev(netdev);
	netdev_put(netdev);
}

PCI_DRIVER(virtio_net_driver) = {
	.name = "virtio-net",
	.ids = vnet_ids,
	.id_count = ARRAY_SIZE(vnet_ids),
	.probe = vnet_probe,
	.remove = vnet_remove,
};
