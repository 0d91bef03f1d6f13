/* isofix: finish the hybrid ISO.  Its first sector is a copy of the disk
 * prefix's sector 0; for a USB stick boot it must know where the El Torito
 * boot image starts, in 512-byte sectors (field image_lba at 0x1b0).
 * This reads the boot catalog (El Torito 1.0, sections 2.0 and 2.1) and
 * writes that field.
 *
 *   isofix IMAGE.iso
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SECTOR 2048
#define IMAGE_LBA_OFFSET 0x1b0

static int fail(const char *path, const char *why)
{
	fprintf(stderr, "isofix: %s: %s\n", path, why);
	return 1;
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_at(FILE *f, long off, void *buf, size_t len)
{
	return fseek(f, off, SEEK_SET) == 0 && fread(buf, 1, len, f) == len;
}

int main(int argc, char **argv)
{
	uint8_t brvd[SECTOR], cat[64], mbr[512];
	uint32_t cat_lba, boot_lba;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: isofix IMAGE.iso\n");
		return 2;
	}
	f = fopen(argv[1], "r+b");
	if (!f)
		return fail(argv[1], "cannot open");
	/* The boot record volume descriptor follows the primary one. */
	if (!read_at(f, 17L * SECTOR, brvd, sizeof(brvd)) || brvd[0] != 0 ||
	    memcmp(brvd + 1, "CD001", 5) ||
	    memcmp(brvd + 7, "EL TORITO SPECIFICATION", 23))
		return fail(argv[1], "no El Torito boot record at sector 17");
	cat_lba = rd32(brvd + 0x47);
	if (!read_at(f, (long)cat_lba * SECTOR, cat, sizeof(cat)) ||
	    cat[0] != 1 || cat[0x1e] != 0x55 || cat[0x1f] != 0xaa)
		return fail(argv[1], "bad boot catalog validation entry");
	if (cat[32] != 0x88)
		return fail(argv[1], "default boot entry is not bootable");
	boot_lba = rd32(cat + 32 + 8);
	if (!read_at(f, 0, mbr, sizeof(mbr)) || mbr[510] != 0x55 || mbr[511] != 0xaa)
		return fail(argv[1], "no MBR in the system area");
	boot_lba *= SECTOR / 512;
	memcpy(mbr + IMAGE_LBA_OFFSET, &boot_lba, 4);
	if (fseek(f, 0, SEEK_SET) || fwrite(mbr, 1, sizeof(mbr), f) != sizeof(mbr) ||
	    fclose(f))
		return fail(argv[1], "cannot write");
	return 0;
}
