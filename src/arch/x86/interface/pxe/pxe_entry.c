/* Offering the PXE API to a program dust starts (PXE 2.1 chapter 3):
 * the base memory it needs, the PXENV+ and !PXE structures, the entry
 * points and the INT 1Ah installation check, and taking it all down.
 *
 * While the program runs, dust lowers the top of base memory (40:13h)
 * right below its resident block for a struct pxe_area and describes
 * both in the structures: the area as the UNDI and base-code data
 * segment, the block as their code segment.  A program that unloads the
 * stack and frees that memory (as PXELINUX does before booting a kernel)
 * thus frees dust whole; dust first closes its NICs and removes its
 * INT 1Ah and INT 15h hooks, unless a SAN disk still needs it all.
 *
 * The real-mode entry points are the resident block's far-call stubs
 * (PXENV+: BX = opcode, ES:DI -> block; !PXE: opcode, offset, segment on
 * the stack); the 16-bit protected-mode entry is absent (zero), as the
 * spec allows. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bios/bootinfo.h>
#include <bios/pxe_server.h>
#include <bios/realmode.h>
#include <dust/init.h>
#include <dust/int13.h>
#include <dust/netdevice.h>

#define PXE_AREA_KB ((sizeof(struct pxe_area) + 1023) / 1024)

static struct {
	struct pxe_area *area;       /* NULL: not offered */
	unsigned int area_kb;        /* where 40:13h was lowered to */
	unsigned int old_kb;         /* and from */
	int int1a_hooked;
} pxe_rm;

static const volatile uint32_t *const ivt = (const volatile uint32_t *)0;

static void pxe_set_exit(struct bregs *r, unsigned int exit)
{
	r->ax = (uint16_t)exit;
	if (exit)
		r->eflags |= FLAG_CF;
	else
		r->eflags &= ~FLAG_CF;
}

/* PXENV+ entry: BX = opcode, ES:DI -> parameter block. */
static void pxenv_entry(struct bregs *r)
{
	pxe_set_exit(r, pxe_api_call(r->bx, (uint32_t)r->es << 16 | r->di));
}

/* !PXE entry: opcode, block offset, block segment on the caller's stack
 * above its return address. */
static void ppxe_entry(struct bregs *r)
{
	const uint16_t *arg = (const uint16_t *)((uint8_t *)r + BREGS_SIZE + 6);

	pxe_set_exit(r, pxe_api_call(arg[0], (uint32_t)arg[2] << 16 | arg[1]));
}

/* INT 1Ah AX=5650h: "PXE?"  AX=564Eh, ES:BX -> PXENV+, CF clear. */
static void pxe_int1a(struct bregs *r)
{
	uint32_t p;

	if (!pxe_rm.area) {
		hook_chain(HOOK_INT1A, r);
		return;
	}
	p = pxe_segoff(&pxe_rm.area->pxenv);
	r->ax = 0x564e;
	r->es = (uint16_t)(p >> 16);
	r->bx = (uint16_t)p;
	r->eflags &= ~FLAG_CF;
}

/* Fill in PXENV+ and !PXE for the area and (code) the resident block. */
static void pxe_build(struct pxe_area *a)
{
	uint32_t data = (uint32_t)(uintptr_t)a, data_len = PXE_AREA_KB * 1024;
	uint32_t code = resident_base, code_len = bootinfo.res_kb * 1024u;
	struct pxenv_struct *e = &a->pxenv;
	struct ppxe_struct *p = &a->ppxe;
	struct pxe_segdesc *d = &p->stack;
	unsigned int i;

	/* Described memory must be one piece from 40:13h up, or a program
	 * that frees it would free someone else's memory in between. */
	if (data + data_len != code || code_len > 0xffff) {
		code = data;
		code_len = data_len;
	}
	memcpy(e->signature, "PXENV+", 6);
	e->version = 0x0201;
	e->length = PXENV_LEN_21;
	e->rm_entry = hook_entry(HOOK_PXENV);
	e->stack_seg = e->bc_code_seg = e->undi_code_seg = (uint16_t)(code >> 4);
	e->stack_size = e->bc_code_size = e->undi_code_size = (uint16_t)code_len;
	e->bc_data_seg = e->undi_data_seg = (uint16_t)(data >> 4);
	e->bc_data_size = e->undi_data_size = (uint16_t)data_len;
	e->pxe_ptr = pxe_segoff(p);
	e->checksum = (uint8_t)-byte_sum(e, PXENV_LEN_21);

	memcpy(p->signature, "!PXE", 4);
	p->struct_length = PPXE_LEN;
	p->entry_sp = hook_entry(HOOK_PXE);
	p->seg_desc_cnt = 7;
	/* Stack, UNDI data, UNDI code (and its writable alias), base-code
	 * data, base-code code (and alias): the data ones are the area. */
	for (i = 0; i < 7; i++, d++) {
		uint32_t lin = (0x12 >> i) & 1 ? data : code;

		d->seg_addr = (uint16_t)(lin >> 4);
		d->phys_addr = lin;
		d->seg_size = (uint16_t)((0x12 >> i) & 1 ? data_len : code_len);
	}
	p->struct_cksum = (uint8_t)-byte_sum(p, PPXE_LEN);
}

/* The device the program gets: the one DHCP last finished on, else the
 * first open one, else the first. */
static struct net_device *pxe_pick_netdev(void)
{
	struct net_device *nd, *best = NULL;

	for_each_netdev(nd)
		if (!best || nd->dhcp_done > best->dhcp_done ||
		    (!best->dhcp_done && netdev_is_open(nd) &&
		     !netdev_is_open(best)))
			best = nd;
	return best;
}

int pxe_activate(uint32_t below, uint32_t *pxenv, uint32_t *ppxe)
{
	struct net_device *netdev = pxe_pick_netdev();
	unsigned int top = bda_read16(0x13);
	struct pxe_area *a;

	if (!netdev)
		return -ENODEV;
	if (top < PXE_AREA_KB || (top - PXE_AREA_KB) * 1024u < below)
		return -ENOSPC;
	pxe_rm.old_kb = top;
	pxe_rm.area_kb = top - PXE_AREA_KB;
	bda_write16(0x13, (uint16_t)pxe_rm.area_kb);
	a = (struct pxe_area *)(uintptr_t)(pxe_rm.area_kb * 1024u);
	memset(a, 0, sizeof(*a));
	pxe_build(a);
	pxe_api_start(netdev, a);
	pxe_rm.area = a;
	hook_set_handler(HOOK_PXENV, pxenv_entry);
	hook_set_handler(HOOK_PXE, ppxe_entry);
	hook_set_handler(HOOK_INT1A, pxe_int1a);
	if (!pxe_rm.int1a_hooked) {
		hook_interrupt(0x1a, HOOK_INT1A);
		pxe_rm.int1a_hooked = 1;
	}
	*pxenv = pxe_segoff(&a->pxenv);
	*ppxe = pxe_segoff(&a->ppxe);
	return 0;
}

static void pxe_unhook_int1a(void)
{
	if (pxe_rm.int1a_hooked && unhook_interrupt(0x1a, HOOK_INT1A) == 0)
		pxe_rm.int1a_hooked = 0;
}

void pxe_deactivate(void)
{
	if (!pxe_rm.area)
		return;
	pxe_api_stop(1);
	pxe_rm.area = NULL;
	hook_set_handler(HOOK_PXENV, NULL);
	hook_set_handler(HOOK_PXE, NULL);
	pxe_unhook_int1a();
	/* Someone chained over INT 1Ah: our stub stays in the chain (it
	 * passes every call on now), so the resident block must stay. */
	if (pxe_rm.int1a_hooked)
		bootinfo_keep_resident();
	/* Give the area back unless the program freed it or took more. */
	if (!pxe_api_unloaded() && bda_read16(0x13) == pxe_rm.area_kb)
		bda_write16(0x13, (uint16_t)pxe_rm.old_kb);
}

unsigned int pxe_platform_unload(void)
{
	/* A SAN disk lives on through INT 13h; hooks someone chained over
	 * cannot be taken out.  Either way everything stays as it is. */
	if (pxe_platform_keep_nic() || ivt[0x1a] != hook_entry(HOOK_INT1A) ||
	    (hook_oldvec(HOOK_INT15) && ivt[0x15] != hook_entry(HOOK_INT15))) {
		printf("pxe: dust stays (SAN disk or chained hook)\n");
		return PXENV_STATUS_KEEP_ALL;
	}
	pxe_api_stop(0);
	/* As before booting a kernel: NICs closed, INT 15h unhooked. */
	run_shutdown_fns(0);
	pxe_unhook_int1a();
	printf("pxe: stack unloaded, NICs closed\n");
	return PXENV_STATUS_SUCCESS;
}

int pxe_platform_keep_nic(void)
{
	return int13_first_drive() != 0;
}

int pxe_platform_mem_ok(uint32_t start, uint32_t len)
{
	uint32_t end = start + len;

	if (end < start || start < 0x500)
		return 0;
	/* Not over dust (core; area and resident block, and above them the
	 * EBDA, video memory and ROMs). */
	return !(start < bootinfo.core_end && end > bootinfo.core_base) &&
	       !(start < 0x100000 && end > pxe_rm.area_kb * 1024u);
}
