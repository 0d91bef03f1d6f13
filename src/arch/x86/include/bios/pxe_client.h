/* dust as a client of the PXE stack in the NIC's ROM: finding and checking
 * its entry structures, calling it from protected mode, and reporting its
 * answers.  Used by the UNDI driver (undionly.kpxe) and by dust.pxe, which
 * unloads the stack it was loaded by. */
#ifndef BIOS_PXE_CLIENT_H
#define BIOS_PXE_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <bios/pxe_api.h>

/* The stack found, and how to call it. */
struct pxe_stack {
	uint32_t pxenv;        /* seg:off of a valid PXENV+, or 0 */
	uint32_t ppxe;         /* seg:off of a valid !PXE, or 0 */
	uint32_t entry;        /* seg:off of the entry point in use */
	int via_ppxe;          /* 1: !PXE (stack arguments), 0: PXENV+ */
	uint16_t version;      /* PXENV+ version, 0 if no PXENV+ */
};

/* ---- pure checks (pxe_struct.c, also run by the host unit tests) */

/* NULL if the bytes at p (room bytes readable) hold a valid structure,
 * else why not ("bad signature", "bad checksum", ...). */
const char *pxenv_check(const void *p, size_t room);
const char *ppxe_check(const void *p, size_t room);

/* "UNDI_INVALID_STATE" or "?" (the statuses dust has names for). */
const char *pxe_status_name(unsigned int status);
/* "UNDI_TRANSMIT" or "?" (the services dust calls). */
const char *pxe_opcode_name(unsigned int opcode);

/* A range of linear addresses [start, end). */
struct pxe_region {
	uint32_t start, end;
};

/* The base-memory ranges a stack's structures describe (segments with a
 * nonzero address and size); either pointer may be NULL.  Returns how many
 * were written to out (at most max). */
unsigned int pxe_stack_regions(const struct pxenv_struct *pxenv,
			       const struct ppxe_struct *ppxe,
			       struct pxe_region *out, unsigned int max);

#define PXE_RECLAIM_OK         0
#define PXE_RECLAIM_NOT_AT_TOP 1  /* no region starts where free memory
				     ends: someone else sits in between */
#define PXE_RECLAIM_HOOKED     2  /* a live vector points into it */
#define PXE_RECLAIM_OVERLAP    3  /* a region straddles base_kb */

/* How far the top of base memory can rise once the stack is unloaded.
 * base_kb: where the memory dust may give back ends now (the top of dust's
 * own block); limit_kb: never beyond this (the EBDA, 640 KiB).  The regions
 * contiguous with base_kb are taken, rounded down to whole KiB; if any of
 * the far pointers vectors[0..nvec) (interrupt vectors, chained hooks)
 * points into them, nothing is.  Returns PXE_RECLAIM_*; on OK *top_kb is
 * the new top (> base_kb), on HOOKED *hooked is the offending index. */
int pxe_reclaim(const struct pxe_region *r, unsigned int n,
		unsigned int base_kb, unsigned int limit_kb,
		const uint32_t *vectors, unsigned int nvec,
		unsigned int *top_kb, unsigned int *hooked);

/* ---- calling the stack (pxe_call.c) */

/* Find the stack dust was started by: the !PXE and PXENV+ pointers the
 * ROM passed, PXENV+'s pointer to !PXE, then INT 1Ah AX=5650h.  Prints
 * one line per structure rejected and one if none is usable (prefixed
 * with who); returns 0 or -ENODEV. */
int pxe_find(struct pxe_stack *pxe, const char *who);

/* Call service `opcode` with the parameter block param (len bytes, copied
 * to base memory and back; the status word is set to 0 first).  Returns 0
 * when the stack reports success, -EIO otherwise; the block's status word
 * then says why (PXENV_STATUS_FAILURE if the stack left it at success). */
int pxe_call(const struct pxe_stack *pxe, unsigned int opcode, void *param,
	     size_t len);

/* pxe_call() that prints "who: NAME failed: status 0xNN (STATUS)" on
 * failure. */
int pxe_call_report(const struct pxe_stack *pxe, const char *who,
		    unsigned int opcode, void *param, size_t len);

/* A service whose block is the status word only; reports failures. */
int pxe_call_simple(const struct pxe_stack *pxe, const char *who,
		    unsigned int opcode);

/* Base memory beside the parameter block for what services point at
 * (transmit descriptors, frames): PXE_XFER_SIZE bytes, valid until the
 * next call into real mode by anyone else. */
#define PXE_XFER_SIZE 1792
void *pxe_xfer_buf(void);
/* seg:off of a pointer into pxe_xfer_buf(). */
uint32_t pxe_xfer_segoff(const void *p);

#endif
