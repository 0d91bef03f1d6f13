/* SAN disks as BIOS drives (INT 13h). */
#ifndef DUST_INT13_H
#define DUST_INT13_H

#include <stdint.h>

struct block_device;

/* Make bdev BIOS drive `drive` (0x80: the first hard disk; the BIOS's own
 * disks move up one).  Returns 0 or -errno. */
int int13_hook(struct block_device *bdev, uint8_t drive);
/* Remove the drive (and the INT 13h hook when it was the last). */
int int13_unhook(uint8_t drive);
/* Boot from the drive as the BIOS would: its first sector at 0000:7C00,
 * entered with DL = drive.  Returns only on failure. */
int int13_boot(uint8_t drive);
/* The first hooked drive, or 0 if none. */
uint8_t int13_first_drive(void);

#endif
