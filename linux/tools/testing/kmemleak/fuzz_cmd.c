// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the debugfs command parser (mm/kmemleak_cmd.c).
 *
 * Whatever a write holds, kml_parse_cmd() must either reject it with
 * -EINVAL or return the command that the grammar documented in
 * Documentation/dev-tools/kmemleak.rst gives, and never read outside the
 * bytes it was handed (the input is an exact-size buffer under ASan).
 * The grammar is read a second time below, as a plain specification that
 * shares no code with the parser: the two must agree on every input.
 */
#include "kmemleak_internal.h"

#include "../../../mm/kmemleak_cmd.c"

#include <stdint.h>

/*
 * A number as kstrtoul(s, 0, ...) takes it: an optional '+', then "0x"
 * and hex digits, a '0' and octal digits, or decimal digits; no more than
 * @max.
 */
static bool spec_number(const char *s, unsigned long long max,
			unsigned long long *val)
{
	unsigned int base = 10, d;
	unsigned __int128 v = 0;

	if (*s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit(s[2])) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		v = v * base + d;
		if (v > max)
			return false;
	}
	*val = v;
	return true;
}

/* A function name: 1 to KML_SYM_MAX - 1 of [A-Za-z0-9_.$]. */
static bool spec_symbol(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= KML_SYM_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.$") == n;
}

/* The command @buf holds by the grammar; false if it holds none. */
static bool spec_parse(const uint8_t *buf, size_t len, struct kml_cmd *cmd)
{
	static const char * const plain[] = {
		[KML_CMD_SCAN] = "scan", [KML_CMD_CLEAR] = "clear",
		[KML_CMD_OFF] = "off", [KML_CMD_STACK_ON] = "stack=on",
		[KML_CMD_STACK_OFF] = "stack=off", [KML_CMD_SCAN_ON] = "scan=on",
		[KML_CMD_SCAN_OFF] = "scan=off",
	};
	static const struct {
		const char *prefix;
		enum kml_cmd_op op;
		unsigned long long max;	/* 0: a function name */
	} args[] = {
		{ "scan=", KML_CMD_SCAN_SECS, UINT_MAX },
		{ "dump=", KML_CMD_DUMP, ULONG_MAX },
		{ "refs=", KML_CMD_REFS, ULONG_MAX },
		{ "suppress=", KML_CMD_SUPPRESS, 0 },
		{ "unsuppress=", KML_CMD_UNSUPPRESS, 0 },
	};
	char s[KML_CMD_MAX + 1];
	unsigned long long v;
	size_t i, n;

	/* trailing whitespace (the kernel's isspace()) and NULs do not count */
	while (len && (!buf[len - 1] || isspace(buf[len - 1])))
		len--;
	if (!len || len > KML_CMD_MAX || memchr(buf, 0, len))
		return false;
	memcpy(s, buf, len);
	s[len] = 0;

	memset(cmd, 0, sizeof(*cmd));
	for (i = 0; i < ARRAY_SIZE(plain); i++) {
		if (!strcmp(s, plain[i])) {
			cmd->op = i;
			return true;
		}
	}
	for (i = 0; i < ARRAY_SIZE(args); i++) {
		n = strlen(args[i].prefix);
		if (strncmp(s, args[i].prefix, n))
			continue;
		cmd->op = args[i].op;
		if (!args[i].max) {
			if (!spec_symbol(s + n))
				return false;
			strcpy(cmd->sym, s + n);
			return true;
		}
		if (!spec_number(s + n, args[i].max, &v))
			return false;
		cmd->arg = v;
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kml_cmd got, want;
	bool valid;
	int ret;

	memset(&got, 0xa5, sizeof(got));
	ret = kml_parse_cmd((const char *)data, size, &got);
	valid = spec_parse(data, size, &want);
	if (ret != (valid ? 0 : -EINVAL))
		SHIM_BUG("kml_parse_cmd() returned %d, the grammar says %s",
			 ret, valid ? "valid" : "-EINVAL");
	if (!valid)
		return 0;
	if (got.op != want.op)
		SHIM_BUG("op %d, the grammar says %d", got.op, want.op);
	switch (want.op) {
	case KML_CMD_SCAN_SECS:
	case KML_CMD_DUMP:
	case KML_CMD_REFS:
		if (got.arg != want.arg)
			SHIM_BUG("argument %lu, the grammar says %lu",
				 got.arg, want.arg);
		break;
	case KML_CMD_SUPPRESS:
	case KML_CMD_UNSUPPRESS:
		if (strcmp(got.sym, want.sym))
			SHIM_BUG("function '%.*s', the grammar says '%s'",
				 KML_SYM_MAX, got.sym, want.sym);
		break;
	default:
		break;
	}
	return 0;
}
