/* Images: registration, probing, execution. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/image.h>
#include <dust/payload.h>
#include <dust/umalloc.h>
#include <dust/uri.h>
#include <dust/xfer.h>

LIST_HEAD(images);

static void image_free(struct refcnt *r)
{
	struct image *image = container_of(r, struct image, refcnt);

	ufree(image->data);
	free(image->uri);
	free(image->cmdline);
	free(image);
}

struct image *alloc_image(const struct uri *uri)
{
	struct image *image = zalloc(sizeof(*image));

	if (!image)
		return NULL;
	ref_init(&image->refcnt, image_free);
	INIT_LIST_HEAD(&image->list);
	if (uri) {
		image->uri = uri_dup(uri);
		if (!image->uri) {
			free(image);
			return NULL;
		}
	}
	return image;
}

struct image *find_image(const char *name)
{
	struct image *image;

	for_each_image(image)
		if (!strcmp(image->name, name))
			return image;
	return NULL;
}

int register_image(struct image *image)
{
	const char *base = "img";
	char name[sizeof(image->name)];
	unsigned int n;

	/* Name it after the last part of its path, made unique. */
	if (!image->name[0]) {
		if (image->uri && image->uri->path) {
			const char *slash = strrchr(image->uri->path, '/');

			base = slash ? slash + 1 : image->uri->path;
			if (!*base)
				base = "img";
		}
		strlcpy(name, base, sizeof(name));
		for (n = 1; find_image(name) && n < 1000; n++)
			snprintf(name, sizeof(name), "%.24s-%u", base, n);
		strcpy(image->name, name);
	}
	ref_get(&image->refcnt);
	list_add_tail(&image->list, &images);
	return 0;
}

void unregister_image(struct image *image)
{
	list_del(&image->list);
	INIT_LIST_HEAD(&image->list);
	image_put(image);
}

int image_set_cmdline(struct image *image, int argc, char **argv)
{
	size_t len = 1;
	char *c;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	c = zalloc(len);
	if (!c)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		strcat(c, argv[i]);
		if (i + 1 < argc)
			strcat(c, " ");
	}
	free(image->cmdline);
	image->cmdline = c;
	return 0;
}

int image_probe(struct image *image)
{
	const struct image_type *type;

	if (image->type)
		return 0;
	for_each_table_entry(type, struct image_type, "image_types") {
		if (type->probe(image) == 0) {
			image->type = type;
			return 0;
		}
	}
	return -ENOEXEC;
}

int image_exec(struct image *image)
{
	struct uri *old;
	int rc;

	/* The chainload loop guard: a server that hands every client the
	 * same boot file, dust included, would have dust fetch and start
	 * itself for ever. */
	if (payload_in_image(image->data, image->len, &payload_self)) {
		printf("%s is this very dust: not chaining it again (DHCP "
		       "must answer user class \"dust\" differently)\n",
		       image->name);
		return -ELOOP;
	}
	old = cwuri ? uri_dup(cwuri) : NULL;
	rc = image_probe(image);
	if (rc) {
		printf("%s: not an image dust can start (unknown format)\n",
		       image->name);
		free(old);
		return rc;
	}
	ref_get(&image->refcnt);
	if (image->uri)
		set_cwuri(image->uri);
	rc = image->type->exec(image);
	set_cwuri(old);
	free(old);
	image_put(image);
	return rc;
}

int xfer_open_uri(struct xfer *up, const struct uri *uri)
{
	const struct uri_opener *op;

	if (!uri->scheme)
		return -ENOENT;
	for_each_table_entry(op, struct uri_opener, "uri_openers")
		if (!strcasecmp(op->scheme, uri->scheme))
			return op->open(up, uri);
	return -EPROTONOSUPPORT;
}
