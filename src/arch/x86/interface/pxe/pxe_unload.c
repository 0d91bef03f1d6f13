/* dust.pxe: unload the PXE stack that loaded us, so dust's own drivers can
 * take the NIC, and give its base memory back.
 *
 * The stack is taken down layer by layer, the reverse of how the ROM
 * brought it up (PXE 2.1 chapter 3): the base code is stopped
 * (STOP_BASE), the NIC closed and reset (UNDI_CLOSE, UNDI_SHUTDOWN, so
 * nothing is DMAed into memory about to be freed), the UNDI prepared for
 * removal (UNDI_CLEANUP), the base code removed (UNLOAD_STACK, after which
 * the spec still allows UNDI services) and finally the UNDI released
 * (STOP_UNDI).  Every step is tried even if an earlier one failed; the
 * memory is only given back if the last two succeeded without asking to
 * keep anything (KEEP_UNDI / KEEP_ALL), the stack's memory lies right
 * above dust's resident block, and no interrupt vector or hook chain still
 * points into it.
 *
 * The ROM cannot be returned to afterwards, so dust leaves by INT 18h
 * ("next boot device") instead. */
#include <stdio.h>
#include <string.h>
#include <bios/bootinfo.h>
#include <bios/pxe_client.h>
#include <bios/realmode.h>
#include <dust/init.h>

#define WHO "pxe"
#define MAX_REGIONS 10
#define NVEC (256 + RES_NHOOKS)

static int keep_status(uint16_t status)
{
	return status == PXENV_STATUS_KEEP_UNDI ||
	       status == PXENV_STATUS_KEEP_ALL;
}

/* The top of base memory dust may raise 40:13h to: below the EBDA. */
static unsigned int base_limit_kb(void)
{
	uint16_t ebda = bda_read16(0x0e);

	if (ebda >= 0x1000 && ebda < 0xa000)
		return ebda >> 6;
	return 640;
}

static void reclaim(const struct pxe_region *r, unsigned int n)
{
	static uint32_t vec[NVEC];
	const volatile uint32_t *ivt = (const volatile uint32_t *)0;
	unsigned int i, top_kb = 0, hooked = 0, old = bootinfo.basemem_kb;
	int rc;

	for (i = 0; i < 256; i++)
		vec[i] = ivt[i];
	/* dust's own hooks chain to whatever was there before them. */
	for (i = 0; i < RES_NHOOKS; i++)
		vec[256 + i] = hook_oldvec(i);
	rc = pxe_reclaim(r, n, old, base_limit_kb(), vec, NVEC, &top_kb,
			 &hooked);
	switch (rc) {
	case PXE_RECLAIM_OK:
		bootinfo_set_basemem(top_kb);
		printf(WHO ": stack unloaded; base memory top %u -> %u KiB "
		       "(given back on exit)\n", old, top_kb);
		break;
	case PXE_RECLAIM_HOOKED:
		if (hooked < 256)
			printf(WHO ": stack unloaded; its memory is kept: "
			       "INT %02xh still points into it\n", hooked);
		else
			printf(WHO ": stack unloaded; its memory is kept: "
			       "a vector dust chains to (hook %u) points "
			       "into it\n", hooked - 256);
		break;
	default:
		printf(WHO ": stack unloaded; its memory is kept: it does not "
		       "sit right above free base memory (%u KiB)\n", old);
		break;
	}
}

static void pxe_unload(void)
{
	struct pxe_stack pxe;
	struct pxe_region regions[MAX_REGIONS];
	struct pxenv_unload_stack unload;
	struct pxenv_status_only stop;
	unsigned int n;
	int ok = 1;

	if (bootinfo.type != IMAGE_PXE)
		return;
	/* Whatever happens below, the ROM's stack is no longer in the state
	 * it handed over: never return into it. */
	bootinfo_set_exit(EXIT_INT18);
	if (pxe_find(&pxe, WHO)) {
		printf(WHO ": exit goes to the BIOS (INT 18h)\n");
		return;
	}
	/* The structures may be gone after the unload: note the memory
	 * they describe now. */
	n = pxe_stack_regions(pxe.pxenv ? far_ptr(pxe.pxenv) : NULL,
			      pxe.ppxe ? far_ptr(pxe.ppxe) : NULL, regions,
			      MAX_REGIONS);
	pxe_call_simple(&pxe, WHO, PXENV_STOP_BASE);
	pxe_call_simple(&pxe, WHO, PXENV_UNDI_CLOSE);
	pxe_call_simple(&pxe, WHO, PXENV_UNDI_SHUTDOWN);
	pxe_call_simple(&pxe, WHO, PXENV_UNDI_CLEANUP);
	memset(&unload, 0, sizeof(unload));
	if (pxe_call_report(&pxe, WHO, PXENV_UNLOAD_STACK, &unload,
			    sizeof(unload)) || keep_status(unload.status))
		ok = 0;
	if (pxe_call_report(&pxe, WHO, PXENV_STOP_UNDI, &stop, sizeof(stop)) ||
	    keep_status(stop.status))
		ok = 0;
	if (ok)
		reclaim(regions, n);
	else
		printf(WHO ": the PXE stack stays in memory\n");
	printf(WHO ": exit goes to the BIOS (INT 18h): no PXE ROM to return "
	       "to\n");
}

INIT_FN(INIT_PXE) pxe_unload_fn = { "pxe-unload", pxe_unload };
