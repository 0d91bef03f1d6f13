/* Register sets exchanged between C and real-mode code (transitions/resident.asm). */
#ifndef BIOS_REGS_H
#define BIOS_REGS_H

#include <stdint.h>
#include <bios/resident.h>

#define REG32(n) union { uint32_t e##n##x; uint16_t n##x; \
		struct { uint8_t n##l, n##h; }; }

/* The layout of a PUSHAD followed by DS ES FS GS and EFLAGS. */
struct bregs {
	union { uint32_t edi; uint16_t di; };
	union { uint32_t esi; uint16_t si; };
	union { uint32_t ebp; uint16_t bp; };
	uint32_t esp_unused;
	REG32(b);
	REG32(d);
	REG32(c);
	REG32(a);
	uint16_t ds, es, fs, gs;
	uint32_t eflags;
} __packed;

#undef REG32

#define FLAG_CF 0x0001
#define FLAG_ZF 0x0040
#define FLAG_IF 0x0200

/* One call from protected mode into real mode. */
struct rm_call {
	struct bregs regs;
	uint16_t ip, cs;        /* far call target when intno < 0 */
	int16_t intno;          /* INT number (through the vector table) */
	uint16_t nstack;        /* words from stack[] pushed before the call */
	uint16_t stack[RMC_MAXSTACK];
} __packed;

BUILD_ASSERT(sizeof(struct bregs) == BREGS_SIZE);
BUILD_ASSERT(offsetof(struct bregs, eax) == BREGS_EAX);
BUILD_ASSERT(offsetof(struct bregs, ds) == BREGS_DS);
BUILD_ASSERT(offsetof(struct bregs, eflags) == BREGS_FLAGS);
BUILD_ASSERT(offsetof(struct rm_call, intno) == RMC_INTNO);
BUILD_ASSERT(offsetof(struct rm_call, stack) == RMC_STACK);
BUILD_ASSERT(sizeof(struct rm_call) == RMC_SIZE);

#endif
