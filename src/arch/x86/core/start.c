/* Where the core starts: take over the boot information, set up the heap
 * and the hook dispatcher, run dust, and report how it ended. */
#include <string.h>
#include <stdlib.h>
#include <errno.h>
#include <bios/bootinfo.h>
#include <dust/version.h>
#include <bios/realmode.h>
#include <dust/heap.h>
#include <dust/init.h>
#include <dust/payload.h>

extern struct heap main_heap;

struct boot_info bootinfo;
uint32_t resident_base;
uint16_t resident_seg;

static struct boot_info *live_bootinfo;
static hook_handler_t hook_handlers[RES_NHOOKS];

static uint8_t *res_ptr(unsigned int off)
{
	return (uint8_t *)(uintptr_t)(resident_base + off);
}

static uint16_t res_word(unsigned int off)
{
	return *(uint16_t *)res_ptr(off);
}

/* Called by the resident block for every hook entry. */
static void hook_dispatch(unsigned int id, struct bregs *regs)
{
	id &= ~HOOK_FAR;
	if (id < RES_NHOOKS && hook_handlers[id])
		hook_handlers[id](regs);
	else
		regs->eflags |= FLAG_CF;
}

void hook_set_handler(unsigned int id, hook_handler_t fn)
{
	hook_handlers[id] = fn;
}

uint32_t hook_entry(unsigned int id)
{
	uint16_t table = res_word(RES_HOOKS);

	return (uint32_t)resident_seg << 16 | res_word(table + 2 * id);
}

uint32_t hook_oldvec(unsigned int id)
{
	return *(uint32_t *)res_ptr(RES_OLDVEC + 4 * id);
}

void hook_interrupt(unsigned int vec, unsigned int id)
{
	volatile uint32_t *ivt = (volatile uint32_t *)0;

	*(uint32_t *)res_ptr(RES_OLDVEC + 4 * id) = ivt[vec];
	ivt[vec] = hook_entry(id);
}

int unhook_interrupt(unsigned int vec, unsigned int id)
{
	volatile uint32_t *ivt = (volatile uint32_t *)0;

	if (ivt[vec] != hook_entry(id))
		return -EBUSY;
	ivt[vec] = hook_oldvec(id);
	return 0;
}

typedef void (*real_call_fn)(struct rm_call *c);

static void do_real_call(struct rm_call *c)
{
	real_call_fn fn = (real_call_fn)(uintptr_t)(resident_base +
						     res_word(RES_REAL_CALL));

	fn(c);
}

void real_int(int intno, struct bregs *regs)
{
	struct rm_call c;

	c.regs = *regs;
	c.intno = (int16_t)intno;
	c.nstack = 0;
	do_real_call(&c);
	*regs = c.regs;
}

void real_far_call(uint16_t seg, uint16_t off, struct bregs *regs,
		   const uint16_t *stack, unsigned int n)
{
	struct rm_call c;

	if (n > RMC_MAXSTACK)
		n = RMC_MAXSTACK;
	c.regs = *regs;
	c.ip = off;
	c.cs = seg;
	c.intno = -1;
	c.nstack = (uint16_t)n;
	memcpy(c.stack, stack, n * sizeof(*stack));
	do_real_call(&c);
	*regs = c.regs;
}

void hook_chain(unsigned int id, struct bregs *regs)
{
	uint32_t old = hook_oldvec(id);
	uint16_t flags = (uint16_t)regs->eflags;

	/* An interrupt handler expects FLAGS below the return address. */
	real_far_call(old >> 16, old & 0xffff, regs, &flags, 1);
}

void *rm_scratch(void)
{
	return res_ptr(res_word(RES_SCRATCH));
}

uint32_t rm_scratch_lin(void)
{
	return resident_base + res_word(RES_SCRATCH);
}

/* Keep the resident block (and the core's memory) after dust returns,
 * because something booted still calls into it. */
void bootinfo_keep_resident(void)
{
	live_bootinfo->flags |= BIF_KEEP;
}

/* Leave through INT 18h instead of returning to the caller (used when the
 * PXE stack we were loaded by has been unloaded). */
void bootinfo_set_exit(unsigned int how)
{
	live_bootinfo->exit = (uint16_t)how;
	bootinfo.exit = (uint16_t)how;
}

/* Raise the top of base memory restored on exit (the memory of an unloaded
 * PXE stack right above the resident block). */
void bootinfo_set_basemem(unsigned int kb)
{
	live_bootinfo->basemem_kb = (uint16_t)kb;
	bootinfo.basemem_kb = (uint16_t)kb;
}

int core_entry(struct boot_info *bi);

/* Called by the resident block on the core's own stack (see core.ld). */
__attribute__((section(".text.entry")))
int core_entry(struct boot_info *bi)
{
	int rc;

	bootinfo = *bi;
	live_bootinfo = bi;
	resident_base = bi->resident;
	resident_seg = (uint16_t)(bi->resident >> 4);
	/* Our own payload header, for the chainload loop guard. */
	if (bi->payload_len >= sizeof(payload_self))
		memcpy(&payload_self, (void *)(uintptr_t)bi->payload,
		       sizeof(payload_self));
	heap_init(&main_heap);
	heap_add(&main_heap, (void *)(uintptr_t)bi->heap,
		 bi->heap_end - bi->heap);
	*(uint32_t *)res_ptr(RES_DISPATCH) = (uint32_t)(uintptr_t)hook_dispatch;
	rc = dust_main();
	return rc;
}

const char *image_type_name(void)
{
	switch (bootinfo.type) {
	case IMAGE_ROM: return "PCI option ROM";
	case IMAGE_PXE: return "PXE program (native drivers)";
	case IMAGE_KPXE: return "PXE program (UNDI, PXE stack kept)";
	case IMAGE_LKRN: return "Linux kernel format";
	case IMAGE_ISO: return "CD (El Torito)";
	case IMAGE_USB: return "disk image";
	default: return "unknown";
	}
}
