/* Message digests: MD5 (RFC 1321, for CHAP) and SHA-256 (FIPS 180-4). */
#ifndef DUST_CRYPTO_H
#define DUST_CRYPTO_H

#include <stdint.h>
#include <stddef.h>

#define MD5_DIGEST_SIZE 16
#define SHA256_DIGEST_SIZE 32

struct md5_ctx {
	uint32_t h[4];
	uint64_t len;
	uint8_t buf[64];
};

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *data, size_t len);
void md5_final(struct md5_ctx *c, uint8_t out[MD5_DIGEST_SIZE]);

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE]);

/* A digest as the md5sum/sha256sum commands use it. */
struct digest {
	size_t ctx_size, size;
	void (*init)(void *ctx);
	void (*update)(void *ctx, const void *data, size_t len);
	void (*final)(void *ctx, uint8_t *out);
};
extern const struct digest md5_digest, sha256_digest;
/* The command: print the digest of each image named in argv[1..]. */
int digest_images(int argc, char **argv, const struct digest *d);

#endif
