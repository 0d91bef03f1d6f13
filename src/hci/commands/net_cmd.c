/* Network commands: dhcp (ifconf), route, ping, nslookup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <byteswap.h>
#include <dust/command.h>
#include <dust/console.h>
#include <dust/dhcp.h>
#include <dust/dns.h>
#include <dust/icmp.h>
#include <dust/ipv4.h>
#include <dust/netdevice.h>
#include <dust/process.h>
#include <dust/timer.h>

/* The devices named in argv[first..], or all when none is named. */
static int for_devices(const char *cmd, int argc, char **argv,
		       int (*fn)(struct net_device *netdev), int stop_on_ok)
{
	struct net_device *netdev;
	int i, rc = -ENODEV;

	if (argc <= 1) {
		for_each_netdev(netdev) {
			rc = fn(netdev);
			if (rc == 0 && stop_on_ok)
				return 0;
		}
		if (rc_is(rc, ENODEV_K))
			printf("%s: no network devices\n", cmd);
		return rc;
	}
	for (i = 1; i < argc; i++) {
		netdev = find_netdev(argv[i]);
		if (!netdev) {
			printf("%s: %s: no such network device\n", cmd, argv[i]);
			return -ENODEV;
		}
		rc = fn(netdev);
		if (rc)
			return rc;
	}
	return rc;
}

static int dhcp_one(struct net_device *netdev)
{
	int rc = dhcp(netdev);

	if (rc && !rc_is(rc, ETIMEDOUT_K) && !rc_is(rc, ECANCELED_K))
		printf("%s: DHCP failed: %s\n", netdev->name, strerror(rc));
	return rc;
}

static int dhcp_exec(int argc, char **argv)
{
	/* With no device named: the first one that gets a lease. */
	return for_devices(argv[0], argc, argv, dhcp_one, 1);
}

COMMAND(dhcp_cmd) = {
	.name = "dhcp",
	.usage = "[netX...]  get an address by DHCP (first device that answers)",
	.exec = dhcp_exec,
};

COMMAND(ifconf_cmd) = {
	.name = "ifconf",
	.usage = "[netX...]  the same as dhcp",
	.exec = dhcp_exec,
};

static int route_exec(int argc, char **argv)
{
	struct ipv4_route *r;
	unsigned int n = 0;

	(void)argc;
	(void)argv;
	list_for_each_entry(r, &ipv4_routes, list) {
		printf("%s: %s", r->netdev->name, inet_ntoa(r->address));
		printf("/%s", inet_ntoa(r->netmask));
		if (r->gateway.s_addr != INADDR_ANY)
			printf(" gw %s", inet_ntoa(r->gateway));
		printf("%s\n", netdev_is_open(r->netdev) ? "" : " (closed)");
		n++;
	}
	if (!n)
		printf("no IPv4 routes (no device has an address)\n");
	return 0;
}

COMMAND(route_cmd) = {
	.name = "route",
	.usage = " show IPv4 addresses and routes",
	.exec = route_exec,
};

struct ping_state {
	struct icmp_echo_waiter w;
	uint32_t sent_ms[64];
	unsigned int replies;
	uint16_t last_seq;
};

static void ping_reply(struct icmp_echo_waiter *w, const struct sockaddr *from,
		       uint16_t seq, size_t len)
{
	struct ping_state *p = container_of(w, struct ping_state, w);

	printf("%zu bytes from %s: seq=%u time=%u ms\n", len, sock_ntoa(from),
	       seq, (unsigned int)(currtime_ms() - p->sent_ms[seq % 64]));
	p->replies++;
}

static int ping_exec(int argc, char **argv)
{
	unsigned long count = 4, i, timeout = 1000;
	struct sockaddr_in dst;
	struct ping_state *p;
	int rc, opt = 1;

	while (opt < argc && argv[opt][0] == '-') {
		if (!strcmp(argv[opt], "-c") && opt + 1 < argc)
			count = strtoul(argv[++opt], NULL, 0);
		else if (!strcmp(argv[opt], "-t") && opt + 1 < argc)
			timeout = strtoul(argv[++opt], NULL, 0);
		else
			return command_usage(find_command("ping"));
		opt++;
	}
	if (opt != argc - 1 || !count || count > 1000 || !timeout)
		return command_usage(find_command("ping"));
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	rc = resolv_wait(argv[opt], &dst.sin_addr);
	if (rc)
		return command_error("ping", rc, argv[opt]);
	p = zalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->w.ident = (uint16_t)random();
	p->w.reply = ping_reply;
	icmp_echo_listen(&p->w);
	printf("PING %s\n", inet_ntoa(dst.sin_addr));
	for (i = 0; i < count && rc == 0; i++) {
		uint32_t deadline;
		unsigned int before = p->replies;

		p->sent_ms[i % 64] = currtime_ms();
		rc = icmp_echo_send((struct sockaddr *)&dst, p->w.ident,
				    (uint16_t)i, 56);
		if (rc) {
			command_error("ping", rc, "cannot send");
			break;
		}
		deadline = currtime_ms() + (uint32_t)timeout;
		while (!time_after_ms(currtime_ms(), deadline) &&
		       p->replies == before) {
			if (interrupted()) {
				rc = -ECANCELED;
				break;
			}
			step();
		}
		if (p->replies == before && !rc)
			printf("no reply to seq=%lu within %lu ms\n", i, timeout);
	}
	printf("%lu sent, %u received\n", i, p->replies);
	if (!rc && !p->replies)
		rc = -ETIMEDOUT;
	icmp_echo_unlisten(&p->w);
	free(p);
	return rc;
}

COMMAND(ping_cmd) = {
	.name = "ping",
	.usage = "[-c COUNT] [-t MS] HOST  send ICMP echo requests",
	.exec = ping_exec,
};

static int nslookup_exec(int argc, char **argv)
{
	struct in_addr addr;
	int rc;

	if (argc != 2)
		return command_usage(find_command("nslookup"));
	rc = resolv_wait(argv[1], &addr);
	if (rc) {
		if (rc_is(rc, ENXIO_K))
			printf("nslookup: %s: no DNS server is configured\n",
			       argv[1]);
		else
			command_error("nslookup", rc, argv[1]);
		return rc;
	}
	printf("%s is %s\n", argv[1], inet_ntoa(addr));
	return 0;
}

COMMAND(nslookup_cmd) = {
	.name = "nslookup",
	.usage = "NAME  resolve a host name with DNS",
	.exec = nslookup_exec,
};
