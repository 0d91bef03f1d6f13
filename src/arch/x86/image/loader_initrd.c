/* What a boot loader handed dust.lkrn as its initrd (QEMU -initrd, an
 * initrd line in SYSLINUX or GRUB) becomes an image; a script among them
 * runs instead of the network boot, as an embedded script would. */
#include <stdio.h>
#include <string.h>
#include <dust/image.h>
#include <dust/init.h>
#include <dust/umalloc.h>
#include <bios/bootinfo.h>

static void loader_initrd_init(void)
{
	struct image *image;
	uint32_t start = bootinfo.initrd, len = bootinfo.initrd_len;

	if (!len)
		return;
	image = alloc_image(NULL);
	if (image)
		image->data = umalloc(len);
	if (!image || !image->data) {
		printf("dust: no memory for the loader's initrd (%u bytes)\n",
		       len);
	} else {
		memcpy(image->data, (void *)(uintptr_t)start, len);
		image->len = len;
		image->flags |= IMAGE_AUTOEXEC;
		strcpy(image->name, "initrd");
		register_image(image);
	}
	if (image)
		image_put(image);
	/* Its memory is free now. */
	umalloc_add((void *)(uintptr_t)start, len);
}

INIT_FN(INIT_NORMAL) loader_initrd_init_fn = { "initrd", loader_initrd_init };
