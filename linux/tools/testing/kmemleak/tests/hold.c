// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded work under a lock: with a shard lock (or the roots lock) held,
 * the core reads at most KML_HOLD_BYTES of memory, scanning or
 * checksumming, before it drops the lock.  The shim counts the bytes the
 * scan's loads (READ_ONCE_NOCHECK()) and crc32() read, and keeps the most
 * read within one lock hold (shim_hold_max).
 */

/* One word more than the bound: a chunk may start mid-word. */
#define HOLD_LIMIT	(KML_HOLD_BYTES + sizeof(long))

static void check_hold(const char *file, int line, const char *what)
{
	if (shim_hold_max > HOLD_LIMIT)
		t_fail_at(file, line, "%s: %lu bytes read under one lock hold, more than %lu",
		       what, shim_hold_max, (unsigned long)HOLD_LIMIT);
	shim_hold_max = 0;
}

#define BIG	(4UL << 20)

/* A multi-MB object, scanned and checksummed; a big static root. */
static void test_hold_big(void)
{
	unsigned long *g = blk("big-referenced", BIG, 1);
	unsigned long *w = blk("big-changed", BIG, 1);
	unsigned long *t = blk("t-by-referenced", 64, 1);
	unsigned long *u = blk("u-by-changed", 64, 1);
	unsigned long *root = calloc(1, 1 << 20);
	unsigned long before;

	g[BIG / sizeof(long) - 1] = A(t);
	w[BIG / sizeof(long) - 1] = A(u);
	w[100] = 1;
	root[(1 << 20) / sizeof(long) - 1] = A(g);
	kml_add_root(A(root), A(root) + (1 << 20));
	age();
	before = shim_bytes_read;
	shim_hold_max = 0;
	scan();
	/* g scanned, w checksummed and (changed) scanned, the root read */
	CHECK(shim_bytes_read - before >= 3 * BIG + (1 << 20));
	check_hold(__FILE__, __LINE__, "scan and checksum of 4 MiB objects");
	LISTED();
	/* w unchanged: reported, not scanned; u with it */
	scan();
	check_hold(__FILE__, __LINE__, "checksum of a 4 MiB object");
	REPORTS(w, u,);
	CHECK(kml_cut_roots(A(root), A(root) + (1 << 20)));
	free(root);
}

/*
 * A per-CPU object: NR_CPUS copies scanned, then checksummed.  (The core
 * at f44224e scans the copies of all CPUs under one hold, and sizes a
 * checksum chunk without the bytes the hold already read.)
 */
static void test_hold_percpu(void)
{
	unsigned long c = pcpu(3000, 1), d, flags;
	struct kmemleak_object *obj;
	int cpu;

	rootbuf[0] = c;
	age();
	shim_hold_max = 0;
	scan();
	check_hold(__FILE__, __LINE__, "scan of a per-CPU object of 3000 bytes");
	CHECK(kml_remove(KML_PERCPU, c));

	/* not scanned (no_scan), only checksummed */
	d = pcpu(10000, 1);
	for_each_possible_cpu(cpu)
		pcpu_copy(d, cpu)[cpu] = cpu + 1;
	if (CHECK(kml_lookup(KML_PERCPU, d, false, &obj, &flags))) {
		obj->flags |= KML_NO_SCAN;
		kml_unlock(obj, flags);
	}
	age();
	shim_hold_max = 0;
	scan();
	check_hold(__FILE__, __LINE__, "checksum of a per-CPU object of 10000 bytes");
	REPORTS();	/* changed */
}

/*
 * The recheck pass: objects in one shard, each checksummed whole under
 * the visit's lock hold.  (At f44224e kml_recheck() starts each object's
 * count of bytes at zero, whatever the visit's hold already read.)
 */
static void test_hold_visit(void)
{
	unsigned char *arena = aligned_alloc(REGION, REGION);
	int i;

	memset(arena, 0, REGION);
	for (i = 0; i < 8; i++) {
		struct kmemleak_object *obj;

		obj = mkobj(KML_VIRT, A(arena) + i * 4096, 4000, 1);
		obj->flags = KML_NO_SCAN;
		CHECK_EQ(track_obj(obj), 0);
		arena[i * 4096] = 1;	/* changed */
	}
	age();
	shim_hold_max = 0;
	scan();
	check_hold(__FILE__, __LINE__, "checksums of 4000-byte objects in one shard");
	REPORTS();
	free(arena);
}

static const struct t_case hold_tests[] = {
	{ "hold_big", test_hold_big },
	{ "hold_percpu", test_hold_percpu },
	{ "hold_visit", test_hold_visit },
};
