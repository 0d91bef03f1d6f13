/* Reading the BIOS memory map and hiding dust's memory from what it boots:
 * INT 15h E820, E801 and 88h are hooked and answered from a map in which
 * dust's own ranges are marked reserved. */
#include <errno.h>
#include <string.h>
#include <bios/memmap.h>
#include <bios/bootinfo.h>
#include <bios/realmode.h>
#include <dust/init.h>
#include <dust/umalloc.h>

#define SMAP 0x534d4150

#define MAX_HIDDEN 8

struct memmap bios_memmap;
struct memmap os_memmap;

static uint64_t hidden[MAX_HIDDEN][2];
static unsigned int nhidden;
static int int15_hooked;

static void memmap_read_bios(void)
{
	struct e820_entry *buf = rm_scratch();
	struct bregs r;
	uint32_t cont = 0;
	unsigned int i;

	bios_memmap.count = 0;
	for (i = 0; i < 256 && bios_memmap.count < MEMMAP_MAX; i++) {
		memset(&r, 0, sizeof(r));
		memset(buf, 0, sizeof(*buf));
		buf->attr = 1;
		r.eax = 0xe820;
		r.edx = SMAP;
		r.ebx = cont;
		r.ecx = sizeof(*buf);
		r.es = resident_seg;
		r.edi = rm_scratch_lin() - resident_base;
		r.eflags = FLAG_IF;
		real_int(0x15, &r);
		if ((r.eflags & FLAG_CF) || r.eax != SMAP)
			break;
		if (r.ecx < 24)
			buf->attr = 1;
		if (buf->len && (buf->attr & 1))
			bios_memmap.e[bios_memmap.count++] = *buf;
		cont = r.ebx;
		if (!cont)
			break;
	}
}

static void memmap_rebuild(void)
{
	memmap_carve(&bios_memmap, (const uint64_t (*)[2])hidden, nhidden,
		     &os_memmap);
}

int memmap_hide(uint64_t start, uint64_t end)
{
	if (nhidden == MAX_HIDDEN)
		return -ENOSPC;
	hidden[nhidden][0] = start;
	hidden[nhidden][1] = end;
	nhidden++;
	memmap_rebuild();
	return 0;
}

void memmap_unhide(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < nhidden; i++) {
		if (hidden[i][0] == start && hidden[i][1] == end) {
			hidden[i][0] = hidden[nhidden - 1][0];
			hidden[i][1] = hidden[nhidden - 1][1];
			nhidden--;
			memmap_rebuild();
			return;
		}
	}
}

int memmap_is_hidden(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < nhidden; i++)
		if (start >= hidden[i][0] && end <= hidden[i][1])
			return 1;
	return 0;
}

/* INT 15h for the ranges the resident stub sends us: E820, E801, 88h. */
static void int15_handler(struct bregs *r)
{
	uint64_t above1m, kb;

	if (r->eax == 0xe820) {
		struct e820_entry *dst = real_ptr(r->es, r->di);
		uint32_t len = r->ecx < 24 ? 20 : 24;

		if (r->edx != SMAP || r->ecx < 20 || r->ebx >= os_memmap.count) {
			r->eflags |= FLAG_CF;
			return;
		}
		memcpy(dst, &os_memmap.e[r->ebx], len);
		r->ebx++;
		if (r->ebx == os_memmap.count)
			r->ebx = 0;
		r->eax = SMAP;
		r->ecx = len;
		r->eflags &= ~FLAG_CF;
		return;
	}

	above1m = memmap_contiguous(&os_memmap, 0x100000);
	if (r->ax == 0xe801) {
		uint64_t low = above1m > 15 * 0x100000 ? 15 * 0x100000 : above1m;
		uint64_t high = memmap_contiguous(&os_memmap, 0x1000000);

		if (above1m < 15 * 0x100000)
			high = 0;
		if (high > 0xffffull * 0x10000)
			high = 0xffffull * 0x10000;
		r->eax = r->ecx = (uint32_t)(low >> 10);
		r->ebx = r->edx = (uint32_t)(high >> 16);
		r->eflags &= ~FLAG_CF;
		return;
	}
	/* AH = 88h: KiB above 1 MiB, at most 0xffff. */
	kb = above1m >> 10;
	r->ax = kb > 0xffff ? 0xffff : (uint16_t)kb;
	r->eflags &= ~FLAG_CF;
}

/* Image memory: the RAM below dust's region, above 16 MiB so that a
 * kernel loaded at 1 MiB (and unpacking itself there) never lands on a
 * downloaded image. */
#define UMALLOC_LOW 0x1000000u

/* Hand [lo, hi) to the image allocator, minus the ranges in `skip`. */
static void umalloc_add_except(uint64_t lo, uint64_t hi,
			       const uint64_t (*skip)[2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (skip[i][0] < hi && skip[i][1] > lo) {
			if (skip[i][0] > lo)
				umalloc_add_except(lo, skip[i][0], skip + i + 1,
						   n - i - 1);
			if (skip[i][1] < hi)
				umalloc_add_except(skip[i][1], hi, skip + i + 1,
						   n - i - 1);
			return;
		}
	}
	if (hi > lo)
		umalloc_add((void *)(uintptr_t)lo, (size_t)(hi - lo));
}

static void umalloc_setup(void)
{
	/* Not over dust's own region, nor (for now) a loader's initrd. */
	const uint64_t skip[2][2] = {
		{ bootinfo.core_base, bootinfo.core_end },
		{ bootinfo.initrd, (uint64_t)bootinfo.initrd + bootinfo.initrd_len },
	};
	unsigned int i;

	for (i = 0; i < bios_memmap.count; i++) {
		const struct e820_entry *e = &bios_memmap.e[i];
		uint64_t lo = e->base, hi = e->base + e->len;

		if (e->type != E820_RAM || hi <= UMALLOC_LOW ||
		    lo >= 0x100000000ull)
			continue;
		if (lo < UMALLOC_LOW)
			lo = UMALLOC_LOW;
		if (hi > 0x100000000ull)
			hi = 0x100000000ull;
		umalloc_add_except(lo, hi, skip, bootinfo.initrd_len ? 2 : 1);
	}
}

static void memmap_init(void)
{
	memmap_read_bios();
	umalloc_setup();
	/* dust's high-memory region and the resident block in base memory. */
	memmap_hide(bootinfo.core_base, bootinfo.core_end);
	memmap_hide(resident_base, resident_base + bootinfo.res_kb * 1024u);
	hook_set_handler(HOOK_INT15, int15_handler);
	hook_interrupt(0x15, HOOK_INT15);
	int15_hooked = 1;
}

static void memmap_shutdown(int booting)
{
	if (booting || !int15_hooked)
		return;
	if (unhook_interrupt(0x15, HOOK_INT15) == 0)
		int15_hooked = 0;
}

INIT_FN(INIT_MEMORY) memmap_init_fn = { "memmap", memmap_init };
SHUTDOWN_FN(INIT_MEMORY) memmap_shutdown_fn = { "memmap", memmap_shutdown };
