/* PCI enumeration and driver matching. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <dust/pci.h>
#include <dust/init.h>

LIST_HEAD(pci_devices);

int pci_scan(int (*fn)(uint16_t bdf, void *ctx), void *ctx)
{
	unsigned int bus, dev, fnum, nfn;
	int rc;

	for (bus = 0; bus < 256; bus++) {
		for (dev = 0; dev < 32; dev++) {
			uint16_t bdf0 = (uint16_t)PCI_BDF(bus, dev, 0);

			if (pci_read16(bdf0, PCI_VENDOR_ID) == 0xffff)
				continue;
			nfn = (pci_read8(bdf0, PCI_HEADER_TYPE) & 0x80) ? 8 : 1;
			for (fnum = 0; fnum < nfn; fnum++) {
				uint16_t bdf = (uint16_t)PCI_BDF(bus, dev, fnum);

				if (pci_read16(bdf, PCI_VENDOR_ID) == 0xffff)
					continue;
				rc = fn(bdf, ctx);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

unsigned long pci_bar_start(struct pci_device *pci, unsigned int bar)
{
	uint32_t v = pci_read32(pci->bdf, PCI_BAR0 + 4 * bar);

	if (v & PCI_BAR_IO)
		return v & ~0x3u;
	return v & ~0xfu;
}

int pci_bar_is_io(struct pci_device *pci, unsigned int bar)
{
	return pci_read32(pci->bdf, PCI_BAR0 + 4 * bar) & PCI_BAR_IO;
}

void pci_enable(struct pci_device *pci)
{
	uint16_t cmd = pci_read16(pci->bdf, PCI_COMMAND);

	cmd |= PCI_COMMAND_IO | PCI_COMMAND_MEM | PCI_COMMAND_MASTER;
	pci_write16(pci->bdf, PCI_COMMAND, cmd);
}

unsigned int pci_find_capability(struct pci_device *pci, unsigned int cap)
{
	unsigned int pos, guard;

	if (!(pci_read16(pci->bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read8(pci->bdf, PCI_CAP_PTR) & 0xfc;
	for (guard = 0; pos && guard < 48; guard++) {
		if (pci_read8(pci->bdf, pos) == cap)
			return pos;
		pos = pci_read8(pci->bdf, pos + 1) & 0xfc;
	}
	return 0;
}

static int pci_probe_one(uint16_t bdf, void *ctx)
{
	const struct pci_driver *drv;
	uint16_t vendor = pci_read16(bdf, PCI_VENDOR_ID);
	uint16_t device = pci_read16(bdf, PCI_DEVICE_ID);
	unsigned int i;

	(void)ctx;
	for_each_table_entry(drv, struct pci_driver, "pci_drivers") {
		for (i = 0; i < drv->id_count; i++) {
			const struct pci_id *id = &drv->ids[i];
			struct pci_device *pci;
			int rc;

			if (id->vendor != vendor || id->device != device)
				continue;
			pci = zalloc(sizeof(*pci));
			if (!pci)
				return 0;
			pci->bdf = bdf;
			pci->vendor = vendor;
			pci->device = device;
			pci->class = pci_read32(bdf, PCI_REVISION) >> 8;
			pci->irq = pci_read8(bdf, PCI_INTERRUPT_LINE);
			pci->driver = drv;
			rc = drv->probe(pci, id);
			if (rc) {
				printf("%02x:%02x.%x %s: %s\n", PCI_BUS(bdf),
				       PCI_SLOT(bdf), PCI_FUNC(bdf), id->name,
				       strerror(rc));
				free(pci);
				continue;
			}
			list_add_tail(&pci->list, &pci_devices);
			return 0;
		}
	}
	return 0;
}

void pci_probe_all(void)
{
	if (table_count(struct pci_driver, "pci_drivers"))
		pci_scan(pci_probe_one, NULL);
}

static void pci_remove_all(int booting)
{
	struct pci_device *pci, *tmp;

	(void)booting;
	list_for_each_entry_safe(pci, tmp, &pci_devices, list) {
		if (pci->driver->remove)
			pci->driver->remove(pci);
		list_del(&pci->list);
		free(pci);
	}
}

static const struct {
	uint8_t class, subclass;
	const char *name;
} pci_class_names[] = {
	{ 0x00, 0xff, "Unclassified device" },
	{ 0x01, 0x00, "SCSI controller" },
	{ 0x01, 0x01, "IDE controller" },
	{ 0x01, 0x06, "SATA controller" },
	{ 0x01, 0x08, "NVMe controller" },
	{ 0x01, 0xff, "Storage controller" },
	{ 0x02, 0x00, "Ethernet controller" },
	{ 0x02, 0xff, "Network controller" },
	{ 0x03, 0x00, "VGA controller" },
	{ 0x03, 0xff, "Display controller" },
	{ 0x04, 0xff, "Multimedia controller" },
	{ 0x05, 0xff, "Memory controller" },
	{ 0x06, 0x00, "Host bridge" },
	{ 0x06, 0x01, "ISA bridge" },
	{ 0x06, 0x04, "PCI bridge" },
	{ 0x06, 0x80, "Bridge" },
	{ 0x06, 0xff, "Bridge" },
	{ 0x07, 0xff, "Communication controller" },
	{ 0x08, 0xff, "System peripheral" },
	{ 0x0c, 0x03, "USB controller" },
	{ 0x0c, 0x05, "SMBus controller" },
	{ 0x0c, 0xff, "Serial bus controller" },
};

const char *pci_class_name(uint32_t class)
{
	uint8_t c = (uint8_t)(class >> 16), s = (uint8_t)(class >> 8);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pci_class_names); i++)
		if (pci_class_names[i].class == c &&
		    (pci_class_names[i].subclass == s ||
		     pci_class_names[i].subclass == 0xff))
			return pci_class_names[i].name;
	return "Device";
}

static void pci_init(void)
{
	pci_probe_all();
}

INIT_FN(INIT_HW) pci_init_fn = { "pci", pci_init };
SHUTDOWN_FN(INIT_HW) pci_shutdown_fn = { "pci", pci_remove_all };
