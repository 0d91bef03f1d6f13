/* Starting PXE network bootstrap programs: loaded at 0000:7C00 and
 * entered as a PXE ROM would (PXE 2.1, section 4.4.5): ES:BX -> PXENV+,
 * the !PXE far pointer on the stack above the return address.  A program
 * that returns gives control back to dust. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dust/image.h>
#include <bios/realmode.h>

#define NBP_BASE 0x7c00u

static int pxe_image_probe(struct image *image)
{
	/* Anything else that is small enough to be a PXE program. */
	if (!image->len || NBP_BASE + image->len > resident_base)
		return -ENOEXEC;
	return 0;
}

static int pxe_image_exec(struct image *image)
{
	/* dust does not offer the PXE API yet: the program is told so by
	 * null PXENV+ and !PXE pointers (and must bring its own drivers). */
	uint32_t pxenv = 0, ppxe = 0;
	uint16_t stack[2];
	struct bregs regs;

	if (NBP_BASE + image->len > resident_base) {
		printf("%s: too large for a PXE program (%zu bytes)\n",
		       image->name, image->len);
		return -E2BIG;
	}
	memcpy((void *)(uintptr_t)NBP_BASE, image->data, image->len);
	memset(&regs, 0, sizeof(regs));
	regs.es = (uint16_t)(pxenv >> 16);
	regs.ebx = pxenv & 0xffff;
	regs.eflags = FLAG_IF;
	stack[0] = (uint16_t)ppxe;
	stack[1] = (uint16_t)(ppxe >> 16);
	printf("Starting %s as a PXE program\n", image->name);
	real_far_call(0, NBP_BASE, &regs, stack, 2);
	/* The program came back: AX is its PXE status. */
	printf("%s returned (status %#04x)\n", image->name, regs.ax);
	return regs.ax ? -ECANCELED : 0;
}

IMAGE_TYPE(IMAGE_ORDER_PXE) pxe_image_type = {
	.name = "PXE",
	.probe = pxe_image_probe,
	.exec = pxe_image_exec,
};
