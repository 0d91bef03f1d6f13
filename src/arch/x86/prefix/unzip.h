/*
 * unzip.h - decoder for the dust payload compression format ("DZ").
 *
 * The stream is produced on the build host by util/zpack and decoded
 * at boot by the install stub.  The decoder is freestanding: it needs no
 * library, no writable globals and well under 1 KiB of stack; its model
 * state lives in a caller-supplied workspace.
 *
 * This header uses plain C types only (the stub is built with -nostdinc).
 */
#ifndef DUST_UNZIP_H
#define DUST_UNZIP_H

/*
 * Bytes of scratch memory unzip() needs for its probability model.
 * Any 2-byte aligned buffer of this size works; its previous contents
 * do not matter (unzip initialises what it uses).
 */
#define UNZIP_WORKSPACE_SIZE 15336

/* Size of the fixed stream header that precedes the coded data. */
#define UNZIP_HEADER_SIZE 6

/*
 * Uncompressed length recorded in a stream header, or -1 when srclen is
 * too short to hold a header or the header is not a DZ header.  Lets a
 * caller size (or check) the destination before decoding.
 */
long unzip_length(const void *src, unsigned long srclen);

/*
 * Decode the DZ stream at src (srclen bytes) into dst, which has room
 * for dstcap bytes; work points to UNZIP_WORKSPACE_SIZE bytes of scratch.
 *
 * Returns the number of bytes written (always the length recorded in the
 * header), or a negative value if the stream is malformed, truncated or
 * would not fit in dstcap.  Whatever the input, unzip() never reads
 * outside src[0..srclen) and never writes outside dst[0..dstcap) and the
 * workspace.  On failure dst may hold partial output.
 */
long unzip(const void *src, unsigned long srclen, void *dst,
	   unsigned long dstcap, void *work);

#endif /* DUST_UNZIP_H */
