/* Settings commands: set, show, clear. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dust/command.h>
#include <dust/settings.h>

/* Print one value: "net0/ip:ipv4 = 192.0.2.100". */
static void show_value(struct settings *block, const struct setting *s)
{
	char buf[256];

	if (fetchf_setting(block, s, buf, sizeof(buf)) < 0)
		return;
	printf("%s%s%s:%s = %s\n", block->name, *block->name ? "/" : "",
	       s->name, s->type->name, buf);
}

static void show_block(struct settings *block)
{
	const struct setting *s;
	struct setting_value *v;
	struct setting tmp;
	char name[8];

	for_each_table_entry(s, struct setting, "settings")
		if (fetch_setting(block, s, NULL, 0) >= 0)
			show_value(block, s);
	/* Values with no definition: DHCP options by number, and names a
	 * user made up. */
	list_for_each_entry(v, &block->values, list) {
		int defined = 0;

		for_each_table_entry(s, struct setting, "settings")
			if (v->tag ? s->tag == v->tag : !strcmp(s->name, v->name))
				defined = 1;
		if (defined)
			continue;
		memset(&tmp, 0, sizeof(tmp));
		tmp.tag = v->tag;
		tmp.type = v->tag ? &setting_type_hex : &setting_type_string;
		if (v->tag) {
			snprintf(name, sizeof(name), "%u", v->tag);
			tmp.name = name;
		} else {
			tmp.name = v->name;
		}
		show_value(block, &tmp);
	}
}

static int show_exec(int argc, char **argv)
{
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	int rc;

	if (argc == 1) {
		show_block(&global_settings);
		list_for_each_entry(block, &global_settings.list, list)
			show_block(block);
		return 0;
	}
	if (argc != 2)
		return command_usage(find_command("show"));
	/* "show net0" or "show net0/": every value of that block. */
	block = find_settings(argv[1]);
	if (!block && argv[1][strlen(argv[1]) - 1] == '/') {
		argv[1][strlen(argv[1]) - 1] = 0;
		block = find_settings(argv[1]);
	}
	if (block && *argv[1]) {
		show_block(block);
		return 0;
	}
	rc = parse_setting_name(argv[1], &block, &s, &tmp);
	if (rc)
		return command_error("show", rc, argv[1]);
	block = fetch_setting_origin(block, s);
	if (!block) {
		printf("show: %s is not set\n", s->name);
		return -ENOENT;
	}
	show_value(block, s);
	return 0;
}

COMMAND(show_cmd) = {
	.name = "show",
	.usage = "[NAME | netX]  show settings (all of them without NAME)",
	.exec = show_exec,
};

static int set_exec(int argc, char **argv)
{
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	char *value = NULL;
	size_t len = 0;
	int i, rc;

	if (argc < 2)
		return command_usage(find_command("set"));
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (argc > 2) {
		value = zalloc(len);
		if (!value)
			return -ENOMEM;
		for (i = 2; i < argc; i++) {
			strcat(value, argv[i]);
			if (i + 1 < argc)
				strcat(value, " ");
		}
	}
	rc = parse_setting_name(argv[1], &block, &s, &tmp);
	if (!rc)
		rc = storef_setting(block, s, value ? value : "");
	if (rc)
		command_error("set", rc, rc_is(rc, EINVAL_K) && value ?
			      "value not valid for this setting" : argv[1]);
	free(value);
	return rc;
}

COMMAND(set_cmd) = {
	.name = "set",
	.usage = "NAME [VALUE...]  set a setting (netX/NAME for one device)",
	.exec = set_exec,
};

static int clear_exec(int argc, char **argv)
{
	struct settings *block;
	const struct setting *s;
	struct setting tmp;
	int rc;

	if (argc != 2)
		return command_usage(find_command("clear"));
	rc = parse_setting_name(argv[1], &block, &s, &tmp);
	if (!rc)
		rc = store_setting(block, s, NULL, 0, SETTING_FROM_USER);
	if (rc)
		return command_error("clear", rc, argv[1]);
	return 0;
}

COMMAND(clear_cmd) = {
	.name = "clear",
	.usage = "NAME  remove a setting",
	.exec = clear_exec,
};
