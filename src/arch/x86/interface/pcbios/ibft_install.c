/* Placing the iBFT: in the resident block, which lies in base memory
 * between 512 KiB and 640 KiB, 16-byte aligned, where operating systems
 * scan for the "iBFT" signature; it stays there as long as the block. */
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
	return rc < 0 ? rc : 0;
}

void ibft_uninstall(void)
{
	size_t len;
	void *area = ibft_area(&len);

	memset(area, 0, 4);     /* no signature, no table */
}
