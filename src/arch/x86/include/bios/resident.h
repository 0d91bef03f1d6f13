/* Layout of the resident real-mode block shared by nasm and C.
 *
 * This file holds #defines only: the build turns it into a nasm include
 * (resident.inc), so both sides agree on every offset.
 *
 * The block is copied to the top of base memory (40:13h is lowered) and
 * holds the mode-switch code, interrupt hook stubs, a register bounce area,
 * the boot information the prefix collected, and stacks.
 */
#ifndef BIOS_RESIDENT_H
#define BIOS_RESIDENT_H

#define RES_MAGIC_VALUE   0x53455244 /* "DRES" */

/* Header fields (offsets into the block). */
#define RES_MAGIC         0x00 /* dd */
#define RES_SIZE          0x04 /* dw bytes of base memory the block needs */
#define RES_RUN           0x06 /* dw rm entry: install and run (jmp, not call) */
#define RES_PM_CALL       0x08 /* dw rm far-call: EAX=fn EDX=arg ECX=stack */
#define RES_REAL_CALL     0x0a /* dw 32-bit cdecl real_call(struct rm_call *) */
#define RES_HOOKS         0x0c /* dw table of hook stub offsets, by hook id */
#define RES_BOOTINFO      0x0e /* dw struct boot_info */
#define RES_SCRATCH       0x10 /* dw bounce buffer for BIOS calls */
#define RES_FREE          0x12 /* dw area for tables (iBFT, PXE structures) */
#define RES_DISPATCH      0x14 /* dd linear address of the C hook dispatcher */
#define RES_PM_ESP        0x18 /* dd protected-mode stack pointer in use */
#define RES_BASE          0x1c /* dd linear address of the block */
#define RES_SEG           0x20 /* dw real-mode segment of the block */
#define RES_RM_SP         0x22 /* dw real-mode stack pointer in use */
#define RES_HOOK_STUB_END 0x24 /* dw end of hook stub code (for ownership) */
#define RES_PRINT         0x26 /* dw far-callable: print DS:SI (works in place) */
#define RES_OLDVEC        0x28 /* dd[RES_NHOOKS] chained vectors by hook id */
#define RES_HOOK_ARG      0x48 /* dw[RES_NHOOKS] per-hook data for the stubs */
#define RES_HEADER_END    0x58

#define RES_NHOOKS        8
#define RES_SCRATCH_SIZE  2048
#define RES_FREE_SIZE     2048

/* Hook ids (index into RES_HOOKS / RES_OLDVEC).  Ids with HOOK_FAR set
 * are far-call entry points (retf, flags live); others are interrupts. */
#define HOOK_INT13        0
#define HOOK_INT15        1
#define HOOK_PXENV        2
#define HOOK_PXE          3
#define HOOK_INT1A        4
#define HOOK_FAR          0x8000

/* struct bregs (bios/regs.h): pushad layout then segments and flags. */
#define BREGS_EDI   0
#define BREGS_ESI   4
#define BREGS_EBP   8
#define BREGS_EBX  16
#define BREGS_EDX  20
#define BREGS_ECX  24
#define BREGS_EAX  28
#define BREGS_DS   32
#define BREGS_ES   34
#define BREGS_FS   36
#define BREGS_GS   38
#define BREGS_FLAGS 40
#define BREGS_SIZE 44

/* struct rm_call */
#define RMC_REGS    0
#define RMC_IP     44
#define RMC_CS     46
#define RMC_INTNO  48
#define RMC_NSTACK 50
#define RMC_STACK  52
#define RMC_MAXSTACK 8
#define RMC_SIZE   68

/* struct boot_info (bios/bootinfo.h) */
#define BI_MAGIC        0x00 /* dd */
#define BI_TYPE         0x04 /* dw image type */
#define BI_EXIT         0x06 /* dw how to leave: EXIT_RETF / EXIT_INT18 */
#define BI_CALLER_SP    0x08 /* dw caller's SS:SP at entry */
#define BI_CALLER_SS    0x0a /* dw */
#define BI_PAYLOAD      0x0c /* dd linear address of payload header */
#define BI_PAYLOAD_LEN  0x10 /* dd bytes available at BI_PAYLOAD */
#define BI_STUB         0x14 /* dd linear address of install stub */
#define BI_BASEMEM_KB   0x18 /* dw 40:13h before we lowered it: the top
				   restored on exit (raised when the PXE
				   stack above the block is unloaded) */
#define BI_RES_KB       0x1a /* dw KiB taken for the resident block */
#define BI_PCI_BDF      0x1c /* dw PCI bus:dev.fn (ROM) or 0xffff */
#define BI_DRIVE        0x1e /* db BIOS drive booted from (ISO/USB) */
#define BI_FLAGS        0x1f /* db BIF_* */
#define BI_PXENV        0x20 /* dd seg:off of PXENV+ (PXE) */
#define BI_PPXE         0x24 /* dd seg:off of !PXE (PXE) */
#define BI_CMDLINE      0x28 /* dd linear address of command line (lkrn) */
#define BI_INITRD       0x2c /* dd linear address of initrd (lkrn) */
#define BI_INITRD_LEN   0x30 /* dd */
#define BI_CORE_BASE    0x34 /* dd set by stub: where the core lives */
#define BI_CORE_END     0x38 /* dd end of core incl. bss, heap and stack */
#define BI_ENTRY        0x3c /* dd core entry point */
#define BI_STACK        0x40 /* dd core stack top */
#define BI_HEAP         0x44 /* dd heap start */
#define BI_HEAP_END     0x48 /* dd heap end */
#define BI_RESIDENT     0x4c /* dd linear address of resident block */
#define BI_ROM_SEG      0x50 /* dw option ROM segment (ROM) */
#define BI_EXIT_CODE    0x52 /* dw what the core returned */
#define BI_TSC0         0x54 /* dq TSC when the prefix started */
#define BI_ERRMSG       0x60 /* char[96] message from the stub on failure */
#define BI_SIZE         0xc0

#define BOOTINFO_MAGIC  0x4f4f4244 /* "DBOO" */

#define IMAGE_ROM   1
#define IMAGE_PXE   2
#define IMAGE_KPXE  3
#define IMAGE_LKRN  4
#define IMAGE_ISO   5
#define IMAGE_USB   6

/* Every prefix saves the caller's state with SAVE_CALLER (prefix.inc):
 * PUSHFD, DS, ES, FS, GS, PUSHAD; caller_ss:caller_sp point at that frame. */
#define EXIT_RETF   1 /* restore the frame and far return (BEV, PXE ROM);
			 AX = the core's exit code */
#define EXIT_INT18  2 /* INT 18h: ask the BIOS for the next boot device */

#define BIF_A20_FAILED  0x01
#define BIF_KEEP        0x02 /* resident block must stay (hooks live) */

/* Segment selectors of the GDT in the resident block. */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20

#endif
