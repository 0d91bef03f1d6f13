/* Booting from a SAN disk named by a root-path (iscsi:...). */
#ifndef DUST_SANBOOT_H
#define DUST_SANBOOT_H

#include <stdint.h>

/* Attach the disk named by root_path as BIOS drive `drive`, with an iBFT
 * describing it. */
int san_hook(const char *root_path, uint8_t drive);
/* Detach it again. */
int san_unhook(void);
/* Attach as drive 0x80 and boot from it.  Returns only on failure (with
 * a message printed). */
int sanboot_root_path(const char *root_path);

#endif
