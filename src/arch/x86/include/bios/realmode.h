/* Calling real-mode code from C, and reaching real-mode memory. */
#ifndef BIOS_REALMODE_H
#define BIOS_REALMODE_H

#include <stdint.h>
#include <bios/regs.h>

/* Linear address of the resident block and its segment. */
extern uint32_t resident_base;
extern uint16_t resident_seg;

/* Run `int intno` in real mode with regs in and out.  Interrupts are on
 * during the call. */
void real_int(int intno, struct bregs *regs);
/* Far-call seg:off in real mode, pushing `n` words from `stack` first. */
void real_far_call(uint16_t seg, uint16_t off, struct bregs *regs,
		   const uint16_t *stack, unsigned int n);

/* Pointer to the real-mode address seg:off (base memory is identity-mapped). */
static inline void *real_ptr(uint16_t seg, uint16_t off)
{
	return (void *)(uintptr_t)(((uint32_t)seg << 4) + off);
}
/* A seg:off far pointer (seg << 16 | off) as a C pointer. */
static inline void *far_ptr(uint32_t segoff)
{
	return real_ptr(segoff >> 16, segoff & 0xffff);
}
/* Split a linear address below 1 MiB into seg:off (offset < 16). */
static inline uint16_t lin_seg(uint32_t lin) { return lin >> 4; }
static inline uint16_t lin_off(uint32_t lin) { return lin & 0xf; }

/* The bounce buffer in the resident block, for BIOS calls that take a
 * buffer: RES_SCRATCH_SIZE bytes, reachable from real mode. */
void *rm_scratch(void);
uint32_t rm_scratch_lin(void);

/* Read/write the BIOS data area (segment 40h). */
#define BDA ((volatile uint8_t *)0x400)
static inline uint16_t bda_read16(unsigned int off)
{
	return *(volatile uint16_t *)(BDA + off);
}
static inline void bda_write16(unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(BDA + off) = v;
}

/* Point interrupt vector `vec` at the resident hook `id`, remembering the
 * old vector for chaining.  unhook_interrupt() restores it if still ours
 * (returns -EBUSY if someone hooked over us). */
void hook_interrupt(unsigned int vec, unsigned int id);
int unhook_interrupt(unsigned int vec, unsigned int id);
/* The vector that was in place before hook_interrupt(). */
uint32_t hook_oldvec(unsigned int id);
/* seg:off of the real-mode entry stub of hook `id`. */
uint32_t hook_entry(unsigned int id);

/* Handlers for hooks, called from real mode with the caller's registers.
 * For far-call hooks (HOOK_FAR), the caller's stack arguments start at
 * (uint8_t *)regs + BREGS_SIZE + 6. */
typedef void (*hook_handler_t)(struct bregs *regs);
void hook_set_handler(unsigned int id, hook_handler_t fn);

/* Chain a hooked interrupt to the vector that was there before us. */
void hook_chain(unsigned int id, struct bregs *regs);

#endif
