/* mkpayload: turn the linked core (ELF32, linked at 0 with --emit-relocs)
 * into the payload the install stub expects.
 *
 *   mkpayload split [--heap BYTES] [--heap-min BYTES] CORE.elf RAW HDR
 *       RAW = loadable bytes + relocation list; HDR = header (no zlen/crc)
 *   mkpayload join HDR RAW.z OUT
 *       OUT = header (with zlen and crc filled in) + compressed bytes
 *   mkpayload check-pic STUB.elf
 *       fail if the install stub has absolute relocations or writable data
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/include/dust/payload.h"

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mkpayload: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		die("cannot open %s", path);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory reading %s", path);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

static void spill(const char *path, const void *a, size_t alen,
		  const void *b, size_t blen)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(a, 1, alen, f) != alen ||
	    (blen && fwrite(b, 1, blen, f) != blen) || fclose(f))
		die("cannot write %s", path);
}

static uint32_t crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0xedb88320 : 0);
	}
	return ~crc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int split(int argc, char **argv)
{
	uint32_t heap = 4 << 20, heap_min = 256 << 10;
	const char *in, *rawp, *hdrp;
	uint8_t *elf, *img;
	size_t elen;
	Elf32_Ehdr *eh;
	Elf32_Shdr *sh;
	Elf32_Sym *syms = NULL;
	const char *strtab = NULL;
	size_t nsyms = 0, i, j;
	uint32_t image_len = 0, mem_len = 0, stack_top = 0, low = UINT32_MAX;
	uint32_t *relocs = NULL, nrel = 0, cap = 0;
	uint8_t *out;
	size_t olen;
	struct payload_hdr h;

	while (argc > 1 && argv[1][0] == '-') {
		if (argc > 2 && !strcmp(argv[1], "--heap"))
			heap = strtoul(argv[2], NULL, 0);
		else if (argc > 2 && !strcmp(argv[1], "--heap-min"))
			heap_min = strtoul(argv[2], NULL, 0);
		else
			die("unknown option %s", argv[1]);
		argc -= 2;
		argv += 2;
	}
	if (argc != 4)
		die("usage: %s", "split [--heap N] [--heap-min N] CORE.elf RAW HDR");
	in = argv[1];
	rawp = argv[2];
	hdrp = argv[3];

	elf = slurp(in, &elen);
	eh = (Elf32_Ehdr *)elf;
	if (elen < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > elen)
		die("%s is not a 32-bit x86 ELF file", in);
	sh = (Elf32_Shdr *)(elf + eh->e_shoff);

	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_SYMTAB) {
			syms = (Elf32_Sym *)(elf + sh[i].sh_offset);
			nsyms = sh[i].sh_size / sizeof(*syms);
			strtab = (const char *)elf + sh[sh[i].sh_link].sh_offset;
		}
		if (!(sh[i].sh_flags & SHF_ALLOC) || !sh[i].sh_size)
			continue;
		if (sh[i].sh_addr < low)
			low = sh[i].sh_addr;
		if (sh[i].sh_addr + sh[i].sh_size > mem_len)
			mem_len = sh[i].sh_addr + sh[i].sh_size;
		if (sh[i].sh_type != SHT_NOBITS &&
		    sh[i].sh_addr + sh[i].sh_size > image_len)
			image_len = sh[i].sh_addr + sh[i].sh_size;
	}
	if (low != 0)
		die("%s is not linked at address 0", in);
	if (!syms)
		die("%s has no symbol table", in);
	for (i = 0; i < nsyms; i++)
		if (!strcmp(strtab + syms[i].st_name, "_stack_top"))
			stack_top = syms[i].st_value;
	if (!stack_top)
		die("%s defines no _stack_top", in);

	img = calloc(1, image_len ? image_len : 1);
	for (i = 0; i < eh->e_shnum; i++)
		if ((sh[i].sh_flags & SHF_ALLOC) && sh[i].sh_type != SHT_NOBITS)
			memcpy(img + sh[i].sh_addr, elf + sh[i].sh_offset,
			       sh[i].sh_size);

	/* Every absolute 32-bit reference to a section-relative symbol moves
	 * with the core; PC-relative ones do not. */
	for (i = 0; i < eh->e_shnum; i++) {
		Elf32_Rel *r;
		size_t n;

		if (sh[i].sh_type == SHT_RELA)
			die("%s: RELA relocations are not expected", in);
		if (sh[i].sh_type != SHT_REL ||
		    !(sh[sh[i].sh_info].sh_flags & SHF_ALLOC))
			continue;
		r = (Elf32_Rel *)(elf + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*r);
		for (j = 0; j < n; j++) {
			unsigned int type = ELF32_R_TYPE(r[j].r_info);
			Elf32_Sym *s = &syms[ELF32_R_SYM(r[j].r_info)];
			int absolute = s->st_shndx == SHN_ABS ||
				       (s->st_shndx == SHN_UNDEF &&
					ELF32_R_SYM(r[j].r_info));

			if (type == R_386_NONE)
				continue;
			if (type == R_386_PC32 || type == R_386_PLT32) {
				if (absolute && s->st_value)
					die("%s: PC-relative reference to an absolute address (symbol %s)",
					    strtab + s->st_name);
				continue;
			}
			if (type != R_386_32)
				die("%s: unsupported relocation type in the core (symbol %s)",
				    strtab + s->st_name);
			if (absolute)
				continue;
			if (r[j].r_offset + 4 > image_len)
				die("%s: relocation outside the loadable image", in);
			if (nrel == cap) {
				cap = cap ? cap * 2 : 4096;
				relocs = realloc(relocs, cap * sizeof(*relocs));
			}
			relocs[nrel++] = r[j].r_offset;
		}
	}
	qsort(relocs, nrel, sizeof(*relocs), cmp_u32);

	out = malloc(image_len + (size_t)nrel * 5 + 1);
	memcpy(out, img, image_len);
	olen = image_len;
	for (i = 0; i < nrel; i++) {
		uint32_t d = relocs[i] - (i ? relocs[i - 1] : 0);

		if (i && relocs[i] == relocs[i - 1])
			die("%s: duplicate relocation", in);
		do {
			out[olen++] = (uint8_t)((d & 0x7f) | (d > 0x7f ? 0x80 : 0));
			d >>= 7;
		} while (d);
	}

	memset(&h, 0, sizeof(h));
	h.magic = PAYLOAD_MAGIC;
	h.hdr_len = sizeof(h);
	h.ulen = (uint32_t)olen;
	h.image_len = image_len;
	h.mem_len = mem_len;
	h.entry = eh->e_entry;
	h.stack_top = stack_top;
	h.nrelocs = nrel;
	h.heap_len = heap;
	h.heap_min = heap_min;
	spill(rawp, out, olen, NULL, 0);
	spill(hdrp, &h, sizeof(h), NULL, 0);
	free(out);
	free(img);
	free(relocs);
	free(elf);
	return 0;
}

static int join(int argc, char **argv)
{
	struct payload_hdr h;
	uint8_t *hb, *z;
	size_t hlen, zlen;

	if (argc != 4)
		die("usage: %s", "join HDR RAW.z OUT");
	hb = slurp(argv[1], &hlen);
	if (hlen != sizeof(h))
		die("%s is not a payload header", argv[1]);
	memcpy(&h, hb, sizeof(h));
	z = slurp(argv[2], &zlen);
	h.zlen = (uint32_t)zlen;
	h.crc = crc32(z, zlen);
	spill(argv[3], &h, sizeof(h), z, zlen);
	free(hb);
	free(z);
	return 0;
}

/* The stub runs wherever the prefix happens to be: any absolute address
 * in it would be wrong, and it may not keep state in data sections. */
static int check_pic(int argc, char **argv)
{
	uint8_t *elf;
	size_t elen, i, j;
	Elf32_Ehdr *eh;
	Elf32_Shdr *sh;
	const char *shstr;

	if (argc != 2)
		die("usage: %s", "check-pic STUB.elf");
	elf = slurp(argv[1], &elen);
	eh = (Elf32_Ehdr *)elf;
	if (elen < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_machine != EM_386)
		die("%s is not a 32-bit x86 ELF file", argv[1]);
	sh = (Elf32_Shdr *)(elf + eh->e_shoff);
	shstr = (const char *)elf + sh[eh->e_shstrndx].sh_offset;
	for (i = 0; i < eh->e_shnum; i++) {
		Elf32_Rel *r = (Elf32_Rel *)(elf + sh[i].sh_offset);

		if ((sh[i].sh_flags & SHF_ALLOC) && (sh[i].sh_flags & SHF_WRITE) &&
		    sh[i].sh_size)
			die("install stub has writable data (section %s)",
			    shstr + sh[i].sh_name);
		if (sh[i].sh_type != SHT_REL ||
		    !(sh[sh[i].sh_info].sh_flags & SHF_ALLOC))
			continue;
		for (j = 0; j < sh[i].sh_size / sizeof(*r); j++) {
			unsigned int type = ELF32_R_TYPE(r[j].r_info);

			if (type == R_386_32 || type == R_386_16 || type == R_386_8)
				die("install stub has an absolute relocation in %s",
				    shstr + sh[sh[i].sh_info].sh_name);
		}
	}
	free(elf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "check-pic"))
		return check_pic(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "split"))
		return split(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "join"))
		return join(argc - 1, argv + 1);
	die("usage: %s", "mkpayload split|join ...");
	return 1;
}
