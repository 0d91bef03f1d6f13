/* virtio over PCI: the legacy I/O-port interface and the virtio 1.0
 * ("modern") interface through PCI capabilities, with split virtqueues.
 * Layouts follow the virtio 1.x specification (sections 2.6, 4.1). */
#ifndef DUST_VIRTIO_H
#define DUST_VIRTIO_H

#include <stdint.h>
#include <stddef.h>

struct pci_device;

/* Device status bits. */
#define VIRTIO_ACKNOWLEDGE  0x01
#define VIRTIO_DRIVER       0x02
#define VIRTIO_DRIVER_OK    0x04
#define VIRTIO_FEATURES_OK  0x08
#define VIRTIO_FAILED       0x80

#define VIRTIO_F_VERSION_1  32

/* Split virtqueue layout. */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

struct vring {
	unsigned int num;              /* entries (a power of two) */
	unsigned int index;            /* queue number */
	struct vring_desc *desc;
	struct vring_avail *avail;
	volatile struct vring_used *used;
	uint16_t last_used;            /* next used entry to look at */
	void *mem;
	size_t mem_len;
	volatile void *notify;         /* modern: where to write index */
};

struct virtio_pci {
	int modern;
	uint16_t io;                   /* legacy: I/O BAR */
	volatile uint8_t *common;      /* modern: common configuration */
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	volatile uint8_t *device;      /* modern: device configuration */
};

/* Find the interface: modern if the device offers it within reach (and
 * allow_legacy is false or it exists), else legacy.  0 or -ENODEV. */
int vpci_init(struct virtio_pci *vp, struct pci_device *pci, int allow_legacy);
/* Reset the device; bounded wait for the reset to finish. */
int vpci_reset(struct virtio_pci *vp);
uint8_t vpci_status(struct virtio_pci *vp);
void vpci_add_status(struct virtio_pci *vp, uint8_t bits);
/* Offer `wanted` masked by what the device has; returns the features
 * agreed (modern: FEATURES_OK set and confirmed) or 0 with *rc set. */
uint64_t vpci_negotiate(struct virtio_pci *vp, uint64_t wanted, int *rc);
uint8_t vpci_config8(struct virtio_pci *vp, unsigned int off);
/* Set up queue `index` with at most `max` entries. */
int vring_setup(struct virtio_pci *vp, struct vring *vq, unsigned int index,
		unsigned int max);
void vring_free(struct vring *vq);
/* Publish avail entries and tell the device. */
void vring_kick(struct virtio_pci *vp, struct vring *vq);
/* Put descriptor chain `head` on the available ring (not yet visible). */
static inline void vring_post(struct vring *vq, uint16_t head)
{
	vq->avail->ring[vq->avail->idx & (vq->num - 1)] = head;
	__asm__ __volatile__("" ::: "memory");
	vq->avail->idx++;
}
static inline int vring_has_used(const struct vring *vq)
{
	return vq->used->idx != vq->last_used;
}

#endif
