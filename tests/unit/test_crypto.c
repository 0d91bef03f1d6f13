/* Tests of MD5 and SHA-256 against the published test vectors
 * (RFC 1321 appendix A.5; FIPS 180-2 appendix B examples). */
#include <string.h>
#include <stdio.h>
#include <dust/crypto.h>
#include "unit.h"

static const char *hex(const uint8_t *d, size_t n)
{
	static char out[80];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

static const char *md5_of(const char *s)
{
	struct md5_ctx c;
	uint8_t d[16];

	md5_init(&c);
	md5_update(&c, s, strlen(s));
	md5_final(&c, d);
	return hex(d, 16);
}

static const char *sha256_of(const char *s, size_t repeat)
{
	struct sha256_ctx c;
	uint8_t d[32];
	size_t i;

	sha256_init(&c);
	for (i = 0; i < repeat; i++)
		sha256_update(&c, s, strlen(s));
	sha256_final(&c, d);
	return hex(d, 32);
}

UNIT_TEST(md5_vectors)
{
	check_str(md5_of(""), "d41d8cd98f00b204e9800998ecf8427e");
	check_str(md5_of("a"), "0cc175b9c0f1b6a831c399e269772661");
	check_str(md5_of("abc"), "900150983cd24fb0d6963f7d28e17f72");
	check_str(md5_of("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
	check_str(md5_of("abcdefghijklmnopqrstuvwxyz"),
		  "c3fcd3d76192e4007dfb496cca67e13b");
	check_str(md5_of("12345678901234567890123456789012345678901234567890"
			 "123456789012345678901234567890"),
		  "57edf4a22be3c955ac49da2e2107b67a");
}

UNIT_TEST(sha256_vectors)
{
	check_str(sha256_of("abc", 1),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_str(sha256_of("", 1),
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_str(sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* One million 'a's, fed in pieces that straddle blocks. */
	check_str(sha256_of("aaaaaaaaaaaaaaaaaaaaaaaaa", 40000),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
