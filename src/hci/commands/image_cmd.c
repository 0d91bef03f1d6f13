/* Image commands: imgfetch/module, kernel, initrd, chain, boot, imgfree,
 * imgstat, md5sum (sha256sum is in sha256sum_cmd.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>
#include <dust/crypto.h>
#include <dust/image.h>

/* Fetch argv[1] with the rest as its command line. */
static int fetch(int argc, char **argv, struct image **image)
{
	int rc;

	if (argc < 2)
		return command_usage(find_command(argv[0]));
	rc = imgdownload(argv[1], image);
	if (rc)
		return rc;
	return image_set_cmdline(*image, argc - 2, argv + 2);
}

static int imgfetch_exec(int argc, char **argv)
{
	struct image *image;

	return fetch(argc, argv, &image);
}

COMMAND(imgfetch_cmd) = {
	.name = "imgfetch",
	.usage = "URI [ARGS...]  download an image",
	.exec = imgfetch_exec,
};

COMMAND(module_cmd) = {
	.name = "module",
	.usage = "URI [ARGS...]  the same as imgfetch",
	.exec = imgfetch_exec,
};

static int kernel_exec(int argc, char **argv)
{
	struct image *image, *i;
	int rc = fetch(argc, argv, &image);

	if (rc)
		return rc;
	for_each_image(i)
		i->flags &= ~IMAGE_SELECTED;
	image->flags |= IMAGE_SELECTED;
	return 0;
}

COMMAND(kernel_cmd) = {
	.name = "kernel",
	.usage = "URI [ARGS...]  download the image `boot` starts, with its "
		 "command line",
	.exec = kernel_exec,
};

static int initrd_exec(int argc, char **argv)
{
	struct image *image;
	int rc = fetch(argc, argv, &image);

	if (!rc)
		image->flags |= IMAGE_INITRD;
	return rc;
}

COMMAND(initrd_cmd) = {
	.name = "initrd",
	.usage = "URI  download an initrd for the kernel (several concatenate)",
	.exec = initrd_exec,
};

static int chain_exec(int argc, char **argv)
{
	struct image *image;
	int rc = fetch(argc, argv, &image);

	if (rc)
		return rc;
	/* Run it; what returns is freed (a script's images stay). */
	ref_get(&image->refcnt);
	rc = image_exec(image);
	if (!list_empty(&image->list))
		unregister_image(image);
	image_put(image);
	return rc;
}

COMMAND(chain_cmd) = {
	.name = "chain",
	.usage = "URI [ARGS...]  download an image and start it",
	.exec = chain_exec,
};

static struct image *image_arg(const char *cmd, int argc, char **argv)
{
	struct image *image;

	if (argc > 1) {
		image = find_image(argv[1]);
		if (!image)
			printf("%s: no image called \"%s\"\n", cmd, argv[1]);
		return image;
	}
	/* The selected one, else the first that is not an initrd. */
	for_each_image(image)
		if (image->flags & IMAGE_SELECTED)
			return image;
	for_each_image(image)
		if (!(image->flags & IMAGE_INITRD))
			return image;
	printf("%s: no image to start (use kernel or imgfetch first)\n", cmd);
	return NULL;
}

static int boot_exec(int argc, char **argv)
{
	struct image *image = image_arg("boot", argc, argv);

	if (!image)
		return -ENOENT;
	return image_exec(image);
}

COMMAND(boot_cmd) = {
	.name = "boot",
	.usage = "[NAME]  start the selected (or named) image",
	.exec = boot_exec,
};

static int imgfree_exec(int argc, char **argv)
{
	struct image *image, *tmp;
	int i;

	if (argc == 1) {
		list_for_each_entry_safe(image, tmp, &images, list)
			unregister_image(image);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		image = find_image(argv[i]);
		if (!image) {
			printf("imgfree: no image called \"%s\"\n", argv[i]);
			return -ENOENT;
		}
		unregister_image(image);
	}
	return 0;
}

COMMAND(imgfree_cmd) = {
	.name = "imgfree",
	.usage = "[NAME...]  forget images (all without NAME)",
	.exec = imgfree_exec,
};

static int imgstat_exec(int argc, char **argv)
{
	struct image *image;

	(void)argc;
	(void)argv;
	for_each_image(image) {
		image_probe(image);
		printf("%s: %zu bytes [%s]%s%s%s%s\n", image->name, image->len,
		       image->type ? image->type->name : "unknown",
		       image->flags & IMAGE_SELECTED ? " (selected)" : "",
		       image->flags & IMAGE_INITRD ? " (initrd)" : "",
		       image->cmdline && *image->cmdline ? " " : "",
		       image->cmdline ? image->cmdline : "");
	}
	return 0;
}

COMMAND(imgstat_cmd) = {
	.name = "imgstat",
	.usage = " list images",
	.exec = imgstat_exec,
};

int digest_images(int argc, char **argv, const struct digest *d)
{
	union {
		struct md5_ctx md5;
		struct sha256_ctx sha256;
	} ctx;
	struct image *image;
	uint8_t out[SHA256_DIGEST_SIZE];
	size_t i;
	int a;

	if (argc < 2)
		return command_usage(find_command(argv[0]));
	if (d->ctx_size > sizeof(ctx) || d->size > sizeof(out))
		return -EINVAL;
	for (a = 1; a < argc; a++) {
		image = find_image(argv[a]);
		if (!image) {
			printf("%s: no image called \"%s\"\n", argv[0], argv[a]);
			return -ENOENT;
		}
		d->init(&ctx);
		d->update(&ctx, image->data, image->len);
		d->final(&ctx, out);
		for (i = 0; i < d->size; i++)
			printf("%02x", out[i]);
		printf("  %s\n", image->name);
	}
	return 0;
}

static int md5sum_exec(int argc, char **argv)
{
	return digest_images(argc, argv, &md5_digest);
}

COMMAND(md5sum_cmd) = {
	.name = "md5sum",
	.usage = "NAME...  MD5 of images",
	.exec = md5sum_exec,
};
