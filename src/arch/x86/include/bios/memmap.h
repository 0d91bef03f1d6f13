/* The BIOS memory map, and the view of it dust gives the system it boots. */
#ifndef BIOS_MEMMAP_H
#define BIOS_MEMMAP_H

#include <stdint.h>

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#define MEMMAP_MAX 64

/* ACPI 3.0 address range descriptor (INT 15h E820). */
struct e820_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t attr;
} __packed;

struct memmap {
	struct e820_entry e[MEMMAP_MAX];
	unsigned int count;
};

/* The map the BIOS reported at start-up. */
extern struct memmap bios_memmap;
/* The map dust reports through its INT 15h hook: like the BIOS map, with
 * the ranges dust must keep (see memmap_hide) marked reserved. */
extern struct memmap os_memmap;

/* Keep [start, end) from whatever is booted (it stays dust's). */
int memmap_hide(uint64_t start, uint64_t end);
/* Give back a range hidden earlier. */
void memmap_unhide(uint64_t start, uint64_t end);
/* Is [start, end) inside a range dust hides? */
int memmap_is_hidden(uint64_t start, uint64_t end);

/* Pure map arithmetic (unit-tested on the host): write into `out` the map
 * `in` with each of the `n` ranges in `hide` turned into E820_RESERVED. */
void memmap_carve(const struct memmap *in, const uint64_t (*hide)[2],
		  unsigned int n, struct memmap *out);
/* Usable RAM contiguous from `from` upward in `map`, in bytes. */
uint64_t memmap_contiguous(const struct memmap *map, uint64_t from);

const char *e820_type_name(uint32_t type);

#endif
