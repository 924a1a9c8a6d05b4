// SPDX-License-Identifier: GPL-2.0-only
/*
 * The debugfs command parser (mm/kmemleak_cmd.c): what a write to
 * /sys/kernel/debug/kmemleak may hold, as bytes with a length (not NUL
 * terminated: an exact-size copy lets ASan see a read past the end).
 */

static int parse(const char *buf, size_t len, struct kml_cmd *cmd)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, buf, len);
	cmd->op = -1;
	cmd->arg = 0xdeadbeef;
	ret = kml_parse_cmd(copy, len, cmd);
	free(copy);
	return ret;
}

struct parse_case {
	const char *s;
	size_t len;
	int ret;
	enum kml_cmd_op op;
	unsigned long arg;
};

/* String literals may hold NULs: the length comes from sizeof. */
#define OK(s, op, arg)	{ s, sizeof(s) - 1, 0, op, arg }
#define BAD(s)		{ s, sizeof(s) - 1, -EINVAL, 0, 0 }

static const struct parse_case parse_cases[] = {
	/* the commands */
	OK("scan", KML_CMD_SCAN, 0),
	OK("clear", KML_CMD_CLEAR, 0),
	OK("off", KML_CMD_OFF, 0),
	OK("stack=on", KML_CMD_STACK_ON, 0),
	OK("stack=off", KML_CMD_STACK_OFF, 0),
	OK("scan=on", KML_CMD_SCAN_ON, 0),
	OK("scan=off", KML_CMD_SCAN_OFF, 0),

	/* scan=<secs>: kstrtouint(), base 0 */
	OK("scan=0", KML_CMD_SCAN_SECS, 0),
	OK("scan=0\n", KML_CMD_SCAN_SECS, 0),
	OK("scan=600", KML_CMD_SCAN_SECS, 600),
	OK("scan=600\n", KML_CMD_SCAN_SECS, 600),
	OK("scan=0x10", KML_CMD_SCAN_SECS, 16),
	OK("scan=0X10\n", KML_CMD_SCAN_SECS, 16),
	OK("scan=010", KML_CMD_SCAN_SECS, 8),
	OK("scan=+5", KML_CMD_SCAN_SECS, 5),
	OK("scan=4294967295", KML_CMD_SCAN_SECS, 4294967295UL),
	OK("scan=5\0\0", KML_CMD_SCAN_SECS, 5),
	OK("scan=5 \n", KML_CMD_SCAN_SECS, 5),
	BAD("scan=4294967296"),
	BAD("scan=99999999999999999999999"),
	BAD("scan=-1"),
	BAD("scan=0x"),
	BAD("scan=09"),
	BAD("scan=5x"),
	BAD("scan=5 5"),
	BAD("scan= 5"),
	BAD("scan =5"),
	BAD("scan="),
	BAD("scan=\n"),
	BAD("scan=on5"),
	BAD("scan=onx"),
	BAD("scan=ON"),

	/* dump=<address>: kstrtoul(), base 0 */
	OK("dump=0xffff888012345678", KML_CMD_DUMP, 0xffff888012345678UL),
	OK("dump=0xffff888012345678\n", KML_CMD_DUMP, 0xffff888012345678UL),
	OK("dump=4096", KML_CMD_DUMP, 4096),
	OK("dump=4096\n", KML_CMD_DUMP, 4096),
	OK("dump=0", KML_CMD_DUMP, 0),
	OK("dump=18446744073709551615", KML_CMD_DUMP, ULONG_MAX),
	OK("dump=0xFFFFFFFFFFFFFFFF", KML_CMD_DUMP, ULONG_MAX),
	BAD("dump=18446744073709551616"),
	BAD("dump=0x10000000000000000"),
	BAD("dump=-1"),
	BAD("dump=0xg"),
	BAD("dump=ffff"),
	BAD("dump="),
	BAD("dump=\n"),
	BAD("dump"),
	BAD("dump 0x10"),
	BAD("dump=1\0 2"),

	/* refs=<address>: as dump= */
	OK("refs=0xffff888012345678\n", KML_CMD_REFS, 0xffff888012345678UL),
	OK("refs=4096", KML_CMD_REFS, 4096),
	BAD("refs=0x10000000000000000"),
	BAD("refs=-1"),
	BAD("refs="),
	BAD("refs"),
	BAD("refs 0x10"),

	/* suppress=<function>, unsuppress=<function>: names kallsyms has */
	OK("suppress=kmalloc_trace", KML_CMD_SUPPRESS, 0),
	OK("suppress=foo.isra.0\n", KML_CMD_SUPPRESS, 0),
	OK("suppress=_$x9.cold", KML_CMD_SUPPRESS, 0),
	OK("unsuppress=kmalloc_trace", KML_CMD_UNSUPPRESS, 0),
	OK("unsuppress=f\n", KML_CMD_UNSUPPRESS, 0),
	BAD("suppress="),
	BAD("suppress=\n"),
	BAD("suppress"),
	BAD("suppress=foo bar"),
	BAD("suppress=foo+0x10"),
	BAD("suppress=caf\xe9"),	/* Latin-1: isalnum() takes it */
	BAD("suppress=foo/bar"),
	BAD("suppress= foo"),
	BAD("suppress=fo\0o"),
	BAD("unsuppress="),
	BAD("unsuppress=foo[mod]"),

	/* everything else */
	BAD(""),
	BAD("\n"),
	BAD("\0"),
	BAD(" \n\0"),
	BAD("scanx"),
	BAD("scan x"),
	BAD("xscan"),
	BAD(" scan"),
	BAD("\nscan"),
	BAD("SCAN"),
	BAD("Scan"),
	BAD("sca"),
	BAD("stack="),
	BAD("stack=1"),
	BAD("stack=on\nscan"),
	BAD("clearx"),
	BAD("of"),
	BAD("off=1"),
	BAD("scan\0x"),
	BAD("\0scan"),
	BAD("sc\0an"),
};

static void test_parse_table(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct kml_cmd cmd;
		int ret = parse(c->s, c->len, &cmd);

		if (ret != c->ret ||
		    (!ret && (cmd.op != c->op || cmd.arg != c->arg)))
			t_fail("case %u (\"%.*s\", %zu bytes): %d op %d arg %#lx, want %d op %d arg %#lx",
			       i, (int)c->len, c->s, c->len, ret, cmd.op,
			       cmd.arg, c->ret, c->op, c->arg);
	}
}

/* Every command with every tail of whitespace and NULs. */
static void test_parse_tails(void)
{
	static const struct { const char *s; size_t len; } tails[] = {
#define TAIL(s)	{ s, sizeof(s) - 1 }
		TAIL(""), TAIL("\n"), TAIL("\0"), TAIL("\n\0"),
		TAIL("\0\0\0"), TAIL(" "), TAIL("\t\n"), TAIL("\r\n"),
		TAIL("\n\n"), TAIL("  \n\0 "), TAIL("\v\f"),
		TAIL("\xa0"),	/* a space to the kernel's isspace() */
#undef TAIL
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];

		if (c->ret)
			continue;
		for (j = 0; j < ARRAY_SIZE(tails); j++) {
			char buf[80];
			struct kml_cmd cmd;
			int ret;

			memcpy(buf, c->s, c->len);
			memcpy(buf + c->len, tails[j].s, tails[j].len);
			ret = parse(buf, c->len + tails[j].len, &cmd);
			if (ret || cmd.op != c->op || cmd.arg != c->arg)
				t_fail("\"%.*s\" + tail %u: %d op %d arg %#lx",
				       (int)c->len, c->s, j, ret, cmd.op,
				       cmd.arg);
		}
	}
}

/* KML_CMD_MAX (63) characters is the longest command, tail excluded. */
static void test_parse_lengths(void)
{
	struct kml_cmd cmd;
	char buf[200];

	memset(buf, '0', sizeof(buf));
	memcpy(buf, "dump=0x", 7);
	buf[KML_CMD_MAX - 1] = '1';
	CHECK_EQ(parse(buf, KML_CMD_MAX, &cmd), 0);
	CHECK(cmd.op == KML_CMD_DUMP && cmd.arg == 1);
	buf[KML_CMD_MAX] = '\n';
	CHECK_EQ(parse(buf, KML_CMD_MAX + 1, &cmd), 0);
	CHECK(cmd.op == KML_CMD_DUMP && cmd.arg == 1);
	buf[KML_CMD_MAX - 1] = '0';
	buf[KML_CMD_MAX] = '1';
	CHECK_EQ(parse(buf, KML_CMD_MAX + 1, &cmd), -EINVAL);

	/* KML_CMD_MAX + 1 characters and more, with or without a newline */
	memset(buf, 'a', sizeof(buf));
	CHECK_EQ(parse(buf, KML_CMD_MAX + 1, &cmd), -EINVAL);
	CHECK_EQ(parse(buf, KML_CMD_MAX, &cmd), -EINVAL);
	CHECK_EQ(parse(buf, sizeof(buf), &cmd), -EINVAL);
	memcpy(buf, "scan=1", 6);
	memset(buf + 6, '0', sizeof(buf) - 6);
	CHECK_EQ(parse(buf, KML_CMD_MAX + 1, &cmd), -EINVAL);
	CHECK_EQ(parse(buf, KML_CMD_MAX, &cmd), -EINVAL);	/* out of range */
	memcpy(buf, "scan=0", 6);
	CHECK_EQ(parse(buf, KML_CMD_MAX, &cmd), 0);
	CHECK_EQ(parse(buf, KML_CMD_MAX + 1, &cmd), -EINVAL);
	buf[KML_CMD_MAX] = '\n';
	CHECK_EQ(parse(buf, KML_CMD_MAX + 1, &cmd), 0);
	/* function names up to KML_SYM_MAX - 1 characters */
	memcpy(buf, "unsuppress=", 11);
	memset(buf + 11, 'f', KML_SYM_MAX);
	CHECK_EQ(parse(buf, 11 + KML_SYM_MAX - 1, &cmd), 0);
	CHECK_EQ(strlen(cmd.sym), KML_SYM_MAX - 1);
	CHECK_EQ(parse(buf, 11 + KML_SYM_MAX, &cmd), -EINVAL);
	/* only trailing whitespace is dropped, whatever the length */
	memcpy(buf, "scan", 4);
	memset(buf + 4, ' ', sizeof(buf) - 4);
	CHECK_EQ(parse(buf, sizeof(buf), &cmd), 0);
	CHECK_EQ(cmd.op, KML_CMD_SCAN);
}

/* The function name comes back whole, without the tail. */
static void test_parse_sym(void)
{
	struct kml_cmd cmd;

	CHECK_EQ(parse("suppress=foo.isra.0 \n", 21, &cmd), 0);
	CHECK(!strcmp(cmd.sym, "foo.isra.0"));
	CHECK_EQ(parse("unsuppress=x", 12, &cmd), 0);
	CHECK(!strcmp(cmd.sym, "x"));
}

static const struct t_case parser_tests[] = {
	{ "parse_table", test_parse_table },
	{ "parse_tails", test_parse_tails },
	{ "parse_lengths", test_parse_lengths },
	{ "parse_sym", test_parse_sym },
};
