/* Settings blocks, lookup, storage and ${...} expansion (dust/settings.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/netdevice.h>
#include <dust/settings.h>

struct settings global_settings = {
	.name = "",
	.netdev = NULL,
	.values = LIST_HEAD_INIT(global_settings.values),
	.list = LIST_HEAD_INIT(global_settings.list),
};

/* The global block first, then one per device in registration order. */
static struct list_head *all_blocks(void)
{
	return &global_settings.list;
}

struct settings *settings_for_netdev(struct net_device *netdev)
{
	return netdev ? netdev->settings : &global_settings;
}

struct settings *find_settings(const char *name)
{
	struct settings *b = &global_settings;

	if (!*name)
		return b;
	list_for_each_entry(b, all_blocks(), list)
		if (!strcmp(b->name, name))
			return b;
	return strcmp(global_settings.name, name) ? NULL : &global_settings;
}

void settings_changed(void)
{
	const struct settings_observer *o;

	for_each_table_entry(o, struct settings_observer, "settings_observers")
		o->changed();
}

static int value_matches(const struct setting_value *v,
			 const struct setting *s)
{
	if (s->tag)
		return v->tag == s->tag;
	return !v->tag && !strcmp(v->name, s->name);
}

static struct setting_value *find_value(struct settings *block,
					const struct setting *s)
{
	struct setting_value *v;

	list_for_each_entry(v, &block->values, list)
		if (value_matches(v, s))
			return v;
	return NULL;
}

/* Fetch from one block: stored values win over derived ones. */
static int fetch_from(struct settings *block, const struct setting *s,
		      void *buf, size_t len)
{
	struct setting_value *v = find_value(block, s);

	if (v) {
		memcpy(buf, v->data, len < v->len ? len : v->len);
		return (int)v->len;
	}
	if (s->derive)
		return s->derive(block, buf, len);
	return -ENOENT;
}

struct settings *fetch_setting_origin(struct settings *block,
				      const struct setting *s)
{
	struct settings *b;
	uint8_t dummy;

	if (block)
		return fetch_from(block, s, &dummy, 0) >= 0 ? block : NULL;
	if (fetch_from(&global_settings, s, &dummy, 0) >= 0)
		return &global_settings;
	list_for_each_entry(b, all_blocks(), list)
		if (fetch_from(b, s, &dummy, 0) >= 0)
			return b;
	return NULL;
}

int fetch_setting(struct settings *block, const struct setting *s,
		  void *buf, size_t len)
{
	struct settings *origin = fetch_setting_origin(block, s);

	if (!origin)
		return -ENOENT;
	return fetch_from(origin, s, buf, len);
}

int fetch_string_setting(struct settings *block, const struct setting *s,
			 char *buf, size_t len)
{
	int n;

	if (!len)
		return -EINVAL;
	n = fetch_setting(block, s, buf, len - 1);
	if (n < 0) {
		buf[0] = 0;
		return n;
	}
	buf[(size_t)n < len - 1 ? (size_t)n : len - 1] = 0;
	return n;
}

char *fetch_string_setting_copy(struct settings *block,
				const struct setting *s)
{
	int n = fetch_setting(block, s, NULL, 0);
	char *str;

	if (n < 0)
		return NULL;
	str = malloc((size_t)n + 1);
	if (str)
		fetch_string_setting(block, s, str, (size_t)n + 1);
	return str;
}

int fetch_ipv4_array_setting(struct settings *block, const struct setting *s,
			     struct in_addr *addrs, unsigned int max)
{
	int n = fetch_setting(block, s, addrs, max * sizeof(*addrs));

	if (n < 0)
		return n;
	if (n < 4 || n % 4)
		return -ERANGE;
	return (size_t)n / 4 < max ? n / 4 : (int)max;
}

int fetch_ipv4_setting(struct settings *block, const struct setting *s,
		       struct in_addr *addr)
{
	int n = fetch_ipv4_array_setting(block, s, addr, 1);

	return n < 0 ? n : 0;
}

int fetch_uint_setting(struct settings *block, const struct setting *s,
		       unsigned long *value)
{
	uint8_t buf[8];
	int n = fetch_setting(block, s, buf, sizeof(buf)), i;

	if (n < 0)
		return n;
	if (n > (int)sizeof(buf))
		return -ERANGE;
	*value = 0;
	for (i = 0; i < n; i++)
		*value = *value << 8 | buf[i];
	return 0;
}

int fetchf_setting(struct settings *block, const struct setting *s,
		   char *buf, size_t len)
{
	int n = fetch_setting(block, s, NULL, 0), rc;
	uint8_t *raw;

	if (n < 0)
		return n;
	raw = malloc((size_t)n + 1);
	if (!raw)
		return -ENOMEM;
	fetch_setting(block, s, raw, (size_t)n);
	rc = s->type->format(raw, (size_t)n, buf, len);
	free(raw);
	return rc;
}

static void free_value(struct setting_value *v)
{
	list_del(&v->list);
	free(v);
}

int store_setting(struct settings *block, const struct setting *s,
		  const void *data, size_t len, unsigned int origin)
{
	struct setting_value *v;
	size_t nlen = s->tag ? 0 : strlen(s->name) + 1;

	if (!block)
		block = &global_settings;
	v = find_value(block, s);
	if (v)
		free_value(v);
	if (data) {
		v = malloc(sizeof(*v) + len + nlen);
		if (!v)
			return -ENOMEM;
		v->tag = s->tag;
		v->origin = (uint8_t)origin;
		v->len = len;
		memcpy(v->data, data, len);
		v->name = NULL;
		if (nlen) {
			char *name = (char *)v->data + len;

			memcpy(name, s->name, nlen);
			v->name = name;
		}
		list_add_tail(&v->list, &block->values);
	}
	settings_changed();
	return 0;
}

int storef_setting(struct settings *block, const struct setting *s,
		   const char *text)
{
	uint8_t *raw;
	int n, rc;

	if (!text || !*text)
		return store_setting(block, s, NULL, 0, SETTING_FROM_USER);
	n = s->type->parse(text, NULL, 0);
	if (n < 0)
		return n;
	raw = malloc((size_t)n + 1);
	if (!raw)
		return -ENOMEM;
	s->type->parse(text, raw, (size_t)n);
	rc = store_setting(block, s, raw, (size_t)n, SETTING_FROM_USER);
	free(raw);
	return rc;
}

void clear_settings(struct settings *block, unsigned int origin)
{
	struct setting_value *v, *tmp;

	list_for_each_entry_safe(v, tmp, &block->values, list)
		if (v->origin == origin)
			free_value(v);
	settings_changed();
}

/* ---- one block per network device */

static int settings_netdev_added(struct net_device *netdev)
{
	struct settings *b = zalloc(sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->name = netdev->name;
	b->netdev = netdev;
	INIT_LIST_HEAD(&b->values);
	list_add_tail(&b->list, all_blocks());
	netdev->settings = b;
	return 0;
}

static void settings_netdev_removed(struct net_device *netdev)
{
	struct settings *b = netdev->settings;
	struct setting_value *v, *tmp;

	if (!b)
		return;
	list_for_each_entry_safe(v, tmp, &b->values, list)
		free_value(v);
	list_del(&b->list);
	free(b);
	netdev->settings = NULL;
	settings_changed();
}

NET_OBSERVER(settings_observer) = {
	.name = "settings",
	.added = settings_netdev_added,
	.removed = settings_netdev_removed,
};

/* ---- names */

const struct setting *find_setting(const char *name)
{
	const struct setting *s;

	for_each_table_entry(s, struct setting, "settings")
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static const struct setting_type *const setting_types[] = {
	&setting_type_string, &setting_type_ipv4, &setting_type_uint,
	&setting_type_hex, &setting_type_uuid,
};

const struct setting_type *find_setting_type(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(setting_types); i++)
		if (!strcmp(setting_types[i]->name, name))
			return setting_types[i];
	return NULL;
}

int parse_setting_name(char *name, struct settings **block,
		       const struct setting **s, struct setting *tmp)
{
	const struct setting_type *type = NULL;
	const struct setting *def;
	char *colon, *slash;

	*block = NULL;
	slash = strchr(name, '/');
	if (slash) {
		*slash = 0;
		*block = find_settings(name);
		if (!*block)
			return -ENODEV;
		name = slash + 1;
	}
	colon = strchr(name, ':');
	if (colon) {
		*colon = 0;
		type = find_setting_type(colon + 1);
		if (!type)
			return -ENOTSUP;
	}
	if (!*name)
		return -EINVAL;
	def = find_setting(name);
	if (def && !type) {
		*s = def;
		return 0;
	}
	memset(tmp, 0, sizeof(*tmp));
	if (def) {
		/* A typed view of a defined setting: same value, other type. */
		*tmp = *def;
	} else if (isdigit((unsigned char)name[0])) {
		char *end;
		unsigned long tag = strtoul(name, &end, 10);

		if (*end || !tag || tag > 254)
			return -EINVAL;
		tmp->name = name;
		tmp->tag = (unsigned int)tag;
		tmp->type = &setting_type_hex;
	} else {
		tmp->name = name;
		tmp->type = &setting_type_string;
	}
	if (type)
		tmp->type = type;
	*s = tmp;
	return 0;
}

/* ---- expansion */

struct strbuf {
	char *s;
	size_t len, cap;
};

static int strbuf_grow(struct strbuf *b, size_t more)
{
	char *n;

	if (b->len + more + 1 <= b->cap)
		return 0;
	n = realloc(b->s, b->len + more + 64);
	if (!n)
		return -ENOMEM;
	b->s = n;
	b->cap = b->len + more + 64;
	return 0;
}

static int strbuf_add(struct strbuf *b, const char *data, size_t n)
{
	if (strbuf_grow(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = 0;
	return 0;
}

/* Append the text of setting reference `ref` (the part inside ${}). */
static int strbuf_add_setting(struct strbuf *b, const char *ref, size_t n)
{
	char name[64];
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	int vlen;

	if (n >= sizeof(name))
		return 0;
	memcpy(name, ref, n);
	name[n] = 0;
	if (parse_setting_name(name, &block, &s, &tmp))
		return 0;
	vlen = fetchf_setting(block, s, NULL, 0);
	if (vlen <= 0)
		return 0;
	if (strbuf_grow(b, (size_t)vlen))
		return -ENOMEM;
	fetchf_setting(block, s, b->s + b->len, (size_t)vlen + 1);
	b->len += (size_t)vlen;
	return 0;
}

char *expand_settings(const char *in)
{
	struct strbuf b = { NULL, 0, 0 };
	const char *start, *end;

	if (strbuf_add(&b, "", 0))
		return NULL;
	while ((start = strstr(in, "${")) && (end = strchr(start + 2, '}'))) {
		if (strbuf_add(&b, in, (size_t)(start - in)) ||
		    strbuf_add_setting(&b, start + 2, (size_t)(end - start - 2)))
			goto fail;
		in = end + 1;
	}
	if (strbuf_add(&b, in, strlen(in)))
		goto fail;
	return b.s;
fail:
	free(b.s);
	return NULL;
}
