// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kmemleak commands: parsing what is written to /sys/kernel/debug/kmemleak.
 */

#include "kmemleak_core.h"

static const struct {
	const char *name;
	enum kml_cmd_op op;
} kml_plain_cmds[] = {
	{ "scan",	KML_CMD_SCAN },
	{ "clear",	KML_CMD_CLEAR },
	{ "off",	KML_CMD_OFF },
	{ "stack=on",	KML_CMD_STACK_ON },
	{ "stack=off",	KML_CMD_STACK_OFF },
	{ "scan=on",	KML_CMD_SCAN_ON },
	{ "scan=off",	KML_CMD_SCAN_OFF },
};

/*
 * A function name as kallsyms spells it: "foo", "foo.isra.0", "foo.cold".
 * ASCII only: isalnum() also takes the Latin-1 letters.
 */
static int kml_parse_sym(const char *s, struct kml_cmd *cmd)
{
	size_t i, len = strlen(s);

	if (!len || len >= sizeof(cmd->sym))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isascii(s[i]) ||
		    (!isalnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '$'))
			return -EINVAL;
	memcpy(cmd->sym, s, len + 1);
	cmd->arg = 0;
	return 0;
}

/**
 * kml_parse_cmd - parse one command written to the debugfs file
 * @buf: command bytes, not NUL terminated
 * @len: number of bytes
 * @cmd: result
 *
 * Trailing whitespace and NULs are ignored; anything else must match a
 * command exactly.
 *
 * Return: 0 or -EINVAL.
 */
int kml_parse_cmd(const char *buf, size_t len, struct kml_cmd *cmd)
{
	char s[KML_CMD_MAX + 1];
	unsigned int secs;
	size_t i, n;

	while (len && (!buf[len - 1] || isspace(buf[len - 1])))
		len--;
	if (!len || len > KML_CMD_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(s, buf, len);
	s[len] = '\0';

	for (i = 0; i < ARRAY_SIZE(kml_plain_cmds); i++) {
		if (!strcmp(s, kml_plain_cmds[i].name)) {
			cmd->op = kml_plain_cmds[i].op;
			cmd->arg = 0;
			return 0;
		}
	}
	n = str_has_prefix(s, "scan=");
	if (n) {
		if (kstrtouint(s + n, 0, &secs))
			return -EINVAL;
		cmd->op = KML_CMD_SCAN_SECS;
		cmd->arg = secs;
		return 0;
	}
	n = str_has_prefix(s, "dump=");
	if (n) {
		if (kstrtoul(s + n, 0, &cmd->arg))
			return -EINVAL;
		cmd->op = KML_CMD_DUMP;
		return 0;
	}
	n = str_has_prefix(s, "refs=");
	if (n) {
		if (kstrtoul(s + n, 0, &cmd->arg))
			return -EINVAL;
		cmd->op = KML_CMD_REFS;
		return 0;
	}
	n = str_has_prefix(s, "suppress=");
	if (n) {
		cmd->op = KML_CMD_SUPPRESS;
		return kml_parse_sym(s + n, cmd);
	}
	n = str_has_prefix(s, "unsuppress=");
	if (n) {
		cmd->op = KML_CMD_UNSUPPRESS;
		return kml_parse_sym(s + n, cmd);
	}
	return -EINVAL;
}

