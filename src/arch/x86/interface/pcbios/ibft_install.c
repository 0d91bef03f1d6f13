/* Placing the iBFT: in the resident block, which lies in base memory
 * between 512 KiB and 640 KiB, 16-byte aligned, where operating systems
 * scan for the "iBFT" signature; it stays there as long as the block.
 *
 * It is also listed in the ACPI RSDT when the RSDT can take one more
 * entry where it lies: the RSDP that points at the RSDT sits in the BIOS
 * segment, read-only by the time dust runs, so the RSDT cannot move;
 * it grows in place only into zero bytes after it (QEMU's tables end in
 * padding).  Otherwise the scan is how systems find it. */
#include <errno.h>
#include <string.h>
#include <dust/ibft.h>
#include <dust/netdevice.h>
#include <bios/realmode.h>

static void *ibft_area(size_t *len)
{
	uint16_t off = *(uint16_t *)(uintptr_t)(resident_base + RES_FREE);
	uintptr_t start = ALIGN_UP(resident_base + off, 16);

	*len = RES_FREE_SIZE - (start - (resident_base + off));
	return (void *)start;
}

struct acpi_hdr {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

#define ACPI_SPARE 64           /* zero bytes the RSDT must have after it */

/* The RSDT, through the RSDP in the EBDA's first KiB or the BIOS area. */
static struct acpi_hdr *find_rsdt(void)
{
	uintptr_t from[2] = { (uintptr_t)*(uint16_t *)0x40e << 4, 0xe0000 };
	uintptr_t to[2] = { from[0] + 1024, 0x100000 };
	unsigned int i;
	uintptr_t p;

	for (i = 0; i < 2; i++) {
		for (p = from[i]; from[i] && p + 20 <= to[i]; p += 16) {
			struct acpi_hdr *r;

			if (memcmp((void *)p, "RSD PTR ", 8) ||
			    byte_sum((void *)p, 20))
				continue;
			r = (struct acpi_hdr *)(uintptr_t)*(uint32_t *)(p + 16);
			if (r && !memcmp(r->sig, "RSDT", 4) &&
			    r->length >= sizeof(*r) && r->length < 4096 &&
			    !byte_sum(r, r->length))
				return r;
		}
	}
	return NULL;
}

/* Add (or, with add 0, take out) the iBFT's entry at the RSDT's end. */
static void acpi_link(uint32_t addr, int add)
{
	struct acpi_hdr *r = find_rsdt();
	uint8_t *end;
	uint32_t last;
	unsigned int i;

	if (!r)
		return;
	end = (uint8_t *)r + r->length;
	memcpy(&last, end - 4, 4);
	if (!add) {
		if (r->length < sizeof(*r) + 4 || last != addr)
			return;
		memset(end - 4, 0, 4);
		r->length -= 4;
	} else {
		if (r->length >= sizeof(*r) + 4 && last == addr)
			return;
		for (i = 0; i < ACPI_SPARE; i++)
			if (end[i])
				return;
		memcpy(end, &addr, 4);
		r->length += 4;
	}
	r->checksum = 0;
	r->checksum = (uint8_t)-byte_sum(r, r->length);
}

int ibft_install(const struct ibft_target *t)
{
	struct ibft_nic_info nic;
	size_t len;
	void *area = ibft_area(&len);
	int rc;

	if ((uintptr_t)area < 0x80000 || (uintptr_t)area >= 0x100000)
		return -ENOSPC;       /* outside where systems look */
	ibft_nic_from_netdev(t->netdev, &nic);
	rc = ibft_build(area, len, t, &nic);
	if (rc < 0)
		return rc;
	acpi_link((uint32_t)(uintptr_t)area, 1);
	return 0;
}

void ibft_uninstall(void)
{
	size_t len;
	void *area = ibft_area(&len);

	acpi_link((uint32_t)(uintptr_t)area, 0);
	memset(area, 0, 4);     /* no signature, no table */
}
