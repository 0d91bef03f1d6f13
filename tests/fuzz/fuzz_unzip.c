/*
 * libFuzzer harness for the payload decoder (src/arch/x86/prefix/unzip.c).
 *
 * Build and run (from the repository root):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=undefined \
 *         -o /tmp/fuzz_unzip tests/fuzz/fuzz_unzip.c
 *   mkdir -p /tmp/unzip-corpus    # optionally seed it with zpack outputs
 *   /tmp/fuzz_unzip -max_total_time=60 /tmp/unzip-corpus
 *
 * (clang's fuzzer runtime comes with Debian's libclang-rt-14-dev.)
 *
 * The input is fed to unzip() as a stream.  Input, output and workspace
 * are separate heap blocks of exactly their nominal sizes, so ASan flags
 * any access outside them.  The output capacity is bounded: normally the
 * length the header announces (capped at 1 MiB), and for one input in
 * four a smaller, input-derived capacity, to exercise the "does not
 * fit" paths.  The result must be negative or the announced length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/arch/x86/prefix/unzip.c"

#define FUZZ_MAX_OUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in, *out;
	void *work;
	long want = unzip_length(data, size), r;
	unsigned long cap;

	if (want < 0 || (unsigned long)want > FUZZ_MAX_OUT)
		cap = 4096;
	else
		cap = (unsigned long)want;
	if (size > 6 && (data[size - 1] & 3) == 0)
		cap = cap ? data[size - 2] % (cap + 1) : 0;

	in = malloc(size ? size : 1);
	out = malloc(cap ? cap : 1);
	work = malloc(UNZIP_WORKSPACE_SIZE);
	if (!in || !out || !work)
		abort();
	if (size)
		memcpy(in, data, size);

	r = unzip(in, size, out, cap, work);
	if (r >= 0 && (r != want || (unsigned long)r > cap))
		abort();

	free(in);
	free(out);
	free(work);
	return 0;
}
