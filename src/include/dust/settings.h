/* Settings: named values such as ${ip} or ${net0/root-path}.
 *
 * Values live in blocks: one global block (what `set` stores) and one per
 * network device (what DHCP learned for it, plus what `set netX/...`
 * stores).  A lookup without a scope tries the global block, then each
 * device in order, so a value set by hand overrides what DHCP said.
 *
 * A setting definition gives a value its name, a type (how it is parsed
 * and shown) and, for values that come from DHCP, the option number.
 * Every DHCP option is kept, also those without a definition: ${43} or
 * ${net0/43:hex} reach them by number.
 */
#ifndef DUST_SETTINGS_H
#define DUST_SETTINGS_H

#include <stddef.h>
#include <stdint.h>
#include <dust/in.h>
#include <dust/list.h>
#include <dust/tables.h>

struct settings;
struct net_device;

struct setting_type {
	const char *name;            /* "string", "ipv4", ... */
	/* Text to value bytes: returns the length (may exceed len, then
	 * nothing is written) or a negative error. */
	int (*parse)(const char *text, uint8_t *buf, size_t len);
	/* Value bytes to text: returns the text length (snprintf-like). */
	int (*format)(const uint8_t *raw, size_t rawlen, char *buf, size_t len);
};

extern const struct setting_type setting_type_string;
extern const struct setting_type setting_type_ipv4;
extern const struct setting_type setting_type_uint;
extern const struct setting_type setting_type_hex;
extern const struct setting_type setting_type_uuid;

/* Tags: DHCP option numbers 1..254; values from elsewhere get tags above
 * 255; 0 means "stored by name only". */
#define TAG_SIADDR     0x100   /* BOOTP siaddr: next-server */
#define TAG_MAC        0x101   /* derived: the device's MAC */
#define TAG_BUSID      0x102   /* derived: PCI location */
#define TAG_UUID       0x103   /* derived: SMBIOS system UUID */
#define TAG_MANUFACTURER 0x104
#define TAG_PRODUCT    0x105
#define TAG_SERIAL     0x106

struct setting {
	const char *name;
	const char *description;
	const struct setting_type *type;
	unsigned int tag;
	/* Derived settings compute their value from the block's device
	 * instead of storing it; returns length or -ENOENT. */
	int (*derive)(struct settings *block, uint8_t *buf, size_t len);
};
/* Ordered by `order` in `show` (two digits). */
#define SETTING(order) TABLE_ENTRY(struct setting, "settings", order)
#define GLOBAL_SETTING(order) TABLE_ENTRY_GLOBAL(struct setting, "settings", order)
#define SETTING_ORDER_NET   10
#define SETTING_ORDER_BOOT  20
#define SETTING_ORDER_SAN   30
#define SETTING_ORDER_HOST  40
#define SETTING_ORDER_MISC  50

struct setting_value {
	struct list_head list;
	unsigned int tag;
	const char *name;            /* for tag 0: the setting's name */
	uint8_t origin;              /* SETTING_FROM_* */
	size_t len;
	uint8_t data[];
};
#define SETTING_FROM_USER 0
#define SETTING_FROM_DHCP 1
#define SETTING_FROM_PROXY 2

struct settings {
	const char *name;            /* "" for the global block, else "net0" */
	struct net_device *netdev;   /* NULL for the global block */
	struct list_head values;
	struct list_head list;       /* all blocks, global first */
};

extern struct settings global_settings;

/* Standard settings other modules refer to. */
extern const struct setting ip_setting, netmask_setting, gateway_setting,
	dns_setting, domain_setting, hostname_setting, root_path_setting,
	filename_setting, next_server_setting, mac_setting, uuid_setting,
	user_class_setting, username_setting, password_setting,
	reverse_username_setting, reverse_password_setting,
	initiator_iqn_setting, dhcp_server_setting;

struct settings *settings_for_netdev(struct net_device *netdev);
struct settings *find_settings(const char *name);

/* Fetch raw bytes.  block NULL: search every block.  Returns the length
 * (which may exceed len: then only len bytes are copied) or -ENOENT. */
int fetch_setting(struct settings *block, const struct setting *s,
		  void *buf, size_t len);
/* The block a lookup would find the value in (NULL if none). */
struct settings *fetch_setting_origin(struct settings *block,
				      const struct setting *s);
int fetch_string_setting(struct settings *block, const struct setting *s,
			 char *buf, size_t len);
/* malloc'd string, or NULL when unset. */
char *fetch_string_setting_copy(struct settings *block,
				const struct setting *s);
int fetch_ipv4_setting(struct settings *block, const struct setting *s,
		       struct in_addr *addr);
/* The n-th address of a list setting (dns, gateway). */
int fetch_ipv4_array_setting(struct settings *block, const struct setting *s,
			     struct in_addr *addrs, unsigned int max);
int fetch_uint_setting(struct settings *block, const struct setting *s,
		       unsigned long *value);
/* Formatted as text per the setting's type (snprintf-like length). */
int fetchf_setting(struct settings *block, const struct setting *s,
		   char *buf, size_t len);

/* Store raw bytes (NULL/0 deletes). */
int store_setting(struct settings *block, const struct setting *s,
		  const void *data, size_t len, unsigned int origin);
/* Parse text per the setting's type and store it. */
int storef_setting(struct settings *block, const struct setting *s,
		   const char *text);
/* Remove every value of `origin` from a block (a new DHCP lease). */
void clear_settings(struct settings *block, unsigned int origin);

/* Look up "name", "netX/name", "name:type", "43", "net0/43:hex".  The
 * text is cut up in place (tmp->name may point into it).  Fills *block
 * (NULL: search all) and *s (a definition, or tmp for ad-hoc ones). */
int parse_setting_name(char *text, struct settings **block,
		       const struct setting **s, struct setting *tmp);
const struct setting *find_setting(const char *name);
const struct setting_type *find_setting_type(const char *name);

/* Expand ${name} references (unset ones become empty text).  Returns a
 * malloc'd string or NULL when out of memory. */
char *expand_settings(const char *in);

/* Something to tell when settings change (routes follow ip/netmask). */
struct settings_observer {
	void (*changed)(void);
};
#define SETTINGS_OBSERVER(name) \
	TABLE_ENTRY(struct settings_observer, "settings_observers", 50) name
void settings_changed(void);

#endif
