/* SAN boot: open the disk a root-path names, make it a BIOS drive, leave
 * an iBFT for the operating system, and boot it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/blockdev.h>
#include <dust/ibft.h>
#include <dust/int13.h>
#include <dust/sanboot.h>

/* The disk dust hooked, for sanunhook and the iBFT. */
static struct block_device *san_disk;
static uint8_t san_drive;

int san_hook(const char *root_path, uint8_t drive)
{
	struct block_device *bdev;
	struct ibft_target t;
	int rc;

	if (san_disk) {
		printf("sanhook: a SAN disk is already attached (drive %#02x); "
		       "sanunhook it first\n", san_drive);
		return -EBUSY;
	}
	rc = block_open(root_path, &bdev);
	if (rc)
		return rc;
	rc = int13_hook(bdev, drive);
	if (rc) {
		block_close(bdev);
		return rc;
	}
	memset(&t, 0, sizeof(t));
	if (bdev->op->describe && bdev->op->describe(bdev, &t) == 0) {
		rc = ibft_install(&t);
		if (rc)
			printf("%s: could not place the iBFT: %s\n", bdev->name,
			       strerror(rc));
	}
	san_disk = bdev;
	san_drive = drive;
	return 0;
}

int san_unhook(void)
{
	int rc;

	if (!san_disk)
		return -ENOENT;
	rc = int13_unhook(san_drive);
	if (rc)
		return rc;
	ibft_uninstall();
	block_close(san_disk);
	san_disk = NULL;
	return 0;
}

int sanboot_root_path(const char *root_path)
{
	int rc = san_hook(root_path, 0x80);

	if (rc)
		return rc;
	rc = int13_boot(san_drive);
	/* Only back here if it did not boot (or the boot code returned). */
	san_unhook();
	return rc;
}
