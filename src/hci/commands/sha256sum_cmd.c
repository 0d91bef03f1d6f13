/* sha256sum: in the images with room for SHA-256 (not the option ROMs,
 * which keep md5sum: MD5 is there anyway, for CHAP). */
#include <dust/command.h>
#include <dust/crypto.h>

static int sha256sum_exec(int argc, char **argv)
{
	return digest_images(argc, argv, &sha256_digest);
}

COMMAND(sha256sum_cmd) = {
	.name = "sha256sum",
	.usage = "NAME...  SHA-256 of images",
	.exec = sha256sum_exec,
};
