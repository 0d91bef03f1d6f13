/* Memory map arithmetic, independent of the BIOS (unit-tested on the host). */
#include <bios/memmap.h>

/* Append an entry.  Neighbours are not merged, so each range dust hides
 * stays an entry of its own that `memmap` can point out. */
static void add_entry(struct memmap *out, uint64_t base, uint64_t end,
		      uint32_t type, uint32_t attr)
{
	if (end <= base)
		return;
	if (out->count == MEMMAP_MAX)
		return;
	out->e[out->count].base = base;
	out->e[out->count].len = end - base;
	out->e[out->count].type = type;
	out->e[out->count].attr = attr;
	out->count++;
}

void memmap_carve(const struct memmap *in, const uint64_t (*hide)[2],
		  unsigned int n, struct memmap *out)
{
	unsigned int i, j;

	out->count = 0;
	for (i = 0; i < in->count; i++) {
		const struct e820_entry *e = &in->e[i];
		uint64_t pos = e->base, end = e->base + e->len;

		if (e->type != E820_RAM) {
			add_entry(out, pos, end, e->type, e->attr);
			continue;
		}
		/* Walk the entry, cutting at the nearest hidden range ahead. */
		while (pos < end) {
			uint64_t cut = end, cut_end = end;

			for (j = 0; j < n; j++) {
				uint64_t hs = hide[j][0], he = hide[j][1];

				if (he <= pos || hs >= end || he <= hs)
					continue;
				if (hs <= pos) {
					cut = pos;
					cut_end = he < end ? he : end;
					break;
				}
				if (hs < cut) {
					cut = hs;
					cut_end = he < end ? he : end;
				}
			}
			add_entry(out, pos, cut, E820_RAM, e->attr);
			add_entry(out, cut, cut_end, E820_RESERVED, e->attr);
			pos = cut_end;
		}
	}
}

uint64_t memmap_contiguous(const struct memmap *map, uint64_t from)
{
	uint64_t pos = from;
	unsigned int i;
	int progress = 1;

	while (progress) {
		progress = 0;
		for (i = 0; i < map->count; i++) {
			const struct e820_entry *e = &map->e[i];

			if (e->type == E820_RAM && e->base <= pos &&
			    e->base + e->len > pos) {
				pos = e->base + e->len;
				progress = 1;
			}
		}
	}
	return pos - from;
}

const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case E820_RAM: return "usable";
	case E820_RESERVED: return "reserved";
	case E820_ACPI: return "ACPI data";
	case E820_NVS: return "ACPI NVS";
	case E820_UNUSABLE: return "unusable";
	default: return "other";
	}
}
