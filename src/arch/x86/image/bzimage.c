/* Booting Linux kernels in bzImage format (the Linux/x86 boot protocol,
 * version 2.02 and later): real-mode setup at 1000:0000 with the command
 * line above its heap, the protected-mode part at 1 MiB, initrds
 * concatenated as high as the kernel allows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/image.h>
#include <dust/init.h>
#include <dust/umalloc.h>
#include <bios/realmode.h>
#include <bios/bootinfo.h>

/* Offsets in the kernel's first sectors (boot protocol "real-mode kernel
 * header"). */
#define BZ_SETUP_SECTS   0x1f1
#define BZ_BOOT_FLAG     0x1fe
#define BZ_HEADER        0x202
#define BZ_VERSION       0x206
#define BZ_LOADER_TYPE   0x210
#define BZ_LOADFLAGS     0x211
#define BZ_RAMDISK_IMAGE 0x218
#define BZ_RAMDISK_SIZE  0x21c
#define BZ_HEAP_END      0x224
#define BZ_CMDLINE_PTR   0x228
#define BZ_INITRD_MAX    0x22c
#define BZ_CMDLINE_SIZE  0x238
#define BZ_INIT_SIZE     0x260

#define LOADED_HIGH   0x01
#define CAN_USE_HEAP  0x80

/* Where the real-mode part goes, and the layout above it. */
#define RM_BASE       0x10000u
#define RM_MAX        0x8000u          /* setup code and boot sector */
#define RM_HEAP_END   0xfe00u          /* offset from RM_BASE */
#define RM_CMDLINE    (RM_BASE + 0x10000u)
#define PM_BASE       0x100000u

static uint16_t rd16(const uint8_t *p, unsigned int off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, unsigned int off)
{
	return (uint32_t)rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static void wr32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static size_t setup_size(const struct image *image)
{
	const uint8_t *k = image->data;
	unsigned int sects = k[BZ_SETUP_SECTS] ? k[BZ_SETUP_SECTS] : 4;

	return (size_t)(sects + 1) * 512;
}

static int bzimage_probe(struct image *image)
{
	const uint8_t *k = image->data;

	if (image->len < 0x240 || rd16(k, BZ_BOOT_FLAG) != 0xaa55 ||
	    memcmp(k + BZ_HEADER, "HdrS", 4))
		return -ENOEXEC;
	return 0;
}

static int bzimage_exec(struct image *image)
{
	const uint8_t *k = image->data;
	uint16_t version = rd16(k, BZ_VERSION);
	size_t rm_len = setup_size(image), pm_len, cmdline_max = 255;
	size_t initrd_len = 0, init_size;
	uint32_t initrd_max = 0x37ffffff;
	uint8_t *rm = (uint8_t *)(uintptr_t)RM_BASE, *initrd = NULL;
	const char *cmdline = image->cmdline ? image->cmdline : "";
	struct image *i;
	struct bregs regs;

	if (version < 0x0202 || !(k[BZ_LOADFLAGS] & LOADED_HIGH)) {
		printf("%s: kernel too old (boot protocol %x.%02x, not a "
		       "bzImage): dust needs 2.02 or later\n", image->name,
		       version >> 8, version & 0xff);
		return -ENOTSUP;
	}
	if (rm_len > RM_MAX || rm_len >= image->len) {
		printf("%s: kernel setup part is damaged (%zu bytes)\n",
		       image->name, rm_len);
		return -ENOEXEC;
	}
	pm_len = image->len - rm_len;
	init_size = version >= 0x020a ? rd32(k, BZ_INIT_SIZE) : pm_len;
	if (init_size < pm_len)
		init_size = pm_len;
	if (version >= 0x0203)
		initrd_max = rd32(k, BZ_INITRD_MAX);
	if (version >= 0x0206)
		cmdline_max = rd32(k, BZ_CMDLINE_SIZE);
	if (strlen(cmdline) > cmdline_max) {
		printf("%s: command line longer than the kernel accepts (%zu)\n",
		       image->name, cmdline_max);
		return -E2BIG;
	}
	/* The protected-mode part goes below image memory, and must not
	 * meet dust's resident block or anything downloaded. */
	if (PM_BASE + pm_len > umalloc_floor ||
	    RM_CMDLINE + cmdline_max + 1 > resident_base) {
		printf("%s: kernel does not fit below the downloaded images\n",
		       image->name);
		return -ENOSPC;
	}

	/* Initrds back to back, each padded to 4 bytes, as high as allowed. */
	for_each_image(i)
		if (i->flags & IMAGE_INITRD)
			initrd_len += ALIGN_UP(i->len, 4);
	if (initrd_len) {
		size_t off = 0;

		initrd = umalloc(initrd_len);
		if (!initrd || (uintptr_t)initrd + initrd_len - 1 > initrd_max ||
		    (uintptr_t)initrd < PM_BASE + init_size) {
			printf("%s: no room for %zu bytes of initrd where the "
			       "kernel can reach it\n", image->name, initrd_len);
			ufree(initrd);
			return -ENOSPC;
		}
		for_each_image(i) {
			if (!(i->flags & IMAGE_INITRD))
				continue;
			memcpy(initrd + off, i->data, i->len);
			memset(initrd + off + i->len, 0,
			       ALIGN_UP(i->len, 4) - i->len);
			off += ALIGN_UP(i->len, 4);
		}
	}

	printf("Booting %s (%zu KiB kernel, %zu KiB initrd)\n", image->name,
	       image->len >> 10, initrd_len >> 10);
	/* Nothing of dust may run after this: close devices, unhook. */
	run_shutdown_fns(0);

	memcpy(rm, k, rm_len);
	memcpy((void *)(uintptr_t)PM_BASE, k + rm_len, pm_len);
	rm[BZ_LOADER_TYPE] = 0xff;
	rm[BZ_LOADFLAGS] |= CAN_USE_HEAP;
	rm[BZ_HEAP_END] = RM_HEAP_END & 0xff;
	rm[BZ_HEAP_END + 1] = RM_HEAP_END >> 8;
	wr32(rm, BZ_CMDLINE_PTR, RM_CMDLINE);
	strcpy((char *)(uintptr_t)RM_CMDLINE, cmdline);
	wr32(rm, BZ_RAMDISK_IMAGE, (uint32_t)(uintptr_t)initrd);
	wr32(rm, BZ_RAMDISK_SIZE, (uint32_t)initrd_len);

	/* Enter the setup code at segment + 20h with the data segments on
	 * the real-mode base; it makes its own stack (our SS differs). */
	memset(&regs, 0, sizeof(regs));
	regs.ds = regs.es = regs.fs = regs.gs = RM_BASE >> 4;
	regs.eflags = 0x0002;    /* interrupts off */
	real_far_call((RM_BASE >> 4) + 0x20, 0, &regs, NULL, 0);
	/* Not reached: a kernel does not return. */
	return -EIO;
}

IMAGE_TYPE(IMAGE_ORDER_BZIMAGE) bzimage_type = {
	.name = "bzImage",
	.probe = bzimage_probe,
	.exec = bzimage_exec,
};
