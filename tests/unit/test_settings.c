/* Tests of settings: names, scopes, types and ${...} expansion. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>
#include <dust/netdevice.h>
#include <dust/settings.h>
#include "fakenet.h"
#include "unit.h"

static int set(const char *name, const char *value)
{
	char buf[64];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	int rc;

	strcpy(buf, name);
	rc = parse_setting_name(buf, &block, &s, &tmp);
	if (rc)
		return rc;
	return storef_setting(block, s, value);
}

static const char *get(const char *name)
{
	static char out[256];
	char buf[64];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;

	strcpy(buf, name);
	if (parse_setting_name(buf, &block, &s, &tmp) ||
	    fetchf_setting(block, s, out, sizeof(out)) < 0)
		return "(unset)";
	return out;
}

UNIT_TEST(settings_types_and_scopes)
{
	struct net_device *netdev = fakenet_create(fake_mac);
	char name[32];
	char *x;

	/* Types parse and format their values. */
	check_eq(set("ip", "192.0.2.9"), 0);
	check_str(get("ip"), "192.0.2.9");
	check(rc_is(set("ip", "192.0.2.300"), EINVAL_K));
	check(rc_is(set("ip", "1.2.3"), EINVAL_K));
	check_eq(set("mtu", "1400"), 0);
	check_str(get("mtu"), "1400");
	check_str(get("mtu:hex"), "00:00:05:78");
	check_eq(set("uuid", "12345678-9abc-def0-1122-334455667788"), 0);
	check_str(get("uuid"), "12345678-9abc-def0-1122-334455667788");
	check(rc_is(set("uuid", "1234"), EINVAL_K));
	/* Numbered (DHCP option) and made-up names. */
	check_eq(set("175:hex", "01:02:0a"), 0);
	check_str(get("175"), "01:02:0a");
	check_eq(set("my-var", "hello world"), 0);
	check_str(get("my-var"), "hello world");
	check(rc_is(set("300", "1"), EINVAL_K));
	check(rc_is(set("ip:nosuchtype", "1"), ENOTSUP_K));
	check(rc_is(set("net9/ip", "1.2.3.4"), ENODEV_K));

	/* A device scope, and the global block winning over it. */
	snprintf(name, sizeof(name), "%s/root-path", netdev->name);
	check_eq(set(name, "iscsi:from-dhcp"), 0);
	check_str(get("root-path"), "iscsi:from-dhcp");
	check_eq(set("root-path", "iscsi:by-hand"), 0);
	check_str(get("root-path"), "iscsi:by-hand");
	check_str(get(name), "iscsi:from-dhcp");
	/* Derived values: the device's MAC. */
	snprintf(name, sizeof(name), "%s/mac", netdev->name);
	check_str(get(name), "52:54:00:12:34:56");
	check_str(get("mac"), "52:54:00:12:34:56");

	/* Expansion. */
	x = expand_settings("iscsi:${ip}:::1:${my-var}${nothing}!");
	check_str(x, "iscsi:192.0.2.9:::1:hello world!");
	free(x);
	x = expand_settings("no ${closing brace");
	check_str(x, "no ${closing brace");
	free(x);
	x = expand_settings("${user-class}");
	check_str(x, "dust");
	free(x);

	/* Deleting. */
	check_eq(set("root-path", ""), 0);
	check_str(get("root-path"), "iscsi:from-dhcp");
	set("ip", "");
	set("mtu", "");
	set("uuid", "");
	set("175", "");
	set("my-var", "");
	check_str(get("ip"), "(unset)");
	fakenet_destroy(netdev);
}

UNIT_TEST(settings_commands)
{
	const char *out;

	host_capture_start();
	check_eq(execute_line("set hostname node-7"), 0);
	check_eq(execute_line("show hostname"), 0);
	check(rc_is(execute_line("set ip not-an-address"), EINVAL_K));
	check_eq(execute_line("echo ${hostname}-${nothing}x"), 0);
	check_eq(execute_line("clear hostname"), 0);
	check(rc_is(execute_line("show hostname"), ENOENT_K));
	out = host_capture_stop();
	check(strstr(out, "hostname:string = node-7") != NULL);
	check(strstr(out, "value not valid") != NULL);
	check(strstr(out, "node-7-x\n") != NULL);
	check(strstr(out, "hostname is not set") != NULL);
}
