/* Version and build identification (DUST_VERSION and DUST_BUILD come from
 * the Makefile). */
#ifndef DUST_VERSION_H
#define DUST_VERSION_H

#ifndef DUST_VERSION
#define DUST_VERSION "0.0"
#endif
#ifndef DUST_BUILD
#define DUST_BUILD "unknown build"
#endif

extern const char dust_version[];
extern const char dust_build[];

/* What kind of image this dust was started from ("option ROM", ...). */
const char *image_type_name(void);

#endif
