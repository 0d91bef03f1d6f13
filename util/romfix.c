/* romfix: finish a PCI option ROM image in place.
 *
 *   romfix [--vendor ID] [--device ID] ROM
 *
 * Checks the ROM header, optionally retargets the PCI data structure to
 * another vendor/device id, and recomputes the PnP header checksum and the
 * checksum byte at offset 6 so that all bytes of the image sum to zero.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROM_CSUM_OFFSET 6
#define ROM_MAX (64 * 1024)

static int fail(const char *path, const char *why)
{
	fprintf(stderr, "romfix: %s: %s\n", path, why);
	return 1;
}

static uint16_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }

int main(int argc, char **argv)
{
	long vendor = -1, device = -1;
	uint8_t rom[ROM_MAX + 1];
	const char *path;
	size_t len, size, pcir, pnp, i;
	uint8_t sum;
	FILE *f;

	while (argc > 2 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--vendor"))
			vendor = strtol(argv[2], NULL, 16);
		else if (!strcmp(argv[1], "--device"))
			device = strtol(argv[2], NULL, 16);
		else
			break;
		argc -= 2;
		argv += 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: romfix [--vendor ID] [--device ID] ROM\n");
		return 2;
	}
	path = argv[1];
	f = fopen(path, "rb");
	if (!f)
		return fail(path, "cannot open");
	len = fread(rom, 1, sizeof(rom), f);
	fclose(f);
	if (len > ROM_MAX)
		return fail(path, "larger than the 64 KiB an option ROM may have");
	if (len < 0x40 || rom[0] != 0x55 || rom[1] != 0xaa)
		return fail(path, "no 55 AA option ROM signature");
	size = rom[2] * 512u;
	if (size != len || len % 512)
		return fail(path, "size byte does not match the file size");

	pcir = rd16(rom + 0x18);
	if (pcir + 0x18 > len || memcmp(rom + pcir, "PCIR", 4))
		return fail(path, "no PCI data structure");
	if (vendor >= 0)
		wr16(rom + pcir + 4, (uint16_t)vendor);
	if (device >= 0)
		wr16(rom + pcir + 6, (uint16_t)device);

	pnp = rd16(rom + 0x1a);
	if (pnp) {
		size_t plen;

		if (pnp + 0x20 > len || memcmp(rom + pnp, "$PnP", 4))
			return fail(path, "bad PnP expansion header pointer");
		plen = rom[pnp + 5] * 16u;
		if (pnp + plen > len)
			return fail(path, "PnP header runs past the image");
		rom[pnp + 9] = 0;
		for (sum = 0, i = 0; i < plen; i++)
			sum += rom[pnp + i];
		rom[pnp + 9] = (uint8_t)-sum;
	}

	rom[ROM_CSUM_OFFSET] = 0;
	for (sum = 0, i = 0; i < len; i++)
		sum += rom[i];
	rom[ROM_CSUM_OFFSET] = (uint8_t)-sum;

	f = fopen(path, "wb");
	if (!f || fwrite(rom, 1, len, f) != len || fclose(f))
		return fail(path, "cannot write");
	return 0;
}
