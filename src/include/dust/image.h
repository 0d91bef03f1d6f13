/* Images: files dust downloaded (kernels, initrds, PXE programs, scripts)
 * and how each kind is started. */
#ifndef DUST_IMAGE_H
#define DUST_IMAGE_H

#include <stddef.h>
#include <dust/list.h>
#include <dust/refcnt.h>
#include <dust/tables.h>

struct uri;
struct image;
struct xfer;

struct image_type {
	const char *name;
	/* 0 if the image is of this type. */
	int (*probe)(struct image *image);
	/* Start it.  Returns only if it could not start, or if what it
	 * started gave control back (a PXE program returning, a script
	 * ending). */
	int (*exec)(struct image *image);
};
/* Probed in order: specific formats first, the catch-all PXE type last. */
#define IMAGE_TYPE(order) TABLE_ENTRY(struct image_type, "image_types", order)
#define IMAGE_ORDER_SCRIPT 10
#define IMAGE_ORDER_BZIMAGE 20
#define IMAGE_ORDER_PXE 90

#define IMAGE_SELECTED 0x01   /* `kernel` chose it for `boot` */
#define IMAGE_INITRD   0x02   /* loaded with `initrd` */
#define IMAGE_AUTOEXEC 0x04   /* given by the boot loader: a script runs
				 at start-up instead of the network boot */

struct image {
	struct refcnt refcnt;
	struct list_head list;
	char name[32];
	struct uri *uri;
	char *cmdline;               /* arguments given when fetched */
	void *data;                  /* umalloc'd */
	size_t len;
	const struct image_type *type;
	unsigned int flags;
};

extern struct list_head images;
#define for_each_image(img) list_for_each_entry(img, &images, list)

struct image *alloc_image(const struct uri *uri);
static inline void image_put(struct image *image)
{
	ref_put(&image->refcnt);
}
int register_image(struct image *image);
void unregister_image(struct image *image);
struct image *find_image(const char *name);
/* Join argv into the image's command line. */
int image_set_cmdline(struct image *image, int argc, char **argv);
int image_probe(struct image *image);
/* Probe if needed and start; the current working URI becomes the
 * image's own while it runs (so a script fetches relative to itself). */
int image_exec(struct image *image);

/* Fetch uri into a new registered image, showing progress; Ctrl-C
 * cancels.  Errors are reported on the console naming the URI. */
int imgdownload(const char *uri_text, struct image **image);
/* Open a download or connection for a URI (table of schemes below). */
int xfer_open_uri(struct xfer *up, const struct uri *uri);

struct uri_opener {
	const char *scheme;
	int (*open)(struct xfer *up, const struct uri *uri);
};
#define URI_OPENER(name) TABLE_ENTRY(struct uri_opener, "uri_openers", 50) name

#endif
