/* virtio PCI transport: legacy I/O-port registers or virtio 1.0 PCI
 * capabilities, and split virtqueue setup.  See dust/virtio.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dust/pci.h>
#include <dust/timer.h>
#include <dust/virtio.h>
#include <x86/io.h>

/* Legacy registers (I/O BAR 0). */
#define VL_HOST_FEATURES  0x00
#define VL_GUEST_FEATURES 0x04
#define VL_QUEUE_PFN      0x08
#define VL_QUEUE_NUM      0x0c
#define VL_QUEUE_SEL      0x0e
#define VL_QUEUE_NOTIFY   0x10
#define VL_STATUS         0x12
#define VL_CONFIG         0x14    /* device config, MSI-X off */
#define VL_ALIGN          4096

/* Modern common configuration. */
#define VC_DFSELECT       0x00
#define VC_DF             0x04
#define VC_GFSELECT       0x08
#define VC_GF             0x0c
#define VC_STATUS         0x14
#define VC_Q_SELECT       0x16
#define VC_Q_SIZE         0x18
#define VC_Q_ENABLE       0x1c
#define VC_Q_NOFF         0x1e
#define VC_Q_DESC         0x20
#define VC_Q_AVAIL        0x28
#define VC_Q_USED         0x30

/* Vendor capability describing one structure. */
#define PCI_CAP_VENDOR    0x09
#define VCAP_TYPE         3
#define VCAP_BAR          4
#define VCAP_OFFSET       8
#define VCAP_NOTIFY_MULT  16
#define VCAP_COMMON       1
#define VCAP_NOTIFY       2
#define VCAP_DEVICE       4

/* The address of a capability's structure, or NULL if it lives somewhere
 * dust cannot reach (I/O BAR, above 4 GiB, unassigned). */
static volatile uint8_t *vcap_map(struct pci_device *pci, unsigned int pos)
{
	unsigned int bar = pci_read8(pci->bdf, pos + VCAP_BAR);
	unsigned int reg = PCI_BAR0 + 4 * bar;
	uint32_t lo;

	if (bar > 5)
		return NULL;
	lo = pci_read32(pci->bdf, reg);
	if (lo & PCI_BAR_IO)
		return NULL;
	if ((lo & 0x6) == PCI_BAR_MEM64 && (bar == 5 ||
					    pci_read32(pci->bdf, reg + 4)))
		return NULL;
	if (!(lo & ~0xfu))
		return NULL;
	return phys_to_virt((lo & ~0xfu) +
			    pci_read32(pci->bdf, pos + VCAP_OFFSET));
}

static int vpci_find_modern(struct virtio_pci *vp, struct pci_device *pci)
{
	unsigned int pos, guard;

	if (!(pci_read16(pci->bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return -ENODEV;
	pos = pci_read8(pci->bdf, PCI_CAP_PTR) & 0xfc;
	for (guard = 0; pos && guard < 48; guard++) {
		if (pci_read8(pci->bdf, pos) == PCI_CAP_VENDOR) {
			unsigned int type = pci_read8(pci->bdf, pos + VCAP_TYPE);
			volatile uint8_t *p = vcap_map(pci, pos);

			if (type == VCAP_COMMON && !vp->common)
				vp->common = p;
			else if (type == VCAP_NOTIFY && !vp->notify_base) {
				vp->notify_base = p;
				vp->notify_mult = pci_read32(pci->bdf,
							     pos + VCAP_NOTIFY_MULT);
			} else if (type == VCAP_DEVICE && !vp->device)
				vp->device = p;
		}
		pos = pci_read8(pci->bdf, pos + 1) & 0xfc;
	}
	if (!vp->common || !vp->notify_base || !vp->device)
		return -ENODEV;
	vp->modern = 1;
	return 0;
}

int vpci_init(struct virtio_pci *vp, struct pci_device *pci, int allow_legacy)
{
	memset(vp, 0, sizeof(*vp));
	pci_enable(pci);
	if (vpci_find_modern(vp, pci) == 0)
		return 0;
	if (!allow_legacy || !pci_bar_is_io(pci, 0) || !pci_bar_start(pci, 0))
		return -ENODEV;
	memset(vp, 0, sizeof(*vp));
	vp->io = (uint16_t)pci_bar_start(pci, 0);
	return 0;
}

uint8_t vpci_status(struct virtio_pci *vp)
{
	if (vp->modern)
		return readb(vp->common + VC_STATUS);
	return inb(vp->io + VL_STATUS);
}

static void vpci_set_status(struct virtio_pci *vp, uint8_t v)
{
	if (vp->modern)
		writeb(v, vp->common + VC_STATUS);
	else
		outb(vp->io + VL_STATUS, v);
}

void vpci_add_status(struct virtio_pci *vp, uint8_t bits)
{
	vpci_set_status(vp, vpci_status(vp) | bits);
}

int vpci_reset(struct virtio_pci *vp)
{
	uint32_t start = currtime_ms();

	vpci_set_status(vp, 0);
	/* A modern device reports the reset done by reading back 0. */
	while (vpci_status(vp) != 0) {
		if (time_after_ms(currtime_ms(), start + 1000))
			return -ETIMEDOUT;
		udelay(100);
	}
	return 0;
}

uint64_t vpci_negotiate(struct virtio_pci *vp, uint64_t wanted, int *rc)
{
	uint64_t have;

	*rc = 0;
	if (!vp->modern) {
		have = inl(vp->io + VL_HOST_FEATURES) & wanted;
		outl(vp->io + VL_GUEST_FEATURES, (uint32_t)have);
		return have;
	}
	writel(0, vp->common + VC_DFSELECT);
	have = readl(vp->common + VC_DF);
	writel(1, vp->common + VC_DFSELECT);
	have |= (uint64_t)readl(vp->common + VC_DF) << 32;
	have &= wanted;
	writel(0, vp->common + VC_GFSELECT);
	writel((uint32_t)have, vp->common + VC_GF);
	writel(1, vp->common + VC_GFSELECT);
	writel((uint32_t)(have >> 32), vp->common + VC_GF);
	vpci_add_status(vp, VIRTIO_FEATURES_OK);
	if (!(have & (1ull << VIRTIO_F_VERSION_1)) ||
	    !(vpci_status(vp) & VIRTIO_FEATURES_OK)) {
		*rc = -ENOTSUP;
		return 0;
	}
	return have;
}

uint8_t vpci_config8(struct virtio_pci *vp, unsigned int off)
{
	if (vp->modern)
		return readb(vp->device + off);
	return inb(vp->io + VL_CONFIG + off);
}

/* Bytes for the descriptor table and available ring of n entries (the
 * avail ring's used_event word included). */
static size_t vring_driver_len(unsigned int n)
{
	return 16 * n + 6 + 2 * n;
}

int vring_setup(struct virtio_pci *vp, struct vring *vq, unsigned int index,
		unsigned int max)
{
	unsigned int num;
	size_t used_off;

	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	if (vp->modern) {
		writew((uint16_t)index, vp->common + VC_Q_SELECT);
		num = readw(vp->common + VC_Q_SIZE);
	} else {
		outw(vp->io + VL_QUEUE_SEL, (uint16_t)index);
		num = inw(vp->io + VL_QUEUE_NUM);
	}
	if (num == 0 || (num & (num - 1)))
		return -ENODEV;
	/* A legacy device fixes the size; a modern one takes a smaller. */
	if (vp->modern)
		while (num > max && num > 2)
			num >>= 1;
	vq->num = num;
	used_off = ALIGN_UP(vring_driver_len(num), VL_ALIGN);
	vq->mem_len = used_off + 6 + 8 * num;
	vq->mem = malloc_dma(vq->mem_len, VL_ALIGN);
	if (!vq->mem)
		return -ENOMEM;
	memset(vq->mem, 0, vq->mem_len);
	vq->desc = vq->mem;
	vq->avail = (struct vring_avail *)((uint8_t *)vq->mem + 16 * num);
	vq->used = (struct vring_used *)((uint8_t *)vq->mem + used_off);
	if (vp->modern) {
		volatile uint8_t *c = vp->common;

		writew((uint16_t)num, c + VC_Q_SIZE);
		writel(virt_to_phys(vq->desc), c + VC_Q_DESC);
		writel(0, c + VC_Q_DESC + 4);
		writel(virt_to_phys(vq->avail), c + VC_Q_AVAIL);
		writel(0, c + VC_Q_AVAIL + 4);
		writel(virt_to_phys(vq->used), c + VC_Q_USED);
		writel(0, c + VC_Q_USED + 4);
		vq->notify = vp->notify_base +
			     readw(c + VC_Q_NOFF) * vp->notify_mult;
		writew(1, c + VC_Q_ENABLE);
	} else {
		outl(vp->io + VL_QUEUE_PFN, virt_to_phys(vq->mem) / VL_ALIGN);
	}
	return 0;
}

void vring_free(struct vring *vq)
{
	free_dma(vq->mem, vq->mem_len);
	vq->mem = NULL;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

void vring_kick(struct virtio_pci *vp, struct vring *vq)
{
	mb();
	if (vp->modern)
		writew((uint16_t)vq->index, vq->notify);
	else
		outw(vp->io + VL_QUEUE_NOTIFY, (uint16_t)vq->index);
}
