// SPDX-License-Identifier: GPL-2.0-only
/*
 * The unit tests' harness: see harness.h.  It uses only the core's API
 * (mm/kmemleak_core.h); the tests themselves are built with the core
 * sources (kmemleak.c) and also see their static functions and data.
 */
#include "harness.h"

#include <stdarg.h>

/* Checks */

int t_fails;

void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	va_list ap;

	flockfile(stdout);
	printf("# %s:%d: ", base ? base + 1 : file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	funlockfile(stdout);
	__atomic_add_fetch(&t_fails, 1, __ATOMIC_RELAXED);
}

/* Test environment */

unsigned long rootbuf[64];
unsigned char *phys_mem;
static unsigned char *pcpu_arena;
static unsigned long pcpu_next = PCPU_BASE;
static u32 serial;

long meta_live, meta_freed, areas_live, areas_freed;
const struct kmemleak_object *last_meta_freed;
long yields;
void (*yield_fn)(void);
bool yield_sched;
int stop_after = -1;
void (*stop_fn)(void);
void (*roots_fn)(struct kml_scan *sc);

int overlaps, overlap_locks;
struct kml_snapshot overlap_new, overlap_old;

unsigned long reported[MAX_REPORTED];
int nr_reported;
unsigned int last_new_leaks;
bool racy_reports;

/* Tracked test blocks, with names for diagnostics. */
struct t_block {
	void *p;
	size_t size;
	const char *name;
	struct kmemleak_object *meta;
};
static struct t_block blocks[4096];
static int nr_blocks;

const char *name_of(unsigned long ptr)
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

/* Hooks the core calls; none of them may run under a raw spinlock. */

static void check_unlocked(const char *hook)
{
	if (shim_lock_depth)
		t_fail("%s() called with %d raw spinlock(s) held",
		       hook, shim_lock_depth);
}

void kml_free_area(struct kml_area *area)
{
	check_unlocked(__func__);
	__atomic_sub_fetch(&areas_live, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&areas_freed, 1, __ATOMIC_RELAXED);
	free(area);
}

/* Like the glue's: the areas go with the object. */
void kml_free_meta(struct kmemleak_object *obj)
{
	struct kml_area *area;
	struct hlist_node *tmp;

	check_unlocked(__func__);
	hlist_for_each_entry_safe(area, tmp, &obj->areas, node)
		kml_free_area(area);
	last_meta_freed = obj;
	__atomic_sub_fetch(&meta_live, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&meta_freed, 1, __ATOMIC_RELAXED);
	free(obj);
}

/* True from the (stop_after + 1)th call on; never if stop_after < 0. */
bool kml_should_stop(void)
{
	check_unlocked(__func__);
	if (stop_fn)
		stop_fn();
	if (stop_after < 0)
		return false;
	if (stop_after > 0) {
		stop_after--;
		return false;
	}
	return true;
}

/* Scans in the harness run in the test, never in a scan thread. */
bool kml_walker_must_yield(void)
{
	return false;
}

void kml_yield(void)
{
	check_unlocked(__func__);	/* cond_resched() under a raw lock */
	if (shim_rcu_depth)
		t_fail("kml_yield() in an RCU read-side section");
	__atomic_add_fetch(&yields, 1, __ATOMIC_RELAXED);
	if (yield_sched)
		sched_yield();
	if (yield_fn)
		yield_fn();
}

void kml_scan_roots(struct kml_scan *sc)
{
	check_unlocked(__func__);
	if (!READ_ONCE(kml_walking))
		t_fail("kml_scan_roots() outside a walk");
	if (roots_fn)
		roots_fn(sc);
}

void kml_warn_overlap(const struct kml_snapshot *obj,
		      const struct kml_snapshot *old)
{
	overlaps++;
	overlap_locks = shim_lock_depth;
	overlap_new = *obj;
	overlap_old = *old;
}

/* Helpers */

struct kmemleak_object *mkobj(enum kml_space space, unsigned long ptr,
			      size_t size, int min_count)
{
	struct kmemleak_object *obj = calloc(1, sizeof(*obj));

	if (!obj)
		abort();
	obj->pointer = ptr;
	obj->size = size;
	obj->min_count = min_count;
	obj->space = space;
	obj->tag = KASAN_TAG_KERNEL;
	obj->jiffies = jiffies;
	obj->serial = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED);
	obj->pid = 42;
	obj->trace = 0x1234;
	strcpy(obj->comm, "kmltest");
	__atomic_add_fetch(&meta_live, 1, __ATOMIC_RELAXED);
	return obj;
}

struct kmemleak_object *mkspare(void)
{
	struct kmemleak_object *obj = calloc(1, sizeof(*obj));

	if (!obj)
		abort();
	__atomic_add_fetch(&meta_live, 1, __ATOMIC_RELAXED);
	return obj;
}

struct kml_area *mkarea(unsigned long start, size_t size)
{
	struct kml_area *area = calloc(1, sizeof(*area));

	if (!area)
		abort();
	area->start = start;
	area->size = size;
	__atomic_add_fetch(&areas_live, 1, __ATOMIC_RELAXED);
	return area;
}

int track_obj(struct kmemleak_object *obj)
{
	return kml_insert(obj);
}

int track(enum kml_space space, unsigned long ptr, size_t size,
	  int min_count)
{
	return track_obj(mkobj(space, ptr, size, min_count));
}

unsigned long *blk_ex(const char *name, size_t size, int min_count,
		      unsigned long excess_ref)
{
	struct t_block *b;

	if (nr_blocks == (int)ARRAY_SIZE(blocks))
		abort();
	b = &blocks[nr_blocks++];
	b->p = calloc(1, size ? size : 1);
	if (!b->p)
		abort();
	b->size = size;
	b->name = name;
	b->meta = mkobj(KML_VIRT, A(b->p), size, min_count);
	b->meta->excess_ref = excess_ref;
	if (track_obj(b->meta))
		abort();
	return b->p;
}

unsigned long *blk(const char *name, size_t size, int min_count)
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

struct kmemleak_object *meta_of(const void *p)
{
	return block_of(p)->meta;
}

void blk_free(void *p)
{
	struct t_block *b = block_of(p);

	CHECK(kml_remove(KML_VIRT, A(p)));
	free(b->p);
	b->p = NULL;
}

bool free_part(const void *p, size_t size)
{
	return kml_remove_part(KML_VIRT, A(p), size, mkspare());
}

unsigned long pcpu(size_t size, int min_count)
{
	unsigned long cookie = pcpu_next;

	pcpu_next += ALIGN(size, 64);
	if (pcpu_next - PCPU_BASE > PCPU_UNIT)
		abort();
	if (track(KML_PERCPU, cookie, size, min_count))
		abort();
	return cookie;
}

unsigned long *pcpu_copy(unsigned long cookie, int cpu)
{
	return per_cpu_ptr((unsigned long *)cookie, cpu);
}

int list_objects(int which, unsigned long *ptrs, int max)
{
	struct kml_listing l = { 0 };
	struct kml_snapshot s;
	int n = 0, ret;
	size_t i;

	kml_walk_begin();
	kml_list(&l, which);
	l.keys = calloc(l.found * KML_KEY_WORDS + 1, sizeof(*l.keys));
	l.max = l.found;
	kml_list(&l, which);
	kml_walk_end();
	if (!racy_reports)
		CHECK_EQ(l.nr, l.found);

	for (i = 0; i < l.nr; i++) {
		const unsigned long *k = l.keys + i * KML_KEY_WORDS;

		/* oldest first: by jiffies, then serial */
		if (i && (k[-KML_KEY_WORDS] > k[0] ||
			  (k[-KML_KEY_WORDS] == k[0] &&
			   k[1 - KML_KEY_WORDS] > k[1])))
			t_fail("listing out of order at %zu", i);
		ret = kml_listing_snapshot(&l, i, which, &s, true);
		if (ret && !racy_reports)
			t_fail("kml_listing_snapshot(%zu) = %d", i,
			       ret);
		if (!ret && n < max)
			ptrs[n++] = s.pointer;
	}
	free(l.keys);
	return n;
}

unsigned int min_unref_scans;
unsigned int last_candidates;

int scan(void)
{
	struct kml_scan sc = {
		.start = jiffies,
		.min_age = MIN_AGE,
		.min_unref_scans = min_unref_scans,
	};
	int ret;

	kml_walk_begin();
	ret = kml_scan(&sc);
	kml_walk_end();
	last_new_leaks = sc.new_leaks;
	last_candidates = sc.candidates;
	if (ret)
		CHECK_EQ(sc.new_leaks, 0);
	nr_reported = list_objects(KML_LIST_NEW, reported, MAX_REPORTED);
	if (racy_reports)
		CHECK(nr_reported <= (int)sc.new_leaks);
	else
		CHECK_EQ(nr_reported, sc.new_leaks);
	return ret;
}

void age(void)
{
	jiffies += MIN_AGE;
}

bool lookup(enum kml_space space, unsigned long addr, bool interior,
	    struct kmemleak_object *copy)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	if (!kml_lookup(space, addr, interior, &obj, &flags)) {
		if (shim_lock_depth)
			t_fail("failed lookup left a lock held");
		return false;
	}
	if (shim_lock_depth != 1 || !shim_lock_held(&kml_shard(obj)->lock))
		t_fail("kml_lookup() did not return with the object's lock");
	if (copy)
		*copy = *obj;
	kml_unlock(obj, flags);
	return true;
}

bool snap(const void *p, struct kmemleak_object *copy)
{
	return lookup(KML_VIRT, A(p), false, copy);
}

int min_count_of(const void *p)
{
	struct kmemleak_object o;

	return snap(p, &o) ? o.min_count : -1000;
}

/* Annotations: the glue's kml_annotate() and friends. */

#define KEEP_MIN_COUNT	INT_MAX

static bool annotate(const void *p, int min_count, u8 set)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	if (!kml_lookup(KML_VIRT, A(p), false, &obj, &flags))
		return false;
	if (min_count != KEEP_MIN_COUNT)
		WRITE_ONCE(obj->min_count, min_count);
	obj->flags |= set;
	kml_unlock(obj, flags);
	return true;
}

bool not_leak(const void *p)
{
	return annotate(p, KML_GRAY, 0);
}

bool ignore(const void *p)
{
	return annotate(p, KML_BLACK, KML_NO_SCAN);
}

bool no_scan(const void *p)
{
	return annotate(p, KEEP_MIN_COUNT, KML_NO_SCAN);
}

bool transient(const void *p)
{
	struct kmemleak_object *obj;
	unsigned long flags;

	if (!kml_lookup(KML_VIRT, A(p), false, &obj, &flags))
		return false;
	obj->checksum = 0;
	kml_unlock(obj, flags);
	return true;
}

/* kmemleak_scan_area(): SIZE_MAX reaches to the end of the object. */
bool scan_area(const void *p, size_t size)
{
	struct kml_area *area = mkarea(A(p), size);
	struct kmemleak_object *obj;
	unsigned long flags;
	size_t room;

	if (!kml_lookup(KML_VIRT, A(p), true, &obj, &flags))
		goto out;
	room = obj->pointer + obj->size - A(p);
	if (size == SIZE_MAX)
		area->size = room;
	if (area->size > room) {
		kml_unlock(obj, flags);
		goto out;
	}
	hlist_add_head(&area->node, &obj->areas);
	kml_unlock(obj, flags);
	return true;
out:
	kml_free_area(area);
	return false;
}

/* Checks on the index and the listings */

void check_at(const char *file, int line, enum kml_space space,
	      unsigned long addr, bool found, unsigned long start)
{
	bool walking = kml_walking;
	struct kmemleak_object *obj, copy;
	bool hit;

	hit = lookup(space, addr, true, &copy);
	if (hit != found || (hit && copy.pointer != start))
		t_fail_at(file, line, "kml_lookup(space %d, %#lx): %s %#lx, want %s %#lx",
		       space, addr, hit ? "found" : "nothing",
		       hit ? copy.pointer : 0, found ? "object" : "nothing",
		       start);
	if (!walking)
		kml_walk_begin();
	obj = kml_find(space, addr);
	if (!!obj != found || (obj && obj->pointer != start))
		t_fail_at(file, line, "kml_find(space %d, %#lx): %s %#lx, want %s %#lx",
		       space, addr, obj ? "found" : "nothing",
		       obj ? obj->pointer : 0, found ? "object" : "nothing",
		       start);
	if (!walking)
		kml_walk_end();
}

bool in_set(const unsigned long *set, int n, unsigned long p)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == p)
			return true;
	return false;
}

void check_set(const char *file, int line, const char *what,
	       const unsigned long *got, int n, const void *const *want)
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
	t_fail_at(file, line, "%s: got %d objects, want %d", what, n, nwant);
	for (i = 0; i < n; i++)
		printf("#   got %s\n", name_of(got[i]));
	for (i = 0; want[i]; i++)
		printf("#   want %s\n", name_of(A(want[i])));
}

void check_listed(const char *file, int line, const void *const *want)
{
	unsigned long got[256];
	int n = list_objects(KML_LIST_REPORTED, got, ARRAY_SIZE(got));

	check_set(file, line, "listed", got, n, want);
}

/* Setup and teardown: each test runs in a fresh child process. */

void t_setup(void)
{
	int cpu;

	jiffies = T_JIFFIES;
	pcpu_arena = calloc(NR_CPUS, PCPU_UNIT);
	if (!pcpu_arena)
		abort();
	for_each_possible_cpu(cpu)
		__per_cpu_offset[cpu] = A(pcpu_arena) + cpu * PCPU_UNIT -
					PCPU_BASE;

	phys_mem = aligned_alloc(PAGE_SIZE, PHYS_PAGES * PAGE_SIZE);
	if (!phys_mem)
		abort();
	memset(phys_mem, 0, PHYS_PAGES * PAGE_SIZE);
	page_offset_base = A(phys_mem) - PHYS_BASE;
	min_low_pfn = PHYS_PFN(PHYS_BASE);
	max_low_pfn = min_low_pfn + PHYS_LOWMEM;

	kml_add_root(A(rootbuf), A(rootbuf + ARRAY_SIZE(rootbuf)));
}

void t_teardown(void)
{
	int b;

	if (kml_walking) {
		t_fail("test left a walk open");
		kml_walk_end();
	}
	if (shim_lock_depth)
		t_fail("test ended with %d locks held",
		       shim_lock_depth);
	yield_fn = NULL;
	roots_fn = NULL;
	shim_grace_period_hook = NULL;
	min_unref_scans = 0;
	stop_fn = NULL;
	kml_reset_index();
	if (meta_live)
		t_fail("%ld metadata objects never released",
		       meta_live);
	if (areas_live)
		t_fail("%ld scan areas never released", areas_live);
	for (b = 0; b < nr_blocks; b++)
		free(blocks[b].p);
	free(pcpu_arena);
	free(phys_mem);
}
