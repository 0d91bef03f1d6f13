/* The payload every image carries: a header followed by the compressed core
 * (the core's loadable bytes, then its relocation list).  Written by
 * util/mkpayload, read by the install stub (arch/x86/prefix/install.c). */
#ifndef DUST_PAYLOAD_H
#define DUST_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_MAGIC 0x444c5044 /* "DPLD" */

struct payload_hdr {
	uint32_t magic;
	uint32_t hdr_len;    /* sizeof(struct payload_hdr) */
	uint32_t zlen;       /* compressed bytes after the header */
	uint32_t crc;        /* CRC-32 (IEEE) of those bytes */
	uint32_t ulen;       /* bytes they decompress to */
	uint32_t image_len;  /* loadable bytes of the core (text, data) */
	uint32_t mem_len;    /* image_len plus zeroed bss (includes stack) */
	uint32_t entry;      /* entry point, offset from the core's base */
	uint32_t stack_top;  /* initial stack pointer, offset from base */
	uint32_t nrelocs;    /* relocation entries after the image */
	uint32_t heap_len;   /* heap wanted after mem_len */
	uint32_t heap_min;   /* smallest heap the core can live with */
};

/* Relocations: nrelocs offsets of 32-bit words that hold addresses relative
 * to the core's link base of 0, sorted ascending, each stored as the LEB128
 * varint of its distance from the previous one.  The stub adds the load
 * address to each word. */

/* The running dust's own header (magic 0 when the platform could not
 * read it), and whether an image carries that same payload at a 16-byte
 * boundary, where every prefix puts it.  The header holds the compressed
 * core's CRC and sizes: equal headers mean the same build of dust, which
 * would only do again what it did to fetch the image (the chainload loop
 * guard in image_exec). */
extern struct payload_hdr payload_self;
int payload_in_image(const void *image, size_t len,
		     const struct payload_hdr *self);

#endif
