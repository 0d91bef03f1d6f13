/* PCI configuration space through configuration mechanism #1 (ports CF8h
 * and CFCh), which every PC chipset since the mid-1990s provides. */
#include <dust/pci.h>
#include <x86/io.h>

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

static void pci_select(uint16_t bdf, unsigned int where)
{
	outl(PCI_CONF_ADDR, 0x80000000u | (uint32_t)bdf << 8 | (where & 0xfc));
}

uint32_t pci_read32(uint16_t bdf, unsigned int where)
{
	pci_select(bdf, where);
	return inl(PCI_CONF_DATA);
}

uint16_t pci_read16(uint16_t bdf, unsigned int where)
{
	pci_select(bdf, where);
	return inw(PCI_CONF_DATA + (where & 2));
}

uint8_t pci_read8(uint16_t bdf, unsigned int where)
{
	pci_select(bdf, where);
	return inb(PCI_CONF_DATA + (where & 3));
}

void pci_write32(uint16_t bdf, unsigned int where, uint32_t v)
{
	pci_select(bdf, where);
	outl(PCI_CONF_DATA, v);
}

void pci_write16(uint16_t bdf, unsigned int where, uint16_t v)
{
	pci_select(bdf, where);
	outw(PCI_CONF_DATA + (where & 2), v);
}

void pci_write8(uint16_t bdf, unsigned int where, uint8_t v)
{
	pci_select(bdf, where);
	outb(PCI_CONF_DATA + (where & 3), v);
}
