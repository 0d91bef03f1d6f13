/* libFuzzer harness for the DHCP reply parser (src/net/udp/dhcppkt.c).
 * Built and run by `make fuzz` (tests/fuzz/run.sh).  Every option found
 * is read back, so a bad offset or length shows up under ASan. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <dust/dhcp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_packet *pkt = malloc(sizeof(*pkt));
	uint8_t *copy = malloc(size ? size : 1);
	unsigned int i, sum = 0;

	memcpy(copy, data, size);
	if (dhcp_parse(copy, size, pkt) == 0) {
		for (i = 0; i < pkt->noptions; i++) {
			size_t len, k;
			const uint8_t *v = dhcp_option(pkt, pkt->opt[i].tag, &len);

			for (k = 0; v && k < len; k++)
				sum += v[k];
		}
		sum += (unsigned int)dhcp_msgtype(pkt) +
		       (unsigned int)dhcp_has_boot_info(pkt) +
		       (unsigned int)dhcp_is_proxy(pkt);
	}
	free(copy);
	free(pkt);
	return (int)(sum & 0);
}
