/* Tests of the PXE client's pure checks: the PXENV+ and !PXE structures,
 * status names, and how much base memory an unloaded stack gives back. */
#include <string.h>
#include <bios/pxe_client.h>
#include "unit.h"

static void fix_sum(uint8_t *p, size_t len, uint8_t *sum_byte)
{
	uint8_t s = 0;
	size_t i;

	*sum_byte = 0;
	for (i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	*sum_byte = (uint8_t)-s;
}

static void make_pxenv(struct pxenv_struct *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->signature, "PXENV+", 6);
	s->version = 0x0201;
	s->length = sizeof(*s);
	s->rm_entry = 0x9c480156;
	s->undi_code_seg = 0x9c48;
	s->undi_code_size = 0x1000;
	s->pxe_ptr = 0x9c400000;
	fix_sum((uint8_t *)s, sizeof(*s), &s->checksum);
}

static void make_ppxe(struct ppxe_struct *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->signature, "!PXE", 4);
	s->struct_length = sizeof(*s);
	s->entry_sp = 0x9c480160;
	s->undi_data.seg_addr = 0x9c40;
	s->undi_data.seg_size = 0x80;
	s->undi_code.seg_addr = 0x9c48;
	s->undi_code.seg_size = 0x1000;
	s->bc_code.seg_addr = 0x9d48;
	s->bc_code.seg_size = 0x2000;
	fix_sum((uint8_t *)s, sizeof(*s), &s->struct_cksum);
}

UNIT_TEST(pxe_pxenv_check)
{
	struct pxenv_struct s;

	make_pxenv(&s);
	check(pxenv_check(&s, sizeof(s)) == NULL);
	check_str(pxenv_check(&s, 10), "out of reach");
	s.undi_code_size++;
	check_str(pxenv_check(&s, sizeof(s)), "bad checksum");
	make_pxenv(&s);
	s.signature[0] = 'p';
	check_str(pxenv_check(&s, sizeof(s)), "bad signature");
	make_pxenv(&s);
	s.length = 0x10;
	fix_sum((uint8_t *)&s, 0x10, &s.checksum);
	check_str(pxenv_check(&s, sizeof(s)), "bad length");
	/* A 2.0 structure (no !PXE pointer) is still valid. */
	make_pxenv(&s);
	s.version = 0x0200;
	s.length = PXENV_LEN_20;
	s.checksum = 0;
	fix_sum((uint8_t *)&s, PXENV_LEN_20, &s.checksum);
	check(pxenv_check(&s, sizeof(s)) == NULL);
	make_pxenv(&s);
	s.rm_entry = 0;
	fix_sum((uint8_t *)&s, sizeof(s), &s.checksum);
	check_str(pxenv_check(&s, sizeof(s)), "no entry point");
}

UNIT_TEST(pxe_ppxe_check)
{
	struct ppxe_struct s;

	make_ppxe(&s);
	check(ppxe_check(&s, sizeof(s)) == NULL);
	check_str(ppxe_check(&s, sizeof(s) - 1), "out of reach");
	s.reserved_2 = 1;
	check_str(ppxe_check(&s, sizeof(s)), "bad checksum");
	make_ppxe(&s);
	memcpy(s.signature, "PXE!", 4);
	check_str(ppxe_check(&s, sizeof(s)), "bad signature");
	make_ppxe(&s);
	s.struct_length = 0x20;
	fix_sum((uint8_t *)&s, 0x20, &s.struct_cksum);
	check_str(ppxe_check(&s, sizeof(s)), "bad length");
}

UNIT_TEST(pxe_names)
{
	check_str(pxe_status_name(PXENV_STATUS_UNDI_INVALID_STATE),
		  "UNDI_INVALID_STATE");
	check_str(pxe_status_name(PXENV_STATUS_KEEP_UNDI), "KEEP_UNDI");
	check_str(pxe_status_name(0x99), "?");
	check_str(pxe_opcode_name(PXENV_UNDI_TRANSMIT), "UNDI_TRANSMIT");
	check_str(pxe_opcode_name(PXENV_UNLOAD_STACK), "UNLOAD_STACK");
	check_str(pxe_opcode_name(0x42), "?");
}

UNIT_TEST(pxe_regions)
{
	struct pxenv_struct v;
	struct ppxe_struct p;
	struct pxe_region r[10];

	make_pxenv(&v);
	make_ppxe(&p);
	check_eq(pxe_stack_regions(NULL, &p, r, 10), 3);
	check_eq(r[0].start, 0x9c400);
	check_eq(r[0].end, 0x9c480);
	check_eq(r[2].start, 0x9d480);
	check_eq(r[2].end, 0x9f480);
	check_eq(pxe_stack_regions(&v, &p, r, 10), 4);
	check_eq(pxe_stack_regions(&v, NULL, r, 10), 1);
	check_eq(pxe_stack_regions(&v, &p, r, 2), 2);
}

UNIT_TEST(pxe_reclaim_cases)
{
	/* 40 KiB of stack right above a block that ends at 600 KiB. */
	struct pxe_region r[] = {
		{ 600 * 1024, 610 * 1024 },
		{ 610 * 1024, 630 * 1024 + 512 },  /* ends mid-KiB */
		{ 630 * 1024, 634 * 1024 },
	};
	uint32_t vec[3] = { 0xf000e2c3, 0, 0xc0000100 };
	unsigned int top = 0, hooked = 99;

	check_eq(pxe_reclaim(r, 3, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_OK);
	check_eq(top, 634);
	/* The EBDA comes first. */
	check_eq(pxe_reclaim(r, 3, 600, 620, vec, 3, &top, &hooked),
		 PXE_RECLAIM_OK);
	check_eq(top, 620);
	/* Only what touches the top of free memory counts. */
	check_eq(pxe_reclaim(r + 1, 2, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_NOT_AT_TOP);
	check_eq(pxe_reclaim(r, 1, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_OK);
	check_eq(top, 610);
	/* A vector into the stack keeps it: 9d80:0010 is at 630 KiB + 16. */
	vec[1] = 0x9d800010;
	check_eq(pxe_reclaim(r, 3, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_HOOKED);
	check_eq(hooked, 1);
	/* ...but not one into memory that is not given back. */
	check_eq(pxe_reclaim(r, 1, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_OK);
	/* A region across the boundary is someone else's memory. */
	r[0].start = 590 * 1024;
	check_eq(pxe_reclaim(r, 3, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_OVERLAP);
	/* Nothing at all. */
	check_eq(pxe_reclaim(r, 0, 600, 639, vec, 3, &top, &hooked),
		 PXE_RECLAIM_NOT_AT_TOP);
}
