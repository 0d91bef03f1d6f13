/* Starting PXE network bootstrap programs: loaded at 0000:7C00 and
 * entered as a PXE ROM would (PXE 2.1, section 4.4.5): ES:BX -> PXENV+,
 * the !PXE far pointer on the stack above the return address.  dust is
 * the program's PXE stack while it runs (pxe_entry.c, pxe_api.c); the
 * network stays up for it.  A program that returns gives control back to
 * dust, unless it unloaded the stack first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dust/command.h>
#include <dust/image.h>
#include <bios/pxe_server.h>
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
	uint32_t end = NBP_BASE + (uint32_t)image->len, pxenv = 0, ppxe = 0;
	uint16_t stack[2];
	struct bregs regs;
	int rc;

	if (end > resident_base) {
		printf("%s: too large for a PXE program (%zu bytes)\n",
		       image->name, image->len);
		return -E2BIG;
	}
	rc = pxe_activate(end, &pxenv, &ppxe);
	if (rc)
		printf("%s: no PXE API (%s)\n", image->name, strerror(rc));
	memcpy((void *)(uintptr_t)NBP_BASE, image->data, image->len);
	memset(&regs, 0, sizeof(regs));
	regs.es = (uint16_t)(pxenv >> 16);
	regs.ebx = pxenv & 0xffff;
	regs.eflags = FLAG_IF;
	stack[0] = (uint16_t)ppxe;
	stack[1] = (uint16_t)(ppxe >> 16);
	printf("Starting %s as a PXE program\n", image->name);
	real_far_call(0, NBP_BASE, &regs, stack, 2);
	pxe_deactivate();
	/* The program came back: AX is its PXE status. */
	printf("%s returned (status %#04x)\n", image->name, regs.ax);
	if (pxe_api_unloaded()) {
		/* Its network and hooks are gone, its memory maybe reused:
		 * nothing to go on with. */
		printf("%s unloaded the stack: dust leaves\n", image->name);
		request_exit(1);
		return -ECANCELED;
	}
	return regs.ax ? -ECANCELED : 0;
}

IMAGE_TYPE(IMAGE_ORDER_PXE) pxe_image_type = {
	.name = "PXE",
	.probe = pxe_image_probe,
	.exec = pxe_image_exec,
};
