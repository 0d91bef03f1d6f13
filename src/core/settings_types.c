/* Setting types (how values are parsed and shown) and the standard
 * settings every dust knows by name. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <dust/netdevice.h>
#include <dust/settings.h>
#include <config/general.h>

static int put_bytes(const uint8_t *src, size_t n, uint8_t *buf, size_t len)
{
	if (buf && n <= len)
		memcpy(buf, src, n);
	return (int)n;
}

static int string_parse(const char *text, uint8_t *buf, size_t len)
{
	return put_bytes((const uint8_t *)text, strlen(text), buf, len);
}

static int string_format(const uint8_t *raw, size_t rawlen, char *buf,
			 size_t len)
{
	size_t i, n = rawlen;

	/* DHCP servers sometimes include the terminating NUL. */
	while (n && !raw[n - 1])
		n--;
	if (buf && len) {
		for (i = 0; i < n && i < len - 1; i++)
			buf[i] = isprint(raw[i]) ? (char)raw[i] : '.';
		buf[i] = 0;
	}
	return (int)n;
}

const struct setting_type setting_type_string = {
	"string", string_parse, string_format
};

static int ipv4_parse(const char *text, uint8_t *buf, size_t len)
{
	struct in_addr a;

	if (!inet_aton(text, &a))
		return -EINVAL;
	return put_bytes((const uint8_t *)&a.s_addr, 4, buf, len);
}

static int ipv4_format(const uint8_t *raw, size_t rawlen, char *buf,
		       size_t len)
{
	struct in_addr a;

	if (rawlen < 4)
		return -ERANGE;
	memcpy(&a.s_addr, raw, 4);
	return snprintf(buf, len, "%s", inet_ntoa(a));
}

const struct setting_type setting_type_ipv4 = {
	"ipv4", ipv4_parse, ipv4_format
};

static int uint_parse(const char *text, uint8_t *buf, size_t len)
{
	unsigned long v;
	uint8_t be[4];
	char *end;

	v = strtoul(text, &end, 0);
	if (*end || end == text)
		return -EINVAL;
	be[0] = (uint8_t)(v >> 24);
	be[1] = (uint8_t)(v >> 16);
	be[2] = (uint8_t)(v >> 8);
	be[3] = (uint8_t)v;
	return put_bytes(be, 4, buf, len);
}

static int uint_format(const uint8_t *raw, size_t rawlen, char *buf,
		       size_t len)
{
	unsigned long long v = 0;
	size_t i;

	if (rawlen > 8)
		return -ERANGE;
	for (i = 0; i < rawlen; i++)
		v = v << 8 | raw[i];
	return snprintf(buf, len, "%llu", v);
}

const struct setting_type setting_type_uint = {
	"uint", uint_parse, uint_format
};

static int hex_digit(int c)
{
	c = tolower(c);
	return isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* "01:02:ab" (':' or '-' between bytes, or none at all). */
static int hex_parse(const char *text, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (*text) {
		int hi = hex_digit((unsigned char)text[0]);
		int lo = hi < 0 ? -1 : hex_digit((unsigned char)text[1]);

		if (lo < 0)
			return -EINVAL;
		if (buf && n < len)
			buf[n] = (uint8_t)(hi << 4 | lo);
		n++;
		text += 2;
		if (*text == ':' || *text == '-')
			text++;
	}
	return (int)n;
}

static int hex_format(const uint8_t *raw, size_t rawlen, char *buf, size_t len)
{
	size_t i, used = 0;

	if (buf && len)
		buf[0] = 0;
	for (i = 0; i < rawlen; i++) {
		char tmp[4];

		snprintf(tmp, sizeof(tmp), i ? ":%02x" : "%02x", raw[i]);
		if (buf && used + strlen(tmp) < len)
			strcpy(buf + used, tmp);
		used += strlen(tmp);
	}
	return (int)used;
}

const struct setting_type setting_type_hex = {
	"hex", hex_parse, hex_format
};

static int uuid_parse(const char *text, uint8_t *buf, size_t len)
{
	uint8_t u[16];
	size_t n = 0;

	while (*text && n < 16) {
		int hi, lo;

		if (*text == '-') {
			text++;
			continue;
		}
		hi = hex_digit((unsigned char)text[0]);
		lo = hi < 0 ? -1 : hex_digit((unsigned char)text[1]);
		if (lo < 0)
			return -EINVAL;
		u[n++] = (uint8_t)(hi << 4 | lo);
		text += 2;
	}
	if (n != 16 || *text)
		return -EINVAL;
	return put_bytes(u, 16, buf, len);
}

static int uuid_format(const uint8_t *raw, size_t rawlen, char *buf,
		       size_t len)
{
	if (rawlen != 16)
		return hex_format(raw, rawlen, buf, len);
	return snprintf(buf, len,
			"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			"%02x%02x%02x%02x%02x%02x",
			raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6],
			raw[7], raw[8], raw[9], raw[10], raw[11], raw[12],
			raw[13], raw[14], raw[15]);
}

const struct setting_type setting_type_uuid = {
	"uuid", uuid_parse, uuid_format
};

/* ---- the standard settings */

static int derive_mac(struct settings *block, uint8_t *buf, size_t len)
{
	if (!block->netdev)
		return -ENOENT;
	return put_bytes(block->netdev->ll_addr, ETH_ALEN, buf, len);
}

static int derive_user_class(struct settings *block, uint8_t *buf, size_t len)
{
	if (block->netdev)
		return -ENOENT;
	return string_parse(CONFIG_USER_CLASS, buf, len);
}

GLOBAL_SETTING(SETTING_ORDER_NET) ip_setting = {
	"ip", "IPv4 address", &setting_type_ipv4, 50, NULL };
GLOBAL_SETTING(SETTING_ORDER_NET) netmask_setting = {
	"netmask", "subnet mask", &setting_type_ipv4, 1, NULL };
GLOBAL_SETTING(SETTING_ORDER_NET) gateway_setting = {
	"gateway", "default gateway", &setting_type_ipv4, 3, NULL };
GLOBAL_SETTING(SETTING_ORDER_NET) dns_setting = {
	"dns", "DNS server", &setting_type_ipv4, 6, NULL };
GLOBAL_SETTING(SETTING_ORDER_NET) domain_setting = {
	"domain", "DNS domain", &setting_type_string, 15, NULL };
GLOBAL_SETTING(SETTING_ORDER_NET) dhcp_server_setting = {
	"dhcp-server", "DHCP server", &setting_type_ipv4, 54, NULL };
GLOBAL_SETTING(SETTING_ORDER_NET) mac_setting = {
	"mac", "MAC address", &setting_type_hex, TAG_MAC, derive_mac };
GLOBAL_SETTING(SETTING_ORDER_BOOT) filename_setting = {
	"filename", "boot file name", &setting_type_string, 67, NULL };
GLOBAL_SETTING(SETTING_ORDER_BOOT) next_server_setting = {
	"next-server", "TFTP server", &setting_type_ipv4, TAG_SIADDR, NULL };
GLOBAL_SETTING(SETTING_ORDER_SAN) root_path_setting = {
	"root-path", "SAN root path", &setting_type_string, 17, NULL };
GLOBAL_SETTING(SETTING_ORDER_SAN) initiator_iqn_setting = {
	"initiator-iqn", "iSCSI initiator name", &setting_type_string, 0, NULL };
GLOBAL_SETTING(SETTING_ORDER_SAN) username_setting = {
	"username", "user name (CHAP)", &setting_type_string, 0, NULL };
GLOBAL_SETTING(SETTING_ORDER_SAN) password_setting = {
	"password", "password (CHAP)", &setting_type_string, 0, NULL };
GLOBAL_SETTING(SETTING_ORDER_SAN) reverse_username_setting = {
	"reverse-username", "target user name (mutual CHAP)",
	&setting_type_string, 0, NULL };
GLOBAL_SETTING(SETTING_ORDER_SAN) reverse_password_setting = {
	"reverse-password", "target password (mutual CHAP)",
	&setting_type_string, 0, NULL };
GLOBAL_SETTING(SETTING_ORDER_HOST) hostname_setting = {
	"hostname", "host name", &setting_type_string, 12, NULL };
GLOBAL_SETTING(SETTING_ORDER_HOST) user_class_setting = {
	"user-class", "DHCP user class", &setting_type_string, 77,
	derive_user_class };
SETTING(SETTING_ORDER_MISC) vendor_class_setting = {
	"vendor-class", "DHCP vendor class", &setting_type_string, 60, NULL };
SETTING(SETTING_ORDER_MISC) tftp_server_setting = {
	"tftp-server", "TFTP server name", &setting_type_string, 66, NULL };
SETTING(SETTING_ORDER_MISC) mtu_setting = {
	"mtu", "interface MTU", &setting_type_uint, 26, NULL };
