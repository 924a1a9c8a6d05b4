// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace unit tests of the kmemleak core, mm/kmemleak_core.c.
 *
 * Like tools/testing/vma: kmemleak_internal.h stands in for the kernel
 * header of the same name, and the core source is included whole, so its
 * static functions and data are reachable from the tests.
 *
 * This file provides the hooks the glue (mm/kmemleak.c) provides in the
 * kernel: roots are buffers the tests register, kml_report_new() records
 * what a scan reports, kml_free_meta() frees and counts metadata.  Tracked
 * blocks are malloc()ed, so AddressSanitizer catches the core reading past
 * a block or after it was freed.
 *
 * Each test runs in a child process; the program prints TAP.
 * Usage: kmemleak [-l] [TEST...]   (KMEMLEAK_NOFORK=1: run in-process)
 */
#include "kmemleak_internal.h"

#include "../../../mm/kmemleak_core.c"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

__thread int kml_test_lock_depth;
__thread char kml_test_self;
unsigned long kml_test_pcpu_offset[KML_TEST_NR_CPUS];
unsigned long min_low_pfn, max_low_pfn, kml_test_phys_offset;

/* ---------------------------------------------------------------- checks */

static int t_fails;

static void __attribute__((format(printf, 2, 3)))
t_fail(int line, const char *fmt, ...)
{
	va_list ap;

	printf("# line %d: ", line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	t_fails++;
}

#define CHECK(cond)							\
	((cond) ? true : (t_fail(__LINE__, "CHECK(%s) failed", #cond), false))

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		t_fail(__LINE__, "%s == %s: got %lld (%#llx), want %lld (%#llx)", \
		       #a, #b, _a, _a, _b, _b);				\
} while (0)

/* ------------------------------------------------------ test environment */

#define VBASE		0x100000000000UL	/* fake virtual addresses */
#define REGION		(1UL << KML_REGION_SHIFT)
#define PCPU_BASE	0x10000000UL		/* fake per-CPU cookies */
#define PCPU_UNIT	4096UL
#define PHYS_BASE	0x80000000UL		/* fake physical range */
#define PHYS_PAGES	4
#define PHYS_LOWMEM	2			/* pages of lowmem */
#define MIN_AGE		100

static unsigned long now = 1000000;		/* jiffies */

/* Metadata accounting. */
static long meta_live, meta_freed;

/* Roots: rootbuf is always one; tests may add more. */
static unsigned long rootbuf[64];
static struct { unsigned long start, end; } roots[8];
static int nr_roots;

/* What the last scan reported, through kml_report_new(). */
static unsigned long reported[4096];
static int nr_reported;

/* kml_warn_overlap() calls. */
static int overlaps;
static unsigned long overlap_new[2], overlap_old[2];	/* pointer, size */

/* kml_yield() and kml_scan_should_stop() control. */
static long yields;
static void (*yield_fn)(void);
static bool yield_sched;
static int stop_after = -1;		/* true from the Nth call on; -1 never */
static bool in_drain;			/* set by kml_scan_roots() */
static bool (*roots_fn)(struct kml_scan *sc);

/* Tracked test blocks, with names for diagnostics. */
struct t_block {
	void *p;
	size_t size;
	const char *name;
	struct kmemleak_object *meta;
};
static struct t_block blocks[2048];
static int nr_blocks;

static unsigned char *pcpu_arena, *phys_mem;
static unsigned long pcpu_next = PCPU_BASE;

static unsigned long A(const void *p)
{
	return (unsigned long)p;
}

static const char *name_of(unsigned long ptr)
{
	static char buf[4][32];
	static int i;
	int b;

	for (b = 0; b < nr_blocks; b++)
		if (blocks[b].p && A(blocks[b].p) == ptr)
			return blocks[b].name;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%#lx", ptr);
	return buf[i];
}

/* ----------------------------------------------------------- core hooks */

void kml_free_meta(struct kmemleak_object *obj)
{
	struct kml_area *area;
	struct hlist_node *tmp;

	if (kml_test_lock_depth)
		t_fail(__LINE__, "kml_free_meta() called with a shard lock held");
	if (strcmp(obj->comm, "kmltest"))
		t_fail(__LINE__, "kml_free_meta() on foreign or freed metadata");
	hlist_for_each_entry_safe(area, tmp, &obj->areas, node)
		free(area);
	strcpy(obj->comm, "freed");
	__atomic_sub_fetch(&meta_live, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&meta_freed, 1, __ATOMIC_RELAXED);
	free(obj);
}

bool kml_scan_should_stop(void)
{
	if (kml_test_lock_depth)
		t_fail(__LINE__, "kml_scan_should_stop() under a shard lock");
	if (stop_after < 0)
		return false;
	if (stop_after > 0) {
		stop_after--;
		return false;
	}
	return true;
}

void kml_yield(void)
{
	/* cond_resched() under a raw spinlock would be a bug */
	if (kml_test_lock_depth)
		t_fail(__LINE__, "kml_yield() called with a shard lock held");
	yields++;
	if (yield_sched)
		sched_yield();
	if (yield_fn)
		yield_fn();
}

void kml_scan_roots(struct kml_scan *sc)
{
	int i;

	if (kml_test_lock_depth || !READ_ONCE(kml_walking))
		t_fail(__LINE__, "kml_scan_roots() locked or outside a walk");
	if (roots_fn && !roots_fn(sc))
		return;
	for (i = 0; i < nr_roots; i++)
		kml_scan_block(sc, roots[i].start, roots[i].end, NULL);
	in_drain = true;
}

void kml_report_new(struct kmemleak_object *obj)
{
	if (kml_test_lock_depth != 1 ||
	    !kml_test_lock_held(&kml_shard_of(obj)->lock))
		t_fail(__LINE__, "kml_report_new() without the object's lock");
	if (!(obj->flags & KML_REPORTED))
		t_fail(__LINE__, "kml_report_new() on an unflagged object");
	if (nr_reported < (int)ARRAY_SIZE(reported))
		reported[nr_reported++] = obj->pointer;
}

void kml_warn_overlap(struct kmemleak_object *obj,
		      struct kmemleak_object *old)
{
	if (kml_test_lock_depth != 1 ||
	    !kml_test_lock_held(&kml_shard_of(old)->lock))
		t_fail(__LINE__, "kml_warn_overlap() without the old object's lock");
	overlaps++;
	overlap_new[0] = obj->pointer;
	overlap_new[1] = obj->size;
	overlap_old[0] = old->pointer;
	overlap_old[1] = old->size;
}

/* -------------------------------------------------------------- helpers */

static struct kmemleak_object *mkobj(enum kml_space space, unsigned long ptr,
				     size_t size, int min_count)
{
	struct kmemleak_object *obj = calloc(1, sizeof(*obj));

	if (!obj)
		abort();
	obj->pointer = ptr;
	obj->size = size;
	obj->min_count = min_count;
	obj->space = space;
	obj->jiffies = now;
	obj->pid = 42;
	obj->trace = 0x1234;
	INIT_HLIST_HEAD(&obj->areas);
	strcpy(obj->comm, "kmltest");
	__atomic_add_fetch(&meta_live, 1, __ATOMIC_RELAXED);
	return obj;
}

/* Hook: zeroed metadata, like the glue's. */
struct kmemleak_object *kml_new_meta(void)
{
	struct kmemleak_object *obj = mkobj(KML_VIRT, 0, 0, 0);

	obj->jiffies = 0;
	obj->pid = 0;
	obj->trace = 0;
	return obj;
}

/* Like the glue's kml_track(): insert, or release the metadata. */
static int track_obj(struct kmemleak_object *obj)
{
	int ret = kml_insert(obj);

	if (ret)
		kml_free_meta(obj);
	return ret;
}

static int track(enum kml_space space, unsigned long ptr, size_t size,
		 int min_count)
{
	return track_obj(mkobj(space, ptr, size, min_count));
}

/* A real, zeroed, tracked block of @size bytes. */
static unsigned long *blk_ex(const char *name, size_t size, int min_count,
			     unsigned long excess_ref)
{
	struct t_block *b;

	if (nr_blocks == (int)ARRAY_SIZE(blocks))
		abort();
	b = &blocks[nr_blocks++];
	b->p = calloc(1, size ? size : 1);
	b->size = size;
	b->name = name;
	b->meta = mkobj(KML_VIRT, A(b->p), size, min_count);
	b->meta->excess_ref = excess_ref;
	if (!b->p || track_obj(b->meta))
		abort();
	return b->p;
}

static unsigned long *blk(const char *name, size_t size, int min_count)
{
	return blk_ex(name, size, min_count, 0);
}

static struct t_block *block_of(const void *p)
{
	int b;

	for (b = 0; b < nr_blocks; b++)
		if (blocks[b].p == p)
			return &blocks[b];
	abort();
}

/* kmemleak_free() and kfree(): the core must not touch the block later. */
static void blk_free(void *p)
{
	struct t_block *b = block_of(p);

	CHECK(kml_remove(KML_VIRT, A(p), false, NULL));
	free(b->p);
	b->p = NULL;
}

/* A per-CPU object of @size bytes per CPU; returns the cookie. */
static unsigned long pcpu(size_t size, int min_count)
{
	unsigned long cookie = pcpu_next;

	pcpu_next += ALIGN(size, 64);
	if (pcpu_next - PCPU_BASE > PCPU_UNIT)
		abort();
	if (track(KML_PERCPU, cookie, size, min_count))
		abort();
	return cookie;
}

static unsigned long *pcpu_copy(unsigned long cookie, int cpu)
{
	return (unsigned long *)kml_percpu_addr(cookie, cpu);
}

static void add_root(const void *p, size_t size)
{
	roots[nr_roots].start = A(p);
	roots[nr_roots].end = A(p) + size;
	nr_roots++;
}

/* One scan, as the glue's kml_do_scan() runs it. */
static int scan(void)
{
	struct kml_scan sc = { .start = now, .min_age = MIN_AGE };
	int ret;

	nr_reported = 0;
	in_drain = false;
	kml_walk_begin();
	ret = kml_scan(&sc);
	kml_walk_end();
	CHECK_EQ(sc.new_leaks, nr_reported);
	return ret;
}

/* Let every object created so far reach the minimum age. */
static void age(void)
{
	now += MIN_AGE;
}

struct t_find {
	unsigned long ptr;
	struct kmemleak_object copy;
	struct kmemleak_object *meta;
};

static void find_fn(struct kmemleak_object *obj, void *arg)
{
	struct t_find *f = arg;

	if (!kml_test_lock_held(&kml_shard_of(obj)->lock))
		t_fail(__LINE__, "kml_update() callback without the lock");
	f->ptr = obj->pointer;
	f->copy = *obj;
	f->meta = obj;
}

/* Look @addr up through kml_update(); fills *f if found. */
static bool lookup(enum kml_space space, unsigned long addr, bool interior,
		   struct t_find *f)
{
	struct t_find tmp;

	return kml_update(space, addr, interior, find_fn, f ? f : &tmp);
}

/*
 * Check that @addr is inside the object starting at @start (or in none if
 * @found is false) through both lookup paths: the locked one used by the
 * API (kml_update, interior) and the scanner's lockless kml_find().
 */
static void check_at(int line, enum kml_space space, unsigned long addr,
		     bool found, unsigned long start)
{
	bool walking = kml_walking;
	struct kmemleak_object *obj;
	struct t_find f;
	bool hit;

	hit = lookup(space, addr, true, &f);
	if (hit != found || (hit && f.ptr != start))
		t_fail(line, "kml_update(space %d, %#lx): %s %#lx, want %s %#lx",
		       space, addr, hit ? "found" : "nothing",
		       hit ? f.ptr : 0, found ? "object" : "nothing", start);
	if (!walking)
		kml_walk_begin();
	obj = kml_find(space, addr);
	if (!walking)
		kml_walk_end();
	if (!!obj != found || (obj && obj->pointer != start))
		t_fail(line, "kml_find(space %d, %#lx): %s %#lx, want %s %#lx",
		       space, addr, obj ? "found" : "nothing",
		       obj ? obj->pointer : 0, found ? "object" : "nothing",
		       start);
}

#define AT(space, addr, start)	check_at(__LINE__, space, addr, true, start)
#define NONE_AT(space, addr)	check_at(__LINE__, space, addr, false, 0)

static bool snap(const void *p, struct kmemleak_object *copy)
{
	struct t_find f;

	if (!lookup(KML_VIRT, A(p), false, &f))
		return false;
	*copy = f.copy;
	return true;
}

static int min_count_of(const void *p)
{
	struct kmemleak_object o;

	return snap(p, &o) ? o.min_count : -1000;
}

/* The glue's kml_listed(): shown by reading /sys/kernel/debug/kmemleak. */
static bool listed_fn(struct kmemleak_object *obj, void *arg)
{
	unsigned long *set = arg;

	if (obj->flags & KML_REPORTED && kml_unreferenced(obj) &&
	    set[0] < 255)
		set[++set[0]] = obj->pointer;
	return true;
}

static bool in_set(const unsigned long *set, int n, unsigned long p)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == p)
			return true;
	return false;
}

/* Compare a set of pointers with the NULL-terminated @want. */
static void check_set(int line, const char *what, const unsigned long *got,
		      int n, const void *const *want)
{
	int i, nwant = 0;
	bool bad = false;

	for (i = 0; want[i]; i++, nwant++)
		if (!in_set(got, n, A(want[i])))
			bad = true;
	if (n != nwant)
		bad = true;
	if (!bad)
		return;
	t_fail(line, "%s: got %d objects, want %d", what, n, nwant);
	for (i = 0; i < n; i++)
		printf("#   got %s\n", name_of(got[i]));
	for (i = 0; want[i]; i++)
		printf("#   want %s\n", name_of(A(want[i])));
}

static void check_listed(int line, const void *const *want)
{
	unsigned long set[256] = { 0 };

	kml_walk_begin();
	kml_visit_objects(listed_fn, set);
	kml_walk_end();
	check_set(line, "listed", set + 1, set[0], want);
}

/* Exactly these were reported by the last scan / are listed now. */
#define REPORTS(...)	check_set(__LINE__, "reported", reported,	\
				  nr_reported,				\
				  (const void *const[]){ __VA_ARGS__ NULL })
#define LISTED(...)	check_listed(__LINE__,				\
				     (const void *const[]){ __VA_ARGS__ NULL })

/* kmemleak_scan_area(); returns whether the area was added. */
static bool scan_area(const void *p, size_t size)
{
	struct kml_area *area = calloc(1, sizeof(*area));

	area->start = A(p);
	area->size = size;
	INIT_HLIST_NODE(&area->node);
	kml_update(KML_VIRT, A(p), true, kml_add_area, &area);
	if (!area)
		return true;
	free(area);
	return false;
}

static void t_setup(void)
{
	memset(kml_spans, 0, sizeof(kml_spans));
	memset(kml_region_filter, 0, sizeof(kml_region_filter));
	memset(kml_wide_filter, 0, sizeof(kml_wide_filter));
	kml_index_init();

	pcpu_arena = calloc(KML_TEST_NR_CPUS, PCPU_UNIT);
	kml_test_pcpu_offset[0] = A(pcpu_arena) - PCPU_BASE;
	kml_test_pcpu_offset[1] = A(pcpu_arena) + PCPU_UNIT - PCPU_BASE;

	phys_mem = aligned_alloc(4096, PHYS_PAGES * 4096);
	memset(phys_mem, 0, PHYS_PAGES * 4096);
	kml_test_phys_offset = A(phys_mem) - PHYS_BASE;
	min_low_pfn = PHYS_PFN(PHYS_BASE);
	max_low_pfn = min_low_pfn + PHYS_LOWMEM;

	add_root(rootbuf, sizeof(rootbuf));
}

static void t_teardown(void)
{
	int b;

	if (kml_walking) {
		t_fail(__LINE__, "test left a walk open");
		kml_walk_end();
	}
	if (kml_test_lock_depth)
		t_fail(__LINE__, "test ended with %d locks held",
		       kml_test_lock_depth);
	yield_fn = NULL;
	kml_reset_index(kml_free_meta);
	if (meta_live)
		t_fail(__LINE__, "%ld metadata objects never released",
		       meta_live);
	for (b = 0; b < nr_blocks; b++)
		free(blocks[b].p);
	free(pcpu_arena);
	free(phys_mem);
}

/* ---------------------------------------------------------- index tests */

static void test_shim(void)
{
	unsigned long long ull = 0;
	unsigned long ul = 0;
	unsigned int u = 0;
	raw_spinlock_t l;
	seqcount_raw_spinlock_t s;
	unsigned long flags;

	/* the standard CRC-32 check value, with the kernel's conventions */
	CHECK_EQ(~crc32(~0U, "123456789", 9), 0xcbf43926);
	CHECK_EQ(crc32(0, "\0\0\0\0", 4), 0);
	CHECK_EQ(crc32(crc32(0, "1234", 4), "56789", 5),
		 crc32(0, "123456789", 9));

	CHECK_EQ(kstrtoul("0x10", 0, &ul), 0);
	CHECK_EQ(ul, 16);
	CHECK_EQ(kstrtoul("010", 0, &ul), 0);
	CHECK_EQ(ul, 8);
	CHECK_EQ(kstrtoul("+7\n", 0, &ul), 0);
	CHECK_EQ(ul, 7);
	CHECK_EQ(kstrtoul("0", 0, &ul), 0);
	CHECK_EQ(ul, 0);
	CHECK_EQ(kstrtoul("0x", 0, &ul), -EINVAL);
	CHECK_EQ(kstrtoul("08", 0, &ul), -EINVAL);
	CHECK_EQ(kstrtoul("-1", 0, &ul), -EINVAL);
	CHECK_EQ(kstrtoul("1\n\n", 0, &ul), -EINVAL);
	CHECK_EQ(kstrtoul("", 0, &ul), -EINVAL);
	CHECK_EQ(kstrtoull("18446744073709551615", 0, &ull), 0);
	CHECK(ull == ULLONG_MAX);
	CHECK_EQ(kstrtoull("18446744073709551616", 0, &ull), -ERANGE);
	CHECK_EQ(kstrtoull("0x10000000000000000", 0, &ull), -ERANGE);
	CHECK_EQ(kstrtouint("4294967295", 0, &u), 0);
	CHECK_EQ(u, 4294967295U);
	CHECK_EQ(kstrtouint("4294967296", 0, &u), -ERANGE);

	CHECK(isspace(' ') && isspace('\n') && isspace('\v') &&
	      isspace((char)0xa0) && !isspace('x') && !isspace('\0'));

	raw_spin_lock_init(&l);
	seqcount_raw_spinlock_init(&s, &l);
	raw_spin_lock_irqsave(&l, flags);
	CHECK(kml_test_lock_held(&l) && kml_test_lock_depth == 1);
	write_seqcount_begin(&s);
	write_seqcount_end(&s);
	raw_spin_unlock_irqrestore(&l, flags);
	CHECK(!kml_test_lock_held(&l) && kml_test_lock_depth == 0);
	CHECK_EQ(read_seqcount_begin(&s), 2);
	CHECK(!read_seqcount_retry(&s, 2));
}

/* Register, look up and free in each space, at the object's boundaries. */
static void test_index_spaces(void)
{
	static const enum kml_space spaces[] = { KML_VIRT, KML_PHYS,
						 KML_PERCPU };
	unsigned long p = VBASE + 0x1000;
	struct kmemleak_object copy;
	unsigned int i;
	struct t_find f;

	/* the same numbers in three spaces are three objects */
	for (i = 0; i < ARRAY_SIZE(spaces); i++)
		CHECK_EQ(track(spaces[i], p, 64, 1), 0);
	CHECK_EQ(kml_count_objects(), 3);
	CHECK_EQ(overlaps, 0);

	for (i = 0; i < ARRAY_SIZE(spaces); i++) {
		enum kml_space sp = spaces[i];

		AT(sp, p, p);
		AT(sp, p + 1, p);
		AT(sp, p + 63, p);
		NONE_AT(sp, p + 64);
		NONE_AT(sp, p - 1);
		CHECK(lookup(sp, p, false, &f) && f.copy.space == sp);
		CHECK(!lookup(sp, p + 8, false, NULL));
		CHECK(!lookup(sp, p - 1, false, NULL));
	}

	/* removal: exact needs the start, interior takes any byte */
	CHECK(!kml_remove(KML_PHYS, p + 8, false, NULL));
	CHECK(!kml_remove(KML_PHYS, p + 64, true, NULL));
	CHECK_EQ(meta_freed, 0);
	memset(&copy, 0xff, sizeof(copy));
	CHECK(kml_remove(KML_PHYS, p + 63, true, &copy));
	CHECK_EQ(copy.pointer, p);
	CHECK_EQ(copy.size, 64);
	CHECK_EQ(copy.space, KML_PHYS);
	CHECK_EQ(copy.min_count, 1);
	CHECK_EQ(copy.pid, 42);
	CHECK(hlist_empty(&copy.areas));
	CHECK_EQ(meta_freed, 1);
	CHECK_EQ(kml_count_objects(), 2);
	NONE_AT(KML_PHYS, p);
	AT(KML_VIRT, p, p);
	AT(KML_PERCPU, p, p);

	CHECK(kml_remove(KML_VIRT, p, false, NULL));
	CHECK(!kml_remove(KML_VIRT, p, false, NULL));
	CHECK(kml_remove(KML_PERCPU, p, false, NULL));
	CHECK_EQ(kml_count_objects(), 0);
	CHECK_EQ(meta_freed, 3);
	NONE_AT(KML_VIRT, p);
	NONE_AT(KML_PERCPU, p + 8);

	/* neighbours: adjacent objects do not overlap */
	CHECK_EQ(track(KML_VIRT, p, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, p + 64, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, p - 16, 16, 1), 0);
	AT(KML_VIRT, p + 63, p);
	AT(KML_VIRT, p + 64, p + 64);
	AT(KML_VIRT, p - 1, p - 16);
	CHECK_EQ(overlaps, 0);
}

/* A zero-sized object occupies its first byte. */
static void test_index_size0(void)
{
	unsigned long p = VBASE + 0x2000;

	CHECK_EQ(track(KML_VIRT, p, 0, 1), 0);
	CHECK(lookup(KML_VIRT, p, false, NULL));
	AT(KML_VIRT, p, p);
	NONE_AT(KML_VIRT, p + 1);
	NONE_AT(KML_VIRT, p - 1);
	CHECK_EQ(track(KML_VIRT, p, 0, 1), -EEXIST);
	CHECK_EQ(track(KML_VIRT, p, 8, 1), -EEXIST);
	CHECK_EQ(track(KML_VIRT, p - 8, 9, 1), -EEXIST);
	CHECK_EQ(track(KML_VIRT, p - 8, 8, 1), 0);
	CHECK_EQ(track(KML_VIRT, p + 1, 8, 1), 0);
	CHECK_EQ(overlaps, 3);
	CHECK_EQ(kml_count_objects(), 3);
	CHECK(kml_remove(KML_VIRT, p, false, NULL));
	NONE_AT(KML_VIRT, p);
	CHECK_EQ(track(KML_VIRT, p, 1, 1), 0);
	AT(KML_VIRT, p, p);
}

static bool in_wide(const struct kmemleak_object *obj)
{
	return kml_shard_of(obj) == &kml_shards[KML_SHARD_WIDE];
}

/* Objects crossing a 2 MiB boundary live in the wide shard. */
static void test_index_wide(void)
{
	unsigned long r = VBASE + 5 * REGION, r2 = r + REGION;
	unsigned long r3 = VBASE + 20 * REGION;
	struct kmemleak_object *w, *a, *b, *e, *g, *big;
	unsigned long x, y;

	w = mkobj(KML_VIRT, r - 32, 64, 1);
	a = mkobj(KML_VIRT, r - 64, 32, 1);
	b = mkobj(KML_VIRT, r + 32, 32, 1);
	e = mkobj(KML_VIRT, r2 - 64, 64, 1);	/* ends at a boundary */
	g = mkobj(KML_VIRT, r2, 64, 1);		/* starts at one */
	big = mkobj(KML_VIRT, r3 - 8, 2 * REGION + 16, 1);
	CHECK_EQ(track_obj(w), 0);
	CHECK_EQ(track_obj(a), 0);
	CHECK_EQ(track_obj(b), 0);
	CHECK_EQ(track_obj(e), 0);
	CHECK_EQ(track_obj(g), 0);
	CHECK_EQ(track_obj(big), 0);
	CHECK(in_wide(w) && in_wide(big));
	CHECK(!in_wide(a) && !in_wide(b) && !in_wide(e) && !in_wide(g));
	CHECK(kml_shard_of(a) == kml_region_shard(r - 1));
	CHECK(kml_shard_of(b) == kml_region_shard(r));

	AT(KML_VIRT, r - 32, r - 32);
	AT(KML_VIRT, r - 1, r - 32);
	AT(KML_VIRT, r, r - 32);
	AT(KML_VIRT, r + 31, r - 32);
	AT(KML_VIRT, r + 32, r + 32);
	AT(KML_VIRT, r - 33, r - 64);
	AT(KML_VIRT, r2 - 1, r2 - 64);
	AT(KML_VIRT, r2, r2);
	/* the middle region of big holds nothing of its own */
	AT(KML_VIRT, r3 + REGION + 12345, r3 - 8);
	AT(KML_VIRT, r3 + 2 * REGION + 7, r3 - 8);
	NONE_AT(KML_VIRT, r3 + 2 * REGION + 8);
	NONE_AT(KML_VIRT, r3 - 9);
	CHECK(lookup(KML_VIRT, r - 32, false, NULL));
	CHECK(!lookup(KML_VIRT, r, false, NULL));

	/* two regions hashed to the same shard share its tree */
	for (x = 100, y = 101; y < 100000; y++)
		if (kml_region_shard(x << KML_REGION_SHIFT) ==
		    kml_region_shard(y << KML_REGION_SHIFT))
			break;
	CHECK(y < 100000);
	CHECK_EQ(track(KML_VIRT, x << KML_REGION_SHIFT, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, y << KML_REGION_SHIFT, 64, 1), 0);
	AT(KML_VIRT, (x << KML_REGION_SHIFT) + 8, x << KML_REGION_SHIFT);
	AT(KML_VIRT, (y << KML_REGION_SHIFT) + 8, y << KML_REGION_SHIFT);

	CHECK(kml_remove(KML_VIRT, r + 8, true, NULL));
	NONE_AT(KML_VIRT, r);
	AT(KML_VIRT, r + 32, r + 32);
	CHECK(kml_remove(KML_VIRT, r3 + REGION, true, NULL));
	NONE_AT(KML_VIRT, r3 + REGION);
	CHECK_EQ(kml_count_objects(), 6);
}

/* Objects at the very top and bottom of the address spaces. */
static void test_index_top(void)
{
	unsigned long t = ULONG_MAX - 63;
	struct kml_cursor cur = { 0 };
	struct kmemleak_object *obj;
	int n = 0;

	CHECK_EQ(track(KML_VIRT, t, 64, 1), 0);
	AT(KML_VIRT, ULONG_MAX, t);
	AT(KML_VIRT, t, t);
	NONE_AT(KML_VIRT, t - 1);
	CHECK(!lookup(KML_VIRT, ULONG_MAX, false, NULL));
	CHECK_EQ(track(KML_VIRT, ULONG_MAX, 1, 1), -EEXIST);
	CHECK_EQ(track(KML_VIRT, t - 16, 16, 1), 0);
	CHECK(kml_remove(KML_VIRT, ULONG_MAX, true, NULL));
	CHECK_EQ(track(KML_VIRT, ULONG_MAX, 1, 1), 0);
	AT(KML_VIRT, ULONG_MAX, ULONG_MAX);
	NONE_AT(KML_VIRT, ULONG_MAX - 1);

	CHECK_EQ(track(KML_PHYS, 0, 4096, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, ULONG_MAX - 4095, 4096, KML_GRAY), 0);
	CHECK_EQ(track(KML_PERCPU, ULONG_MAX - 7, 8, 1), 0);
	AT(KML_PHYS, 0, 0);
	AT(KML_PHYS, 4095, 0);
	NONE_AT(KML_PHYS, 4096);
	AT(KML_PHYS, ULONG_MAX, ULONG_MAX - 4095);
	AT(KML_PERCPU, ULONG_MAX, ULONG_MAX - 7);

	/* the cursor steps off an object at ULONG_MAX into the next shard */
	kml_walk_begin();
	while ((obj = kml_cursor_seek(&cur, kml_white)) && n < 10) {
		n++;
		kml_cursor_advance(&cur);
	}
	kml_walk_end();
	CHECK_EQ(n, 3);	/* the three min_count 1 objects */
	CHECK_EQ(kml_count_objects(), 5);
}

/* An overlapping object is refused and the indexed one is left intact. */
static void test_overlap(void)
{
	static const struct { long off; size_t size; bool clash; } c[] = {
		{ 0, 64, true }, { -8, 16, true }, { 56, 16, true },
		{ 8, 8, true }, { -8, 128, true }, { 63, 1, true },
		{ 0, 0, true }, { -1, 1, false }, { 64, 8, false },
	};
	static const enum kml_space spaces[] = { KML_VIRT, KML_PHYS,
						 KML_PERCPU };
	unsigned long p = VBASE + 0x4000;
	unsigned int s, i;
	struct t_find f;

	for (s = 0; s < ARRAY_SIZE(spaces); s++) {
		enum kml_space sp = spaces[s];

		CHECK_EQ(track(sp, p, 64, 1), 0);
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			unsigned long q = p + c[i].off;
			long freed = meta_freed;
			int n = overlaps;

			if (!c[i].clash) {
				CHECK_EQ(track(sp, q, c[i].size, 1), 0);
				CHECK(kml_remove(sp, q, false, NULL));
				continue;
			}
			CHECK_EQ(track(sp, q, c[i].size, 2), -EEXIST);
			CHECK_EQ(overlaps, n + 1);
			CHECK_EQ(overlap_new[0], q);
			CHECK_EQ(overlap_new[1], c[i].size);
			CHECK_EQ(overlap_old[0], p);
			CHECK_EQ(overlap_old[1], 64);
			CHECK_EQ(meta_freed, freed + 1);
			CHECK_EQ(kml_count_objects(), s + 1);
			CHECK(lookup(sp, p + 32, true, &f));
			CHECK(f.ptr == p && f.copy.size == 64 &&
			      f.copy.min_count == 1);
		}
	}
}

/* Overlaps are refused across the wide shard and a region shard too. */
static void test_overlap_wide(void)
{
	unsigned long r = VBASE + 7 * REGION;

	/* a wide object, then a region object inside its second region */
	CHECK_EQ(track(KML_VIRT, r - 32, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, r, 16, 1), -EEXIST);
	CHECK_EQ(overlaps, 1);
	/* a region object, then a wide object covering it */
	CHECK_EQ(track(KML_VIRT, r + 2 * REGION + 64, 16, 1), 0);
	CHECK_EQ(track(KML_VIRT, r + REGION + 64, REGION + 64, 1), -EEXIST);
	CHECK_EQ(overlaps, 2);
	CHECK_EQ(kml_count_objects(), 2);
}

/* kml_update() and kml_call_locked() run callbacks under the shard lock. */
static void test_update(void)
{
	unsigned long p = VBASE + 0x8000;
	struct t_find f = { 0 };

	CHECK_EQ(track(KML_VIRT, p, 64, 1), 0);
	CHECK(!kml_update(KML_VIRT, p + 64, true, find_fn, &f));
	CHECK(!kml_update(KML_VIRT, p + 8, false, find_fn, &f));
	CHECK(!f.meta);
	CHECK(kml_update(KML_VIRT, p + 8, true, kml_set_gray, NULL));
	CHECK(lookup(KML_VIRT, p, false, &f));
	CHECK_EQ(f.copy.min_count, KML_GRAY);
	CHECK(kml_update(KML_VIRT, p, false, kml_set_black, NULL));
	CHECK(lookup(KML_VIRT, p, false, &f));
	CHECK_EQ(f.copy.min_count, KML_BLACK);
	CHECK(f.copy.flags & KML_NO_SCAN);

	f.ptr = 0;
	kml_call_locked(f.meta, find_fn, &f);
	CHECK_EQ(f.ptr, p);
}

/* --------------------------------------------------------- scan tests */

/* Any pointer into a block counts; one past its end does not. */
static void test_interior_refs(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 1);
	unsigned long *e = blk("e", 64, 1);
	unsigned long *h = blk("holder", 36, KML_GRAY);
	unsigned long *u = blk("unaligned", 64, 1);
	unsigned long *l = blk("partial", 64, 1);
	unsigned long v;

	NONE_AT(KML_VIRT, A(d) + 64);
	NONE_AT(KML_VIRT, A(e) - 1);
	rootbuf[0] = A(a);
	rootbuf[1] = A(b) + 21;
	rootbuf[2] = A(c) + 63;
	rootbuf[3] = A(d) + 64;
	rootbuf[4] = A(e) - 1;
	/* words are read aligned and whole, from blocks of any size */
	v = A(u);
	memcpy((char *)h + 4, &v, sizeof(v));	/* straddles two words */
	h[2] = A(a);
	v = A(l);
	memcpy((char *)h + 32, &v, 4);		/* the last, partial word */
	age();
	CHECK_EQ(scan(), 0);
	REPORTS(d, e, u, l,);
	LISTED(d, e, u, l,);
}

/*
 * References from a block to itself do not count.  A scanned block has
 * its min_count already, so this shows in the surplus of a vmalloc-style
 * block only: a self-reference must not be credited to its excess_ref.
 */
static void test_self_refs(void)
{
	unsigned long *s = blk("self", 64, 1);
	unsigned long *t = blk("self2", 64, 2);
	unsigned long *x = blk("by-self", 64, 1);
	unsigned long *vm = blk("vm", 64, 1);
	unsigned long *v = blk_ex("area", 128, 2, A(vm));
	struct kmemleak_object o;

	s[0] = A(s);
	s[3] = A(s) + 40;
	s[4] = A(x);
	t[0] = A(t);
	t[1] = A(t) + 8;
	rootbuf[0] = A(t);
	rootbuf[1] = A(v);
	rootbuf[2] = A(v) + 8;
	v[3] = A(v) + 64;
	vm[0] = A(v);
	age();
	scan();
	scan();
	/* s is scanned in the first scan only (its checksum changed) */
	LISTED(s, t, x, vm,);
	CHECK(snap(vm, &o) && o.count == 0);
}

/* kmemleak_free_part(): what is left keeps the object's metadata. */
static void test_free_part(void)
{
	unsigned long p = VBASE + 0x10000;
	struct kmemleak_object *o = mkobj(KML_VIRT, p, 256, 3);
	struct kml_area *area = calloc(1, sizeof(*area));
	struct t_find f;

	o->flags = KML_NO_SCAN | KML_REPORTED;
	o->jiffies = 777;
	o->pid = 9;
	o->trace = 0xabcd;
	strcpy(o->comm, "kmltest");
	area->start = p;
	area->size = 8;
	hlist_add_head(&area->node, &o->areas);
	CHECK_EQ(track_obj(o), 0);

	/* middle: two pieces */
	kml_remove_part(KML_VIRT, p + 64, 64);
	CHECK_EQ(kml_count_objects(), 2);
	CHECK_EQ(meta_freed, 1);
	AT(KML_VIRT, p, p);
	AT(KML_VIRT, p + 63, p);
	NONE_AT(KML_VIRT, p + 64);
	NONE_AT(KML_VIRT, p + 127);
	AT(KML_VIRT, p + 128, p + 128);
	AT(KML_VIRT, p + 255, p + 128);
	CHECK(lookup(KML_VIRT, p + 128, false, &f));
	CHECK_EQ(f.copy.size, 128);
	CHECK_EQ(f.copy.min_count, 3);
	CHECK_EQ(f.copy.flags, KML_NO_SCAN);
	CHECK_EQ(f.copy.jiffies, 777);
	CHECK_EQ(f.copy.pid, 9);
	CHECK_EQ(f.copy.trace, 0xabcd);
	CHECK(!strcmp(f.copy.comm, "kmltest"));
	CHECK(hlist_empty(&f.copy.areas));
	CHECK(lookup(KML_VIRT, p, false, &f));
	CHECK_EQ(f.copy.size, 64);
	CHECK_EQ(f.copy.jiffies, 777);

	/* head of the tail piece */
	kml_remove_part(KML_VIRT, p + 128, 32);
	NONE_AT(KML_VIRT, p + 128);
	AT(KML_VIRT, p + 160, p + 160);
	CHECK(lookup(KML_VIRT, p + 160, false, &f));
	CHECK_EQ(f.copy.size, 96);
	CHECK_EQ(f.copy.min_count, 3);

	/* tail of the head piece, given with an interior pointer */
	kml_remove_part(KML_VIRT, p + 48, 16);
	AT(KML_VIRT, p + 47, p);
	NONE_AT(KML_VIRT, p + 48);
	CHECK(lookup(KML_VIRT, p, false, &f));
	CHECK_EQ(f.copy.size, 48);

	/* a size beyond the end frees to the end */
	kml_remove_part(KML_VIRT, p + 200, 4096);
	AT(KML_VIRT, p + 199, p + 160);
	NONE_AT(KML_VIRT, p + 200);

	/* whole */
	kml_remove_part(KML_VIRT, p + 160, 40);
	kml_remove_part(KML_VIRT, p, 48);
	CHECK_EQ(kml_count_objects(), 0);
	CHECK_EQ(meta_live, 0);

	/* a copy never shares the removed object's scan areas */
	o = mkobj(KML_VIRT, p, 64, 1);
	area = calloc(1, sizeof(*area));
	hlist_add_head(&area->node, &o->areas);
	CHECK_EQ(track_obj(o), 0);
	memset(&f.copy, 0xaa, sizeof(f.copy));
	CHECK(kml_remove(KML_VIRT, p, false, &f.copy));
	CHECK(hlist_empty(&f.copy.areas));

	/* phys space too */
	CHECK_EQ(track(KML_PHYS, PHYS_BASE, 4096, KML_GRAY), 0);
	kml_remove_part(KML_PHYS, PHYS_BASE + 1024, 1024);
	AT(KML_PHYS, PHYS_BASE + 1023, PHYS_BASE);
	NONE_AT(KML_PHYS, PHYS_BASE + 1024);
	AT(KML_PHYS, PHYS_BASE + 2048, PHYS_BASE + 2048);
}

/* A freed middle part no longer takes references. */
static void test_free_part_scan(void)
{
	unsigned long *a = blk("a", 128, 1);

	rootbuf[0] = A(a) + 64;
	kml_remove_part(KML_VIRT, A(a) + 64, 32);
	age();
	scan();
	LISTED(a, (void *)(A(a) + 96),);
}

/* min_count -1: never reported, never scanned. */
static void test_min_count_black(void)
{
	unsigned long *b = blk("black", 64, KML_BLACK);
	unsigned long *u = blk("unref-black", 64, KML_BLACK);
	unsigned long *x = blk("x", 64, 1);
	struct kmemleak_object o;

	b[0] = A(x);
	u[0] = A(x);
	rootbuf[0] = A(b);
	age();
	scan();
	scan();
	LISTED(x,);
	CHECK(snap(b, &o) && o.count == 0);
}

/* min_count 0: never reported, always scanned. */
static void test_min_count_gray(void)
{
	unsigned long *g = blk("gray", 64, KML_GRAY);
	unsigned long *x = blk("x", 64, 1);
	unsigned long *y = blk("y", 64, 1);

	g[0] = A(x);
	x[0] = A(y);
	age();
	scan();
	scan();
	LISTED();
	CHECK_EQ(nr_reported, 0);
}

/* min_count n: reported with fewer than n references, not with n. */
static void test_min_count_n(void)
{
	unsigned long *o[5], *two, *g;
	struct kmemleak_object c;
	int k, i, w = 0;

	for (k = 0; k < 5; k++) {
		static const char *const names[] = { "0ref", "1ref", "2ref",
						     "3ref", "4ref" };

		o[k] = blk(names[k], 64, 3);
		for (i = 0; i < k; i++)
			rootbuf[w++] = A(o[k]) + i;
	}
	/* two words of one scanned block are two references */
	two = blk("two-from-one", 64, 2);
	g = blk("holder", 64, KML_GRAY);
	g[0] = A(two);
	g[5] = A(two) + 8;
	age();
	scan();
	scan();
	LISTED(o[0], o[1], o[2],);
	for (k = 0; k < 5; k++)
		CHECK(snap(o[k], &c) && c.count == (k < 3 ? k : 3));
}

/* Colouring follows chains. */
static void test_chain(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 1);

	rootbuf[0] = A(a);
	a[0] = A(b);
	b[7] = A(c) + 5;
	c[3] = A(d);
	age();
	scan();
	scan();
	LISTED();
	CHECK_EQ(nr_reported, 0);
	/* cut the chain at the root: all of it leaks */
	rootbuf[0] = 0;
	scan();
	REPORTS();
	scan();
	REPORTS(a, b, c, d,);
	LISTED(a, b, c, d,);
	/* reattach the middle: only the head leaks */
	rootbuf[1] = A(b);
	scan();
	LISTED(a,);
}

/* Unreachable cycles leak; reachable ones don't. */
static void test_cycle(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 1);
	unsigned long *s = blk("self-cycle", 64, 1);

	a[0] = A(b);
	b[0] = A(a);
	c[1] = A(d);
	d[1] = A(c);
	rootbuf[0] = A(d);
	s[0] = A(s);
	age();
	scan();
	scan();
	LISTED(a, b, s,);
}

/* A block reached through two paths gets both references. */
static void test_diamond(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c", 64, 1), *d = blk("d", 64, 2);
	struct kmemleak_object o;

	rootbuf[0] = A(a);
	a[0] = A(b);
	a[1] = A(c);
	b[0] = A(d);
	c[0] = A(d) + 32;
	age();
	scan();
	scan();
	LISTED();
	CHECK(snap(d, &o) && o.count == 2);
	c[0] = 0;
	scan();
	LISTED(d,);
	CHECK(snap(d, &o) && o.count == 1);
}

/* A block whose contents changed since the last scan is not reported. */
static void test_checksum(void)
{
	unsigned long *x = blk("x", 64, 1), *m = blk("m", 64, 1);
	unsigned long *n = blk("n-by-m", 64, 1), *z = blk("zeroes", 64, 1);
	struct kmemleak_object o;

	x[0] = 0x1234;
	m[0] = A(n);
	age();
	/* new blocks have no checksum yet: changed unless all zeroes */
	scan();
	REPORTS(z,);
	CHECK(snap(x, &o) && o.checksum == crc32(0, x, 64));
	/* m was scanned as referenced in that scan, so n was referenced */
	CHECK(snap(n, &o) && o.count == 1);
	x[1] = 5;
	scan();
	REPORTS(m, n,);
	scan();
	REPORTS(x,);
	LISTED(x, z, m, n,);
	/* a listed block that changes leaves the list for one scan */
	x[2] = 6;
	scan();
	LISTED(z, m, n,);
	scan();
	LISTED(x, z, m, n,);
	REPORTS();
}

/* Blocks younger than min_age at the start of the scan are not reported. */
static void test_age(void)
{
	unsigned long *x, *y;

	x = blk("x", 64, 1);
	now += MIN_AGE - 1;
	scan();
	REPORTS();
	LISTED();
	now++;
	scan();
	REPORTS(x,);

	/* across a jiffies wrap */
	now = ULONG_MAX - 10;
	y = blk("y", 64, 1);
	now += MIN_AGE - 1;
	CHECK(now < 1000);
	scan();
	REPORTS();
	now++;
	scan();
	REPORTS(y,);
}

/* Once a block has scan areas, only they are scanned. */
static void test_scan_area(void)
{
	unsigned long *h = blk("holder", 256, KML_GRAY);
	unsigned long *t2 = blk("in-area", 64, 1);
	unsigned long *t10 = blk("outside", 64, 1);
	unsigned long *t30 = blk("in-tail-area", 64, 1);
	unsigned long *t6 = blk("straddling", 64, 1);
	unsigned long *t5 = blk("in-area2", 64, 1);
	unsigned long *w = blk("whole", 64, KML_GRAY);
	unsigned long *t9 = blk("by-whole", 64, 1);
	struct kmemleak_object o;

	h[2] = A(t2);
	h[5] = A(t5);
	h[6] = A(t6);
	h[10] = A(t10);
	h[30] = A(t30);
	w[7] = A(t9);
	CHECK(scan_area(&h[2], 8));
	CHECK(scan_area(&h[5], 12));		/* h[6] is half in it */
	CHECK(scan_area(&h[25], SIZE_MAX));	/* to the end */
	CHECK(!scan_area(&h[31], 16));		/* past the end */
	CHECK(!scan_area((char *)h + 256, 1));	/* not in the block */
	CHECK(snap(h, &o));
	age();
	scan();
	scan();
	LISTED(t6, t10,);
}

/* kmemleak_no_scan(): the block can leak, but is not searched. */
static void test_no_scan(void)
{
	unsigned long *n = blk("no-scan", 64, 1), *t = blk("t", 64, 1);
	unsigned long *m = blk("no-scan-leak", 64, 1);

	CHECK(kml_update(KML_VIRT, A(n), false, kml_set_no_scan, NULL));
	CHECK(kml_update(KML_VIRT, A(m), false, kml_set_no_scan, NULL));
	rootbuf[0] = A(n);
	n[0] = A(t);
	age();
	scan();
	scan();
	LISTED(t, m,);
}

/* kmemleak_not_leak(): not reported, still scanned. */
static void test_not_leak(void)
{
	unsigned long *a = blk("not-leak", 64, 1), *t = blk("t", 64, 1);

	a[0] = A(t);
	CHECK(kml_update(KML_VIRT, A(a), false, kml_set_gray, NULL));
	age();
	scan();
	scan();
	LISTED();
	CHECK_EQ(min_count_of(a), KML_GRAY);
}

/* kmemleak_ignore(): neither reported nor scanned. */
static void test_ignore(void)
{
	unsigned long *a = blk("ignored", 64, 1), *t = blk("t", 64, 1);
	unsigned long *b = blk("ignored-ref", 64, 1);

	a[0] = A(t);
	rootbuf[0] = A(b);
	CHECK(kml_update(KML_VIRT, A(a), false, kml_set_black, NULL));
	CHECK(kml_update(KML_VIRT, A(b), false, kml_set_black, NULL));
	age();
	scan();
	scan();
	LISTED(t,);
}

/* kmemleak_transient_leak(): not reported by the next scan. */
static void test_transient(void)
{
	unsigned long *x = blk("x", 64, 1), *y = blk("transient", 64, 1);

	x[0] = 0x55;
	y[0] = 0x66;
	age();
	scan();
	REPORTS();
	CHECK(kml_update(KML_VIRT, A(y), false, kml_reset_checksum, NULL));
	scan();
	REPORTS(x,);
	scan();
	REPORTS(y,);
}

/* vmalloc: min_count 2, references beyond those go to the vm_struct. */
static void test_excess_ref(void)
{
	unsigned long *vm1 = blk("vm1", 64, 1), *vm2 = blk("vm2", 64, 1);
	unsigned long *vm3 = blk("vm3", 64, 1);
	unsigned long *a1 = blk_ex("area1", 128, 2, A(vm1));
	unsigned long *a2 = blk_ex("area2", 128, 2, A(vm2));
	unsigned long *a3 = blk_ex("area3", 128, 2, A(vm3));
	unsigned long *t = blk("by-vm2", 64, 1);
	struct kmemleak_object o;

	vm1[0] = A(a1);
	vm2[0] = A(a2);
	vm3[0] = A(a3);
	vm2[1] = A(t);
	/* vm1 and its area referenced: the area has its two */
	rootbuf[0] = A(vm1);
	rootbuf[1] = A(a1);
	/* three references to area2: the third keeps vm2 */
	rootbuf[2] = A(a2);
	rootbuf[3] = A(a2) + 64;
	rootbuf[4] = A(a2) + 127;
	/* two references to area3: nothing for vm3 */
	rootbuf[5] = A(a3);
	rootbuf[6] = A(a3) + 8;
	age();
	scan();
	scan();
	LISTED(vm3,);
	CHECK(snap(a2, &o) && o.count == 2);
	CHECK(snap(vm2, &o) && o.count == 1);
}

/* Per-CPU blocks: referenced by cookie, all copies scanned. */
static void test_percpu(void)
{
	unsigned long p = pcpu(64, 1), q = pcpu(64, 1), r = pcpu(64, 1);
	unsigned long s = pcpu(64, 1), t = pcpu(64, 1), u = pcpu(64, 1);
	unsigned long *x = blk("x-by-cpu1", 64, 1);
	unsigned long *y = blk("y-by-cpu0", 64, 1);
	unsigned long *z = blk("z", 64, 1);

	rootbuf[0] = p;
	rootbuf[1] = A(pcpu_copy(q, 1));	/* a copy is no reference */
	rootbuf[2] = r + 40;			/* interior cookie */
	pcpu_copy(p, 1)[3] = A(x);
	pcpu_copy(p, 0)[4] = A(y);
	pcpu_copy(p, 0)[5] = t;
	pcpu_copy(s, 0)[0] = s;			/* self */
	pcpu_copy(s, 1)[0] = s + 8;
	pcpu_copy(u, 1)[7] = A(z);		/* u leaks: z is still seen */
	age();
	scan();
	scan();
	LISTED((void *)q, (void *)s, (void *)u, z,);

	/* the checksum covers every CPU's copy */
	pcpu_copy(u, 1)[6] = 1;
	scan();
	LISTED((void *)q, (void *)s,);
	scan();
	LISTED((void *)q, (void *)s, (void *)u, z,);
}

/* Physical (memblock) blocks: scanned when in lowmem, never reported. */
static void test_phys(void)
{
	unsigned long *x = blk("x-by-lowmem", 64, 1);
	unsigned long *y = blk("y-by-highmem", 64, 1);
	unsigned long *z = blk("z-by-below-lowmem", 64, 1);
	unsigned long ph = PHYS_BASE + 3 * 4096;

	min_low_pfn++;	/* lowmem is page 1 of the fake range */
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + 64, 128, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + 4096 + 64, 128, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + 3 * 4096 + 64, 128, KML_GRAY),
		 0);
	((unsigned long *)(phys_mem + 64))[1] = A(z);
	((unsigned long *)(phys_mem + 4096 + 64))[1] = A(x);
	((unsigned long *)(phys_mem + 3 * 4096 + 64))[1] = A(y);
	/* a physical address is no reference (min_count 1: never so) */
	CHECK_EQ(track(KML_PHYS, ph, 64, 1), 0);
	rootbuf[0] = ph;
	age();
	scan();
	scan();
	LISTED(y, z, (void *)ph,);
}

/*
 * Lowmem is [min_low_pfn, max_low_pfn): a block in page max_low_pfn, or
 * running into it, cannot be read through the linear map.
 */
static void test_phys_lowmem_end(void)
{
	unsigned long *x = blk("x-by-first-highmem-page", 64, 1);
	unsigned long *y = blk("y-by-crossing-block", 64, 1);
	unsigned long hm = PHYS_LOWMEM * 4096;

	CHECK_EQ(track(KML_PHYS, PHYS_BASE + hm + 64, 128, KML_GRAY), 0);
	CHECK_EQ(track(KML_PHYS, PHYS_BASE + hm - 64, 128, KML_GRAY), 0);
	((unsigned long *)(phys_mem + hm + 64))[1] = A(x);
	((unsigned long *)(phys_mem + hm))[1] = A(y);
	CHECK(!kml_phys_scannable(PHYS_BASE + hm + 64, 128));
	CHECK(!kml_phys_scannable(PHYS_BASE + hm - 64, 128));
	CHECK(kml_phys_scannable(PHYS_BASE + hm - 128, 128));
	age();
	scan();
	LISTED(x, y,);
}

/* ---------------------------------------------------------- walk tests */

static void count_fn(struct kmemleak_object *obj, void *arg)
{
	(*(int *)arg)++;
}

/* Removal inside a walk keeps the metadata until kml_walk_end(). */
static void test_walk_remove(void)
{
	unsigned long p = VBASE + 0x20000;
	struct kmemleak_object *m1 = mkobj(KML_VIRT, p, 64, 1);
	struct kmemleak_object *m2 = mkobj(KML_VIRT, p + 64, 64, 1);
	struct kmemleak_object *m3 = mkobj(KML_PHYS, p, 64, 0);
	struct kmemleak_object copy;
	int calls = 0;

	CHECK_EQ(track_obj(m1), 0);
	CHECK_EQ(track_obj(m2), 0);
	CHECK_EQ(track_obj(m3), 0);
	kml_walk_begin();
	CHECK(kml_remove(KML_VIRT, p + 70, true, &copy));
	CHECK_EQ(copy.pointer, p + 64);
	CHECK(!(copy.flags & KML_FREED));
	CHECK(kml_remove(KML_PHYS, p, false, NULL));
	CHECK_EQ(meta_freed, 0);
	CHECK(m2->flags & KML_FREED && m3->flags & KML_FREED);
	CHECK_EQ(m2->pointer, p + 64);
	CHECK_EQ(kml_count_objects(), 1);
	CHECK(!kml_find(KML_VIRT, p + 64));
	CHECK(!kml_remove(KML_VIRT, p + 64, false, NULL));
	kml_call_locked(m2, count_fn, &calls);
	CHECK_EQ(calls, 0);
	kml_call_locked(m1, count_fn, &calls);
	CHECK_EQ(calls, 1);
	/* the address can be tracked again at once */
	CHECK_EQ(track(KML_VIRT, p + 64, 32, 1), 0);
	AT(KML_VIRT, p + 64, p + 64);
	CHECK(kml_shards[KML_SHARD_PHYS].dead != NULL);
	kml_walk_end();
	CHECK_EQ(meta_freed, 2);
	CHECK_EQ(kml_count_objects(), 2);
	CHECK(!kml_shards[KML_SHARD_PHYS].dead);
	/* outside a walk, metadata goes at once */
	CHECK(kml_remove(KML_VIRT, p, false, NULL));
	CHECK_EQ(meta_freed, 3);
}

static void *big_block;
static int removed_in_yield;

static void free_big(void)
{
	if (!big_block || !in_drain)
		return;
	blk_free(big_block);
	big_block = NULL;
	removed_in_yield++;
}

/* A block freed while the scanner is inside it is left at once. */
static void test_walk_free_while_scanned(void)
{
	unsigned long *big = blk("big", 3 * KML_CHUNK + 64, 1);
	unsigned long *a = blk("a-in-chunk0", 64, 1);
	unsigned long *b = blk("b-in-chunk2", 64, 1);

	rootbuf[0] = A(big);
	big[0] = A(a);
	big[2 * KML_CHUNK / sizeof(long) + 1] = A(b);
	age();
	big_block = big;
	yield_fn = free_big;
	CHECK_EQ(scan(), 0);
	yield_fn = NULL;
	CHECK_EQ(removed_in_yield, 1);
	CHECK_EQ(meta_freed, 1);
	REPORTS(b,);
}

static int drain_freed;

static void free_all_in_drain(void)
{
	int i;

	if (!in_drain || drain_freed)
		return;
	for (i = 0; i < nr_blocks; i++) {
		if (blocks[i].p && blocks[i].size == 48) {
			blk_free(blocks[i].p);
			drain_freed++;
		}
	}
}

/* Blocks freed while queued on the gray stack are skipped. */
static void test_walk_free_queued(void)
{
	unsigned long *prev = NULL, *first = NULL;
	int i;

	/* a chain long enough for the drain loop to yield */
	for (i = 0; i < 3 * KML_BATCH; i++) {
		unsigned long *o = blk("chain", 48, 1);

		if (prev)
			prev[1] = A(o);
		else
			first = o;
		prev = o;
	}
	rootbuf[0] = A(first);
	age();
	yield_fn = free_all_in_drain;
	CHECK_EQ(scan(), 0);
	yield_fn = NULL;
	CHECK_EQ(drain_freed, 3 * KML_BATCH);
	CHECK_EQ(meta_freed, 3 * KML_BATCH);
	CHECK_EQ(kml_count_objects(), 0);
	REPORTS();
}

struct visit_state {
	int seen[512];
	int calls;
	int stop_at;
};

static unsigned long visit_base = VBASE + 0x40000;

static bool visit_fn(struct kmemleak_object *obj, void *arg)
{
	struct visit_state *v = arg;

	if (!kml_test_lock_held(&kml_shard_of(obj)->lock))
		t_fail(__LINE__, "visit without the shard lock");
	if (obj->flags & KML_FREED)
		t_fail(__LINE__, "visited a freed object");
	if (obj->pointer >= visit_base &&
	    obj->pointer < visit_base + 512 * 64)
		v->seen[(obj->pointer - visit_base) / 64]++;
	return ++v->calls != v->stop_at;
}

static void remove_ahead(void)
{
	int i;

	if (yields != 1)
		return;
	/* the object the walk resumes from, and ten not yet visited */
	CHECK(kml_remove(KML_VIRT, visit_base + 63 * 64, false, NULL));
	for (i = 100; i < 110; i++)
		CHECK(kml_remove(KML_VIRT, visit_base + i * 64, false, NULL));
	CHECK_EQ(track(KML_VIRT, visit_base + 300 * 64, 64, 1), 0);
}

/* kml_visit_objects(): all live objects once, in batches. */
static void test_visit(void)
{
	struct visit_state v = { 0 };
	int i, bad = 0;

	for (i = 0; i < 200; i++)
		CHECK_EQ(track(KML_VIRT, visit_base + i * 64, 64, 1), 0);
	kml_walk_begin();
	kml_visit_objects(visit_fn, &v);
	for (i = 0; i < 200; i++)
		bad += v.seen[i] != 1;
	CHECK_EQ(bad, 0);
	CHECK_EQ(v.calls, 200);
	CHECK(yields >= 3);

	memset(&v, 0, sizeof(v));
	v.stop_at = 10;
	kml_visit_objects(visit_fn, &v);
	CHECK_EQ(v.calls, 10);

	memset(&v, 0, sizeof(v));
	yields = 0;
	yield_fn = remove_ahead;
	kml_visit_objects(visit_fn, &v);
	yield_fn = NULL;
	for (i = 100; i < 110; i++)
		CHECK_EQ(v.seen[i], 0);
	CHECK_EQ(v.seen[63], 1);	/* visited before the yield */
	CHECK_EQ(v.seen[300], 0);	/* added during the walk: not visited */
	CHECK_EQ(v.calls, 200 - 10);
	CHECK_EQ(meta_freed, 0);
	kml_walk_end();
	CHECK_EQ(meta_freed, 11);
	CHECK_EQ(kml_count_objects(), 190);
}

static long churn_yields, churn_limit;

/* Other CPUs: one kmalloc()/kfree() pair per object this CPU visits. */
static void churn_pairs(void)
{
	unsigned long a = VBASE + 0x80000;
	int i;

	if (++churn_yields > churn_limit)
		return;
	for (i = 0; i < KML_BATCH; i++) {
		CHECK_EQ(track(KML_VIRT, a + 64 * i, 64, 1), 0);
		CHECK(kml_remove(KML_VIRT, a + 64 * i, false, NULL));
	}
}

/*
 * A walk ends even while other CPUs allocate and free in the same shard:
 * what is allocated after a visit started needs no visit, and what is
 * freed meanwhile must not pile up without bound.
 */
static void test_visit_churn(void)
{
	struct visit_state v = { 0 };
	int i;

	for (i = 0; i < 200; i++)
		CHECK_EQ(track(KML_VIRT, visit_base + i * 64, 64, 1), 0);
	churn_limit = 2000;	/* then the other CPUs stop */
	yield_fn = churn_pairs;
	kml_walk_begin();
	kml_visit_objects(visit_fn, &v);
	yield_fn = NULL;
	if (churn_yields > churn_limit)
		t_fail(__LINE__, "the visit of 200 objects ended only when the churn stopped, after %ld yields; %ld freed objects were held",
		       churn_limit, meta_live - 200);
	kml_walk_end();
	CHECK_EQ(meta_live, 200);
}

static bool all_pred(const struct kmemleak_object *obj)
{
	return true;
}

static bool odd_pred(const struct kmemleak_object *obj)
{
	return obj->min_count == 3;
}

static struct kml_cursor *watch_cur;
static unsigned int watch_shard;
static int watch_yields;

static void watch_fn(void)
{
	watch_yields += watch_cur->shard == watch_shard;
}

/* kml_cursor_seek/advance: (shard, address) order, robust to removal. */
static void test_cursor(void)
{
	unsigned long addrs[] = {
		VBASE + 3 * REGION + 64, VBASE + 3 * REGION, VBASE + 9 * REGION + 64,
		VBASE + 9 * REGION - 8, ULONG_MAX, VBASE + 40 * REGION + 128,
		VBASE + 3 * REGION + 4096,
	};
	struct kmemleak_object *obj, *prev = NULL;
	struct kml_cursor cur = { 0 };
	unsigned int i, n = 0, bad = 0, found;
	long y;

	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		CHECK_EQ(track(KML_VIRT, addrs[i], addrs[i] == ULONG_MAX ?
			       1 : 16, i % 2 ? 3 : 1), 0);
	CHECK_EQ(track(KML_PHYS, 0, 16, 3), 0);
	CHECK_EQ(track(KML_PERCPU, PCPU_BASE, 16, 1), 0);

	kml_walk_begin();
	while ((obj = kml_cursor_seek(&cur, all_pred))) {
		if (prev && !(kml_shard_of(prev) < kml_shard_of(obj) ||
			      (kml_shard_of(prev) == kml_shard_of(obj) &&
			       prev->pointer < obj->pointer)))
			bad++;
		CHECK_EQ(cur.addr, obj->pointer);
		prev = obj;
		n++;
		kml_cursor_advance(&cur);
	}
	CHECK_EQ(n, ARRAY_SIZE(addrs) + 2);
	CHECK_EQ(bad, 0);
	CHECK(kml_shard_of(prev) == &kml_shards[KML_SHARD_PERCPU]);

	/* with a predicate; seeking again without advancing stays put */
	memset(&cur, 0, sizeof(cur));
	n = 0;
	while ((obj = kml_cursor_seek(&cur, odd_pred))) {
		n += obj->min_count == 3;
		CHECK(kml_cursor_seek(&cur, odd_pred) == obj);
		kml_cursor_advance(&cur);
	}
	CHECK_EQ(n, 4);

	/* removing the current object does not lose the position */
	memset(&cur, 0, sizeof(cur));
	n = 0;
	while ((obj = kml_cursor_seek(&cur, all_pred))) {
		CHECK(kml_remove(obj->space, obj->pointer, false, NULL));
		CHECK(obj->flags & KML_FREED);
		n++;
		kml_cursor_advance(&cur);
	}
	CHECK_EQ(n, ARRAY_SIZE(addrs) + 2);
	CHECK_EQ(kml_count_objects(), 0);
	kml_walk_end();
	CHECK_EQ(meta_freed, ARRAY_SIZE(addrs) + 2);

	/* many non-matching objects in one shard before a match */
	for (i = 0; i < 3 * KML_BATCH; i++)
		CHECK_EQ(track(KML_VIRT, VBASE + 64 * REGION + 64 * i, 64,
			       i == 2 * KML_BATCH + 5 || i == 3 * KML_BATCH - 1 ?
			       3 : 1), 0);
	memset(&cur, 0, sizeof(cur));
	y = yields;
	found = 0;
	/* the lock is dropped every KML_BATCH objects inside the shard */
	watch_cur = &cur;
	watch_shard = kml_region_shard(VBASE + 64 * REGION) - kml_shards;
	yield_fn = watch_fn;
	kml_walk_begin();
	while ((obj = kml_cursor_seek(&cur, odd_pred))) {
		CHECK(obj->pointer == VBASE + 64 * REGION +
		      64 * (found ? 3 * KML_BATCH - 1 : 2 * KML_BATCH + 5));
		found++;
		kml_cursor_advance(&cur);
	}
	kml_walk_end();
	yield_fn = NULL;
	CHECK_EQ(found, 2);
	CHECK(yields - y >= 2);
	CHECK(watch_yields >= 2);
}

/* clear: listed blocks turn gray, and are scanned from then on. */
static void test_clear(void)
{
	unsigned long *a = blk("a", 64, 1), *b = blk("b", 64, 1);
	unsigned long *c = blk("c-referenced", 64, 1), *f;
	struct kmemleak_object o;

	a[0] = A(b);
	rootbuf[0] = A(c);
	age();
	scan();
	scan();
	LISTED(a, b,);
	kml_walk_begin();
	kml_clear();
	kml_walk_end();
	LISTED();
	CHECK(snap(a, &o) && o.min_count == KML_GRAY &&
	      !(o.flags & KML_REPORTED));
	CHECK_EQ(min_count_of(c), 1);
	scan();
	scan();
	REPORTS();
	LISTED();
	/* what a cleared block points to is referenced */
	f = blk("f", 64, 1);
	a[1] = A(f);
	age();
	scan();
	scan();
	LISTED();
	/* new leaks are reported again */
	f = blk("g", 64, 1);
	age();
	scan();
	REPORTS(f,);
}

static long released;

static void release_fn(struct kmemleak_object *obj)
{
	released++;
	kml_free_meta(obj);
}

/* kml_reset_index(): every object is released, the index is reusable. */
static void test_reset_index(void)
{
	unsigned long r = VBASE + 11 * REGION;
	int i;

	for (i = 0; i < 100; i++)
		CHECK_EQ(track(KML_VIRT, r + 64 + i * 4096, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, r - 8, 16, 1), 0);
	CHECK_EQ(track(KML_PHYS, 0, 64, 0), 0);
	CHECK_EQ(track(KML_PERCPU, PCPU_BASE, 64, 1), 0);
	yields = 0;
	kml_reset_index(release_fn);
	CHECK_EQ(released, 103);
	CHECK(yields >= 103);
	CHECK_EQ(kml_count_objects(), 0);
	CHECK_EQ(meta_live, 0);
	NONE_AT(KML_VIRT, r);
	NONE_AT(KML_VIRT, r - 8);
	NONE_AT(KML_PHYS, 0);
	CHECK_EQ(track(KML_VIRT, r, 64, 1), 0);
	CHECK_EQ(track(KML_VIRT, r + 8, 16, 1), -EEXIST);
	CHECK_EQ(track(KML_PHYS, 0, 64, 0), 0);
	AT(KML_VIRT, r + 1, r);
	CHECK_EQ(kml_count_objects(), 2);
}

static bool roots_stop(struct kml_scan *sc)
{
	sc->stopped = true;
	return false;
}

/* A stopped scan reports nothing. */
static void test_scan_stop(void)
{
	unsigned long *x = blk("x", 64, 1), *prev = NULL;
	int i;

	for (i = 0; i < 2 * KML_BATCH; i++) {
		unsigned long *o = blk("gray", 48, KML_GRAY);

		if (prev)
			prev[0] = A(o);
		prev = o;
	}
	age();
	stop_after = 0;
	CHECK_EQ(scan(), -EINTR);
	REPORTS();
	stop_after = 1;		/* the first check passes, in the drain */
	CHECK_EQ(scan(), -EINTR);
	REPORTS();
	stop_after = -1;
	roots_fn = roots_stop;
	CHECK_EQ(scan(), -EINTR);
	REPORTS();
	roots_fn = NULL;
	CHECK_EQ(scan(), 0);
	REPORTS(x,);
}

/* -------------------------------------------------------- parser tests */

static int parse(const char *buf, size_t len, struct kml_cmd *cmd)
{
	char *copy = malloc(len ? len : 1);	/* exact size, for ASan */
	int ret;

	memcpy(copy, buf, len);
	cmd->op = -1;
	cmd->arg = 0xdeadbeef;
	ret = kml_parse_cmd(copy, len, cmd);
	free(copy);
	return ret;
}

#define PARSE(s, op_, arg_) do {					\
	struct kml_cmd _c;						\
	int _r = parse(s, sizeof(s) - 1, &_c);				\
	if (_r || _c.op != (op_) || _c.arg != (unsigned long)(arg_))	\
		t_fail(__LINE__, "parse(%s) = %d op %d arg %#lx, want op %d arg %#lx", \
		       #s, _r, _c.op, _c.arg, (op_),			\
		       (unsigned long)(arg_));				\
} while (0)

#define PARSE_BAD(s) do {						\
	struct kml_cmd _c;						\
	int _r = parse(s, sizeof(s) - 1, &_c);				\
	if (_r != -EINVAL)						\
		t_fail(__LINE__, "parse(%s) = %d op %d, want -EINVAL", \
		       #s, _r, _c.op);					\
} while (0)

static void test_parse_commands(void)
{
	static const struct { const char *s; enum kml_cmd_op op; } c[] = {
		{ "scan", KML_CMD_SCAN }, { "clear", KML_CMD_CLEAR },
		{ "off", KML_CMD_OFF }, { "stack=on", KML_CMD_STACK_ON },
		{ "stack=off", KML_CMD_STACK_OFF },
		{ "scan=on", KML_CMD_SCAN_ON },
		{ "scan=off", KML_CMD_SCAN_OFF },
	};
	static const char *const tails[] = {
		"", "\n", "\0", "\n\0", "\0\0\0", " ", "\t\n", "\r\n",
		"\n\n", "  \n\0 ",
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (j = 0; j < ARRAY_SIZE(tails); j++) {
			char buf[32];
			size_t n = strlen(c[i].s), t = strlen(tails[j]);
			struct kml_cmd cmd;
			int r;

			/* tails with NULs: lengths by hand */
			if (j == 2)
				t = 1;
			else if (j == 3)
				t = 2;
			else if (j == 4)
				t = 3;
			else if (j == 9)
				t = 5;
			memcpy(buf, c[i].s, n);
			memcpy(buf + n, tails[j], t);
			r = parse(buf, n + t, &cmd);
			if (r || cmd.op != c[i].op || cmd.arg)
				t_fail(__LINE__, "parse(\"%s\" + tail %u) = %d op %d arg %#lx",
				       c[i].s, j, r, cmd.op, cmd.arg);
		}
	}
}

static void test_parse_numbers(void)
{
	struct kml_cmd cmd;
	char buf[80];

	PARSE("scan=0", KML_CMD_SCAN_SECS, 0);
	PARSE("scan=0\n", KML_CMD_SCAN_SECS, 0);
	PARSE("scan=600", KML_CMD_SCAN_SECS, 600);
	PARSE("scan=600\n", KML_CMD_SCAN_SECS, 600);
	PARSE("scan=0x10", KML_CMD_SCAN_SECS, 16);
	PARSE("scan=0X10\n", KML_CMD_SCAN_SECS, 16);
	PARSE("scan=010", KML_CMD_SCAN_SECS, 8);
	PARSE("scan=+5", KML_CMD_SCAN_SECS, 5);
	PARSE("scan=4294967295", KML_CMD_SCAN_SECS, 4294967295UL);
	PARSE("scan=5\0\0", KML_CMD_SCAN_SECS, 5);
	PARSE("dump=0xffff888012345678", KML_CMD_DUMP, 0xffff888012345678UL);
	PARSE("dump=0xffff888012345678\n", KML_CMD_DUMP,
	      0xffff888012345678UL);
	PARSE("dump=4096", KML_CMD_DUMP, 4096);
	PARSE("dump=4096\n", KML_CMD_DUMP, 4096);
	PARSE("dump=0", KML_CMD_DUMP, 0);
	PARSE("dump=18446744073709551615", KML_CMD_DUMP, ULONG_MAX);
	PARSE("dump=0xFFFFFFFFFFFFFFFF", KML_CMD_DUMP, ULONG_MAX);

	PARSE_BAD("scan=4294967296");
	PARSE_BAD("scan=99999999999999999999999");
	PARSE_BAD("scan=-1");
	PARSE_BAD("scan=0x");
	PARSE_BAD("scan=09");
	PARSE_BAD("scan=5x");
	PARSE_BAD("scan=5 5");
	PARSE_BAD("dump=18446744073709551616");
	PARSE_BAD("dump=0x10000000000000000");
	PARSE_BAD("dump=-1");
	PARSE_BAD("dump=0xg");
	PARSE_BAD("dump=ffff");

	/* KML_CMD_MAX (63) characters is the longest command */
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
}

static void test_parse_garbage(void)
{
	char big[200];
	struct kml_cmd cmd;

	PARSE_BAD("");
	PARSE_BAD("\n");
	PARSE_BAD("\0");
	PARSE_BAD(" \n\0");
	PARSE_BAD("scanx");
	PARSE_BAD("scan x");
	PARSE_BAD("xscan");
	PARSE_BAD(" scan");
	PARSE_BAD("\nscan");
	PARSE_BAD("SCAN");
	PARSE_BAD("Scan");
	PARSE_BAD("sca");
	PARSE_BAD("scan=");
	PARSE_BAD("scan=\n");
	PARSE_BAD("dump=");
	PARSE_BAD("dump=\n");
	PARSE_BAD("scan= 5");
	PARSE_BAD("scan =5");
	PARSE_BAD("scan=on5");
	PARSE_BAD("scan=onx");
	PARSE_BAD("scan=ON");
	PARSE_BAD("stack=");
	PARSE_BAD("stack=1");
	PARSE_BAD("stack=on\nscan");
	PARSE_BAD("clearx");
	PARSE_BAD("of");
	PARSE_BAD("off=1");
	PARSE_BAD("dump");
	PARSE_BAD("dump 0x10");
	PARSE_BAD("scan\0x");
	PARSE_BAD("\0scan");
	PARSE_BAD("sc\0an");
	PARSE_BAD("dump=1\0 2");

	/* overlong: 64 characters and more, with or without a newline */
	memset(big, 'a', sizeof(big));
	CHECK_EQ(parse(big, 64, &cmd), -EINVAL);
	CHECK_EQ(parse(big, 63, &cmd), -EINVAL);
	CHECK_EQ(parse(big, sizeof(big), &cmd), -EINVAL);
	memcpy(big, "scan=1", 6);
	memset(big + 6, '0', sizeof(big) - 6);
	CHECK_EQ(parse(big, 64, &cmd), -EINVAL);
	CHECK_EQ(parse(big, 63, &cmd), -EINVAL);	/* out of range */
	memcpy(big, "scan=0", 6);
	CHECK_EQ(parse(big, 63, &cmd), 0);
	CHECK_EQ(parse(big, 64, &cmd), -EINVAL);
	big[63] = '\n';
	CHECK_EQ(parse(big, 64, &cmd), 0);
	/* only trailing whitespace is dropped, whatever the length */
	memcpy(big, "scan", 4);
	memset(big + 4, ' ', sizeof(big) - 4);
	CHECK_EQ(parse(big, sizeof(big), &cmd), 0);
	CHECK_EQ(cmd.op, KML_CMD_SCAN);
}

/* ----------------------------------------------------- concurrency test */

#define CHURN_SLOTS	64

static volatile bool churn_stop;
static long churn_ops, churn_budget;

/* Allocate and free blocks as other CPUs would during scans. */
static void *churn_fn(void *arg)
{
	static unsigned long *slot[CHURN_SLOTS];
	unsigned int seed = 1, i;

	while (!churn_stop) {
		/* a bounded rate: a walk must not chase an endless tail */
		if (__atomic_sub_fetch(&churn_budget, 1, __ATOMIC_RELAXED) < 0) {
			sched_yield();
			continue;
		}
		i = rand_r(&seed) % CHURN_SLOTS;
		if (slot[i]) {
			CHECK(kml_remove(KML_VIRT, A(slot[i]), false, NULL));
			free(slot[i]);
			slot[i] = NULL;
		} else {
			slot[i] = calloc(1, 64 + (i % 4) * 2048);
			slot[i][0] = A(slot[(i + 1) % CHURN_SLOTS]);
			CHECK_EQ(track(KML_VIRT, A(slot[i]),
				       64 + (i % 4) * 2048, 1), 0);
		}
		__atomic_add_fetch(&churn_ops, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < CHURN_SLOTS; i++) {
		if (slot[i])
			CHECK(kml_remove(KML_VIRT, A(slot[i]), false, NULL));
		free(slot[i]);
	}
	return NULL;
}

/*
 * Scans racing with allocations and frees on another thread: no crash,
 * no use after free (ASan), and the blocks the roots always reach are
 * never reported.
 */
static void test_concurrent(void)
{
	unsigned long *keep[32];
	pthread_t th;
	int i, bad = 0;

	for (i = 0; i < 32; i++) {
		keep[i] = blk("kept", 64, 1);
		rootbuf[i] = A(keep[i]) + 8 * (i % 8);
	}
	age();
	yield_sched = true;
	churn_budget = 2 * CHURN_SLOTS;
	if (pthread_create(&th, NULL, churn_fn, NULL))
		abort();
	while (!__atomic_load_n(&churn_ops, __ATOMIC_RELAXED))
		sched_yield();
	/* 200 scans, and on until the other thread did some work */
	for (i = 0; i < 200 || (__atomic_load_n(&churn_ops, __ATOMIC_RELAXED) <
				1000 && i < 20000); i++) {
		int j;

		now += MIN_AGE;
		__atomic_store_n(&churn_budget, 2 * CHURN_SLOTS, __ATOMIC_RELAXED);
		CHECK_EQ(scan(), 0);
		for (j = 0; j < 32; j++)
			bad += in_set(reported, nr_reported, A(keep[j]));
	}
	churn_stop = true;
	pthread_join(th, NULL);
	CHECK_EQ(bad, 0);
	CHECK(churn_ops > 0);
	CHECK_EQ(kml_count_objects(), 32);
}

/* ---------------------------------------------------------------- main */

static const struct t_case {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "shim", test_shim },
	{ "index_spaces", test_index_spaces },
	{ "index_size0", test_index_size0 },
	{ "index_wide", test_index_wide },
	{ "index_top", test_index_top },
	{ "overlap", test_overlap },
	{ "overlap_wide", test_overlap_wide },
	{ "update", test_update },
	{ "interior_refs", test_interior_refs },
	{ "self_refs", test_self_refs },
	{ "free_part", test_free_part },
	{ "free_part_scan", test_free_part_scan },
	{ "min_count_black", test_min_count_black },
	{ "min_count_gray", test_min_count_gray },
	{ "min_count_n", test_min_count_n },
	{ "chain", test_chain },
	{ "cycle", test_cycle },
	{ "diamond", test_diamond },
	{ "checksum", test_checksum },
	{ "age", test_age },
	{ "scan_area", test_scan_area },
	{ "no_scan", test_no_scan },
	{ "not_leak", test_not_leak },
	{ "ignore", test_ignore },
	{ "transient_leak", test_transient },
	{ "excess_ref", test_excess_ref },
	{ "percpu", test_percpu },
	{ "phys", test_phys },
	{ "phys_lowmem_end", test_phys_lowmem_end },
	{ "walk_remove", test_walk_remove },
	{ "walk_free_while_scanned", test_walk_free_while_scanned },
	{ "walk_free_queued", test_walk_free_queued },
	{ "visit", test_visit },
	{ "visit_churn", test_visit_churn },
	{ "cursor", test_cursor },
	{ "clear", test_clear },
	{ "reset_index", test_reset_index },
	{ "scan_stop", test_scan_stop },
	{ "parse_commands", test_parse_commands },
	{ "parse_numbers", test_parse_numbers },
	{ "parse_garbage", test_parse_garbage },
	{ "concurrent", test_concurrent },
};

static int run_one(const struct t_case *t)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(20);
	t_setup();
	t->fn();
	t_teardown();
	return t_fails ? 1 : 0;
}

/* Run @t in a child process; returns whether it passed. */
static bool run_forked(const struct t_case *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (!pid)
		exit(run_one(t));
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(2);
	}
	if (WIFSIGNALED(status))
		printf("# killed by signal %d%s\n", WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else if (WEXITSTATUS(status) > 1)
		printf("# exit status %d (sanitizer report above)\n",
		       WEXITSTATUS(status));
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	const struct t_case *sel[ARRAY_SIZE(tests)];
	bool nofork = getenv("KMEMLEAK_NOFORK");
	unsigned int i, n = 0, failed = 0;
	int a;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	for (a = 1; a < argc; a++) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			if (!strcmp(argv[a], tests[i].name))
				break;
		if (i == ARRAY_SIZE(tests)) {
			fprintf(stderr, "%s: no test named '%s' (-l lists them)\n",
				argv[0], argv[a]);
			return 2;
		}
		sel[n++] = &tests[i];
	}
	if (!n)
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			sel[n++] = &tests[i];
	if (nofork && n > 1) {
		fprintf(stderr, "%s: KMEMLEAK_NOFORK runs one test\n", argv[0]);
		return 2;
	}

	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		bool ok = nofork ? !run_one(sel[i]) : run_forked(sel[i]);

		printf("%sok %u - %s\n", ok ? "" : "not ", i + 1, sel[i]->name);
		failed += !ok;
	}
	if (failed)
		printf("# %u of %u tests failed\n", failed, n);
	return failed ? 1 : 0;
}
