/* libFuzzer harness for the iSCSI text helpers (src/net/tcp/iscsi_text.c):
 * login key=value walking, numerical and binary values, LUNs and
 * root-paths.  Built and run by `make fuzz` (tests/fuzz/run.sh). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <dust/iscsi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void *freopen(const char *path, const char *mode, void *stream);
extern void *stdout;
void abort(void);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The root-path parser explains its errors on the console. */
	freopen("/dev/null", "w", stdout);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *k, *v;
	uint8_t bin[64], lun[8];
	char built[128];
	struct iscsi_root_path rp;
	size_t pos = 0, b = 0;
	uint32_t n;
	int rc;

	memcpy(text, data, size);
	text[size] = 0;
	/* As a login data segment. */
	while ((rc = iscsi_key_next(text, size, &pos, &k, &v)) > 0) {
		if (strlen(k) > ISCSI_KEY_MAX || k + strlen(k) + 1 != v ||
		    v + strlen(v) >= text + size)
			abort();
		iscsi_parse_number(v, &n);
		rc = iscsi_parse_binary(v, bin, sizeof(bin));
		if (rc > (int)sizeof(bin))
			abort();
		b = iscsi_key_add(built, sizeof(built), b, k, "%s", v);
		if (b > sizeof(built) + 1)
			abort();
	}
	if (pos > size)
		abort();
	/* As a root-path and a LUN (the text up to its first NUL). */
	memcpy(text, data, size);
	text[size] = 0;
	iscsi_parse_lun(text, lun);
	if (iscsi_parse_root_path(text, &rp) == 0) {
		if (!rp.server[0] || !rp.target[0] || !rp.port)
			abort();
		free(rp.buf);
	} else if (rp.buf) {
		abort();
	}
	free(text);
	return 0;
}
