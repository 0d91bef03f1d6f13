/* What the prefix and install stub tell the core (filled in real mode). */
#ifndef BIOS_BOOTINFO_H
#define BIOS_BOOTINFO_H

#include <stdint.h>
#include <bios/resident.h>

struct boot_info {
	uint32_t magic;
	uint16_t type;          /* IMAGE_* */
	uint16_t exit;          /* EXIT_* */
	uint16_t caller_sp, caller_ss;
	uint32_t payload;
	uint32_t payload_len;
	uint32_t stub;
	uint16_t basemem_kb;
	uint16_t res_kb;
	uint16_t pci_bdf;
	uint8_t drive;
	uint8_t flags;          /* BIF_* */
	uint32_t pxenv;         /* seg << 16 | off */
	uint32_t ppxe;
	uint32_t cmdline;
	uint32_t initrd;
	uint32_t initrd_len;
	uint32_t core_base;
	uint32_t core_end;
	uint32_t entry;
	uint32_t stack;
	uint32_t heap;
	uint32_t heap_end;
	uint32_t resident;
	uint16_t rom_seg;
	uint16_t exit_code;
	uint64_t tsc0;
	uint8_t pad[4];
	char errmsg[96];
	uint8_t pad2[BI_SIZE - BI_ERRMSG - 96];
} __packed;

BUILD_ASSERT(offsetof(struct boot_info, payload) == BI_PAYLOAD);
BUILD_ASSERT(offsetof(struct boot_info, basemem_kb) == BI_BASEMEM_KB);
BUILD_ASSERT(offsetof(struct boot_info, drive) == BI_DRIVE);
BUILD_ASSERT(offsetof(struct boot_info, pxenv) == BI_PXENV);
BUILD_ASSERT(offsetof(struct boot_info, core_base) == BI_CORE_BASE);
BUILD_ASSERT(offsetof(struct boot_info, resident) == BI_RESIDENT);
BUILD_ASSERT(offsetof(struct boot_info, rom_seg) == BI_ROM_SEG);
BUILD_ASSERT(offsetof(struct boot_info, exit_code) == BI_EXIT_CODE);
BUILD_ASSERT(offsetof(struct boot_info, tsc0) == BI_TSC0);
BUILD_ASSERT(offsetof(struct boot_info, errmsg) == BI_ERRMSG);
BUILD_ASSERT(sizeof(struct boot_info) == BI_SIZE);

/* The core's copy, taken at start-up. */
extern struct boot_info bootinfo;

/* Keep the resident block and the core's memory after dust returns. */
void bootinfo_keep_resident(void);
/* Change how dust leaves (EXIT_RETF or EXIT_INT18). */
void bootinfo_set_exit(unsigned int how);
/* Change the top of base memory given back on exit (basemem_kb). */
void bootinfo_set_basemem(unsigned int kb);

#endif
