/* PCI configuration space access and driver matching. */
#ifndef DUST_PCI_H
#define DUST_PCI_H

#include <stdint.h>
#include <dust/tables.h>
#include <dust/list.h>

#define PCI_VENDOR_ID        0x00
#define PCI_DEVICE_ID        0x02
#define PCI_COMMAND          0x04
#define  PCI_COMMAND_IO      0x0001
#define  PCI_COMMAND_MEM     0x0002
#define  PCI_COMMAND_MASTER  0x0004
#define PCI_STATUS           0x06
#define  PCI_STATUS_CAP_LIST 0x0010
#define PCI_REVISION         0x08
#define PCI_CLASS_PROG       0x09
#define PCI_CLASS            0x0a   /* 16 bits: class, subclass */
#define PCI_HEADER_TYPE      0x0e
#define PCI_BAR0             0x10
#define PCI_SUBSYS_VENDOR    0x2c
#define PCI_SUBSYS_ID        0x2e
#define PCI_CAP_PTR          0x34
#define PCI_INTERRUPT_LINE   0x3c

#define PCI_BAR_IO           0x1
#define PCI_BAR_MEM64        0x4

/* Bus:dev.fn packed as bus << 8 | dev << 3 | fn. */
#define PCI_BDF(bus, dev, fn) (((bus) << 8) | ((dev) << 3) | (fn))
#define PCI_BUS(bdf)  (((bdf) >> 8) & 0xff)
#define PCI_SLOT(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_FUNC(bdf) ((bdf) & 0x7)

struct pci_device;

struct pci_id {
	uint16_t vendor, device;
	const char *name;
};

struct pci_driver {
	const char *name;
	const struct pci_id *ids;
	unsigned int id_count;
	int (*probe)(struct pci_device *pci, const struct pci_id *id);
	void (*remove)(struct pci_device *pci);
};
#define PCI_DRIVER(name) TABLE_ENTRY(struct pci_driver, "pci_drivers", 50) name

struct pci_device {
	struct list_head list;
	uint16_t bdf;
	uint16_t vendor, device;
	uint32_t class;    /* class << 16 | subclass << 8 | prog-if */
	uint8_t irq;
	const struct pci_driver *driver;
	void *priv;
};

uint8_t pci_read8(uint16_t bdf, unsigned int where);
uint16_t pci_read16(uint16_t bdf, unsigned int where);
uint32_t pci_read32(uint16_t bdf, unsigned int where);
void pci_write8(uint16_t bdf, unsigned int where, uint8_t v);
void pci_write16(uint16_t bdf, unsigned int where, uint16_t v);
void pci_write32(uint16_t bdf, unsigned int where, uint32_t v);

/* Base address of BAR n (I/O port or memory address; 64-bit BARs folded
 * to their low 32 bits below 4 GiB). */
unsigned long pci_bar_start(struct pci_device *pci, unsigned int bar);
int pci_bar_is_io(struct pci_device *pci, unsigned int bar);
/* Enable I/O, memory and bus mastering. */
void pci_enable(struct pci_device *pci);
/* Offset of capability `cap` in config space, or 0. */
unsigned int pci_find_capability(struct pci_device *pci, unsigned int cap);

/* Call fn for every function present; stops early if fn returns nonzero. */
int pci_scan(int (*fn)(uint16_t bdf, void *ctx), void *ctx);
/* Probe drivers on every PCI function (once). */
void pci_probe_all(void);
/* Devices probed successfully. */
extern struct list_head pci_devices;

/* A short human name for a class code, e.g. "Ethernet controller". */
const char *pci_class_name(uint32_t class);

#endif
