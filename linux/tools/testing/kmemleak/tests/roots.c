// SPDX-License-Identifier: GPL-2.0-only
/*
 * Static roots (mm/kmemleak_scan.c): kml_add_root() and kml_cut_roots(),
 * the ranges a scan then reads, and the core's own data left out.
 */

struct t_range {
	unsigned long start, end;
};

#define R(s, e)		{ 0x##s##000UL, 0x##e##000UL }
#define NO_RANGE	{ 0, 0 }

/*
 * The roots as a sorted list of disjoint, non-adjacent ranges (adjacent
 * ones merged): what a scan reads, whatever the representation.
 */
static int roots_now(struct t_range *out, int max)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < kml_nr_roots; i++) {
		if (kml_roots[i].start >= kml_roots[i].end)
			t_fail("empty root %u", i);
		if (i && kml_roots[i].start < kml_roots[i - 1].end)
			t_fail("roots %u and %u unsorted or overlapping",
			       i - 1, i);
		if (n && out[n - 1].end == kml_roots[i].start) {
			out[n - 1].end = kml_roots[i].end;
			continue;
		}
		if (n == max)
			abort();
		out[n].start = kml_roots[i].start;
		out[n++].end = kml_roots[i].end;
	}
	return n;
}

static void check_roots(const char *file, int line, const char *what,
			const struct t_range *want)
{
	struct t_range got[KML_MAX_ROOTS];
	int n = roots_now(got, KML_MAX_ROOTS), i, nwant;

	for (nwant = 0; want[nwant].end; nwant++)
		;
	for (i = 0; i < n && i < nwant; i++)
		if (got[i].start != want[i].start || got[i].end != want[i].end)
			break;
	if (i == n && n == nwant)
		return;
	t_fail_at(file, line, "%s: roots differ", what);
	for (i = 0; i < n; i++)
		printf("#   got  [%#lx, %#lx)\n", got[i].start, got[i].end);
	for (i = 0; i < nwant; i++)
		printf("#   want [%#lx, %#lx)\n", want[i].start, want[i].end);
}

/* Cut every root; false if the roots would not go. */
static bool clear_roots(void)
{
	int i;

	for (i = 0; i < KML_MAX_ROOTS && kml_nr_roots; i++)
		kml_cut_roots(kml_roots[0].start, kml_roots[0].end);
	if (!kml_nr_roots)
		return true;
	t_fail("%u roots left after cutting them all", kml_nr_roots);
	return false;
}

/*
 * Cuts of every shape, from the roots [0x10000, 0x20000) and [0x30000,
 * 0x40000) (fake addresses: nothing is scanned here).
 */
static void test_roots_cut(void)
{
	static const struct {
		const char *what;
		struct t_range cut;
		bool ret;
		struct t_range want[4];
	} c[] = {
		{ "hole in the middle", R(14, 18), true,
		  { R(10, 14), R(18, 20), R(30, 40), NO_RANGE } },
		{ "at the start", R(10, 14), true,
		  { R(14, 20), R(30, 40), NO_RANGE } },
		{ "at the end", R(1c, 20), true,
		  { R(10, 1c), R(30, 40), NO_RANGE } },
		{ "over the start", R(08, 14), true,
		  { R(14, 20), R(30, 40), NO_RANGE } },
		{ "over the end", R(3c, 48), true,
		  { R(10, 20), R(30, 3c), NO_RANGE } },
		{ "whole", R(10, 20), true, { R(30, 40), NO_RANGE } },
		{ "whole and more", R(08, 28), true,
		  { R(30, 40), NO_RANGE } },
		{ "overlapping two roots", R(18, 38), true,
		  { R(10, 18), R(38, 40), NO_RANGE } },
		{ "both whole", R(00, 50), true, { NO_RANGE } },
		{ "one byte", { 0x10000, 0x10001 }, true,
		  { { 0x10001, 0x20000 }, R(30, 40), NO_RANGE } },
		{ "between them", R(20, 30), false,
		  { R(10, 20), R(30, 40), NO_RANGE } },
		{ "below", R(00, 10), false,
		  { R(10, 20), R(30, 40), NO_RANGE } },
		{ "above", R(40, 50), false,
		  { R(10, 20), R(30, 40), NO_RANGE } },
		{ "empty", R(14, 14), false,
		  { R(10, 20), R(30, 40), NO_RANGE } },
		{ "reversed", R(18, 14), false,
		  { R(10, 20), R(30, 40), NO_RANGE } },
	};
	struct t_range base = R(10, 20), base2 = R(30, 40);
	unsigned int i;

	/* rootbuf is a root of every test: start from none */
	CHECK(kml_cut_roots(A(rootbuf), A(rootbuf + ARRAY_SIZE(rootbuf))));
	CHECK_EQ(kml_nr_roots, 0);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		if (!clear_roots())
			return;
		kml_add_root(base2.start, base2.end);
		kml_add_root(base.start, base.end);
		if (kml_cut_roots(c[i].cut.start, c[i].cut.end) != c[i].ret)
			t_fail("%s: kml_cut_roots() did not return %d",
			       c[i].what, c[i].ret);
		check_roots(__FILE__, __LINE__, c[i].what, c[i].want);
	}

	/* adding over existing roots adds what is new */
	if (!clear_roots())
		return;
	kml_add_root(0x30000, 0x40000);
	kml_add_root(0x10000, 0x20000);
	kml_add_root(0x18000, 0x38000);
	check_roots(__FILE__, __LINE__, "add over two", (const struct t_range[]){
		R(10, 40), NO_RANGE });
	kml_add_root(0x20000, 0x10000);		/* reversed: nothing */
	kml_add_root(0x50000, 0x50000);		/* empty: nothing */
	check_roots(__FILE__, __LINE__, "add nothing", (const struct t_range[]){
		R(10, 40), NO_RANGE });
	/* many holes in one root */
	for (i = 0; i < 8; i++)
		CHECK(kml_cut_roots(0x11000 + i * 0x2000,
				    0x12000 + i * 0x2000));
	check_roots(__FILE__, __LINE__, "eight holes", (const struct t_range[]){
		R(10, 11), R(12, 13), R(14, 15), R(16, 17), R(18, 19),
		R(1a, 1b), R(1c, 1d), R(1e, 1f), R(20, 40), NO_RANGE });
}

/* A block referenced only from a part that was cut is reported. */
static void test_roots_cut_scan(void)
{
	unsigned long *root = calloc(64, sizeof(long));
	unsigned long *b0 = blk("b0-at-start", 64, 1);
	unsigned long *b1 = blk("b1-in-middle", 64, 1);
	unsigned long *b2 = blk("b2-kept", 64, 1);
	unsigned long *b3 = blk("b3-at-end", 64, 1);

	root[0] = A(b0);
	root[20] = A(b1);
	root[40] = A(b2);
	root[63] = A(b3);
	kml_add_root(A(root), A(root + 64));
	age();
	scan();
	LISTED();
	/* each is reported by the second scan that finds it unreferenced */
	CHECK(kml_cut_roots(A(root + 16), A(root + 32)));
	scan();
	REPORTS();
	scan();
	REPORTS(b1,);
	CHECK(kml_cut_roots(A(root), A(root + 8)));
	CHECK(kml_cut_roots(A(root + 56), A(root + 64)));
	scan();
	scan();
	REPORTS(b0, b3,);
	/* a cut range is never read again: ASan would see it */
	CHECK(kml_cut_roots(A(root), A(root + 64)));
	CHECK(!kml_cut_roots(A(root), A(root + 64)));
	free(root);
	scan();
	scan();
	REPORTS(b2,);
	LISTED(b0, b1, b2, b3,);
}

/*
 * The core's bounds of the tracked blocks (kml_spans) point into the
 * lowest and highest ones: as part of a root, they would keep those two
 * from ever being reported.
 */
static void test_roots_spans(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long c = pcpu(64, 1);
	unsigned int before = kml_nr_roots;
	unsigned long *lo, *hi;

	lo = A(a) < A(b) ? a : b;
	hi = A(a) < A(b) ? b : a;
	CHECK_EQ(kml_spans[KML_VIRT].lo, A(lo));
	CHECK_EQ(kml_spans[KML_VIRT].hi, A(hi) + 63);
	CHECK_EQ(kml_spans[KML_PERCPU].lo, c);
	kml_add_root(A(kml_spans), A(kml_spans + ARRAY_SIZE(kml_spans)));
	CHECK_EQ(kml_nr_roots, before);
	age();
	scan();
	REPORTS(a, b, (void *)c,);
}

static const struct t_case roots_tests[] = {
	{ "roots_cut", test_roots_cut },
	{ "roots_cut_scan", test_roots_cut_scan },
	{ "roots_spans", test_roots_spans },
};
