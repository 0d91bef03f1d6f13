/* ifstat, ifopen, ifclose: look at network devices and bring them up or
 * down.  Without a device name each command acts on every device. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dust/command.h>
#include <dust/netdevice.h>
#include <dust/pci.h>

static int ifstat_one(struct net_device *netdev)
{
	const struct net_device_stats *st = &netdev->stats;
	unsigned int loc = netdev->dev.location;

	printf("%s: %s", netdev->name, eth_ntoa(netdev->hw_addr));
	if (netdev->dev.bus_type == NETDEV_BUS_PCI)
		printf(" on PCI %02x:%02x.%x", PCI_BUS(loc), PCI_SLOT(loc),
		       PCI_FUNC(loc));
	else if (netdev->dev.bus_type == NETDEV_BUS_UNDI)
		printf(" on UNDI");
	printf(" (%s) [Link:%s, TX:%lu TXE:%lu RX:%lu RXE:%lu RXD:%lu]\n",
	       netdev_is_open(netdev) ? "open" : "closed",
	       netdev_link_ok(netdev) ? "up" : "down", st->tx_ok, st->tx_err,
	       st->rx_ok, st->rx_err, st->rx_drop);
	return 0;
}

static int ifopen_one(struct net_device *netdev)
{
	return netdev_open(netdev);
}

static int ifclose_one(struct net_device *netdev)
{
	netdev_close(netdev);
	return 0;
}

/* Run fn on the devices named (or all); report each failure, return the
 * last error. */
static int for_each_named(int argc, char **argv,
			  int (*fn)(struct net_device *netdev))
{
	struct net_device *netdev, *tmp;
	int i, rc, err = 0;

	if (argc < 2) {
		list_for_each_entry_safe(netdev, tmp, &net_devices, list) {
			rc = fn(netdev);
			if (rc)
				err = command_error(argv[0], rc, netdev->name);
		}
		return err;
	}
	for (i = 1; i < argc; i++) {
		netdev = find_netdev(argv[i]);
		rc = netdev ? fn(netdev) : -ENODEV;
		if (rc)
			err = command_error(argv[0], rc, argv[i]);
	}
	return err;
}

static int ifstat_exec(int argc, char **argv)
{
	if (argc < 2 && list_empty(&net_devices))
		printf("no network devices\n");
	return for_each_named(argc, argv, ifstat_one);
}

static int ifopen_exec(int argc, char **argv)
{
	return for_each_named(argc, argv, ifopen_one);
}

static int ifclose_exec(int argc, char **argv)
{
	return for_each_named(argc, argv, ifclose_one);
}

COMMAND(ifstat_cmd) = {
	.name = "ifstat",
	.usage = "[netX...]  show network devices: address, state, counters",
	.exec = ifstat_exec,
};

COMMAND(ifopen_cmd) = {
	.name = "ifopen",
	.usage = "[netX...]  open network devices (all if none named)",
	.exec = ifopen_exec,
};

COMMAND(ifclose_cmd) = {
	.name = "ifclose",
	.usage = "[netX...]  close network devices (all if none named)",
	.exec = ifclose_exec,
};
