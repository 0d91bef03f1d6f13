/* SMBIOS (DMTF DSP0134): the system UUID and names from the System
 * Information structure (type 1), offered as settings. */
#include <errno.h>
#include <string.h>
#include <dust/settings.h>

struct smbios_entry32 {          /* "_SM_" entry point, DSP0134 5.2.1 */
	char anchor[4];
	uint8_t checksum;
	uint8_t len;
	uint8_t major, minor;
	uint16_t max_struct;
	uint8_t revision;
	uint8_t formatted[5];
	char dmi_anchor[5];          /* "_DMI_" */
	uint8_t dmi_checksum;
	uint16_t table_len;
	uint32_t table_addr;
	uint16_t nstructs;
	uint8_t bcd_revision;
} __packed;

struct smbios_entry64 {          /* "_SM3_" entry point, DSP0134 5.2.2 */
	char anchor[5];
	uint8_t checksum;
	uint8_t len;
	uint8_t major, minor, docrev, revision, reserved;
	uint32_t table_max;
	uint64_t table_addr;
} __packed;

struct smbios_header {
	uint8_t type;
	uint8_t len;
	uint16_t handle;
} __packed;

static const uint8_t *table;
static size_t table_len;
static unsigned int version;     /* major << 8 | minor */
static int probed;

static void smbios_probe(void)
{
	uint32_t a;

	probed = 1;
	for (a = 0xf0000; a < 0x100000; a += 16) {
		const struct smbios_entry32 *e = (const void *)(uintptr_t)a;
		const struct smbios_entry64 *e3 = (const void *)(uintptr_t)a;

		if (!memcmp(e3->anchor, "_SM3_", 5) && e3->len >= sizeof(*e3) &&
		    e3->len <= 0x20 && !byte_sum(e3, e3->len) &&
		    e3->table_addr < 0x100000000ull) {
			table = (const uint8_t *)(uintptr_t)e3->table_addr;
			table_len = e3->table_max;
			version = (unsigned int)e3->major << 8 | e3->minor;
			return;
		}
		if (!memcmp(e->anchor, "_SM_", 4) && e->len >= 0x1f &&
		    e->len <= 0x20 && !byte_sum(e, e->len) &&
		    !memcmp(e->dmi_anchor, "_DMI_", 5)) {
			table = (const uint8_t *)(uintptr_t)e->table_addr;
			table_len = e->table_len;
			version = (unsigned int)e->major << 8 | e->minor;
			return;
		}
	}
}

/* The formatted part of the first structure of `type`, and its length. */
static const uint8_t *smbios_find(uint8_t type, size_t *len)
{
	size_t off = 0;

	if (!probed)
		smbios_probe();
	while (table && off + sizeof(struct smbios_header) <= table_len) {
		const struct smbios_header *h = (const void *)(table + off);
		size_t end;

		if (h->len < sizeof(*h) || off + h->len > table_len)
			return NULL;
		if (h->type == type) {
			*len = h->len;
			return table + off;
		}
		if (h->type == 127)
			return NULL;
		/* Skip the string set, which ends with two NULs. */
		for (end = off + h->len; end + 1 < table_len; end++)
			if (!table[end] && !table[end + 1])
				break;
		off = end + 2;
	}
	return NULL;
}

/* String number n of the structure at s (1-based). */
static const char *smbios_string(const uint8_t *s, size_t len, unsigned int n)
{
	const char *p = (const char *)s + len;
	const char *end = (const char *)table + table_len;

	if (!n)
		return NULL;
	while (--n) {
		while (p < end && *p)
			p++;
		if (++p >= end || !*p)
			return NULL;
	}
	return p;
}

static int derive_uuid(struct settings *block, uint8_t *buf, size_t len)
{
	const uint8_t *s;
	uint8_t u[16];
	size_t slen;
	int i, all0 = 1, all1 = 1;

	if (block->netdev || !(s = smbios_find(1, &slen)) || slen < 0x18)
		return -ENOENT;
	memcpy(u, s + 8, 16);
	for (i = 0; i < 16; i++) {
		all0 &= !u[i];
		all1 &= u[i] == 0xff;
	}
	if (all0 || all1)
		return -ENOENT;         /* "not present" / "not set" */
	if (version >= 0x0206) {
		/* Since 2.6 the first three fields are little-endian. */
		uint8_t t;

		t = u[0]; u[0] = u[3]; u[3] = t;
		t = u[1]; u[1] = u[2]; u[2] = t;
		t = u[4]; u[4] = u[5]; u[5] = t;
		t = u[6]; u[6] = u[7]; u[7] = t;
	}
	if (buf)
		memcpy(buf, u, len < 16 ? len : 16);
	return 16;
}

static int derive_system_string(struct settings *block, uint8_t *buf,
				size_t len, unsigned int field)
{
	const uint8_t *s;
	const char *str;
	size_t slen, n;

	if (block->netdev || !(s = smbios_find(1, &slen)) || slen <= field ||
	    !(str = smbios_string(s, slen, s[field])))
		return -ENOENT;
	n = strnlen(str, 256);
	if (buf)
		memcpy(buf, str, len < n ? len : n);
	return (int)n;
}

static int derive_manufacturer(struct settings *b, uint8_t *buf, size_t len)
{
	return derive_system_string(b, buf, len, 4);
}

static int derive_product(struct settings *b, uint8_t *buf, size_t len)
{
	return derive_system_string(b, buf, len, 5);
}

static int derive_serial(struct settings *b, uint8_t *buf, size_t len)
{
	return derive_system_string(b, buf, len, 7);
}

GLOBAL_SETTING(SETTING_ORDER_HOST) uuid_setting = {
	"uuid", "system UUID (SMBIOS)", &setting_type_uuid, TAG_UUID,
	derive_uuid };
SETTING(SETTING_ORDER_HOST) manufacturer_setting = {
	"manufacturer", "system manufacturer", &setting_type_string, TAG_MANUFACTURER,
	derive_manufacturer };
SETTING(SETTING_ORDER_HOST) product_setting = {
	"product", "system product name", &setting_type_string, TAG_PRODUCT,
	derive_product };
SETTING(SETTING_ORDER_HOST) serial_setting = {
	"serial", "system serial number", &setting_type_string, TAG_SERIAL,
	derive_serial };
