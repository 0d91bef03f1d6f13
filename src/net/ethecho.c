/* Link test responder: with `ifecho on`, a frame of the IEEE 802 local
 * experimental EtherType 0x88b5 sent to one of our addresses whose first
 * payload byte is 'Q' (request) comes back to its sender with that byte
 * changed to 'R' (reply), everything else as received.  Replies are never
 * answered, so two responders cannot ping-pong.  Off by default: it is a
 * tool for proving a driver's receive and transmit paths end to end
 * before any IP stack exists on the wire, not a service. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <byteswap.h>
#include <dust/command.h>
#include <dust/iobuf.h>
#include <dust/netdevice.h>

#define ETH_P_LOCAL_EXP1 0x88b5

static int echo_enabled;
static unsigned long echo_count;

static int ethecho_rx(struct io_buffer *iob, struct net_device *netdev,
		      const uint8_t *ll_dest, const uint8_t *ll_source,
		      unsigned int flags)
{
	struct io_buffer *reply;
	size_t len = iob_len(iob);

	(void)ll_dest;
	if (!echo_enabled || (flags & (LL_BROADCAST | LL_MULTICAST)) ||
	    len == 0 || *(uint8_t *)iob->data != 'Q') {
		free_iob(iob);
		return -EINVAL;
	}
	reply = alloc_iob(len);
	if (!reply) {
		free_iob(iob);
		return -ENOMEM;
	}
	memcpy(iob_put(reply, len), iob->data, len);
	*(uint8_t *)reply->data = 'R';
	free_iob(iob);
	echo_count++;
	/* A reply that cannot be sent is counted as a TX error there. */
	eth_tx(reply, netdev, ll_source, htons(ETH_P_LOCAL_EXP1));
	return 0;
}

NET_PROTOCOL(ethecho_protocol) = {
	.name = "ethecho",
	.ethertype = htons(ETH_P_LOCAL_EXP1),
	.rx = ethecho_rx,
};

static int ifecho_exec(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "on") &&
			 strcmp(argv[1], "off"))) {
		printf("usage: ifecho [on|off]\n");
		return -EINVAL;
	}
	if (argc == 2)
		echo_enabled = !strcmp(argv[1], "on");
	printf("ifecho: %s, %lu replies sent\n", echo_enabled ? "on" : "off",
	       echo_count);
	return 0;
}

COMMAND(ifecho_cmd) = {
	.name = "ifecho",
	.usage = "[on|off]  answer link test frames (EtherType 88b5)",
	.exec = ifecho_exec,
};
