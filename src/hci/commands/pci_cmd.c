/* pciscan: list the PCI functions present. */
#include <stdio.h>
#include <dust/command.h>
#include <dust/pci.h>

static const char *pci_driver_of(uint16_t bdf)
{
	struct pci_device *pci;

	list_for_each_entry(pci, &pci_devices, list)
		if (pci->bdf == bdf)
			return pci->driver->name;
	return "";
}

static int pciscan_one(uint16_t bdf, void *ctx)
{
	uint32_t class = pci_read32(bdf, PCI_REVISION) >> 8;

	(*(unsigned int *)ctx)++;
	printf("%02x:%02x.%x %04x:%04x class %06x %-22s %s\n", PCI_BUS(bdf),
	       PCI_SLOT(bdf), PCI_FUNC(bdf), pci_read16(bdf, PCI_VENDOR_ID),
	       pci_read16(bdf, PCI_DEVICE_ID), class, pci_class_name(class),
	       pci_driver_of(bdf));
	return 0;
}

static int pciscan_exec(int argc, char **argv)
{
	unsigned int n = 0;

	(void)argc;
	(void)argv;
	pci_scan(pciscan_one, &n);
	printf("%u PCI functions\n", n);
	return 0;
}

COMMAND(pciscan_cmd) = {
	.name = "pciscan",
	.usage = " list PCI devices: address, vendor:device, class, driver",
	.exec = pciscan_exec,
};
