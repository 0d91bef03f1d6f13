/* Tests of the memory-map arithmetic behind the INT 15h hook. */
#include <string.h>
#include <bios/memmap.h>
#include "unit.h"

static void add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type)
{
	m->e[m->count].base = base;
	m->e[m->count].len = len;
	m->e[m->count].type = type;
	m->e[m->count].attr = 1;
	m->count++;
}

/* A map like QEMU's with 128 MiB. */
static void qemu_map(struct memmap *m)
{
	memset(m, 0, sizeof(*m));
	add(m, 0, 0x9fc00, E820_RAM);
	add(m, 0x9fc00, 0x400, E820_RESERVED);
	add(m, 0xf0000, 0x10000, E820_RESERVED);
	add(m, 0x100000, 0x7ee0000, E820_RAM);
	add(m, 0x7fe0000, 0x20000, E820_RESERVED);
	add(m, 0xfffc0000, 0x40000, E820_RESERVED);
}

UNIT_TEST(memmap_carve_top)
{
	struct memmap in, out;
	const uint64_t hide[2][2] = {
		{ 0x7e00000, 0x7fe0000 },   /* dust's core at the top */
		{ 0x9d000, 0x9fc00 },       /* resident block */
	};

	qemu_map(&in);
	memmap_carve(&in, hide, 2, &out);
	/* Each hidden range is an entry of its own, next to the BIOS's. */
	check_eq(out.count, 8);
	check_eq(out.e[0].base, 0);
	check_eq(out.e[0].len, 0x9d000);
	check_eq(out.e[1].type, E820_RESERVED);
	check_eq(out.e[1].base, 0x9d000);
	check_eq(out.e[1].len, 0x2c00);
	check_eq(out.e[2].base, 0x9fc00);
	check_eq(out.e[4].base, 0x100000);
	check_eq(out.e[4].len, 0x7e00000 - 0x100000);
	check_eq(out.e[4].type, E820_RAM);
	check_eq(out.e[5].base, 0x7e00000);
	check_eq(out.e[5].len, 0x1e0000);
	check_eq(out.e[5].type, E820_RESERVED);
	check_eq(out.e[6].base, 0x7fe0000);
	check_eq(memmap_contiguous(&out, 0x100000), 0x7d00000);
	check_eq(memmap_contiguous(&in, 0x100000), 0x7ee0000);
}

UNIT_TEST(memmap_carve_middle_and_edges)
{
	struct memmap in, out;
	const uint64_t hide[3][2] = {
		{ 0x200000, 0x300000 },     /* middle of a RAM entry */
		{ 0x100000, 0x101000 },     /* its start */
		{ 0xf8000, 0x108000 },      /* overlaps reserved and RAM */
	};

	memset(&in, 0, sizeof(in));
	add(&in, 0x100000, 0x400000, E820_RAM);
	memmap_carve(&in, hide, 2, &out);
	check_eq(out.count, 4);
	check_eq(out.e[0].type, E820_RESERVED);
	check_eq(out.e[0].len, 0x1000);
	check_eq(out.e[1].base, 0x101000);
	check_eq(out.e[2].base, 0x200000);
	check_eq(out.e[2].type, E820_RESERVED);
	check_eq(out.e[3].base, 0x300000);
	check_eq(out.e[3].len, 0x200000);

	qemu_map(&in);
	memmap_carve(&in, hide + 2, 1, &out);
	check_eq(out.e[2].base, 0xf0000);
	check_eq(out.e[3].base, 0x100000);
	check_eq(out.e[3].len, 0x8000);
	check_eq(out.e[3].type, E820_RESERVED);
	check_eq(out.e[4].base, 0x108000);
	check_eq(out.e[4].type, E820_RAM);
	check_eq(memmap_contiguous(&out, 0x100000), 0);

	/* Nothing hidden: the map comes through unchanged. */
	memmap_carve(&in, NULL, 0, &out);
	check_eq(out.count, in.count);
	check_mem(out.e, in.e, sizeof(in.e[0]) * in.count);
}
