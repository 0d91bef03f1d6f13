/* Calling the PXE stack in the NIC's ROM from protected mode.
 *
 * Parameter blocks and everything they point at must be in base memory:
 * they are built in the resident block's bounce buffer, the block first,
 * then the transfer area (pxe_xfer_buf) the UNDI driver fills with
 * transmit descriptors and frames. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bios/bootinfo.h>
#include <bios/pxe_client.h>
#include <bios/realmode.h>

#define PXE_PARAM_MAX 160
#define PXE_XFER_OFF  PXE_PARAM_MAX

BUILD_ASSERT(PXE_XFER_OFF + PXE_XFER_SIZE <= RES_SCRATCH_SIZE);

/* Linear address seg:off points at and how many bytes lie before 1 MiB. */
static size_t room_below_1m(uint32_t segoff)
{
	uint32_t lin = ((segoff >> 16) << 4) + (segoff & 0xffff);

	return lin >= 0x100000 ? 0 : 0x100000 - lin;
}

/* Check the candidate at segoff; print why it is rejected.  Returns 1 if
 * it is valid. */
static int take(uint32_t segoff, int is_ppxe, const char *who,
		const char *from)
{
	const char *why;

	if (!segoff)
		return 0;
	if (is_ppxe)
		why = ppxe_check(far_ptr(segoff), room_below_1m(segoff));
	else
		why = pxenv_check(far_ptr(segoff), room_below_1m(segoff));
	if (why) {
		printf("%s: %s at %04x:%04x (%s) rejected: %s\n", who,
		       is_ppxe ? "!PXE" : "PXENV+", segoff >> 16,
		       segoff & 0xffff, from, why);
		return 0;
	}
	return 1;
}

/* INT 1Ah AX=5650h: the PXE installation check (PXE 2.1 "Installation
 * check"); ES:BX -> PXENV+ when AX comes back as 564Eh with CF clear. */
static uint32_t pxe_int1a(void)
{
	struct bregs r;

	memset(&r, 0, sizeof(r));
	r.eax = 0x5650;
	r.eflags = FLAG_IF;
	real_int(0x1a, &r);
	if ((r.eflags & FLAG_CF) || r.ax != 0x564e)
		return 0;
	return (uint32_t)r.es << 16 | r.bx;
}

int pxe_find(struct pxe_stack *pxe, const char *who)
{
	uint32_t p;

	memset(pxe, 0, sizeof(*pxe));
	if (take(bootinfo.pxenv, 0, who, "passed in ES:BX"))
		pxe->pxenv = bootinfo.pxenv;
	if (take(bootinfo.ppxe, 1, who, "passed on the stack"))
		pxe->ppxe = bootinfo.ppxe;
	if (!pxe->pxenv && !pxe->ppxe) {
		p = pxe_int1a();
		if (take(p, 0, who, "from INT 1Ah"))
			pxe->pxenv = p;
	}
	if (pxe->pxenv) {
		const struct pxenv_struct *s = far_ptr(pxe->pxenv);

		pxe->version = s->version;
		/* From 2.1 on PXENV+ points at !PXE. */
		if (!pxe->ppxe && s->version >= 0x0201 &&
		    s->length >= PXENV_LEN_21 &&
		    take(s->pxe_ptr, 1, who, "named by PXENV+"))
			pxe->ppxe = s->pxe_ptr;
	}
	if (pxe->ppxe) {
		pxe->via_ppxe = 1;
		pxe->entry = ((const struct ppxe_struct *)far_ptr(pxe->ppxe))->entry_sp;
	} else if (pxe->pxenv) {
		pxe->entry = ((const struct pxenv_struct *)far_ptr(pxe->pxenv))->rm_entry;
	} else {
		printf("%s: no usable PXE stack: neither a valid !PXE nor a "
		       "valid PXENV+ structure\n", who);
		return -ENODEV;
	}
	return 0;
}

static uint8_t *scratch_at(unsigned int off)
{
	return (uint8_t *)rm_scratch() + off;
}

void *pxe_xfer_buf(void)
{
	return scratch_at(PXE_XFER_OFF);
}

uint32_t pxe_xfer_segoff(const void *p)
{
	uint32_t lin = (uint32_t)(uintptr_t)p;

	return (uint32_t)lin_seg(lin) << 16 | lin_off(lin);
}

int pxe_call(const struct pxe_stack *pxe, unsigned int opcode, void *param,
	     size_t len)
{
	uint8_t *blk = scratch_at(0);
	uint32_t lin = rm_scratch_lin();
	uint16_t seg = lin_seg(lin), off = lin_off(lin);
	struct bregs r;
	uint16_t *status = param;
	int failed;

	if (len < sizeof(*status) || len > PXE_PARAM_MAX) {
		*status = PXENV_STATUS_FAILURE;
		return -EINVAL;
	}
	*status = PXENV_STATUS_SUCCESS;
	memcpy(blk, param, len);
	memset(&r, 0, sizeof(r));
	r.eflags = FLAG_IF;
	if (pxe->via_ppxe) {
		/* Pushed last = lowest address: opcode, offset, segment. */
		uint16_t args[3] = { (uint16_t)opcode, off, seg };

		real_far_call(pxe->entry >> 16, pxe->entry & 0xffff, &r, args,
			      3);
		failed = r.ax != PXENV_EXIT_SUCCESS;
	} else {
		r.ebx = opcode;
		r.es = seg;
		r.edi = off;
		real_far_call(pxe->entry >> 16, pxe->entry & 0xffff, &r, NULL,
			      0);
		failed = r.ax != PXENV_EXIT_SUCCESS || (r.eflags & FLAG_CF);
	}
	memcpy(param, blk, len);
	if (*status != PXENV_STATUS_SUCCESS)
		failed = 1;
	else if (failed)
		*status = PXENV_STATUS_FAILURE;
	return failed ? -EIO : 0;
}

int pxe_call_report(const struct pxe_stack *pxe, const char *who,
		    unsigned int opcode, void *param, size_t len)
{
	int rc = pxe_call(pxe, opcode, param, len);
	unsigned int status = *(uint16_t *)param;

	if (rc)
		printf("%s: %s failed: status %#04x (%s)\n", who,
		       pxe_opcode_name(opcode), status,
		       pxe_status_name(status));
	return rc;
}

int pxe_call_simple(const struct pxe_stack *pxe, const char *who,
		    unsigned int opcode)
{
	struct pxenv_status_only p;

	return pxe_call_report(pxe, who, opcode, &p, sizeof(p));
}
