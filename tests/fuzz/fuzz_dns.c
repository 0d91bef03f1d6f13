/* libFuzzer harness for DNS message handling (src/net/udp/dnsmsg.c):
 * responses, names with compression, search lists.  Built and run by
 * `make fuzz` (tests/fuzz/run.sh). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <dust/dns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct dns_result *res = malloc(sizeof(*res));
	char (*names)[DNS_MAX_NAME + 1] = malloc(4 * (DNS_MAX_NAME + 1));
	char name[DNS_MAX_NAME + 1];
	size_t off;
	uint16_t id;

	memcpy(copy, data, size);
	id = size >= 2 ? (uint16_t)(copy[0] << 8 | copy[1]) : 0;
	dns_parse_response(copy, size, id, "boot.lab.test", res);
	dns_parse_response(copy, size, id, "", res);
	for (off = 0; off < size && off < 64; off++) {
		size_t o = off;

		dns_decode_name(copy, size, &o, name, sizeof(name));
	}
	dns_parse_search_list(copy, size, names, 4);
	free(names);
	free(res);
	free(copy);
	return 0;
}
