/* memmap: the BIOS memory map as the booted system will see it. */
#include <stdio.h>
#include <dust/command.h>
#include <bios/memmap.h>
#include <bios/bootinfo.h>
#include <bios/realmode.h>

static void print_range(uint64_t base, uint64_t len, const char *type,
			const char *note)
{
	printf("  %016llx-%016llx %10llu KiB  %s%s\n",
	       (unsigned long long)base, (unsigned long long)(base + len - 1),
	       (unsigned long long)(len >> 10), type, note);
}

static int memmap_exec(int argc, char **argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	printf("Memory map (INT 15h E820, as a booted system sees it):\n");
	for (i = 0; i < os_memmap.count; i++) {
		const struct e820_entry *e = &os_memmap.e[i];
		int ours = e->type == E820_RESERVED &&
			   memmap_is_hidden(e->base, e->base + e->len);

		print_range(e->base, e->len, e820_type_name(e->type),
			    ours ? " (dust)" : "");
	}
	printf("dust: core %#x-%#x, resident block %04x:0000 (%u KiB), "
	       "base memory %u KiB\n", bootinfo.core_base,
	       bootinfo.core_end - 1, resident_seg, bootinfo.res_kb,
	       bda_read16(0x13));
	return 0;
}

COMMAND(memmap_cmd) = {
	.name = "memmap",
	.usage = " show the memory map (E820) and what dust keeps",
	.exec = memmap_exec,
};
